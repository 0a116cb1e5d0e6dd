"""Finding Apple songs on a server: path prefixes (given and inferred), and every matching
method with its ambiguities (``amsync.servers.paths``, ``amsync.servers.matching``)."""

from __future__ import annotations

import unicodedata

import pytest

from amsync.domain.media_server import ServerSong
from amsync.errors import UsageError
from amsync.servers.matching import (
    NOT_ON_SERVER,
    AppleSong,
    Catalogue,
    Found,
    LocalFiles,
    NameIndex,
    match_all,
)
from amsync.servers.paths import infer_prefix, on_server, parse_path_prefixes

# --- path prefixes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["/home/me/Music=/music"], (("/home/me/Music", "/music"),)),
        (["/home/me/Music/=/music/"], (("/home/me/Music", "/music"),)),
        (["/home/me/Music="], (("/home/me/Music", ""),)),
        (["/=/"], (("/", "/"),)),
        (["/a=/x", "/a/b=/y"], (("/a/b", "/y"), ("/a", "/x"))),
    ],
)
def test_parse_path_prefixes(values: list[str], expected: tuple[tuple[str, str], ...]) -> None:
    assert parse_path_prefixes(values) == expected


@pytest.mark.parametrize("value", ["no-equals", "=/music", "relative=/music", "/a\tb=/m"])
def test_bad_path_prefixes_are_usage_errors(value: str) -> None:
    with pytest.raises(UsageError):
        parse_path_prefixes([value])


@pytest.mark.parametrize(
    ("path", "prefixes", "expected"),
    [
        ("/home/me/Music/A/b.mp3", [("/home/me/Music", "/music")], "/music/A/b.mp3"),
        ("/home/me/Music/A/b.mp3", [("/home/me/Music", "")], "A/b.mp3"),
        ("/home/me/Musical/b.mp3", [("/home/me/Music", "")], None),
        ("/home/me/Music/A/b.mp3", [("/", "/")], "/home/me/Music/A/b.mp3"),
        ("/x/A/b.mp3", [("/", "")], "x/A/b.mp3"),
        ("/x/e\u0301.mp3", [("/x", "")], "\u00e9.mp3"),  # NFD names compare as NFC
    ],
)
def test_on_server(path: str, prefixes: list[tuple[str, str]], expected: str | None) -> None:
    assert on_server(path, prefixes) == expected


def test_the_prefix_is_inferred_from_relative_server_paths() -> None:
    local = [f"/home/me/Music/Artist {i}/Album/0{i} Song.flac" for i in range(10)]
    server = [f"Artist {i}/Album/0{i} Song.flac" for i in range(10)] + ["Other/x/y.mp3"]
    assert infer_prefix(local, server) == ("/home/me/Music", "")


def test_the_prefix_is_inferred_from_absolute_server_paths_and_nfd_names() -> None:
    local = [
        unicodedata.normalize("NFD", f"/srv/média/Artiste {i}/Album/{i}.mp3") for i in range(6)
    ]
    server = [f"/music/Artiste {i}/Album/{i}.mp3" for i in range(6)]
    assert infer_prefix(local, server) == ("/srv/média", "/music")


def test_the_same_paths_on_both_sides() -> None:
    paths = [f"/music/A{i}/B/{i}.mp3" for i in range(4)]
    assert infer_prefix(paths, paths) == ("/", "/")


def test_no_prefix_when_too_few_agree() -> None:
    server = [f"/m/X{i}/Album/{i}.mp3" for i in range(6)]
    half = [f"/a/X{i}/Album/{i}.mp3" for i in range(3)] + [
        f"/{i}/X{i}/Album/{i}.mp3" for i in range(3, 6)
    ]
    assert infer_prefix(half, server) == ("/a", "/m")  # half of them agree: enough
    scattered = [f"/{i}/X{i}/Album/{i}.mp3" for i in range(6)]
    assert infer_prefix(scattered, server) is None  # one vote each
    assert infer_prefix(["/a/x.mp3"], ["/b/x.mp3"]) is None  # a name alone is not enough
    assert infer_prefix([], server) is None


# --- matching ---------------------------------------------------------------------------------


def song(
    sid: str,
    title: str,
    artist: str = "Band",
    album: str = "LP",
    seconds: int = 200,
    path: str | None = None,
    isrc: tuple[str, ...] = (),
    mbid: str | None = None,
) -> ServerSong:
    return ServerSong(
        sid,
        title,
        artist,
        album,
        f"al-{album}",
        f"ar-{artist}",
        None,
        seconds * 1000,
        path,
        isrc,
        mbid,
    )


def apple(
    library_id: str,
    name: str,
    artist: str = "Band",
    album: str = "LP",
    seconds: int = 200,
    isrc: str | None = None,
) -> AppleSong:
    return AppleSong(library_id, None, name, artist, album, seconds * 1000, isrc)


