"""Apple's Replay data (``GET /v1/me/music-summaries``) read by the client: the request it
sends, the summary it reads, and what it makes of odd answers — none (404, empty ``data``) is
``None``, a summary without a year is malformed, entries without a name are skipped."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from api_fakes import ClientFactory, json_response

from amsync.errors import MalformedResponse

pytestmark = pytest.mark.anyio


def entry(relationship: str, rid: str, **attributes: Any) -> dict[str, Any]:
    resource = {"id": rid, "type": relationship + "s", "attributes": attributes}
    return {"id": f"x-{rid}", "relationships": {relationship: {"data": [resource]}}}


def summary(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "year-2025",
        "type": "music-summaries",
        "attributes": {"period": "year", "year": 2025},
        "views": {
            "top-songs": {
                "data": [
                    entry(
                        "song",
                        "1",
                        name="First",
                        artistName="A",
                        albumName="X",
                        artwork={"url": "https://img/{w}x{h}bb.jpg"},
                    ),
                    {"id": "no-relationship"},
                    entry("song", "3", name="Third", artistName="C"),
                ]
            },
            "top-albums": {"data": [entry("album", "10", name="Album", artistName="A")]},
            "top-artists": {"data": [entry("artist", "20", name="<b>Artist</b>")]},
        },
    }
    body.update(overrides)
    return body


async def test_the_request_and_the_summary_read(make_client: ClientFactory) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response({"data": [summary()]})

    async with make_client(httpx.MockTransport(handler)) as client:
        found = await client.get_replay_summary()
    assert len(seen) == 1
    assert seen[0].url.path == "/v1/me/music-summaries"
    assert dict(seen[0].url.params) == {
        "filter[year]": "latest",
        "views": "top-artists,top-albums,top-songs",
    }
    assert found is not None and found.year == 2025 and found.period == "year"
    assert found.apple_id == "year-2025"
    songs = [i for i in found.items if i.top == "songs"]
    assert [(i.rank, i.name, i.catalog_id, i.artist, i.album) for i in songs] == [
        (1, "First", "1", "A", "X"),
        (3, "Third", "3", "C", None),
    ], "the entry without a song is skipped; ranks stay Apple's"
    assert songs[0].artwork_url == "https://img/{w}x{h}bb.jpg"
    assert [(i.top, i.name, i.artist) for i in found.items if i.top != "songs"] == [
        ("albums", "Album", "A"),
        ("artists", "<b>Artist</b>", None),
    ]


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(404, json={"errors": [{"status": "404", "code": "40400"}]}),
        httpx.Response(200, json={"data": []}),
    ],
    ids=["404", "empty"],
)
async def test_no_summary_is_none(make_client: ClientFactory, answer: httpx.Response) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/test":  # a 404 first makes the client check the API URL
            return json_response({})
        return answer

    async with make_client(httpx.MockTransport(handler)) as client:
        assert await client.get_replay_summary() is None


@pytest.mark.parametrize(
    ("attributes", "identifier", "year"),
    [({"year": "2024"}, "x", 2024), ({}, "year-2023", 2023), ({"year": 2025.0}, "x", 2025)],
)
async def test_the_year_is_found_where_apple_puts_it(
    make_client: ClientFactory, attributes: dict[str, Any], identifier: str, year: int
) -> None:
    body = summary(attributes=attributes, id=identifier)
    async with make_client(httpx.MockTransport(lambda r: json_response({"data": [body]}))) as c:
        found = await c.get_replay_summary()
    assert found is not None and found.year == year


@pytest.mark.parametrize(
    "document",
    [
        {"data": [summary(attributes={}, id="latest")]},
        {"data": "not a list"},
        {"data": [["not", "an", "object"]]},
    ],
    ids=["no-year", "data-not-a-list", "resource-not-an-object"],
)
async def test_a_summary_amsync_cannot_read_is_malformed(
    make_client: ClientFactory, document: dict[str, Any]
) -> None:
    async with make_client(httpx.MockTransport(lambda r: json_response(document))) as client:
        with pytest.raises(MalformedResponse):
            await client.get_replay_summary()


async def test_views_missing_or_odd_give_an_empty_summary(make_client: ClientFactory) -> None:
    body = summary(views={"top-songs": {"data": "nope"}, "top-albums": None})
    async with make_client(httpx.MockTransport(lambda r: json_response({"data": [body]}))) as c:
        found = await c.get_replay_summary()
    assert found is not None and found.items == ()
