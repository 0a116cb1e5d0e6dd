"""``amsync sync``: mirror the library into the database."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from amsync.cli.context import AppContext, pass_app
from amsync.cli.json_outcome import JsonOutcome, json_outcome
from amsync.cli.logfile import run_outcome
from amsync.cli.output import info, warn
from amsync.errors import EXIT_TEMPFAIL, DeletionGuardTripped

if TYPE_CHECKING:  # imported when a sync runs: `amsync sync --help` must stay quick
    from amsync.sync.report import SyncReport


@click.command("sync")
@click.option("--full", is_flag=True, help="Fetch all catalog metadata again, however fresh.")
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing (exit 4 if refused).")
@click.option(
    "--max-delete",
    "max_delete",
    metavar="PCT",
    help="Deletion guard: percent of a collection that may go [default 10].",
)
@click.option("--force", is_flag=True, help="Apply even when the deletion guard trips.")
@click.option(
    "--wait",
    "wait_s",
    type=click.FloatRange(0),
    default=0,
    metavar="SECONDS",
    help="Wait this long for another run's lock instead of exiting 4.",
)
@click.option(
    "--refresh-catalog",
    "refresh_days",
    metavar="DAYS",
    help="Fetch catalog metadata older than this again [default 30].",
)
@click.option(
    "--push-favourites",
    "push_favourites",
    is_flag=True,
    help="After a successful sync, reconcile favourites as `amsync favourites push` does.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
@click.option(
    "--backup",
    "then_backup",
    is_flag=True,
    help="Then take a backup (as `amsync backup`) and log to <home>/logs: one scheduled step.",
)
@pass_app
def sync(
    app: AppContext,
    full: bool,
    dry_run: bool,
    max_delete: str | None,
    force: bool,
    wait_s: float,
    refresh_days: str | None,
    push_favourites: bool,
    as_json: bool,
    then_backup: bool = False,
) -> None:
    """Mirror the Apple Music library into the database.

    Every listing is read completely; the mirror changes in one transaction; removed items are
    kept as tombstones. If a listing comes back empty, or more than --max-delete percent (and
    more than 50 items) of a collection would go, nothing changes and the exit code is 4.
    """
    with json_outcome(as_json) as outcome:
        _sync(
            app,
            outcome,
            SyncFlags(full, dry_run, force, wait_s, max_delete, refresh_days),
            as_json=as_json,
            push_favourites=push_favourites,
            then_backup=then_backup,
        )


@dataclass(frozen=True, slots=True)
class SyncFlags:
    """The command line's choices for one sync (settings options still as typed)."""

    full: bool
    dry_run: bool
    force: bool
    wait_s: float
    max_delete: str | None
    refresh_days: str | None


def _tell_lookups(report: SyncReport, *, shown: bool) -> None:
    """On a terminal, one line before the look-ups that follow a sync which found lost songs
    (a first sync of a large library may look up hundreds, at Apple's rate)."""
    new = report.lost.get("new_songs", 0) if report.lost else 0
    if shown and new and sys.stderr.isatty():
        click.echo(
            f"lost songs: looking up replacements for {new} song(s) Apple no longer plays…",
            err=True,
        )


