"""The replacement chooser, table-driven: ISRC matches, search matches, ambiguity, scores."""

from __future__ import annotations

import pytest

from amsync.lost.replacement import (
    Candidate,
    Choice,
    LostTrack,
    choose_by_isrc,
    choose_by_search,
    same_song,
    search_term,
)

ISRC = "USABC2100001"
LOST = LostTrack("100", "Harbour Lights", "Ada Stone", "Night Ferry", 200_000, ISRC)


def cand(
    catalog_id: str,
    *,
    name: str = "Harbour Lights",
    artist: str | None = "Ada Stone",
    album: str | None = "Night Ferry",
    duration: int | None = 200_000,
    isrc: str | None = ISRC,
    playable: bool = True,
) -> Candidate:
    return Candidate(catalog_id, name, artist, album, duration, isrc, playable)


REMASTER = cand("201", album="Night Ferry (Remastered 2011)", duration=202_000)
COMPILATION = cand("202", album="Greatest Hits", duration=200_000)
ONE_SEC = cand("204", album="Live Bootleg", duration=201_000)
FIVE_SEC = cand("203", album="Other", duration=195_000)

ISRC_CASES = {
    "the one on the same album": ([cand("200")], Choice("isrc", cand("200"), 1.0)),
    "same album beats a closer duration": (
        [COMPILATION, REMASTER],
        Choice("isrc", REMASTER, 0.98),
    ),
    "then the closest duration": ([FIVE_SEC, ONE_SEC], Choice("isrc", ONE_SEC, 0.94)),
    "a far duration costs at most 0.1": (
        [cand("205", album="Other", duration=230_000)],
        Choice("isrc", cand("205", album="Other", duration=230_000), 0.85),
    ),
    "scores keep three decimals": (
        [cand("207", duration=201_234)],
        Choice("isrc", cand("207", duration=201_234), 0.988),
    ),
    "a second's gap costs 0.01, to the millisecond": (
        [cand("221", duration=201_051)],
        Choice("isrc", cand("221", duration=201_051), 0.989),
    ),
    "an unknown duration ranks last": (
        [cand("217", album="Other", duration=None), cand("218", album="Other", duration=204_000)],
        Choice("isrc", cand("218", album="Other", duration=204_000), 0.91),
    ),
    "an unknown duration costs 0.1": (
        [cand("206", duration=None)],
        Choice("isrc", cand("206", duration=None), 0.9),
    ),
    "a tie goes to the lowest catalog id": (
        [cand("209"), cand("208")],
        Choice("isrc", cand("208"), 1.0),
    ),
    "unplayable ones are never chosen": (
        [cand("210", playable=False), cand("211", album="Other", playable=True)],
        Choice("isrc", cand("211", album="Other"), 0.95),
    ),
    "only unplayable ones": (
        [cand("210", playable=False), cand("100")],
        Choice(
            "isrc",
            None,
            note=f"Apple lists 1 other song(s) with ISRC {ISRC}, none playable here",
        ),
    ),
    "only the lost song itself": (
        [cand("100")],
        Choice("isrc", None, note=f"Apple's catalog has no other song with ISRC {ISRC}"),
    ),
    "nothing at all": (
        [],
        Choice("isrc", None, note=f"Apple's catalog has no other song with ISRC {ISRC}"),
    ),
    "another ISRC is not the same recording": (
        [cand("212", isrc="GBXYZ9900001"), cand("213", isrc=None)],
        Choice("isrc", None, note=f"Apple's catalog has no other song with ISRC {ISRC}"),
    ),
    "ISRCs compare without case": (
        [cand("214", isrc=ISRC.lower())],
        Choice("isrc", cand("214", isrc=ISRC.lower()), 1.0),
    ),
}


@pytest.mark.parametrize(("candidates", "expected"), ISRC_CASES.values(), ids=ISRC_CASES.keys())
def test_choose_by_isrc(candidates: list[Candidate], expected: Choice) -> None:
    assert choose_by_isrc(LOST, candidates) == expected