CATALOGUE = Catalogue(
    [
        song("1", "Blue Road", path="Band/LP/01 Blue Road.flac"),
        song("2", "Red Sky", isrc=("GBAAA0000001",), path="Band/LP/02 Red Sky.flac"),
        song("3", "Intro", album="First", path="Band/First/01 Intro.mp3"),
        song("4", "Intro", album="Second", path="Band/Second/01 Intro.mp3"),
        song("5", "Green Field", mbid="mb-green", path="Band/LP/05 Green Field.mp3"),
        song("6", "Blue Road (Live)", album="Live", seconds=260),
        song("7", "Outro", album="First", seconds=100),
        song("8", "Outro", album="First", seconds=100, path="Band/First/dup/Outro.mp3"),
        song("9", "🎵🎶🎸", artist="Emoji Band"),
        song("10", "🔥", artist="Emoji Band"),
        song("11", "🔥", artist="Emoji Band", album="Other"),
    ]
)
LOCAL = LocalFiles(
    {"l-path": "/home/me/Music/Band/LP/01 Blue Road.flac", "l-green": "/m/green.mp3"},
    {"c-path": "/home/me/Music/Band/LP/02 Red Sky.flac"},
    {"/m/green.mp3": "mb-green"},
)
PREFIX = [("/home/me/Music", "")]

MATCH_CASES = {
    "by path": (apple("l-path", "Something Else Entirely"), Found("1", "path")),
    "by path through the catalog id": (
        AppleSong("other", "c-path", "Nope", None, None, None, None),
        Found("2", "path"),
    ),
    "by isrc": (apple("x", "Totally Different", isrc="GBAAA0000001"), Found("2", "isrc")),
    "by recording id of the local file": (apple("l-green", "Unknown Title"), Found("5", "mbid")),
    "by tags": (apple("x", "Blue Road", seconds=201), Found("1", "tags")),
    "the live one is another recording": (
        apple("x", "Blue Road (Live)", seconds=259),
        Found("6", "tags"),
    ),
    "two albums' Intro, the album decides": (
        apple("x", "Intro", album="Second"),
        Found("4", "tags"),
    ),
    "two albums' Intro, no album decides: ambiguous": (
        apple("x", "Intro", album="Third"),
        Found(None, None, "ambiguous: 2 songs on the server fit (albums: First, Second)", True),
    ),
    "duplicates of one album: ambiguous": (
        apple("x", "Outro", album="First", seconds=100),
        Found(None, None, "ambiguous: 2 songs on the server fit (albums: First)", True),
    ),
    "not on the server": (apple("x", "Nothing Like It"), Found(None, None, NOT_ON_SERVER)),
    "a title of no words, exactly": (apple("x", "🎵🎶🎸", artist="emoji band"), Found("9", "tags")),
    "a title of no words, another artist": (
        apple("x", "🎵🎶🎸", artist="Other"),
        Found(None, None, NOT_ON_SERVER),
    ),
    "a title of no words, too long": (
        apple("x", "🎵🎶🎸", artist="Emoji Band", seconds=260),
        Found(None, None, NOT_ON_SERVER),
    ),
    "a title of no words, twice": (
        apple("x", "🔥", artist="Emoji Band"),
        Found(None, None, "ambiguous: 2 songs on the server fit", True),
    ),
}


@pytest.mark.parametrize(("wanted", "expected"), MATCH_CASES.values(), ids=MATCH_CASES.keys())
def test_match(wanted: AppleSong, expected: Found) -> None:
    assert match_all([wanted], CATALOGUE, LOCAL, PREFIX) == {wanted: expected}


def test_a_near_miss_says_why_and_names_the_nearest_song() -> None:
    wanted = apple("x", "Blue Road", seconds=230)
    found = match_all([wanted], CATALOGUE, LOCAL, PREFIX)[wanted]
    assert found.song_id is None and not found.ambiguous
    assert found.reason == f"{NOT_ON_SERVER}: duration differs by 30 s (nearest: Band - Blue Road)"


def test_without_a_prefix_the_path_is_not_used() -> None:
    wanted = apple("l-path", "Something Else Entirely")
    assert match_all([wanted], CATALOGUE, LOCAL, ())[wanted].song_id is None


def test_each_distinct_song_is_matched_once() -> None:
    one = apple("x", "Blue Road")
    found = match_all([one, one, apple("y", "Red Sky")], CATALOGUE)
    assert set(found) == {one, apple("y", "Red Sky")}


def test_albums_and_artists_by_name() -> None:
    names = NameIndex(
        [
            song("1", "a", artist="Band", album="Blue"),
            ServerSong("2", "b", "Band feat. Guest", "Blue", "al-Blue2", "ar-bg"),
            song("3", "c", artist="Other", album="Green"),
            ServerSong("4", "d", "Other", "Green (Deluxe)", "al-gd", "ar-Other"),
            ServerSong("5", "e", "Twin", "X", "al-x", "ar-twin-1"),
            ServerSong("6", "f", "Twin", "Y", "al-y", "ar-twin-2"),
        ]
    )
    assert names.album("Blue", "Band") == Found("al-Blue", "tags")  # the exact artist decides
    assert names.album("Green", "Other") == Found("al-Green", "tags")  # the exact name decides
    assert names.album("Green (Deluxe Edition)", "Other").ambiguous
    assert names.album("Nope", "Band") == Found(None, None, NOT_ON_SERVER)
    assert names.artist("the band") == Found("ar-Band", "tags")
    assert names.artist("Twin").ambiguous
    assert names.artist("Nobody") == Found(None, None, NOT_ON_SERVER)
