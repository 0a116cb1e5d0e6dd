"""``amsync query | search | stats | history | show playlist | health``: offline questions to
the mirror (no network). Library text shown on a terminal goes through ``safe_text``."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Final

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import emit_json, safe_text, warn
from amsync.db.store import Store
from amsync.domain.timestamps import iso_utc
from amsync.query.health import as_dicts, library_health
from amsync.query.history import CHANGES, history
from amsync.query.library_stats import library_stats
from amsync.query.playlist_view import show_playlist
from amsync.query.readonly_sql import run_query
from amsync.query.search import TYPES, search

TABLE_ROWS: Final = 1000


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return iso_utc(value) or ""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return _cell_text(value)


def render_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, limit: int) -> int:
    """Rows as a table on stdout (at most ``limit``); returns how many were left out."""
    table = Table(show_header=True, header_style="bold", show_lines=False)
    for column in columns:
        table.add_column(Text(safe_text(column)), overflow="fold")
    shown = left_out = 0
    for row in rows:
        if shown >= limit:
            left_out += 1
            continue
        table.add_row(*(Text(safe_text(_cell_text(v))) for v in row))
        shown += 1
    Console(highlight=False, soft_wrap=False).print(table)
    return left_out


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell_text(v) for v in row])


def write_json_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A JSON array of objects, written row by row."""
    out = sys.stdout
    out.write("[")
    first = True
    for row in rows:
        item = {c: _json_value(v) for c, v in zip(columns, row, strict=False)}
        out.write(("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False, default=str))
        first = False
    out.write("]\n" if first else "\n]\n")
    out.flush()


def _reading_store(app: AppContext) -> Store:
    return app.store(create=False, readonly=True)


@click.command("query")
@click.argument("sql")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--all-accounts", is_flag=True, help="See every account's rows, not only the current one's."
)
@pass_app
def query(app: AppContext, sql: str, fmt: str, all_accounts: bool) -> None:
    """Run one read-only SQL statement against the mirror.

    The views songs_v, albums_v, artists_v, folders_v, playlists_v, playlist_tracks_v,
    playlist_entries_v, favourites_v and changes_v are the stable interface (README "Querying
    the mirror"); tables can be read too. Only the current account's rows are visible unless
    --all-accounts. Writing statements, ATTACH, pragma writes and several statements are
    refused (exit 2); the database is opened read-only.
    """
    store = _reading_store(app)
    account_id = None if all_accounts else store.account_id(app.settings.account, create=False)
    with run_query(store, sql, account_id=account_id) as result:
        if fmt == "csv":
            write_csv(result.columns, result.rows)
        elif fmt == "json":
            write_json_rows(result.columns, result.rows)
        else:
            left_out = render_table(result.columns, result.rows, limit=TABLE_ROWS)
            if left_out:
                warn(f"{left_out} more row(s) not shown; use --format csv or json to see all")


def _account(app: AppContext, store: Store) -> int:
    return store.account_id(app.settings.account, create=False)


def _library_store(app: AppContext) -> Store:
    return app.store(create=False)


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
    type=click.Choice(TYPES),
    multiple=True,
    help="Only this kind of item (repeatable) [default: all].",
)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def search_command(
    app: AppContext, text: str, types: tuple[str, ...], limit: int, as_json: bool
) -> None:
    """Find songs, albums, artists and playlists by words of their names (offline).

    Each word must begin a word of the name, artist, album or description: `amsync search
    "hel ade"` finds Hello by Adele. Removed items are not found.
    """
    store = _library_store(app)
    hits = search(store, _account(app, store), text, types=types or TYPES, limit=limit)
    if as_json:
        emit_json([hit.as_dict() for hit in hits])
        return
    if not hits:
        click.echo("nothing found")
        return
    render_table(
        ["type", "id", "name", "artist", "album / description"],
        ([h.type, h.library_id, h.name, h.artist, h.album] for h in hits),
        limit=limit,
    )


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_app
def stats(app: AppContext, as_json: bool) -> None:
    """Counts, favourites, database size, storefront and the last runs."""
    store = _library_store(app)
    data = library_stats(store, _account(app, store))
    if as_json:
        emit_json(data)
        return
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
@click.argument("name_or_id")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_app
def show_playlist_command(app: AppContext, name_or_id: str, as_json: bool) -> None:
    """One playlist (a name or a library id) with its tracks in order, from position 0."""
    store = _library_store(app)
    view = show_playlist(store, _account(app, store), name_or_id)
    if as_json:
        emit_json(view.as_dict())
        return
    folder = f" in {safe_text(view.folder)}" if view.folder else ""
    removed = " (removed)" if view.removed else ""
    click.echo(f"{safe_text(view.name)} [{view.library_id}]{folder}{removed}")
    if view.description:
        click.echo(safe_text(view.description))
    click.echo(f"{len(view.tracks)} tracks, {_duration(view.duration_ms) or '0:00'}")
    if view.tracks:
        render_table(
            ["#", "name", "artist", "album", "time"],
            (
                [t["position"], t["name"], t["artist"], t["album"], _duration(t["duration_ms"])]
                for t in view.tracks
            ),
            limit=len(view.tracks),
        )


