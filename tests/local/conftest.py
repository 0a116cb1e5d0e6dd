"""Fixtures of the local-files tests: real tagged audio files written with mutagen
(``amsync.audiotags.sample_files``), and the sample mirror on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from amsync.audiotags.sample_files import SampleTags, write_sample_file


def put(folder: Path, name: str, duration_ms: int = 200_000, **tags: object) -> Path:
    """A tiny valid audio file ``folder/name`` (format from the suffix) with ``tags``."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_sample_file(path, SampleTags(**tags), duration_ms)  # type: ignore[arg-type]


def tree_state(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every entry below ``root`` (links not followed): mode, mtime and a content digest, so a
    test can show that a scan changed nothing on disk."""
    state: dict[str, tuple[int, int, str]] = {}
    for folder, names, files in os.walk(os.fsencode(root)):
        for name in names + files:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            digest = ""
            if os.path.isfile(path) and not os.path.islink(path):
                try:
                    with open(path, "rb") as handle:
                        digest = hashlib.sha256(handle.read()).hexdigest()
                except OSError:
                    digest = "unreadable"
            state[os.fsdecode(path)] = (info.st_mode, info.st_mtime_ns, digest)
    return state


@pytest.fixture
def music(tmp_path: Path) -> Path:
    """The music folder of the sample mirror's songs (see ``build_sample_music``)."""
    return build_sample_music(tmp_path / "Music")


def build_sample_music(root: Path) -> Path:
    """Files for the sample mirror (``tests.support.mirror_builder``):

    - ``Adele/25/01 Hello.flac``: ISRC of i.S1 (and i.S6), length 295.5 s
    - ``Adele/25/01 Hello (Live).mp3``: a live decoy without ISRC
    - ``Someone/Lost/Gone Song.m4a``: no ISRC; "- 2011 Remaster", feat. in the artist, +1.9 s
    - ``Other/Hello.opus``: "Hello" by another artist (a decoy)
    - ``Unrelated/Song.mp3``: a song the library does not have
    """
    put(root / "Adele" / "25", "01 Hello.flac", 295_500, title="Hello", artist="Adele",
        album="25", track_number=1, isrc="GBBKS1500214")  # fmt: skip
    put(root / "Adele" / "25", "01 Hello (Live).mp3", 297_000, title="Hello (Live)",
        artist="Adele", album="25 Live")  # fmt: skip
    put(root / "Someone" / "Lost", "Gone Song.m4a", 201_900,
        title="Gone Song - 2011 Remaster", artist="Someone feat. X", album="Lost")  # fmt: skip
    put(root / "Other", "Hello.opus", 295_000, title="Hello", artist="Lionel Richie",
        album="Can't Slow Down")  # fmt: skip
    put(root / "Unrelated", "Song.mp3", 180_000, title="Song", artist="Nobody")
    return root
