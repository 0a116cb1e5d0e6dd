"""The artist filler (``amsync.listens.artist_fill``), table-driven: names compared, look-up keys
and terms, exact matches among search results, and the decision for one play."""

from __future__ import annotations

from dataclasses import replace

import pytest

from amsync.domain.catalog import CatalogSong
from amsync.listens.artist_fill import (
    AMBIGUOUS,
    CATALOG,
    CONFLICT,
    DAILY,
    DURATION_TOLERANCE_MS,
    FAILED,
    FILLED,
    MATCHED,
    NONE,
    NOT_FOUND,
    NOT_LOOKED_UP,
    TERM_LIMIT,
    Candidate,
    DailyEvidence,
    Fill,
    decide,
    description_splits,
    exact_matches,
    lookup_state,
    name_form,
    pair_key,
    search_term,
)

# --- names ------------------------------------------------------------------------------------

NAME_FORMS = [
    (None, None),
    ("", None),
    ("   ", None),
    ("Hello", ("hello", frozenset())),
    ("  HeLLo   World ", ("hello world", frozenset())),
    ("Don’t Stop", ("dont stop", frozenset())),
    ("Café", ("cafe", frozenset())),
    ("Song (Live)", ("song", frozenset({"live"}))),
    ("Song - Live at Wembley", ("song", frozenset({"live"}))),
    ("Song (Remastered 2011)", ("song", frozenset())),
    ("Song (feat. Someone)", ("song", frozenset())),
    ("Song (Acoustic Version)", ("song", frozenset({"acoustic"}))),
    ("Album - Single", ("album", frozenset())),
    ("Album - EP ", ("album", frozenset())),
    ("Tour - Live - Single", ("tour", frozenset({"live"}))),  # only the last suffix goes
    ("Album (Deluxe Edition)", ("album", frozenset())),
    ("!!!", ("!!!", frozenset())),  # symbols only: the text itself
    ("  ?!  ?! ", ("?! ?!", frozenset())),
    ("ＡＢＣ", ("abc", frozenset())),  # full-width letters (NFKC)
]


@pytest.mark.parametrize(("text", "expected"), NAME_FORMS)
def test_name_form(text: str | None, expected: tuple[str, frozenset[str]] | None) -> None:
    assert name_form(text) == expected


SAME_PAIR = [
    (("Hello", "Album"), ("HELLO", "album")),
    (("Hello  World", "Album"), ("Hello World ", "Album")),
    (("Don't Stop", "Album"), ("Don’t Stop", "Album")),
    (("Hello", "Album - Single"), ("Hello", "Album")),
    (("Hello", "Album - EP"), ("Hello", "Album")),
    (("Hello (2011 Remaster)", "Album"), ("Hello", "Album")),
]
OTHER_PAIR = [
    (("Hello", "Album"), ("Hello (Live)", "Album")),
    (("Hello", "Album"), ("Hello", "Album (Live)")),
    (("Hello", "Album"), ("Album", "Hello")),  # song and album are not interchangeable
    (("Hello", "Album"), ("Hello", "Album 2")),
    (("Hello", "Album"), ("Hallo", "Album")),
    (("!!!", "Album"), ("???", "Album")),
]


@pytest.mark.parametrize(("one", "other"), SAME_PAIR)
def test_pair_key_equal_for_names_that_compare_equal(
    one: tuple[str, str], other: tuple[str, str]
) -> None:
    assert pair_key(*one) == pair_key(*other)


@pytest.mark.parametrize(("one", "other"), OTHER_PAIR)
def test_pair_key_differs_for_other_names(one: tuple[str, str], other: tuple[str, str]) -> None:
    assert pair_key(*one) != pair_key(*other)


def test_pair_key_takes_any_text() -> None:
    lone = "Hel\ud800lo"  # a lone surrogate, as a damaged file may hold
    assert len(pair_key(lone, "Album")) == 32
    assert pair_key(lone, "Album") != pair_key("Hello", "Album")


def test_pair_key_is_32_hex_characters() -> None:
    key = pair_key("Hello", "Album")
    assert len(key) == 32
    assert int(key, 16) >= 0
    assert pair_key("", "") != pair_key("Hello", "")


