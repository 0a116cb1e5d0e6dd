"""``amsync auth set | status | logout``: what people paste, the mix-ups refused, exit codes.

Run through the real entry point (``amsync.cli.run``), so the exit codes are the ones a script
sees; the hidden prompt runs in a real pseudo-terminal; ``< /dev/null`` in a real process.
"""

from __future__ import annotations

import json
import os
import pty
import select
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from amsync.config.credentials import CredentialStore
from amsync.config.secret import Secret
from tests.support.cli import invoke

MUT = "AgAAAUZMbXkz+Secret/MusicUserToken0123456789abcdefGHIJ=="
KEY = ec.generate_private_key(ec.SECP256R1())
PEM = KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()


def make_jwt(days: float = 180, alg: str = "ES256", key: object = KEY) -> str:
    now = int(time.time())
    claims = {"iss": "TEAM123456", "iat": now, "exp": now + int(days * 86_400)}
    signing_key = "x" * 32 if alg == "HS256" else key
    return jwt.encode(claims, signing_key, algorithm=alg, headers={"kid": "ABCDEFGHIJ"})  # type: ignore[arg-type]


DEV = make_jwt()


def stored(home: Path) -> tuple[str | None, str | None]:
    creds = CredentialStore(home).load("default")
    dev = creds.developer_token.reveal() if creds.developer_token else None
    user = creds.music_user_token.reveal() if creds.music_user_token else None
    return dev, user


def auth_set(home: Path, stdin: str, *args: str, **env: str):
    return invoke(["--home", str(home), "auth", "set", "--stdin", *args], input=stdin, env=env)


# --- the music user token, as people paste it --------------------------------------------------

PASTED_USER_TOKENS = {
    "bare cookie value": MUT,
    "surrounding whitespace": f"  \t{MUT}   ",
    "double quotes": f'"{MUT}"',
    "single quotes": f"'{MUT}'",
    "curly quotes": f"\u201c{MUT}\u201d",
    "name=value": f"media-user-token={MUT}",
    "name=value with attributes": f"media-user-token={MUT}; Path=/; Domain=.music.apple.com",
    "quoted cookie value": f'media-user-token="{MUT}"',
    "whole Cookie header": f"Cookie: geo=US; media-user-token={MUT}; itspod=34",
    "header line": f"Music-User-Token: {MUT}",
    "name = value, upper case": f"  MEDIA-USER-TOKEN = {MUT} ",
}


@pytest.mark.parametrize("pasted", PASTED_USER_TOKENS.values(), ids=PASTED_USER_TOKENS.keys())
def test_set_takes_the_music_user_token_as_people_paste_it(home: Path, pasted: str) -> None:
    result = auth_set(home, f"{DEV}\n{pasted}\n")
    assert result.exit_code == 0, result.output
    assert stored(home) == (DEV, MUT)
    assert MUT not in result.output and DEV not in result.output
    assert stat.S_IMODE((home / "credentials.json").stat().st_mode) == 0o600


# --- the developer token: the JWT, a header line, or a file ------------------------------------

PASTED_DEVELOPER_TOKENS = {
    "the JWT": DEV,
    "whitespace": f"   {DEV}\t",
    "quoted": f'"{DEV}"',
    "Bearer": f"Bearer {DEV}",
    "Authorization header": f"Authorization: Bearer {DEV}",
}


@pytest.mark.parametrize(
    "pasted", PASTED_DEVELOPER_TOKENS.values(), ids=PASTED_DEVELOPER_TOKENS.keys()
)
def test_set_takes_the_developer_token_as_people_paste_it(home: Path, pasted: str) -> None:
    result = auth_set(home, f"{pasted}\n{MUT}\n")
    assert result.exit_code == 0, result.output
    assert stored(home) == (DEV, MUT)


@pytest.mark.parametrize("content", [DEV, f"{DEV}\n", f"\ufeff{DEV}\r\n", f'"{DEV}"\n'])
def test_developer_token_file(home: Path, tmp_path: Path, content: str) -> None:
    path = tmp_path / "developer-token.txt"
    path.write_text(content, encoding="utf-8")
    # with the file, --stdin gives one line: the music user token
    result = auth_set(home, f"{MUT}\n", "--developer-token-file", str(path))
    assert result.exit_code == 0, result.output
    assert stored(home) == (DEV, MUT)


