"""``amsync auth set | status | logout`` and the login callback server."""

from __future__ import annotations

import json
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import ec

from amsync.cli.auth_commands import auth, start_login_server
from amsync.cli.context import AppContext
from amsync.config.credentials import CredentialStore
from amsync.config.secret import Secret
from amsync.errors import ConfigError

MUT = "music-user-token-SECRET-123456"


def make_jwt(days: float = 180) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    now = int(time.time())
    claims = {"iss": "TEAM123456", "iat": now, "exp": now + int(days * 86_400)}
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": "ABCDEFGHIJ"})


def app(home: Path, **env: str) -> AppContext:
    return AppContext(options={"home": str(home)}, env=env)


def run(home: Path, args: list[str], stdin: str | None = None, **env: str):
    return CliRunner().invoke(auth, args, obj=app(home, **env), input=stdin)


def test_set_from_stdin_stores_both_tokens_0600_and_prints_none(tmp_path: Path) -> None:
    developer = make_jwt()
    result = run(tmp_path, ["set", "--stdin"], f"{developer}\n{MUT}\n")
    assert result.exit_code == 0, result.output
    assert developer not in result.output and MUT not in result.output
    stored = CredentialStore(tmp_path).load("default")
    assert stored.developer_token == Secret(developer) and stored.music_user_token == Secret(MUT)
    mode = stat.S_IMODE((tmp_path / "credentials.json").stat().st_mode)
    assert mode == 0o600


def test_set_empty_line_keeps_what_is_stored(tmp_path: Path) -> None:
    developer = make_jwt()
    run(tmp_path, ["set", "--stdin"], f"{developer}\n{MUT}\n")
    result = run(tmp_path, ["set", "--stdin"], "\nnew-user-token\n")
    assert result.exit_code == 0
    stored = CredentialStore(tmp_path).load("default")
    assert stored.developer_token == Secret(developer)
    assert stored.music_user_token == Secret("new-user-token")


def test_set_refuses_a_developer_token_that_is_not_a_jwt(tmp_path: Path) -> None:
    result = run(tmp_path, ["set", "--stdin"], "garbage-SECRET\n\n")
    assert isinstance(result.exception, ConfigError)
    assert "garbage-SECRET" not in str(result.exception)
    assert CredentialStore(tmp_path).load("default").empty


def test_set_with_hidden_prompt(tmp_path: Path) -> None:
    result = run(tmp_path, ["set"], f"\n{MUT}\n")
    assert result.exit_code == 0
    assert MUT not in result.output
    assert CredentialStore(tmp_path).load("default").music_user_token == Secret(MUT)


def test_status_json_gives_sources_and_days_left(tmp_path: Path) -> None:
    CredentialStore(tmp_path).save(
        "default",
        developer_token=Secret(make_jwt(100)),
        music_user_token=Secret(MUT),
        now=datetime.now(UTC) - timedelta(days=20),
    )
    result = CliRunner().invoke(auth, ["status", "--json"], obj=app(tmp_path))
    assert result.exit_code == 0, result.output
    tokens = {t["token"]: t for t in json.loads(result.stdout)["tokens"]}
    assert tokens["developer token"]["source"] == "stored"
    assert tokens["developer token"]["days_left"] == pytest.approx(100, abs=0.1)
    assert tokens["music user token"]["days_left"] == pytest.approx(160, abs=0.1)
    assert {t["status"] for t in tokens.values()} == {"ok"}


def test_status_warns_within_30_days(tmp_path: Path) -> None:
    CredentialStore(tmp_path).save(
        "default", music_user_token=Secret(MUT), now=datetime.now(UTC) - timedelta(days=160)
    )
    result = CliRunner().invoke(
        auth, ["status"], obj=app(tmp_path, AMSYNC_DEVELOPER_TOKEN=make_jwt(10))
    )
    assert result.exit_code == 0
    assert "music user token: warn" in result.stdout
    assert "developer token: warn, from AMSYNC_DEVELOPER_TOKEN" in result.stdout
    assert "warning" in result.stderr and "amsync auth login" in result.stderr
    assert MUT not in result.output


def test_status_without_tokens_says_missing(tmp_path: Path) -> None:
    result = CliRunner().invoke(auth, ["status"], obj=app(tmp_path))
    assert "developer token: missing" in result.stdout
    assert "music user token: missing" in result.stdout


def test_logout_removes_stored_tokens(tmp_path: Path) -> None:
    CredentialStore(tmp_path).save("default", music_user_token=Secret(MUT))
    result = run(tmp_path, ["logout"])
    assert result.exit_code == 0 and "removed" in result.output
    assert CredentialStore(tmp_path).load("default").empty


def test_login_server_accepts_only_the_right_state_from_127_0_0_1() -> None:
    developer = make_jwt()
    server = start_login_server(Secret(developer))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with httpx.Client(trust_env=False) as http:
            page = http.get(f"{base}/")
            assert page.status_code == 200 and developer in page.text
            assert server.state in page.text
            assert http.get(f"{base}/", headers={"Host": "evil.test"}).status_code == 404
            wrong = http.post(f"{base}/callback", json={"state": "x", "music_user_token": MUT})
            assert wrong.status_code == 403 and not server.done.is_set()
            empty = http.post(f"{base}/callback", json={"state": server.state})
            assert empty.status_code == 400
            good = http.post(
                f"{base}/callback", json={"state": server.state, "music_user_token": MUT}
            )
            assert good.status_code == 204
            assert server.done.is_set() and server.token == MUT
            again = http.post(
                f"{base}/callback", json={"state": server.state, "music_user_token": "other"}
            )
            assert again.status_code == 400 and server.token == MUT
    finally:
        server.shutdown()
        server.server_close()