LONG_WORD = "x" * (TERM_LIMIT + 50)
TERMS = [
    ("Hello", "Album", "Hello Album"),
    ("Hello", "Album - Single", "Hello Album"),
    ("Hello", "Album - EP", "Hello Album"),
    ("Hello", "ALBUM - SINGLE", "Hello ALBUM"),
    ("Hello", "Album - Live", "Hello Album - Live"),  # only Apple's own suffixes go
    ("Hello", "Live - Tour - Single", "Hello Live - Tour"),
    ("  Hello\tthere ", "  Album  ", "Hello there Album"),
    ("Hello", None, "Hello"),
    ("Hello", "", "Hello"),
    ("!!!", "Album", None),  # nothing to search for
    ("", "Album", None),
    ("Ω", "Album", "Ω Album"),
    (LONG_WORD, "Album", LONG_WORD[:TERM_LIMIT]),  # one long word: cut
]


@pytest.mark.parametrize(("name", "album", "expected"), TERMS)
def test_search_term(name: str, album: str | None, expected: str | None) -> None:
    assert search_term(name, album) == expected


def test_search_term_is_cut_between_words() -> None:
    name = " ".join(["word"] * 100)  # 499 characters
    term = search_term(name, "Album")
    assert term is not None
    assert len(term) <= TERM_LIMIT
    assert len(term) > TERM_LIMIT - 5
    assert term.split() == ["word"] * len(term.split())
    exact = "a" * (TERM_LIMIT - 6)
    assert search_term(exact, "Album") == f"{exact} Album"  # exactly at the limit: kept
    assert search_term(exact + "b", "Album") == exact + "b"


# --- exact matches ----------------------------------------------------------------------------


def song(
    catalog_id: str,
    name: str,
    artist: str | None,
    album: str | None,
    duration_ms: int | None = 200_000,
    isrc: str | None = None,
) -> CatalogSong:
    return CatalogSong(
        catalog_id,
        name,
        artist=artist,
        album=album,
        isrc=isrc or f"QZ{catalog_id}",
        duration_ms=duration_ms,
        url=f"https://music.apple.com/us/song/{catalog_id}",
    )


RESULTS = [
    song("1", "Hello", "Adele", "25"),
    song("2", "Hello (Live)", "Adele", "25 (Live)"),
    song("3", "Hello", "Lionel Richie", "Can't Slow Down"),
    song("4", "hello", "Adele", "25 (Deluxe Edition)"),
    song("5", "Hello", None, "25"),  # no artist: never a candidate
    song("6", "Hello", "  ", "25"),
    song("7", "Hello", "The Hellos", "25 Sessions"),
    song("8", "Hello", "Someone", None),
]


def test_exact_matches_keep_apple_order_and_what_fits() -> None:
    found = exact_matches("Hello", "25", RESULTS)
    assert [c.catalog_id for c in found] == ["1", "4"]
    first = found[0]
    assert first == Candidate(
        "1", "Adele", "25", "QZ1", 200_000, "https://music.apple.com/us/song/1", "Hello"
    )
    assert found[1].name == "hello"  # the catalog's own spelling


@pytest.mark.parametrize(
    ("name", "album", "expected"),
    [
        ("Hello (Live)", "25 (Live)", ["2"]),
        ("Hello", "Can't Slow Down", ["3"]),
        ("Hello", "Can’t Slow Down", ["3"]),
        ("Hello", "25 Sessions", ["7"]),
        ("Goodbye", "25", []),
        ("Hello", "", []),
        ("", "25", []),
    ],
)
def test_exact_matches(name: str, album: str, expected: list[str]) -> None:
    assert [c.catalog_id for c in exact_matches(name, album, RESULTS)] == expected


def cand(catalog_id: str, artist: str, duration_ms: int | None = 200_000, **rest: str) -> Candidate:
    return Candidate(
        catalog_id,
        artist,
        rest.get("album", "Album"),
        rest.get("isrc", f"QZ{catalog_id}"),
        duration_ms,
        rest.get("url", f"https://x/{catalog_id}"),
    )


@pytest.mark.parametrize(
    ("candidates", "state"),
    [
        ([], NONE),
        ([cand("1", "Adele")], MATCHED),
        ([cand("1", "Adele"), cand("2", "ADELE ")], MATCHED),
        ([cand("1", "Adele"), cand("2", "Lionel Richie")], AMBIGUOUS),
    ],
)
def test_lookup_state(candidates: list[Candidate], state: str) -> None:
    assert lookup_state(candidates) == state


def test_states_and_sources_are_the_stored_words() -> None:
    assert (MATCHED, AMBIGUOUS, NONE, FAILED) == ("matched", "ambiguous", "none", "failed")
    assert (CATALOG, DAILY) == ("catalog", "daily")
    assert (FILLED, CONFLICT, NOT_FOUND, NOT_LOOKED_UP) == (
        "filled",
        "conflict",
        "not-found",
        "not-looked-up",
    )
    assert DURATION_TOLERANCE_MS == 2_000


