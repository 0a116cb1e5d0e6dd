"""``amsync export csv --layout soundiiz|tunemymusic|exportify``: playlist tracks in the CSV
columns that playlist-transfer services import, with the ISRC that lets them match exactly.

Column lists, from public sources (each service's documentation, or files it writes and reads):

- **TuneMyMusic**: ``Track name, Artist name, Album, Playlist name, Type, ISRC``, then a
  ``<Service> - id`` column — the header of TuneMyMusic's own CSV exports, which its importer
  reads back (seen in the test fixtures of several public parsers of TuneMyMusic files, where
  the last column is e.g. ``Spotify - id``). ``Type`` is ``Playlist``; one file holds every
  playlist, told apart by ``Playlist name``. amsync's id column is ``Apple Music - id`` (the
  catalog id). File: ``tunemymusic.csv``.
- **Soundiiz**: its CSV import matches columns by name and ignores unknown ones; files made
  for it use lower-case ``title, artist, album, isrc`` (the "Soundiiz / TuneMyMusic" CSV
  profile described in public CSV-format documentation). Soundiiz makes one playlist of one
  file, named after the file, so amsync writes one file per playlist (``<playlist>.csv``,
  folders as sub-folders, like the M3U export).
- **Exportify** (the "Export Format" of the watsonbox/exportify README): ``Track URI, Track
  Name, Artist URI(s), Artist Name(s), Album URI, Album Name, Album Artist URI(s), Album Artist
  Name(s), Album Release Date, Album Image URL, Disc Number, Track Number, Track Duration (ms),
  Track Preview URL, Explicit, Popularity, ISRC, Added By, Added At``; one CSV per playlist, as
  Exportify writes. The URI columns hold Spotify URIs, which amsync does not have: they stay
  empty (an Apple Music URL there would send importers that trust the URI to look up
  something that is not a Spotify id); importers of Exportify files key on ``Track Name``,
  ``Artist Name(s)``, ``Album Name``, ``ISRC`` and ``Track Duration (ms)``, all filled.

Cells that a spreadsheet would run as a formula are neutralised like every amsync CSV, unless
``--raw``. Tracks without a name are still written (with their ISRC, which is what matters).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TextIO

from amsync.db.store import Store
from amsync.errors import UsageError
from amsync.export import playlist_rows
from amsync.export.atomic_files import prepare_output_dir
from amsync.export.csv_cells import neutralise
from amsync.export.export_options import (
    Destination,
    ExportOptions,
    ExportReport,
    open_destination,
    utc_stamp,
)
from amsync.export.playlist_files import PlaylistLayout
from amsync.query.snapshot import snapshot

Track = playlist_rows.Track
Head = playlist_rows.PlaylistHead


@dataclass(frozen=True)
class Layout:
    name: str
    header: tuple[str, ...]
    cells: Callable[[Head, Track], Sequence[Any]]
    one_file: str | None  # the single file of every playlist, or None: one file per playlist


def _tunemymusic(head: Head, track: Track) -> Sequence[Any]:
    return (track.name, track.artist, track.album, head.name, "Playlist", track.isrc,
            track.catalog_id)  # fmt: skip


def _soundiiz(head: Head, track: Track) -> Sequence[Any]:
    return (track.name, track.artist, track.album, track.isrc)


def _exportify(head: Head, track: Track) -> Sequence[Any]:
    return (
        None, track.name, None, track.artist, None, track.album, None, None, None, None,
        track.disc_number, track.track_number, track.duration_ms, None, None, None,
        track.isrc, None, None,
    )  # fmt: skip


LAYOUTS: Final[dict[str, Layout]] = {
    "tunemymusic": Layout(
        "tunemymusic",
        ("Track name", "Artist name", "Album", "Playlist name", "Type", "ISRC", "Apple Music - id"),
        _tunemymusic,
        "tunemymusic.csv",
    ),
    "soundiiz": Layout("soundiiz", ("title", "artist", "album", "isrc"), _soundiiz, None),
    "exportify": Layout(
        "exportify",
        (
            "Track URI",
            "Track Name",
            "Artist URI(s)",
            "Artist Name(s)",
            "Album URI",
            "Album Name",
            "Album Artist URI(s)",
            "Album Artist Name(s)",
            "Album Release Date",
            "Album Image URL",
            "Disc Number",
            "Track Number",
            "Track Duration (ms)",
            "Track Preview URL",
            "Explicit",
            "Popularity",
            "ISRC",
            "Added By",
            "Added At",
        ),
        _exportify,
        None,
    ),
}
LAYOUT_NAMES: Final = ("amsync", *LAYOUTS)


def _cell(value: Any, raw: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value if raw else neutralise(value)
    return value


def _write_rows(
    out: TextIO, layout: Layout, pairs: Iterator[tuple[Head, Iterator[Track]]], raw: bool,
    report: ExportReport, *, header: bool = True,
) -> None:  # fmt: skip
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(layout.header)
    for head, tracks in pairs:
        report.count("playlists")
        for track in tracks:
            report.count("tracks")
            writer.writerow([_cell(value, raw) for value in layout.cells(head, track)])


def _layout(options: ExportOptions) -> Layout:
    try:
        return LAYOUTS[options.layout]
    except KeyError:
        raise UsageError(
            f"unknown CSV layout {options.layout!r}; use one of {', '.join(LAYOUT_NAMES)}"
        ) from None


def export_transfer_csv(
    store: Store, account_id: int, directory: Path, options: ExportOptions
) -> ExportReport:
    """The playlists (all, or ``options.playlists``) below ``directory`` in ``options.layout``."""
    layout = _layout(options)
    report = ExportReport(format=f"csv-{layout.name}", exported_at=utc_stamp())
    root = prepare_output_dir(directory)
    with snapshot(store) as connection:
        pairs = playlist_rows.chosen_playlists(
            connection,
            account_id,
            options.playlists or None,
            include_removed=options.include_removed,
        )
        if layout.one_file is not None:
            with open_destination(root / layout.one_file, report, newline="") as out:
                _write_rows(out, layout, pairs, options.raw, report)
            return report
        files = PlaylistLayout(root, playlist_rows.folders(connection, account_id), ".csv")
        for head, tracks in pairs:
            with open_destination(files.file_for(head), report, newline="") as out:
                _write_rows(out, layout, iter([(head, tracks)]), options.raw, report)
    return report


def export_transfer_csv_playlist(
    store: Store, account_id: int, destination: Destination, options: ExportOptions
) -> ExportReport:
    """The playlists in ``options.playlists`` as one CSV in ``options.layout`` (a file or
    stdout); a one-playlist-per-file layout takes one playlist."""
    layout = _layout(options)
    if layout.one_file is None and len(options.playlists) > 1:
        raise UsageError(
            f"a {layout.name} CSV holds one playlist", hint="give -o a folder for several"
        )
    report = ExportReport(format=f"csv-{layout.name}", exported_at=utc_stamp())
    with snapshot(store) as connection:
        pairs = playlist_rows.chosen_playlists(
            connection, account_id, options.playlists, include_removed=options.include_removed
        )
        with open_destination(destination, report, newline="") as out:
            _write_rows(out, layout, pairs, options.raw, report)
    return report
