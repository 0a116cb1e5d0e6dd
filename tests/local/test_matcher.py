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
         path: str | None = None) -> FileRecord:  # fmt: skip
    n = next(_ids)
    return FileRecord(n, path or f"/m/{n}.mp3", title, artist, album, None, duration, isrc, mbid)


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
    d = decide(s, wrong)
    assert not d.accepted


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