def test_a_lost_song_without_isrc_has_no_isrc_match() -> None:
    lost = LostTrack("100", "Harbour Lights", "Ada Stone", "Night Ferry", 200_000, None)
    assert choose_by_isrc(lost, [cand("219", isrc=None), cand("220")]) == Choice(
        "isrc", None, note="the lost song has no ISRC"
    )


def test_isrc_of_the_lost_song_is_read_without_case() -> None:
    lost = LostTrack("100", "Harbour Lights", "Ada Stone", "Night Ferry", 200_000, ISRC.lower())
    assert choose_by_isrc(lost, [cand("215")]) == Choice("isrc", cand("215"), 1.0)
    nothing = choose_by_isrc(lost, [])
    assert nothing.note == f"Apple's catalog has no other song with ISRC {ISRC}"


def test_no_album_is_never_the_same_album() -> None:
    lost = LostTrack("100", "Harbour Lights", "Ada Stone", None, 200_000, ISRC)
    assert choose_by_isrc(lost, [cand("216", album=None)]) == Choice(
        "isrc", cand("216", album=None), 0.95
    )


NOTHING = "no playable catalog song with the same title, artist and duration (± 3 s)"
OTHER = cand("301", album="Singles", isrc="GBAAA0000001")
ANOTHER = cand("302", album="Sessions", isrc="GBAAA0000002", duration=201_000)

SEARCH_CASES = {
    "the same song": ([cand("300")], Choice("search", cand("300"), 0.9)),
    "on another album": ([OTHER], Choice("search", OTHER, 0.85)),
    "featured artist moved into the title": (
        [cand("303", name="Harbour Lights (feat. Leo Berg)", artist="Ada Stone")],
        Choice(
            "search", cand("303", name="Harbour Lights (feat. Leo Berg)", artist="Ada Stone"), 0.9
        ),
    ),
    "remaster suffix": (
        [cand("304", name="Harbour Lights - Remastered 2011")],
        Choice("search", cand("304", name="Harbour Lights - Remastered 2011"), 0.9),
    ),
    "live is another recording": (
        [cand("305", name="Harbour Lights (Live)")],
        Choice("search", None, note=NOTHING),
    ),
    "remix is another recording": (
        [cand("306", name="Harbour Lights - Club Remix")],
        Choice("search", None, note=NOTHING),
    ),
    "another title": (
        [cand("307", name="Harbour Light Song")],
        Choice("search", None, note=NOTHING),
    ),
    "another artist": ([cand("308", artist="Leo Berg")], Choice("search", None, note=NOTHING)),
    "no artist": ([cand("309", artist=None)], Choice("search", None, note=NOTHING)),
    "the main artist among several": (
        [cand("310", artist="Ada Stone & Leo Berg")],
        Choice("search", cand("310", artist="Ada Stone & Leo Berg"), 0.9),
    ),
    "exactly 3 s longer": (
        [cand("311", duration=203_000)],
        Choice("search", cand("311", duration=203_000), 0.87),
    ),
    "3 s and a bit is too far": (
        [cand("312", duration=196_999)],
        Choice("search", None, note=NOTHING),
    ),
    "an unknown duration is not enough": (
        [cand("313", duration=None)],
        Choice("search", None, note=NOTHING),
    ),
    "unplayable": ([cand("314", playable=False)], Choice("search", None, note=NOTHING)),
    "the lost song itself": ([cand("100")], Choice("search", None, note=NOTHING)),
    "one hit without an ISRC, on another album": (
        [cand("322", album="Singles", isrc=None)],
        Choice("search", cand("322", album="Singles", isrc=None), 0.85),
    ),
    "the closer of one recording, whatever its id": (
        [cand("324", album="B", duration=200_500), cand("323", album="C", duration=202_000)],
        Choice("search", cand("324", album="B", duration=200_500), 0.845),
    ),
    "two recordings: ambiguous": (
        [ANOTHER, OTHER],
        Choice(
            "search",
            None,
            ambiguous=(OTHER, ANOTHER),
            note="2 different recordings match equally well: none was chosen",
        ),
    ),
    "two recordings without ISRCs: ambiguous": (
        [cand("316", album="A", isrc=None), cand("315", album="B", isrc=None)],
        Choice(
            "search",
            None,
            ambiguous=(cand("315", album="B", isrc=None), cand("316", album="A", isrc=None)),
            note="2 different recordings match equally well: none was chosen",
        ),
    ),
    "two of one recording: the best": (
        [cand("318", album="B", duration=201_000), cand("317", album="Night Ferry")],
        Choice("search", cand("317", album="Night Ferry"), 0.9),
    ),
    "two recordings, one on the same album": (
        [OTHER, cand("319", isrc="GBAAA0000009", duration=202_500)],
        Choice("search", cand("319", isrc="GBAAA0000009", duration=202_500), 0.875),
    ),
    "two recordings, both on the same album": (
        [cand("321", isrc="GBAAA0000011"), cand("320", isrc="GBAAA0000010")],
        Choice(
            "search",
            None,
            ambiguous=(cand("320", isrc="GBAAA0000010"), cand("321", isrc="GBAAA0000011")),
            note="2 different recordings match equally well: none was chosen",
        ),
    ),
    "nothing found": ([], Choice("search", None, note=NOTHING)),
}


