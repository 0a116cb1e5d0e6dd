"""The matching rules (issue 16), one at a time, on plain records."""

from __future__ import annotations

import unicodedata
from itertools import count

import pytest

from amsync.local.matcher import Decision, FileIndex, FileRecord, SongRecord, match_songs
from amsync.local.normalise import artist_names, title_key

_ids = count(1)


def song(name: str, artist: str | None = "Adele", *, duration: int | None = 200_000,
         isrc: str | None = None, album: str | None = None) -> SongRecord:  # fmt: skip
    n = next(_ids)
    return SongRecord(n, f"i.{n}", None, name, artist, album, duration, isrc)


def file(title: str | None, artist: str | None = "Adele", *, duration: int | None = 200_000,
         isrc: str | None = None, mbid: str | None = None, album: str | None = None,
         path: str | None = None, album_artist: str | None = None) -> FileRecord:  # fmt: skip
    n = next(_ids)
    return FileRecord(
        n, path or f"/m/{n}.mp3", title, artist, album, album_artist, duration, isrc, mbid
    )


def decide(
    s: SongRecord, *files: FileRecord, links: dict[str, str | None] | None = None
) -> Decision:
    return next(match_songs([s], FileIndex.build(files), links or {}))


def test_isrc_wins_and_prefers_the_closest_duration() -> None:
    s = song("Hello", isrc="GBBKS1500214", duration=295_000)
    far = file("Something Else", isrc="GBBKS1500214", duration=299_000)
    near = file("Hello", isrc="GBBKS1500214", duration=295_400)
    tags_only = file("Hello", duration=295_000)
    d = decide(s, far, near, tags_only)
    assert (d.file_id, d.method, d.accepted) == (near.id, "isrc", True)


def test_an_isrc_on_a_clearly_different_file_is_not_trusted() -> None:
    s = song("Hello", isrc="GBBKS1500214", duration=295_000)
    wrong = file("Rolling in the Deep", isrc="GBBKS1500214", duration=228_000)
    right = file("Hello", duration=295_000)
    assert decide(s, wrong, right) == Decision(s.id, right.id, True, "tags", 97.0, None)
    alone = decide(s, wrong)
    assert alone == Decision(s.id, None, False, None, None, "no file with a similar title")


def test_musicbrainz_recording_ids_share_isrcs_between_files() -> None:
    s = song("Hello", isrc="GBBKS1500214")
    tagged = file("Hello (FLAC)", isrc="GBBKS1500214", mbid="m-1", path="/m/gone-elsewhere.flac")
    copy = file("Hello", artist="Adel", mbid="m-1", path="/m/copy.mp3")  # artist misspelt
    index = FileIndex.build([tagged, copy])
    assert index.by_isrc_via_mbid["GBBKS1500214"] == [1]
    d = next(match_songs([s], FileIndex.build([copy, tagged]), {}))
    assert d.method == "isrc" and d.file_id == tagged.id
    d = next(match_songs([s], FileIndex.build([copy]), {}))
    assert not (d.accepted and d.method == "mbid"), "no recording id to share without the FLAC"
    only_copy = FileIndex.build([tagged, copy])
    only_copy.by_isrc.clear()  # as if the FLAC's ISRC were unreadable: the copy by its MBID
    d = next(match_songs([s], only_copy, {}))
    assert (d.method, d.file_id) == ("mbid", copy.id)


@pytest.mark.parametrize(
    ("song_title", "song_artist", "file_title", "file_artist"),
    [
        ("Hello (feat. Drake)", "Adele", "Hello", "Adele feat. Drake"),
        ("Hello", "Adele feat. Drake", "Hello [ft. Drake]", "Adele"),
        ("Hello", "Adele & Drake", "Hello (with Drake)", "Adele"),
        ("Hey Jude", "The Beatles", "Hey Jude - Remastered 2015", "Beatles"),
        ("Hey Jude - 2015 Remaster", "The Beatles", "Hey Jude (Deluxe Edition)", "The Beatles"),
        ("Café del Mar", "Energy 52", "Cafe\u0301 del Mar", "Energy 52"),
        ("Don't Stop Me Now", "Queen", "Don’t stop me now", "QUEEN"),
        ("Simon Says", "Simon & Garfunkel", "Simon Says", "Simon and Garfunkel"),
    ],
)
def test_tags_match_through_the_usual_noise(
    song_title: str, song_artist: str, file_title: str, file_artist: str
) -> None:
    s = song(song_title, song_artist)
    f = file(unicodedata.normalize("NFD", file_title), file_artist, duration=201_500)
    d = decide(s, f)
    assert (d.accepted, d.method, d.file_id) == (True, "tags", f.id), d.reason


