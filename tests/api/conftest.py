"""Fixtures for the API client tests."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from api_fakes import BASE, DEV_TOKEN, USER_TOKEN, ClientFactory, FakeTime

from amsync.api import AppleMusicClient, ClientConfig, StaticDeveloperToken
from amsync.api.tokens import DeveloperTokenProvider
from amsync.config.secret import Secret


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_client(fake_time: FakeTime) -> Iterator[ClientFactory]:
    """Build a client on fake time; ``transport=None`` goes to pytest-httpx's mock."""

    def build(
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        developer_token: DeveloperTokenProvider | None = None,
        music_user_token: str | None = USER_TOKEN,
        **overrides: Any,
    ) -> AppleMusicClient:
        overrides.setdefault("storefront", "us")
        config = ClientConfig(
            base_url=BASE,
            developer_token=developer_token or StaticDeveloperToken(Secret(DEV_TOKEN)),
            music_user_token=Secret(music_user_token) if music_user_token else None,
            **overrides,
        )
        return AppleMusicClient(
            config,
            transport=transport,
            clock=fake_time.clock,
            sleep=fake_time.sleep,
            rng=random.Random(7),
        )

    yield build
