"""No idle critical path (issue 23 item 2) and a no-change sync that only compares (item 3).

One kind of request is made slow (``Slow``: the emulator's answers to it wait) and the
emulator's log, kept in order of completion, shows what the fetch did meanwhile: chains that do
not depend on the slow one go on, ratings are read while their listing is still going, and the
request count stays the minimum. Then: after a sync, a no-change fetch stages nothing but the
playlists.
"""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import httpx
import pytest

from amsync.api import AppleMusicClient
from amsync.db.store import open_store
from amsync.emulator import Emulator, LibrarySpec
from amsync.sync.fetch import Fetcher, KnownCatalog
from amsync.sync.mirror_state import load_mirror_state
from amsync.sync.runner import run_sync
from amsync.sync.staging import Staging
from tests.support.mirror_compare import actual_mirror, expected_mirror
from tests.sync.conftest import client_config, in_process_client, make_emulator

SLOW_S = 0.6


class Slow(httpx.AsyncBaseTransport):
    """The in-process emulator, with requests to ``prefix`` answered ``SLOW_S`` late."""

    def __init__(self, emulator: Emulator, prefix: str) -> None:
        self._inner = emulator.async_transport()
        self._prefix = prefix

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith(self._prefix):
            await asyncio.sleep(SLOW_S)
        return await self._inner.handle_async_request(request)


def _sync(emulator: Emulator, db: str, slow: str | None = None) -> None:
    store = open_store(db)
    transport = Slow(emulator, slow) if slow else emulator.async_transport()

    async def go() -> None:
        async with AppleMusicClient(client_config(), transport=transport) as client:
            report = await run_sync(client, store, "default")
            assert report.status == "succeeded"

    try:
        asyncio.run(go())
        assert actual_mirror(store) == expected_mirror(emulator.library)
    finally:
        store.close()


def _order(emulator: Emulator) -> list[str]:
    """The requests' endpoints, in the order the emulator finished them."""
    return [entry.endpoint for entry in emulator.log.entries]


def _first(order: list[str], endpoint: str) -> int:
    return next(i for i, e in enumerate(order) if e == endpoint)


def _last(order: list[str], endpoint: str) -> int:
    return max(i for i, e in enumerate(order) if e == endpoint)


def test_playlist_tracks_do_not_wait_for_a_slow_folder_tree(sqlite_path: str) -> None:
    emulator = make_emulator(LibrarySpec(songs=200, playlists=6, folders=3, seed=8))
    _sync(emulator, sqlite_path, slow="/v1/me/library/playlist-folders")
    order = _order(emulator)
    tracks = "GET /v1/me/library/playlists/{id}/tracks"
    folders = "GET /v1/me/library/playlist-folders/{id}/children"
    assert _first(order, tracks) < _last(order, folders), order


def test_music_videos_are_listed_beside_the_songs(sqlite_path: str) -> None:
    emulator = make_emulator(LibrarySpec(songs=900, playlists=2, music_videos=2, seed=9))
    _sync(emulator, sqlite_path, slow="/v1/me/library/songs")
    order = _order(emulator)
    assert _first(order, "GET /v1/me/library/music-videos") < _last(
        order, "GET /v1/me/library/songs"
    ), order


def test_ratings_are_read_while_their_listing_goes_on_in_the_fewest_requests(
    sqlite_path: str,
) -> None:
    # ten slow pages: the first, then eight at once (every request slot), then the tenth alone
    # while seven slots are free — the ratings of the 900 songs listed by then fill them
    songs = 1000
    emulator = make_emulator(LibrarySpec(songs=songs, albums=30, playlists=2, seed=10))
    _sync(emulator, sqlite_path, slow="/v1/me/library/songs")
    order = _order(emulator)
    ratings = "GET /v1/me/ratings/library-songs"
    assert _first(order, ratings) < _last(order, "GET /v1/me/library/songs"), order
    assert order.count(ratings) == math.ceil(songs / 200), "full batches of 200, as before"


def test_a_no_change_fetch_stages_nothing_but_the_playlists(tmp_path: Path) -> None:
    db = str(tmp_path / "mirror.db")
    emulator = make_emulator(LibrarySpec(songs=300, playlists=5, folders=2, seed=12))
    _sync(emulator, db)
    store = open_store(db)
    try:
        with store.session() as session:
            account_id = store.account_id("default")
            mirror = load_mirror_state(session, account_id)

        async def fetch(staging: Staging) -> None:
            async with in_process_client(emulator) as client:
                await Fetcher(client, staging, KnownCatalog(), lambda _e: None, mirror).run()

        with Staging(tmp_path) as staging:
            asyncio.run(fetch(staging))
            staged = {
                name: sum(1 for _ in staging.rows(name))
                for name in (
                    "songs",
                    "albums",
                    "artists",
                    "folders",
                    "playlists",
                    "tracks",
                    "catalog_songs",
                    "catalog_albums",
                    "catalog_artists",
                )
            }
    finally:
        store.close()
    playlists = len(emulator.library.playlists)
    assert staged == dict.fromkeys(staged, 0) | {"playlists": playlists}, staged


def test_a_changed_row_is_still_staged_and_applied(tmp_path: Path) -> None:
    """The other side of the last test: what changed is staged, and the mirror follows."""
    db = str(tmp_path / "mirror.db")
    emulator = make_emulator(LibrarySpec(songs=300, playlists=5, folders=2, seed=12))
    _sync(emulator, db)
    library = emulator.library
    library.update_song(sorted(library.songs)[3], name="Changed name")
    playlist = sorted(library.playlists)[0]
    library.rename_playlist(playlist, "Renamed, same tracks")
    _sync(emulator, db)  # compares the whole mirror with Apple's state


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
