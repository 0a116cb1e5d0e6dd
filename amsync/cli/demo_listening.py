"""The demo's listening step (issues 25 and 26): the emulated listener's Apple privacy export —
three years of plays of the demo library's songs, with a day's rhythm, and of a few catalog
songs outside the library, in Apple's newer layout (no artist column) — imported as the
account's listening history and its artists filled in (from the mirror and the emulator's
catalog search); Apple's Replay of last year served by the emulator (the sync keeps it); the
library's artwork served by the emulator too; and the report of last year written into the
demo folder, pictures and all.

The listening ends on 31 December 2025 whatever the date: the demo's report (the default
period, the last complete year with listening) reads the same every time it is made.
``prepare`` runs before the sync (the sync reads Apple's Replay, and the artwork URLs it
mirrors must point at the emulator), ``finish`` after it, while the emulator still serves the
pictures and the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from amsync.db.store import Store
from amsync.emulator import Library
from amsync.emulator.artwork import rehost
from amsync.emulator.privacy_export import ListeningExport
from amsync.emulator.privacy_library import LibraryListening, listening_for_library, replay_of

if TYPE_CHECKING:
    from amsync.api import ClientConfig

FOLDER: Final = "listening"
EXPORT_NAME: Final = f"{FOLDER}/Apple_Media_Services.zip"
LAST_DAY: Final = date(2025, 12, 31)  # a fixed year, so the demo's report reads the same each run
REPORT_NAME: Final = "report.html"
PLAYS_PER_SONG: Final = 2.5


@dataclass(frozen=True)
class DemoListening:
    export: ListeningExport
    year: int


def prepare(library: Library, server_url: str, seed: int) -> DemoListening:
    """The listener of ``library`` in 2023–2025, Apple's Replay of 2025, and the artwork
    served by the emulator at ``server_url``."""
    year = LAST_DAY.year
    rehost(library, server_url)
    plays = max(600, int(len(library.songs) * PLAYS_PER_SONG))
    spec = LibraryListening(plays=plays, years=3, end=date(year + 1, 1, 1), seed=seed)
    export = listening_for_library(library, spec)
    library.replay = replay_of(library, export, year)
    _added_before_first_play(library, export)
    return DemoListening(export, year)


def _added_before_first_play(library: Library, export: ListeningExport) -> None:
    """Each played song was added to the library on the day it was first played (so the
    report's "songs added" and "discoveries" tell the same story)."""
    first: dict[str, datetime] = {}
    for play in export.plays:
        song = play.song.library_id
        if song is not None and (song not in first or play.start < first[song]):
            first[song] = play.start
    for song, moment in first.items():
        if song in library.songs:
            library.update_song(song, date_added=moment.strftime("%Y-%m-%dT%H:%M:%SZ"))


def finish(
    store: Store, folder: Path, listening: DemoListening, config: ClientConfig
) -> list[tuple[str, str]]:
    """Import the export, fill in its artists and write the report; (path in the folder, what
    it holds)."""
    from amsync.api import AppleMusicClient
    from amsync.cli.process_exit import run_async
    from amsync.history import import_apple_data
    from amsync.listens.fill import fill_listens

    (folder / FOLDER).mkdir(exist_ok=True)
    path = listening.export.write(folder / EXPORT_NAME)
    # the UTC offsets are kept: the report's listening clock shows the listener's own hours
    imported = import_apple_data(store, "default", path, keep_personal=True)

    async def fill() -> dict[str, int]:
        async with AppleMusicClient(config) as client:
            done = await fill_listens(store, "default", lambda: client)
        return done.artist_from

    filled = run_async(fill())
    sources = ", ".join(
        f"{n:,} {where}"
        for where, n in (
            ("from the mirror", filled.get("mirror", 0)),
            ("from Apple's catalog", filled.get("catalog", 0)),
            ("from the daily history", filled.get("daily", 0)),
        )
        if n
    )
    _write_report(store, folder / REPORT_NAME, listening.year)
    return [
        (
            EXPORT_NAME,
            f"a generated privacy export: {imported.plays.new:,} plays imported; artists "
            f"filled in: {sources or 'none needed'}",
        ),
        (REPORT_NAME, f"your {listening.year} in music: open it in a browser"),
    ]


def _write_report(store: Store, target: Path, year: int) -> None:
    from amsync import __version__
    from amsync.api.artwork import ArtworkDownloader
    from amsync.cli.process_exit import run_async
    from amsync.export.atomic_files import atomic_text_file
    from amsync.query.snapshot import reading
    from amsync.report.artwork import ArtworkCache, thumbnails
    from amsync.report.document import build_report
    from amsync.report.page import chart_set, render_page
    from amsync.report.period import ReportPeriod

    with reading(store) as reader:
        document = build_report(
            reader,
            store.account_id("default"),
            "default",
            ReportPeriod("year", year),
            now=datetime.now(UTC),
        )
    images = thumbnails(
        document.artwork_urls(), ArtworkDownloader(runner=run_async), ArtworkCache(None)
    )
    page = render_page(
        document,
        thumbnails=images,
        charts=chart_set(document),
        version=__version__,
        source="the amsync demo's mirror",
    )
    with atomic_text_file(target) as handle:
        handle.write(page)
