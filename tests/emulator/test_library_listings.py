"""§9 items 2–4: listings (order, limit, next, meta.total, 404s), include/extend, uploads."""

from __future__ import annotations

import httpx
import pytest

from amsync.emulator import Emulator, Library

from .conftest import walk


def test_songs_listing_complete_and_alphabetical(client: httpx.Client, library: Library) -> None:
    items, totals = walk(client, "/v1/me/library/songs?limit=100")
    assert [i["id"] for i in items] == sorted(
        library.songs, key=lambda s: (library.songs[s].name, s)
    )
    assert set(totals) == {len(library.songs)}
    assert all(i["type"] == "library-songs" for i in items)


@pytest.mark.parametrize(
    ("collection", "rtype"),
    [
        ("albums", "library-albums"),
        ("artists", "library-artists"),
        ("playlists", "library-playlists"),
        ("music-videos", "library-music-videos"),
    ],
)
def test_other_listings(
    client: httpx.Client, library: Library, collection: str, rtype: str
) -> None:
    items, _ = walk(client, f"/v1/me/library/{collection}?limit=100")
    pool = getattr(library, collection.replace("-", "_"))
    assert [i["id"] for i in items] == sorted(pool, key=lambda k: (pool[k].name, k))
    assert {i["type"] for i in items} == {rtype}
    assert all(i["href"] == f"/v1/me/library/{collection}/{i['id']}" for i in items)


def test_default_page_size_and_next_format(client: httpx.Client) -> None:
    body = client.get("/v1/me/library/songs?include=catalog&extend=dateAdded").json()
    assert len(body["data"]) == 25
    assert body["next"] == "/v1/me/library/songs?offset=25"
    body = client.get("/v1/me/library/songs?limit=100&offset=100").json()
    assert body["next"] == "/v1/me/library/songs?offset=200"


@pytest.mark.parametrize("limit", ["101", "200", "0", "-1", "ten", "1.5"])
def test_bad_limit_is_400(client: httpx.Client, limit: str) -> None:
    response = client.get(f"/v1/me/library/songs?limit={limit}")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "40005" and error["source"] == {"parameter": "limit"}


def test_limit_100_accepted_and_last_page_has_no_next(
    client: httpx.Client, library: Library
) -> None:
    last = (len(library.songs) - 1) // 100 * 100
    body = client.get(f"/v1/me/library/songs?limit=100&offset={last}").json()
    assert "next" not in body and len(body["data"]) == len(library.songs) - last


def test_past_the_end_is_404(client: httpx.Client, library: Library) -> None:
    response = client.get(f"/v1/me/library/songs?offset={len(library.songs)}")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "40400"


def test_empty_collection_404_and_braces_switch(emu: Emulator, client: httpx.Client) -> None:
    emu.library.clear_library()
    response = client.get("/v1/me/library/songs")
    assert response.status_code == 404 and response.json()["errors"][0]["status"] == "404"
    emu.faults.page_404_body = "braces"
    response = client.get("/v1/me/library/playlists")
    assert (response.status_code, response.json()) == (404, {})


def test_empty_library_fault_keeps_state(emu: Emulator, client: httpx.Client) -> None:
    emu.faults.empty_library = True
    assert client.get("/v1/me/library/songs").status_code == 404
    assert emu.library.songs
    emu.faults.empty_library = False
    assert client.get("/v1/me/library/songs").status_code == 200


def test_date_added_only_with_extend(client: httpx.Client, library: Library) -> None:
    plain, _ = walk(client, "/v1/me/library/songs?limit=100")
    assert not any("dateAdded" in i["attributes"] for i in plain)  # type: ignore[operator]
    extended, _ = walk(client, "/v1/me/library/songs?limit=100&extend=dateAdded")
    with_date = [i for i in extended if "dateAdded" in i["attributes"]]  # type: ignore[operator]
    expected = [s for s in library.songs.values() if s.date_added is not None]
    assert len(with_date) == len(expected) and len(expected) < len(library.songs)


def test_include_catalog(client: httpx.Client, library: Library) -> None:
    items, _ = walk(client, "/v1/me/library/songs?limit=100&include=catalog")
    for item in items:
        song = library.songs[str(item["id"])]
        rel = item["relationships"]["catalog"]  # type: ignore[index]
        assert rel["href"] == f"/v1/me/library/songs/{song.id}/catalog"
        if song.catalog_id is None or library.catalog_songs[song.catalog_id].withdrawn:
            assert rel["data"] == []
        else:
            (catalog,) = rel["data"]
            assert catalog["id"] == song.catalog_id and catalog["type"] == "songs"
            assert catalog["attributes"]["isrc"] == library.catalog_songs[song.catalog_id].isrc
    plain = client.get("/v1/me/library/songs").json()["data"][0]
    assert "relationships" not in plain


def test_uploads_have_no_catalog_id(client: httpx.Client, library: Library) -> None:
    uploads = [s for s in library.songs.values() if s.catalog_id is None]
    assert uploads
    body = client.get(
        "/v1/me/library/songs", params={"ids": ",".join(u.id for u in uploads)}
    ).json()
    assert len(body["data"]) == len(uploads)
    for item in body["data"]:
        assert "catalogId" not in item["attributes"]["playParams"]
    assert client.get(f"/v1/me/library/songs/{uploads[0].id}/catalog").status_code == 404


