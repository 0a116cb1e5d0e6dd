"""``amsync export m3u``: one extended M3U (UTF-8, ``.m3u8``) per playlist (DESIGN §4).

::

    #EXTM3U
    #PLAYLIST:<name>
    #EXTINF:<seconds>,<artist> - <name>
    <location>

The location is the Apple Music URL of the catalog song, a path from ``--path-template``, or the
song's local file (``--local``); paths are absolute or relative to the ``.m3u8`` file's own
folder (``locations``). A track with no location (an upload without catalog id; with
``--local``, a song without a matched file) is written as a ``#`` comment only and counted. No
text can break the line structure: line breaks and control characters become spaces, a location
that would read as a comment gets ``./`` in front.

Playlists in folders are written into sub-folders (``Parent/Child/Name.m3u8``), with names made
safe and unique (``playlist_files``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Final, TextIO

from amsync.db.store import Store
from amsync.export import playlist_rows
from amsync.export.export_options import Destination, ExportOptions, ExportReport
from amsync.export.locations import Locations
from amsync.export.playlist_files import (
    apple_music_url,
    export_playlist_files,
    export_selected_playlists,
)

EXTENSION: Final = ".m3u8"


def one_line(text: str | None) -> str:
    """``text`` with every character that could end or disturb a line replaced by a space."""
    if not text:
        return ""
    return "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp", "Cs") else c for c in text
    ).strip()


def _title(track: playlist_rows.Track) -> str:
    name = one_line(track.name) or "Unknown"
    artist = one_line(track.artist)
    return f"{artist} - {name}" if artist else name


def write_playlist(
    out: TextIO,
    head: playlist_rows.PlaylistHead,
    tracks: Iterator[playlist_rows.Track],
    locations: Locations,
    report: ExportReport,
) -> None:
    out.write("#EXTM3U\n")
    out.write(f"#PLAYLIST:{one_line(head.name)}\n")
    for track in tracks:
        report.count("tracks")
        location = locations.of(head, track)
        if location is None:
            report.tracks_without_location += 1
            what = "no local file" if locations.kind == "local" else "no location"
            out.write(f"# {what}: {_title(track)} ({one_line(track.library_id)})\n")
            continue
        seconds = round(track.duration_ms / 1000) if track.duration_ms else -1
        out.write(f"#EXTINF:{seconds},{_title(track)}\n{one_line(location.text)}\n")


def export_m3u(
    store: Store, account_id: int, directory: Path, options: ExportOptions
) -> ExportReport:
    """One ``.m3u8`` per playlist below ``directory`` (created if missing)."""
    return export_playlist_files(
        store,
        account_id,
        directory,
        options,
        format="m3u",
        extension=EXTENSION,
        write=write_playlist,
    )


def export_m3u_playlist(
    store: Store, account_id: int, destination: Destination, options: ExportOptions
) -> ExportReport:
    """The playlist(s) in ``options.playlists`` as one M3U (a file or stdout)."""
    return export_selected_playlists(
        store, account_id, destination, options, format="m3u", write=write_playlist
    )


__all__ = ["EXTENSION", "apple_music_url", "export_m3u", "export_m3u_playlist", "one_line"]
