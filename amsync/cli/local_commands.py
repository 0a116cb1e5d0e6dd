"""``amsync local scan | match | link | unlink | unmatched``: playlists that play from your
own music files (issue 16). Heavy imports (the database, mutagen, rapidfuzz) happen inside the
commands, so ``amsync local --help`` stays fast."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import click

from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import emit_json, info, safe_text, warn
from amsync.cli.tabular import chosen_format, emit_listing, listing_format_option
from amsync.errors import UsageError

if TYPE_CHECKING:
    from amsync.db.store import Store
    from amsync.local.scan import ScanReport

SHOWN_PROBLEMS: Final = 20


@click.group("local")
def local() -> None:
    """Play your playlists from your own music files: scan, match, link, list what is missing.

    `amsync local scan ~/Music` reads your files' tags, `amsync local match` finds each song's
    file (by ISRC, MusicBrainz recording id, then normalised tags), and `amsync export m3u
    --local` writes playlists that local players and servers can play.
    """


def _account(app: AppContext, store: Store) -> int:
    return store.account_id(app.settings.account, create=False)


def _render_scan(app: AppContext, report: ScanReport) -> None:
    where = ", ".join(report.folders) or report.source.removeprefix("beets:")
    info(
        safe_text(
            f"scanned {where}: {report.found} audio files ({report.new} new, {report.changed} "
            f"changed, {report.unchanged} unchanged), {report.gone} gone, {report.revived} back "
            f"in {report.elapsed_s:.1f} s"
        ),
        quiet=app.quiet,
    )
    if report.reconciled:
        info(
            f"{report.reconciled} file(s) stored under another name (a link) are now stored "
            "under their real path",
            quiet=app.quiet,
        )
    if report.problem_counts:
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(report.problem_counts.items()))
        warn(f"problems: {counts}")
        for problem in report.problems[:SHOWN_PROBLEMS]:
            click.echo(safe_text(f"  {problem.kind}: {problem.path} — {problem.detail}"), err=True)
        more = sum(report.problem_counts.values()) - min(len(report.problems), SHOWN_PROBLEMS)
        if more > 0:
            click.echo(f"  … and {more} more (--json lists them)", err=True)


def _check_folders(app: AppContext, folders: tuple[str, ...]) -> None:
    """A FOLDER that is not there is scanned as an empty one (its files are marked gone, with
    a warning) when the database holds files below it; holding none, it is a mistaken name."""
    from amsync.domain.local_files import nothing_at
    from amsync.local.roots import files_below

    for folder in folders:
        path = Path(folder).expanduser()
        if path.is_dir():
            continue
        if not nothing_at(str(path)):
            raise UsageError(
                f"{folder} is not a folder", hint="give the folders of your music files"
            )
        known = files_below(app.store(create=False), [folder]) if _has_database(app) else 0
        if not known:
            raise UsageError(f"no folder at {folder}", hint="give the folders of your music files")
        warn(
            safe_text(
                f"no folder at {folder} any more: its {known} file(s) are marked gone "
                f"(`amsync local scan --forget {folder}` does the same without scanning)"
            )
        )


def _has_database(app: AppContext) -> bool:
    from amsync.db.reading import sqlite_path_of

    path = sqlite_path_of(app.settings.db)
    return path is None or path.exists()


def _forget(app: AppContext, folders: tuple[str, ...], as_json: bool) -> dict[str, int]:
    from datetime import UTC, datetime

    from amsync.local.roots import forget

    store = app.store(create=False)
    forgotten: dict[str, int] = {}
    for folder in folders:
        forgotten[folder] = marked = forget(store, [folder], datetime.now(UTC))
        if not marked:
            raise UsageError(
                f"no scanned files below {folder} to forget",
                hint='`amsync query "SELECT path FROM local_files"` lists what is stored',
            )
        if not as_json:
            info(safe_text(f"forgot {folder}: {marked} file(s) marked gone"), quiet=app.quiet)
    return forgotten


@local.command("scan")
@click.argument("folders", nargs=-1, metavar="[FOLDER]...")
@click.option(
    "--beets",
    "beets_db",
    metavar="LIBRARY_DB",
    help="Read a beets library database (its library.db) instead of the files.",
)
@click.option(
    "--beets-music-dir",
    metavar="DIR",
    help="The beets library's music folder (beets' `directory` setting), for a library that "
    "stores paths relative to it [default: from the config.yaml beside LIBRARY_DB].",
)
@click.option(
    "--forget",
    "forget_folders",
    multiple=True,
    metavar="DIR",
    help="Mark every file stored below DIR gone, without scanning it (a folder that is no "
    "longer music, or no longer there); repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scan report as JSON.")
@pass_app
def scan_command(
    app: AppContext,
    folders: tuple[str, ...],
    beets_db: str | None,
    beets_music_dir: str | None,
    forget_folders: tuple[str, ...],
    as_json: bool,
) -> None:
    """Read the tags of the audio files below each FOLDER into the database.

    MP3, MP4/M4A (AAC, ALAC), FLAC, Ogg Vorbis, Opus and the other formats mutagen reads.
    Files are stored by their real paths (a folder reached through a link, or scanned under two
    names, is one folder). Files unchanged in size and modification time are not read again;
    files no longer found are marked gone, and so are the files of a FOLDER that is no longer
    there (with a warning). Unreadable, corrupt, empty and untagged files, odd encodings, link
    loops, folders that cannot be listed and names that are not UTF-8 are counted and listed;
    the scan never stops on them and writes nothing but the database.
    """
    from amsync.audiotags import BeetsLibrarySource, FolderSource
    from amsync.local.scan import scan

    if folders and beets_db:
        raise UsageError("give one or more FOLDERs, or --beets LIBRARY_DB, not both")
    if not (folders or beets_db or forget_folders):
        raise UsageError("give one or more FOLDERs, --beets LIBRARY_DB, or --forget DIR")
    if beets_music_dir and not beets_db:
        raise UsageError("--beets-music-dir goes with --beets")
    if forget_folders and beets_db:
        raise UsageError("--forget applies to scanned folders, not to a beets library")
    _check_folders(app, folders)
    document: dict[str, Any] = {}
    if folders or beets_db:
        source: Any = (
            BeetsLibrarySource(beets_db, beets_music_dir) if beets_db else FolderSource(folders)
        )
        report = _scan_with_progress(app, scan, source, show=not (as_json or app.quiet))
        document = report.as_dict()
        if not as_json:
            _render_scan(app, report)
    if forget_folders:
        document["forgotten"] = _forget(app, forget_folders, as_json)
    if as_json:
        emit_json(document)


def _scan_with_progress(app: AppContext, scan: Any, source: Any, *, show: bool) -> ScanReport:
    """The scan, with a count of the files found on a terminal (stderr)."""
    from amsync.cli.progress import ProgressDisplay
    from amsync.domain import ProgressEvent

    store = app.store()
    with ProgressDisplay(enabled=show, requests=False) as display:
        report: ScanReport = scan(
            store, source, on_progress=lambda found: display(ProgressEvent("audio files", found))
        )
        display(ProgressEvent("audio files", report.found, report.found, finished=True))
    return report


@local.command("match")
@click.option("--json", "as_json", is_flag=True, help="Print the match report as JSON.")
@pass_app
def match_command(app: AppContext, as_json: bool) -> None:
    """Match every song of the mirror to at most one scanned file, and store the result.

    By ISRC first, then MusicBrainz recording id, then normalised tags (featured artists,
    remaster suffixes, live/remix versions, ± 3 s); a match below the acceptance score is never
    written. Your `local link`/`unlink` decisions win. See the view local_matches_v.
    """
    from amsync.local.match_run import run_match

    store = app.store(create=False)
    report = run_match(store, _account(app, store))
    if as_json:
        emit_json(report.as_dict())
        return
    methods = ", ".join(f"{method} {n}" for method, n in sorted(report.by_method.items()))
    info(
        f"matched {report.matched} of {report.songs} songs to {report.files} local files"
        + (f" ({methods})" if methods else "")
        + f" in {report.elapsed_s:.1f} s",
        quiet=app.quiet,
    )
    if report.missing_files:
        warn(
            f"{report.missing_files} stored file(s) are no longer on disk and were not chosen: "
            "`amsync local scan FOLDER` marks them gone (or `--forget DIR` for a folder you "
            "removed)"
        )
    if report.unmatched:
        info(
            f"{report.unmatched} song(s) have no file ({report.rejected_candidates} with a "
            "candidate that was not good enough): `amsync local unmatched` lists them",
            quiet=app.quiet,
        )


@local.command("link")
@click.argument("song_id")
@click.argument("path")
@pass_app
def link_command(app: AppContext, song_id: str, path: str) -> None:
    """Use the file PATH for the song SONG_ID (a library or catalog id), whatever the matcher
    says; kept through rescans and re-matches."""
    from amsync.audiotags import MutagenTagReader
    from amsync.local.links import link

    store = app.store(create=False)
    result = link(store, _account(app, store), song_id, path, MutagenTagReader())
    for song in result.songs:
        info(safe_text(f"{song.library_id} ({_title(song)}) → {result.path}"), quiet=app.quiet)


@local.command("unlink")
@click.argument("song_id")
@click.option(
    "--forget",
    is_flag=True,
    help="Drop your decision instead: the next `amsync local match` decides again.",
)
@pass_app
def unlink_command(app: AppContext, song_id: str, forget: bool) -> None:
    """Say the song SONG_ID (a library or catalog id) has no local file; kept through rescans
    and re-matches."""
    from amsync.local.links import unlink

    store = app.store(create=False)
    result = unlink(store, _account(app, store), song_id, forget=forget)
    for song in result.songs:
        what = "decision forgotten" if forget else "no local file"
        info(safe_text(f"{song.library_id} ({_title(song)}): {what}"), quiet=app.quiet)


def _title(song: Any) -> str:
    return f"{song.artist} - {song.name}" if song.artist else str(song.name)


@local.command("unmatched")
@click.option(
    "--playlist",
    "playlists",
    multiple=True,
    metavar="NAME_OR_ID",
    help="Only the tracks of this playlist, in order (repeatable).",
)
@listing_format_option
@pass_app
def unmatched_command(
    app: AppContext, playlists: tuple[str, ...], fmt: str | None, as_json: bool
) -> None:
    """Songs without a local file, with the best candidate and why it was rejected.

    Fix the file's tags and scan again, or `amsync local link SONG_ID PATH`.
    """
    from amsync.local.unmatched import (
        COLUMNS,
        PLAYLIST_COLUMNS,
        unmatched_playlist_tracks,
        unmatched_songs,
    )
    from amsync.query.playlist_lookup import find_playlists
    from amsync.query.snapshot import snapshot

    chosen = chosen_format(fmt, as_json)
    store = app.store(create=False, readonly=True)
    account_id = _account(app, store)
    with snapshot(store) as connection:
        if playlists:
            refs = find_playlists(connection, account_id, playlists)
            rows = unmatched_playlist_tracks(connection, account_id, [ref.id for ref in refs])
            emit_listing(chosen, PLAYLIST_COLUMNS, rows)
        else:
            emit_listing(chosen, COLUMNS, unmatched_songs(connection, account_id))


__all__ = ["local"]
