"""The demo shows local files: a generated music folder, scanned and matched, and M3U8
playlists whose every location is a file of that folder (read with beets' M3U reader)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from beets.util.m3u import EmptyPlaylistError, M3UFile

from tests.support.cli import invoke


def test_demo_plays_playlists_from_its_music_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "demo"
    result = invoke(["demo", "--dir", str(folder), "--songs", "300"])
    assert result.exit_code == 0, result.output
    assert "tagged audio files" in result.stdout and "m3u-local" in result.stdout
    music = (folder / "music").resolve()
    located = 0
    for playlist in (folder / "exports" / "m3u-local").rglob("*.m3u8"):
        monkeypatch.chdir(playlist.parent)
        loader = M3UFile(str(playlist))
        try:
            loader.load()
        except EmptyPlaylistError:
            continue  # no track of this playlist has a file
        for media in loader.media_list:
            path = Path(os.fsdecode(media))
            assert path.exists() and path.resolve().is_relative_to(music)
            located += 1
    assert located >= 40, "most of the generated files are in some playlist"
