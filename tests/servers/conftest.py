"""A real Supysonic per test session (per pytest-xdist worker), over the music folder of the
Subsonic world (``tests.support.subsonic_world``). Tests share it and keep apart by signing in
as a user of their own (``server_user``): playlists and stars are per user."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest

from tests.support.subsonic_world import World, build_world
from tests.support.supysonic_server import Supysonic, running_supysonic

_users = itertools.count(1)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("subsonic-world"))


@pytest.fixture(scope="session")
def supysonic(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Supysonic]:
    with running_supysonic(tmp_path_factory.mktemp("supysonic"), world.music) as server:
        yield server


@pytest.fixture
def server_user(supysonic: Supysonic) -> tuple[str, str]:
    """A user of its own on the shared Supysonic: (name, password)."""
    name = f"user{os.getpid()}x{next(_users)}"
    password = f"pw-{name}-secret"
    supysonic.add_user(name, password)
    return name, password
