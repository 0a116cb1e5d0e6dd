"""The emulator's catalog search (apple-music-api.md §7.2): every word of the term must be a
word of the song (name, artist, album; accents and case folded), name hits rank first, withdrawn
songs are never found, ``limit`` ≤ 25 and ``next`` keeps the term."""

from __future__ import annotations

import httpx
import pytest

from amsync.emulator import Library
from amsync.emulator.catalog_index import fold_words


def _alive_song(library: Library) -> str:
    return next(i for i, s in library.catalog_songs.items() if not s.withdrawn)


def _search(client: httpx.Client, **params: str) -> httpx.Response:
    return client.get("/v1/catalog/us/search", params={"types": "songs", **params})


def test_a_song_is_found_by_its_name_and_artist(client: httpx.Client, library: Library) -> None:
    song = library.catalog_songs[_alive_song(library)]
    body = _search(client, term=f"{song.name} {song.artist_name}", limit="25").json()
    ids = [item["id"] for item in body["results"]["songs"]["data"]]
    assert song.id in ids
    assert body["meta"]["results"]["order"] == ["songs"]
    first = body["results"]["songs"]["data"][0]
    assert first["type"] == "songs" and "playParams" in first["attributes"]


def test_every_hit_holds_every_word_of_the_term(client: httpx.Client, library: Library) -> None:
    song = library.catalog_songs[_alive_song(library)]
    term = song.artist_name
    for item in _search(client, term=term, limit="25").json()["results"]["songs"]["data"]:
        attrs = item["attributes"]
        words = set(fold_words(f"{attrs['name']} {attrs['artistName']} {attrs['albumName']}"))
        assert set(fold_words(term)) <= words


def test_accents_and_case_do_not_matter(client: httpx.Client, library: Library) -> None:
    song_id = _alive_song(library)
    library.catalog_songs[song_id].name = "Señorita Café"
    library.touch()
    body = _search(client, term="SENORITA cafe", limit="25").json()
    assert song_id in [item["id"] for item in body["results"]["songs"]["data"]]


def test_withdrawn_songs_are_never_found(client: httpx.Client, library: Library) -> None:
    song_id = _alive_song(library)
    library.catalog_songs[song_id].name = "Zyxwvut Unique Title"
    library.touch()
    assert _search(client, term="zyxwvut unique").json()["results"]["songs"]["data"][0]["id"] == (
        song_id
    )
    library.withdraw_catalog_song(song_id)
    body = _search(client, term="zyxwvut unique").json()
    assert body == {"results": {}, "meta": {"results": {"order": [], "rawOrder": []}}}


def test_name_hits_rank_before_artist_hits(client: httpx.Client, library: Library) -> None:
    ids = [i for i, s in library.catalog_songs.items() if not s.withdrawn][:2]
    library.catalog_songs[ids[0]].artist_name = "Qwertyish"
    library.catalog_songs[ids[1]].name = "Qwertyish"
    library.touch()
    data = _search(client, term="qwertyish", limit="25").json()["results"]["songs"]["data"]
    assert [item["id"] for item in data][:2] == [ids[1], ids[0]]


def test_paging_keeps_the_term(client: httpx.Client, library: Library) -> None:
    ids = [i for i, s in library.catalog_songs.items() if not s.withdrawn][:3]
    for song_id in ids:
        library.catalog_songs[song_id].artist_name = "Pagingartist"
    library.touch()
    seen: list[str] = []
    url: str | None = "/v1/catalog/us/search?term=pagingartist&types=songs&limit=1"
    while url:
        group = client.get(url).json()["results"]["songs"]
        seen += [item["id"] for item in group["data"]]
        url = group.get("next")
        assert url is None or ("term=pagingartist" in url and "limit=1" in url)
    assert sorted(seen) == sorted(ids)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"term": "", "types": "songs"}, "term"),
        ({"term": "x", "types": "stations"}, "types"),
        ({"term": "x", "types": "songs", "limit": "26"}, "limit"),
        ({"term": "x", "types": "songs", "limit": "0"}, "limit"),
    ],
)
def test_bad_parameters_are_400(
    client: httpx.Client, params: dict[str, str], parameter: str
) -> None:
    response = client.get("/v1/catalog/us/search", params=params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"] == {"parameter": parameter}


def test_a_bad_storefront_is_400(client: httpx.Client) -> None:
    response = client.get("/v1/catalog/USA/search", params={"term": "x", "types": "songs"})
    assert response.status_code == 400
