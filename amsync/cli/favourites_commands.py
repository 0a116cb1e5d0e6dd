"""``amsync favourites``: list, add, remove, diff, push and import favourites (DESIGN §2, §3)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from amsync.cli.context import AppContext, pass_app
from amsync.cli.json_outcome import ProgressTally, json_outcome
from amsync.cli.logfile import run_outcome
from amsync.cli.output import emit_json, info, safe_text, warn
from amsync.cli.tabular import chosen_format, emit_listing, listing_format_option
from amsync.domain import FavouriteState, ItemType, no_progress
from amsync.errors import EXIT_TEMPFAIL
from amsync.favourites.plan import UNSUPPORTED_REASON, Prefer
from amsync.favourites.report import ItemReport, Outcome, PushReport

if TYPE_CHECKING:  # imported when a command runs: `amsync favourites --help` must stay quick
    from amsync.db.store import Store
    from amsync.favourites.edits import SetLocalResult
    from amsync.favourites.push import PushOptions

FAVOURITE_COLUMNS = (
    "type",
    "library_id",
    "catalog_id",
    "name",
    "artist",
    "state",
    "remote",
    "status",
    "removed",
)

TYPES = click.Choice([kind.value for kind in ItemType])
PREFER = click.Choice([p.value for p in Prefer])
_wait_option = click.option(
    "--wait",
    "wait_s",
    type=click.FloatRange(0),
    default=0,
    metavar="SECONDS",
    help="Wait this long for another run's lock instead of exiting 4.",
)


@click.group("favourites")
def favourites() -> None:
    """Favourites on both sides: list them, change them, compare and push them to Apple Music.

    Each item has three states: Apple's (as last read), the last agreed one, and yours.
    TYPE is song, album, playlist or artist; ID a library or catalog id. Apple's API cannot
    rate artists: artist favourites stay in amsync (and its exports) only.
    """


def _store(app: AppContext) -> Store:
    return app.store(create=False)


def _name(name: str | None, artist: str | None) -> str:
    text = safe_text(name) if name else "(not in the mirror)"
    return f"{text} — {safe_text(artist)}" if artist else text


# --- list --------------------------------------------------------------------------------------


@favourites.command("list")
@click.option("--type", "item_type", type=TYPES, help="Only items of this type.")
@listing_format_option
@pass_app
def list_command(app: AppContext, item_type: str | None, fmt: str | None, as_json: bool) -> None:
    """List your favourites and dislikes, with their push status.

    Status: synced (Apple agrees), pending (a push is outstanding), local-only (artists).
    Columns: type, library_id, catalog_id, name, artist, state (yours), remote (Apple's, as
    last read), status, removed (no longer in the library).
    """
    from amsync.db.reading import account_id_of
    from amsync.favourites.listing import list_favourites

    kind = ItemType(item_type) if item_type else None
    with app.reading() as reader:
        entries = list_favourites(reader, account_id_of(reader, app.settings.account), kind)
    output = chosen_format(fmt, as_json)
    if not entries and output == "table":
        info("no favourites", quiet=app.quiet)
        return
    rows = ([entry.as_dict()[c] for c in FAVOURITE_COLUMNS] for entry in entries)
    emit_listing(output, FAVOURITE_COLUMNS, rows)


# --- add / remove --------------------------------------------------------------------------------


@favourites.command("add")
@click.argument("item_type", metavar="TYPE", type=TYPES)
@click.argument("item_id", metavar="ID")
@click.option("--disliked", is_flag=True, help="Mark the item disliked instead.")
@_wait_option
@pass_app
def add_command(
    app: AppContext, item_type: str, item_id: str, disliked: bool, wait_s: float
) -> None:
    """Mark an item favourite (or --disliked); `amsync favourites push` sends it to Apple.

    ID is a library id (i.…, l.…, p.…, r.…) or a catalog id of an item in the mirror.
    """
    from amsync.favourites.edits import set_favourite

    state = FavouriteState.DISLIKED if disliked else FavouriteState.FAVOURITE
    result = set_favourite(
        _store(app), app.settings.account, ItemType(item_type), item_id, state, wait_s=wait_s
    )
    _render_set(app, result, state)


@favourites.command("remove")
@click.argument("item_type", metavar="TYPE", type=TYPES)
@click.argument("item_id", metavar="ID")
@_wait_option
@pass_app
def remove_command(app: AppContext, item_type: str, item_id: str, wait_s: float) -> None:
    """Unmark an item (neither favourite nor disliked); `amsync favourites push` sends it."""
    from amsync.favourites.edits import set_favourite

    result = set_favourite(
        _store(app),
        app.settings.account,
        ItemType(item_type),
        item_id,
        FavouriteState.NONE,
        wait_s=wait_s,
    )
    _render_set(app, result, FavouriteState.NONE)


def _render_set(app: AppContext, result: SetLocalResult, state: FavouriteState) -> None:
    for change in result.changes:
        item = change.item
        what = (
            f"{item.item_type.value} {safe_text(item.library_id)} {_name(item.name, item.artist)}"
        )
        if not change.changed:
            info(f"{what}: already {state.value}", quiet=app.quiet)
            continue
        info(f"{what}: {change.before.value} → {state.value}", quiet=app.quiet)
        if not item.item_type.pushable:
            warn(f"{item.item_type.value} favourites stay in amsync: {UNSUPPORTED_REASON}")
    if result.changed and any(c.item.item_type.pushable for c in result.changes):
        info("run `amsync favourites push` to send it to Apple Music", quiet=app.quiet)


# --- diff / push ---------------------------------------------------------------------------------


@favourites.command("diff")
@click.option(
    "--prefer", type=PREFER, default="remote", show_default=True, help="Who wins a conflict."
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@pass_app
def diff_command(app: AppContext, prefer: str, as_json: bool) -> None:
    """Show the three-way plan (yours, Apple's as last synced, last agreed) without acting.

    Makes no request: Apple's side is what the last sync read.
    """
    from amsync.db.reading import account_id_of
    from amsync.favourites.listing import diff_favourites

    account = app.settings.account
    with app.reading() as reader:
        report = diff_favourites(reader, account, account_id_of(reader, account), Prefer(prefer))
    if as_json:
        emit_json(report.as_dict())
    else:
        render_push(report, quiet=app.quiet)


@favourites.command("push")
@click.option(
    "--dry-run", is_flag=True, help="Read Apple's ratings and print the plan; write nothing."
)
@click.option(
    "--prefer",
    type=PREFER,
    default="remote",
    show_default=True,
    help="Who wins when both sides changed an item differently.",
)
@_wait_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_app
def push_command(app: AppContext, dry_run: bool, prefer: str, wait_s: float, as_json: bool) -> None:
    """Reconcile favourites with Apple Music: push yours, pull Apple's, resolve conflicts.

    Songs, albums and playlists are rated (PUT 1 / -1, DELETE) and read back; a change Apple
    does not confirm stays pending, is retried by the next push, and makes the exit code 75.
    """
    from amsync.favourites.push import PushOptions, new_push_report

    options = PushOptions(dry_run=dry_run, prefer=Prefer(prefer), wait_s=wait_s)
    with json_outcome(as_json) as outcome:
        app.check_credentials()  # before the home or the log is made
        if not dry_run:  # pushes leave a trace in <home>/logs/amsync.log, as syncs do
            from amsync.cli.backup_commands import start_run_log

            start_run_log(app, "favourites push", warn_terminal=False)
        tally = ProgressTally(no_progress)
        partial = new_push_report(app.settings.account, options)
        outcome.so_far = lambda: partial.as_dict() | {"progress": tally.phases}
        report = run_push(
            app, options, show_progress=not (app.quiet or as_json), tally=tally, report=partial
        )
        counts = report.counts()
        kinds = ("pushed", "pull", "pending", "conflicts")
        run_outcome(report.status, ", ".join(f"{counts.get(k, 0)} {k}" for k in kinds))
        if as_json:
            outcome.emit(report.as_dict(), exit_code=EXIT_TEMPFAIL if report.pending else 0)
        else:
            render_push(report, quiet=app.quiet)
    finish_push(report)


def run_push(
    app: AppContext,
    options: PushOptions,
    *,
    show_progress: bool,
    tally: ProgressTally | None = None,
    report: PushReport | None = None,
) -> PushReport:
    """Run a push with the context's store and client (also used by `amsync sync`)."""
    from amsync.cli.process_exit import run_async
    from amsync.cli.progress import ProgressDisplay
    from amsync.favourites.push import push_favourites

    store = _store(app)
    client = app.client(remember_rate=not options.dry_run)
    progress = tally or ProgressTally(no_progress)

    async def go() -> PushReport:
        async with client:
            with ProgressDisplay(enabled=show_progress, client=client) as display:
                progress.then(display)
                return await push_favourites(
                    client, store, app.settings.account, options, progress, report
                )

    return run_async(go())


def finish_push(report: PushReport) -> None:
    """Warnings to stderr; exit 75 when changes stay pending."""
    for message in report.warnings:
        warn(message)
    if report.pending:
        click.get_current_context().exit(EXIT_TEMPFAIL)


_TITLES = {
    "planned": "favourites plan (from the last sync; nothing was changed)",
    "dry-run": "dry run: nothing was changed; the plan is",
    "succeeded": "favourites push finished",
    "partial": "favourites push finished with changes still pending",
}
_VERBS = {
    Outcome.PLANNED: "",
    Outcome.PUSHED: "pushed",
    Outcome.PENDING: "PENDING",
    Outcome.PULLED: "pulled",
    Outcome.CONVERGED: "agreed",
    Outcome.LOCAL_ONLY: "local-only",
}


def render_push(report: PushReport, *, quiet: bool) -> None:
    counts = report.counts()
    summary = ", ".join(
        f"{counts[key]} {label}"
        for key, label in (
            ("push", "to push"),
            ("pull", "to pull"),
            ("converge", "agreed on both sides"),
            ("conflicts", "conflict(s)"),
            ("local-only", "local-only"),
        )
        if counts[key]
    )
    title = _TITLES.get(report.status, report.status)
    info(f"{title}: {summary or 'nothing to do'}", quiet=quiet)
    if report.status in ("succeeded", "partial"):
        info(
            f"  {counts['pushed']} pushed and confirmed, {counts['pending']} pending, "
            f"{report.write_requests} write request(s)",
            quiet=quiet,
        )
    for item in report.items:
        info("  " + _item_line(item), quiet=quiet)


def _item_line(item: ItemReport) -> str:
    what = f"{item.item_type:<8} {safe_text(item.library_id)}  {_name(item.name, item.artist)}"
    if item.action == "local-only":
        return f"local-only {what}: {item.local} — {UNSUPPORTED_REASON}"
    verb = _VERBS.get(item.outcome) or item.action
    if item.conflict:
        winner = "Apple's" if item.action == "pull" else "yours"
        change = f"conflict: yours {item.local}, Apple's {item.remote} → {winner} ({item.target})"
    elif item.action == "push":
        change = f"{item.base} → {item.target} (yours)"
    elif item.action == "pull":
        change = f"{item.base} → {item.target} (Apple's)"
    else:
        change = f"both {item.target}"
    error = f" — {safe_text(item.error)}" if item.error else ""
    return f"{verb:<10} {what}: {change}{error}"


# --- import --------------------------------------------------------------------------------------


@favourites.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_wait_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_app
def import_command(app: AppContext, file: Path, wait_s: float, as_json: bool) -> None:
    """Set favourites from a CSV or JSON file of rows matched against the mirror.

    A row names an item by type and id (library or catalog; `favourites.csv` from
    `amsync export csv` works as it is), by ISRC, or by artist and title ("Artist - Title");
    an optional state column says favourite, disliked or none. Unmatched rows are listed.
    """
    from amsync.favourites.importing import describe_unmatched, import_favourites

    report = import_favourites(_store(app), app.settings.account, file, wait_s=wait_s)
    if as_json:
        emit_json(report.as_dict())
    else:
        info(
            f"{report.rows} row(s): {report.matched_rows} matched ({report.items} item(s), "
            f"{report.changed} changed), {len(report.unmatched)} unmatched",
            quiet=app.quiet,
        )
        for line in describe_unmatched(report.unmatched):
            info("  " + safe_text(line), quiet=app.quiet)
        if report.changed:
            info("run `amsync favourites push` to send the changes to Apple Music", quiet=app.quiet)
    if report.unmatched:
        warn(f"{len(report.unmatched)} row(s) matched nothing in the mirror")
