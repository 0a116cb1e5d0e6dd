"""``amsync export m3u``: one extended M3U (UTF-8, ``.m3u8``) per playlist (DESIGN §4).

::

    #EXTM3U
    #PLAYLIST:<name>
    #EXTINF:<seconds>,<artist> - <name>
    <location>

The location is the Apple Music URL of the catalog song (its catalog ``url``, else
``https://music.apple.com/<storefront>/song/<catalog id>``), or a path from ``--path-template``.
A track with no location (an upload without catalog id) is written as a ``#`` comment only and
counted. No text can break the line structure: line breaks and control characters become
spaces, a location that would read as a comment gets ``./`` in front.

Playlists in folders are written into sub-folders (``Parent/Child/Name.m3u8``); every file and
folder name is sanitised and unique in its folder (``file_names``), and every file is checked
to lie inside the output folder.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Final, TextIO
from urllib.parse import quote

from amsync.db.store import Store
from amsync.export import library_rows as rows
from amsync.export.atomic_files import inside, prepare_output_dir, subfolder
from amsync.export.export_options import (
    DEFAULT_STOREFRONT,
    Destination,
    ExportOptions,
    ExportReport,
    open_destination,
    utc_stamp,
)
from amsync.export.file_names import NameSpace
from amsync.export.path_template import PathTemplate, compile_template
from amsync.query.playlist_lookup import find_playlists
from amsync.query.snapshot import snapshot

EXTENSION: Final = ".m3u8"
APPLE_MUSIC: Final = "https://music.apple.com"
_URL_OK: Final = re.compile(r"^https?://[^\s\x00-\x1f\x7f]+$")
_STOREFRONT_OK: Final = re.compile(r"^[a-z]{2}$")


def one_line(text: str | None) -> str:
    """``text`` with every character that could end or disturb a line replaced by a space."""
    if not text:
        return ""
    return "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp", "Cs") else c for c in text
    ).strip()


def apple_music_url(track: rows.Track, storefront: str) -> str | None:
    """Where Apple Music plays the track: its catalog URL, or one built from the catalog id."""
    if track.url and _URL_OK.match(track.url):
        return track.url
    if not track.catalog_id:
        return None
    kind = "music-video" if track.kind in ("music-video", "music-videos") else "song"
    return f"{APPLE_MUSIC}/{storefront}/{kind}/{quote(track.catalog_id, safe='')}"


class _Locations:
    def __init__(self, storefront: str, template: PathTemplate | None) -> None:
        self.storefront = storefront
        self.template = template

    def of(self, head: rows.PlaylistHead, track: rows.Track) -> str | None:
        if self.template is None:
            return apple_music_url(track, self.storefront)
        return self.template.render(
            {
                "artist": track.artist,
                "album": track.album,
                "name": track.name,
                "library_id": track.library_id,
                "catalog_id": track.catalog_id,
                "isrc": track.isrc,
                "playlist": head.name,
                "disc": track.disc_number,
                "track": track.track_number,
                "position": track.position,
            }
        )


def _title(track: rows.Track) -> str:
    name = one_line(track.name) or "Unknown"
    artist = one_line(track.artist)
    return f"{artist} - {name}" if artist else name


def write_playlist(
    out: TextIO,
    head: rows.PlaylistHead,
    tracks: Iterator[rows.Track],
    locations: _Locations,
    report: ExportReport,
) -> None:
    out.write("#EXTM3U\n")
    out.write(f"#PLAYLIST:{one_line(head.name)}\n")
    for track in tracks:
        report.count("tracks")
        location = locations.of(head, track)
        if location is None:
            report.tracks_without_location += 1
            out.write(f"# no location: {_title(track)} ({one_line(track.library_id)})\n")
            continue
        seconds = round(track.duration_ms / 1000) if track.duration_ms else -1
        out.write(f"#EXTINF:{seconds},{_title(track)}\n{one_line(location)}\n")


def _storefront(options: ExportOptions, account: rows.AccountInfo) -> str:
    for candidate in (options.storefront, account.storefront):
        if candidate and _STOREFRONT_OK.match(candidate.lower()):
            return candidate.lower()
    return DEFAULT_STOREFRONT


def export_m3u(
    store: Store, account_id: int, directory: Path, options: ExportOptions
) -> ExportReport:
    """One ``.m3u8`` per playlist below ``directory`` (created if missing)."""
    template = compile_template(options.path_template) if options.path_template else None
    report = ExportReport(format="m3u", exported_at=utc_stamp())
    root = prepare_output_dir(directory)
    with snapshot(store) as connection:
        account = rows.account_info(connection, account_id)
        locations = _Locations(_storefront(options, account), template)
        only = None
        if options.playlists:
            refs = find_playlists(
                connection, account_id, options.playlists, include_removed=options.include_removed
            )
            only = [ref.id for ref in refs]
        all_folders = rows.folders(connection, account_id)
        layout = _Layout(root, all_folders)
        pairs = rows.playlists(
            connection, account_id, include_removed=options.include_removed, only=only
        )
        for head, tracks in pairs:
            report.count("playlists")
            target = layout.file_for(head)
            with open_destination(target, report) as out:
                write_playlist(out, head, tracks, locations, report)
    return report


def export_m3u_playlist(
    store: Store, account_id: int, destination: Destination, options: ExportOptions
) -> ExportReport:
    """The playlist(s) in ``options.playlists`` as one M3U (a file or stdout)."""
    template = compile_template(options.path_template) if options.path_template else None
    report = ExportReport(format="m3u", exported_at=utc_stamp())
    with snapshot(store) as connection:
        account = rows.account_info(connection, account_id)
        locations = _Locations(_storefront(options, account), template)
        refs = find_playlists(
            connection, account_id, options.playlists, include_removed=options.include_removed
        )
        pairs = rows.playlists(
            connection,
            account_id,
            include_removed=options.include_removed,
            only=[ref.id for ref in refs],
        )
        with open_destination(destination, report) as out:
            for head, tracks in pairs:
                report.count("playlists")
                write_playlist(out, head, tracks, locations, report)
    return report


class _Layout:
    """Where each playlist's file goes: folders become sub-folders; names unique per folder
    (one name space for the files and sub-folders of a folder)."""

    def __init__(self, root: Path, all_folders: dict[str, rows.Folder]) -> None:
        self.root = root
        self.folders = all_folders
        self._names: dict[Path, NameSpace] = {}
        self._folder_paths: dict[str, Path] = {}

    def _space(self, folder: Path) -> NameSpace:
        return self._names.setdefault(folder, NameSpace())

    def _folder(self, library_id: str, depth: int = 0) -> Path:
        if library_id in self._folder_paths:
            return self._folder_paths[library_id]
        folder = self.folders[library_id]
        parent = self.root
        self._folder_paths[library_id] = self.root  # a loop in the folder tree ends here
        if (
            folder.parent_library_id in self.folders
            and depth < rows.MAX_FOLDER_DEPTH
            and folder.parent_library_id != library_id
        ):
            assert folder.parent_library_id is not None
            parent = self._folder(folder.parent_library_id, depth + 1)
        path = subfolder(self.root, parent, self._space(parent).claim(folder.name))
        self._folder_paths[library_id] = path
        return path

    def file_for(self, head: rows.PlaylistHead) -> Path:
        parent = self.root
        if head.folder_library_id in self.folders:
            assert head.folder_library_id is not None
            parent = self._folder(head.folder_library_id)
        name = self._space(parent).claim(head.name, EXTENSION)
        return inside(self.root, parent / name)