@pytest.mark.parametrize(
    ("file_title", "file_artist", "why"),
    [
        ("Hello (Live at the BBC)", "Adele", "another recording"),
        ("Hello - Extended Mix", "Adele", "another recording"),
        ("Hello (Acoustic)", "Adele", "another recording"),
        ("Hello", "Lionel Richie", "artist differs"),
        ("Hello 2", "Adele", "numbers"),
        ("Goodbye", "Adele", "no file with a similar title"),
    ],
)
def test_decoys_are_rejected_with_a_reason(file_title: str, file_artist: str, why: str) -> None:
    s = song("Hello")
    d = decide(s, file(file_title, file_artist))
    assert not d.accepted
    assert why in (d.reason or ""), d.reason


def test_the_studio_recording_is_chosen_over_a_live_one() -> None:
    s = song("Hello", duration=295_000)
    live = file("Hello (Live)", duration=295_000)
    studio = file("Hello", duration=296_000)
    assert decide(s, live, studio).file_id == studio.id
    live_song = song("Hello - Live", duration=295_000)
    assert decide(live_song, studio, live).file_id == live.id


def test_the_duration_window_widens_only_with_strong_evidence() -> None:
    s = song("Hello", duration=200_000, album="25")
    assert decide(s, file("Hello", duration=203_000)).accepted
    assert not decide(s, file("Hello", duration=205_000)).accepted
    assert decide(s, file("Hello", duration=207_000, album="25 (Deluxe)")).accepted
    assert not decide(s, file("Hello", duration=211_000, album="25")).accepted
    assert decide(s, file("Hello", duration=None)).accepted, "unknown length: tags decide"


def test_album_breaks_a_tie() -> None:
    s = song("Intro", duration=60_000, album="Second Album")
    first = file("Intro", duration=60_000, album="First Album")
    second = file("Intro", duration=60_000, album="Second Album")
    assert decide(s, first, second).file_id == second.id


def test_links_win_over_everything() -> None:
    s = song("Hello", isrc="GBBKS1500214")
    by_isrc = file("Hello", isrc="GBBKS1500214")
    chosen = file("Completely different", artist="Someone", path="/m/chosen.mp3")
    d = decide(s, by_isrc, chosen, links={s.library_id: "/m/chosen.mp3"})
    assert (d.file_id, d.method, d.accepted) == (chosen.id, "link", True)
    d = decide(s, by_isrc, links={s.library_id: None})
    assert (d.accepted, d.reason) == (False, "unlinked by you")
    d = decide(s, by_isrc, links={s.library_id: "/m/vanished.mp3"})
    assert not d.accepted and "gone" in (d.reason or "")


def test_keys() -> None:
    assert title_key("Song (Live) [Remastered 2011]").versions == {"live"}
    assert title_key("Song - Radio Edit").versions == {"edit"}
    assert title_key("(I Can't Get No) Satisfaction").core == "i cant get no satisfaction"
    assert title_key("Dancing with Myself").core == "dancing with myself"
    assert title_key("Love (Part 2)").numbers == ("2",)
    assert artist_names("Adele feat. Drake, Future") == ("adele", "drake", "future")
    assert artist_names("The Beatles") == ("beatles",)


# --- the tag rule, check by check, with the score it gives ------------------------------------
# score = 0.5 title + 0.3 artist + 0.1 duration + 0.1 album (similarities 0-100; a duration
# scores 100 - 1 per 100 ms off, 70 when unknown; an album 70 when either side has none).

