"""Authorization and persistent failures end a sync cleanly with the documented exit codes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from amsync.api import AppleMusicClient, SigningDeveloperToken
from amsync.config.secret import Secret
from amsync.db.store import open_store
from amsync.emulator import Emulator, FaultConfig, LibrarySpec, generate_library
from amsync.sync.runner import run_sync
from tests.support.cli import invoke
from tests.support.mirror_compare import actual_mirror, expected_mirror
from tests.sync.conftest import DEV, USER, client_config, make_emulator

Env = Callable[[str], dict[str, str]]


def test_revoked_user_token_exits_3_quickly_with_the_fix(sqlite_path: str, cli_env: Env) -> None:
    emulator = make_emulator(LibrarySpec(songs=300, seed=2))
    emulator.revoke_music_user_token()
    with emulator.serve() as server:
        started = time.monotonic()
        result = invoke(["--db", sqlite_path, "sync"], env=cli_env(server.url))
        elapsed = time.monotonic() - started
    assert result.exit_code == 3, result.output
    assert elapsed < 10
    assert "amsync auth login" in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    for secret in (DEV, USER):
        assert secret not in result.output


def test_permanently_failing_server_exits_75_after_the_retry_budget(
    sqlite_path: str, cli_env: Env
) -> None:
    emulator = make_emulator(LibrarySpec(songs=100, seed=2), FaultConfig(seed=1, error_rate=1.0))
    with emulator.serve() as server:
        env = {**cli_env(server.url), "AMSYNC_RETRY_BUDGET": "2"}
        result = invoke(["--db", sqlite_path, "sync"], env=env)
    assert result.exit_code == 75, result.output
    assert "try again later" in result.stderr.lower() or "temporar" in result.stderr.lower()
    assert emulator.log.count() > 1, "the failure must have been retried"


def test_expired_signed_developer_token_is_renewed_and_the_sync_succeeds(
    tmp_path: Path, sqlite_path: str
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    key_file = tmp_path / "AuthKey_ABC123DEFG.p8"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    emulator = Emulator(
        generate_library(LibrarySpec(songs=200, seed=4)),
        music_user_tokens={USER},
        jwt_public_key_pem=public,
        jwt_key_id="ABC123DEFG",
        jwt_team_id="TEAM123456",
    )
    # The first token is signed as if 200 days ago (so it has expired); renewals use the clock.
    times = iter([time.time() - 200 * 86_400])

    def clock() -> float:
        return next(times, time.time())

    signer = SigningDeveloperToken(key_file, "TEAM123456", "ABC123DEFG", clock=clock)
    store = open_store(sqlite_path)

    async def sync() -> None:
        config = client_config(developer_token=signer, music_user_token=Secret(USER))
        async with AppleMusicClient(config, transport=emulator.async_transport()) as client:
            report = await run_sync(client, store, "default")
            assert report.status == "succeeded"

    asyncio.run(sync())
    assert emulator.log.count(status=401) >= 1, "the expired token must have been refused once"
    assert actual_mirror(store) == expected_mirror(emulator.library)
    store.close()


def test_a_key_apple_refuses_is_named_with_its_ids_and_their_sources(
    tmp_path: Path, sqlite_path: str
) -> None:
    """Issue 22, item 9: with a key file configured, a token amsync signed and Apple refused
    was told "set … a key file". Now the message says Apple refused the token signed with that
    key, and names the team id, the key id and where each setting came from."""
    key = ec.generate_private_key(ec.SECP256R1())  # a key the emulator does not know
    key_file = tmp_path / "AuthKey_KEYID12345.p8"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('key_id = "KEYID12345"\n', encoding="utf-8")
    emulator = make_emulator(LibrarySpec(songs=20, seed=2))
    with emulator.serve() as server:
        env = {
            "AMSYNC_HOME": str(home),
            "AMSYNC_API_URL": server.url,
            "AMSYNC_MUSIC_USER_TOKEN": USER,
            "AMSYNC_KEY_FILE": str(key_file),
            "AMSYNC_TEAM_ID": "TEAM987654",
        }
        result = invoke(["--db", sqlite_path, "sync"], env=env)
    assert result.exit_code == 3, result.output
    line = result.stderr.strip()
    assert line.count("\n") == 0, line
    assert "Apple refused the developer token amsync signed with" in line, line
    assert "key id KEYID12345 of team TEAM987654" in line and str(key_file) in line, line
    assert "key file from AMSYNC_KEY_FILE" in line and "team id from AMSYNC_TEAM_ID" in line
    assert "key id from config.toml key key_id" in line, line
    assert "set AMSYNC_DEVELOPER_TOKEN" not in line


@pytest.mark.parametrize(
    "command", [["sync"], ["sync", "--dry-run"], ["favourites", "push"]], ids=" ".join
)
def test_a_first_run_without_tokens_creates_nothing(command: list[str], tmp_path: Path) -> None:
    """Issue 22, item 12: a first `sync` without tokens created the home, a database and
    `logs/` before failing. The tokens are checked first: exit 3, nothing made."""
    home = tmp_path / "home"
    result = invoke(["--home", str(home), *command])
    assert result.exit_code == 3, result.output
    assert "no developer token" in result.stderr
    assert not home.exists(), sorted(p.name for p in home.rglob("*"))
