"""Settings precedence (option > environment > config.toml > default) and secret handling."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from amsync.config.credentials import CredentialStore
from amsync.config.secret import Secret
from amsync.config.settings import load_settings
from amsync.errors import ConfigError


def test_defaults_put_the_database_in_home(home: Path) -> None:
    settings = load_settings({}, {"AMSYNC_HOME": str(home)})
    assert settings.home == home
    assert settings.db == str(home / "amsync.db")
    assert settings.account == "default"
    assert settings.api_url == "https://api.music.apple.com"
    assert settings.retry_budget == 60.0
    assert settings.catalog_refresh_days == 30
    assert settings.source_of("db") == "default"


def test_option_beats_environment_beats_config_file(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "config.toml").write_text(
        'account = "from-config"\nretry_budget = 5\nstorefront = "gb"\n', encoding="utf-8"
    )
    env = {"AMSYNC_HOME": str(home), "AMSYNC_ACCOUNT": "from-env", "AMSYNC_RETRY_BUDGET": "7"}
    settings = load_settings({"account": "from-option"}, env)
    assert settings.account == "from-option"
    assert settings.source_of("account") == "option"
    assert settings.retry_budget == 7.0
    assert settings.source_of("retry_budget") == "environment"
    assert settings.storefront == "gb"
    assert settings.source_of("storefront") == "config"


def test_home_option_beats_environment(tmp_path: Path) -> None:
    settings = load_settings({"home": str(tmp_path / "a")}, {"AMSYNC_HOME": str(tmp_path / "b")})
    assert settings.home == tmp_path / "a"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AMSYNC_RETRY_BUDGET": "soon"}, "AMSYNC_RETRY_BUDGET=soon"),
        ({"AMSYNC_RETRY_BUDGET": "-1"}, "must be a number from 0 to 86400"),
        ({"AMSYNC_ACCOUNT": "../etc"}, "account name '../etc' is not allowed"),
        ({"AMSYNC_STOREFRONT": "USA"}, "not a two-letter storefront"),
        ({"AMSYNC_API_URL": "ftp://x"}, "must be an http:// or https:// URL"),
        ({"AMSYNC_KEY_FILE": "/k.p8"}, "needs all of AMSYNC_KEY_FILE"),
    ],
)
def test_bad_values_are_config_errors(home: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load_settings({}, {"AMSYNC_HOME": str(home), **env})


def test_broken_or_unknown_config_file_is_a_clear_error(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "config.toml").write_text("account = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings({}, {"AMSYNC_HOME": str(home)})
    (home / "config.toml").write_text('acount = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown keys: acount"):
        load_settings({}, {"AMSYNC_HOME": str(home)})


def test_no_token_in_repr_of_settings(home: Path) -> None:
    developer = "eyJhbGciOiJFUzI1NiJ9.developer-secret.sig"
    user = "user-secret-token-value"
    settings = load_settings(
        {},
        {
            "AMSYNC_HOME": str(home),
            "AMSYNC_DEVELOPER_TOKEN": developer,
            "AMSYNC_MUSIC_USER_TOKEN": user,
        },
    )
    assert settings.developer_token == Secret(developer)
    for text in (repr(settings), str(settings), f"{settings}", repr(settings.developer_token)):
        assert developer not in text
        assert user not in text
    assert settings.music_user_token is not None
    assert settings.music_user_token.reveal() == user


def test_credentials_file_is_0600_and_round_trips(home: Path) -> None:
    store = CredentialStore(home)
    store.save("default", developer_token=Secret("dev-1"), music_user_token=Secret("user-1"))
    mode = stat.S_IMODE(os.stat(store.path).st_mode)
    assert mode == 0o600
    loaded = store.load("default")
    assert loaded.developer_token == Secret("dev-1")
    assert loaded.music_user_token == Secret("user-1")
    assert loaded.music_user_token_obtained_at is not None
    assert "user-1" not in repr(loaded)
    # an empty token keeps what is stored
    store.save("default", music_user_token=Secret("user-2"))
    again = store.load("default")
    assert again.developer_token == Secret("dev-1")
    assert again.music_user_token == Secret("user-2")
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert store.clear("default")
    assert store.load("default").empty


def test_damaged_credentials_file_is_a_clear_error(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "credentials.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="damaged"):
        CredentialStore(home).load("default")