@pytest.mark.parametrize(("hits", "expected"), SEARCH_CASES.values(), ids=SEARCH_CASES.keys())
def test_choose_by_search(hits: list[Candidate], expected: Choice) -> None:
    assert choose_by_search(LOST, hits) == expected


def test_the_tolerance_can_be_narrowed() -> None:
    near = cand("330", duration=201_500)
    assert choose_by_search(LOST, [near], tolerance_ms=1_000) == Choice(
        "search",
        None,
        note="no playable catalog song with the same title, artist and duration (± 1 s)",
    )
    assert choose_by_search(LOST, [near], tolerance_ms=2_000).chosen == near


SAME_SONG = {
    "same": (LOST, cand("1"), True),
    "lost song without duration": (
        LostTrack(None, "Harbour Lights", "Ada Stone", None, None, None),
        cand("1"),
        False,
    ),
    "lost song without artist": (
        LostTrack(None, "Harbour Lights", None, None, 200_000, None),
        cand("1"),
        False,
    ),
    "lost song without a title": (
        LostTrack(None, "", "Ada Stone", None, 200_000, None),
        cand("1", name=""),
        False,
    ),
    "artist only in the candidate's title": (
        LostTrack(None, "Harbour Lights", "Leo Berg", None, 200_000, None),
        cand("1", name="Harbour Lights (feat. Leo Berg)"),
        True,
    ),
    "candidate's main artist featured by the lost song": (
        LostTrack(None, "Harbour Lights (feat. Ada Stone)", "Leo Berg", None, 200_000, None),
        cand("1"),
        True,
    ),
    "numbers differ": (
        LostTrack(None, "Symphony No. 5", "Ada Stone", None, 200_000, None),
        cand("1", name="Symphony No. 9"),
        False,
    ),
}


@pytest.mark.parametrize(
    ("lost", "candidate", "expected"), SAME_SONG.values(), ids=SAME_SONG.keys()
)
def test_same_song(lost: LostTrack, candidate: Candidate, expected: bool) -> None:
    assert same_song(lost, candidate) is expected


@pytest.mark.parametrize(
    ("lost", "term"),
    [
        (LOST, "Harbour Lights Ada Stone"),
        (LostTrack(None, "Harbour Lights", None, None, None, None), "Harbour Lights"),
        (LostTrack(None, "", "Ada Stone", None, None, None), "Ada Stone"),
    ],
)
def test_search_term(lost: LostTrack, term: str) -> None:
    assert search_term(lost) == term
