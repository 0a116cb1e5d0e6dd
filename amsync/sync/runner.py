"""``run_sync``: lock → run record → fetch → plan → guard → one atomic apply → run record.

A failure at any point leaves the mirror as it was (the apply is one transaction) and records
the run as failed with its error; a run cancelled or interrupted (SIGINT, SIGTERM, SIGHUP: the
CLI cancels the run) is recorded ``interrupted``, its staging removed and its lock released; a
killed run leaves a ``running`` row and a lock that the next run clears (``amsync.db.locks``).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import Connection, update

from amsync.db import tables
from amsync.db.locks import HeldLock, acquire_run_lock
from amsync.db.runs import finish_run, interruption, start_run
from amsync.db.store import Store
from amsync.domain import ProgressCallback, ProgressEvent, no_progress
from amsync.domain.ports import LibraryReader
from amsync.errors import AmsyncError
from amsync.lost.detection import changes_of, find_losses
from amsync.lost.settle import confirm_losses
from amsync.sync.apply import Applier
from amsync.sync.fetch import Fetcher, KnownCatalog
from amsync.sync.mirror_state import load_mirror_state
from amsync.sync.plan import SyncPlan, plan_sync
from amsync.sync.replay_keeping import keep_replay
from amsync.sync.report import SyncReport
from amsync.sync.staging import Staging

HEARTBEAT_S: Final = 60.0
APPLY_PHASE: Final = "writing mirror"
NO_ACCOUNT: Final = 0
"""The id no account has: a dry run of an account the database does not hold yet plans against
an empty mirror."""


@dataclass(frozen=True, slots=True)
class SyncOptions:
    dry_run: bool = False
    force: bool = False
    full: bool = False
    max_delete_pct: float = 10.0
    max_delete_min: int = 50
    refresh_catalog_days: int = 30
    wait_s: float = 0.0


async def run_sync(
    api: LibraryReader,
    store: Store,
    account: str,
    options: SyncOptions = SyncOptions(),
    progress: ProgressCallback = no_progress,
    report: SyncReport | None = None,
) -> SyncReport:
    """Sync ``account``. The outcome goes into ``report`` (a new one unless given), which
    also holds what was done so far when the sync fails (its requests, for a caller's
    failure report)."""
    started = datetime.now(UTC)
    if report is None:
        report = SyncReport(account=account, status="running", started_at=started)
    report.status, report.started_at = "running", started
    if options.dry_run:  # changes nothing, not even by adding the account
        account_id = store.find_account_id(account) or NO_ACCOUNT
    else:
        account_id = store.account_id(account)
    lock: HeldLock | None = None
    run_id: int | None = None
    if not options.dry_run:
        lock = acquire_run_lock(store, account_id, account, command="sync", wait_s=options.wait_s)
    heartbeat = asyncio.create_task(_heartbeat(lock)) if lock else None
    try:
        if not options.dry_run:
            run_id = start_run(store, account_id, "sync", started)
            report.run_id = run_id
        await _sync(api, store, account_id, options, progress, report, run_id)
    except BaseException as exc:
        report.status = "interrupted" if interruption(exc) else "failed"
        report.finished_at = datetime.now(UTC)
        _count_requests(api, report)
        if run_id is not None:
            _finish_failed(store, run_id, report, exc)
        raise
    finally:
        if heartbeat is not None:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        if lock is not None:
            lock.release()
    if report.status == "succeeded":  # the sync stands whatever happens here
        await _confirm_lost(api, store, account_id, report)
    return report


async def _confirm_lost(
    api: LibraryReader, store: Store, account_id: int, report: SyncReport
) -> None:
    """Ask the catalog about the losses the sync could not see (one request per ≤ 150 ids),
    so that they have their causes; a failure leaves them for the next sync."""
    try:
        confirmed = await confirm_losses(api, store, account_id)
    except AmsyncError as exc:
        report.warnings.append(f"lost songs: their causes are checked next time ({exc})")
        return
    if confirmed.settled:
        report.lost["confirmed"] = confirmed.settled
        _count_requests(api, report)


async def _sync(
    api: LibraryReader,
    store: Store,
    account_id: int,
    options: SyncOptions,
    progress: ProgressCallback,
    report: SyncReport,
    run_id: int | None,
) -> None:
    with Staging() as staging:
        with store.session() as session:
            mirror = load_mirror_state(session, account_id)
        now = datetime.now(UTC)
        known = (
            KnownCatalog()
            if options.full
            else mirror.known_catalog(now, options.refresh_catalog_days)
        )
        snapshot = await Fetcher(api, staging, known, progress, mirror).run()
        plan = plan_sync(
            snapshot,
            mirror,
            max_delete_pct=options.max_delete_pct,
            max_delete_min=options.max_delete_min,
            force=options.force,
        )
        _describe_plan(report, plan)
        report.storefront = snapshot.storefront
        if snapshot.replay_problem:
            report.warnings.append(
                "Apple's Replay summary could not be read (the library sync is not affected): "
                + snapshot.replay_problem
            )
        if options.dry_run:
            report.status = "dry-run"
            report.finished_at = datetime.now(UTC)
            _count_requests(api, report)
            return
        if plan.guard.tripped:
            report.status = "refused"
            report.finished_at = datetime.now(UTC)
            _count_requests(api, report)
            _finish(store, run_id, report, error="deletion guard: " + "; ".join(plan.guard.reasons))
            return
        applied_at = datetime.now(UTC)
        requests = api.stats.requests
        progress(ProgressEvent(APPLY_PHASE, 0, plan.item_writes, requests, remaining_requests=0))
        with store.writing() as session:
            connection = session.connection()
            result = Applier(
                connection, account_id, run_id, snapshot, staging, mirror, applied_at
            ).apply(plan)
            report.revisions = result.revisions
            report.lost, problem = find_losses(
                connection, account_id, changes_of(plan, mirror, run_id, applied_at)
            )
            report.warnings += [problem] if problem else []
            report.catalog_writes = result.catalog_writes
            report.favourites_changed = result.favourites_changed
            report.favourites_pulled = result.favourites_pulled
            if snapshot.replay is not None:
                kept = keep_replay(connection, account_id, run_id, snapshot.replay, applied_at)
                report.replay = kept.as_dict()
            report.status = "succeeded"
            report.finished_at = datetime.now(UTC)
            _count_requests(api, report)
            connection.execute(
                update(tables.accounts)
                .where(tables.accounts.c.id == account_id)
                .values(
                    storefront=snapshot.storefront, last_synced_at=applied_at, last_run_id=run_id
                )
            )
            _finish_in(connection, run_id, report, error=None)
        progress(
            ProgressEvent(
                APPLY_PHASE,
                plan.item_writes,
                plan.item_writes,
                requests,
                remaining_requests=0,
                finished=True,
            )
        )


def _describe_plan(report: SyncReport, plan: SyncPlan) -> None:
    report.collections = {name: p.counts() for name, p in plan.collections.items()}
    report.complete = {name: p.complete for name, p in plan.collections.items()}
    report.item_writes = plan.item_writes
    report.revisions = len(plan.revisions)
    report.guard = list(plan.guard.reasons)
    report.forced = plan.guard.forced
    report.warnings = list(plan.warnings)


def _count_requests(api: LibraryReader, report: SyncReport) -> None:
    stats = api.stats
    report.requests = stats.requests
    report.retries = stats.retries
    report.throttled = stats.throttled


def _finish(store: Store, run_id: int | None, report: SyncReport, *, error: str | None) -> None:
    if run_id is None:
        return
    with store.writing() as session:
        _finish_in(session.connection(), run_id, report, error=error)


def _finish_in(
    connection: Connection, run_id: int | None, report: SyncReport, *, error: str | None
) -> None:
    if run_id is None:
        return
    finish_run(
        connection,
        run_id,
        status=report.status,
        finished_at=report.finished_at,
        counts=report.run_counts(),
        requests=report.requests,
        retries=report.retries,
        throttled=report.throttled,
        error=error,
    )


def _finish_failed(store: Store, run_id: int, report: SyncReport, exc: BaseException) -> None:
    message = interruption(exc) or str(exc) or exc.__class__.__name__
    with contextlib.suppress(Exception):
        _finish(store, run_id, report, error=message[:2000])


async def _heartbeat(lock: HeldLock | None) -> None:
    if lock is None:
        return
    while True:
        await asyncio.sleep(HEARTBEAT_S)
        with contextlib.suppress(Exception):
            await asyncio.to_thread(lock.heartbeat)
