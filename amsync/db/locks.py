"""The per-account run lock: one live run per account, stale locks cleared at once.

The lock is a row in ``run_locks`` (host, pid, token, heartbeat). A row whose holder is gone is
stale and cleared: on the same host when its pid no longer exists; on another host when its
heartbeat is older than ``stale_after_s``. On PostgreSQL the holder also takes a session-level
advisory lock on a connection it keeps for the run, so a killed worker on any machine releases
it at once (its connection dies): a row without that advisory lock is stale.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import Connection, delete, func, select, update

from amsync.db.models import RunLock, SyncRun
from amsync.db.store import Store
from amsync.errors import LockHeld

ADVISORY_NAMESPACE: Final = 0x616D73  # "ams"
POLL_S: Final = 0.5


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


@dataclass
class HeldLock:
    store: Store
    account_id: int
    token: str
    advisory: Connection | None = None

    def heartbeat(self) -> None:
        with self.store.writing() as session:
            session.execute(
                update(RunLock)
                .where(RunLock.account_id == self.account_id, RunLock.token == self.token)
                .values(heartbeat_at=datetime.now(UTC))
            )

    def release(self) -> None:
        try:
            with self.store.writing() as session:
                session.execute(
                    delete(RunLock).where(
                        RunLock.account_id == self.account_id, RunLock.token == self.token
                    )
                )
        finally:
            if self.advisory is not None:
                with contextlib.suppress(Exception):
                    # the connection goes back to the pool: unlock explicitly first
                    self.advisory.execute(
                        select(func.pg_advisory_unlock(ADVISORY_NAMESPACE, self.account_id))
                    )
                    self.advisory.commit()
                with contextlib.suppress(Exception):
                    self.advisory.close()
                self.advisory = None


def acquire_run_lock(
    store: Store,
    account_id: int,
    account_name: str,
    *,
    command: str,
    wait_s: float = 0.0,
    stale_after_s: float = 900.0,
) -> HeldLock:
    """Take the account's lock, clearing a stale one; raise ``LockHeld`` (exit 4) when a live
    run holds it for longer than ``wait_s``."""
    deadline = time.monotonic() + wait_s
    while True:
        held = _try_acquire(store, account_id, command, stale_after_s)
        if isinstance(held, HeldLock):
            return held
        if time.monotonic() >= deadline:
            raise LockHeld(
                f"another amsync run holds the lock of account {account_name!r} ({held})",
                hint="wait for it to finish, or pass --wait SECONDS",
            )
        time.sleep(POLL_S)


def _try_acquire(
    store: Store, account_id: int, command: str, stale_after_s: float
) -> HeldLock | str:
    advisory: Connection | None = None
    if not store.is_sqlite:
        advisory = store.engine.connect()
        got = advisory.execute(
            select(func.pg_try_advisory_lock(ADVISORY_NAMESPACE, account_id))
        ).scalar()
        advisory.commit()
        if not got:
            advisory.close()
            return _describe_holder(store, account_id) or "a worker on another connection"
    token = uuid.uuid4().hex
    host = socket.gethostname()
    now = datetime.now(UTC)
    try:
        with store.writing() as session:
            row = session.get(RunLock, account_id)
            if row is not None:
                if advisory is None and not _stale(row, host, now, stale_after_s):
                    return _holder_text(row)
                session.delete(row)
                session.flush()
            session.add(
                RunLock(
                    account_id=account_id,
                    token=token,
                    host=host[:255],
                    pid=os.getpid(),
                    command=command[:32],
                    acquired_at=now,
                    heartbeat_at=now,
                )
            )
            # Any run still marked running for this account died without finishing.
            session.execute(
                update(SyncRun)
                .where(SyncRun.account_id == account_id, SyncRun.status == "running")
                .values(
                    status="interrupted",
                    finished_at=now,
                    error="the run ended without finishing (killed or crashed)",
                )
            )
    except BaseException:
        if advisory is not None:
            advisory.close()
        raise
    return HeldLock(store=store, account_id=account_id, token=token, advisory=advisory)


def _stale(row: RunLock, host: str, now: datetime, stale_after_s: float) -> bool:
    if row.host == host:
        return not pid_alive(row.pid)
    return now - row.heartbeat_at > timedelta(seconds=stale_after_s)


def _holder_text(row: RunLock) -> str:
    since = row.acquired_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"`{row.command}`, pid {row.pid} on {row.host}, since {since}"


def _describe_holder(store: Store, account_id: int) -> str | None:
    with store.session() as session:
        row = session.get(RunLock, account_id)
        return _holder_text(row) if row is not None else None
