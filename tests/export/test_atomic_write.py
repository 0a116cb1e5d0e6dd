"""An export that fails half-way leaves the previous file in place and no temporary file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from amsync.errors import OutputPathError
from amsync.export import library_rows, playlist_rows
from amsync.export.atomic_files import atomic_text_file
from tests.support.cli import invoke


class Boom(RuntimeError):
    pass


def test_atomic_text_file_keeps_the_old_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("good\n", encoding="utf-8")
    with pytest.raises(Boom), atomic_text_file(target) as handle:
        handle.write("half")
        raise Boom
    assert target.read_text(encoding="utf-8") == "good\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with atomic_text_file(target) as handle:
        handle.write("new\n")
    assert target.read_text(encoding="utf-8") == "new\n"


def _failing_after_first(real: Any) -> Any:
    def reader(*args: Any, **kwargs: Any) -> Iterator[Any]:
        iterator = real(*args, **kwargs)
        yield next(iterator)
        raise Boom("disk fell off")

    return reader


@pytest.mark.parametrize("fmt", ["json", "csv", "m3u", "xspf"])
def test_failure_mid_export_keeps_previous_files(
    sample_sqlite: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    out = tmp_path / "out"
    target = out / "library.json" if fmt == "json" else out
    out.mkdir()
    first = invoke(["--db", sample_sqlite, "export", fmt, "-o", str(target)])
    assert first.exit_code == 0, first.output
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert before
    monkeypatch.setattr(library_rows, "songs", _failing_after_first(library_rows.songs))
    monkeypatch.setattr(playlist_rows, "playlists", _failing_after_first(playlist_rows.playlists))
    monkeypatch.setattr(library_rows, "chunks", _failing_after_first(library_rows.chunks))
    failed = invoke(["--db", sample_sqlite, "export", fmt, "-o", str(target)])
    assert failed.exit_code == 1, failed.output
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before, "a failed export must leave the previous files untouched"


def test_disk_full_is_an_output_path_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    target = tmp_path / "x.json"
    target.write_text("old", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputPathError, match="No space left"), atomic_text_file(target) as h:
        h.write("new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]
