"""Apple's own Replay (issue 26): ``sync`` reads ``GET /v1/me/music-summaries`` once per run
and keeps each version Apple publishes, so a year's summary stays after Apple drops it. A
summary Apple does not have (404, empty ``data``) or cannot serve is normal: the sync of the
library goes on, and it never counts towards the deletion guard."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from amsync.api import AppleMusicClient
from amsync.db.reading import as_reader
from amsync.db.store import Store
from amsync.emulator import Emulator, FaultConfig, LibrarySpec
from amsync.emulator.resources import ReplayData
from amsync.sync.report import SyncReport
from amsync.sync.runner import SyncOptions, run_sync
from tests.sync.conftest import client_config, in_process_client, make_emulator

SPEC = LibrarySpec(songs=120, albums=20, artists=12, playlists=4, seed=5)
ENDPOINT = "GET /v1/me/music-summaries"
HOSTILE = "<script>alert('replay')</script>"


def _replay(emulator: Emulator, year: int, *, shift: int = 0) -> ReplayData:
    library = emulator.library
    songs = sorted(c for c, s in library.catalog_songs.items() if s.kind == "song")
    return ReplayData(
        year=year,
        songs=songs[shift : shift + 10],
        albums=sorted(library.catalog_albums)[shift : shift + 5],
        artists=sorted(library.catalog_artists)[shift : shift + 5],
    )


def _sync(emulator: Emulator, store: Store, **options: Any) -> SyncReport:
    async def run() -> SyncReport:
        async with in_process_client(emulator) as client:
            return await run_sync(client, store, "default", SyncOptions(**options))

    return asyncio.run(run())


def _kept(store: Store) -> list[tuple[Any, ...]]:
    with store.engine.connect() as connection:
        return as_reader(connection).rows(
            "SELECT year, top, rank, name, artist, album, catalog_id FROM replay_v "
            "ORDER BY year, top, rank"
        )


def _versions(store: Store) -> int:
    with store.engine.connect() as connection:
        found = as_reader(connection).rows("SELECT count(*) FROM replay_summaries")
    return int(found[0][0])


def test_a_sync_keeps_apples_replay_in_apples_order_with_one_request(
    store: Store,
) -> None:
    emulator = make_emulator(SPEC)
    emulator.library.replay = replay = _replay(emulator, 2025)
    report = _sync(emulator, store)
    assert report.status == "succeeded", report.warnings
    assert emulator.log.count(endpoint=ENDPOINT) == 1, "one request per run"
    assert report.replay == {"year": 2025, "new": True, "songs": 10, "albums": 5, "artists": 5}
    kept = _kept(store)
    catalog = emulator.library.catalog_songs
    songs = [row for row in kept if row[1] == "songs"]
    assert [row[2] for row in songs] == list(range(1, 11))
    assert [row[6] for row in songs] == replay.songs, "Apple's order"
    assert [row[3] for row in songs] == [catalog[c].name for c in replay.songs]
    assert [row[4] for row in songs] == [catalog[c].artist_name for c in replay.songs]
    albums = [row for row in kept if row[1] == "albums"]
    assert [row[6] for row in albums] == replay.albums
    assert {row[1] for row in kept} == {"songs", "albums", "artists"}


def test_the_same_summary_again_is_not_a_new_version_and_a_changed_one_is(
    store: Store,
) -> None:
    emulator = make_emulator(SPEC)
    emulator.library.replay = _replay(emulator, 2025)
    assert _sync(emulator, store).replay["new"] is True  # type: ignore[index]
    again = _sync(emulator, store)
    assert again.replay is not None and again.replay["new"] is False
    assert _versions(store) == 1
    first = _kept(store)
    emulator.library.replay = updated = _replay(emulator, 2025, shift=3)  # Apple updated it
    changed = _sync(emulator, store)
    assert changed.replay is not None and changed.replay["new"] is True
    assert _versions(store) == 2, "the earlier version is kept"
    now = [row[6] for row in _kept(store) if row[1] == "songs"]
    assert now == updated.songs and now != [row[6] for row in first if row[1] == "songs"]


@pytest.mark.parametrize("absent", ["404", "empty"])
def test_no_summary_is_normal_and_keeps_what_was_kept(store: Store, absent: str) -> None:
    emulator = make_emulator(SPEC, FaultConfig(replay_absent=absent))
    emulator.library.replay = _replay(emulator, 2024)
    _sync(emulator, store)
    kept = _kept(store)
    emulator.library.replay = None  # Apple drops 2024, has nothing newer yet
    report = _sync(emulator, store)
    assert report.status == "succeeded"
    assert report.replay is None
    assert not report.warnings, report.warnings
    assert not report.guard, "a summary gone is no removal"
    assert _kept(store) == kept, "Apple's 2024 stays after Apple dropped it"
    assert emulator.log.count(endpoint=ENDPOINT) == 2


def test_a_summary_apple_cannot_serve_is_a_warning_not_a_failed_sync(store: Store) -> None:
    faults = FaultConfig(error_rate=1.0, paths=("/v1/me/music-summaries",))
    emulator = make_emulator(SPEC, faults)
    emulator.library.replay = _replay(emulator, 2025)

    async def run() -> SyncReport:
        config = client_config(retry_budget_s=0.5)
        async with AppleMusicClient(config, transport=emulator.async_transport()) as client:
            return await run_sync(client, store, "default")

    report = asyncio.run(run())
    assert report.status == "succeeded"
    assert any("Replay summary could not be read" in w for w in report.warnings)
    library = emulator.library
    assert report.collections["songs"]["added"] == len(library.songs) + len(library.music_videos)
    assert _kept(store) == []


def test_a_dry_run_reads_but_keeps_nothing(store: Store) -> None:
    emulator = make_emulator(SPEC)
    emulator.library.replay = _replay(emulator, 2025)
    report = _sync(emulator, store, dry_run=True)
    assert report.status == "dry-run"
    assert emulator.log.count(endpoint=ENDPOINT) == 1
    assert report.replay is None
    assert _kept(store) == []


def test_hostile_names_are_kept_as_they_are(store: Store) -> None:
    emulator = make_emulator(SPEC)
    library = emulator.library
    emulator.library.replay = replay = _replay(emulator, 2025)
    library.catalog_songs[replay.songs[0]].name = HOSTILE + "\x00"
    library.touch()
    _sync(emulator, store)
    names = [row[3] for row in _kept(store) if row[1] == "songs"]
    assert names[0] == HOSTILE + "\ufffd"
