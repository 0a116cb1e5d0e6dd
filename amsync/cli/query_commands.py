"""``amsync query | search | stats | history | show playlist | health``: offline questions to
the mirror (no network). Library text shown on a terminal goes through ``safe_text``.

Every one takes ``--format table|tsv|csv|json`` (``amsync.cli.tabular``). Nothing heavy is
imported at module level: ``query``, ``search``, ``stats`` and ``show playlist`` read an SQLite
mirror through the standard library (``AppContext.reading``) and answer without loading
SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import click

from amsync.cli.completion import complete_playlist
from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import safe_text, warn
from amsync.cli.tabular import (
    chosen_format,
    emit_listing,
    emit_report,
    listing_format_option,
    table_lines,
    table_width,
)
from amsync.domain.changes import HISTORY_KINDS

if TYPE_CHECKING:
    from amsync.query.health import HealthCheck
    from amsync.query.history import HistoryReport
    from amsync.query.playlist_view import PlaylistView
    from amsync.query.song_view import SongView

TABLE_ROWS: Final = 1000
SEARCH_TYPES: Final = ("song", "album", "artist", "playlist")


@click.command("query")
@click.argument("sql")
@listing_format_option
@click.option(
    "--all-accounts", is_flag=True, help="See every account's rows, not only the current one's."
)
@pass_app
def query(app: AppContext, sql: str, fmt: str | None, as_json: bool, all_accounts: bool) -> None:
    """Run one read-only SQL statement against the mirror.

    The views songs_v, albums_v, artists_v, folders_v, playlists_v, playlist_tracks_v,
    playlist_entries_v, favourites_v and changes_v are the stable interface (the documentation's
    "Views and columns"); tables can be read too. Only the current account's rows are visible unless
    --all-accounts. Writing statements, ATTACH, pragma writes and several statements are
    refused (exit 2); the database is opened read-only. On a terminal a result too wide for it
    is shown one record per block.
    """
    from amsync.db.reading import SqliteReader, account_id_of
    from amsync.query.readonly_sql import run_query

    output = chosen_format(fmt, as_json)
    with app.sql_source() as source:
        if all_accounts:
            account_id = None
        elif isinstance(source, SqliteReader):
            account_id = account_id_of(source, app.settings.account)
        else:
            account_id = source.account_id(app.settings.account, create=False)
        with run_query(source, sql, account_id=account_id) as result:
            left_out = emit_listing(output, result.columns, result.rows, limit=TABLE_ROWS)
    if left_out:
        warn(f"{left_out} more row(s) not shown; use --format tsv, csv or json to see all")


def _duration(ms: int | None) -> str:
    if not ms:
        return ""
    seconds = round(ms / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


@click.command("search")
@click.argument("text")
@click.option(
    "--type",
    "types",
    type=click.Choice(SEARCH_TYPES),
    multiple=True,
    help="Only this kind of item (repeatable) [default: all].",
)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@listing_format_option
@pass_app
def search_command(
    app: AppContext,
    text: str,
    types: tuple[str, ...],
    limit: int,
    fmt: str | None,
    as_json: bool,
) -> None:
    """Find songs, albums, artists and playlists by words of their names (offline).

    Each word must begin a word of the name, artist, album or description: `amsync search
    "hel ade"` finds Hello by Adele. Removed items are not found. Columns: type, library_id,
    name, artist (songs, albums), album (songs), description (playlists).
    """
    from amsync.db.reading import account_id_of
    from amsync.query.search import COLUMNS, search

    output = chosen_format(fmt, as_json)
    with app.reading() as reader:
        account_id = account_id_of(reader, app.settings.account)
        hits = search(reader, account_id, text, types=types or SEARCH_TYPES, limit=limit)
    if not hits and output == "table":
        click.echo("nothing found")
        return
    emit_listing(output, COLUMNS, (hit.as_row() for hit in hits))


@click.command("stats")
@listing_format_option
@pass_app
def stats(app: AppContext, fmt: str | None, as_json: bool) -> None:
    """Counts, favourites, database size, storefront and the last runs.

    --format json prints one object; tsv and csv print key/value rows whose key is the path
    of the value in that object (counts.songs.live).
    """
    from amsync.db.reading import account_id_of
    from amsync.query.library_stats import library_stats

    with app.reading() as reader:
        data = library_stats(reader, account_id_of(reader, app.settings.account))
    emit_report(chosen_format(fmt, as_json), data, lambda: _stats_text(data))


def _stats_text(data: dict[str, Any]) -> None:
    size = data["database"]["size_bytes"]
    click.echo(f"account: {safe_text(data['account'])} (storefront {data['storefront'] or '?'})")
    click.echo(f"database: {safe_text(data['database']['location'])}")
    if size is not None:
        click.echo(f"size: {size / 1_000_000:.1f} MB")
    click.echo(f"last synced: {data['last_synced_at'] or 'never'}")
    for name, counts in data["counts"].items():
        click.echo(f"{name}: {counts['live']} ({counts['removed']} removed)")
    click.echo(f"playlist tracks: {data['playlist_tracks']}")
    click.echo(f"unavailable songs: {data['unavailable_songs']}")
    for item_type, states in sorted(data["favourites"]["by_type"].items()):
        shown = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
        click.echo(f"favourites ({item_type}): {shown}")
    click.echo(f"favourite pushes pending: {data['favourites']['pending_pushes']}")
    listening = data.get("listening")
    if listening is not None:
        share = listening["linked_share"]
        linked = f", {share:.1%} linked to the library" if share is not None else ""
        click.echo(
            f"listening: {listening['plays']} plays, {listening['skips']} skipped, "
            f"{listening['hours']} hours from {listening['first_played_at'] or '?'} to "
            f"{listening['last_played_at'] or '?'}{linked} (`amsync top songs`)"
        )
    for run in data["last_runs"]:
        error = f" — {safe_text(run['error'])}" if run["error"] else ""
        click.echo(f"run {run['id']} {run['kind']} {run['status']} at {run['started_at']}{error}")


@click.group("show")
def show() -> None:
    """Show one item of the mirror."""


@show.command("playlist")
@click.argument("name_or_id", shell_complete=complete_playlist)
@listing_format_option
@pass_app
def show_playlist_command(app: AppContext, name_or_id: str, fmt: str | None, as_json: bool) -> None:
    """One playlist (a name or a library id) with its tracks in order, from position 0.

    --format json prints the playlist as one object with its tracks; tsv and csv print the
    tracks, one a line: position, library_id, catalog_id, name, artist, album, duration_ms,
    isrc.
    """
    from amsync.db.reading import account_id_of
    from amsync.query.playlist_view import TRACK_COLUMNS, show_playlist

    output = chosen_format(fmt, as_json)
    with app.reading() as reader:
        view = show_playlist(reader, account_id_of(reader, app.settings.account), name_or_id)
    emit_report(
        output,
        view.as_dict(),
        lambda: _playlist_text(view),
        columns=TRACK_COLUMNS,
        rows=[[t[c] for c in TRACK_COLUMNS] for t in view.tracks],
    )


def _playlist_text(view: PlaylistView) -> None:
    folder = f" in {safe_text(view.folder)}" if view.folder else ""
    removed = " (removed)" if view.removed else ""
    click.echo(f"{safe_text(view.name)} [{view.library_id}]{folder}{removed}")
    if view.description:
        click.echo(safe_text(view.description))
    click.echo(f"{len(view.tracks)} tracks, {_duration(view.duration_ms) or '0:00'}")
    if view.tracks:
        rows = [
            [t["position"], t["name"], t["artist"], t["album"], _duration(t["duration_ms"])]
            for t in view.tracks
        ]
        for line in table_lines(
            ["#", "name", "artist", "album", "time"], rows, width=table_width()
        ):
            click.echo(line)


HISTORY_COLUMNS: Final = (
    "at",
    "change",
    "type",
    "library_id",
    "name",
    "artist",
    "playlist_id",
    "playlist",
    "count",
    "detail",
)


@show.command("song")
@click.argument("song_id")
@listing_format_option
@pass_app
def show_song_command(app: AppContext, song_id: str, fmt: str | None, as_json: bool) -> None:
    """One song (a library or catalog id): what the mirror knows, and its plays, skips and
    last play once the listening history was imported (`amsync import apple-data`).

    --format json prints one object; tsv and csv print key/value rows (listening.plays).
    """
    from amsync.db.reading import account_id_of
    from amsync.query.song_view import show_song

    with app.reading() as reader:
        view = show_song(reader, account_id_of(reader, app.settings.account), song_id)
    emit_report(chosen_format(fmt, as_json), view.as_dict(), lambda: _song_text(view))


def _song_text(view: SongView) -> None:
    removed = " (removed)" if view.removed else ""
    click.echo(f"{safe_text(view.name)} [{view.library_id}]{removed}")
    for label, value in (("artist", view.artist), ("album", view.album)):
        if value:
            click.echo(f"{label}: {safe_text(value)}")
    click.echo(f"catalog id: {view.catalog_id or '-'}   isrc: {view.isrc or '-'}")
    click.echo(f"duration: {_duration(view.duration_ms) or '?'}")
    listening = view.listening
    if listening is None:
        return
    first = f", first: {listening['first_played_at']}" if listening["first_played_at"] else ""
    click.echo(
        f"plays: {listening['plays']}, skips: {listening['skips']}, "
        f"{listening['hours']} hours; last played: {listening['last_played_at'] or 'never'}{first}"
    )
    if listening["apple_play_count"] is not None:
        click.echo(
            f"Apple's counters: {listening['apple_play_count']} plays, "
            f"{listening['apple_skip_count'] or 0} skips"
        )


@click.command("history")
@click.option("--since", metavar="DATE|RUN", help="From a date (2026-03-01), a time or a run id.")
@click.option(
    "--playlist",
    metavar="NAME_OR_ID",
    help="Only this playlist's changes.",
    shell_complete=complete_playlist,
)
@click.option(
    "--change",
    "changes",
    type=click.Choice(HISTORY_KINDS),
    multiple=True,
    help="Only these changes (repeatable), e.g. --change removed: the kinds history prints "
    "(items added, changed, removed, revived; tracks that left or joined a playlist, playlists "
    "renamed or created).",
)
@listing_format_option
@pass_app
def history_command(
    app: AppContext,
    since: str | None,
    playlist: str | None,
    changes: tuple[str, ...],
    fmt: str | None,
    as_json: bool,
) -> None:
    """What was added, changed or removed, and which tracks left or joined playlists.

    "What vanished from my library since March": amsync history --since 2026-03-01 --change
    removed. --format json prints one object (changes, playlists); tsv and csv print one event
    a line: at, change (added, changed, removed, revived; left, joined, renamed, created),
    type, library_id, name, artist, playlist_id, playlist, count, detail.
    """
    from amsync.db.reading import account_id_of
    from amsync.query.history import history

    with app.reading() as reader:
        account_id = account_id_of(reader, app.settings.account)
        report = history(
            reader, account_id, since=since, playlist=playlist, changes=changes or HISTORY_KINDS
        )
    emit_report(
        chosen_format(fmt, as_json),
        report.as_dict(),
        lambda: _history_text(report),
        columns=HISTORY_COLUMNS,
        rows=history_rows(report),
    )


def history_rows(report: HistoryReport) -> list[tuple[Any, ...]]:
    """One row of ``HISTORY_COLUMNS`` per event, in the report's order."""
    rows: list[tuple[Any, ...]] = [
        (c.recorded_at, c.change, c.type, c.library_id, c.name, c.artist, None, None, None, None)
        for c in report.changes
    ]
    for p in report.playlists:
        if p.first_revision:
            rows.append(
                (
                    p.valid_from,
                    "created",
                    "playlist",
                    p.library_id,
                    p.name,
                    None,
                    p.library_id,
                    p.name,
                    p.track_count,
                    None,
                )
            )
        if p.renamed_from is not None:
            rows.append(
                (
                    p.valid_from,
                    "renamed",
                    "playlist",
                    p.library_id,
                    p.name,
                    None,
                    p.library_id,
                    p.name,
                    None,
                    f"from {p.renamed_from}",
                )
            )
        for change, tracks in (("left", p.removed), ("joined", p.added)):
            rows += [
                (
                    p.valid_from,
                    change,
                    "track",
                    t.library_id,
                    t.name,
                    t.artist,
                    p.library_id,
                    p.name,
                    t.count,
                    None,
                )
                for t in tracks
            ]
    return rows


