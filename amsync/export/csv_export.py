"""``amsync export csv``: one CSV file per collection (DESIGN §4).

UTF-8, a header row, RFC 4180 quoting (CRLF line ends; fields with commas, quotes or line breaks
quoted). A text cell a spreadsheet would run as a formula — starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return — is neutralised with a leading ``'`` unless ``raw``. Booleans are
``true``/``false``, unknown values empty cells. Column names and cells are those of the views
(docs/reference/export-formats.md "Names across outputs"): ``catalog_url``, ``catalog_available``,
``rating`` (1, -1 or empty), and genres as the JSON array text ``["Pop", "Music"]`` that ``songs_v``
shows. Once the listening history was imported, ``songs.csv`` ends with ``plays`` and
``last_played_at``.

The cells are computed by the database (``csv_cells``) and read straight from the driver's
cursor in chunks, which ``csv.writer.writerows`` writes: the export streams at close to the
speed of a plain ``sqlite3`` dump of the same rows.
"""

from __future__ import annotations

import contextlib
import csv
import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TextIO

from sqlalchemy import Connection

from amsync.db.store import Store
from amsync.export import library_rows as rows
from amsync.export import playlist_rows
from amsync.export.atomic_files import prepare_output_dir
from amsync.export.csv_cells import FORMULA_STARTS, Cell, CellQuery, cell_query, neutralise
from amsync.export.export_options import (
    Destination,
    ExportOptions,
    ExportReport,
    open_destination,
    utc_stamp,
)
from amsync.export.play_columns import has_plays
from amsync.query.snapshot import snapshot

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
    "catalog_url",
    "catalog_available",
    "rating",
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
    "rating",
)
ARTISTS_HEADER: Final = ("library_id", "catalog_id", "name", "favourite", "rating")
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


def _layout(
    columns: Sequence[str], header: Sequence[str], source: Mapping[str, str] | None = None
) -> tuple[tuple[int, Cell], ...]:
    """For each header name, the index of its column among ``columns`` (the ``library_rows``
    query's; ``source`` maps a header name to a column name where they differ) and its kind
    of cell: text unless ``_CELL_KINDS`` says otherwise."""
    source = source or {}
    return tuple(
        (columns.index(source.get(name, name)), _CELL_KINDS.get(name, Cell.TEXT)) for name in header
    )


_CELL_KINDS: Final = {
    "duration_ms": Cell.NUMBER,
    "track_number": Cell.NUMBER,
    "disc_number": Cell.NUMBER,
    "track_count": Cell.NUMBER,
    "position": Cell.NUMBER,
    "rating": Cell.NUMBER,
    "favourite": Cell.FLAG,
    "catalog_available": Cell.MAYBE_FLAG,
    "folder": Cell.FOLDER,
    "plays": Cell.NUMBER,
    "last_played_at": Cell.NUMBER,  # ISO text from SQL, never a formula
}
SONG_CELLS: Final = _layout(rows.SONG_COLUMNS, SONGS_HEADER)
# With the listening history: two more columns at the end of songs.csv.
SONGS_HEADER_WITH_PLAYS: Final = (*SONGS_HEADER, *rows.PLAY_COLUMNS)
SONG_CELLS_WITH_PLAYS: Final = _layout(
    (*rows.SONG_COLUMNS, *rows.PLAY_COLUMNS), SONGS_HEADER_WITH_PLAYS
)
ALBUM_CELLS: Final = _layout(rows.ALBUM_COLUMNS, ALBUMS_HEADER)
ARTIST_CELLS: Final = _layout(rows.ARTIST_COLUMNS, ARTISTS_HEADER)
FAVOURITE_CELLS: Final = _layout(rows.FAVOURITE_COLUMNS, FAVOURITES_HEADER)
PLAYLIST_TRACK_CELLS: Final = _layout(
    playlist_rows.PLAYLIST_COLUMNS,
    PLAYLIST_TRACKS_HEADER,
    {"playlist_id": "playlist_library_id", "folder": "folder_library_id"},
)


def _write_cells(
    out: TextIO, header: Sequence[str], connection: Connection, queries: Sequence[CellQuery]
) -> int:
    """The header, then every row of ``queries`` in turn; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    written = 0
    for query in queries:
        fix = query.fix
        with contextlib.closing(rows.chunks(connection, query.statement)) as chunks:
            for chunk in chunks:
                writer.writerows(chunk if fix is None else fix(chunk))
                written += len(chunk)
    return written


def _write_playlist_tracks(
    out: TextIO,
    connection: Connection,
    account_id: int,
    options: ExportOptions,
    only: list[int] | None,
    report: ExportReport,
) -> None:
    removed = options.include_removed
    report.count(
        "playlists",
        playlist_rows.playlist_count(connection, account_id, include_removed=removed, only=only),
    )
    statement = playlist_rows.playlist_statement(
        account_id, include_removed=removed, only=only, tracks_only=True
    )
    query = cell_query(
        statement,
        PLAYLIST_TRACK_CELLS,
        raw=options.raw,
        folders=playlist_rows.folders(connection, account_id),
    )
    report.count("tracks", _write_cells(out, PLAYLIST_TRACKS_HEADER, connection, [query]))


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
            songs: tuple[str, Sequence[str], Any, Any] = (
                "songs",
                SONGS_HEADER,
                rows.song_statement,
                SONG_CELLS,
            )
            if has_plays(connection, account_id):
                songs = (
                    "songs",
                    SONGS_HEADER_WITH_PLAYS,
                    functools.partial(rows.song_statement, with_plays=True),
                    SONG_CELLS_WITH_PLAYS,
                )
            collections: list[tuple[str, Sequence[str], Any, Any]] = [
                songs,
                ("albums", ALBUMS_HEADER, rows.album_statement, ALBUM_CELLS),
                ("artists", ARTISTS_HEADER, rows.artist_statement, ARTIST_CELLS),
            ]
            for name, header, build, layout in collections:
                statement = build(account_id, include_removed=removed)
                query = cell_query(statement, layout, raw=options.raw)
                with open_destination(root / f"{name}.csv", report, newline="") as out:
                    report.count(name, _write_cells(out, header, connection, [query]))
        target = root / "playlist_tracks.csv"
        with open_destination(target, report, newline="") as out:
            _write_playlist_tracks(out, connection, account_id, options, only, report)
        if only is None:
            queries = [
                cell_query(statement, FAVOURITE_CELLS, raw=options.raw)
                for statement in rows.favourite_statements(account_id, include_removed=removed)
            ]
            with open_destination(root / "favourites.csv", report, newline="") as out:
                written = _write_cells(out, FAVOURITES_HEADER, connection, queries)
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
    return playlist_rows.chosen_ids(
        connection, account_id, options.playlists or None, include_removed=options.include_removed
    )


__all__ = [
    "ALBUMS_HEADER",
    "ARTISTS_HEADER",
    "FAVOURITES_HEADER",
    "FORMULA_STARTS",
    "PLAYLIST_TRACKS_HEADER",
    "SONGS_HEADER",
    "export_csv",
    "export_csv_playlist",
    "neutralise",
]
