"""``amsync import apple-data`` and ``amsync top``: the listening history from Apple's privacy
export, and what it says was played most. (SQLAlchemy and the rest are imported inside the
commands, so that ``--help`` stays fast.)"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import click

from amsync import DOCS_URL
from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import emit_json, safe_text
from amsync.cli.tabular import chosen_format, emit_listing, listing_format_option

if TYPE_CHECKING:
    from amsync.db.store import Store
    from amsync.history.report import ImportReport, Tally

TOP_KINDS: Final = ("songs", "artists", "albums")
KIND_NAMES: Final = {
    "library tracks": "library tracks",
    "play activity": "play activity",
    "daily tracks": "daily history",
}


@click.group("import")
def import_group() -> None:
    """Import data from elsewhere: Apple's privacy export (listening history)."""


@import_group.command("apple-data")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Read and link everything, report it, store nothing.")
@click.option(
    "--keep-personal",
    is_flag=True,
    help="Also store personal columns (IP addresses, device identifiers, location, time zone).",
)
@click.option(
    "--wait",
    "wait_s",
    type=click.FloatRange(0, 86_400),
    default=0,
    metavar="SECONDS",
    help="Wait this long for a sync or another import of the account to finish (else exit 4).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as a JSON object.")
@pass_app
def apple_data(
    app: AppContext, path: Path, dry_run: bool, keep_personal: bool, wait_s: float, as_json: bool
) -> None:
    """Import Apple's privacy export (the zip from privacy.apple.com, the folder it unpacks to,
    or a zip inside it) as the account's listening history.

    Stores every play (Apple Music Play Activity.csv), the daily history and Apple's per-track
    counters, links each to a mirrored song, and says what it read, linked, could not link
    and skipped. Importing the same export again adds nothing; a newer one adds only new
    plays. Personal columns are not stored unless --keep-personal. Nothing is extracted to
    disk; one transaction: a failed import stores nothing. Holds the account's run lock.
    """
    from amsync.history import import_apple_data

    with contextlib.ExitStack() as stack:
        store = _import_store(app, dry_run, stack)
        progress = None if as_json or app.quiet or not sys.stderr.isatty() else _progress_line()
        try:
            report = import_apple_data(
                store,
                app.settings.account,
                path,
                dry_run=dry_run,
                keep_personal=keep_personal,
                progress=progress,
                wait_s=wait_s,
            )
        finally:
            if progress is not None:
                click.echo("\r\033[K", err=True, nl=False)
    if as_json:
        emit_json(report.as_dict())
        return
    _render(report, quiet=app.quiet)


def _import_store(app: AppContext, dry_run: bool, stack: contextlib.ExitStack) -> Store:
    """The database; for a dry run without one yet, a throwaway one inside amsync's home (a
    dry run creates nothing that stays)."""
    if not dry_run:
        return app.store()
    from amsync.db.engine import database_url, is_sqlite
    from amsync.db.store import open_store

    url = database_url(app.settings.db)
    if not is_sqlite(url) or Path(str(url.database)).exists():
        return app.store(create=False)
    folder = stack.enter_context(
        tempfile.TemporaryDirectory(prefix=".dry-run-", dir=app.writable_home())
    )
    store = open_store(str(Path(folder) / "dry-run.db"))
    stack.callback(store.close)
    return store


def _progress_line() -> Callable[[str, int], None]:
    def show(kind: str, rows: int) -> None:
        click.echo(
            f"\r\033[Kreading {KIND_NAMES.get(kind, kind)}: {rows:,} rows", err=True, nl=False
        )

    return show


def _short(where: str) -> str:
    """``outer.zip › inner.zip › folder/file.csv:12`` → ``file.csv:12`` (JSON has it whole)."""
    return where.split(" › ")[-1].rsplit("/", 1)[-1]


def _share(part: int, whole: int) -> str:
    return f" ({part / whole:.1%})" if whole else ""


def _tally_line(label: str, tally: Tally, unit: str) -> str:
    return (
        f"{label}: {tally.read:,} {unit} read — {tally.new:,} new, {tally.known:,} already "
        f"imported; linked to mirrored songs: {tally.linked:,}"
        f"{_share(tally.linked, tally.linked + tally.unlinked)}, not linked: {tally.unlinked:,}"
    )