# song: title, artist, album (its length is 200 s); file: title, artist, album, and how many ms
# longer it is (None: unknown length); then "accept SCORE" or "reject SCORE REASON".
TAG_RULE = [
    ("Hello", "Adele", None, "Hello", "Adele", None, 0, "accept 97.0"),
    ("Hello", "Adele", "25", "Hello", "Adele", "25", 0, "accept 100.0"),
    ("Hello", "Adele", "25", "Hello", "Adele", None, 0, "accept 97.0"),
    ("Hello", "Adele", None, "Hello", "Adele", "25", 0, "accept 97.0"),
    ("Hello", "Adele", None, "Hello", "Adele", None, None, "accept 94.0"),
    ("Hello", "Adele", None, "Hello", "Adele", None, -1_000, "accept 96.0"),
    # the ± 3 s window, exactly
    ("Hello", "Adele", None, "Hello", "Adele", None, 3_000, "accept 94.0"),
    ("Hello", "Adele", None, "Hello", "Adele", None, -3_000, "accept 94.0"),
    ("Hello", "Adele", None, "Hello", "Adele", None, 3_001, "reject 94.0 duration differs by 3 s"),
    ("Hello", "Adele", None, "Hello", "Adele", None, 3_500, "reject 93.5 duration differs by 4 s"),
    ("Hello", "Adele", None, "Hello", "Adele", None, 7_000, "reject 90.0 duration differs by 7 s"),
    # widened to ± 10 s only when title, artists and album all agree
    ("Hello", "Adele", "25", "Hello", "Adele", "25", 7_000, "accept 93.0"),
    ("Hello", "Adele", "25", "Hello", "Adele", "25 (Deluxe)", 7_000, "accept 93.0"),
    ("Hello", "Adele", "25", "Hello", "Adele", "25", 10_000, "accept 90.0"),
    ("Hello", "Adele", "25", "Hello", "Adele", "25", -10_000, "accept 90.0"),
    ("Hello", "Adele", "25", "Hello", "Adele", "25", 10_001,
     "reject 90.0 duration differs by 10 s"),
    ("Hello", "Adele", "25", "Hello", "Adele", "25", 12_000,
     "reject 90.0 duration differs by 12 s"),
    ("Hello", "Adele", "25", "Hello", "Adele", "21", 5_000, "reject 90.0 duration differs by 5 s"),
    ("Hello", "Adele", "25", "Hello", "Adel", "25", 5_000,
     "reject 91.7 artist differs (similarity 89)"),
    ("Big Yellow", "Adele", "25", "Big Yallow", "Adele", "25", 5_000,
     "reject 90.0 duration differs by 5 s"),
    # fuzzy titles: a similarity of 90 is enough, less is not
    ("Yesterday Once More", "Adele", None, "Yesterday Once Moore", "Adele", None, 0, "accept 95.7"),
    ("Big Yellow", "Adele", None, "Big Yallow", "Adele", None, 0, "accept 92.0"),
    ("Summertime Sadness", "Adele", None, "Summertime Blues", "Adele", None, 0,
     "reject 38.2 title differs (similarity 76)"),
    # fuzzy artists: a similarity of 90 is enough, less is not
    ("Hello", "Bruno Mars", None, "Hello", "Bruno Mors", None, 0, "accept 94.0"),
    ("Hello", "Christina Aguilera", None, "Hello", "Christina Aguillera", None, 0, "accept 96.2"),
    ("Hello", "Adele", None, "Hello", "Adel", None, 0,
     "reject 93.7 artist differs (similarity 89)"),
    # no artists, on either side or both
    ("Hello", None, None, "Hello", "Adele", None, 0, "reject 67.0 artist differs (similarity 0)"),
    ("Hello", "Adele", None, "Hello", None, None, 0, "reject 67.0 artist differs (similarity 0)"),
    ("Hello", None, None, "Hello", None, None, 0, "reject 67.0 artist differs (similarity 0)"),
    ("Hello", "", None, "Hello", "", None, None, "reject 64.0 artist differs (similarity 0)"),
    # the combined score: at least 90
    ("Big Yellow", "Adele", None, "Big Yallow", "Adele", None, 3_000,
     "reject 89.0 score 89 below 90"),
    ("Big Yellow", "Adele", None, "Big Yallow", "Adele", None, 2_000, "accept 90.0"),
    # another recording, other numbers: rejected before anything else, at half the title
    ("Hello", "Adele", None, "Hello (Live)", "Adele", None, 0,
     "reject 50.0 another recording (live, not studio)"),
    ("Hello - Live", "Adele", None, "Hello", "Adele", None, 0,
     "reject 50.0 another recording (studio, not live)"),
    ("Hello", "Adele", None, "Hello (Live) [Acoustic]", "Adele", None, 0,
     "reject 50.0 another recording (acoustic, live, not studio)"),
    ("Hello (Live) [Acoustic]", "Adele", None, "Hello", "Adele", None, 0,
     "reject 50.0 another recording (studio, not acoustic, live)"),
    ("Love (Part 2)", "Adele", None, "Love (Part 3)", "Adele", None, 0,
     "reject 45.5 the numbers in the title differ"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("title", "artist", "album", "file_title", "file_artist", "file_album", "off", "expected"),
    TAG_RULE,
)
def test_tag_rule(
    title: str,
    artist: str | None,
    album: str | None,
    file_title: str,
    file_artist: str | None,
    file_album: str | None,
    off: int | None,
    expected: str,
) -> None:
    s = song(title, artist, duration=200_000, album=album)
    duration = None if off is None else 200_000 + off
    f = file(file_title, file_artist, duration=duration, album=file_album)
    verdict, score, *reason = expected.split(maxsplit=2)
    assert decide(s, f) == Decision(
        s.id, f.id, verdict == "accept", "tags", float(score), reason[0] if reason else None
    )


def test_a_song_of_unknown_length_is_judged_by_its_tags() -> None:
    s = song("Hello", duration=None)
    f = file("Hello", duration=200_000)
    assert decide(s, f) == Decision(s.id, f.id, True, "tags", 94.0, None)


def test_a_file_without_an_artist_is_filed_under_its_album_artist() -> None:
    s = song("Hello")
    f = file("Hello", None, album_artist="Adele")
    assert decide(s, f) == Decision(s.id, f.id, True, "tags", 97.0, None)


def test_a_song_without_a_title_word_finds_nothing() -> None:
    s = song("…")
    assert decide(s, file("…"), file("Hello")) == Decision(
        s.id, None, False, None, None, "no file with a similar title"
    )


# --- candidates: the main artist's files sharing a rare title word, then by title alone --------


def crowd(title: str, count: int) -> list[FileRecord]:
    """``count`` files of ``title`` by as many other artists: a title too common to look up
    by title alone (more than 50 files) or just common enough (50)."""
    return [file(title, f"Band {n:03d}") for n in range(count)]


def test_a_crowded_title_is_found_through_the_main_artist() -> None:
    s = song("Love")
    mine = file("Love")
    assert decide(s, *crowd("Love", 51), mine) == Decision(s.id, mine.id, True, "tags", 97.0, None)


def test_a_crowded_title_is_not_looked_up_by_title_alone() -> None:
    s = song("Love", "Christina Aguilera")
    fuzzy = file("Love", "Christina Aguillera")  # would pass, but only a title look finds it
    assert decide(s, *crowd("Love", 50), fuzzy) == Decision(
        s.id, None, False, None, None, "no file with a similar title"
    )
    assert decide(s, *crowd("Love", 49), fuzzy) == Decision(
        s.id, fuzzy.id, True, "tags", 96.2, None
    ), "50 files sharing the word are still looked at"


def test_the_title_look_uses_the_rarest_word() -> None:
    s = song("Zulu Love", "Christina Aguilera")
    fuzzy = file("Zulu Love", "Christina Aguillera")
    assert decide(s, *crowd("Love", 60), fuzzy) == Decision(
        s.id, fuzzy.id, True, "tags", 96.2, None
    )


def test_a_featured_artist_is_not_the_main_one() -> None:
    duet = file("Love", "Adele & Drake")
    by_drake = song("Love", "Drake")
    assert decide(by_drake, *crowd("Love", 51), duet).file_id is None
    by_adele = song("Love", "Adele")
    assert decide(by_adele, *crowd("Love", 51), duet).file_id == duet.id


def test_a_title_s_featured_artist_is_the_main_one_when_no_artist_is_named() -> None:
    s = song("Love (feat. Drake)", None)
    f = file("Love", "Drake")
    assert decide(s, *crowd("Love", 51), f) == Decision(s.id, f.id, True, "tags", 97.0, None)
    g = file("Love (feat. Adele)", None)
    t = song("Love", "Adele")
    assert decide(t, *crowd("Love", 51), g) == Decision(t.id, g.id, True, "tags", 97.0, None)


def test_files_and_songs_without_artists_meet_under_no_artist() -> None:
    s = song("Love", None)
    f = file("Love", None)
    assert decide(s, *crowd("Love", 51), f) == Decision(
        s.id, f.id, False, "tags", 67.0, "artist differs (similarity 0)"
    )


# --- ties: score, then the closer duration (a known one first), then the path -----------------


@pytest.mark.parametrize("swap", [False, True])
def test_ties_go_to_the_closer_duration(swap: bool) -> None:
    s = song("Intro", duration=60_000, album="Album One")
    exact = file("Intro", duration=60_000, path="/m/z.mp3")  # 50 + 30 + 10 + 7
    near = file("Intro", duration=61_000, album="Album Two", path="/m/a.mp3")  # 50 + 30 + 9 + 8
    files = (near, exact) if swap else (exact, near)
    assert decide(s, *files) == Decision(s.id, exact.id, True, "tags", 97.0, None)


@pytest.mark.parametrize("swap", [False, True])
def test_ties_go_to_a_known_duration_before_an_unknown_one(swap: bool) -> None:
    s = song("Intro", duration=60_000)
    unknown = file("Intro", duration=None, path="/m/a.mp3")  # 50 + 30 + 7 + 7
    known = file("Intro", duration=63_000, path="/m/z.mp3")  # 50 + 30 + 7 + 7
    files = (known, unknown) if swap else (unknown, known)
    assert decide(s, *files) == Decision(s.id, known.id, True, "tags", 94.0, None)


@pytest.mark.parametrize("swap", [False, True])
def test_ties_of_a_zero_and_a_tiny_difference(swap: bool) -> None:
    s = song("Intro", duration=60_000)
    exact = file("Intro", duration=60_000, path="/m/z.mp3")
    off = file("Intro", duration=60_001, path="/m/a.mp3")
    files = (off, exact) if swap else (exact, off)
    assert decide(s, *files) == Decision(s.id, exact.id, True, "tags", 97.0, None)


@pytest.mark.parametrize("swap", [False, True])
def test_full_ties_go_to_the_first_path(swap: bool) -> None:
    s = song("Intro")
    b, a = file("Intro", path="/m/b.mp3"), file("Intro", path="/m/a.mp3")
    files = (a, b) if swap else (b, a)
    assert decide(s, *files).file_id == a.id
    live_b, live_a = file("Intro (Live)", path="/m/b.m4a"), file("Intro (Live)", path="/m/a.m4a")
    files = (live_a, live_b) if swap else (live_b, live_a)
    assert decide(s, *files) == Decision(
        s.id, live_a.id, False, "tags", 50.0, "another recording (live, not studio)"
    ), "the rejected candidate named is chosen the same way"


def test_the_higher_score_wins_over_the_closer_duration() -> None:
    s = song("Hello", duration=200_000, album="25")
    same_album = file("Hello", duration=202_000, album="25", path="/m/z.mp3")  # 98
    no_album = file("Hello", duration=200_000, path="/m/a.mp3")  # 97
    assert decide(s, no_album, same_album).file_id == same_album.id
    rejected_best = file("Hello", "Adel", duration=200_000, path="/m/z.ogg")  # 93.7
    rejected_worse = file("Hello (Live)", path="/m/a.ogg")  # 50
    d = decide(s, rejected_worse, rejected_best)
    assert (d.file_id, d.accepted) == (rejected_best.id, False)


# --- ISRCs and recording ids -------------------------------------------------------------------

# the file carrying the song's ISRC (title, ms off the song's length; None: unknown length):
# is it taken by its ISRC, or is its ISRC contradicted by its tags?
ISRC_FILES = [
    ("Hello", 67_000, True),  # same title: a length is no contradiction
    ("Rolling in the Deep", 10_000, True),  # another title, but within 10 s
    ("Rolling in the Deep", -10_000, True),
    ("Rolling in the Deep", 10_001, False),
    ("Rolling in the Deep", -10_001, False),
    ("Rolling in the Deep", 67_000, False),
    ("Rolling in the Deep", None, True),  # no length to contradict it
    (None, 67_000, True),  # no title to contradict it
    ("Fire", 20_000, True),  # title similarity exactly 50 with "Fury": not below 50
    ("Fine", 20_000, False),
]


@pytest.mark.parametrize(("title", "off", "trusted"), ISRC_FILES)
def test_isrc_contradictions(title: str | None, off: int | None, trusted: bool) -> None:
    s = song("Fury" if title in ("Fire", "Fine") else "Hello", isrc="X1", duration=200_000)
    by_isrc = file(title, isrc="X1", duration=None if off is None else 200_000 + off)
    by_tags = file(s.name, duration=200_000)
    expected = (
        Decision(s.id, by_isrc.id, True, "isrc", 100.0, None)
        if trusted
        else Decision(s.id, by_tags.id, True, "tags", 97.0, None)
    )
    assert decide(s, by_isrc, by_tags) == expected


def test_an_isrc_is_trusted_when_the_song_s_length_is_unknown() -> None:
    s = song("Hello", isrc="X1", duration=None)
    f = file("Rolling in the Deep", isrc="X1", duration=100_000)
    assert decide(s, f) == Decision(s.id, f.id, True, "isrc", 100.0, None)


@pytest.mark.parametrize("swap", [False, True])
def test_several_isrc_files_the_closest_length_first(swap: bool) -> None:
    s = song("Hello", isrc="X1", duration=200_000)
    shorter = file("Hello", isrc="X1", duration=195_000, path="/m/a.mp3")
    longer = file("Hello", isrc="X1", duration=201_000, path="/m/b.mp3")
    unknown = file("Hello", isrc="X1", duration=None, path="/m/0.mp3")
    far = file("Hello", isrc="X1", duration=290_000, path="/m/1.mp3")
    files = (unknown, far, shorter, longer)
    assert decide(s, *(reversed(files) if swap else files)).file_id == longer.id
    assert decide(s, unknown, far).file_id == far.id, "a known length before an unknown one"
    nameless = song("Hello", isrc="X1", duration=None)
    assert decide(nameless, *(reversed(files) if swap else files)).file_id == unknown.id, (
        "without the song's length: by path"
    )


def test_a_recording_id_finds_the_song_s_file_again() -> None:
    s = song("Hello")
    moved = file("Hello (FLAC)", "Someone", mbid="m-1", path="/m/new/place.flac")
    other = file("Hello", mbid="m-2")
    index = FileIndex.build([other, moved])
    d = next(match_songs([s], index, {}, recordings={s.id: "m-1"}))
    assert d == Decision(s.id, moved.id, True, "mbid", 100.0, None)
    d = next(match_songs([s], index, {}, recordings={s.id: "m-9"}))
    assert d == Decision(s.id, other.id, True, "tags", 97.0, None), "unknown recording: tags"
    d = next(match_songs([s], index, {}, recordings={9999: "m-1"}))
    assert d.method == "tags", "another song's recording id is not this song's"


def test_an_isrc_comes_before_a_recording_id() -> None:
    s = song("Hello", isrc="X1")
    by_isrc = file("Hello", isrc="X1", path="/m/isrc.mp3")
    by_mbid = file("Hello", mbid="m-1", path="/m/mbid.mp3")
    d = next(match_songs([s], FileIndex.build([by_mbid, by_isrc]), {}, recordings={s.id: "m-1"}))
    assert d == Decision(s.id, by_isrc.id, True, "isrc", 100.0, None)


# --- links -------------------------------------------------------------------------------------


def test_a_link_follows_its_file_by_recording_id() -> None:
    s = song("Hello", duration=200_000)
    near = file("Whatever", mbid="m-1", duration=200_500, path="/m/z.flac")
    far = file("Whatever", mbid="m-1", duration=230_000, path="/m/a.flac")
    index = FileIndex.build([far, near])
    links: dict[str, str | None] = {s.library_id: "/m/old.flac"}
    d = next(match_songs([s], index, links, recordings={s.id: "m-1"}))
    assert d == Decision(s.id, near.id, True, "link", 100.0, None)
    d = next(match_songs([s], index, links, recordings={s.id: "m-9"}))
    assert d == Decision(s.id, None, False, "link", None, "the linked file is gone")
    d = next(match_songs([s], index, links))
    assert d == Decision(s.id, None, False, "link", None, "the linked file is gone")


def test_a_linked_path_that_exists_wins_over_the_recording_id() -> None:
    s = song("Hello")
    linked = file("Hello", mbid="m-2", path="/m/linked.mp3")
    other = file("Hello", mbid="m-1", path="/m/other.mp3")
    index = FileIndex.build([other, linked])
    d = next(match_songs([s], index, {s.library_id: "/m/linked.mp3"}, recordings={s.id: "m-1"}))
    assert d == Decision(s.id, linked.id, True, "link", 100.0, None)


def test_every_song_gets_its_decision_in_order() -> None:
    unlinked, linked, gone, tagged = song("Hello"), song("Hello"), song("Hello"), song("Hello")
    f = file("Hello", path="/m/hello.mp3")
    links: dict[str, str | None] = {
        unlinked.library_id: None,
        linked.library_id: "/m/hello.mp3",
        gone.library_id: "/m/gone.mp3",
    }
    decisions = list(match_songs([unlinked, linked, gone, tagged], FileIndex.build([f]), links))
    assert decisions == [
        Decision(unlinked.id, None, False, "link", None, "unlinked by you"),
        Decision(linked.id, f.id, True, "link", 100.0, None),
        Decision(gone.id, None, False, "link", None, "the linked file is gone"),
        Decision(tagged.id, f.id, True, "tags", 97.0, None),
    ]