def test_candidate_round_trips_through_json() -> None:
    one = replace(cand("1", "Adele"), name="Hello")
    assert Candidate.from_dict(one.as_dict()) == one
    assert Candidate.from_dict({"catalog_id": 7, "artist": "A"}) == Candidate("7", "A")


# --- deciding ---------------------------------------------------------------------------------

ADELE = cand("1", "Adele", 200_000, album="25", isrc="GBBKS1500214", url="https://a/1")
ADELE_CLEAN = cand("2", "Adele", 200_500, album="25", isrc="GBBKS1500999", url="https://a/2")
RICHIE = cand("3", "Lionel Richie", 201_000, album="25", isrc="USMO18300001", url="https://a/3")
RICHIE_LONG = cand("4", "Lionel Richie", 260_000, album="25", isrc="USMO18300002")

DECISIONS = [
    # one artist in the catalog
    (
        [ADELE],
        200_000,
        [],
        Fill(FILLED, "Adele", CATALOG, "25", "GBBKS1500214", 200_000, "1", "https://a/1"),
    ),
    (
        [ADELE],
        None,
        [],
        Fill(FILLED, "Adele", CATALOG, "25", "GBBKS1500214", 200_000, "1", "https://a/1"),
    ),
    (
        [ADELE],
        0,
        [],
        Fill(FILLED, "Adele", CATALOG, "25", "GBBKS1500214", 200_000, "1", "https://a/1"),
    ),
    # two versions by one artist: the artist, and only the values they share
    ([ADELE, ADELE_CLEAN], 200_000, [], Fill(FILLED, "Adele", CATALOG, "25")),
    # the daily history agrees, or names the artist among others
    (
        [ADELE],
        200_000,
        ["adele"],
        Fill(FILLED, "Adele", CATALOG, "25", "GBBKS1500214", 200_000, "1", "https://a/1"),
    ),
    (
        [ADELE],
        200_000,
        ["Lionel Richie", "Adele"],
        Fill(FILLED, "Adele", CATALOG, "25", "GBBKS1500214", 200_000, "1", "https://a/1"),
    ),
    # the daily history names other artists only: a conflict, never a guess
    ([ADELE], 200_000, ["Lionel Richie"], Fill(CONFLICT)),
    # durations: within the tolerance, or not
    (
        [ADELE],
        202_000,
        [],
        Fill(FILLED, "Adele", CATALOG, "25", "GBBKS1500214", 200_000, "1", "https://a/1"),
    ),
    (
        [ADELE],
        198_000,
        [],
        Fill(FILLED, "Adele", CATALOG, "25", "GBBKS1500214", 200_000, "1", "https://a/1"),
    ),
    ([ADELE], 202_001, [], Fill(NOT_FOUND)),
    ([ADELE], 197_999, [], Fill(NOT_FOUND)),
    ([ADELE], 1, [], Fill(NOT_FOUND)),  # a length of 1 ms is a length
    (
        [ADELE, RICHIE_LONG],
        260_500,
        [],
        Fill(FILLED, "Lionel Richie", CATALOG, "25", "USMO18300002", 260_000, "4", "https://x/4"),
    ),
    (
        [cand("9", "Adele", None)],
        123_456,
        [],
        Fill(FILLED, "Adele", CATALOG, "Album", "QZ9", None, "9", "https://x/9"),
    ),
    # several artists fit
    ([ADELE, RICHIE], 200_500, [], Fill(AMBIGUOUS)),
    (
        [ADELE, RICHIE],
        200_500,
        ["Lionel Richie"],
        Fill(FILLED, "Lionel Richie", CATALOG, "25", "USMO18300001", 201_000, "3", "https://a/3"),
    ),
    ([ADELE, RICHIE], 200_500, ["Adele", "Lionel Richie"], Fill(AMBIGUOUS)),
    ([ADELE, RICHIE], 200_500, ["Someone Else"], Fill(AMBIGUOUS)),
    ([ADELE, ADELE_CLEAN, RICHIE], 200_500, ["ADELE"], Fill(FILLED, "Adele", CATALOG, "25")),
    # nothing from the catalog: the daily history alone
    ([], 200_000, ["Adele"], Fill(FILLED, "Adele", DAILY)),
    (None, 200_000, ["Adele", "adele "], Fill(FILLED, "Adele", DAILY)),
    ([ADELE], 300_000, ["Adele"], Fill(FILLED, "Adele", DAILY)),  # the catalog's is too short
    ([], 200_000, ["Adele", "Lionel Richie"], Fill(AMBIGUOUS)),
    (None, None, ["Adele", "Lionel Richie"], Fill(AMBIGUOUS)),
    ([], 200_000, [], Fill(NOT_FOUND)),
    (None, 200_000, [], Fill(NOT_LOOKED_UP)),
]


