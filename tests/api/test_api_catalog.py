"""Catalog batches (halving on 504), ISRC lookups, ratings batches, writes."""

from __future__ import annotations

import json

import httpx
import pytest
from api_fakes import ClientFactory, json_response

from amsync.api import TrackRef, rating_type_for
from amsync.domain import ItemType
from amsync.errors import UsageError

pytestmark = pytest.mark.anyio


def catalog_song(song_id: str) -> dict[str, object]:
    return {"id": song_id, "type": "songs", "attributes": {"name": f"S{song_id}"}}


async def test_catalog_batches_halve_on_504_and_skip_unknown_ids(make_client: ClientFactory):
    sizes: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        ids = request.url.params["ids"].split(",")
        sizes.append(len(ids))
        if len(ids) > 40:
            return httpx.Response(504)
        return json_response({"data": [catalog_song(i) for i in ids if int(i) % 10]})

    wanted = [str(i) for i in range(1, 201)]
    async with make_client(httpx.MockTransport(handler)) as client:
        songs = await client.get_catalog_songs([*wanted, "5", ""])
    assert sizes[:3] == [150, 75, 37]
    assert max(sizes[3:]) <= 37
    assert [s.catalog_id for s in songs] == [i for i in wanted if int(i) % 10]


async def test_catalog_batch_never_above_300(make_client: ClientFactory):
    sizes: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sizes.append(len(request.url.params["ids"].split(",")))
        return json_response({"data": []})

    async with make_client(httpx.MockTransport(handler), catalog_batch_size=300) as client:
        await client.get_catalog_albums(str(i) for i in range(700))
    assert sizes == [300, 300, 100]
    with pytest.raises(ValueError):
        make_client(catalog_batch_size=400)


