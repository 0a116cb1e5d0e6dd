"""``push_favourites``: lock → run record → outbox → fresh read → plan → writes → read-back.

1. The account's run lock is taken (``LockHeld``, exit 4, while a sync runs) and the run is
   recorded in ``sync_runs`` (kind ``push``).
2. Every pushable item whose wish differs from ``base`` gets an outbox entry before any request.
3. Apple's ratings of those items (and of every outbox entry) are read fresh, in batches; an
   entry a crashed push had attempted and that Apple now holds is acknowledged as agreed.
4. ``plan_push`` decides; pulls and convergences are written, the outbox is set to exactly the
   pushes about to be sent.
5. Each push is one ``PUT`` (value 1 / -1) or ``DELETE``; then one batch read-back per resource
   type. Only what the read-back shows moves ``base`` and ``remote``; anything else stays in
   the outbox with its error and is reported pending.

A push interrupted anywhere (crash, authorization failure, a signal: recorded ``interrupted``)
leaves its outbox; the next push starts at step 2 again, finds what landed in step 3, and
writes only what did not. A push with nothing to do makes no write request. ``dry_run`` reads
Apple's ratings but writes nothing, neither to Apple nor to the database, and takes no lock.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Final

from amsync.db.locks import HeldLock, acquire_run_lock
from amsync.db.runs import finish_run, interruption, start_run
from amsync.db.store import Store
from amsync.domain import FavouriteState, ItemType, ProgressCallback, ProgressEvent, no_progress
from amsync.domain.ports import RatingWriter
from amsync.errors import BadRequest, MalformedResponse, NotFound
from amsync.favourites import apply
from amsync.favourites.mirror import load_outbox, load_rows
from amsync.favourites.plan import (
    FavouriteRow,
    PlannedItem,
    Prefer,
    acknowledge_landed,
    plan_push,
)
from amsync.favourites.report import Outcome, PushReport
from amsync.favourites.targets import rating_target

Key = tuple[ItemType, str]
CONCURRENCY: Final = 8
RATINGS_PER_REQUEST: Final = 200  # what the client asks per multi-get (reference §4.1)
_ITEM_ERRORS: Final = (NotFound, BadRequest, MalformedResponse)


@dataclass(frozen=True, slots=True)
class PushOptions:
    dry_run: bool = False
    prefer: Prefer = Prefer.REMOTE
    wait_s: float = 0.0
    concurrency: int = CONCURRENCY


async def push_favourites(
    api: RatingWriter,
    store: Store,
    account: str,
    options: PushOptions = PushOptions(),
    progress: ProgressCallback = no_progress,
    report: PushReport | None = None,
) -> PushReport:
    """Reconcile favourites with Apple Music (see the module docstring). The outcome goes into
    ``report`` (a new one unless given), which holds what was done so far when the push fails."""
    if report is None:
        report = new_push_report(account, options)
    account_id = store.account_id(account, create=False)
    lock: HeldLock | None = None
    if not options.dry_run:
        lock = acquire_run_lock(
            store, account_id, account, command="favourites push", wait_s=options.wait_s
        )
    try:
        if not options.dry_run:
            report.run_id = start_run(store, account_id, "push", report.started_at)
        await _Push(api, store, account_id, options, progress, report).run()
        return report
    except BaseException as exc:
        stopped = interruption(exc)
        report.status = "interrupted" if stopped else "failed"
        report.finished_at = datetime.now(UTC)
        if report.run_id is not None:
            with contextlib.suppress(Exception):
                message = stopped or str(exc) or exc.__class__.__name__
                _finish_run(store, report, error=message[:2000])
        raise
    finally:
        if lock is not None:
            lock.release()


def new_push_report(account: str, options: PushOptions) -> PushReport:
    return PushReport(
        account=account,
        status="running",
        started_at=datetime.now(UTC),
        prefer=options.prefer.value,
    )


@dataclass
class _Push:
    api: RatingWriter
    store: Store
    account_id: int
    options: PushOptions
    progress: ProgressCallback
    report: PushReport
    errors: dict[Key, str] = field(default_factory=dict)

    async def run(self) -> None:
        dry = self.options.dry_run
        with self.store.session() as session:
            connection = session.connection()
            rows = load_rows(connection, self.account_id)
            outbox = load_outbox(connection, self.account_id)
        if not dry:
            with self.store.writing() as session:
                apply.ensure_outbox(
                    session.connection(), self.account_id, rows, outbox, datetime.now(UTC)
                )
        candidates = [
            row
            for row in rows
            if row.item_type.pushable and (row.local != row.base or row.key in outbox)
        ]
        fresh = await self._read(candidates, "reading Apple's ratings")
        rows = [replace(row, remote=fresh[row.key]) if row.key in fresh else row for row in rows]
        attempted = {key: e.target for key, e in outbox.items() if e.attempts > 0}
        rows, landed = acknowledge_landed(rows, attempted)
        self.report.acknowledged = len(landed)
        plan = plan_push(rows, self.options.prefer)
        self.report.describe(plan)
        if dry:
            self._finish("dry-run")
            return
        with self.store.writing() as session:
            apply.record_plan(
                session.connection(),
                self.account_id,
                fresh=fresh,
                landed=landed,
                plan=plan,
                outbox=outbox,
                now=datetime.now(UTC),
            )
        self._mark_settled()
        pushes = plan.pushes
        if pushes:
            await self._write_and_confirm(pushes)
        self._finish("partial" if self.report.pending else "succeeded")

    # --- reads ---------------------------------------------------------------------------

    async def _read(self, rows: Sequence[FavouriteRow], phase: str) -> dict[Key, FavouriteState]:
        """Apple's current state of ``rows``, one batch request per resource type."""
        wanted: dict[str, dict[str, list[Key]]] = defaultdict(lambda: defaultdict(list))
        for row in rows:
            target = rating_target(row)
            wanted[target.resource_type][target.item_id].append(row.key)
        states: dict[Key, FavouriteState] = {}
        done = 0
        for resource_type, ids in sorted(wanted.items()):
            values = await self.api.get_ratings(resource_type, list(ids))
            self.report.read_requests += -(-len(ids) // RATINGS_PER_REQUEST)
            for item_id, keys in ids.items():
                for key in keys:
                    states[key] = FavouriteState.from_rating(values.get(item_id))
            done += len(ids)
            self.progress(ProgressEvent(phase, done, len(rows)))
        self.report.reads += len(rows)
        return states

    # --- writes --------------------------------------------------------------------------

    async def _write_and_confirm(self, pushes: Sequence[PlannedItem]) -> None:
        fatal = await self._write_all(pushes)
        if fatal is not None:
            self._record_errors(pushes, f"interrupted: {fatal}")
            raise fatal
        try:
            found = await self._read([item.row for item in pushes], "reading back")
        except Exception as exc:
            self._record_errors(pushes, f"not confirmed: {exc}")
            raise
        confirmed: dict[Key, FavouriteState] = {}
        unconfirmed: dict[Key, FavouriteState] = {}
        for item in pushes:
            key, state = item.row.key, found[item.row.key]
            if state == item.target and key not in self.errors:
                confirmed[key] = state
            else:
                unconfirmed[key] = state
                self.errors.setdefault(
                    key, f"read back {state.value!r}, expected {item.target.value!r}"
                )
        now = datetime.now(UTC)
        with self.store.writing() as session:
            connection = session.connection()
            apply.record_confirmed(connection, self.account_id, confirmed, now)
            apply.record_remote(connection, self.account_id, unconfirmed, now)
            apply.record_errors(
                connection, self.account_id, {k: self.errors[k] for k in unconfirmed}, now
            )
        self._mark(pushes, confirmed)

    async def _write_all(self, pushes: Sequence[PlannedItem]) -> BaseException | None:
        """Send every push, at most ``concurrency`` at once. An item's own failure (404, 400)
        is kept in ``errors``; any other failure stops the remaining writes and is returned."""
        gate = asyncio.Semaphore(max(1, self.options.concurrency))
        fatal: list[BaseException] = []
        done = 0

        async def one(item: PlannedItem) -> None:
            nonlocal done
            async with gate:
                if fatal:
                    return
                target = rating_target(item.row)
                value = item.target.to_rating()
                self.report.write_requests += 1
                try:
                    if value is None:
                        await self.api.delete_rating(target.resource_type, target.item_id)
                    else:
                        await self.api.put_rating(target.resource_type, target.item_id, value)
                except _ITEM_ERRORS as exc:
                    self.errors[item.row.key] = str(exc)
                except Exception as exc:
                    self.errors[item.row.key] = str(exc)
                    fatal.append(exc)
                done += 1
                self.progress(ProgressEvent("pushing", done, len(pushes)))

        await asyncio.gather(*(one(item) for item in pushes))
        return fatal[0] if fatal else None

    def _record_errors(self, pushes: Iterable[PlannedItem], default: str) -> None:
        errors = {item.row.key: self.errors.get(item.row.key, default) for item in pushes}
        with contextlib.suppress(Exception), self.store.writing() as session:
            apply.record_errors(session.connection(), self.account_id, errors, datetime.now(UTC))
        self._mark(pushes, {})

    # --- report --------------------------------------------------------------------------

    def _mark_settled(self) -> None:
        for item in self.report.items:
            if item.action == "pull":
                item.outcome = Outcome.PULLED
            elif item.action == "converge":
                item.outcome = Outcome.CONVERGED

    def _mark(self, pushes: Iterable[PlannedItem], confirmed: dict[Key, FavouriteState]) -> None:
        by_key = {(ItemType(i.item_type), i.library_id): i for i in self.report.items}
        for item in pushes:
            reported = by_key[item.row.key]
            if item.row.key in confirmed:
                reported.outcome = Outcome.PUSHED
            else:
                reported.outcome = Outcome.PENDING
                reported.error = self.errors.get(item.row.key, reported.error)

    def _finish(self, status: str) -> None:
        self.report.status = status
        self.report.finished_at = datetime.now(UTC)
        if self.report.pending:
            self.report.warnings.append(
                f"{len(self.report.pending)} favourite change(s) not confirmed by Apple: "
                "they stay pending and the next push tries again"
            )
        if self.report.run_id is not None:
            _finish_run(self.store, self.report, error=None)


def _finish_run(store: Store, report: PushReport, *, error: str | None) -> None:
    if report.run_id is None:
        return
    with store.writing() as session:
        finish_run(
            session.connection(),
            report.run_id,
            status=report.status,
            finished_at=report.finished_at,
            counts=report.counts(),
            requests=report.write_requests + report.read_requests,
            error=error,
        )
