"""A sync under injected faults ends with the same mirror as a fault-free one."""

from __future__ import annotations

import asyncio

import pytest

from amsync.db.store import Store
from amsync.emulator import FaultConfig, LibrarySpec
from amsync.sync.runner import run_sync
from tests.support.mirror_compare import actual_mirror, expected_mirror
from tests.sync.conftest import in_process_client, make_emulator


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ten_percent_faults_of_every_kind_end_equal(seed: int, sqlite_store: Store) -> None:
    faults = FaultConfig(seed=seed, fault_rate=0.10, rate_limit_rps=400, rate_limit_burst=20)
    emulator = make_emulator(LibrarySpec(songs=700, playlists=14, seed=seed), faults)

    async def sync() -> None:
        async with in_process_client(emulator) as client:
            report = await run_sync(client, sqlite_store, "default")
            assert report.status == "succeeded"
            assert report.retries > 0, "the faults must have been met"
            assert all(report.complete.values()), report.warnings

    asyncio.run(sync())
    statuses = {entry.status for entry in emulator.log.entries}
    assert {429, 500, 503, 504, 0} & statuses, statuses
    assert actual_mirror(sqlite_store) == expected_mirror(emulator.library)


def test_faults_during_a_second_sync_keep_it_correct(sqlite_store: Store) -> None:
    emulator = make_emulator(LibrarySpec(songs=500, playlists=10, seed=9))

    async def sync() -> None:
        async with in_process_client(emulator) as client:
            await run_sync(client, sqlite_store, "default")

    asyncio.run(sync())
    library = emulator.library
    for song_id in sorted(library.songs)[:20]:
        library.remove_song(song_id)
    emulator.faults = FaultConfig(seed=4, fault_rate=0.15)
    asyncio.run(sync())
    assert actual_mirror(sqlite_store) == expected_mirror(library)