def _sync(
    app: AppContext,
    outcome: JsonOutcome,
    flags: SyncFlags,
    *,
    as_json: bool,
    push_favourites: bool,
    then_backup: bool,
) -> None:
    from amsync.cli.backup_commands import backup_after_sync, start_run_log
    from amsync.cli.favourites_commands import finish_push, render_push, run_push
    from amsync.cli.json_outcome import ProgressTally
    from amsync.cli.lost_commands import settle_after_sync, tell_lost
    from amsync.cli.process_exit import run_async
    from amsync.cli.progress import ProgressDisplay
    from amsync.domain.progress import no_progress
    from amsync.favourites.push import PushOptions
    from amsync.sync.report import SyncReport
    from amsync.sync.runner import SyncOptions, run_sync

    dry_run = flags.dry_run
    settings = app.use_options(
        max_delete_pct=flags.max_delete, catalog_refresh_days=flags.refresh_days
    )
    report = SyncReport(account=settings.account, status="failed", started_at=datetime.now(UTC))
    tally = ProgressTally(no_progress)
    outcome.so_far = lambda: report.as_dict() | {"progress": tally.phases}
    app.check_credentials()  # before the home, the log or the database is made
    if not dry_run:  # scheduled runs leave a trace in <home>/logs/amsync.log
        start_run_log(app, "sync --backup" if then_backup else "sync", warn_terminal=False)
    options = SyncOptions(
        dry_run=dry_run,
        force=flags.force,
        full=flags.full,
        max_delete_pct=settings.max_delete_pct,
        max_delete_min=settings.max_delete_min,
        refresh_catalog_days=settings.catalog_refresh_days,
        wait_s=flags.wait_s,
    )
    # a dry run creates nothing: without a database it plans against an empty one, thrown away
    store = app.store_or_scratch() if dry_run else app.store()
    client = app.client(remember_rate=not dry_run)

    async def go() -> SyncReport:
        async with client:
            with ProgressDisplay(enabled=not (app.quiet or as_json), client=client) as display:
                tally.then(display)
                done = await run_sync(client, store, settings.account, options, tally, report)
            if done.status == "succeeded":  # issue 24: causes and replacements of lost songs
                _tell_lookups(done, shown=not (app.quiet or as_json))
                settled = await settle_after_sync(
                    client, store, settings.account, refresh_days=settings.catalog_refresh_days
                )
                if settled is not None:
                    done.lost = {**done.lost, "settle": settled}
            return done

    run_async(go())
    run_outcome(report.status, _counts_text(report))
    for message in report.warnings:
        warn(message)
    if report.throttled >= max(10, report.requests // 50):
        warn(
            f"Apple throttled {report.throttled} of {report.requests} requests (429); amsync "
            "slowed down and retried them"
        )
    if not as_json:
        render_report(report, quiet=app.quiet)
    if report.status == "succeeded":
        tell_lost(app, store, report, show=not as_json)
    if not as_json and app.uses_scratch_store:
        info(f"  (no database at {settings.db} yet: nothing was created)", quiet=app.quiet)
    refused = (
        DeletionGuardTripped(
            "the deletion guard stopped the sync: " + "; ".join(report.guard),
            hint="check the library in Apple Music; if the removals are real, run "
            "`amsync sync --force` (or raise --max-delete)",
        )
        if report.refused
        else None
    )
    document: dict[str, Any] = report.as_dict()
    outcome.so_far = lambda: document | {"progress": tally.phases}
    pushed = None
    if push_favourites and report.status == "succeeded":
        push_options = PushOptions(wait_s=flags.wait_s)
        pushed = run_push(app, push_options, show_progress=not (app.quiet or as_json))
        document["favourites_push"] = pushed.as_dict()
        if not as_json:
            render_push(pushed, quiet=app.quiet)
    if then_backup and not dry_run and refused is None:
        taken = backup_after_sync(app, sync_status=report.status, as_json=as_json)
        document["backup"] = taken.as_dict()
    outcome.emit(
        document, error=refused, exit_code=EXIT_TEMPFAIL if pushed and pushed.pending else 0
    )
    if pushed is not None:
        finish_push(pushed)
    if refused is not None:
        raise refused


def _counts_text(report: SyncReport) -> str:
    """The run log's summary of a sync: per collection what changed, then the requests."""
    parts = []
    for name, counts in report.collections.items():
        kinds = ("added", "changed", "revived", "removed")
        changed = ", ".join(f"{counts[k]} {k}" for k in kinds if counts.get(k))
        listed = f"{name} {counts.get('listed', 0)} listed"
        parts.append(f"{listed} ({changed})" if changed else listed)
    parts.append(f"{report.requests} requests")
    return ", ".join(parts)


def render_report(report: SyncReport, *, quiet: bool) -> None:
    title = {
        "succeeded": "sync finished",
        "dry-run": "dry run: nothing was changed; the plan is",
        "refused": "sync refused: nothing was changed; the plan was",
    }.get(report.status, report.status)
    info(
        f"{title} ({report.duration_s:.1f} s, {report.requests} requests, "
        f"{report.throttled} throttled)",
        quiet=quiet,
    )
    for name, counts in report.collections.items():
        parts = [
            f"{counts[k]} {k}" for k in ("added", "changed", "revived", "removed") if counts.get(k)
        ]
        summary = ", ".join(parts) if parts else "no change"
        complete = "" if report.complete.get(name, True) else " (listing incomplete)"
        info(f"  {name:<10} {counts.get('listed', 0):>7} listed: {summary}{complete}", quiet=quiet)
    extras = []
    if report.revisions:
        extras.append(f"{report.revisions} playlist revision(s)")
    if report.catalog_writes:
        extras.append(f"{report.catalog_writes} catalog row(s)")
    if report.favourites_changed:
        extras.append(f"{report.favourites_changed} favourite state(s) from Apple")
    if report.replay and report.replay.get("new"):
        extras.append(f"Apple's Replay {report.replay['year']} kept (`amsync report`)")
    if extras:
        info("  " + ", ".join(extras), quiet=quiet)
