"""``amsync listens push URL``: the account's listens to a ListenBrainz-protocol server, each
play exactly once per server.

1. the token is checked (``validate_token``) before anything is read or sent;
2. the plays of the period are read and planned (``push_plan``): what this server accepted
   before is left out;
3. the rest goes to the server (``ListenSink.submit``), and every batch it accepts is recorded
   at once, in a transaction of its own (``submissions``) — a push stopped half-way (a signal,
   the network gone, the retry budget spent) has recorded exactly what the server took, and
   the next push sends the rest; a second push sends nothing. Listens the server refuses on
   their own are recorded with its reason, listed, and not sent again.

A dry run contacts no server and writes nothing: it plans against what was recorded and says
what a real push would send, with a sample. A real push holds the account's run lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from amsync.db.locks import acquire_run_lock
from amsync.db.store import Store
from amsync.domain.listens import Listen, ListenSink, RefusedListen, SubmitOutcome
from amsync.domain.progress import ProgressCallback, ProgressEvent, no_progress
from amsync.listens import submissions
from amsync.listens.push_plan import SAMPLE, PlanOptions, PushPlan, plan_push
from amsync.listens.report import PushReport
from amsync.listens.selection import play_rows

PHASE = "listens"


@dataclass(frozen=True, slots=True)
class PushOptions:
    target: str  # the server's normalised root URL
    earliest: int  # the times the server takes (``listenbrainz.accepted_times``)
    latest: int
    since: datetime | None = None
    until: datetime | None = None
    min_listen_s: float | None = None
    dry_run: bool = False
    wait_s: float = 0.0


def plan_for(store: Store, account_id: int, options: PushOptions) -> PushPlan:
    with store.session() as session:
        connection = session.connection()
        target_id = submissions.find_target(connection, account_id, options.target)
        sent = submissions.sent_before(connection, target_id)
        rows = play_rows(connection, account_id, options.since, options.until)
        rule = PlanOptions(options.earliest, options.latest, options.min_listen_s)
        return plan_push(rows, sent, rule)


async def push_listens(
    store: Store,
    account: str,
    sink: ListenSink | None,
    options: PushOptions,
    report: PushReport,
    progress: ProgressCallback = no_progress,
) -> PushReport:
    """Push (see the module docstring); ``report`` is filled in as it goes, so that it tells
    what was done when this raises. ``sink`` may be ``None`` for a dry run."""
    account_id = store.find_account_id(account)
    lock = None
    if not options.dry_run:
        assert sink is not None
        report.user_name = await sink.validate_token()
        if account_id is not None:
            lock = acquire_run_lock(
                store, account_id, account, command="listens push", wait_s=options.wait_s
            )
    try:
        if account_id is None:
            report.status = "nothing to send"
            return report
        plan = plan_for(store, account_id, options)
        _take_plan(report, plan)
        if options.dry_run or not plan.to_send:
            report.status = "dry-run" if options.dry_run else "nothing to send"
            return report
        assert sink is not None
        await _send(store, account_id, sink, plan.to_send, options, report, progress)
        report.status = "succeeded"
    finally:
        if lock is not None:
            lock.release()
    return report


def _take_plan(report: PushReport, plan: PushPlan) -> None:
    report.plays = plan.plays
    report.listens = plan.listens
    report.already_accepted = plan.already_accepted
    report.refused_before = plan.refused_before
    report.to_send = len(plan.to_send)
    report.skipped = plan.skipped
    report.without_artist = plan.without_artist
    report.sample = plan.to_send[:SAMPLE]


async def _send(
    store: Store,
    account_id: int,
    sink: ListenSink,
    listens: list[Listen],
    options: PushOptions,
    report: PushReport,
    progress: ProgressCallback,
) -> None:
    target_id = submissions.ensure_target(store, account_id, options.target, report.user_name)
    total = len(listens)

    def accepted(batch: list[Listen] | tuple[Listen, ...]) -> None:
        submissions.record(store, target_id, batch)
        report.accepted += len(batch)
        progress(ProgressEvent(PHASE, report.accepted + len(report.refused), total))

    def refused(one: RefusedListen) -> None:
        submissions.record(store, target_id, [one.listen], reason=one.reason[:1000])
        report.refused.append(one)

    progress(ProgressEvent(PHASE, 0, total))
    outcome = SubmitOutcome()
    try:
        await sink.submit(listens, lambda batch: accepted(list(batch)), refused, outcome)
    finally:
        report.requests += outcome.requests
        report.throttled += outcome.throttled
        report.retries += outcome.retries
        report.waited_s += outcome.waited_s
    progress(ProgressEvent(PHASE, report.accepted + len(report.refused), total, finished=True))
