"""docs/tutorial/real-account.md ("Connecting your Apple Music account"), step by step, against
``amsync emulator serve``: from an empty home to a finished sync and a scheduled line that works,
for the key-file route (a) and for a given developer token (b) with the music user token from the
cookie (c). (``auth login`` in a browser, the other half of (c), is walked in
``test_login_browser.py``.)

Every amsync step runs as its own process, as a person types it.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

AMSYNC = [sys.executable, "-m", "amsync"]
KEY_ID, TEAM_ID = "ABC123DEFG", "TEAMID1234"


def amsync(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMSYNC_")}
    return subprocess.run(
        [*AMSYNC, *args], input=stdin, capture_output=True, text=True, env=env, timeout=180
    )


def serve(*extra: str) -> Iterator[tuple[str, str, str]]:
    process = subprocess.Popen(
        [*AMSYNC, "emulator", "serve", "--songs", "150", "--playlists", "6", "--seed", "8", *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        developer = process.stdout.readline().strip().removeprefix("developer token: ")
        cookie = process.stdout.readline().strip().removeprefix("music user token: ")
        yield url, developer, cookie
    finally:
        process.terminate()
        process.wait(timeout=10)


def first_sync_and_schedule(home: Path, url: str, secrets: list[str]) -> None:
    """The page's "First sync, and after", then the line `schedule print` wrote, run by cron."""
    g = ["--home", str(home), "--api-url", url]
    status = amsync(*g, "auth", "status", "--json")
    assert status.returncode == 0, status.stdout + status.stderr
    assert [t["status"] for t in json.loads(status.stdout)["tokens"]] == ["ok", "ok"]
    doctor = amsync(*g, "doctor", "--json")
    failed = [c for c in json.loads(doctor.stdout)["checks"] if c["status"] == "fail"]
    assert doctor.returncode == 0 and not failed, failed
    synced = amsync(*g, "sync")
    assert synced.returncode == 0, synced.stderr
    stats = amsync(*g, "stats", "--json")
    assert stats.returncode == 0
    assert json.loads(stats.stdout)["counts"]["songs"]["live"] >= 150
    cron = amsync(*g, "schedule", "print")
    line = next(x for x in cron.stdout.splitlines() if x and not x.startswith("#"))
    argv = shlex.split(line.replace("\\%", "%"))[5:]
    scheduled = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=180,
        env={k: v for k, v in os.environ.items() if not k.startswith("AMSYNC_")},
    )
    assert scheduled.returncode == 0, scheduled.stderr
    outputs = status.stdout + doctor.stdout + synced.stdout + synced.stderr + cron.stdout
    for secret in secrets:
        assert secret not in outputs + scheduled.stdout + scheduled.stderr


def test_route_a_key_file_then_the_cookie(tmp_path: Path) -> None:
    home = tmp_path / "home"  # empty: nothing of amsync exists yet
    key = ec.generate_private_key(ec.SECP256R1())
    public = tmp_path / "public.pem"
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    # Steps 1-3: the key from Apple, kept private, named in <home>/config.toml.
    home.mkdir()
    key_file = home / f"AuthKey_{KEY_ID}.p8"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    (home / "config.toml").write_text(
        f'key_file = "{key_file}"\nteam_id = "{TEAM_ID}"\nkey_id = "{KEY_ID}"\n', encoding="utf-8"
    )
    emulator = serve("--public-key", str(public), "--key-id", KEY_ID, "--team-id", TEAM_ID)
    url, _developer, cookie = next(emulator)
    try:
        # (c) from the cookie: Enter keeps (no) developer token, the value goes second.
        pasted = f"media-user-token={cookie}; Path=/; Domain=.music.apple.com"
        stored = amsync("--home", str(home), "auth", "set", "--stdin", stdin=f"\n{pasted}\n")
        assert stored.returncode == 0, stored.stderr
        assert stat.S_IMODE((home / "credentials.json").stat().st_mode) == 0o600
        status = amsync("--home", str(home), "auth", "status")
        assert "developer token: ok, from key file" in status.stdout
        first_sync_and_schedule(home, url, [cookie])
    finally:
        emulator.close()


def test_route_b_a_given_developer_token_then_the_cookie(tmp_path: Path) -> None:
    home = tmp_path / "home"
    emulator = serve()
    url, developer, cookie = next(emulator)
    try:
        token_file = tmp_path / "token.txt"
        token_file.write_text(developer + "\n", encoding="utf-8")
        given = amsync(
            "--home", str(home), "auth", "set", "--developer-token-file", str(token_file)
        )
        assert given.returncode == 0, given.stderr
        assert "no music user token yet" in given.stdout
        stored = amsync("--home", str(home), "auth", "set", "--stdin", stdin=f"\n  '{cookie}'  \n")
        assert stored.returncode == 0, stored.stderr
        first_sync_and_schedule(home, url, [developer, cookie])
    finally:
        emulator.close()


def test_the_tokens_pasted_the_wrong_way_round_are_refused(tmp_path: Path) -> None:
    emulator = serve()
    _url, developer, cookie = next(emulator)
    try:
        swapped = f"{cookie}\n{developer}\n"  # the two tokens pasted the wrong way round
        result = amsync("--home", str(tmp_path / "home"), "auth", "set", "--stdin", stdin=swapped)
        assert result.returncode == 2
        assert developer not in result.stderr and cookie not in result.stderr
    finally:
        emulator.close()
