"""Fixtures shared by the hardening tests (issue 14)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from amsync.api import AppleMusicClient
from amsync.cli.logfile import detach_log_files
from amsync.db.store import Store, open_store
from amsync.emulator import Emulator
from amsync.sync.runner import run_sync
from tests.support.reliability import emulator_for, tiny_spec
from tests.sync.conftest import client_config


@pytest.fixture(autouse=True)
def no_leftover_log_files() -> Iterator[None]:
    """Commands that log to <home>/logs attach a file handler; each test has its own home."""
    yield
    detach_log_files()


def synced_mirror(db: str, *, seed: int = 5) -> Emulator:
    """A mirror of a small library with every kind of item, synced twice with edits between
    (changes, a new playlist revision, a removal), so every view has rows; the emulator holds
    the library as it is now."""
    emulator = emulator_for(tiny_spec(seed, songs=24))
    store = open_store(db)
    try:
        asyncio.run(_sync(store, emulator))
        library = emulator.library
        songs = sorted(library.songs)
        library.update_song(songs[0], name="Renamed by the second sync")
        library.remove_song(songs[1])
        playlist = sorted(library.playlists)[0]
        library.set_playlist_tracks(playlist, songs[2:6])
        asyncio.run(_sync(store, emulator))
    finally:
        store.close()
    return emulator


async def _sync(store: Store, emulator: Emulator) -> None:
    async with AppleMusicClient(client_config(), transport=emulator.async_transport()) as client:
        await run_sync(client, store, "default")
