"""``amsync demo``: the bundled emulator plays Apple, a fresh SQLite file holds the mirror.

Everything happens inside one folder (default ``./amsync-demo``): the database, the exports and
nothing else — no credentials are stored, no setting is read from or written to your home. A
folder amsync made for an earlier demo (it holds a ``.amsync-demo`` marker) is emptied first;
any other non-empty folder is refused.
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final

import click

from amsync import DOCS_URL
from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import info, warn
from amsync.errors import OutputPathError

if TYPE_CHECKING:  # imported when the demo runs: `amsync demo --help` must stay quick
    from amsync.api import ClientConfig
    from amsync.db.store import Store
    from amsync.sync.report import SyncReport

MARKER: Final = ".amsync-demo"


@click.command("demo")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("amsync-demo"),
    show_default=True,
    help="The folder the demo works in; nothing outside it is touched.",
)
@click.option(
    "--songs",
    type=click.IntRange(1, 200_000),
    default=2000,
    show_default=True,
    help="Size of the generated library.",
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="Seed of the generated library."
)
@pass_app
def demo(app: AppContext, folder: Path, songs: int, seed: int) -> None:
    """Sync a generated library from the bundled emulator into a fresh database, and export it.

    Needs no Apple account and no network: the emulator serves Apple Music's API on 127.0.0.1.
    """
    from amsync.api import ClientConfig, RateSettings, StaticDeveloperToken
    from amsync.cli import demo_listening
    from amsync.cli.demo_local_files import local_files_demo
    from amsync.cli.demo_lost import lost_song_demo
    from amsync.cli.process_exit import run_async
    from amsync.cli.sync_commands import render_report
    from amsync.config.secret import Secret
    from amsync.db.store import open_store
    from amsync.emulator import Emulator, LibrarySpec, generate_library

    folder = _prepare(folder.expanduser().absolute())
    started = time.monotonic()
    library = generate_library(LibrarySpec(songs=songs, seed=seed))
    user = secrets.token_urlsafe(24)
    emulator = Emulator(library, music_user_tokens={user})
    developer = emulator.issue_developer_token()  # an ES256 JWT, like Apple's
    database = folder / "amsync.db"
    store = open_store(str(database))
    try:
        with emulator.serve() as server:
            info(
                f"emulator serving a generated library ({songs} songs) at {server.url}",
                quiet=app.quiet,
            )
            listening = demo_listening.prepare(library, server.url, seed)
            config = ClientConfig(
                base_url=server.url,
                developer_token=StaticDeveloperToken(Secret(developer)),
                music_user_token=Secret(user),
                rate=RateSettings(initial_rate=200.0, max_rate=1000.0),
            )
            report = run_async(_sync(config, store, enabled=not app.quiet))
            lost = run_async(lost_song_demo(config, store, emulator))
            render_report(report, quiet=app.quiet)
            for message in report.warnings:
                warn(message)
            for line in lost:
                info(line, quiet=app.quiet)
            made = demo_listening.finish(store, folder, listening, config)
        exports = _export(store, folder) + made
        local = local_files_demo(store, store.account_id("default"), folder, seed)
        exports += [_made_in(folder, line) for line in local]
        mirrored = _mirrored(store)
        word = _search_word(store)
    finally:
        store.close()
    elapsed = time.monotonic() - started
    for line in closing_lines(
        database,
        elapsed,
        mirrored,
        exports,
        program=amsync_program(),
        search_word=word,
        report_year=listening.year,
    ):
        info(line, quiet=app.quiet)


async def _sync(config: ClientConfig, store: Store, *, enabled: bool) -> SyncReport:
    from amsync.api import AppleMusicClient
    from amsync.cli.progress import ProgressDisplay
    from amsync.sync.runner import run_sync

    async with AppleMusicClient(config) as client:
        with ProgressDisplay(enabled=enabled, client=client) as display:
            return await run_sync(client, store, "default", progress=display)


def _prepare(folder: Path) -> Path:
    try:
        if folder.exists():
            if (folder / MARKER).exists():
                shutil.rmtree(folder)
            elif any(folder.iterdir()):
                raise OutputPathError(
                    f"{folder} exists and is not an amsync demo folder; it was left untouched",
                    hint="pass --dir with a new or empty folder",
                )
        folder.mkdir(parents=True, exist_ok=True)
        from amsync.export.atomic_files import atomic_text_file

        with atomic_text_file(folder / MARKER) as marker:  # the output-path policy
            marker.write("made by amsync demo; safe to delete\n")
    except OSError as exc:
        raise OutputPathError(f"cannot use {folder}: {exc.strerror or exc}") from None
    return folder


def _export(store: Store, folder: Path) -> list[tuple[str, str]]:
    """Every export format into ``folder/exports``; (path in the folder, what it holds)."""
    from amsync.export.csv_export import export_csv
    from amsync.export.export_options import ExportOptions
    from amsync.export.json_export import export_json
    from amsync.export.m3u_export import export_m3u

    exports = folder / "exports"
    account_id = store.account_id("default")
    options = ExportOptions()
    library_json = exports / "library.json"
    exports.mkdir(parents=True, exist_ok=True)
    export_json(store, account_id, library_json, options)
    csv_report = export_csv(store, account_id, exports / "csv", options)
    m3u_report = export_m3u(store, account_id, exports / "m3u", options)
    m3u = f"{len(m3u_report.files)} M3U8 playlists"
    missing = m3u_report.tracks_without_location
    if missing:
        m3u += (
            f"; {missing} of their tracks have no location — uploads, which have no Apple Music "
            "catalog id and so no URL — and are written as # comments"
        )
    return [
        ("exports/library.json", "the whole library as JSON"),
        ("exports/csv", f"{len(csv_report.files)} CSV files"),
        ("exports/m3u", m3u),
    ]


def _made_in(folder: Path, line: str) -> tuple[str, str]:
    """A summary line ``PATH: what`` as (the path inside the demo folder, what)."""
    path, _, what = line.partition(": ")
    if what and path.startswith(f"{folder}/"):
        return path[len(str(folder)) + 1 :], what
    return "", line


def _mirrored(store: Store) -> dict[str, int]:
    """Live items in the mirror by kind: songs, music videos, albums, artists, playlists."""
    from amsync.query.snapshot import reading

    with reading(store) as reader:
        rows = reader.rows(
            "SELECT kind, count(*) FROM songs WHERE removed_at IS NULL GROUP BY kind "
            "UNION ALL SELECT 'albums', count(*) FROM albums WHERE removed_at IS NULL "
            "UNION ALL SELECT 'artists', count(*) FROM artists WHERE removed_at IS NULL "
            "UNION ALL SELECT 'playlists', count(*) FROM playlists WHERE removed_at IS NULL"
        )
    names = {"song": "songs", "music-video": "music videos"}
    found = {names.get(str(kind), str(kind)): int(n) for kind, n in rows}
    order = ("songs", "music videos", "albums", "artists", "playlists")
    return {kind: found.pop(kind) for kind in order if kind in found} | found


def _search_word(store: Store) -> str:
    """A word of a song name in this mirror, so that the suggested `amsync search` finds
    something (the generated library's names differ with the seed)."""
    from amsync.query.snapshot import reading

    with reading(store) as reader:
        names = reader.rows(
            "SELECT name FROM songs WHERE removed_at IS NULL AND kind = 'song' "
            "ORDER BY name LIMIT 200"
        )
    for (name,) in names:
        for word in str(name).split():
            if len(word) >= 4 and word.isascii() and word.isalpha():
                return word.lower()
    return "love"


def amsync_program() -> str:
    """How to run this amsync again, as short as is still right: ``amsync`` when that is the
    one on PATH, else its path (relative to the current folder when inside it), or
    ``python -m amsync``."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is None or script.name in ("__main__.py", "-c") or not script.exists():
        return f"{shlex.quote(_shown_path(Path(sys.executable)))} -m amsync"
    on_path = shutil.which("amsync")
    if on_path and Path(on_path).resolve() == script.resolve():
        return "amsync"
    return shlex.quote(_shown_path(script))


def _shown_path(path: Path) -> str:
    absolute = path.absolute()
    try:
        return os.path.relpath(absolute) if absolute.is_relative_to(Path.cwd()) else str(absolute)
    except ValueError:
        return str(absolute)


def closing_lines(
    database: Path,
    elapsed: float,
    mirrored: dict[str, int],
    exports: list[tuple[str, str]],
    *,
    program: str,
    search_word: str = "love",
    report_year: int | None = None,
) -> list[str]:
    """What the demo made and what to do next."""
    if report_year is None:
        from datetime import UTC, datetime

        report_year = datetime.now(UTC).year - 1
    db = shlex.quote(str(database))
    counts = ", ".join(f"{n} {kind}" for kind, n in mirrored.items() if n)
    run = f"{program} --db {db}"
    made = [(database.name, f"the mirror: {counts}"), *exports]
    width = max(21, *(len(name) for name, _ in made))
    return [
        "",
        f"demo finished in {elapsed:.1f} s; everything is in {database.parent}",
        *(f"  {name:<{width}} {what}" for name, what in made),
        "",
        "look at it (the views songs_v, albums_v, playlists_v, playlist_tracks_v … are the stable"
        " interface):",
        f'  {run} query "SELECT name, artist, album FROM songs_v ORDER BY name LIMIT 10"',
        f"  {run} search {shlex.quote(search_word)}",
        f"  {run} stats",
        f"  {run} lost          (what Apple took away, why, and its replacement)",
        f"  {run} top songs --year {report_year}",
        f"  {run} report --year {report_year} --no-artwork",
        f"  sqlite3 {db} 'SELECT count(*) FROM songs_v'",
        f"  {program} --db {db} datasette-metadata > metadata.json && "
        f"datasette {db} --metadata metadata.json",
        "",
        "next:",
        f"  sync from the emulator yourself: `{program} emulator serve` prints a URL and two "
        f"tokens; then AMSYNC_DEVELOPER_TOKEN=… AMSYNC_MUSIC_USER_TOKEN=… {program} --api-url "
        "URL sync",
        f"  or connect your Apple Music account: `{program} auth login` "
        f"({DOCS_URL}tutorial/real-account/)",
    ]
