"""What the one-file-per-playlist exports (M3U8, XSPF) share: where each playlist's file goes,
and where each track is found.

Playlists in folders are written into sub-folders (``Parent/Child/Name.m3u8``); every file and
folder name is sanitised and unique in its folder (``file_names``), and every file is checked
to lie inside the output folder. A track's location is the Apple Music URL of its catalog song
(its catalog ``url``, else ``https://music.apple.com/<storefront>/song/<catalog id>``), or a
path from ``--path-template``; a track without catalog id has none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final, TextIO
from urllib.parse import quote

from amsync.db.store import Store
from amsync.export import library_rows as rows
from amsync.export import playlist_rows
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

APPLE_MUSIC: Final = "https://music.apple.com"
_URL_OK: Final = re.compile(r"^https?://[^\s\x00-\x1f\x7f]+$")
_STOREFRONT_OK: Final = re.compile(r"^[a-z]{2}$")


def apple_music_url(track: playlist_rows.Track, storefront: str) -> str | None:
    """Where Apple Music plays the track: its catalog URL, or one built from the catalog id."""
    if track.url and _URL_OK.match(track.url):
        return track.url
    if not track.catalog_id:
        return None
    kind = "music-video" if track.kind in ("music-video", "music-videos") else "song"
    return f"{APPLE_MUSIC}/{storefront}/{kind}/{quote(track.catalog_id, safe='')}"


def storefront_for(options: ExportOptions, account: rows.AccountInfo) -> str:
    """The storefront for built URLs: the option, the account's, or the default."""
    for candidate in (options.storefront, account.storefront):
        if candidate and _STOREFRONT_OK.match(candidate.lower()):
            return candidate.lower()
    return DEFAULT_STOREFRONT


class Locations:
    """Each track's location: its Apple Music URL, or the path ``template`` makes of it."""

    def __init__(self, storefront: str, template: PathTemplate | None) -> None:
        self.storefront = storefront
        self.template = template

    def of(self, head: playlist_rows.PlaylistHead, track: playlist_rows.Track) -> str | None:
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


class PlaylistLayout:
    """Where each playlist's file goes: folders become sub-folders; names unique per folder
    (one name space for the files and sub-folders of a folder)."""

    def __init__(
        self, root: Path, all_folders: dict[str, playlist_rows.Folder], extension: str
    ) -> None:
        self.root = root
        self.folders = all_folders
        self.extension = extension
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

    def file_for(self, head: playlist_rows.PlaylistHead) -> Path:
        parent = self.root
        if head.folder_library_id in self.folders:
            assert head.folder_library_id is not None
            parent = self._folder(head.folder_library_id)
        name = self._space(parent).claim(head.name, self.extension)
        return inside(self.root, parent / name)


PlaylistWriter = Callable[
    [TextIO, playlist_rows.PlaylistHead, Iterator[playlist_rows.Track], Locations, ExportReport],
    None,
]
"""Writes one playlist file: the stream, the playlist, its tracks, their locations, and the
report to count tracks (and tracks without location) in."""


def export_playlist_files(
    store: Store,
    account_id: int,
    directory: Path,
    options: ExportOptions,
    *,
    format: str,
    extension: str,
    write: PlaylistWriter,
) -> ExportReport:
    """One file per playlist below ``directory`` (created if missing), written by ``write``."""
    template = compile_template(options.path_template) if options.path_template else None
    report = ExportReport(format=format, exported_at=utc_stamp())
    root = prepare_output_dir(directory)
    with snapshot(store) as connection:
        account = rows.account_info(connection, account_id)
        locations = Locations(storefront_for(options, account), template)
        only = None
        if options.playlists:
            refs = find_playlists(
                connection, account_id, options.playlists, include_removed=options.include_removed
            )
            only = [ref.id for ref in refs]
        layout = PlaylistLayout(root, playlist_rows.folders(connection, account_id), extension)
        pairs = playlist_rows.playlists(
            connection, account_id, include_removed=options.include_removed, only=only
        )
        for head, tracks in pairs:
            report.count("playlists")
            with open_destination(layout.file_for(head), report) as out:
                write(out, head, tracks, locations, report)
    return report


def export_selected_playlists(
    store: Store,
    account_id: int,
    destination: Destination,
    options: ExportOptions,
    *,
    format: str,
    write: PlaylistWriter,
) -> ExportReport:
    """The playlist(s) in ``options.playlists`` written by ``write`` to one file or stdout."""
    template = compile_template(options.path_template) if options.path_template else None
    report = ExportReport(format=format, exported_at=utc_stamp())
    with snapshot(store) as connection:
        account = rows.account_info(connection, account_id)
        locations = Locations(storefront_for(options, account), template)
        refs = find_playlists(
            connection, account_id, options.playlists, include_removed=options.include_removed
        )
        pairs = playlist_rows.playlists(
            connection,
            account_id,
            include_removed=options.include_removed,
            only=[ref.id for ref in refs],
        )
        with open_destination(destination, report) as out:
            for head, tracks in pairs:
                report.count("playlists")
                write(out, head, tracks, locations, report)
    return report