def _history_text(report: HistoryReport) -> None:
    for item in report.changes:
        by = f" — {safe_text(item.artist)}" if item.artist else ""
        click.echo(
            f"{item.recorded_at}  {item.change:8} {item.type:8} {safe_text(item.name or '?')}{by}"
        )
    for change in report.playlists:
        title = f"{change.valid_from}  playlist {safe_text(change.name)} [{change.library_id}]"
        if change.renamed_from is not None:
            title += f" (renamed from {safe_text(change.renamed_from)})"
        if change.first_revision:
            title += f": created with {change.track_count} tracks"
        click.echo(title)
        for sign, tracks in (("-", change.removed), ("+", change.added)):
            for track in tracks:
                by = f" — {safe_text(track.artist)}" if track.artist else ""
                times = f" ×{track.count}" if track.count > 1 else ""
                click.echo(f"    {sign} {safe_text(track.name)}{by}{times}")
    if not report.changes and not report.playlists:
        click.echo("no changes" + (f" since {report.since}" if report.since else ""))


HEALTH_COLUMNS: Final = (
    "check",
    "count",
    "library_id",
    "catalog_id",
    "name",
    "artist",
    "album",
    "playlist_id",
    "playlist_name",
    "copies",
    "duration_ms",
    "missing",
)


