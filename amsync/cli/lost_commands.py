"""``amsync lost`` and ``amsync lost restore``: what Apple took away, and putting it back.

``amsync lost`` reads the mirror only (an SQLite mirror through the standard library's
``sqlite3``: no network, about a tenth of a second). ``lost restore`` writes to Apple Music:
it asks on a terminal and needs ``--yes`` otherwise (exit 2 without it); ``--dry-run`` prints
the plan and writes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import click

from amsync.cli.confirmation import yes_option
from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import info, info_lines, safe_text, warn
from amsync.cli.tabular import chosen_format, emit_listing, listing_format_option
from amsync.domain.timestamps import iso_utc

if TYPE_CHECKING:
    from amsync.cli.json_outcome import JsonOutcome
    from amsync.db.store import Store
    from amsync.domain.ports import CatalogLookup
    from amsync.lost.listing import LostRow
    from amsync.lost.restore import RestoreReport
    from amsync.lost.restore_plan import RestorePlan
    from amsync.sync.report import SyncReport


@click.group("lost", invoke_without_command=True)
@click.option("--since", metavar="DATE", help="Only losses from this date or time on.")
@listing_format_option
@click.pass_context
def lost(ctx: click.Context, since: str | None, fmt: str | None, as_json: bool) -> None:
    """Songs Apple took away (or that left otherwise): why, and their replacements.

    One row per loss, newest first: a song that left the library or became unplayable, or a
    track that left a playlist (with the position it had). Causes: withdrawn, unplayable,
    removed (by you or your devices), unknown. `amsync lost restore` puts the replacements
    back. The view lost_v holds the same rows.
    """
    if ctx.invoked_subcommand is not None:
        return
    app = ctx.find_object(AppContext)
    assert app is not None
    _list(app, since, chosen_format(fmt, as_json))


def _list(app: AppContext, since: str | None, output: str) -> None:
    from amsync.db.reading import account_id_of
    from amsync.lost.listing import COLUMNS, lost_rows, since_text

    moment = since_text(since)
    with app.reading() as reader:
        rows = lost_rows(reader, account_id_of(reader, app.settings.account), since=moment)
    if output != "table":
        emit_listing(output, COLUMNS, (row.as_row() for row in rows))
        return
    if not rows:
        click.echo("no lost songs" + (f" since {moment}" if moment else ""))
        return
    for line in table_lines(rows):
        click.echo(line)
    waiting = sum(
        1
        for r in rows
        if r.values["status"] == "lost"
        and r.values["cause"] in _APPLE
        and r.values["replacement_catalog_id"]
    )
    if waiting:
        click.echo(f"{waiting} loss(es) Apple caused can be put back: amsync lost restore")


_APPLE: Final = frozenset({"withdrawn", "unplayable"})
_STATUS: Final = {
    "lost": "lost",
    "sent": "sent to Apple, not shown yet",
    "restored": "restored",
}


def table_lines(rows: list[LostRow]) -> list[str]:
    """For people: one block per song (newest first) — when and why it was lost and from
    where, its replacement, and what became of it."""
    songs: dict[str, list[LostRow]] = {}
    for row in rows:
        songs.setdefault(row.values["library_id"], []).append(row)
    lines: list[str] = []
    for group in songs.values():
        first = group[0].values
        artist = f" — {first['artist']}" if first["artist"] else ""
        catalog = f" · catalog {first['catalog_id']}" if first["catalog_id"] else ""
        lines.append(safe_text(f"{first['name']}{artist}   [{first['library_id']}{catalog}]"))
        events: dict[tuple[str, str, str], list[str]] = {}
        for row in group:
            v = row.values
            events.setdefault((v["lost_at"], v["cause"], v["evidence"]), []).append(_where(v))
        for (lost_at, cause, evidence), places in events.items():
            lines.append(safe_text(f"  {lost_at}  {cause}  from {', '.join(places)}"))
            lines.append(safe_text(f"    why: {evidence}"))
        lines.append(safe_text(f"  replacement  {_replacement(first)}"))
        statuses = sorted({_STATUS[r.values["status"]] for r in group})
        lines.append(f"  status       {', '.join(statuses)}")
        lines.append("")
    return lines


def _where(v: dict[str, Any]) -> str:
    if v["playlist_id"] is None:
        return (
            "the library" if v["kind"] == "library" else "the library (still there, not playable)"
        )
    return f"{v['playlist_name']!r} at {v['position']}"


def _replacement(v: dict[str, Any]) -> str:
    if v["replacement_catalog_id"]:
        method = "same ISRC" if v["replacement_method"] == "isrc" else "found by a search"
        return (
            f"{v['replacement_name']!r} on {v['replacement_album']!r} — "
            f"{v['replacement_catalog_id']}, {method}, score {v['replacement_score']}"
        )
    if v["cause"] == "removed":
        return "none sought: you (or one of your devices) removed it"
    if v["ambiguous"]:
        return f"none: {v['ambiguous']} equally good candidates, none chosen"
    return f"none: {v['lookup_note'] or 'not looked up yet (the next sync does)'}"


# --- amsync lost restore ------------------------------------------------------------------------


@lost.command("restore")
@click.argument("song_ids", nargs=-1, metavar="[SONG_ID]...")
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing to Apple Music.")
@yes_option
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@pass_app
def lost_restore(
    app: AppContext, song_ids: tuple[str, ...], dry_run: bool, yes: bool, as_json: bool
) -> None:
    """Put back a playable replacement for each song Apple took away.

    Adds each chosen replacement to the library and appends it to the playlists the lost song
    left (only playlists you can edit; Apple's API can only append, so the position is lost).
    Songs you removed yourself, or whose cause is unknown, are put back only when named by
    their library or catalog id. Every write is read back; a second run writes nothing.
    """
    from amsync.cli.json_outcome import json_outcome

    with json_outcome(as_json) as outcome:
        _restore(app, outcome, song_ids, dry_run=dry_run, yes=yes, as_json=as_json)


def _restore(
    app: AppContext,
    outcome: JsonOutcome,
    song_ids: tuple[str, ...],
    *,
    dry_run: bool,
    yes: bool,
    as_json: bool,
) -> None:
    from amsync.cli.backup_commands import start_run_log
    from amsync.cli.confirmation import confirm, require_confirmation
    from amsync.cli.logfile import run_outcome
    from amsync.cli.process_exit import run_async
    from amsync.errors import UsageError
    from amsync.lost.restore import RestoreReport, apply_restore, load_plan
    from amsync.lost.settle import open_song_ids, settle_losses

    if not dry_run:
        app.check_credentials()  # a missing token is exit 3, before anything is made
    ask = not dry_run and require_confirmation(
        yes,
        "lost restore writes to Apple Music and needs a confirmation",
        hint="run it on a terminal to confirm, pass --yes, or see the plan with --dry-run",
    )
    store = app.store(create=False)
    account_id = store.account_id(app.settings.account, create=False)
    found = open_song_ids(store, account_id, list(song_ids))
    unknown = [i for i in song_ids if i not in found]
    if unknown:
        raise UsageError(
            f"no lost song with id {unknown[0][:64]!r}",
            hint="`amsync lost` lists them; name a library id (i.…) or a catalog id",
        )
    named = {found[i] for i in song_ids} if song_ids else None
    if not dry_run:
        start_run_log(app, "lost restore", warn_terminal=False)
    so_far: list[RestoreReport] = []
    outcome.so_far = lambda: so_far[0].as_dict() if so_far else {}

    async def go() -> RestoreReport:
        if named and not dry_run:
            client = app.client()
            async with client:
                await settle_losses(client, store, account_id, only=named)
        plan = load_plan(store, account_id, named)
        report = RestoreReport(plan)
        so_far.append(report)
        if not as_json:
            _render_plan(plan, quiet=app.quiet)
        if dry_run:
            report.status = "dry-run"
            return report
        if plan.empty:
            report.status = "nothing-to-do"
            return report
        if ask and plan.writes and not confirm(f"Write {plan.writes} change(s) to Apple Music?"):
            report.status = "cancelled"
            return report
        client = app.client()
        async with client:
            return await apply_restore(plan, client, client, store, account_id, report)

    report = run_async(go())
    run_outcome(report.status, _summary(report))
    outcome.emit(report.as_dict())
    if not as_json:
        _render_outcome(report, quiet=app.quiet)


def _summary(report: RestoreReport) -> str:
    skipped = len(report.plan.skipped) + len(report.skipped_while_writing)
    return (
        f"added {report.added}, appended {sum(report.appended.values())}, confirmed "
        f"{report.confirmed}, skipped {skipped}, failed {len(report.failed)}"
    )


def _render_plan(plan: RestorePlan, *, quiet: bool) -> None:
    lines = [f"  add {p.label} → {p.replacement_id} to the library" for p in plan.library]
    for playlist_id, planned in plan.playlists.items():
        lines += [
            f"  append {p.label} → {p.replacement_id} to {p.playlist_name!r} ({playlist_id})"
            for p in planned
        ]
    if plan.writes:
        info(f"plan: {plan.writes} write(s) to Apple Music", quiet=quiet)
    else:
        info("nothing to write to Apple Music", quiet=quiet)
    info_lines(lines, quiet=quiet)
    if plan.present:
        info(f"  {len(plan.present)} replacement(s) already where they belong", quiet=quiet)
    if plan.waiting:
        info(f"  {len(plan.waiting)} sent to Apple before: read back, not sent again", quiet=quiet)
    if plan.already:
        info(f"  {plan.already} loss(es) restored before", quiet=quiet)
    for reason, count in sorted(plan.skip_counts().items()):
        info(f"  skipped {count}: {reason}", quiet=quiet)
    info_lines([f"  note: {note}" for note in plan.notes], quiet=quiet)


def _render_outcome(report: RestoreReport, *, quiet: bool) -> None:
    if report.status == "dry-run":
        info("dry run: nothing was written", quiet=quiet)
        return
    if report.status == "cancelled":
        info("cancelled: nothing was written", quiet=quiet)
        return
    if report.status == "nothing-to-do":
        return
    info(
        f"restored: {report.added} added to the library, {sum(report.appended.values())} "
        f"appended to playlists; {report.confirmed} confirmed by reading back",
        quiet=quiet,
    )
    for line in report.skipped_while_writing:
        warn(f"skipped: {safe_text(line)}")
    for line in report.failed:
        warn(f"failed: {safe_text(line)}")
    for line in report.unconfirmed:
        warn(safe_text(line))
    if report.added or report.appended:
        info("run `amsync sync` to bring the mirror up to date", quiet=quiet)


# --- after a sync -------------------------------------------------------------------------------


async def settle_after_sync(
    client: CatalogLookup, store: Store, account: str, *, refresh_days: int
) -> dict[str, int] | None:
    """After a successful sync: confirm the causes it could not see and look for replacements.
    A failure is one warning: the sync stands, and the next one tries again."""
    from amsync.errors import AmsyncError
    from amsync.lost.settle import settle_losses

    account_id = store.find_account_id(account)
    if account_id is None:
        return None
    try:
        settled = await settle_losses(client, store, account_id, refresh_days=refresh_days)
    except AmsyncError as exc:
        warn(f"lost songs: looking them up stopped ({exc}); the next sync tries again")
        return None
    return settled.as_dict()


def tell_lost(app: AppContext, store: Store, report: SyncReport, *, show: bool = True) -> None:
    """One line about the losses a sync found, and the notification (when configured)."""
    from amsync.cli import run_notices
    from amsync.lost.listing import losses_of_run
    from amsync.query.snapshot import reading

    new = report.lost.get("new", 0) if report.lost else 0
    if not new or report.run_id is None:
        return
    account_id = store.find_account_id(report.account)
    if account_id is None:
        return
    with reading(store) as reader:
        songs = losses_of_run(reader, account_id, report.run_id)
    since = iso_utc(report.started_at) or ""
    info(
        f"  lost: {len(songs)} song(s) not by your doing; {new} loss(es) in all (from the "
        f"library or a playlist): see `amsync lost --since {since}`",
        quiet=app.quiet or not show,
    )
    run_notices.lost_songs(len(songs), songs, since)