@show.command("song")
@click.argument("song_id")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_app
def show_song_command(app: AppContext, song_id: str, as_json: bool) -> None:
    """One song (a library or catalog id): what the mirror knows, and its plays, skips and
    last play once the listening history was imported (`amsync import apple-data`)."""
    from amsync.query.song_view import show_song

    store = _library_store(app)
    view = show_song(store, _account(app, store), song_id)
    if as_json:
        emit_json(view.as_dict())
        return
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
    click.echo(
        f"plays: {listening['plays']}, skips: {listening['skips']}, "
        f"{listening['hours']} hours; last played: {listening['last_played_at'] or 'never'}"
        + (f", first: {listening['first_played_at']}" if listening["first_played_at"] else "")
    )
    if listening["apple_play_count"] is not None:
        click.echo(
            f"Apple's counters: {listening['apple_play_count']} plays, "
            f"{listening['apple_skip_count'] or 0} skips"
        )


@click.command("history")
@click.option("--since", metavar="DATE|RUN", help="From a date (2026-03-01), a time or a run id.")
@click.option("--playlist", metavar="NAME_OR_ID", help="Only this playlist's changes.")
@click.option(
    "--change",
    "changes",
    type=click.Choice(CHANGES),
    multiple=True,
    help="Only these changes (repeatable), e.g. --change removed.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_app
def history_command(
    app: AppContext,
    since: str | None,
    playlist: str | None,
    changes: tuple[str, ...],
    as_json: bool,
) -> None:
    """What was added, changed or removed, and which tracks left or joined playlists.

    "What vanished from my library since March": amsync history --since 2026-03-01 --change
    removed.
    """
    store = _library_store(app)
    report = history(
        store, _account(app, store), since=since, playlist=playlist, changes=changes or CHANGES
    )
    if as_json:
        emit_json(report.as_dict())
        return
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


@click.command("health")
@click.option(
    "--limit",
    type=click.IntRange(0, 100_000),
    default=20,
    show_default=True,
    help="Items listed per check.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of checks.")
@pass_app
def health(app: AppContext, limit: int, as_json: bool) -> None:
    """Problems in the library: withdrawn songs, uploads without catalog match, duplicates,
    duplicate playlist entries, empty playlists, missing metadata."""
    store = _library_store(app)
    checks = library_health(store, _account(app, store), limit=limit)
    if as_json:
        emit_json(as_dicts(checks))
        return
    for check in checks:
        click.echo(f"{check.count:6}  {check.title}")
        for item in check.items:
            shown = ", ".join(
                f"{key}={safe_text(str(value))}" for key, value in item.items() if value is not None
            )
            click.echo(f"        {shown}")
