"""Linking what Apple's export names to the mirrored songs (``amsync.history.linking``), rule by
rule (issue 29): names normalised, the catalog id first, name and album (and artist), name and
artist without an album, durations within exactly 2 s, live songs before removed ones, the
daily history's say — and the index read from a real mirror on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from amsync.db import tables
from amsync.db.store import Store, open_store
from amsync.history.linking import (
    BY_CATALOG,
    BY_NAME_ALBUM,
    BY_NAME_ARTIST,
    DURATION_TOLERANCE_MS,
    HeardDays,
    Link,
    MirrorIndex,
    load_mirror_index,
    normalise,
    normalise_album,
)

# --- the form names are compared in -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        (None, ""),
        ("", ""),
        ("   ", ""),
        ("Hello", "hello"),
        ("  Hello \t  World \n", "hello world"),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),  # case folded, not just lower-cased
        ("ｆｕｌｌ　ｗｉｄｔｈ", "full width"),  # NFKC
        ("Cafe\u0301", "café"),  # NFKC composes
        ("Don\u2019t \u2018Stop\u2019", "don't 'stop'"),
        ("\u201bA\u00b4 `B`", "'a' 'b'"),
        ("Don\u00b4t", "don't"),  # an acute accent used as an apostrophe
        ("\ufe58", "-"),  # NFKC makes a small em dash an em dash, made plain after
        ("\u201cQuoted\u201d", '"quoted"'),
        ("A\u2010B\u2011C\u2012D\u2013E\u2014F", "a-b-c-d-e-f"),
        ("nul\x00char", "nul\ufffdchar"),
    ],
)
def test_normalise(text: str | None, normalised: str) -> None:
    assert normalise(text) == normalised


@pytest.mark.parametrize(
    ("album", "normalised"),
    [
        (None, ""),
        ("Hits - Single", "hits"),
        ("Hits - EP", "hits"),
        ("HITS  -  single ", "hits"),
        ("Hits \u2013 Single", "hits"),  # the en dash made plain first
        ("Hits - EP - Single", "hits - ep"),  # one suffix only
        ("Hits - Single - EP", "hits - single"),
        ("Single", "single"),
        ("Hits-Single", "hits-single"),
        ("Hits - Singles", "hits - singles"),
        ("Hits - Live", "hits - live"),
    ],
)
def test_normalise_album(album: str | None, normalised: str) -> None:
    assert normalise_album(album) == normalised


# --- the rules ---------------------------------------------------------------------------------


@pytest.fixture
def index() -> MirrorIndex:
    mirror = MirrorIndex()
    # the same title on two albums of one artist
    mirror.add("i.studio", "River", "Ada", "Songs", "101", 200_000, True)
    mirror.add("i.live", "River", "Ada", "Live at Home", "102", 260_000, True)
    # the same title on an album of the same name by two artists, told apart by duration
    mirror.add("i.hits-a", "Intro", "Band A", "Greatest Hits", None, 61_000, True)
    mirror.add("i.hits-b", "Intro", "Band B", "Greatest Hits", None, 95_000, True)
    # exact twins: cannot be told apart
    mirror.add("i.twin-1", "Echo", "C", "Twins", None, 180_000, True)
    mirror.add("i.twin-2", "Echo", "C", "Twins", None, 180_500, True)
    # a removed copy and a live one
    mirror.add("i.old", "Moon", "D", "Nights", None, 150_000, False)
    mirror.add("i.new", "Moon", "D", "Nights", None, 150_000, True)
    mirror.add("i.curly", "Don't Stop", "E", "Hits - Single", None, None, True)
    # no album, no artist
    mirror.add("i.loose", "Loose", "F", None, None, None, True)
    mirror.add("i.anon", "Anon", None, "Nobody's", None, None, True)
    return mirror


# name, album, artist, catalog id, media ms → the link (library id and rule), or None
RULES = [
    ("Anything", "Else", None, "102", Link("i.live", BY_CATALOG)),
    (None, None, None, "101", Link("i.studio", BY_CATALOG)),
    ("River", "Songs", None, "999", Link("i.studio", BY_NAME_ALBUM)),  # unknown catalog id
    ("River", "Songs", None, None, Link("i.studio", BY_NAME_ALBUM)),
    ("River", "Live at Home", None, None, Link("i.live", BY_NAME_ALBUM)),
    ("River", "Greatest Hits", None, None, None),  # the title on another album
    ("River", "Other Album", "Ada", None, None),  # an album is named: no fall-back to artist
    ("River", "Songs", "Ada", None, Link("i.studio", BY_NAME_ALBUM)),
    ("River", "Songs", "ADA ", None, Link("i.studio", BY_NAME_ALBUM)),
    ("River", "Songs", "Bob", None, None),  # the artist named is another
    (None, "Songs", "Ada", None, None),
    ("", "Songs", "Ada", None, None),
    ("Intro", "Greatest Hits", None, None, None),  # two artists: no telling them apart
    ("Intro", "Greatest Hits", "band b", None, Link("i.hits-b", BY_NAME_ALBUM)),
    ("Echo", "Twins", None, None, None),
    ("Moon", "Nights", None, None, Link("i.new", BY_NAME_ALBUM)),  # live before removed
    ("  DON\u2019T  stop ", "hits", None, None, Link("i.curly", BY_NAME_ALBUM)),
    ("Don't Stop", "Hits - EP", None, None, Link("i.curly", BY_NAME_ALBUM)),
    ("Moon", None, "D", None, Link("i.new", BY_NAME_ARTIST)),
    ("Moon", "", "D", None, Link("i.new", BY_NAME_ARTIST)),
    ("Loose", None, "f", None, Link("i.loose", BY_NAME_ARTIST)),
    ("Moon", None, None, None, None),  # neither album nor artist: never a guess
    ("Moon", None, "", None, None),
    ("River", None, "Ada", None, None),  # two albums: ambiguous
    ("Anon", "Nobody's", None, None, Link("i.anon", BY_NAME_ALBUM)),
    ("Anon", "Nobody's", "Someone", None, None),
    ("Loose", "An Album", "F", None, None),  # the mirror knows no album for it
    ("Nothing", None, "Nobody", None, None),
    ("Moon", None, "Nobody", None, None),
]


@pytest.mark.parametrize(("name", "album", "artist", "catalog_id", "link"), RULES)
def test_rules(
    index: MirrorIndex,
    name: str | None,
    album: str | None,
    artist: str | None,
    catalog_id: str | None,
    link: Link | None,
) -> None:
    assert index.link(name, album, artist, catalog_id) == link


# the media's length against the candidates' (Intro by Band A is 61 s, by Band B 95 s)
DURATIONS = [
    (61_000, "i.hits-a"),
    (61_000 + DURATION_TOLERANCE_MS, "i.hits-a"),  # exactly 2 s longer
    (61_000 - DURATION_TOLERANCE_MS, "i.hits-a"),
    (61_000 + DURATION_TOLERANCE_MS + 1, None),
    (61_000 - DURATION_TOLERANCE_MS - 1, None),
    (94_000, "i.hits-b"),
    (200_000, None),
    (0, None),  # no length given: both candidates, no telling them apart
]


@pytest.mark.parametrize(("media_ms", "linked"), DURATIONS)
def test_durations_within_two_seconds(
    index: MirrorIndex, media_ms: int, linked: str | None
) -> None:
    found = index.link("Intro", "Greatest Hits", media_ms=media_ms)
    assert found == (None if linked is None else Link(linked, BY_NAME_ALBUM))


def test_durations_apply_to_name_and_artist_too(index: MirrorIndex) -> None:
    assert index.link("Moon", None, "D", media_ms=150_000) == Link("i.new", BY_NAME_ARTIST)
    assert index.link("Moon", None, "D", media_ms=160_000) is None


def test_a_candidate_of_unknown_length_is_not_ruled_out_by_length() -> None:
    mirror = MirrorIndex()
    mirror.add("i.unknown", "Song", "A", "Album", None, None, True)
    assert mirror.link("Song", "Album", media_ms=123_456) == Link("i.unknown", BY_NAME_ALBUM)
    mirror.add("i.known", "Song", "A", "Album", None, 200_000, True)
    assert mirror.link("Song", "Album", media_ms=200_000) is None, "either may be meant"


def test_a_removed_song_is_linked_when_it_is_the_only_match() -> None:
    mirror = MirrorIndex()
    mirror.add("i.gone", "Song", "A", "Album", "c1", 200_000, False)
    assert mirror.link("Song", "Album") == Link("i.gone", BY_NAME_ALBUM)
    assert mirror.link(None, None, catalog_id="c1") == Link("i.gone", BY_CATALOG)
    mirror.add("i.gone-too", "Song", "A", "Album", None, 200_000, False)
    assert mirror.link("Song", "Album") is None, "two removed songs: no telling them apart"


def test_a_song_listed_twice_is_still_one_song() -> None:
    mirror = MirrorIndex()
    mirror.add("i.1", "Song", "A", "Album", None, None, True)
    mirror.add("i.1", "Song", "A", "Album", None, None, True)
    assert mirror.link("Song", "Album") == Link("i.1", BY_NAME_ALBUM)
    assert mirror.songs == 2


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        (("i.old", False), ("i.new", True), "i.new"),  # a live song replaces a removed one
        (("i.new", True), ("i.old", False), "i.new"),
        (("i.a", True), ("i.b", True), "i.a"),  # the first of two live ones stays
        (("i.a", False), ("i.b", False), "i.a"),
    ],
)
def test_one_song_per_catalog_id(
    first: tuple[str, bool], second: tuple[str, bool], kept: str
) -> None:
    mirror = MirrorIndex()
    for library_id, live in (first, second):
        mirror.add(library_id, library_id, "A", "Album", "c1", None, live)
    assert mirror.link("x", "y", catalog_id="c1") == Link(kept, BY_CATALOG)


def test_descriptions_split_where_they_name_one_song() -> None:
    mirror = MirrorIndex()
    mirror.add("i.1", "Song - Live", "A - B", "X", None, None, True)
    mirror.add("i.2", "Other", "Solo", "Y", None, None, True)
    mirror.add("i.3", "C - D", "A", "Z", None, None, True)
    mirror.add("i.4", "D", "A - C", "Z", None, None, True)
    assert mirror.link_description("A - B - Song - Live") == Link("i.1", BY_NAME_ARTIST)
    assert mirror.link_description("Solo - Other") == Link("i.2", BY_NAME_ARTIST)
    assert mirror.link_description("solo  -  OTHER") == Link("i.2", BY_NAME_ARTIST)
    assert mirror.link_description("Nobody - Nothing") is None
    assert mirror.link_description("no separator") is None
    assert mirror.link_description("") is None
    assert mirror.link_description(None) is None
    assert mirror.link_description("A - C - D") is None, "two ways to split, two songs"


def test_a_blank_artist_is_no_artist() -> None:
    mirror = MirrorIndex()
    mirror.add("i.1", "Solo", "  ", "Album", None, None, True)
    assert mirror.link("Solo", None, " ") is None
    assert mirror.link_description("  - Solo") is None
    assert mirror.link("Solo", "Album") == Link("i.1", BY_NAME_ALBUM)


def test_a_description_that_splits_two_ways_into_one_song_links() -> None:
    mirror = MirrorIndex()
    mirror.add("i.1", "B - C", "A", "X", None, None, True)
    mirror.add("i.1", "C", "A - B", "X", None, None, True)
    assert mirror.link_description("A - B - C") == Link("i.1", BY_NAME_ARTIST)


# --- the daily history ---------------------------------------------------------------------


def test_an_empty_daily_history_has_no_say() -> None:
    heard = HeardDays()
    assert not heard
    assert (heard.first, heard.last) == (None, None)
    assert not heard.contradicts(100, "i.a", "A")


def test_the_daily_history_covers_from_its_first_to_its_last_day() -> None:
    heard = HeardDays()
    heard.add(105, "i.a")
    assert heard and (heard.first, heard.last) == (105, 105)
    heard.add(103, "i.b")
    heard.cover(110)
    heard.unsure(101, "X")
    heard.cover(104)
    assert (heard.first, heard.last) == (101, 110)
    assert heard.contradicts(101, "i.c", "C") and heard.contradicts(110, "i.c", "C")
    assert not heard.contradicts(100, "i.c", "C") and not heard.contradicts(111, "i.c", "C")


@pytest.mark.parametrize(
    ("day", "contradicted"),
    [(97, True), (98, True), (99, False), (100, False), (101, False), (102, True)],
)
def test_the_daily_history_agrees_on_the_day_and_the_days_beside_it(
    day: int, contradicted: bool
) -> None:
    heard = HeardDays()
    heard.cover(90)
    heard.cover(110)
    heard.add(100, "i.a")
    heard.add(100, "i.other")
    assert heard.contradicts(day, "i.a", "A") is contradicted
    assert heard.contradicts(day, "i.never", "A"), "a song never heard"


@pytest.mark.parametrize(
    ("day", "title", "contradicted"),
    [
        (150, "A", False),
        (149, "A", False),
        (151, "A", False),
        (152, "A", True),
        (148, "A", True),
        (150, "  a ", False),  # compared normalised
        (150, "B", True),
    ],
)
def test_an_unlinked_track_of_the_same_title_may_be_the_song(
    day: int, title: str, contradicted: bool
) -> None:
    heard = HeardDays()
    heard.cover(140)
    heard.cover(160)
    heard.unsure(150, "A")
    assert heard.contradicts(day, "i.a", title) is contradicted


def test_songs_heard_are_told_apart() -> None:
    heard = HeardDays()
    for n in range(300):
        heard.add(1_000 + n, f"i.{n}")
    assert not heard.contradicts(1_000, "i.0", "x")
    assert heard.contradicts(1_000, "i.1", "x") is False, "i.1 on the day after"
    assert heard.contradicts(1_000, "i.2", "x")
    assert heard.contradicts(1_250, "i.1", "x")
    assert not heard.contradicts(1_299, "i.299", "x")


# --- the index read from a mirror ----------------------------------------------------------


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    try:
        yield opened
    finally:
        opened.close()


def test_the_index_is_read_from_the_mirror(store: Store) -> None:
    mine, theirs = store.account_id("default"), store.account_id("other")
    now = datetime(2026, 1, 1, tzinfo=UTC)

    def song(account: int, library_id: str, catalog_id: str | None, duration: int | None,
             removed: bool = False, album: str | None = "Album") -> dict[str, object]:  # fmt: skip
        return {
            "account_id": account,
            "library_id": library_id,
            "catalog_id": catalog_id,
            "name": f"Song {library_id}",
            "artist": "Artist",
            "album": album,
            "duration_ms": duration,
            "fingerprint": "f",
            "first_seen_at": now,
            "last_seen_at": now,
            "removed_at": now if removed else None,
        }

    with store.writing() as session:
        session.execute(
            insert(tables.songs),
            [
                song(mine, "i.1", "c1", 200_000),
                song(mine, "i.2", "c2", None),  # its length comes from the catalog
                song(mine, "i.3", None, None, removed=True, album=None),
                song(theirs, "i.4", "c4", 100_000),
                # two live songs of one catalog id: the first mirrored is the one linked
                # (listed here against the order of their library ids)
                song(mine, "i.z", "c5", 100_000),
                song(mine, "i.y", "c5", 100_000),
            ],
        )
        session.execute(
            insert(tables.catalog_songs),
            [
                {
                    "account_id": mine,
                    "catalog_id": "c2",
                    "duration_ms": 300_000,
                    "fingerprint": "f",
                    "fetched_at": now,
                },
                {
                    "account_id": mine,
                    "catalog_id": "c1",
                    "duration_ms": 250_000,
                    "fingerprint": "f",
                    "fetched_at": now,
                },
                {
                    "account_id": theirs,
                    "catalog_id": "c1",
                    "duration_ms": 999_000,
                    "fingerprint": "f",
                    "fetched_at": now,
                },
                {
                    "account_id": theirs,
                    "catalog_id": "c2",
                    "duration_ms": 999_000,
                    "fingerprint": "f",
                    "fetched_at": now,
                },
            ],
        )
    with store.engine.connect() as connection:
        index = load_mirror_index(connection, mine)
    assert index.songs == 5, "each song of the account once"
    assert index.link(None, None, catalog_id="c5") == Link("i.z", BY_CATALOG)
    assert index.link(None, None, catalog_id="c1") == Link("i.1", BY_CATALOG)
    assert index.link(None, None, catalog_id="c4") is None, "another account's song"
    assert index.link("Song i.1", "Album", media_ms=200_000) == Link("i.1", BY_NAME_ALBUM)
    assert index.link("Song i.1", "Album", media_ms=999_000) is None
    assert index.link("Song i.2", "Album", media_ms=300_000) == Link("i.2", BY_NAME_ALBUM)
    assert index.link("Song i.2", "Album", media_ms=100_000) is None, "the catalog's length"
    assert index.link("Song i.2", "Album", media_ms=999_000) is None, "not another account's"
    assert index.link("Song i.3", None, "Artist") == Link("i.3", BY_NAME_ARTIST)
    assert index.by_catalog["c1"] == ("i.1", True)
    assert index.by_name_artist[("song i.3", "artist")][0].live is False
