"""Fixtures for sync tests: an emulator library, a client on it, a store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from amsync.api import AppleMusicClient, ClientConfig, RateSettings, StaticDeveloperToken
from amsync.config.secret import Secret
from amsync.db.store import Store, open_store
from amsync.emulator import Emulator, FaultConfig, LibrarySpec, awkward_spec, generate_library

DEV = "dev-token-for-tests"
USER = "user-token-for-tests"
FAST = RateSettings(initial_rate=500.0, max_rate=2000.0)


def make_emulator(spec: LibrarySpec, faults: FaultConfig | None = None) -> Emulator:
    return Emulator(
        generate_library(spec), developer_tokens={DEV}, music_user_tokens={USER}, faults=faults
    )


def client_config(base_url: str = "http://emulator", **overrides: Any) -> ClientConfig:
    values: dict[str, Any] = {
        "base_url": base_url,
        "developer_token": StaticDeveloperToken(Secret(DEV)),
        "music_user_token": Secret(USER),
        "rate": FAST,
        "retry_budget_s": 30.0,
    }
    values.update(overrides)
    return ClientConfig(**values)


@asynccontextmanager
async def in_process_client(
    emulator: Emulator, **overrides: Any
) -> AsyncIterator[AppleMusicClient]:
    async with AppleMusicClient(
        client_config(**overrides), transport=emulator.async_transport()
    ) as client:
        yield client


@pytest.fixture
def awkward() -> Emulator:
    return make_emulator(awkward_spec(seed=11))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def sqlite_store(sqlite_path: str) -> Iterator[Store]:
    opened = open_store(sqlite_path)
    try:
        yield opened
    finally:
        opened.close()
