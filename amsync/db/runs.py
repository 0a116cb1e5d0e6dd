"""Run records (``sync_runs``): one row per sync, push or restore, started and finished."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, update

from amsync import __version__
from amsync.db import tables
from amsync.db.models import SyncRun
from amsync.db.store import Store


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
