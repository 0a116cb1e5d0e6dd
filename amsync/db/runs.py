"""Run records (``sync_runs``): one row per sync or push, started and finished.

Statuses: ``running``; then ``succeeded``, ``partial`` (a push with changes still pending),
``refused`` (the deletion guard), ``failed`` (an error) or ``interrupted`` (the run was cancelled
or stopped by a signal; also what the next run records for one that was killed)."""

from __future__ import annotations

import asyncio
import os
import socket
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, update

from amsync import __version__
from amsync.db import tables
from amsync.db.models import SyncRun
from amsync.db.store import Store
from amsync.errors import RunInterrupted


def start_run(store: Store, account_id: int, kind: str, started: datetime) -> int:
    """A ``running`` row for this process; its id."""
    with store.writing() as session:
        run = SyncRun(
            account_id=account_id,
            kind=kind,
            status="running",
            started_at=started,
            amsync_version=__version__,
            host=socket.gethostname()[:255],
            pid=os.getpid(),
        )
        session.add(run)
        session.flush()
        return run.id


def finish_run(
    connection: Connection,
    run_id: int,
    *,
    status: str,
    finished_at: datetime | None,
    counts: dict[str, Any],
    requests: int,
    retries: int = 0,
    throttled: int = 0,
    error: str | None = None,
) -> None:
    """Record how a run ended, in the caller's transaction (so that a sync's apply and its
    run record commit together)."""
    connection.execute(
        update(tables.sync_runs)
        .where(tables.sync_runs.c.id == run_id)
        .values(
            status=status,
            finished_at=finished_at or datetime.now(UTC),
            counts=counts,
            requests=requests,
            retries=retries,
            throttled=throttled,
            error=error[:2000] if error else None,
        )
    )


def interruption(exc: BaseException) -> str | None:
    """What to record when ``exc`` ended a run by interrupting it (cancellation, a signal,
    Ctrl-C), e.g. ``interrupted by SIGTERM``; ``None`` for any other failure."""
    if isinstance(exc, RunInterrupted):
        return f"interrupted by {exc.signal_name}"
    if isinstance(exc, asyncio.CancelledError):
        reason = exc.args[0] if exc.args and isinstance(exc.args[0], str) else None
        return f"interrupted by {reason}" if reason else "interrupted (cancelled)"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted by SIGINT"
    return None
