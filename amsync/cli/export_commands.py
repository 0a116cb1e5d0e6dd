"""``amsync export json | csv | m3u | xspf``: the mirror out to other programs (DESIGN §3–§4)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from amsync.cli.completion import complete_playlist
from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import emit_json, info, safe_text, warn
from amsync.errors import UsageError

if TYPE_CHECKING:  # imported when an export runs: `amsync export --help` must stay quick
    from amsync.db.store import Store
    from amsync.export import ExportOptions, ExportReport


def _common(function: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--playlist",
            "playlists",
            multiple=True,
            metavar="NAME_OR_ID",
            help="Only this playlist (repeatable): a library id or a name.",
            shell_complete=complete_playlist,
        ),
        click.option(
            "--include-removed",
            is_flag=True,
            help="Also export items that were removed from the library (tombstoned).",
        ),
        click.option(
            "--json", "as_json", is_flag=True, help="Print a JSON summary of what was written."
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _report(app: AppContext, report: ExportReport, as_json: bool, *, data_on_stdout: bool) -> None:
    if report.paths_not_rewritten:
        warn(f"{report.paths_not_rewritten} path(s) matched no --path-prefix; written unchanged")
    if report.files_missing:
        warn(
            f"{report.files_missing} track(s) matched a file that is no longer on disk: left "
            "without a location; `amsync local scan FOLDER` (or `--forget DIR`) then `amsync "
            "local match` updates the matches"
        )
    tracks = report.counts.get("tracks", 0)
    if report.locations == "local" and tracks and report.tracks_without_location == tracks:
        warn(
            "no track has a local file yet: run `amsync local scan FOLDER` and `amsync local match`"
        )
    if as_json:
        if data_on_stdout:
            click.echo(_json_line(report), err=True)
        else:
            emit_json(report.as_dict())
        return
    if data_on_stdout:
        return
    counts = ", ".join(f"{n} {name}" for name, n in report.counts.items()) or "nothing"
    where = f"{len(report.files)} file(s)"
    if len(report.files) == 1:
        where = safe_text(report.files[0])
    info(f"exported {counts} to {where}", quiet=app.quiet)
    if report.tracks_without_location:
        how = "listed without one" if report.format == "xspf" else "written as comments"
        what = "no location (no catalog id)"
        if report.locations == "local":
            what = "no local file (`amsync local unmatched` says why)"
        info(
            f"{report.tracks_without_location} track(s) have {what}; they are {how}",
            quiet=app.quiet,
        )


def _json_line(report: ExportReport) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False)


def _store(app: AppContext) -> tuple[Store, int]:
    store = app.store(create=False, readonly=True)  # exports only read: a read-only file works
    return store, store.account_id(app.settings.account, create=False)


def _options(app: AppContext, **values: Any) -> ExportOptions:
    from amsync.export import ExportOptions

    return ExportOptions(storefront=app.settings.storefront, **values)


def _single_file_target(output: str | None, playlists: tuple[str, ...]) -> Path | str | None:
    """With ``--playlist``: ``"-"`` (stdout), a file path, or ``None`` for folder mode."""
    from amsync.export.atomic_files import STDOUT

    if not playlists:
        return None
    if output is None or output == STDOUT:
        return STDOUT
    if output.endswith(("/", os.sep)) or Path(output).is_dir():
        return None
    return Path(output)


@click.group()
def export() -> None:
    """Export the mirror as JSON, CSV, or M3U8 or XSPF playlists.

    Exports read one consistent snapshot of the mirror, leave out removed items unless
    --include-removed, and replace each file atomically.
    """


@export.command("json")
@click.option(
    "-o", "--output", metavar="FILE", help="Write to FILE instead of stdout ('-': stdout)."
)
@_common
@pass_app
def export_json_command(
    app: AppContext,
    output: str | None,
    playlists: tuple[str, ...],
    include_removed: bool,
    as_json: bool,
) -> None:
    """The whole library as one JSON document (format amsync.library, version 1).

    With --playlist, only those playlists are written (songs, albums and artists are empty).
    """
    from amsync.export import export_json
    from amsync.export.atomic_files import STDOUT

    store, account_id = _store(app)
    options = _options(app, include_removed=include_removed, playlists=playlists)
    to_stdout = output in (None, STDOUT)
    destination = sys.stdout if to_stdout else Path(str(output))
    report = export_json(store, account_id, destination, options)
    _report(app, report, as_json, data_on_stdout=to_stdout)


@export.command("csv")
@click.option(
    "-o",
    "--output",
    metavar="DIR|FILE|-",
    help="Folder for the CSV files [default: the current folder]; with --playlist, a file or "
    "'-' (stdout, also the default then).",
)
@click.option("--raw", is_flag=True, help="Keep cells verbatim (no formula neutralising).")
@click.option(
    "--layout",
    type=click.Choice(["amsync", "soundiiz", "tunemymusic", "exportify"]),
    default="amsync",
    show_default=True,
    help="Columns: amsync's own files, or the playlist-track columns a transfer service "
    "imports (tunemymusic: one tunemymusic.csv; soundiiz, exportify: one CSV per playlist).",
)
@_common
@pass_app
def export_csv_command(
    app: AppContext,
    output: str | None,
    raw: bool,
    layout: str,
    playlists: tuple[str, ...],
    include_removed: bool,
    as_json: bool,
) -> None:
    """songs.csv, albums.csv, artists.csv, playlist_tracks.csv and favourites.csv.

    A cell starting with =, +, -, @, a tab or a carriage return gets a leading ' so that a
    spreadsheet shows it instead of running it (--raw keeps it). With --playlist, only those
    playlists' tracks (playlist_tracks.csv columns), to stdout, a file, or a folder. With
    --layout soundiiz, tunemymusic or exportify: playlist tracks (with ISRCs) in the columns
    that service imports.
    """
    from amsync.export import export_csv, export_csv_playlist
    from amsync.export.atomic_files import STDOUT

    store, account_id = _store(app)
    options = _options(
        app, include_removed=include_removed, playlists=playlists, raw=raw, layout=layout
    )
    single = _single_file_target(output, playlists)
    to_folder, to_file = export_csv, export_csv_playlist
    if layout != "amsync":
        from amsync.export.transfer_csv import (
            export_transfer_csv,
            export_transfer_csv_playlist,
        )

        to_folder, to_file = export_transfer_csv, export_transfer_csv_playlist
    if single is None:
        report = to_folder(store, account_id, Path(output or "."), options)
        _report(app, report, as_json, data_on_stdout=False)
        return
    destination = sys.stdout if single == STDOUT else Path(str(single))
    report = to_file(store, account_id, destination, options)
    _report(app, report, as_json, data_on_stdout=single == STDOUT)


_PATH_TEMPLATE_HELP = (
    "Locations for local files instead of Apple Music URLs, e.g. "
    "'{artist}/{album}/{disc}-{track:02d} {name}.m4a'. Fields: artist, album, name, disc, "
    "track, position, library_id, catalog_id, isrc, playlist. Paths are below --music-root "
    "(default: the output folder) and written relative to each playlist file."
)


def _location_options(function: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--local",
            is_flag=True,
            help="Locations are your own music files, as `amsync local match` (or `local link`) "
            "found them; tracks without a file are counted and left as comments.",
        ),
        click.option(
            "--relative/--absolute",
            "relative",
            default=None,
            help="File paths relative to each playlist file's folder (right at every folder "
            "depth), or absolute [default: absolute with --local and --music-root, relative "
            "for --path-template alone].",
        ),
        click.option(
            "--path-prefix",
            "path_prefixes",
            multiple=True,
            metavar="OLD=NEW",
            help="Rewrite the root of absolute paths, e.g. /home/me/Music=/music for a server "
            "that mounts your music folder at /music (repeatable; the longest OLD wins).",
        ),
        click.option(
            "--unicode",
            "unicode_form",
            type=click.Choice(["nfc", "nfd"]),
            default=None,
            help="Write paths in this Unicode normalisation form [default: as on disk].",
        ),
        click.option(
            "--music-root",
            metavar="DIR",
            help="The folder --path-template paths are below (they are then absolute unless "
            "--relative).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _playlist_files(
    app: AppContext,
    output: str | None,
    playlists: tuple[str, ...],
    include_removed: bool,
    as_json: bool,
    *,
    kind: str,
    to_folder: Callable[[Store, int, Path, ExportOptions], ExportReport],
    to_one: Callable[[Store, int, Any, ExportOptions], ExportReport],
    locations: dict[str, Any],
) -> None:
    from amsync.export.atomic_files import STDOUT

    store, account_id = _store(app)
    options = _options(app, include_removed=include_removed, playlists=playlists, **locations)
    single = _single_file_target(output, playlists)
    if single is None:
        report = to_folder(store, account_id, Path(output or "."), options)
        _report(app, report, as_json, data_on_stdout=False)
        return
    if len(playlists) > 1:
        raise UsageError(f"one {kind} file holds one playlist", hint="give -o a folder")
    destination = sys.stdout if single == STDOUT else Path(str(single))
    report = to_one(store, account_id, destination, options)
    _report(app, report, as_json, data_on_stdout=single == STDOUT)


@export.command("m3u")
@click.option(
    "-o",
    "--output",
    metavar="DIR|FILE|-",
    help="Folder for the .m3u8 files [default: the current folder]; with one --playlist, a "
    "file or '-' (stdout, also the default then).",
)
@click.option("--path-template", metavar="TEMPLATE", help=_PATH_TEMPLATE_HELP)
@_location_options
@_common
@pass_app
def export_m3u_command(
    app: AppContext,
    output: str | None,
    path_template: str | None,
    local: bool,
    relative: bool | None,
    path_prefixes: tuple[str, ...],
    unicode_form: str | None,
    music_root: str | None,
    playlists: tuple[str, ...],
    include_removed: bool,
    as_json: bool,
) -> None:
    """One .m3u8 file per playlist; playlist folders become sub-folders.

    Each track's location is its Apple Music URL, a --path-template path, or with --local the
    music file `amsync local match` found for it; a track without one is written as a comment
    and counted. File paths are absolute or relative to each playlist file's own folder.
    """
    from amsync.export import export_m3u, export_m3u_playlist

    _playlist_files(
        app,
        output,
        playlists,
        include_removed,
        as_json,
        kind="M3U",
        to_folder=export_m3u,
        to_one=export_m3u_playlist,
        locations={
            "path_template": path_template,
            "local": local,
            "relative": relative,
            "path_prefixes": path_prefixes,
            "unicode_form": unicode_form,
            "music_root": music_root,
        },
    )


@export.command("xspf")
@click.option(
    "-o",
    "--output",
    metavar="DIR|FILE|-",
    help="Folder for the .xspf files [default: the current folder]; with one --playlist, a "
    "file or '-' (stdout, also the default then).",
)
@click.option(
    "--path-template",
    metavar="TEMPLATE",
    help=_PATH_TEMPLATE_HELP + " Written as percent-encoded URI references.",
)
@_location_options
@_common
@pass_app
def export_xspf_command(
    app: AppContext,
    output: str | None,
    path_template: str | None,
    local: bool,
    relative: bool | None,
    path_prefixes: tuple[str, ...],
    unicode_form: str | None,
    music_root: str | None,
    playlists: tuple[str, ...],
    include_removed: bool,
    as_json: bool,
) -> None:
    """One .xspf (XML Shareable Playlist Format) file per playlist; folders become sub-folders.

    Each track's location is its Apple Music URL, a --path-template path, or with --local the
    music file `amsync local match` found for it (file:// URLs, or relative URI references with
    --relative); a track without one is listed without a location and counted. Text is
    XML-escaped; control characters that XML does not allow are removed.
    """
    from amsync.export import export_xspf, export_xspf_playlist

    _playlist_files(
        app,
        output,
        playlists,
        include_removed,
        as_json,
        kind="XSPF",
        to_folder=export_xspf,
        to_one=export_xspf_playlist,
        locations={
            "path_template": path_template,
            "local": local,
            "relative": relative,
            "path_prefixes": path_prefixes,
            "unicode_form": unicode_form,
            "music_root": music_root,
        },
    )
