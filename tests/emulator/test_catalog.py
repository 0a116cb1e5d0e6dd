"""§9 items 4–5: catalog multi-gets, withdrawn ids, batch limits, ISRC filter, single gets."""

from __future__ import annotations

import httpx

from amsync.emulator import Emulator, Library


def _alive(library: Library) -> list[str]:
    return [i for i, s in library.catalog_songs.items() if not s.withdrawn]


def test_multi_get_omits_unknown_and_withdrawn(client: httpx.Client, library: Library) -> None:
    withdrawn = [i for i, s in library.catalog_songs.items() if s.withdrawn]
    assert withdrawn
    alive = _alive(library)[:5]
    ids = [*alive, withdrawn[0], "999999999"]
    body = client.get("/v1/catalog/us/songs", params={"ids": ",".join(ids)}).json()
    assert [d["id"] for d in body["data"]] == alive
    song = body["data"][0]
    assert song["href"] == f"/v1/catalog/us/songs/{song['id']}"
    rel = song["relationships"]
    assert rel["albums"]["data"][0]["type"] == "albums"
    assert rel["artists"]["data"][0]["href"].startswith("/v1/catalog/us/artists/")


def test_all_unknown_is_200_empty(client: httpx.Client) -> None:
    response = client.get("/v1/catalog/us/songs?ids=1,2,3")
    assert (response.status_code, response.json()) == (200, {"data": []})


def test_withdrawn_song_stays_in_library(client: httpx.Client, library: Library) -> None:
    song = next(s for s in library.songs.values() if s.catalog_id)
    library.withdraw_catalog_song(song.catalog_id or "")
    assert client.get(f"/v1/catalog/us/songs/{song.catalog_id}").status_code == 404
    (item,) = client.get(f"/v1/me/library/songs/{song.id}").json()["data"]
    assert item["attributes"]["playParams"]["catalogId"] == song.catalog_id


def test_batch_limits(emu: Emulator, client: httpx.Client, library: Library) -> None:
    ids = ",".join(_alive(library)[:301])
    assert (
        client.get(f"/v1/catalog/us/songs?ids={','.join(_alive(library)[:200])}").status_code == 200
    )
    assert (
        client.get(f"/v1/catalog/us/songs?ids={','.join(_alive(library)[:201])}").status_code == 504
    )
    response = client.get(f"/v1/catalog/us/songs?ids={ids}")
    assert response.status_code == 400 and response.json()["errors"][0]["source"] == {
        "parameter": "ids"
    }
    emu.faults.catalog_504_above = 150
    assert (
        client.get(f"/v1/catalog/us/songs?ids={','.join(_alive(library)[:151])}").status_code == 504
    )


def test_isrc_filter(client: httpx.Client, library: Library) -> None:
    songs = [library.catalog_songs[i] for i in _alive(library)[:3]]
    isrcs = [s.isrc for s in songs]
    body = client.get("/v1/catalog/us/songs", params={"filter[isrc]": ",".join(isrcs)}).json()
    assert {d["id"] for d in body["data"]} >= {s.id for s in songs}
    for song in songs:
        listed = body["meta"]["filters"]["isrc"][song.isrc]
        assert {"id": song.id, "type": "songs", "href": f"/v1/catalog/us/songs/{song.id}"} in listed
    too_many = ",".join(f"USAAA{n:07d}" for n in range(26))
    assert client.get("/v1/catalog/us/songs", params={"filter[isrc]": too_many}).status_code == 400


def test_albums_artists_playlists(client: httpx.Client, library: Library) -> None:
    album = next(iter(library.catalog_albums.values()))
    (item,) = client.get(f"/v1/catalog/us/albums?ids={album.id}").json()["data"]
    keys = {"artistName", "name", "releaseDate", "recordLabel", "trackCount", "upc", "genreNames",
            "copyright", "url", "artwork", "isCompilation", "isSingle", "playParams"}  # fmt: skip
    assert keys <= set(item["attributes"])
    artist = next(iter(library.catalog_artists.values()))
    (item,) = client.get(f"/v1/catalog/us/artists/{artist.id}").json()["data"]
    assert set(item["attributes"]) == {"name", "genreNames", "url", "artwork"}
    playlist = next(iter(library.catalog_playlists.values()))
    (item,) = client.get(f"/v1/catalog/us/playlists?ids={playlist.id}").json()["data"]
    assert {"name", "curatorName", "description", "url", "playlistType", "artwork"} <= set(
        item["attributes"]
    )


def test_catalog_song_attributes(client: httpx.Client, library: Library) -> None:
    song = library.catalog_songs[_alive(library)[0]]
    (item,) = client.get(f"/v1/catalog/us/songs/{song.id}").json()["data"]
    attrs = item["attributes"]
    for key in ("albumName", "artwork", "composerName", "discNumber", "durationInMillis",
                "genreNames", "hasLyrics", "isAppleDigitalMaster", "isrc", "name", "playParams",
                "previews", "releaseDate", "trackNumber", "url"):  # fmt: skip
        assert key in attrs, key
    assert "{w}x{h}" in attrs["artwork"]["url"]
    assert attrs["isrc"] == song.isrc


def test_library_include_catalog_for_albums_and_playlists(
    client: httpx.Client, library: Library
) -> None:
    album = next(a for a in library.albums.values() if a.catalog_id)
    (item,) = client.get(f"/v1/me/library/albums/{album.id}?include=catalog").json()["data"]
    assert item["relationships"]["catalog"]["data"][0]["id"] == album.catalog_id
    playlist = next(p for p in library.playlists.values() if p.global_id)
    (item,) = client.get(f"/v1/me/library/playlists/{playlist.id}?include=catalog").json()["data"]
    assert item["relationships"]["catalog"]["data"][0]["id"] == playlist.global_id
    assert item["attributes"]["playParams"]["globalId"] == playlist.global_id
    assert item["attributes"]["canEdit"] is False and item["attributes"]["hasCatalog"] is True
