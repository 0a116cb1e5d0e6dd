"""The emulator's tokens pass amsync's own checks (issue 14 item 5), and a key file replaces a
stale developer token (issue 14 item 12), end to end over real HTTP."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from amsync.api.tokens import describe_jwt
from amsync.emulator import Emulator, LibrarySpec, generate_library
from tests.support.cli import invoke

KEY_ID, TEAM_ID = "KEYID12345", "TEAMID1234"
USER = "music-user-token-SECRET-fallback"


@pytest.fixture
def emulator_serve() -> Iterator[tuple[str, str, str]]:
    """`amsync emulator serve` in its own process: (url, developer token, music user token)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "amsync", "emulator", "serve", "--songs", "80", "--seed", "2"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        developer = process.stdout.readline().strip().removeprefix("developer token: ")
        user = process.stdout.readline().strip().removeprefix("music user token: ")
        yield url, developer, user
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_emulator_serve_prints_an_es256_jwt_valid_180_days(emulator_serve) -> None:
    _url, developer, _user = emulator_serve
    info = describe_jwt(developer)
    assert info.alg == "ES256" and info.kid and info.iss and len(info.kid) == 10
    assert info.lifetime_s == 180 * 86_400
    days = info.days_left()
    assert days is not None and 179.9 < days <= 180


def test_emulator_tokens_pass_auth_set_status_doctor_and_the_scheduled_line(
    emulator_serve, tmp_path: Path
) -> None:
    url, developer, user = emulator_serve
    home = tmp_path / "home"
    stored = invoke(["--home", str(home), "auth", "set", "--stdin"], input=f"{developer}\n{user}\n")
    assert stored.exit_code == 0, stored.output  # it used to refuse: "not a JWT"
    status = invoke(["--home", str(home), "auth", "status", "--json"])
    assert status.exit_code == 0, status.output  # it used to call the token expired
    assert [t["status"] for t in json.loads(status.stdout)["tokens"]] == ["ok", "ok"]
    doctor = invoke(["--home", str(home), "--api-url", url, "doctor", "--json"])
    checks = json.loads(doctor.stdout)["checks"]
    assert not [c for c in checks if c["status"] == "fail"], checks  # it used to FAIL "not a JWT"
    assert doctor.exit_code == 0
    cron = invoke(["--home", str(home), "--api-url", url, "schedule", "print"])
    command = next(x for x in cron.stdout.splitlines() if x and not x.startswith("#"))
    argv = shlex.split(command.replace("\\%", "%"))[5:]  # after the five time fields
    ran = subprocess.run(argv, capture_output=True, text=True, timeout=180)
    assert ran.returncode == 0, ran.stderr
    assert (home / "backups").is_dir()


# --- a key file replaces a stale developer token ---------------------------------------------


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / f"AuthKey_{KEY_ID}.p8"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


@pytest.fixture
def keyed_emulator(key_file: Path) -> Emulator:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(key_file.read_bytes(), password=None)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return Emulator(
        generate_library(LibrarySpec(songs=120, playlists=4, seed=6)),
        music_user_tokens={USER},
        jwt_public_key_pem=public,
        jwt_key_id=KEY_ID,
        jwt_team_id=TEAM_ID,
    )


def foreign_jwt(days: float, *, issued_days_ago: float = 0) -> str:
    """A well-formed ES256 token from another key: Apple would refuse it (401)."""
    now = time.time() - issued_days_ago * 86_400
    claims = {"iss": "OTHERTEAM1", "iat": int(now), "exp": int(now + days * 86_400)}
    other = ec.generate_private_key(ec.SECP256R1())
    return jwt.encode(claims, other, algorithm="ES256", headers={"kid": "OTHERKEY12"})


GIVEN = {
    # name: (given token, 401 answers expected before the key file takes over)
    "expired": (lambda: foreign_jwt(10, issued_days_ago=40), 0),
    "about to expire": (lambda: foreign_jwt(12), 0),
    "answered 401": (lambda: foreign_jwt(150), 1),
}


@pytest.mark.parametrize(("make_token", "refusals"), GIVEN.values(), ids=GIVEN.keys())
def test_a_key_file_replaces_a_stale_given_developer_token(
    tmp_path: Path, key_file: Path, keyed_emulator: Emulator, make_token, refusals: int
) -> None:
    """Issue 14 item 12: `sync` used to exit 3 ("set a new one or a key file") without signing."""
    given = make_token()
    with keyed_emulator.serve() as server:
        env = {
            "AMSYNC_DEVELOPER_TOKEN": given,
            "AMSYNC_MUSIC_USER_TOKEN": USER,
            "AMSYNC_KEY_FILE": str(key_file),
            "AMSYNC_TEAM_ID": TEAM_ID,
            "AMSYNC_KEY_ID": KEY_ID,
            "AMSYNC_API_URL": server.url,
        }
        result = invoke(["--db", str(tmp_path / "mirror.db"), "sync", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "succeeded"
    assert keyed_emulator.log.by_status().get(401, 0) == refusals
    assert "expires" not in result.stderr  # nothing to warn about: the key file signs
    assert given not in result.output
