"""Secrets never leak: every command, on success and failure paths and with ``-vv``, is run with
known token values and a key file; stdout, stderr, the log files under home, the database
file (raw bytes, with its WAL), exports and backups are scanned for them. Credential files are
0600; the sign-in callback takes only 127.0.0.1 with the right Host and state."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from amsync.cli.login_server import start_login_server
from amsync.config.secret import Secret
from amsync.config.server_credentials import SERVER_CREDENTIALS_FILE
from amsync.emulator import Emulator, LibrarySpec, generate_library
from tests.support.cli import invoke
from tests.support.reliability import FIGURES
from tests.support.subsonic_standin import StandinState, serving, songs_of

USER = "SECRET-MUSIC-USER-TOKEN-19c2e"
SUBSONIC = "SECRET-SUBSONIC-PASSWORD-7f3a"


def _key_file(path: Path) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    return pem


def _developer_token(pem: bytes) -> str:
    now = int(time.time())
    claims = {"iss": "TEAMID1234", "iat": now, "exp": now + 100 * 86_400}
    return jwt.encode(claims, pem, algorithm="ES256", headers={"kid": "ABCDEFGHIJ"})


def _needles(pem: bytes, dev: str) -> list[str]:
    body = [line for line in pem.decode().splitlines() if not line.startswith("-----")]
    subsonic = [SUBSONIC, SUBSONIC.encode().hex(), (SUBSONIC + "-wrong").encode().hex()]
    return [dev, USER, dev.split(".")[2], *body, *subsonic]


def test_no_secret_in_any_output_log_database_or_export(tmp_path: Path) -> None:
    home = tmp_path / "home"
    pem = _key_file(tmp_path / "AuthKey_ABCDEFGHIJ.p8")
    dev = _developer_token(pem)
    db = str(tmp_path / "mirror.db")
    emulator = Emulator(
        generate_library(LibrarySpec(songs=60, playlists=4, seed=3)),
        developer_tokens={dev},
        music_user_tokens={USER},
    )
    outputs: list[str] = []
    commands = 0
    modern = StandinState(songs_of(emulator.library), {"me": SUBSONIC})
    old = StandinState(songs_of(emulator.library), {"me": SUBSONIC}, api_version="1.12.0",
                       open_subsonic=False)  # fmt: skip
    with emulator.serve() as server, serving(modern) as subsonic, serving(old) as supy:
        good = {
            "AMSYNC_HOME": str(home),
            "AMSYNC_DEVELOPER_TOKEN": dev,
            "AMSYNC_MUSIC_USER_TOKEN": USER,
        }
        keyed = {
            "AMSYNC_HOME": str(home),
            "AMSYNC_KEY_FILE": str(tmp_path / "AuthKey_ABCDEFGHIJ.p8"),
            "AMSYNC_TEAM_ID": "TEAMID1234",
            "AMSYNC_KEY_ID": "ABCDEFGHIJ",
            "AMSYNC_MUSIC_USER_TOKEN": USER,
        }
        bad_user = {**good, "AMSYNC_MUSIC_USER_TOKEN": USER + "-revoked"}
        base = ["-vv", "--db", db, "--api-url", server.url]
        song = sorted(emulator.library.songs)[0]
        runs: list[tuple[list[str], dict[str, str], str | None]] = [
            (["auth", "set", "--stdin"], {"AMSYNC_HOME": str(home)}, f"{dev}\n{USER}\n"),
            (["auth", "status"], good, None),
            (["auth", "status", "--json"], keyed, None),
            (["sync"], good, None),
            (["sync", "--json", "--backup"], good, None),
            (["sync"], keyed, None),  # signed tokens: the emulator refuses them (exit 3)
            (["sync"], bad_user, None),  # revoked user token (exit 3)
            (["doctor"], good, None),
            (["doctor", "--json"], bad_user, None),
            (["favourites", "add", "song", song], good, None),
            (["favourites", "push"], good, None),
            (["favourites", "list", "--json"], good, None),
            (["export", "json", "-o", str(tmp_path / "export.json")], good, None),
            (["export", "csv", "-o", str(tmp_path / "csv")], good, None),
            (["export", "m3u", "-o", str(tmp_path / "m3u")], good, None),
            (["query", "SELECT * FROM sync_runs"], good, None),
            (["query", "DELETE FROM songs"], good, None),  # refused (exit 2)
            (["stats"], good, None),
            (["history"], good, None),
            (["backup", "--dir", str(tmp_path / "backups")], good, None),
            (["db", "check"], good, None),
            (["accounts", "list"], good, None),
            (["server", "login", subsonic, "--user", "me", "--stdin"], good, f"{SUBSONIC}\n"),
            (["server", "push", subsonic, "--user", "me", "--favourites", "--ratings"], good, None),
            (["server", "status", subsonic, "--user", "me", "--format", "json"], good, None),
            (
                ["server", "push", supy, "--user", "me", "--json"],
                {**good, "AMSYNC_SUBSONIC_PASSWORD": SUBSONIC},
                None,
            ),
            (
                ["server", "push", supy, "--user", "me"],
                {**good, "AMSYNC_SUBSONIC_PASSWORD": SUBSONIC + "-wrong"},
                None,
            ),  # exit 3
            (["lost", "--json"], good, None),
            (["lost", "restore", "--dry-run", "--json"], good, None),
            (["lost", "restore", "--yes"], good, None),
            (["notify", "test", "--notify", "json://127.0.0.1:9/x"], good, None),
        ]
        for args, env, stdin in runs:
            result = invoke([*base, *args], env=env, input=stdin)
            outputs += [result.stdout, result.stderr]
            commands += 1
            assert "Traceback" not in result.stderr, (args, result.stderr)
        exit_codes = {
            tuple(args): invoke([*base, *args], env=env, input=stdin).exit_code
            for args, env, stdin in runs[5:7]
        }
        assert set(exit_codes.values()) == {3}, exit_codes
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".p8"]
    assert any(p.name.endswith(".db-wal") or p.name == "mirror.db" for p in files)
    assert any("logs" in p.parts for p in files), "no log file was written under home"
    needles = _needles(pem, dev)
    for text in outputs:
        for needle in needles:
            assert needle not in text, f"a secret in command output: {text[:300]!r}"
    credentials = home / "credentials.json"
    server_credentials = home / SERVER_CREDENTIALS_FILE
    for path in files:
        if path in (credentials, server_credentials):
            continue
        raw = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in raw, f"a secret in {path}"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert stat.S_IMODE(server_credentials.stat().st_mode) == 0o600
    assert modern.playlists and old.playlists, "the pushes pushed"
    FIGURES["secrets: commands scanned"] += commands
    FIGURES["secrets: files scanned"] += len(files)


def test_the_sign_in_callback_takes_only_local_requests_with_the_right_state() -> None:
    server = start_login_server(Secret("developer-token-for-the-page"))
    host, port = server.server_address[:2]
    base = f"http://127.0.0.1:{port}"
    own = {"Origin": base}
    try:
        assert host == "127.0.0.1", "the callback must listen on 127.0.0.1 only"
        with httpx.Client(trust_env=False) as http:
            rebinding = http.post(
                f"{base}/callback",
                json={"state": server.state, "music_user_token": "attacker"},
                headers={
                    "Host": f"attacker.example:{port}",
                    "Origin": f"http://attacker.example:{port}",
                },
            )
            assert rebinding.status_code == 404 and not server.done.is_set()
            cross_site = http.post(
                f"{base}/callback",
                json={"state": server.state, "music_user_token": "attacker"},
                headers={"Origin": "https://attacker.example"},
            )
            assert cross_site.status_code == 403 and not server.done.is_set()
            guessed = http.post(
                f"{base}/callback",
                json={"state": server.state[:-1], "music_user_token": "x"},
                headers=own,
            )
            assert guessed.status_code == 403 and not server.done.is_set()
            assert http.get(f"{base}/callback").status_code == 404
            good = http.post(
                f"{base}/callback",
                json={"state": server.state, "music_user_token": USER},
                headers=own,
            )
            assert good.status_code == 204 and server.token == USER
    finally:
        server.close()
    FIGURES["secrets: login callback checks"] += 5
