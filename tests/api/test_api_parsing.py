"""Parsing Apple's §8 example payloads; hostile and malformed payloads."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amsync.api.documents import decode_json, parse_page
from amsync.api.parsing import (
    LIBRARY_TRACK_TYPES,
    parse_catalog_song,
    parse_library_album,
    parse_library_playlist,
    parse_library_song,
)
from amsync.domain import CatalogSong, LibraryPlaylist, LibrarySong, TrackKind
from amsync.errors import MalformedResponse

EP = "/v1/me/library/songs"

SONGS_PAGE: dict[str, Any] = {
    "next": "/v1/me/library/songs?offset=100",
    "data": [
        {
            "id": "i.PkdJNdAIrQozOW",
            "type": "library-songs",
            "href": "/v1/me/library/songs/i.PkdJNdAIrQozOW",
            "attributes": {
                "name": "Efecto",
                "artistName": "Bad Bunny",
                "albumName": "Un Verano Sin Ti",
                "genreNames": ["Latin"],
                "trackNumber": 10,
                "discNumber": 1,
                "durationInMillis": 213061,
                "releaseDate": "2022-05-06",
                "hasLyrics": True,
                "contentRating": "explicit",
                "artwork": {
                    "width": 1200,
                    "height": 1200,
                    "url": "https://is5-ssl.mzstatic.com/image/thumb/x/{w}x{h}bb.jpg",
                },
                "playParams": {
                    "id": "i.PkdJNdAIrQozOW",
                    "kind": "song",
                    "isLibrary": True,
                    "reporting": True,
                    "catalogId": "1622045954",
                    "reportingId": "1622045954",
                },
                "dateAdded": "2023-04-01T12:00:00Z",
            },
            "relationships": {
                "catalog": {
                    "href": "/v1/me/library/songs/i.PkdJNdAIrQozOW/catalog",
                    "data": [
                        {
                            "id": "1622045954",
                            "type": "songs",
                            "href": "/v1/catalog/us/songs/1622045954",
                            "attributes": {"isrc": "USXX12200001", "name": "Efecto"},
                        }
                    ],
                }
            },
        }
    ],
    "meta": {"total": 3412},
}

PLAYLIST: dict[str, Any] = {
    "id": "p.ldvAAZ3C3Qmop9",
    "type": "library-playlists",
    "href": "/v1/me/library/playlists/p.ldvAAZ3C3Qmop9",
    "attributes": {
        "name": "Piano Chill",
        "canEdit": False,
        "isPublic": False,
        "hasCatalog": True,
        "dateAdded": "2021-09-30T00:55:48Z",
        "description": {"standard": "Discover the liberating power of the piano…"},
        "artwork": {"width": None, "height": None, "url": "https://x/{w}x{h}SC.DN01.jpeg"},
        "playParams": {
            "id": "p.ldvAAZ3C3Qmop9",
            "kind": "playlist",
            "isLibrary": True,
            "globalId": "pl.cb4d1c09a2df4230a78d0395fe1f8fde",
        },
    },
}

CATALOG_SONG: dict[str, Any] = {
    "id": "1613600188",
    "type": "songs",
    "attributes": {
        "name": "Entropy",
        "artistName": "Beach Bunny",
        "albumName": "Emotional Creature",
        "composerName": "Anthony Vaccaro, Jon Alvarado, Lili Trifilio & Matt Henkels",
        "genreNames": ["Alternative", "Music"],
        "trackNumber": 1,
        "discNumber": 1,
        "durationInMillis": 221000,
        "releaseDate": "2022-06-09",
        "isrc": "USQE92100257",
        "url": "https://music.apple.com/us/album/entropy/1613600183?i=1613600188",
        "artwork": {"width": 3000, "height": 3000, "url": "…/{w}x{h}bb.jpg"},
        "playParams": {"id": "1613600188", "kind": "song"},
    },
}


def test_library_songs_page_of_section_8() -> None:
    page = parse_page(SONGS_PAGE, EP, {"library-songs": parse_library_song})
    assert page.next_path == "/v1/me/library/songs?offset=100"
    assert page.total == 3412 and page.size == 1
    song = page.items[0]
    assert song == LibrarySong(
        library_id="i.PkdJNdAIrQozOW",
        name="Efecto",
        artist="Bad Bunny",
        album="Un Verano Sin Ti",
        catalog_id="1622045954",
        kind=TrackKind.SONG,
        duration_ms=213061,
        track_number=10,
        disc_number=1,
        genres=("Latin",),
        release_date="2022-05-06",
        content_rating="explicit",
        date_added="2023-04-01T12:00:00Z",
        artwork_url="https://is5-ssl.mzstatic.com/image/thumb/x/{w}x{h}bb.jpg",
        playable=True,
        # the included catalog song of this sample carries no playParams
        catalog=CatalogSong(
            catalog_id="1622045954", name="Efecto", isrc="USXX12200001", playable=False
        ),
    )


def test_uploaded_song_has_no_catalog_id_and_is_unplayable_without_play_params() -> None:
    song = parse_library_song({"id": "i.up", "type": "library-songs", "attributes": {}}, EP)
    assert song.catalog_id is None and not song.playable and song.catalog is None


def test_catalog_id_from_relationship_when_play_params_lack_it() -> None:
    resource = {
        "id": "i.x",
        "type": "library-songs",
        "attributes": {"name": "X", "playParams": {"id": "i.x", "kind": "song"}},
        "relationships": {"catalog": {"data": [{"id": "42", "type": "songs"}]}},
    }
    song = parse_library_song(resource, EP)
    assert song.catalog_id == "42" and song.catalog is None and song.playable


def test_library_playlist_of_section_8() -> None:
    assert parse_library_playlist(PLAYLIST, EP) == LibraryPlaylist(
        library_id="p.ldvAAZ3C3Qmop9",
        name="Piano Chill",
        description="Discover the liberating power of the piano…",
        catalog_id="pl.cb4d1c09a2df4230a78d0395fe1f8fde",
        can_edit=False,
        is_public=False,
        has_catalog=True,
        date_added="2021-09-30T00:55:48Z",
        artwork_url="https://x/{w}x{h}SC.DN01.jpeg",
    )


def test_catalog_song_of_section_8() -> None:
    song = parse_catalog_song(CATALOG_SONG, "/v1/catalog/us/songs")
    assert song.isrc == "USQE92100257" and song.duration_ms == 221000
    assert song.composer and song.composer.startswith("Anthony")
    assert song.genres == ("Alternative", "Music")


def test_music_video_kind() -> None:
    page = parse_page(
        {"data": [{"id": "i.mv", "type": "library-music-videos", "attributes": {"name": "V"}}]},
        EP,
        LIBRARY_TRACK_TYPES,
    )
    assert page.items[0].kind is TrackKind.MUSIC_VIDEO


@pytest.mark.parametrize(
    "name",
    ["a\x00b\x1bc\r\n", "x" * 500, "🎵🔥 ünïcødé 汉字", "=cmd|' /C calc'!A0", "", "\u202e"],
)
def test_hostile_strings_pass_through_unchanged(name: str) -> None:
    song = parse_library_song(
        {"id": "i.h", "type": "library-songs", "attributes": {"name": name}}, EP
    )
    assert song.name == name


def test_mistyped_values_become_none() -> None:
    attributes = {
        "name": 12,
        "durationInMillis": "213061",
        "trackNumber": True,
        "discNumber": 1.5,
        "genreNames": "Pop",
        "releaseDate": 2019,
        "artwork": "nope",
        "playParams": ["x"],
        "inFavorites": "yes",
    }
    song = parse_library_song({"id": "i.m", "type": "library-songs", "attributes": attributes}, EP)
    assert song.name == ""
    assert song.duration_ms is None and song.track_number is None and song.disc_number is None
    assert song.genres == () and song.release_date is None and song.artwork_url is None
    assert song.playable is False and song.in_favourites is None


def test_album_with_attributes_missing() -> None:
    album = parse_library_album({"id": "l.a", "type": "library-albums"}, EP)
    assert album.name == "" and album.catalog_id is None and album.track_count is None


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"data": [',
        b"[1, 2]",
        b'"text"',
        b"null",
    ],
)
def test_bodies_that_are_not_json_objects(body: bytes) -> None:
    with pytest.raises(MalformedResponse) as caught:
        decode_json(body, EP)
    assert caught.value.endpoint == EP and EP in str(caught.value)


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"data": {"id": "i.1"}},
        {"data": None},
        {"data": [17]},
        {"data": [{"type": "library-songs"}]},
        {"data": [{"id": "", "type": "library-songs"}]},
        {"data": [{"id": 5, "type": "library-songs"}]},
    ],
)
def test_documents_without_what_is_needed_are_malformed(document: dict[str, Any]) -> None:
    with pytest.raises(MalformedResponse) as caught:
        parse_page(document, EP, {"library-songs": parse_library_song})
    assert EP in str(caught.value)


def test_odd_meta_and_next_are_tolerated() -> None:
    page = parse_page(
        {"data": [], "next": 5, "meta": {"total": "3412"}, "extra": {"x": 1}},
        EP,
        {"library-songs": parse_library_song},
    )
    assert page.next_path is None and page.total is None and page.items == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "type",
                    "attributes",
                    "data",
                    "name",
                    "playParams",
                    "catalogId",
                    "relationships",
                    "catalog",
                    "meta",
                    "total",
                    "next",
                    "artwork",
                    "url",
                    "description",
                    "standard",
                    "genreNames",
                    "durationInMillis",
                    "x",
                ]
            )
            | st.text(max_size=5),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)
resource_like = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=10), "type": st.sampled_from(["library-songs", "songs"])},
    optional={"attributes": json_values, "relationships": json_values},
)


@settings(max_examples=300, deadline=None)
@given(
    document=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"data": st.lists(resource_like | json_values, max_size=4)},
            optional={"meta": json_values, "next": json_values},
        ),
    )
)
def test_arbitrary_json_gives_domain_objects_or_malformed(document: object) -> None:
    content = json.dumps(document).encode()
    try:
        page = parse_page(
            decode_json(content, EP),
            EP,
            {"library-songs": parse_library_song, "songs": parse_catalog_song},
        )
    except MalformedResponse as error:
        assert error.endpoint == EP
        return
    for item in page.items:
        assert isinstance(item, LibrarySong | CatalogSong)


@settings(max_examples=200, deadline=None)
@given(resource=resource_like)
def test_arbitrary_resources_with_an_id_parse(resource: dict[str, Any]) -> None:
    for parse in (
        parse_library_song,
        parse_library_album,
        parse_library_playlist,
        parse_catalog_song,
    ):
        item = parse(resource, EP)
        assert isinstance(item.name, str)
