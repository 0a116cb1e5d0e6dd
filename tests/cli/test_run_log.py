"""The log file records how every run ends, and each error is shown once (issue 14, item 11).

Every run (sync, favourites push, backup, restore) writes one start line and one end line to
``<home>/logs/amsync.log`` — status, counts, duration, exit code — whether it succeeded, failed
or was refused (interrupted runs: ``tests/reliability/test_signals.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from amsync.cli.logfile import detach_log_files, log_file_path
from amsync.emulator import LibrarySpec
from tests.backup.conftest import amsync, sync_in_process
from tests.support.cli import invoke
from tests.sync.conftest import DEV, make_emulator

END = re.compile(r" amsync\.runs: (?P<name>[a-z -]+) ended \(account default\): (?P<rest>.*)$")


@pytest.fixture(autouse=True)
def _detach() -> Iterator[None]:
    yield
    detach_log_files()


def _run_lines(home: Path, name: str) -> tuple[list[str], list[str]]:
    text = log_file_path(home).read_text(encoding="utf-8")
    started = [line for line in text.splitlines() if f"{name} started (account" in line]
    ended = [line for line in text.splitlines() if f"amsync.runs: {name} ended (" in line]
    return started, ended


def test_a_plain_sync_logs_its_start_and_its_end(tmp_path: Path, home: Path) -> None:
    emulator = make_emulator(LibrarySpec(songs=80, playlists=3, seed=2))
    db = str(tmp_path / "mirror.db")
    with emulator.serve() as server:
        result = amsync(["--db", db, "-q", "sync"], server.url)
    assert result.exit_code == 0, result.output
    started, ended = _run_lines(home, "sync")
    assert len(started) == 1 and len(ended) == 1, (started, ended)
    match = END.search(ended[0])
    assert match is not None, ended[0]
    rest = match["rest"]
    assert rest.startswith("succeeded;"), rest
    assert "songs 80 listed (80 added)" in rest or "songs" in rest
    assert re.search(r"; \d+\.\d s; exit 0$", rest), rest


def test_a_failing_sync_logs_its_error_and_exit_code(tmp_path: Path, home: Path) -> None:
    emulator = make_emulator(LibrarySpec(songs=40, playlists=2, seed=2))
    db = str(tmp_path / "mirror.db")
    with emulator.serve() as server:
        result = invoke(
            ["--db", db, "sync"],
            env={
                "AMSYNC_API_URL": server.url,
                "AMSYNC_DEVELOPER_TOKEN": DEV,
                "AMSYNC_MUSIC_USER_TOKEN": "a-user-token-apple-does-not-know",
            },
        )
    assert result.exit_code == 3, result.output
    assert result.stderr.count("amsync: error:") == 1
    _, ended = _run_lines(home, "sync")
    assert len(ended) == 1 and "ERROR" in ended[0]
    assert re.search(r"failed: .+; \d+\.\d s; exit 3$", ended[0]), ended[0]


def test_a_push_logs_its_start_and_its_end(tmp_path: Path, home: Path) -> None:
    emulator = make_emulator(LibrarySpec(songs=40, playlists=2, seed=2))
    db = str(tmp_path / "mirror.db")
    sync_in_process(emulator, db)
    song = sorted(emulator.library.songs)[0]
    assert amsync(["--db", db, "favourites", "add", "song", song]).exit_code == 0
    with emulator.serve() as server:
        result = amsync(["--db", db, "favourites", "push"], server.url)
    assert result.exit_code == 0, result.output
    started, ended = _run_lines(home, "favourites push")
    assert len(started) == 1 and len(ended) == 1, (started, ended)
    assert "succeeded; 1 pushed, 0 pull, 0 pending, 0 conflicts;" in ended[0], ended[0]
    assert ended[0].endswith("exit 0")


def test_a_failing_backup_shows_its_error_once(tmp_path: Path, home: Path) -> None:
    """The issue's case: the log file cannot be written (here ``logs`` is a file), and the
    backup fails — one warning about the log, one error line, nothing else."""
    emulator = make_emulator(LibrarySpec(songs=40, playlists=2, seed=2))
    db = str(tmp_path / "mirror.db")
    sync_in_process(emulator, db)
    home.mkdir(parents=True, exist_ok=True)
    (home / "logs").write_text("not a folder", encoding="utf-8")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the backups go", encoding="utf-8")
    result = amsync(["--db", db, "backup", "--dir", str(blocked / "sub")])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["warning", "error"], lines
    assert "amsync.runs" not in result.stderr and "ERROR" not in result.stderr


def test_a_failing_backup_logs_its_end(tmp_path: Path, home: Path) -> None:
    emulator = make_emulator(LibrarySpec(songs=40, playlists=2, seed=2))
    db = str(tmp_path / "mirror.db")
    sync_in_process(emulator, db)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the backups go", encoding="utf-8")
    result = amsync(["--db", db, "backup", "--dir", str(blocked / "sub")])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("amsync: error:") == 1 and "amsync.runs" not in result.stderr
    started, ended = _run_lines(home, "backup")
    assert len(started) == 1 and len(ended) == 1
    assert "failed: cannot create" in ended[0] and ended[0].endswith("exit 2")


def test_commands_that_are_not_runs_log_nothing(tmp_path: Path, home: Path) -> None:
    emulator = make_emulator(LibrarySpec(songs=40, playlists=2, seed=2))
    db = str(tmp_path / "mirror.db")
    sync_in_process(emulator, db)
    assert amsync(["--db", db, "stats"]).exit_code == 0
    with emulator.serve() as server:
        assert amsync(["--db", db, "sync", "--dry-run"], server.url).exit_code == 0
    assert not log_file_path(home).exists()
