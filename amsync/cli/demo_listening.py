"""The demo's listening step (issue 25): two years of plays of the demo library's songs and of
catalog songs outside it, written as Apple's privacy export in the newer layout (no artist
column), imported, and filled in from the mirror and from the emulator's catalog search — so
that ``amsync listens push URL --dry-run`` and ``amsync listens export`` have something to
show on the demo database."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from amsync.api import ClientConfig
    from amsync.db.store import Store
    from amsync.emulator import Emulator

DEMO_PLAYS: Final = 3000
FOLDER: Final = "listening"


async def listening_demo(
    store: Store, emulator: Emulator, config: ClientConfig, folder: Path, seed: int
) -> list[tuple[str, str]]:
    """Write, import and fill the demo's listening history; the summary lines of what it made
    (a path in the demo folder, what it holds)."""
    from amsync.api import AppleMusicClient
    from amsync.emulator.privacy_catalog import listener_of_library
    from amsync.emulator.privacy_export import PrivacyExportSpec, render_export
    from amsync.emulator.privacy_listener import make_plays
    from amsync.history import import_apple_data
    from amsync.listens.fill import fill_listens

    songs = listener_of_library(emulator.library)
    if not songs:
        return []
    spec = PrivacyExportSpec(seed=seed, plays=DEMO_PLAYS, start=date(2024, 1, 1), days=730)
    rng = random.Random(seed)
    outside = [song for song in songs if song.library_id is None]
    inside = [song for song in songs if song.library_id is not None]
    elsewhere = DEMO_PLAYS // 5 if outside and inside else 0  # a fifth outside the library
    plays = make_plays(replace(spec, plays=DEMO_PLAYS - elsewhere), inside or outside, rng)
    if elsewhere:
        plays += make_plays(replace(spec, plays=elsewhere), outside, rng)
    plays.sort(key=lambda play: play.start)
    export = render_export(songs, plays, spec, rng)
    (folder / FOLDER).mkdir(exist_ok=True)
    archive = export.write(folder / FOLDER / "Apple_Media_Services.zip")
    imported = import_apple_data(store, "default", archive)
    client = AppleMusicClient(config, transport=emulator.async_transport())
    async with client:
        filled = await fill_listens(store, "default", lambda: client)
    sources = ", ".join(
        f"{n:,} {where}"
        for where, n in (
            ("from the mirror", filled.artist_from["mirror"]),
            ("from Apple's catalog", filled.artist_from["catalog"]),
            ("from the daily history", filled.artist_from["daily"]),
        )
        if n
    )
    return [
        (
            f"{FOLDER}/Apple_Media_Services.zip",
            f"a generated privacy export: {imported.plays.new:,} plays imported; artists "
            f"filled in: {sources}",
        )
    ]
