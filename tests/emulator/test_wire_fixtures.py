"""Pins the emulator to the reference §8 wire examples (fixtures/, typos fixed): same keys, same
value types, same formats for ids, hrefs, next links, dates and artwork URLs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from amsync.emulator import Emulator, FaultConfig, Library

FIXTURES = Path(__file__).parent / "fixtures"
FORMATS = [
    ("library-id", re.compile(r"[ilpr]\.[A-Za-z0-9]{14}")),
    ("catalog-playlist-id", re.compile(r"pl\.[0-9a-f]{32}")),
    ("numeric-id", re.compile(r"\d{6,}")),
    ("timestamp", re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")),
    ("date", re.compile(r"\d{4}-\d\d-\d\d")),
    ("artwork-url", re.compile(r"https://[^\s]+\{w\}x\{h\}[^\s]*\.(jpg|jpeg|png)")),
    ("https-url", re.compile(r"https://\S+")),
    ("error-id", re.compile(r"[A-Z0-9]{26}")),
]
ID_IN_PATH = re.compile(r"(?<=/)([ilpr]\.[A-Za-z0-9]{14}|pl\.[0-9a-f]{32}|\d{6,})")


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def kind_of(value: str) -> str:
    if value.startswith("/v1/"):
        return "path:" + ID_IN_PATH.sub("{id}", value)
    for name, pattern in FORMATS:
        if pattern.fullmatch(value):
            return name
    return "text"


def same_shape(expected: Any, actual: Any, where: str = "$") -> None:
    """Assert that actual has expected's keys, value types and string formats, recursively."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        assert set(actual) == set(expected), f"{where}: keys {sorted(actual)} != {sorted(expected)}"
        for key, value in expected.items():
            same_shape(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and actual, where
        if expected:
            for item in actual:
                same_shape(expected[0], item, f"{where}[]")
    elif isinstance(expected, str):
        assert isinstance(actual, str), where
        if where.endswith((".name", "Name", ".standard", ".detail", ".title")):
            return  # free text
        assert kind_of(actual) == kind_of(expected), f"{where}: {actual!r} vs {expected!r}"
    else:
        assert type(actual) is type(expected), f"{where}: {actual!r} vs {expected!r}"


@pytest.fixture
def big(library: Library) -> Library:
    assert len(library.songs) > 100
    return library


def test_library_songs_page(client: httpx.Client, big: Library) -> None:
    fixture = load("library_songs_page.json")
    body = client.get(
        "/v1/me/library/songs?limit=100&offset=0&include=catalog&extend=dateAdded"
    ).json()
    assert set(body) == set(fixture) and body["next"] == fixture["next"]

    def comparable(item: dict[str, Any]) -> bool:
        attrs = item["attributes"]
        catalog = item["relationships"]["catalog"]["data"]
        return (
            "contentRating" in attrs and "dateAdded" in attrs and len(attrs["releaseDate"]) == 10
            and bool(catalog) and "contentRating" in catalog[0]["attributes"]
        )  # fmt: skip

    item = next(i for i in body["data"] if comparable(i))
    same_shape(fixture["data"][0], item)
    same_shape(fixture["meta"], body["meta"])


def test_library_playlist(client: httpx.Client, library: Library) -> None:
    playlist = next(p for p in library.playlists.values() if p.global_id and p.description)
    body = client.get(f"/v1/me/library/playlists/{playlist.id}").json()
    same_shape(load("library_playlist.json"), body)


def test_playlist_tracks_page(client: httpx.Client, library: Library) -> None:
    fixture = load("playlist_tracks_page.json")
    playlist = next(p for p in library.playlists.values() if len(p.tracks) > 100)
    body = client.get(f"/v1/me/library/playlists/{playlist.id}/tracks?limit=100&offset=0").json()
    assert kind_of(body["next"]) == kind_of(fixture["next"])
    item = next(
        i for i in body["data"]
        if i["type"] == "library-songs" and "contentRating" not in i["attributes"]
        and len(i["attributes"].get("releaseDate", "")) == 10
        and "catalogId" in i["attributes"]["playParams"]
    )  # fmt: skip
    same_shape(fixture["data"][0], item)
    same_shape(fixture["meta"], body["meta"])


def test_catalog_songs_multi_get(client: httpx.Client, library: Library) -> None:
    song = next(
        s for s in library.catalog_songs.values()
        if not s.withdrawn and s.content_rating is None and len(s.release_date) == 10
    )  # fmt: skip
    body = client.get(f"/v1/catalog/us/songs?ids={song.id},999999999").json()
    same_shape(load("catalog_songs_multi.json"), body)


def test_ratings_shapes(client: httpx.Client, library: Library) -> None:
    songs = [s for s in library.catalog_songs.values() if not s.withdrawn][:3]
    library.set_rating("songs", songs[0].id, 1)
    library.set_rating("songs", songs[1].id, -1)
    library.set_rating("songs", songs[2].id, None)
    body = client.get(f"/v1/me/ratings/songs?ids={songs[0].id},{songs[1].id},{songs[2].id}").json()
    same_shape(load("ratings_multi.json"), body)
    assert [d["attributes"]["value"] for d in body["data"]] == [1, -1]
    playlist = next(iter(library.playlists))
    put = client.put(
        f"/v1/me/ratings/library-playlists/{playlist}",
        json={"type": "ratings", "attributes": {"value": 1}},
    )
    same_shape(load("ratings_put_response.json"), put.json())


def test_error_bodies(emu: Emulator, client: httpx.Client) -> None:
    errors = load("errors.json")
    same_shape(errors["401"], client.get("/v1/test", headers={"Authorization": "Bearer x"}).json())
    same_shape(
        errors["403"], client.get("/v1/me/storefront", headers={"Music-User-Token": "x"}).json()
    )
    same_shape(errors["404"], client.get("/v1/me/library/songs/i.AAAAAAAAAAAAAA").json())
    same_shape(errors["400"], client.post("/v1/me/favorites?ids=1").json())
    for status in ("401", "403", "404", "400"):
        assert errors[status]["errors"][0]["status"] == status
    emu.faults = FaultConfig(rate_limit_rps=0.001, rate_limit_burst=1)
    client.get("/v1/test")
    same_shape(errors["429"], client.get("/v1/test").json())
    emu.faults = FaultConfig(error_rate=1.0)
    response = next(
        r for r in (client.get(f"/v1/test?n={n}") for n in range(30)) if r.status_code == 500
    )
    same_shape(errors["500"], response.json())


def test_shape_comparison_catches_differences() -> None:
    fixture = load("library_playlist.json")
    broken = json.loads(json.dumps(fixture))
    broken["data"][0]["attributes"]["dateAdded"] = "2021-09-30T00: 55: 48Z"  # Apple's typo
    with pytest.raises(AssertionError):
        same_shape(fixture, broken)
    del broken["data"][0]["attributes"]["dateAdded"]
    with pytest.raises(AssertionError):
        same_shape(fixture, broken)
