"""What the one-file-per-playlist exports (M3U8, XSPF) share: where each playlist's file goes,
and where each track is found.

Playlists in folders are written into sub-folders (``Parent/Child/Name.m3u8``); every file and
folder name is sanitised and unique in its folder (``file_names``), and every file is checked
to lie inside the output folder. A track's location is the Apple Music URL of its catalog song
(its catalog ``url``, else ``https://music.apple.com/<storefront>/song/<catalog id>``), a
path from ``--path-template``, or its matched local file (``--local``); ``locations`` writes
file paths for the playlist file they go into. A track without one is counted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO
from urllib.parse import quote

from sqlalchemy import Connection

from amsync.db.store import Store
from amsync.errors import UsageError
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
from amsync.export.locations import (
    UNICODE_FORMS,
    LocationKind,
    Locations,
    PathWriting,
    Targets,
    TemplateTargets,
    parse_prefixes,
)
from amsync.export.path_template import compile_template
from amsync.query.snapshot import snapshot

if TYPE_CHECKING:  # amsync.local reads with amsync.export's row reader: import it when used
    from amsync.local.match_rows import LocalPaths

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


class AppleMusicTargets:
    """Each track's Apple Music URL (the default location)."""

    kind = "apple-music"

    def __init__(self, storefront: str) -> None:
        self.storefront = storefront

    def target(
        self, head: playlist_rows.PlaylistHead, track: playlist_rows.Track
    ) -> tuple[LocationKind, str] | None:
        url = apple_music_url(track, self.storefront)
        return None if url is None else ("url", url)


class LocalTargets:
    """Each track's matched local file (``amsync local match``/``link``) — if it is still on
    disk: each file is looked at once (``amsync.local.presence``), and a track whose file is
    gone has no location (counted in ``missing``), so a playlist never names a file that does
    not exist."""

    kind = "local"

    def __init__(self, paths: LocalPaths) -> None:
        from amsync.local.presence import Presence

        self.paths = paths
        self.presence = Presence()
        self.missing = 0  # tracks whose matched file is no longer on disk

    def target(
        self, head: playlist_rows.PlaylistHead, track: playlist_rows.Track
    ) -> tuple[LocationKind, str] | None:
        path = self.paths.of(track.library_id, track.catalog_id)
        if path is None:
            return None
        if not self.presence.file(path):
            self.missing += 1
            return None
        return "absolute", path


def check_location_options(options: ExportOptions) -> None:
    """Refuse combinations of location options that cannot mean anything."""
    if options.local and options.path_template:
        raise UsageError("--local and --path-template both choose locations; give one")
    files = options.local or bool(options.path_template)
    for given, name in (
        (options.relative is not None, "--relative/--absolute"),
        (bool(options.path_prefixes), "--path-prefix"),
        (options.unicode_form is not None, "--unicode"),
        (options.music_root is not None, "--music-root"),
    ):
        if given and not files:
            raise UsageError(
                f"{name} applies to file locations", hint="add --local or --path-template"
            )
    if options.music_root is not None and not options.path_template:
        raise UsageError("--music-root applies to --path-template locations")
    if options.path_prefixes and options.relative:
        raise UsageError(
            "--path-prefix rewrites absolute paths; relative ones do not name the root",
            hint="drop --relative, or --path-prefix",
        )
    if options.unicode_form is not None and options.unicode_form not in UNICODE_FORMS:
        raise UsageError(f"--unicode is nfc or nfd, not {options.unicode_form!r}")
    parse_prefixes(options.path_prefixes)


def make_locations(
    connection: Connection,
    account_id: int,
    options: ExportOptions,
    account: rows.AccountInfo,
    base_folder: str,
) -> Locations:
    """The locations ``options`` ask for; ``base_folder`` is where relative paths start until
    a playlist file is entered, and the default music root of ``--path-template``."""
    check_location_options(options)
    targets: Targets
    if options.local:
        from amsync.local.match_rows import local_paths

        targets = LocalTargets(local_paths(connection, account_id))
        relative = bool(options.relative)
    elif options.path_template:
        template = compile_template(options.path_template)
        root = options.music_root
        music_root = os.path.abspath(os.path.expanduser(root)) if root else base_folder  # noqa: PTH100, PTH111
        targets = TemplateTargets(template, music_root)
        relative = options.relative if options.relative is not None else root is None
    else:
        targets = AppleMusicTargets(storefront_for(options, account))
        relative = False
    writing = PathWriting(relative, parse_prefixes(options.path_prefixes), options.unicode_form)
    return Locations(targets, writing, base_folder)


def _finish(report: ExportReport, locations: Locations) -> None:
    report.locations = locations.kind
    report.paths_not_rewritten = locations.rewritten_misses
    if isinstance(locations.targets, LocalTargets):
        report.files_missing = locations.targets.missing


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
        # the folder must lie inside the root; the file itself follows the output-path
        # policy (a symbolic link at its name is followed, as for every output file)
        return inside(self.root, parent) / name


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
    check_location_options(options)
    report = ExportReport(format=format, exported_at=utc_stamp())
    root = prepare_output_dir(directory)
    with snapshot(store) as connection:
        account = rows.account_info(connection, account_id)
        locations = make_locations(connection, account_id, options, account, str(root))
        pairs = playlist_rows.chosen_playlists(
            connection,
            account_id,
            options.playlists or None,
            include_removed=options.include_removed,
        )
        layout = PlaylistLayout(root, playlist_rows.folders(connection, account_id), extension)
        for head, tracks in pairs:
            report.count("playlists")
            target = layout.file_for(head)
            locations.enter(target)
            with open_destination(target, report) as out:
                write(out, head, tracks, locations, report)
    _finish(report, locations)
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
    check_location_options(options)
    report = ExportReport(format=format, exported_at=utc_stamp())
    if isinstance(destination, Path):
        base_folder = os.path.dirname(os.path.abspath(destination))  # noqa: PTH100, PTH120
    else:
        base_folder = os.getcwd()  # noqa: PTH109 - stdout: paths relative to where it is run
    with snapshot(store) as connection:
        account = rows.account_info(connection, account_id)
        locations = make_locations(connection, account_id, options, account, base_folder)
        pairs = playlist_rows.chosen_playlists(
            connection, account_id, options.playlists, include_removed=options.include_removed
        )
        with open_destination(destination, report) as out:
            for head, tracks in pairs:
                report.count("playlists")
                write(out, head, tracks, locations, report)
    _finish(report, locations)
    return report
