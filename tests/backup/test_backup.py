"""``amsync backup`` and ``amsync backup verify``: layout, manifest, checks, rotation, and a
backup taken while a sync writes."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, event

from amsync.backup import (
    BackupOptions,
    list_backups,
    read_manifest,
    rotate_backups,
    take_backup,
    verify_backup,
)
from amsync.backup.snapshot import mirror_counts
from amsync.db.store import Store, open_store
from amsync.emulator import FaultConfig, LibrarySpec
from amsync.sync.runner import run_sync
from tests.backup.conftest import amsync, json_of, only_backup, sync_in_process
from tests.sync.conftest import in_process_client, make_emulator

SPEC = LibrarySpec(songs=240, playlists=8, folders=2, seed=5)


@pytest.fixture
def synced(tmp_path: Path) -> str:
    db = str(tmp_path / "mirror.db")
    sync_in_process(make_emulator(SPEC), db)
    return db


def _live_counts(db: str) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        return mirror_counts(connection, "default")


def test_backup_writes_snapshot_export_and_manifest(synced: str, home: Path) -> None:
    report = json_of(amsync(["--db", synced, "backup", "--json"]))
    folder = Path(report["path"])
    assert folder.parent == home / "backups" / "default"
    assert sorted(p.name for p in folder.iterdir()) == [
        "amsync.db",
        "library.json",
        "manifest.json",
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format"] == "amsync.backup"
    assert manifest["account"] == "default"
    assert manifest["database"] == "sqlite"
    assert manifest["schema_revision"]
    assert manifest["amsync_version"]
    assert set(manifest["files"]) == {"amsync.db", "library.json"}
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"].values())
    live = _live_counts(synced)
    assert {k: manifest["counts"][k] for k in live} == live
    assert manifest["counts"]["songs"] > 200
    library = json.loads((folder / "library.json").read_text())
    assert library["format"] == "amsync.library"
    assert len(library["songs"]) == live["songs"]
    # the snapshot is one self-contained file in rollback-journal mode
    with sqlite3.connect(folder / "amsync.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert amsync(["backup", "verify", str(folder)]).exit_code == 0


def test_backup_dir_option_and_text_output(synced: str, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    result = amsync(["--db", synced, "backup", "--dir", str(target)])
    assert result.exit_code == 0, result.output
    folder = only_backup(target)
    assert f"backup written to {folder}" in result.stdout


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("name", ["amsync.db", "library.json"])
def test_verify_detects_a_flipped_byte(synced: str, name: str) -> None:
    folder = Path(json_of(amsync(["--db", synced, "backup", "--json"]))["path"])
    assert amsync(["backup", "verify", str(folder)]).exit_code == 0
    path = folder / name
    _flip_byte(path, path.stat().st_size // 2)
    result = amsync(["backup", "verify", str(folder)])
    assert result.exit_code == 1, result.output
    assert f"{name} does not match its checksum" in result.stderr
    assert "Traceback" not in result.output


def test_verify_runs_the_integrity_check_beyond_the_checksums(synced: str) -> None:
    """A snapshot damaged *and* re-checksummed still fails: the integrity check reads it."""
    folder = Path(json_of(amsync(["--db", synced, "backup", "--json"]))["path"])
    snapshot = folder / "amsync.db"
    with sqlite3.connect(snapshot) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'songs'"
        ).fetchone()[0]
    with snapshot.open("r+b") as handle:  # scribble over the songs table's root page
        handle.seek((root - 1) * page_size + 8)
        handle.write(b"\xff" * 64)
    manifest = json.loads((folder / "manifest.json").read_text())
    from amsync.backup.manifest import sha256_of

    entry = sha256_of(snapshot)
    manifest["files"]["amsync.db"] = {"sha256": entry.sha256, "bytes": entry.bytes}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = amsync(["backup", "verify", "--json", str(folder)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert any("amsync.db" in problem for problem in report["problems"]), report


def test_verify_of_something_else_exits_2(tmp_path: Path) -> None:
    assert amsync(["backup", "verify", str(tmp_path / "missing")]).exit_code == 2
    (tmp_path / "empty").mkdir()
    result = amsync(["backup", "verify", str(tmp_path / "empty")])
    assert result.exit_code == 2
    assert "not an amsync backup" in result.stderr
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "manifest.json").write_text('{"format": "amsync.bac')
    assert amsync(["backup", "verify", str(tmp_path / "bad")]).exit_code == 2


def test_backup_of_a_missing_database_or_account_exits_2(tmp_path: Path, synced: str) -> None:
    result = amsync(["--db", str(tmp_path / "none.db"), "backup"])
    assert result.exit_code == 2, result.output
    result = amsync(["--db", synced, "--account", "other", "backup"])
    assert result.exit_code == 2, result.output
    assert "other" in result.stderr


def test_rotation_keeps_the_newest_n(synced: str, tmp_path: Path) -> None:
    store = open_store(synced)
    folder = tmp_path / "rotating"
    start = datetime(2026, 1, 1, tzinfo=UTC)
    try:
        for day in range(5):
            report = take_backup(
                store, "default", BackupOptions(folder, keep=3), now=start + timedelta(days=day)
            )
    finally:
        store.close()
    names = [p.name for p in list_backups(folder)]
    assert names == ["20260105T000000Z", "20260104T000000Z", "20260103T000000Z"]
    assert report.rotation.removed == ["20260102T000000Z"]


def test_rotation_never_removes_the_last_good_backup(synced: str, tmp_path: Path) -> None:
    store = open_store(synced)
    folder = tmp_path / "rotating"
    start = datetime(2026, 1, 1, tzinfo=UTC)
    try:
        paths = [
            take_backup(
                store, "default", BackupOptions(folder, keep=10), now=start + timedelta(days=d)
            ).path
            for d in range(4)
        ]
    finally:
        store.close()
    for damaged in paths[2:]:  # the two newest go bad
        _flip_byte(damaged / "library.json", 10)
    report = rotate_backups(folder, keep=2)
    assert report.spared == [paths[1].name]
    assert report.removed == [paths[0].name]
    assert [p.name for p in list_backups(folder)] == [paths[3].name, paths[2].name, paths[1].name]
    assert verify_backup(paths[1]).ok
    # with a good backup among the newest, the damaged older ones go as usual
    assert rotate_backups(folder, keep=1, known_good=None).removed == [paths[2].name]


def test_partial_folders_and_foreign_entries_are_left_alone(synced: str, tmp_path: Path) -> None:
    folder = tmp_path / "rotating"
    folder.mkdir()
    (folder / ".20250101T000000Z.partial").mkdir()
    (folder / "notes.txt").write_text("mine")
    store = open_store(synced)
    try:
        take_backup(store, "default", BackupOptions(folder, keep=1))
        take_backup(store, "default", BackupOptions(folder, keep=1))
    finally:
        store.close()
    assert len(list_backups(folder)) == 1
    assert (folder / "notes.txt").exists() and (folder / ".20250101T000000Z.partial").exists()


def test_backup_during_a_sync_is_a_committed_state(tmp_path: Path) -> None:
    """Snapshots taken while a slow sync runs — from another thread, and from inside the sync's
    own commits, when its writes are done but not yet committed — each show the mirror before
    or after that sync, never a mix, and pass the integrity check."""
    emulator = make_emulator(SPEC)
    db = str(tmp_path / "mirror.db")
    sync_in_process(emulator, db)
    before = _live_counts(db)
    library = emulator.library
    for song_id in sorted(library.songs)[:30]:
        library.remove_song(song_id)
    for playlist_id in sorted(library.playlists)[:2]:
        library.remove_playlist(playlist_id)
    emulator.faults = FaultConfig(latency_ms=20)
    store = open_store(db)
    reader = open_store(db)
    folder = tmp_path / "during"
    finished = threading.Event()
    errors: list[BaseException] = []
    seen: list[dict[str, int]] = []
    at_commit: list[tuple[int, dict[str, int]]] = []

    def snapshot_counts() -> dict[str, int]:
        report = take_backup(reader, "default", BackupOptions(folder, keep=1000))
        assert verify_backup(report.path).ok
        return {k: report.manifest.counts[k] for k in before}

    def on_commit(connection: Connection) -> None:  # the sync's writes are in, not committed
        own = connection.exec_driver_sql(
            "SELECT count(*) FROM songs WHERE removed_at IS NULL"
        ).scalar_one()
        at_commit.append((own, snapshot_counts()))

    event.listen(store.engine, "commit", on_commit)

    def sync() -> None:
        async def go() -> None:
            async with in_process_client(emulator) as client:
                await run_sync(client, store, "default")

        try:
            asyncio.run(go())
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            finished.set()

    thread = threading.Thread(target=sync)
    thread.start()
    try:
        while not finished.is_set() or not seen:
            seen.append(snapshot_counts())
        thread.join()
        seen.append(snapshot_counts())
    finally:
        event.remove(store.engine, "commit", on_commit)
        reader.close()
        store.close()
    assert not errors, errors
    after = _live_counts(db)
    assert after != before
    # the apply's commit: its own connection sees the new mirror, the snapshot the old one
    assert (after["songs"], before) in at_commit, (before, after, at_commit)
    assert all(counts in (before, after) for _, counts in at_commit), at_commit
    assert all(counts in (before, after) for counts in seen), (before, after, seen)
    assert seen[-1] == after


def test_manifest_reader_refuses_a_newer_format(synced: str, tmp_path: Path) -> None:
    folder = Path(json_of(amsync(["--db", synced, "backup", "--json"]))["path"])
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["version"] = 99
    (folder / "manifest.json").write_text(json.dumps(manifest))
    from amsync.errors import ConfigError

    with pytest.raises(ConfigError, match="version"):
        read_manifest(folder)


@pytest.mark.postgres
def test_postgres_backup_is_the_export_and_a_pg_dump_recipe(
    postgres_url: str, tmp_path: Path
) -> None:
    sync_in_process(make_emulator(SPEC), postgres_url)
    folder = tmp_path / "pg"
    result = amsync(["--db", postgres_url, "backup", "--dir", str(folder), "--json"])
    report = json_of(result)
    manifest = report["manifest"]
    assert manifest["database"] == "postgresql"
    assert set(manifest["files"]) == {"library.json"}
    assert manifest["pg_dump"].startswith("pg_dump --format=custom")
    assert "postgresql://" in manifest["pg_dump"] and "+psycopg" not in manifest["pg_dump"]
    store: Store = open_store(postgres_url)
    try:
        assert manifest["schema_revision"] == store.schema().current
    finally:
        store.close()
    assert manifest["counts"]["songs"] > 200
    assert amsync(["backup", "verify", report["path"]]).exit_code == 0
