"""One run per account: a live holder refuses a second run (exit 4); a dead one is cleared."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from amsync.db import tables
from amsync.db.locks import acquire_run_lock
from amsync.db.models import RunLock, SyncRun
from amsync.db.store import Store, open_store
from amsync.emulator import LibrarySpec
from amsync.errors import LockHeld
from tests.support.cli import invoke
from tests.sync.conftest import make_emulator

Env = Callable[[str], dict[str, str]]


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _plant_lock(store: Store, pid: int, host: str | None = None) -> None:
    import socket

    account_id = store.account_id("default")
    now = datetime.now(UTC)
    with store.writing() as session:
        session.add(
            RunLock(
                account_id=account_id,
                token="planted",
                host=host or socket.gethostname(),
                pid=pid,
                command="sync",
                acquired_at=now,
                heartbeat_at=now,
            )
        )
        session.add(
            SyncRun(
                account_id=account_id,
                kind="sync",
                status="running",
                started_at=now,
                amsync_version="test",
            )
        )


def test_a_live_holder_makes_the_second_run_exit_4(sqlite_path: str, cli_env: Env) -> None:
    store = open_store(sqlite_path)
    _plant_lock(store, os.getpid())
    emulator = make_emulator(LibrarySpec(songs=50, seed=1))
    with emulator.serve() as server:
        result = invoke(["--db", sqlite_path, "sync", "--wait", "0.6"], env=cli_env(server.url))
    assert result.exit_code == 4, result.output
    assert "holds the lock" in result.stderr and f"pid {os.getpid()}" in result.stderr
    assert emulator.log.count() == 0, "a refused run must not talk to Apple"
    store.close()


def test_a_dead_holders_lock_is_cleared_at_once(sqlite_path: str, cli_env: Env) -> None:
    store = open_store(sqlite_path)
    _plant_lock(store, _dead_pid())
    emulator = make_emulator(LibrarySpec(songs=50, seed=1))
    with emulator.serve() as server:
        result = invoke(["--db", sqlite_path, "sync"], env=cli_env(server.url))
    assert result.exit_code == 0, result.output
    with store.session() as session:
        statuses = sorted(session.execute(select(SyncRun.status)).scalars())
        locks = session.scalar(select(func.count()).select_from(tables.run_locks))
    assert statuses == ["interrupted", "succeeded"]
    assert locks == 0, "the lock is released after the run"
    store.close()


@pytest.mark.postgres
def test_postgres_advisory_lock_guards_across_connections(postgres_url: str) -> None:
    store = open_store(postgres_url)
    account_id = store.account_id("default")
    first = acquire_run_lock(store, account_id, "default", command="sync")
    with pytest.raises(LockHeld):
        acquire_run_lock(store, account_id, "default", command="sync")
    # a killed worker: its connection dies without releasing; the row stays behind
    assert first.advisory is not None
    with store.engine.connect() as other:
        other.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = :pid"),
            {"pid": first.advisory.connection.dbapi_connection.info.backend_pid},  # type: ignore[union-attr]
        )
        other.commit()
    second = acquire_run_lock(store, account_id, "default", command="sync")
    second.release()
    store.close()
