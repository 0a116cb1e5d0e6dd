"""Concurrency on one database (SQLite and PostgreSQL): two syncs at once, a sync beside
exports, a sync beside a backup — real ``amsync`` processes against the emulator over HTTP.

No corruption, documented exit codes (4 for the loser of the lock, 0 with ``--wait``), and every
JSON export taken during a sync parses and shows the state before the sync or after it.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from amsync.db.store import open_store
from amsync.emulator import Emulator, FaultConfig, LibrarySpec
from amsync.emulator.library import Library
from tests.support.mirror_compare import actual_mirror, expected_mirror
from tests.support.reliability import (
    FIGURES,
    amsync_env,
    duplicate_rows,
    emulator_for,
    mutate,
    run_amsync,
    spawn,
    sqlite_integrity,
)

pytestmark = pytest.mark.slow


def _healthy(db: str, library: Library) -> None:
    if "://" not in db:
        assert sqlite_integrity(db) == []
    store = open_store(db)
    try:
        assert duplicate_rows(store) == {}
        assert actual_mirror(store) == expected_mirror(library)
    finally:
        store.close()


def _wait_for_requests(emulator: Emulator, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while len(emulator.log.entries) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.005)


def test_two_syncs_at_once_one_exits_4_or_waits(db_url: str, tmp_path: Path) -> None:
    emulator = emulator_for(LibrarySpec(songs=300, playlists=8, seed=31))
    emulator.faults = FaultConfig(latency_ms=200.0)
    with emulator.serve() as server:
        env = amsync_env(tmp_path / "home", server.url)
        first = spawn(["--db", db_url, "-q", "sync"], env, fast=True)
        _wait_for_requests(emulator, 3, first)  # it holds the lock now
        # Slow Apple down while the second run starts, so that the first cannot finish before
        # the second reaches the lock however loaded the machine is (it needs several more
        # rounds of requests); back to normal once the second has been refused.
        emulator.faults.latency_ms = 3000.0
        refused = run_amsync(["--db", db_url, "sync"], env, fast=True)
        emulator.faults.latency_ms = 200.0
        waiting = spawn(["--db", db_url, "-q", "sync", "--wait", "120"], env, fast=True)
        _, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
        _, err = waiting.communicate(timeout=120)
        assert waiting.returncode == 0, err
    assert refused.returncode == 4, refused.stderr
    assert "holds the lock" in refused.stderr and "--wait" in refused.stderr
    assert refused.stderr.count("\n") == 1, refused.stderr
    _healthy(db_url, emulator.library)
    FIGURES["concurrent runs"] += 3


def _export_view(document: dict[str, Any]) -> Any:
    songs = {s["library_id"]: s["name"] for s in document["songs"]}
    playlists = {
        p["library_id"]: (p["name"], tuple(t["library_id"] for t in p["tracks"]))
        for p in document["playlists"]
    }
    return songs, playlists


def test_exports_during_a_sync_show_the_state_before_or_after(db_url: str, tmp_path: Path) -> None:
    rng = random.Random(41)
    emulator = emulator_for(LibrarySpec(songs=1500, playlists=10, seed=41))
    with emulator.serve() as server:
        env = amsync_env(tmp_path / "home", server.url)
        assert run_amsync(["--db", db_url, "-q", "sync"], env, fast=True).returncode == 0
        before = _export_view(
            json.loads(run_amsync(["--db", db_url, "export", "json"], env).stdout)
        )
        for song_id in sorted(emulator.library.songs):
            if rng.random() < 0.4:
                emulator.library.update_song(song_id, name=f"During {rng.randrange(10**9)}")
        mutate(emulator.library, rng, steps=8)
        syncing = spawn(["--db", db_url, "-q", "sync"], env, fast=True)
        views = []
        while syncing.poll() is None or not views:
            exported = run_amsync(["--db", db_url, "export", "json"], env)
            assert exported.returncode == 0, exported.stderr
            views.append(_export_view(json.loads(exported.stdout)))
        _, err = syncing.communicate()
        assert syncing.returncode == 0, err
        after = _export_view(json.loads(run_amsync(["--db", db_url, "export", "json"], env).stdout))
    assert before != after
    for view in views:
        assert view in (before, after), "an export mixed two states"
    _healthy(db_url, emulator.library)
    FIGURES["exports during a sync"] += len(views)


def test_a_backup_during_a_sync(db_url: str, tmp_path: Path) -> None:
    emulator = emulator_for(LibrarySpec(songs=600, playlists=8, seed=43))
    with emulator.serve() as server:
        env = amsync_env(tmp_path / "home", server.url)
        assert run_amsync(["--db", db_url, "-q", "sync"], env, fast=True).returncode == 0
        mutate(emulator.library, random.Random(43), steps=10)
        emulator.faults = FaultConfig(latency_ms=5.0)
        syncing = spawn(["--db", db_url, "-q", "sync"], env, fast=True)
        _wait_for_requests(emulator, len(emulator.log.entries) + 3, syncing)
        backup = run_amsync(["--db", db_url, "backup", "--dir", str(tmp_path / "b")], env)
        _, err = syncing.communicate(timeout=120)
        assert syncing.returncode == 0, err
    assert backup.returncode in (0, 4), backup.stderr
    if backup.returncode == 0:
        verified = run_amsync(["--db", db_url, "backup", "verify", str(tmp_path / "b")], env)
        assert verified.returncode in (0, 2), verified.stderr  # a folder or a file is expected
    _healthy(db_url, emulator.library)
    FIGURES["concurrent runs"] += 2


_HOLDER = """
import sqlite3, sys, time
from sqlalchemy import text
from amsync.db.store import open_store
path = sys.argv[1]
first = open_store(path)
with first.session() as session:
    session.execute(text("SELECT count(*) FROM songs")).all()
second = open_store(path)  # e.g. `sync --push-favourites` opens the database twice
print("ready", flush=True)
sys.stdin.readline()
with first.session() as session:
    print(session.execute(text("SELECT count(*) FROM songs")).scalar(), flush=True)
"""


def test_a_second_open_does_not_drop_the_first_connections_locks(tmp_path: Path) -> None:
    """Regression: opening the database file again from Python (the header check, the schema
    lock) dropped the POSIX locks of the process's live SQLite connections; another process
    closing its connection then deleted the WAL under them (``disk I/O error``)."""
    db = str(tmp_path / "mirror.db")
    open_store(db).close()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, db],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline().strip() == "ready"
    other = open_store(db)  # another process writes and closes: it must not think it is last
    with other.session() as session:
        session.connection().exec_driver_sql("DELETE FROM run_locks")
    other.close()
    assert Path(db + "-wal").exists(), "the WAL was deleted under a live connection"
    out, err = holder.communicate("\n", timeout=30)
    assert holder.returncode == 0 and out.strip() == "0", err
    assert sqlite_integrity(db) == []
