"""Complete listings: next, short pages, meta.total, 404s, concurrency, dedupe."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import httpx
import pytest
from api_fakes import ClientFactory, FakeLibrary, json_response, library_song

from amsync.domain import LibrarySong, TrackKind

pytestmark = pytest.mark.anyio


def collector() -> tuple[list[LibrarySong], list[int]]:
    return [], []


async def list_songs(make_client: ClientFactory, library: FakeLibrary, **kwargs: object):
    got: list[LibrarySong] = []
    page_sizes: list[int] = []

    def on_page(items: Sequence[LibrarySong]) -> None:
        got.extend(items)
        page_sizes.append(len(items))

    async with make_client(httpx.MockTransport(library.handler), **kwargs) as client:
        result = await client.list_songs(on_page)
    return got, page_sizes, result


async def test_follows_next_to_the_end_with_limit_and_params_re_added(make_client):
    library = FakeLibrary([library_song(i) for i in range(250)])
    got, _, result = await list_songs(make_client, library)
    assert [s.library_id for s in got] == [f"i.song{i:05d}" for i in range(250)]
    assert result.complete and result.received == 250 and result.expected_total == 250
    assert result.pages == 3
    for request in library.requests:
        assert request.url.params["limit"] == "100"
        assert request.url.params["include"] == "catalog"
        assert request.url.params["extend"] == "dateAdded"


async def test_remaining_pages_fetched_concurrently_each_once(make_client):
    library = FakeLibrary([library_song(i) for i in range(1234)])
    in_flight = 0
    peak = 0

    class Slow(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            import asyncio

            await asyncio.sleep(0.01)
            in_flight -= 1
            return library.handler(request)

    got: list[LibrarySong] = []
    async with make_client(Slow(), max_concurrency=4) as client:
        result = await client.list_songs(got.extend)
    assert result.complete and result.received == 1234
    assert sorted(library.offsets()) == list(range(0, 1300, 100))
    assert Counter(library.offsets()).most_common(1)[0][1] == 1
    assert 1 < peak <= 4


async def test_short_page_with_next_is_fetched_again(make_client):
    library = FakeLibrary([library_song(i) for i in range(250)], short={100: 2})
    got, _, result = await list_songs(make_client, library)
    assert result.complete and len(got) == 250
    assert library.offsets().count(100) == 2


async def test_page_that_stays_short_makes_the_listing_incomplete(make_client):
    library = FakeLibrary([library_song(i) for i in range(250)], total_override=260)
    _, _, result = await list_songs(make_client, library)
    assert not result.complete
    assert result.received == 250 and result.expected_total == 260
    assert any("meta.total" in problem for problem in result.problems)


async def test_never_infers_the_end_from_a_short_page(make_client):
    # no meta.total; page 0 short (98 items) but with next: the listing must go on
    library = FakeLibrary([library_song(i) for i in range(150)], hide_total=True)
    library.short = {0: 2}
    got, _, result = await list_songs(make_client, library, short_page_retries=0)
    assert {s.library_id for s in got} >= {f"i.song{i:05d}" for i in range(100, 150)}
    assert library.offsets() == [0, 100]
    assert result.expected_total is None


async def test_404_at_offset_zero_is_an_empty_complete_collection(make_client):
    library = FakeLibrary([])
    got, _, result = await list_songs(make_client, library)
    assert got == [] and result.complete and result.received == 0
    assert library.offsets() == [0]


async def test_404_mid_list_is_retried(make_client):
    library = FakeLibrary([library_song(i) for i in range(300)], missing={200: 2})
    got, _, result = await list_songs(make_client, library)
    assert result.complete and len(got) == 300
    assert library.offsets().count(200) == 3


async def test_404_mid_list_that_persists_is_incomplete(make_client):
    library = FakeLibrary([library_song(i) for i in range(300)], missing={100: 99})
    _, _, result = await list_songs(make_client, library)
    assert not result.complete and result.received == 200
    assert any("offset 100" in problem for problem in result.problems)


async def test_next_past_the_expected_end_is_still_followed(make_client):
    library = FakeLibrary([library_song(i) for i in range(200)], extra_next_after_end=True)
    _, _, result = await list_songs(make_client, library)
    assert result.complete
    assert library.offsets()[-1] == 200  # followed, got 404 past the end: fine


async def test_ids_are_deduplicated_across_pages(make_client):
    items = [library_song(i) for i in range(200)]
    items.insert(100, library_song(99))  # offset paging shifted: song 99 shows up twice
    library = FakeLibrary(items, total_override=200)
    got, _, result = await list_songs(make_client, library)
    ids = [s.library_id for s in got]
    assert len(ids) == len(set(ids)) == 200
    assert result.received == 200


async def test_unknown_resource_types_are_skipped_and_noted(make_client):
    items = [library_song(0), {"id": "x.1", "type": "library-holograms"}, library_song(1)]
    library = FakeLibrary(items, total_override=2)
    got, _, result = await list_songs(make_client, library)
    assert [s.library_id for s in got] == ["i.song00000", "i.song00001"]
    assert any("library-holograms" in problem for problem in result.problems)


async def test_foreign_next_link_is_not_followed(make_client):
    def handler(request: httpx.Request) -> httpx.Response:
        return json_response({"data": [library_song(0)], "next": "https://evil.test/x?offset=1"})

    got: list[LibrarySong] = []
    async with make_client(httpx.MockTransport(handler)) as client:
        result = await client.list_songs(got.extend)
    assert not result.complete and any("next" in p for p in result.problems)


async def test_playlist_tracks_keep_order_and_duplicates(make_client):
    tracks = [library_song(i % 7) for i in range(230)]
    tracks[5] = {**library_song(999), "type": "library-music-videos"}
    library = FakeLibrary(tracks, path="/v1/me/library/playlists/p.abc/tracks")
    async with make_client(httpx.MockTransport(library.handler)) as client:
        got, result = await client.list_playlist_tracks("p.abc")
    assert [t.library_id for t in got] == [t["id"] for t in tracks]
    assert got[5].kind is TrackKind.MUSIC_VIDEO
    assert result.complete and result.received == 230


async def test_empty_playlist_404_is_empty(make_client):
    library = FakeLibrary([], path="/v1/me/library/playlists/p.empty/tracks")
    async with make_client(httpx.MockTransport(library.handler)) as client:
        got, result = await client.list_playlist_tracks("p.empty")
    assert got == [] and result.complete


async def test_folder_tree(make_client):
    root = "p.root"
    children = {
        root: [
            {"id": "p.f1", "type": "library-playlist-folders", "attributes": {"name": "Parent"}},
            {"id": "p.top", "type": "library-playlists", "attributes": {"name": "Top"}},
        ],
        "p.f1": [
            {"id": "p.f2", "type": "library-playlist-folders", "attributes": {"name": "Child"}},
            {"id": "p.in1", "type": "library-playlists", "attributes": {"name": "In 1"}},
        ],
        "p.f2": [{"id": "p.in2", "type": "library-playlists", "attributes": {"name": "In 2"}}],
    }

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/me/library/playlist-folders":
            assert request.url.params["filter[identity]"] == "playlistsroot"
            return json_response(
                {
                    "data": [{"id": root, "type": "library-playlist-folders"}],
                    "meta": {"filters": {"identity": {"playlistsroot": [{"id": root}]}}},
                }
            )
        folder = path.split("/")[-2]
        return json_response({"data": children[folder]})

    async with make_client(httpx.MockTransport(handler)) as client:
        tree = await client.list_folder_tree()
    assert tree.root_id == root
    assert [(f.library_id, f.parent_id) for f in tree.folders] == [
        ("p.f1", None),
        ("p.f2", "p.f1"),
    ]
    assert tree.playlist_folder == {"p.in1": "p.f1", "p.in2": "p.f2"}
    assert tree.listing.complete
