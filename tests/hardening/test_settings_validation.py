"""Issue 14 item 9: one validator per setting, applied to the command-line option, the
environment and ``config.toml`` alike; the error names the source (exit 2).

The table below has one row per setting of ``amsync.config.settings.SETTINGS`` (a test fails
when a setting is added without a row): a good raw value with what it becomes, and a bad raw
value with words of the message. Every row is tried through every source the setting has.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import pytest

from amsync.config.secret import Secret
from amsync.config.settings import SETTINGS, SettingSpec, load_settings
from amsync.errors import ConfigError


class Row(NamedTuple):
    good: Any
    value: Any
    bad: Any
    message: str


ROWS: dict[str, Row] = {
    "db": Row("/tmp/x.db", "/tmp/x.db", "   ", "must not be empty"),
    "api_url": Row(
        "http://127.0.0.1:9/", "http://127.0.0.1:9/", "ftp://x", "must be an http:// or https://"
    ),
    "account": Row("family.alice", "family.alice", "../etc", "is not allowed"),
    "storefront": Row("GB", "gb", "USA", "not a two-letter storefront"),
    "developer_token": Row("eyJ.a.b", Secret("eyJ.a.b"), "eyJ a b", "no spaces"),
    "music_user_token": Row("user-token", Secret("user-token"), "two\nlines", "no spaces"),
    "key_file": Row("~/AuthKey.p8", Path("~/AuthKey.p8").expanduser(), "  ", "must not be empty"),
    "team_id": Row("TEAM123456", "TEAM123456", "TEAM 12345", "letters and digits"),
    "key_id": Row("ABC123DEFG", "ABC123DEFG", "ABC/123", "letters and digits"),
    "retry_budget": Row("2.5", 2.5, "nan", "must be a number from 0 to 86400"),
    "catalog_refresh_days": Row("7", 7, "1.5", "must be a whole number from 0 to 3650"),
    "max_delete_pct": Row("25", 25.0, "500", "must be a number from 0 to 100"),
    "max_delete_min": Row("10", 10, "-1", "must be a whole number of at least 0"),
    "concurrency": Row("4", 4, "0", "must be a whole number from 1 to 64"),
    "verbosity": Row(2, 2, -1, "must be a whole number of at least 0"),
    "notify": Row(
        "json://127.0.0.1:9/hook, mailto://me:pw@mail.example.org?to=a@x.org,b@y.org",
        (
            Secret("json://127.0.0.1:9/hook"),
            Secret("mailto://me:pw@mail.example.org?to=a@x.org,b@y.org"),
        ),
        "json:/127.0.0.1/secret-hook-token",
        "is not an Apprise URL",
    ),
    "rate_memory": Row("~/rate.json", Path("~/rate.json").expanduser(), " ", "must not be empty"),
    "musickit_js_url": Row(
        "http://127.0.0.1:9/musickit/v3/musickit.js",
        "http://127.0.0.1:9/musickit/v3/musickit.js",
        "file:///etc/passwd",
        "must be an http:// or https:// URL",
    ),
}
# The signing trio is checked together; give the rest so a single one loads.
COMPANIONS: dict[str, dict[str, str]] = {
    "key_file": {"team_id": "TEAM123456", "key_id": "ABC123DEFG"},
    "team_id": {"key_file": "/k.p8", "key_id": "ABC123DEFG"},
    "key_id": {"key_file": "/k.p8", "team_id": "TEAM123456"},
}


def _sources(spec: SettingSpec) -> list[str]:
    return [
        source
        for source, present in (
            ("option", spec.option),
            ("environment", spec.env),
            ("config", spec.config_key),
        )
        if present
    ]


CASES = [(name, source) for name, spec in SETTINGS.items() for source in _sources(spec)]


def test_every_setting_has_a_row_and_a_source() -> None:
    assert set(ROWS) == set(SETTINGS)
    assert all(_sources(spec) for spec in SETTINGS.values())


def _toml(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return repr(value)


def _load(home: Path, name: str, raw: Any, source: str) -> Any:
    spec = SETTINGS[name]
    env = {"AMSYNC_HOME": str(home)}
    options: dict[str, Any] = {}
    config: dict[str, Any] = {}
    for other, value in COMPANIONS.get(name, {}).items():
        config[SETTINGS[other].config_key or other] = value
    if source == "option":
        options[name] = raw
    elif source == "environment":
        env[str(spec.env)] = str(raw)
    else:
        config[str(spec.config_key)] = raw
    home.mkdir(parents=True, exist_ok=True)
    lines = [f"{key} = {_toml(value)}" for key, value in config.items()]
    (home / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_settings(options, env)


@pytest.mark.parametrize(("name", "source"), CASES)
def test_a_good_value_is_accepted_from_every_source(home: Path, name: str, source: str) -> None:
    row = ROWS[name]
    settings = _load(home, name, row.good, source)
    assert getattr(settings, name) == row.value
    assert settings.source_of(name) == source


@pytest.mark.parametrize(("name", "source"), CASES)
def test_a_bad_value_is_refused_from_every_source_naming_it(
    home: Path, name: str, source: str
) -> None:
    row = ROWS[name]
    spec = SETTINGS[name]
    with pytest.raises(ConfigError) as caught:
        _load(home, name, row.bad, source)
    message = str(caught.value)
    assert caught.value.exit_code == 2
    assert row.message in message
    expected_where = {
        "option": f"{spec.option}",
        "environment": f"{spec.env}",
        "config": f"config.toml key {spec.config_key}",
    }[source]
    assert expected_where in message
    if source == "environment":
        assert "(environment)" in message
    if source == "option":
        assert "(option)" in message
    if spec.secret:
        assert str(row.bad).strip() not in message, "a token value reached a message"
    assert "\n" not in message


def test_an_option_outranks_a_bad_environment_value(home: Path) -> None:
    settings = load_settings(
        {"max_delete_pct": "20"}, {"AMSYNC_HOME": str(home), "AMSYNC_MAX_DELETE": "500"}
    )
    assert settings.max_delete_pct == 20.0
    assert settings.describe_source("max_delete_pct") == "option --max-delete"


def test_numbers_from_toml_keep_their_type_rules(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "config.toml").write_text("concurrency = true\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not true/false"):
        load_settings({}, {"AMSYNC_HOME": str(home)})
    (home / "config.toml").write_text("concurrency = 4.0\nretry_budget = 3\n", encoding="utf-8")
    settings = load_settings({}, {"AMSYNC_HOME": str(home)})
    assert (settings.concurrency, settings.retry_budget) == (4, 3.0)
    assert settings.describe_source("retry_budget") == "config.toml key retry_budget"
