"""§9 items 6–7: ratings for nine types, shared catalog/library state, favorites."""

from __future__ import annotations

import httpx
import pytest

from amsync.emulator import Emulator, Library

TYPES = ["songs", "albums", "playlists", "music-videos", "stations", "library-songs",
         "library-albums", "library-playlists", "library-music-videos"]  # fmt: skip


def _item_ids(library: Library) -> dict[str, str]:
    song = next(s for s in library.songs.values() if s.catalog_id)
    album = next(a for a in library.albums.values() if a.catalog_id)
    playlist = next(iter(library.playlists.values()))
    video = next(iter(library.music_videos.values()))
    catalog_only = next(
        iter(set(library.catalog_songs) - {s.catalog_id for s in library.songs.values()})
    )
    return {
        "songs": catalog_only,
        "albums": album.catalog_id or "",
        "playlists": next(iter(library.catalog_playlists)),
        "music-videos": video.catalog_id or "",
        "stations": "ra.985484166",
        "library-songs": song.id,
        "library-albums": album.id,
        "library-playlists": playlist.id,
        "library-music-videos": video.id,
    }


@pytest.mark.parametrize("rtype", TYPES)
@pytest.mark.parametrize("body_type", ["rating", "ratings"])
def test_put_get_delete_each_type(
    client: httpx.Client, library: Library, rtype: str, body_type: str
) -> None:
    rid = _item_ids(library)[rtype]
    library.set_rating(rtype, rid, None)
    url = f"/v1/me/ratings/{rtype}/{rid}"
    assert client.get(url).status_code == 404
    response = client.put(url, json={"type": body_type, "attributes": {"value": -1}})
    assert response.status_code == 200
    expected = {"id": rid, "type": "ratings", "href": url, "attributes": {"value": -1}}
    assert response.json() == {"data": [expected]}
    assert client.get(url).json() == {"data": [expected]}
    assert library.rating_of(rtype, rid) == -1
    response = client.delete(url)
    assert response.status_code == 204 and response.content == b""
    assert client.delete(url).status_code == 404


@pytest.mark.parametrize("rtype", ["artists", "library-artists"])
def test_no_artist_ratings(client: httpx.Client, library: Library, rtype: str) -> None:
    rid = next(iter(library.artists)) if rtype.startswith("library") else "123"
    response = client.put(
        f"/v1/me/ratings/{rtype}/{rid}", json={"type": "ratings", "attributes": {"value": 1}}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"type": "ratings", "attributes": {"value": 2}},
        {"type": "ratings", "attributes": {"value": 0}},
        {"type": "ratings", "attributes": {"value": "1"}},
        {"type": "ratings", "attributes": {"value": True}},
        {"type": "likes", "attributes": {"value": 1}},
        {"attributes": {"value": 1}},
    ],
)
def test_bad_put_body_400(client: httpx.Client, library: Library, body: dict[str, object]) -> None:
    song = next(iter(library.songs))
    assert client.put(f"/v1/me/ratings/library-songs/{song}", json=body).status_code == 400


def test_catalog_and_library_share_state(client: httpx.Client, library: Library) -> None:
    song = next(s for s in library.songs.values() if s.catalog_id)
    library.set_rating("songs", song.catalog_id or "", None)
    client.put(
        f"/v1/me/ratings/songs/{song.catalog_id}",
        json={"type": "ratings", "attributes": {"value": 1}},
    )
    assert client.get(f"/v1/me/ratings/library-songs/{song.id}").json()["data"][0][
        "attributes"
    ] == {"value": 1}
    assert client.delete(f"/v1/me/ratings/library-songs/{song.id}").status_code == 204
    assert client.get(f"/v1/me/ratings/songs/{song.catalog_id}").status_code == 404


def test_multi_get_omits_unrated_and_limits(client: httpx.Client, library: Library) -> None:
    rated = [s for s in library.songs if library.rating_of("library-songs", s) is not None]
    unrated = [s for s in library.songs if library.rating_of("library-songs", s) is None]
    assert rated and unrated
    body = client.get(
        "/v1/me/ratings/library-songs", params={"ids": ",".join(rated[:3] + unrated[:3])}
    ).json()
    assert [d["id"] for d in body["data"]] == rated[:3]
    ids = ",".join(list(library.songs)[:200])
    assert client.get(f"/v1/me/ratings/library-songs?ids={ids}").status_code == 200
    ids = ",".join(list(library.songs)[:201])
    assert client.get(f"/v1/me/ratings/library-songs?ids={ids}").status_code == 400


def test_unknown_library_id_put_404(client: httpx.Client) -> None:
    body = {"type": "ratings", "attributes": {"value": 1}}
    assert client.put("/v1/me/ratings/library-songs/i.unknown0000000", json=body).status_code == 404


def test_favorites_typed_ids(client: httpx.Client, library: Library) -> None:
    songs = [s for s in library.catalog_songs if not library.catalog_songs[s].withdrawn][:2]
    album = next(iter(library.catalog_albums))
    for s in songs:
        library.set_rating("songs", s, None)
    response = client.post(f"/v1/me/favorites?ids[songs]={','.join(songs)}&ids[albums]={album},42")
    assert (response.status_code, response.content) == (202, b"")
    assert all(library.rating_of("songs", s) == 1 for s in songs)
    assert library.rating_of("albums", album) == 1


def test_favorites_raw_ids_rejected(client: httpx.Client) -> None:
    response = client.post("/v1/me/favorites?ids=123")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["status"], error["code"], error["title"]) == (
        "400",
        "40005",
        "Invalid Parameter Value",
    )
    assert error["detail"] == "Please provide a single (1) resource type"
    assert error["source"] == {"parameter": "ids"}


def test_ignore_writes(emu: Emulator, client: httpx.Client, library: Library) -> None:
    emu.faults.ignore_writes = True
    song = next(iter(library.songs))
    before = library.rating_of("library-songs", song)
    value = -1 if before == 1 else 1
    put = client.put(
        f"/v1/me/ratings/library-songs/{song}",
        json={"type": "ratings", "attributes": {"value": value}},
    )
    assert put.status_code == 200
    assert client.delete(f"/v1/me/ratings/library-songs/{song}").status_code == 204
    catalog_song = next(iter(library.catalog_songs))
    assert client.post(f"/v1/me/favorites?ids[songs]={catalog_song}").status_code == 202
    assert library.rating_of("library-songs", song) == before