def test_in_favorites_extend(client: httpx.Client, library: Library) -> None:
    items, _ = walk(client, "/v1/me/library/songs?limit=100&extend=inFavorites")
    for item in items:
        expected = library.rating_of("library-songs", str(item["id"])) == 1
        assert item["attributes"]["inFavorites"] is expected  # type: ignore[index]
    assert any(i["attributes"]["inFavorites"] for i in items)  # type: ignore[index]


def test_playlist_tracks_order_duplicates_and_total(client: httpx.Client, library: Library) -> None:
    playlist = max(library.playlists.values(), key=lambda p: len(p.tracks))
    assert len(playlist.tracks) > 100
    items, totals = walk(client, f"/v1/me/library/playlists/{playlist.id}/tracks?limit=100")
    assert [i["id"] for i in items] == playlist.tracks
    assert set(totals) == {len(playlist.tracks)}
    empty = next(p for p in library.playlists.values() if not p.tracks)
    assert client.get(f"/v1/me/library/playlists/{empty.id}/tracks").status_code == 404


def test_single_get_and_unknown(client: httpx.Client, library: Library) -> None:
    song_id = next(iter(library.songs))
    body = client.get(f"/v1/me/library/songs/{song_id}").json()
    assert [d["id"] for d in body["data"]] == [song_id]
    response = client.get("/v1/me/library/songs/i.doesNotExist00")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "40400"


def test_multi_get_ids_omits_unknown(client: httpx.Client, library: Library) -> None:
    ids = list(library.albums)[:3]
    body = client.get("/v1/me/library/albums", params={"ids": ",".join([*ids, "l.nope"])}).json()
    assert [d["id"] for d in body["data"]] == ids


def test_relationships(client: httpx.Client, library: Library) -> None:
    song = next(s for s in library.songs.values() if s.album_id)
    albums = client.get(f"/v1/me/library/songs/{song.id}/albums").json()["data"]
    assert [a["id"] for a in albums] == [song.album_id]
    artists = client.get(f"/v1/me/library/songs/{song.id}/artists").json()["data"]
    assert [a["id"] for a in artists] == [song.artist_id]
    album = library.albums[song.album_id or ""]
    tracks, _ = walk(client, f"/v1/me/library/albums/{album.id}/tracks?limit=100")
    assert [t["id"] for t in tracks] == album.song_ids
    artist_albums, _ = walk(client, f"/v1/me/library/artists/{song.artist_id}/albums?limit=100")
    assert album.id in {a["id"] for a in artist_albums}
    assert client.get(f"/v1/me/library/songs/{song.id}/tracks").status_code == 404


def test_recently_added_default_10(client: httpx.Client) -> None:
    body = client.get("/v1/me/library/recently-added").json()
    assert len(body["data"]) == 10 and body["next"] == "/v1/me/library/recently-added?offset=10"
    assert {d["type"] for d in body["data"]} <= {"library-albums", "library-playlists"}
    dates = [d["attributes"]["dateAdded"] for d in body["data"]]
    assert dates == sorted(dates, reverse=True)


def test_search(client: httpx.Client, library: Library) -> None:
    name = next(iter(library.songs.values())).name
    term = name.split()[0]
    body = client.get(
        "/v1/me/library/search", params={"term": term, "types": "library-songs", "limit": 25}
    ).json()
    group = body["results"]["library-songs"]
    assert group["data"] and all(
        term.casefold() in d["attributes"]["name"].casefold() for d in group["data"]
    )
    assert body["meta"]["results"]["order"] == ["library-songs"]
    assert (
        client.get(
            "/v1/me/library/search", params={"term": "x", "types": "library-songs", "limit": 26}
        ).status_code
        == 400
    )


def test_multi_type_get(client: httpx.Client, library: Library) -> None:
    song, album = next(iter(library.songs)), next(iter(library.albums))
    body = client.get(
        f"/v1/me/library?ids[library-songs]={song}&ids[library-albums]={album}"
    ).json()
    assert {(d["type"], d["id"]) for d in body["data"]} == {
        ("library-songs", song),
        ("library-albums", album),
    }
    assert client.get(f"/v1/me/library?ids={song}").status_code == 400


def test_storefront(client: httpx.Client) -> None:
    (front,) = client.get("/v1/me/storefront").json()["data"]
    assert front["id"] == "us" and front["type"] == "storefronts"
    assert set(front["attributes"]) == {
        "name",
        "defaultLanguageTag",
        "supportedLanguageTags",
        "explicitContentPolicy",
    }


def test_unknown_path_404_and_unsupported_method_405(
    client: httpx.Client, library: Library
) -> None:
    assert client.get("/v1/me/library/nonsense").status_code == 404
    assert client.get("/v2/anything").status_code == 404
    song = next(iter(library.songs))
    response = client.delete(f"/v1/me/library/songs/{song}")
    assert response.status_code == 405 and response.headers["Allow"] == "GET"
    playlist = next(iter(library.playlists))
    assert client.patch(f"/v1/me/library/playlists/{playlist}", json={}).status_code == 405
    assert client.delete(f"/v1/me/library/playlists/{playlist}/tracks").status_code == 405
