"""Fixtures of the report tests: a mirror synced from the emulator, with three years of
listening of its own songs imported (``amsync.emulator.privacy_library``), Apple's Replay of
2025 kept by the sync, a song with a hostile name among the most played, and artwork served
by the emulator over real HTTP. Built once per session on SQLite (tests copy the file when
they change it); ``listened_db`` builds it on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from amsync.cli.logfile import detach_log_files
from amsync.emulator import Emulator, LibrarySpec
from amsync.emulator.artwork import rehost
from amsync.emulator.privacy_export import ListeningExport
from amsync.emulator.privacy_library import LibraryListening, listening_for_library, replay_of
from tests.backup.conftest import sync_in_process
from tests.support.cli import CliResult, invoke
from tests.sync.conftest import make_emulator

SPEC = LibrarySpec(songs=160, albums=30, artists=20, playlists=5, seed=9)
LISTENING = LibraryListening(plays=2400, years=3, end=date(2026, 1, 1), seed=4)
YEAR = 2025
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)> & \"quoted\""


@dataclass
class Scene:
    db: str  # imported with --keep-personal
    plain_db: str  # the same export imported without personal columns
    emulator: Emulator
    export: ListeningExport
    url: str
    hostile_id: str


def _most_played(export: ListeningExport, year: int) -> str:
    counts = Counter(
        p.song.library_id for p in export.plays if p.start.year == year and p.song.library_id
    )
    return counts.most_common(1)[0][0]


def make_listening(emulator: Emulator) -> tuple[ListeningExport, str]:
    """The listener's export, with the most played song of the year renamed ``HOSTILE``."""
    library = emulator.library
    first = listening_for_library(library, LISTENING)
    hostile_id = _most_played(first, YEAR)
    library.update_song(hostile_id, name=HOSTILE)
    export = listening_for_library(library, LISTENING)
    library.replay = replay_of(library, export, YEAR)
    return export, hostile_id


def import_export(db: str, export: ListeningExport, folder: Path, *extra: str) -> None:
    path = export.write(folder / "privacy-export.zip")
    result = invoke(["--db", db, "import", "apple-data", str(path), *extra])
    assert result.exit_code == 0, result.output
    detach_log_files()


@pytest.fixture(scope="session")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    folder = tmp_path_factory.mktemp("report-scene")
    emulator = make_emulator(SPEC)
    with emulator.serve() as server:
        rehost(emulator.library, server.url)
        export, hostile_id = make_listening(emulator)
        db = str(folder / "mirror.db")
        sync_in_process(emulator, db)
        plain = str(folder / "plain.db")
        shutil.copyfile(db, plain)
        import_export(db, export, folder, "--keep-personal")
        import_export(plain, export, folder)
        yield Scene(db, plain, emulator, export, server.url, hostile_id)


@pytest.fixture
def listened_db(db_url: str, scene: Scene, tmp_path: Path) -> str:
    """The scene's mirror on SQLite (a copy) and on PostgreSQL (synced and imported again)."""
    if "://" not in db_url:
        shutil.copyfile(scene.db, db_url)
        return db_url
    sync_in_process(scene.emulator, db_url)
    import_export(db_url, scene.export, tmp_path, "--keep-personal")
    return db_url


def report(db: str, *args: str) -> CliResult:
    result = invoke(["--db", db, "report", *args])
    detach_log_files()
    return result


def report_json(db: str, *args: str) -> dict[str, Any]:
    result = report(db, "--format", "json", "-o", "-", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def top_json(db: str, kind: str, *args: str) -> list[dict[str, Any]]:
    result = invoke(["--db", db, "top", kind, "--format", "json", *args])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows
