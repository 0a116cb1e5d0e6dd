"""Running unattended: ``sync --backup`` in one step, the rotating log file (without tokens),
and token-expiry warnings that are logged without failing the run."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt

from amsync.cli.logfile import attach_log_file, detach_log_files, log_file_path
from amsync.emulator import LibrarySpec
from tests.backup.conftest import amsync, only_backup, sync_in_process
from tests.sync.conftest import DEV, USER, make_emulator


def test_sync_backup_syncs_backs_up_and_logs(tmp_path: Path, home: Path) -> None:
    emulator = make_emulator(LibrarySpec(songs=120, playlists=4, seed=2))
    db = str(tmp_path / "mirror.db")
    with emulator.serve() as server:
        result = amsync(["--db", db, "sync", "--backup"], server.url)
    assert result.exit_code == 0, result.output
    assert "sync finished" in result.stdout and "backup written to" in result.stdout
    folder = only_backup(home / "backups" / "default")
    assert amsync(["backup", "verify", str(folder)]).exit_code == 0
    log = log_file_path(home).read_text()
    assert "sync --backup started" in log
    assert "sync succeeded" in log and f"backup written to {folder}" in log
    assert DEV not in log and USER not in log


def test_sync_backup_json_keeps_stdout_one_document(tmp_path: Path, home: Path) -> None:
    emulator = make_emulator(LibrarySpec(songs=60, playlists=2, seed=3))
    db = str(tmp_path / "mirror.db")
    with emulator.serve() as server:
        result = amsync(["--db", db, "sync", "--backup", "--json"], server.url)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)  # one document: the sync's, with its backup
    assert document["status"] == "succeeded" and document["exit_code"] == 0
    assert Path(document["backup"]["path"]).is_dir()


def test_refused_sync_takes_no_backup(tmp_path: Path, home: Path) -> None:
    emulator = make_emulator(LibrarySpec(songs=120, playlists=4, seed=2))
    db = str(tmp_path / "mirror.db")
    sync_in_process(emulator, db)
    emulator.library.clear_library()
    with emulator.serve() as server:
        result = amsync(["--db", db, "sync", "--backup"], server.url)
    assert result.exit_code == 4, result.output
    assert not (home / "backups").exists()


def _jwt_expiring_in(days: float) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": "TEAMID",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(days=days)).timestamp()),
    }
    key = "not-a-real-key-but-long-enough-for-hs256"
    return jwt.encode(claims, key, algorithm="HS256", headers={"kid": "KEY"})


def test_token_expiry_is_warned_and_logged_without_failing(tmp_path: Path, home: Path) -> None:
    db = str(tmp_path / "mirror.db")
    sync_in_process(make_emulator(LibrarySpec(songs=40, playlists=1, seed=4)), db)
    token = _jwt_expiring_in(5)
    result = amsync(["--db", db, "backup"], AMSYNC_DEVELOPER_TOKEN=token)
    assert result.exit_code == 0, result.output
    assert "developer token expires in 5 days" in result.stderr
    log = log_file_path(home).read_text()
    assert "developer token expires in 5 days" in log
    assert token not in log and token.split(".")[1] not in log


def test_log_file_redacts_tokens_and_jwts(tmp_path: Path) -> None:
    secret = "music-user-token-0123456789"
    path = attach_log_file(tmp_path, [secret])
    assert path == tmp_path / "logs" / "amsync.log"
    assert attach_log_file(tmp_path, [secret]) == path  # attached once
    token = _jwt_expiring_in(100)
    try:
        logging.getLogger("amsync.test").warning("header was %s and %s", secret, token)
        try:
            raise RuntimeError(f"failed with {secret}")
        except RuntimeError:
            logging.getLogger("amsync.test").exception("boom")
    finally:
        detach_log_files()
    text = path.read_text()
    assert "header was [redacted] and [redacted]" in text
    assert "failed with [redacted]" in text
    assert secret not in text and token not in text
    assert len([h for h in logging.getLogger("amsync").handlers if "File" in type(h).__name__]) == 0


def test_restore_without_a_terminal_needs_yes(tmp_path: Path, home: Path) -> None:
    """Issue 14 item 17: a restore writes to Apple Music, so without a terminal it needs
    --yes: without it nothing is read or written (exit 2, one line); with it, no question."""
    emulator = make_emulator(LibrarySpec(songs=60, playlists=2, seed=3))
    db = str(tmp_path / "mirror.db")
    sync_in_process(emulator, db)
    with emulator.serve() as server:
        assert amsync(["--db", db, "backup"], server.url).exit_code == 0
        backup = only_backup(home / "backups" / "default")
        playlist = next(iter(emulator.library.playlists.values()))
        emulator.library.remove_playlist(playlist.id)
        emulator.log.clear()
        refused = amsync(["--db", db, "restore", "--from", str(backup)], server.url)
        assert refused.exit_code == 2, refused.output
        assert refused.stderr.count("amsync: error:") == 1 and "--yes" in refused.stderr
        assert emulator.log.count() == 0, "a refused restore talked to Apple Music"
        result = amsync(["--db", db, "restore", "--from", str(backup), "--yes"], server.url)
    assert result.exit_code == 0, result.output
    assert "?" not in result.stdout.splitlines()[-1]
    assert "restored:" in result.stdout
    assert any(p.name == playlist.name for p in emulator.library.playlists.values())
    log = log_file_path(home).read_text()
    assert "restore started" in log and "restore ended (account default): restored" in log