def test_developer_token_file_without_a_terminal_stores_only_it(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "developer-token.txt"
    path.write_text(DEV, encoding="utf-8")
    result = invoke(["--home", str(home), "auth", "set", "--developer-token-file", str(path)])
    assert result.exit_code == 0, result.output
    assert stored(home) == (DEV, None)
    assert "no music user token yet: run `amsync auth login`" in result.stdout


# --- mix-ups and bad values: one line, exit 2, nothing stored, nothing echoed ------------------

OTHER_JWT = make_jwt(90)
REFUSED = {
    # name: (stdin, words in the error line)
    "JWT in the user-token slot": (f"{DEV}\n{OTHER_JWT}\n", "developer token (a JWT)"),
    "Bearer JWT in the user-token slot": (f"{DEV}\nBearer {OTHER_JWT}\n", "a JWT"),
    "private key in the user-token slot": (f"{DEV}\n{PEM.splitlines()[0]}\n", "private key"),
    "empty cookie": (f"{DEV}\nmedia-user-token=; Path=/\n", "is empty"),
    "spaces inside the user token": (f"{DEV}\nAg AA secret\n", "spaces"),
    ".p8 key in the developer slot": (f"{PEM.splitlines()[0]}\n{MUT}\n", "AMSYNC_KEY_FILE"),
    "developer token not a JWT": ("dev-SECRET-opaque\n\n", "not a JWT"),
    "developer token expired": (f"{make_jwt(-3)}\n{MUT}\n", "expired on"),
    "developer token not ES256": (f"{make_jwt(alg='HS256')}\n{MUT}\n", "only ES256"),
    "nothing given, nothing stored": ("\n\n", "none is stored"),
}


@pytest.mark.parametrize(("stdin", "words"), REFUSED.values(), ids=REFUSED.keys())
def test_set_refuses_mix_ups_in_one_line(home: Path, stdin: str, words: str) -> None:
    result = auth_set(home, stdin)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("amsync: error:"), result.stderr
    assert words in lines[0]
    assert not (home / "credentials.json").exists()
    for line in stdin.splitlines():
        secret = line.strip()
        if len(secret) > 12:
            assert secret not in result.output, "a pasted value was echoed"


def test_p8_file_as_developer_token_file_points_to_the_key_file(home: Path, tmp_path: Path) -> None:
    key_file = tmp_path / "AuthKey_ABCDEFGHIJ.p8"
    key_file.write_text(PEM)
    result = auth_set(home, f"{MUT}\n", "--developer-token-file", str(key_file))
    assert result.exit_code == 2
    assert "AMSYNC_KEY_FILE" in result.stderr and "private key (.p8)" in result.stderr
    assert PEM.splitlines()[1] not in result.output
    assert not (home / "credentials.json").exists()


def test_empty_line_keeps_what_is_stored(home: Path) -> None:
    auth_set(home, f"{DEV}\n{MUT}\n")
    result = auth_set(home, "\nnew-user-token-0123456789\n")
    assert result.exit_code == 0
    assert stored(home) == (DEV, "new-user-token-0123456789")
    result = auth_set(home, "\n\n")
    assert result.exit_code == 0 and "nothing changed" in result.stdout
    assert stored(home) == (DEV, "new-user-token-0123456789")


# --- no terminal, no --stdin (issue 14 item 6) and the hidden prompt ---------------------------


def test_set_without_a_terminal_and_without_stdin_exits_2(home: Path) -> None:
    """`amsync auth set < /dev/null` used to prompt (GetPassWarning), print "aborted", exit 1."""
    process = subprocess.run(
        [sys.executable, "-m", "amsync", "--home", str(home), "auth", "set"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,  # no controlling terminal getpass could fall back to
    )
    assert process.returncode == 2, process.stderr
    assert "--stdin" in process.stderr
    assert "Warning" not in process.stderr and "aborted" not in process.stderr
    assert process.stderr.count("\n") == 1
    assert not (home / "credentials.json").exists()


def _read_until(fd: int, marker: bytes, timeout: float = 20.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_hidden_prompt_on_a_terminal_echoes_no_token(home: Path) -> None:
    pid, fd = pty.fork()
    if pid == 0:  # the child: amsync on a real terminal
        os.execv(  # noqa: S606 - a fixed argv, no shell
            sys.executable, [sys.executable, "-m", "amsync", "--home", str(home), "auth", "set"]
        )
    screen = _read_until(fd, b"Developer token")
    os.write(fd, f'"{DEV}"\n'.encode())
    screen += _read_until(fd, b"Music user token")
    os.write(fd, f"media-user-token={MUT}\n".encode())
    screen += _read_until(fd, b"for account default")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, screen
    assert DEV.encode() not in screen and MUT.encode() not in screen
    assert stored(home) == (DEV, MUT)


# --- status: exit codes and --json ---------------------------------------------------------------


def save(home: Path, *, dev: str | None = DEV, user_days_ago: float | None = 10) -> None:
    CredentialStore(home).save(
        "default",
        developer_token=Secret(dev) if dev else None,
        music_user_token=Secret(MUT) if user_days_ago is not None else None,
        now=datetime.now(UTC) - timedelta(days=user_days_ago or 0),
    )


def key_file_env(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "AuthKey_ABCDEFGHIJ.p8"
    path.write_text(PEM)
    return {
        "AMSYNC_KEY_FILE": str(path),
        "AMSYNC_TEAM_ID": "TEAM123456",
        "AMSYNC_KEY_ID": "KEY1234567",
    }


STATUS_CASES = {
    # name: (stored developer token, stored user token age in days, env, exit, statuses)
    "both good": (DEV, 10, {}, 0, ("ok", "ok")),
    "no developer token": (None, 10, {}, 3, ("missing", "ok")),
    "no music user token": (DEV, None, {}, 3, ("ok", "missing")),
    "developer token expired": (make_jwt(-1), 10, {}, 3, ("expired", "ok")),
    "music user token older than 180 days": (DEV, 200, {}, 3, ("ok", "expired")),
    "developer token within 30 days": (make_jwt(12), 10, {}, 0, ("warn", "ok")),
    "music user token within 30 days": (DEV, 165, {}, 0, ("ok", "warn")),
    "developer token not a JWT": (
        None,
        10,
        {"AMSYNC_DEVELOPER_TOKEN": "opaque-dev"},
        0,
        ("unknown", "ok"),
    ),
    "expired token, key file configured": (
        None,
        10,
        {"AMSYNC_DEVELOPER_TOKEN": make_jwt(-5), "KEYS": "1"},
        0,
        ("ok", "ok"),
    ),
}


@pytest.mark.parametrize(
    ("dev", "age", "env", "code", "expected"), STATUS_CASES.values(), ids=STATUS_CASES.keys()
)
def test_status_exit_codes(home: Path, tmp_path: Path, dev, age, env, code, expected) -> None:
    save(home, dev=dev, user_days_ago=age)
    env = dict(env)
    if env.pop("KEYS", None):
        env.update(key_file_env(tmp_path))
    result = invoke(["--home", str(home), "auth", "status", "--json"], env=env)
    assert result.exit_code == code, result.output
    document = json.loads(result.stdout)
    assert document["exit_code"] == code
    assert tuple(t["status"] for t in document["tokens"]) == expected
    assert MUT not in result.output and DEV not in result.output
    text = invoke(["--home", str(home), "auth", "status"], env=env)
    assert text.exit_code == code
    for name, status in zip(("developer token", "music user token"), expected, strict=True):
        assert f"{name}: {status}" in text.stdout
    if code == 3:
        assert "amsync: error: the " in text.stderr


def test_status_json_gives_each_expiry_in_iso_utc(home: Path) -> None:
    save(home, dev=make_jwt(100), user_days_ago=20)
    result = invoke(["--home", str(home), "auth", "status", "--json"])
    tokens = {t["token"]: t for t in json.loads(result.stdout)["tokens"]}
    developer, user = tokens["developer token"], tokens["music user token"]
    assert developer["source"] == "stored" and user["source"] == "stored"
    assert developer["days_left"] == pytest.approx(100, abs=0.1)
    assert user["days_left"] == pytest.approx(160, abs=0.1)
    for item in (developer, user):
        parsed = datetime.strptime(item["expires_at"], "%Y-%m-%dT%H:%M:%SZ")
        assert parsed.year >= datetime.now(UTC).year
    expected = (datetime.now(UTC) + timedelta(days=160)).strftime("%Y-%m-%d")
    assert user["expires_at"].startswith(expected)


def test_status_warns_within_30_days_on_stderr(home: Path) -> None:
    save(home, dev=None, user_days_ago=160)
    result = invoke(
        ["--home", str(home), "auth", "status"], env={"AMSYNC_DEVELOPER_TOKEN": make_jwt(10)}
    )
    assert result.exit_code == 0
    assert "music user token: warn" in result.stdout
    assert "developer token: warn, from AMSYNC_DEVELOPER_TOKEN" in result.stdout
    assert "warning" in result.stderr and "amsync auth login" in result.stderr


def test_logout_removes_stored_tokens(home: Path) -> None:
    save(home)
    result = invoke(["--home", str(home), "auth", "logout"])
    assert result.exit_code == 0 and "removed" in result.stdout
    assert CredentialStore(home).load("default").empty


# --- issue 22: each answer checked as it is given; an empty token file --------------------------


def test_each_prompt_checks_its_answer_and_asks_again(home: Path) -> None:
    """Issue 22, item 8: a wrong-kind token at the first prompt used to be taken, and both
    refused after the second. Each answer is now checked as it is given, and asked again."""
    from tests.support.terminal import on_terminal

    env = {**os.environ, "AMSYNC_HOME": str(home)}
    run = on_terminal(
        ["auth", "set"],
        env,
        [
            ("Developer token", MUT),  # the music user token at the developer token's prompt
            ("Developer token", DEV),
            ("Music user token", DEV),  # a JWT at the music user token's prompt
            ("Music user token", f"media-user-token={MUT}"),
        ],
    )
    assert run.exit_code == 0, run.screen
    assert "the developer token is not a JWT" in run.screen, run.screen
    assert "looks like a developer token" in run.screen, run.screen
    assert run.screen.count("try again") == 2, run.screen
    assert DEV not in run.screen and MUT not in run.screen, "no token is echoed"
    assert stored(home) == (DEV, MUT)


def test_an_empty_developer_token_file_is_an_error(home: Path, tmp_path: Path) -> None:
    """Issue 22, item 12: a file named explicitly that holds nothing said "nothing changed"
    and exited 0."""
    empty = tmp_path / "token.jwt"
    empty.write_text("\n")
    result = auth_set(home, f"{MUT}\n", "--developer-token-file", str(empty))
    assert result.exit_code == 2, result.output
    assert "is empty" in result.stderr and str(empty) in result.stderr
    assert stored(home) == (None, None), "nothing was stored"