@pytest.mark.parametrize(("candidates", "media_ms", "daily", "expected"), DECISIONS)
def test_decide(
    candidates: list[Candidate] | None, media_ms: int | None, daily: list[str], expected: Fill
) -> None:
    assert decide(candidates, media_ms, daily) == expected


def test_decide_takes_the_catalog_spelling_of_the_name_when_all_agree() -> None:
    one = replace(ADELE, name="Hello")
    same = replace(ADELE_CLEAN, name="Hello")
    other = replace(ADELE_CLEAN, name="Hello (Radio Edit)")
    assert decide([one], None, []).name == "Hello"
    assert decide([one, same], None, []).name == "Hello"
    assert decide([one, other], None, []).name is None
    assert decide(None, None, ["Adele"]).name is None


def test_decide_keeps_the_first_spelling_of_an_artist() -> None:
    assert decide(None, None, ["ADELE", "Adele"]).artist == "ADELE"
    twins = [cand("1", "Adele"), cand("2", "ADELE")]
    assert decide(twins, None, []).artist == "Adele"


# --- the daily history ------------------------------------------------------------------------

SPLITS = [
    (None, []),
    ("", []),
    ("Adele", []),
    ("Adele - Hello", [("Adele", "Hello")]),
    ("A - B - C", [("A", "B - C"), ("A - B", "C")]),
    (" - Hello", []),
    ("Adele - ", []),
    ("Adele -Hello", []),
]


@pytest.mark.parametrize(("description", "expected"), SPLITS)
def test_description_splits(description: str | None, expected: list[tuple[str, str]]) -> None:
    assert description_splits(description) == expected


DAY = 740_000


def test_daily_evidence_names_artists_for_a_title_around_the_day() -> None:
    evidence = DailyEvidence(["Hello", "Skyfall", "B - C"])
    evidence.add(DAY, "Adele - Hello")
    evidence.add(DAY + 1, "Lionel Richie - Hello")
    evidence.add(DAY + 5, "Someone - Hello")  # too far
    evidence.add(DAY, "Adele - Hello")  # twice: once
    evidence.add(DAY, "Adele - Rolling in the Deep")  # a title not asked about
    evidence.add(DAY, "A - B - C")  # "A" sang "B - C", or "A - B" sang "C"
    evidence.add(DAY, None, "Adele", "Skyfall")  # through Library Tracks.json
    evidence.add(DAY, None, "   ", "Skyfall")  # no artist
    assert evidence.artists(DAY, "Hello") == ["Adele", "Lionel Richie"]
    assert evidence.artists(DAY - 1, "HELLO") == ["Adele"]
    assert evidence.artists(DAY + 2, "Hello") == ["Lionel Richie"]
    assert evidence.artists(DAY + 3, "Hello") == []
    assert evidence.artists(DAY + 6, "Hello") == ["Someone"]
    assert evidence.artists(DAY, "Skyfall") == ["Adele"]
    assert evidence.artists(DAY, "B - C") == ["A"]
    assert evidence.artists(DAY, "Rolling in the Deep") == []
    assert evidence.artists(DAY, "") == []


def test_daily_evidence_reads_every_split() -> None:
    evidence = DailyEvidence(["C"])
    evidence.add(DAY, "A - B - C")  # the first reading's title ("B - C") is not asked about
    assert evidence.artists(DAY, "C") == ["A - B"]


def test_daily_evidence_compares_names_normalised() -> None:
    evidence = DailyEvidence(["Don't Stop (Remastered)"])
    evidence.add(DAY, "Fleetwood Mac - Don’t Stop")
    evidence.add(DAY, "fleetwood mac - DON'T STOP")
    assert evidence.artists(DAY, "don't stop") == ["Fleetwood Mac"]
    live = DailyEvidence(["Hello"])
    live.add(DAY, "Adele - Hello (Live)")  # another recording
    assert live.artists(DAY, "Hello") == []


def test_daily_evidence_joins_with_decide() -> None:
    evidence = DailyEvidence(["Hello"])
    evidence.add(DAY, "Lionel Richie - Hello")
    daily = evidence.artists(DAY, "Hello")
    assert decide([ADELE, RICHIE], 200_500, daily).artist == "Lionel Richie"
    assert decide([ADELE], 200_000, daily) == Fill(CONFLICT)