def _render(report: ImportReport, *, quiet: bool) -> None:
    echo = click.echo
    verb = "Read (dry run: nothing stored)" if report.dry_run else "Imported"
    echo(
        f"{verb} {safe_text(report.source)} for account {safe_text(report.account)} "
        f"({report.mirror_songs:,} songs in the mirror)"
    )
    if not quiet:
        for read in report.files:
            echo(f"  {read.rows:>9,} rows  {safe_text(read.file)}")
    echo(_tally_line("play events", report.plays, "plays") + " (counted for new plays)")
    if report.plays.contradicted:
        echo(
            f"  of those not linked, {report.plays.contradicted:,} matched a song by name but the "
            "daily history shows another song that day"
        )
    if report.plays.relinked:
        echo(f"earlier play events linked now: {report.plays.relinked:,}")
    if report.daily.read:
        echo(_tally_line("daily history", report.daily, "rows"))
    if report.library_tracks.read:
        echo(_tally_line("library tracks", report.library_tracks, "tracks"))
    unlinked = report.unlinked_top()
    if unlinked and not quiet:
        echo("not linked, most played (not in the mirror, or not told apart):")
        for song in unlinked:
            where = " — ".join(safe_text(v) for v in (song["artist"], song["album"]) if v)
            echo(
                f"  {song['plays']:>7,}  {safe_text(song['name'])}"
                + (f" — {where}" if where else "")
            )
    skipped = report.skipped.as_list()
    if skipped:
        echo(f"skipped (not stored): {report.skipped.total:,}")
        for item in skipped:
            examples = ", ".join(safe_text(_short(e)) for e in item["examples"][:3])
            echo(
                f"  {item['count']:>7,}  {safe_text(item['reason'])}"
                + (f"  (e.g. {examples})" if examples and not quiet else "")
            )
    if report.not_imported and not quiet:
        names = ", ".join(
            safe_text(Path(n["file"].split(" › ")[-1]).name) for n in report.not_imported
        )
        echo(f"not imported: {names} (amsync mirrors playlists and favourites from Apple Music)")
    if not report.keep_personal:
        echo(
            "personal columns (IP addresses, device identifiers, location, time zone) were not "
            "stored (--keep-personal stores them)"
        )
    if report.plays.unlinked and not report.dry_run:
        echo(
            "next: `amsync listens fill` looks up the artist of plays not linked to a mirrored "
            "song in Apple's catalog; then `amsync listens push URL` sends the history to "
            "ListenBrainz (docs/how-to/listens-out.md)"
        )


NO_HISTORY: Final = (
    "no listening history yet: import Apple's privacy export with "
    f"`amsync import apple-data PATH` ({DOCS_URL}how-to/listening-history/)"
)


@click.command("top")
@click.argument("kind", type=click.Choice(TOP_KINDS))
@click.option("--year", metavar="YYYY", help="Only plays of this year (UTC).")
@click.option("--since", metavar="DATE", help="Only plays from this date or time on.")
@click.option(
    "--limit", type=click.IntRange(1, 1_000_000), default=20, show_default=True, help="How many."
)
@click.option(
    "--by",
    type=click.Choice(["plays", "time"]),
    default="plays",
    show_default=True,
    help="Rank by plays (not skipped) or by listening time.",
)
@listing_format_option
@pass_app
def top(
    app: AppContext,
    kind: str,
    year: str | None,
    since: str | None,
    limit: int,
    by: str,
    fmt: str | None,
    as_json: bool,
) -> None:
    """The most played songs, artists or albums, from the imported listening history.

    amsync top songs --year 2025; amsync top artists --since 2026-01-01 --by time. Plays are
    plays not skipped; hours is listening time. Needs `amsync import apple-data` first.
    """
    from amsync.db.reading import account_id_of
    from amsync.query.listening import Period, has_history, top_played

    period = Period.of(year, since)
    chosen = chosen_format(fmt, as_json)
    with app.reading() as reader:
        account_id = account_id_of(reader, app.settings.account)
        columns, rows = top_played(reader, account_id, kind, period, by=by, limit=limit)
        imported = bool(rows) or has_history(reader, account_id)
    if not rows and chosen == "table":
        click.echo(NO_HISTORY if not imported else f"nothing played ({period.describe()})")
        return
    if not imported:
        # a script gets the header alone; the person behind the pipe learns why
        click.echo(f"amsync: {NO_HISTORY}", err=True)
    emit_listing(chosen, columns, _rows(rows))


def _rows(rows: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    yield from rows
