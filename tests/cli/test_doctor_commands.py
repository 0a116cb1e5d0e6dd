"""``amsync doctor`` against the emulator on a real socket."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import ec

from amsync.cli.context import AppContext
from amsync.cli.doctor_commands import doctor

emulator = pytest.importorskip("amsync.emulator")

MUT = "music-user-token-SECRET-doctor"


def make_jwt(days: float = 180) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    now = int(time.time())
    claims = {"iss": "TEAM123456", "iat": now, "exp": now + int(days * 86_400)}
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": "ABCDEFGHIJ"})


DEV = make_jwt()


@pytest.fixture
def emu() -> Iterator[tuple[object, str]]:
    library = emulator.generate_library(emulator.LibrarySpec(songs=20, seed=1))
    instance = emulator.Emulator(library, developer_tokens=[DEV], music_user_tokens=[MUT])
    with instance.serve() as server:
        yield instance, server.url


def run_doctor(tmp_path: Path, url: str, *args: str, **env: str):
    env = {"AMSYNC_DEVELOPER_TOKEN": DEV, "AMSYNC_MUSIC_USER_TOKEN": MUT, **env}
    options = {"home": str(tmp_path / "home"), "api_url": url, "db": str(tmp_path / "x.db")}
    return CliRunner().invoke(doctor, ["--json", *args], obj=AppContext(options=options, env=env))


def checks_of(result) -> dict[str, dict[str, object]]:
    return {c["name"]: c for c in json.loads(result.stdout)["checks"]}


def test_all_well_exits_0_and_shows_no_token(tmp_path: Path, emu) -> None:
    _, url = emu
    result = run_doctor(tmp_path, url)
    assert result.exit_code == 0, result.output
    checks = checks_of(result)
    for name in (
        "proxy",
        "dns",
        "connect",
        "clock",
        "developer token",
        "developer token accepted",
        "music user token accepted",
        "subscription",
        "throttling",
        "database",
    ):
        assert name in checks, name
    assert {c["status"] for c in checks.values()} <= {"ok", "warn"}
    assert DEV not in result.output and MUT not in result.output


def test_revoked_user_token_exits_3_with_login_fix(tmp_path: Path, emu) -> None:
    instance, url = emu
    instance.revoke_music_user_token()
    result = run_doctor(tmp_path, url)
    assert result.exit_code == 3
    check = checks_of(result)["music user token accepted"]
    assert check["status"] == "fail" and "amsync auth login" in str(check["fix"])


def test_rejected_developer_token_exits_3(tmp_path: Path, emu) -> None:
    instance, url = emu
    instance.expire_developer_token()
    result = run_doctor(tmp_path, url)
    assert result.exit_code == 3
    assert checks_of(result)["developer token accepted"]["status"] == "fail"


def test_developer_token_that_is_not_a_jwt_is_expiry_unknown_offline(tmp_path: Path) -> None:
    result = run_doctor(
        tmp_path, "http://127.0.0.1:9", "--offline", AMSYNC_DEVELOPER_TOKEN="plain-SECRET"
    )
    assert result.exit_code == 0  # issue 14 item 5: never taken for expired
    assert checks_of(result)["developer token"]["status"] == "warn"
    assert "expiry is unknown" in str(checks_of(result)["developer token"]["detail"])
    assert "plain-SECRET" not in result.output


def test_unreachable_api_fails_without_waiting_for_the_whole_budget(tmp_path: Path) -> None:
    result = run_doctor(tmp_path, "http://127.0.0.1:9", AMSYNC_RETRY_BUDGET="1")
    checks = checks_of(result)
    assert checks["connect"]["status"] == "fail"
    assert result.exit_code == 75  # the network: try again later


def test_text_output_lists_fixes(tmp_path: Path, emu) -> None:
    instance, url = emu
    instance.revoke_music_user_token()
    options = {"home": str(tmp_path / "home"), "api_url": url, "db": str(tmp_path / "x.db")}
    env = {"AMSYNC_DEVELOPER_TOKEN": DEV, "AMSYNC_MUSIC_USER_TOKEN": MUT}
    result = CliRunner().invoke(doctor, [], obj=AppContext(options=options, env=env))
    assert result.exit_code == 3
    assert "FAIL  music user token accepted" in result.stdout
    assert "fix: run `amsync auth login`" in result.stdout
