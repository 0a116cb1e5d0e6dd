"""``amsync export csv``: one CSV file per collection (DESIGN §4).

UTF-8, a header row, RFC 4180 quoting (CRLF line ends; fields with commas, quotes or line
breaks quoted). A text cell a spreadsheet would run as a formula — starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return — is neutralised with a leading ``'`` unless ``raw``.
Booleans are ``true``/``false``, unknown values empty cells, genres joined with ``"; "``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final, TextIO

from sqlalchemy import Connection

from amsync.db.store import Store
from amsync.export import library_rows as rows
from amsync.export.atomic_files import prepare_output_dir
from amsync.export.export_options import (
    Destination,
    ExportOptions,
    ExportReport,
    open_destination,
    utc_stamp,
)
from amsync.query.playlist_lookup import find_playlists
from amsync.query.snapshot import snapshot

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")

SONGS_HEADER: Final = (
    "library_id",
    "catalog_id",
    "name",
    "artist",
    "album",
    "duration_ms",
    "track_number",
    "disc_number",
    "genres",
    "release_date",
    "isrc",
    "favourite",
    "date_added",
    "kind",
    "composer",
    "content_rating",
    "url",
    "available",
)
ALBUMS_HEADER: Final = (
    "library_id",
    "catalog_id",
    "name",
    "artist",
    "track_count",
    "release_date",
    "favourite",
    "genres",
    "date_added",
    "record_label",
    "upc",
)
ARTISTS_HEADER: Final = ("library_id", "catalog_id", "name", "favourite")
PLAYLIST_TRACKS_HEADER: Final = (
    "playlist_id",
    "playlist_name",
    "position",
    "library_id",
    "catalog_id",
    "name",
    "artist",
    "album",
    "duration_ms",
    "isrc",
    "kind",
    "folder",
)
FAVOURITES_HEADER: Final = rows.FAVOURITE_COLUMNS


def neutralise(value: str) -> str:
    """``value`` made inert for spreadsheets (a leading ``'``) when it would start a formula."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return value


def _genres(text: str | None) -> str | None:
    genres = rows.parse_genres(text)
    return None if genres is None else "; ".join(genres)


class _Writer:
    """A ``csv.writer`` that applies the cell rules and counts rows."""

    def __init__(self, out: TextIO, header: Sequence[str], raw: bool) -> None:
        self._writer = csv.writer(out, lineterminator="\r\n")
        self._raw = raw
        self._writer.writerow(header)
        self.rows = 0

    def write(self, values: Iterable[Any]) -> None:
        cells = [_cell(v) for v in values]
        if not self._raw:
            cells = [neutralise(c) if isinstance(c, str) else c for c in cells]
        self._writer.writerow(cells)
        self.rows += 1


def _song_cells(row: Any) -> Sequence[Any]:
    return (*row[0:8], _genres(row[8]), *row[9:11], bool(row[11]), *row[12:18])


def _album_cells(row: Any) -> Sequence[Any]:
    return (*row[0:6], bool(row[6]), _genres(row[7]), *row[8:11])


def _artist_cells(row: Any) -> Sequence[Any]:
    return (*row[0:3], bool(row[3]))


def _write_rows(
    out: TextIO, header: Sequence[str], items: Iterator[Any], cells: Callable[[Any], Any], raw: bool
) -> int:
    writer = _Writer(out, header, raw)
    for row in items:
        writer.write(cells(row))
    return writer.rows


def _write_playlist_tracks(
    out: TextIO,
    connection: Connection,
    account_id: int,
    options: ExportOptions,
    only: list[int] | None,
    report: ExportReport,
) -> None:
    writer = _Writer(out, PLAYLIST_TRACKS_HEADER, options.raw)
    pairs = rows.playlists(
        connection, account_id, include_removed=options.include_removed, only=only
    )
    for head, tracks in pairs:
        report.count("playlists")
        folder = "/".join(head.folder) if head.folder else None
        for t in tracks:
            writer.write(
                (
                    head.library_id,
                    head.name,
                    t.position,
                    t.library_id,
                    t.catalog_id,
                    t.name,
                    t.artist,
                    t.album,
                    t.duration_ms,
                    t.isrc,
                    t.kind,
                    folder,
                )
            )
    report.count("tracks", writer.rows)


def export_csv(
    store: Store, account_id: int, directory: Path, options: ExportOptions
) -> ExportReport:
    """Write the five CSV files into ``directory`` (created if missing). With
    ``options.playlists``, only ``playlist_tracks.csv`` with those playlists is written."""
    report = ExportReport(format="csv", exported_at=utc_stamp())
    root = prepare_output_dir(directory)
    removed = options.include_removed
    with snapshot(store) as connection:
        only = _selected(connection, account_id, options)
        if only is None:
            collections: list[tuple[str, Sequence[str], Any, Callable[[Any], Any]]] = [
                ("songs", SONGS_HEADER, rows.songs, _song_cells),
                ("albums", ALBUMS_HEADER, rows.albums, _album_cells),
                ("artists", ARTISTS_HEADER, rows.artists, _artist_cells),
            ]
            for name, header, reader, cells in collections:
                target = root / f"{name}.csv"
                with open_destination(target, report, newline="") as out:
                    items = reader(connection, account_id, include_removed=removed)
                    report.count(name, _write_rows(out, header, items, cells, options.raw))
        target = root / "playlist_tracks.csv"
        with open_destination(target, report, newline="") as out:
            _write_playlist_tracks(out, connection, account_id, options, only, report)
        if only is None:
            with open_destination(root / "favourites.csv", report, newline="") as out:
                items = rows.favourites(connection, account_id, include_removed=removed)
                written = _write_rows(out, FAVOURITES_HEADER, items, tuple, options.raw)
                report.count("favourites", written)
    return report


def export_csv_playlist(
    store: Store, account_id: int, destination: Destination, options: ExportOptions
) -> ExportReport:
    """The tracks of the playlists in ``options.playlists`` as one CSV (a file or stdout)."""
    report = ExportReport(format="csv", exported_at=utc_stamp())
    with snapshot(store) as connection:
        only = _selected(connection, account_id, options)
        with open_destination(destination, report, newline="") as out:
            _write_playlist_tracks(out, connection, account_id, options, only, report)
    return report


def _selected(connection: Connection, account_id: int, options: ExportOptions) -> list[int] | None:
    if not options.playlists:
        return None
    refs = find_playlists(
        connection, account_id, options.playlists, include_removed=options.include_removed
    )
    return [ref.id for ref in refs]