async def test_isrc_lookup_in_batches_of_25(make_client: ClientFactory):
    seen: list[list[str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        isrcs = request.url.params["filter[isrc]"].split(",")
        seen.append(isrcs)
        data = [
            {"id": f"{n}", "type": "songs", "attributes": {"name": "x", "isrc": isrc}}
            for n, isrc in enumerate(isrcs)
            if isrc != "GBXXX0000003"
        ]
        return json_response({"data": data})

    isrcs = [f"gbxxx{n:07d}" for n in range(60)]
    async with make_client(httpx.MockTransport(handler)) as client:
        found = await client.get_catalog_songs_by_isrc(isrcs)
    assert [len(batch) for batch in seen] == [25, 25, 10]
    assert len(found) == 59 and "GBXXX0000003" not in found


async def test_isrc_lookup_uses_meta_filters_when_given(make_client: ClientFactory):
    body = {
        "data": [catalog_song("1"), catalog_song("2")],
        "meta": {"filters": {"isrc": {"USAAA1": [{"id": "1"}, {"id": "2"}]}}},
    }
    transport = httpx.MockTransport(lambda request: json_response(body))
    async with make_client(transport) as client:
        found = await client.get_catalog_songs_by_isrc(["usaaa1"])
    assert [s.catalog_id for s in found["USAAA1"]] == ["1", "2"]


async def test_catalog_search_sends_one_request_and_keeps_apples_order(
    make_client: ClientFactory,
):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        songs = [
            {"id": "2", "type": "songs", "attributes": {"name": "B", "playParams": {"id": "2"}}},
            {"id": "1", "type": "songs", "attributes": {"name": "A"}},
            {"id": "9", "type": "albums", "attributes": {"name": "not a song"}},
        ]
        return json_response({"results": {"songs": {"href": "/x", "data": songs}}})

    async with make_client(httpx.MockTransport(handler)) as client:
        found = await client.search_catalog_songs("  Hey   Jude\n", limit=40)
    (request,) = seen
    assert request.url.path == "/v1/catalog/us/search"
    assert dict(request.url.params) == {"term": "Hey Jude", "types": "songs", "limit": "25"}
    assert [(s.catalog_id, s.playable) for s in found] == [("2", True), ("1", False)]


@pytest.mark.parametrize(
    "body", [{"results": {}, "meta": {"results": {"order": []}}}, {"results": {"albums": {}}}]
)
async def test_catalog_search_without_song_hits_is_empty(
    make_client: ClientFactory, body: dict[str, object]
):
    transport = httpx.MockTransport(lambda request: json_response(body))
    async with make_client(transport) as client:
        assert await client.search_catalog_songs("nothing here") == []


async def test_an_empty_search_term_sends_nothing(make_client: ClientFactory):
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    async with make_client(httpx.MockTransport(handler)) as client:
        assert await client.search_catalog_songs("   ") == []


async def test_ratings_in_batches_of_200_unrated_absent(make_client: ClientFactory):
    sizes: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/me/ratings/library-songs"
        ids = request.url.params["ids"].split(",")
        sizes.append(len(ids))
        data = [
            {"id": i, "type": "ratings", "attributes": {"value": 1 if n % 2 else "-1"}}
            for n, i in enumerate(ids)
            if n % 3
        ]
        return json_response({"data": data})

    ids = [f"i.{n}" for n in range(450)]
    async with make_client(httpx.MockTransport(handler)) as client:
        ratings = await client.get_ratings("library-songs", ids)
    assert sizes == [200, 200, 50]
    assert set(ratings.values()) == {1, -1}
    expected = {
        f"i.{start + n}"
        for start, size in ((0, 200), (200, 200), (400, 50))
        for n in range(size)
        if n % 3
    }
    assert set(ratings) == expected and "i.0" not in ratings


async def test_ratings_type_is_checked(make_client: ClientFactory):
    async with make_client(httpx.MockTransport(lambda r: json_response({}))) as client:
        with pytest.raises(UsageError):
            await client.get_ratings("artists", ["1"])


async def test_put_and_delete_rating(make_client: ClientFactory):
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if request.method == "DELETE":
            return json_response({}, 404)  # never rated: fine
        return json_response({"data": []})

    async with make_client(httpx.MockTransport(handler)) as client:
        await client.put_rating("library-playlists", "p.MoGJYM3CYXW09B", 1)
        await client.delete_rating("songs", "907242702")
        with pytest.raises(ValueError):
            await client.put_rating("songs", "1", 5)
    put, delete = requests
    assert (
        put.method == "PUT" and put.url.path == "/v1/me/ratings/library-playlists/p.MoGJYM3CYXW09B"
    )
    assert json.loads(put.content) == {"type": "ratings", "attributes": {"value": 1}}
    assert delete.url.path == "/v1/me/ratings/songs/907242702"


async def test_add_favorites_uses_typed_ids(make_client: ClientFactory):
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(202)

    async with make_client(httpx.MockTransport(handler)) as client:
        await client.add_favorites({"songs": ["907242702"], "albums": ["1138988512"]})
    (request,) = requests
    assert request.method == "POST" and request.url.path == "/v1/me/favorites"
    assert request.url.params["ids[songs]"] == "907242702"
    assert request.url.params["ids[albums]"] == "1138988512"


async def test_create_playlist_then_add_the_rest_in_order(make_client: ClientFactory):
    bodies: list[tuple[str, dict[str, object]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append((request.url.path, json.loads(request.content)))
        if request.url.path == "/v1/me/library/playlists":
            created = {"id": "p.new", "type": "library-playlists", "attributes": {"name": "N"}}
            return json_response({"data": [created]}, 201)
        return httpx.Response(204)

    tracks: list[TrackRef | str] = [f"i.{n}" for n in range(230)]
    tracks[1] = TrackRef("1613600188", "songs")
    async with make_client(httpx.MockTransport(handler)) as client:
        playlist = await client.create_playlist("N", None, tracks, parent_folder_id="p.folder")
    assert playlist.library_id == "p.new"
    (_create_path, create), *adds = bodies
    sent = create["relationships"]["tracks"]["data"]  # type: ignore[index]
    assert sent[1] == {"id": "1613600188", "type": "songs"}
    assert sent[0] == {"id": "i.0", "type": "library-songs"}
    assert create["relationships"]["parent"]["data"][0]["id"] == "p.folder"  # type: ignore[index]
    order = [t["id"] for t in sent] + [t["id"] for _, body in adds for t in body["data"]]  # type: ignore[index]
    assert order == [t if isinstance(t, str) else t.id for t in tracks]
    assert [path for path, _ in adds] == ["/v1/me/library/playlists/p.new/tracks"] * 2


@pytest.mark.parametrize(
    ("item_type", "item_id", "expected"),
    [
        (ItemType.SONG, "i.PkdJNdAIrQozOW", "library-songs"),
        (ItemType.SONG, "1622045954", "songs"),
        (ItemType.ALBUM, "l.fsnYeFy", "library-albums"),
        (ItemType.ALBUM, "1138988512", "albums"),
        (ItemType.PLAYLIST, "p.ldvAAZ3C3Qmop9", "library-playlists"),
        (ItemType.PLAYLIST, "pl.cb4d1c09a2df4230a78d0395fe1f8fde", "playlists"),
    ],
)
def test_rating_type_for(item_type: ItemType, item_id: str, expected: str) -> None:
    assert rating_type_for(item_type, item_id) == expected


@pytest.mark.parametrize(
    ("item_type", "item_id"),
    [
        (ItemType.ARTIST, "r.1"),
        (ItemType.SONG, "p.x"),
        (ItemType.ALBUM, "abc"),
        (ItemType.SONG, "i."),
    ],
)
def test_rating_type_for_refuses(item_type: ItemType, item_id: str) -> None:
    with pytest.raises(UsageError):
        rating_type_for(item_type, item_id)