@click.command("health")
@click.option(
    "--limit",
    type=click.IntRange(0, 100_000),
    default=20,
    show_default=True,
    help="Items listed per check.",
)
@listing_format_option
@pass_app
def health(app: AppContext, limit: int, fmt: str | None, as_json: bool) -> None:
    """Problems in the library: withdrawn songs, lost songs, uploads without catalog match,
    duplicates, duplicate playlist entries, empty playlists, missing metadata.

    --format json prints an array of checks with their items; tsv and csv print one item a
    line with its check's name and count.
    """
    from amsync.db.reading import account_id_of
    from amsync.query.health import as_dicts, library_health

    with app.reading() as reader:
        checks = library_health(reader, account_id_of(reader, app.settings.account), limit=limit)
    output = chosen_format(fmt, as_json)
    if output == "json":
        from amsync.cli.output import emit_json

        emit_json(as_dicts(checks))
    elif output == "table":
        _health_text(checks)
    else:
        emit_listing(output, HEALTH_COLUMNS, health_rows(checks))


def health_rows(checks: list[HealthCheck]) -> list[tuple[Any, ...]]:
    rows = []
    for check in checks:
        for item in check.items:
            values = {**item, "check": check.name, "count": check.count}
            if isinstance(values.get("missing"), list):
                values["missing"] = ", ".join(values["missing"])
            rows.append(tuple(values.get(column) for column in HEALTH_COLUMNS))
    return rows


def _health_text(checks: list[HealthCheck]) -> None:
    for check in checks:
        click.echo(f"{check.count:6}  {check.title}")
        for item in check.items:
            shown = ", ".join(
                f"{key}={safe_text(str(value))}" for key, value in item.items() if value is not None
            )
            click.echo(f"        {shown}")
