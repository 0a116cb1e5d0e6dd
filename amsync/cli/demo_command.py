"""``amsync demo``: the bundled emulator plays Apple, a fresh SQLite file holds the mirror.

Everything happens inside one folder (default ``./amsync-demo``): the database, the exports and
nothing else — no credentials are stored, no setting is read from or written to your home. A
folder amsync made for an earlier demo (it holds a ``.amsync-demo`` marker) is emptied first;
any other non-empty folder is refused.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import time
from pathlib import Path
from typing import Final

import click

from amsync.api import AppleMusicClient, ClientConfig, RateSettings, StaticDeveloperToken
from amsync.cli.context import AppContext, pass_app
from amsync.cli.demo_local_files import local_files_demo
from amsync.cli.output import info, warn
from amsync.cli.progress import ProgressDisplay
from amsync.cli.sync_commands import render_report
from amsync.config.secret import Secret
from amsync.db.store import Store, open_store
from amsync.emulator import Emulator, LibrarySpec, generate_library
from amsync.errors import OutputPathError
from amsync.export.csv_export import export_csv
from amsync.export.export_options import ExportOptions
from amsync.export.json_export import export_json
from amsync.export.m3u_export import export_m3u
from amsync.sync.report import SyncReport
from amsync.sync.runner import run_sync

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
            config = ClientConfig(
                base_url=server.url,
                developer_token=StaticDeveloperToken(Secret(developer)),
                music_user_token=Secret(user),
                rate=RateSettings(initial_rate=200.0, max_rate=1000.0),
            )
            report = asyncio.run(_sync(config, store, enabled=not app.quiet))
        render_report(report, quiet=app.quiet)
        for message in report.warnings:
            warn(message)
        exports = _export(store, folder)
        exports += local_files_demo(store, store.account_id("default"), folder, seed)
    finally:
        store.close()
    elapsed = time.monotonic() - started
    info("", quiet=app.quiet)
    info(f"demo finished in {elapsed:.1f} s; everything is in {folder}", quiet=app.quiet)
    for line in exports:
        info(f"  {line}", quiet=app.quiet)
    info("look at it with:", quiet=app.quiet)
    info(
        f'  amsync --db {database} query "SELECT name, artist FROM songs LIMIT 10"', quiet=app.quiet
    )
    info(f"  sqlite3 {database}", quiet=app.quiet)
    info(f"  datasette {database}", quiet=app.quiet)


async def _sync(config: ClientConfig, store: Store, *, enabled: bool) -> SyncReport:
    async with AppleMusicClient(config) as client:
        with ProgressDisplay(enabled=enabled) as display:
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
        (folder / MARKER).write_text("made by amsync demo; safe to delete\n", encoding="utf-8")
    except OSError as exc:
        raise OutputPathError(f"cannot use {folder}: {exc.strerror or exc}") from None
    return folder


def _export(store: Store, folder: Path) -> list[str]:
    """Every export format into ``folder/exports``; a line per format for the summary."""
    exports = folder / "exports"
    account_id = store.account_id("default")
    options = ExportOptions()
    library_json = exports / "library.json"
    exports.mkdir(parents=True, exist_ok=True)
    export_json(store, account_id, library_json, options)
    csv_report = export_csv(store, account_id, exports / "csv", options)
    m3u_report = export_m3u(store, account_id, exports / "m3u", options)
    return [
        f"{library_json}: the whole library as JSON",
        f"{exports / 'csv'}: {len(csv_report.files)} CSV files",
        f"{exports / 'm3u'}: {len(m3u_report.files)} M3U8 playlists "
        f"({m3u_report.tracks_without_location} tracks without a location)",
    ]
