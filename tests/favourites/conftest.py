"""Fixtures of the favourites tests: an emulator library with known ratings, a synced mirror."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from amsync.emulator import Emulator, LibrarySpec
from tests.sync.conftest import make_emulator

Env = Callable[[str], dict[str, str]]

SPEC = LibrarySpec(
    songs=60,
    albums=8,
    artists=6,
    playlists=8,
    folders=1,
    seed=21,
    favourite_fraction=0.0,
    dislike_fraction=0.0,
    music_videos=0,
    hostile_fraction=0.0,
)


@pytest.fixture
def emu() -> Emulator:
    emulator = make_emulator(SPEC)
    for playlist_id in list(emulator.library.playlists):  # a clean slate: nothing rated
        emulator.library.set_rating("library-playlists", playlist_id, None)
    return emulator
