"""Shared fixtures: a small generated library behind the in-process transport."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from amsync.emulator import Emulator, FaultConfig, Library, LibrarySpec, generate_library

DEV = "dev-token"
USER = "user-token"
AUTH = {"Authorization": f"Bearer {DEV}", "Music-User-Token": USER}


@pytest.fixture
def library() -> Library:
    return generate_library(LibrarySpec(songs=400, playlists=14, folders=5, seed=3))


@pytest.fixture
def emu(library: Library) -> Emulator:
    return Emulator(
        library,
        developer_tokens={DEV},
        music_user_tokens={USER},
        faults=FaultConfig(seed=1),
        storefront="us",
    )


@pytest.fixture
def client(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        transport=emu.transport(), base_url="https://api.music.apple.com", headers=AUTH
    ) as c:
        yield c


def walk(client: httpx.Client, url: str) -> tuple[list[dict[str, object]], list[int]]:
    """Follow ``next`` links (re-adding the first URL's other parameters); returns all items
    and the meta.total of each page."""
    items: list[dict[str, object]] = []
    totals: list[int] = []
    _, _, query = url.partition("?")
    extra = "&".join(p for p in query.split("&") if p and not p.startswith("offset="))
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.text)
        body = response.json()
        items += body["data"]
        totals.append(body["meta"]["total"])
        url = body.get("next", "")
        if url:  # Apple's next carries only offset: the client re-adds its parameters
            url += "&" + extra if extra else ""
    return items, totals
