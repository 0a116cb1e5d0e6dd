"""Reading tags of real files (written by mutagen): every field of every sample format, the
repairs of odd encodings, and every kind of bad input as a problem, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from mutagen.id3 import ID3, TIT2, TPE1

from amsync.audiotags.sample_files import FORMATS
from amsync.audiotags.tag_reading import MutagenTagReader
from amsync.audiotags.tag_text import clean_value, clean_values, first_number
from amsync.domain.local_files import ProblemKind, ScannedFile, ScanProblem
from tests.local.conftest import put

MBID = "0b6f5a2e-1234-4cde-9abc-0123456789ab"


@pytest.mark.parametrize("extension", FORMATS)
def test_every_field_of_every_format_is_read(tmp_path: Path, extension: str) -> None:
    path = put(
        tmp_path,
        f"song.{extension}",
        215_000,
        title="Héllo (feat. Drake)",
        artist="Adele",
        album="25",
        album_artist="Adele",
        track_number=3,
        disc_number=2,
        isrc="GB-BKS-15-00214",
        mb_recording_id=MBID,
    )
    read = MutagenTagReader().read_file(str(path))
    assert isinstance(read, ScannedFile), read
    tags = read.tags
    assert (tags.title, tags.artist, tags.album, tags.album_artist) == (
        "Héllo (feat. Drake)",
        "Adele",
        "25",
        "Adele",
    )
    assert (tags.track_number, tags.disc_number) == (3, 2)
    assert tags.isrc == "GBBKS1500214", "hyphens dropped, upper case"
    assert tags.mb_recording_id == MBID
    assert tags.duration_ms is not None and abs(tags.duration_ms - 215_000) < 50
    assert read.size == path.stat().st_size and read.problems == ()
    assert read.format == {"m4a": "mp4"}.get(extension, extension)


def test_mojibake_is_repaired_and_reported(tmp_path: Path) -> None:
    path = put(tmp_path, "x.mp3", title="placeholder", artist="placeholder")
    id3 = ID3(path)
    # UTF-8 bytes declared as Latin-1, as old taggers wrote them
    id3.add(TIT2(encoding=0, text=["Björk Guðmundsdóttir".encode().decode("latin-1")]))
    id3.add(TPE1(encoding=0, text=["Sigur Rós", "Jónsi"]))
    id3.save(path)
    read = MutagenTagReader().read_file(str(path))
    assert isinstance(read, ScannedFile)
    assert read.tags.title == "Björk Guðmundsdóttir"
    assert read.tags.artists == ("Sigur Rós", "Jónsi") and read.tags.artist == "Sigur Rós; Jónsi"
    assert [p.kind for p in read.problems] == [ProblemKind.ODD_ENCODING]


def test_text_cleaning() -> None:
    assert clean_value("Donâ€™t Stop") == ("Don’t Stop", True)
    assert clean_value("bad \udcff surrogate") == ("bad \ufffd surrogate", True)
    assert clean_value("  two\nlines\t ") == ("two lines", False)
    assert clean_value("Cafe\u0301") == ("Café", False), "stored NFC"
    assert clean_value("   ") == (None, False)
    assert clean_values(["A\x00B", "A"]) == (("A", "B"), False)
    assert clean_value("Plain ASCII") == ("Plain ASCII", False)
    assert [first_number(v) for v in ("3/12", (4, 10), 5, "x", "0", None)] == [
        3,
        4,
        5,
        None,
        None,
        None,
    ]


def _problem(path: Path) -> ScanProblem:
    read = MutagenTagReader().read_file(str(path))
    assert isinstance(read, ScanProblem), read
    return read


def test_bad_files_are_problems(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    assert _problem(empty).kind is ProblemKind.EMPTY

    text = tmp_path / "notes.flac"
    text.write_text("not audio at all\n")
    assert _problem(text).kind is ProblemKind.CORRUPT

    whole = put(tmp_path, "whole.m4a", title="T", artist="A").read_bytes()
    truncated = tmp_path / "truncated.m4a"
    truncated.write_bytes(whole[: len(whole) // 3])
    assert _problem(truncated).kind is ProblemKind.CORRUPT

    random_bytes = tmp_path / "noise.mp3"
    random_bytes.write_bytes(bytes(range(256)) * 8)
    assert _problem(random_bytes).kind is ProblemKind.CORRUPT

    missing = tmp_path / "missing.mp3"
    assert _problem(missing).kind is ProblemKind.UNREADABLE


def test_a_file_named_for_another_format_is_read_as_what_it_is(tmp_path: Path) -> None:
    flac = put(tmp_path, "real.flac", title="Disguised", artist="A")
    disguised = tmp_path / "disguised.mp3"
    disguised.write_bytes(flac.read_bytes())
    read = MutagenTagReader().read_file(str(disguised))
    assert isinstance(read, ScannedFile) and read.tags.title == "Disguised"
    assert read.format == "flac"


def test_a_file_without_tags_is_kept_and_reported(tmp_path: Path) -> None:
    path = put(tmp_path, "untagged.flac")
    read = MutagenTagReader().read_file(str(path))
    assert isinstance(read, ScannedFile)
    assert read.tags.empty and read.tags.duration_ms == 200_000
    assert [p.kind for p in read.problems] == [ProblemKind.NO_TAGS]
