"""Accounts: many libraries in one database, synced in parallel, removed one at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import func, select

from amsync.db import tables
from amsync.db.store import open_store
from amsync.emulator import Emulator, FaultConfig, LibrarySpec
from tests.support.cli import invoke
from tests.support.mirror_compare import actual_mirror, expected_mirror
from tests.sync.conftest import DEV, USER, make_emulator

ACCOUNT_TABLES = [
    "songs",
    "albums",
    "artists",
    "playlists",
    "playlist_folders",
    "playlist_revisions",
    "catalog_songs",
    "catalog_albums",
    "catalog_artists",
    "favourites",
    "item_changes",
    "sync_runs",
]


def _sync_process(db: str, account: str, url: str, home: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "AMSYNC_DEVELOPER_TOKEN": DEV,
        "AMSYNC_MUSIC_USER_TOKEN": USER,
        "AMSYNC_HOME": str(home),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "amsync",
            "--db",
            db,
            "--account",
            account,
            "--api-url",
            url,
            "-q",
            "sync",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _parallel_syncs(db: str, count: int, home: Path) -> None:
    emulators = {
        f"member-{i}": make_emulator(LibrarySpec(songs=150 + 10 * i, playlists=4, seed=100 + i))
        for i in range(count)
    }
    with ExitStack() as stack:
        servers = {name: stack.enter_context(emu.serve()) for name, emu in emulators.items()}
        processes = {name: _sync_process(db, name, servers[name].url, home) for name in emulators}
        for name, process in processes.items():
            _, err = process.communicate(timeout=300)
            assert process.returncode == 0, f"{name}: {err}"
    store = open_store(db)
    try:
        for name, emulator in emulators.items():
            assert actual_mirror(store, name) == expected_mirror(emulator.library), name
    finally:
        store.close()


@pytest.mark.postgres
@pytest.mark.parametrize("count", [2, 8])
def test_parallel_syncs_of_many_accounts_on_postgres(
    postgres_url: str, count: int, home: Path
) -> None:
    _parallel_syncs(postgres_url, count, home)


def test_parallel_syncs_of_two_accounts_on_sqlite(sqlite_path: str, home: Path) -> None:
    _parallel_syncs(sqlite_path, 2, home)


def _counts(db: str, account: str) -> dict[str, int]:
    store = open_store(db)
    try:
        account_id = store.account_id(account, create=False)
        with store.session() as session:
            return {
                name: session.scalar(
                    select(func.count())
                    .select_from(getattr(tables, name))
                    .where(getattr(tables, name).c.account_id == account_id)
                )
                or 0
                for name in ACCOUNT_TABLES
            }
    finally:
        store.close()


def test_remove_deletes_only_that_accounts_rows(db_url: str, home: Path) -> None:
    first = make_emulator(LibrarySpec(songs=120, playlists=3, seed=1))
    second = make_emulator(LibrarySpec(songs=90, playlists=3, seed=2))
    for name, emulator in (("first", first), ("second", second)):
        with emulator.serve() as server:
            env = {"AMSYNC_DEVELOPER_TOKEN": DEV, "AMSYNC_MUSIC_USER_TOKEN": USER}
            result = invoke(
                ["--db", db_url, "--account", name, "--api-url", server.url, "sync"], env=env
            )
            assert result.exit_code == 0, result.output
    kept = _counts(db_url, "second")
    listed = invoke(["--db", db_url, "accounts", "list", "--names"])
    assert listed.stdout.split() == ["first", "second"]
    refused = invoke(["--db", db_url, "accounts", "remove", "first"])
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    removed = invoke(["--db", db_url, "accounts", "remove", "first", "--yes"])
    assert removed.exit_code == 0, removed.output
    assert invoke(["--db", db_url, "accounts", "list", "--names"]).stdout.split() == ["second"]
    assert _counts(db_url, "second") == kept
    store = open_store(db_url)
    try:
        with store.session() as session:
            orphans = session.scalar(select(func.count()).select_from(tables.playlist_entries))
            entries_kept = session.scalar(
                select(func.count())
                .select_from(tables.playlist_entries)
                .join(
                    tables.playlist_revisions,
                    tables.playlist_revisions.c.id == tables.playlist_entries.c.revision_id,
                )
            )
        assert orphans == entries_kept, "no playlist entry of the removed account remains"
        assert actual_mirror(store, "second") == expected_mirror(second.library)
    finally:
        store.close()


def test_account_names_are_checked() -> None:
    result = invoke(["accounts", "add", "../../etc"])
    assert result.exit_code == 2
    assert "not allowed" in result.stderr


@pytest.mark.postgres
def test_a_killed_workers_lock_is_released_at_once(postgres_url: str, home: Path) -> None:
    slow: Emulator = make_emulator(
        LibrarySpec(songs=3000, playlists=30, seed=3), FaultConfig(latency_ms=150)
    )
    with slow.serve() as server:
        worker = _sync_process(postgres_url, "default", server.url, home)
        store = open_store(postgres_url)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the lock taken and the run recorded as started
            with store.session() as session:
                locked = session.scalar(select(func.count()).select_from(tables.run_locks))
                recorded = session.scalar(select(func.count()).select_from(tables.sync_runs))
                if locked and recorded:
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the worker never took the lock and started its run")
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        slow.faults = FaultConfig()
        started = time.monotonic()
        env = {"AMSYNC_DEVELOPER_TOKEN": DEV, "AMSYNC_MUSIC_USER_TOKEN": USER}
        result = invoke(["--db", postgres_url, "--api-url", server.url, "sync"], env=env)
        assert result.exit_code == 0, result.output
        assert time.monotonic() - started < 30
        with store.session() as session:
            statuses = sorted(session.execute(select(tables.sync_runs.c.status)).scalars())
        assert statuses == ["interrupted", "succeeded"]
        assert actual_mirror(store) == expected_mirror(slow.library)
        store.close()


def test_listing_accounts_creates_nothing(tmp_path: Path) -> None:
    """A listing only reads: with no database yet it lists no accounts and leaves the home
    and the database uncreated (it used to create a whole empty database)."""
    home, db = tmp_path / "home", tmp_path / "home" / "amsync.db"
    for args in ([], ["--names"], ["--json"], ["--format", "table"]):
        result = invoke(["--home", str(home), "accounts", "list", *args])
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
    assert invoke(["--home", str(home), "accounts", "list", "--json"]).stdout.strip() == "[]"
    assert invoke(["--home", str(home), "accounts", "list"]).stdout.splitlines() == [
        "name\tstorefront\tcreated_at\tlast_synced_at\tsongs\tplaylists\truns"
    ]
    assert not db.exists() and not home.exists()
