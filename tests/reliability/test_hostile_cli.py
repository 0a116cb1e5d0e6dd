"""Hostile command lines and databases: odd ``--db`` paths, unwritable export targets, a
corrupt, read-only, locked or full database. Each ends with one clear error line and a
documented exit code, and the mirror intact."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from amsync.emulator import LibrarySpec
from tests.support.cli import invoke
from tests.support.mirror_compare import expected_mirror
from tests.support.reliability import (
    FIGURES,
    amsync_env,
    emulator_for,
    mirror_of,
    run_amsync,
    spawn,
    sqlite_integrity,
    tables_of,
)


def _one_error_line(stderr: str) -> None:
    errors = [line for line in stderr.splitlines() if line.startswith("amsync: error:")]
    assert len(errors) == 1 and "Traceback" not in stderr, stderr


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], object]]:
    emulator = emulator_for(LibrarySpec(songs=40, playlists=3, seed=8))
    db = str(tmp_path / "mirror.db")
    server_cm = emulator.serve()
    server = server_cm.__enter__()
    env = amsync_env(tmp_path / "home", server.url)
    done = run_amsync(["--db", db, "-q", "sync"], env, fast=True)
    assert done.returncode == 0, done.stderr
    yield db, env, emulator
    server_cm.__exit__(None, None, None)


@pytest.mark.parametrize(
    "make",
    ["directory", "fifo", "dev-null", "newline", "missing-folder", "text-file", "dotdot"],
)
def test_odd_db_paths_are_refused_clearly(make: str, tmp_path: Path) -> None:
    target = tmp_path / "target"
    if make == "directory":
        target.mkdir()
    elif make == "fifo":
        os.mkfifo(target)
    elif make == "dev-null":
        target = Path("/dev/null")
    elif make == "newline":
        target = tmp_path / "evil\nname.db"
        target.write_text("not a database\n")
    elif make == "missing-folder":
        target = tmp_path / "no" / "such" / "mirror.db"
    elif make == "text-file":
        target.write_text("root:x:0:0:root:/root:/bin/bash\n")
    elif make == "dotdot":
        (tmp_path / "a").mkdir()
        target = tmp_path / "a" / ".." / "a"
    before = target.read_bytes() if target.is_file() else None
    result = invoke(["--db", str(target), "stats"])
    assert result.exit_code == 2, result.output
    _one_error_line(result.stderr)
    if before is not None:
        assert target.read_bytes() == before, "a refused file was written"
    FIGURES["hostile CLI inputs"] += 1


def test_export_into_unwritable_or_odd_targets(
    mirror: tuple[str, dict[str, str], object], tmp_path: Path
) -> None:
    db, env, _ = mirror
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    for args in (
        ["export", "json", "-o", str(blocked / "out.json")],
        ["export", "csv", "-o", str(blocked)],
        ["export", "m3u", "-o", str(blocked / "sub")],
        ["export", "json", "-o", str(tmp_path / "missing" / "x.json")],
        ["export", "csv", "--playlist", "no such playlist", "-o", "-"],
    ):
        result = run_amsync(["--db", db, *args], env)
        assert result.returncode == 2, (args, result.stderr)
        _one_error_line(result.stderr)
        FIGURES["hostile CLI inputs"] += 1
    assert sqlite_integrity(db) == []


def test_a_corrupt_database_is_refused_and_left_alone(
    mirror: tuple[str, dict[str, str], object],
) -> None:
    db, env, _ = mirror
    with open(db, "r+b") as handle:  # keep the header, ruin the pages after it
        handle.seek(4096)
        handle.write(os.urandom(8192))
    damaged = Path(db).read_bytes()
    for args in (["stats"], ["sync"], ["export", "json"]):
        result = run_amsync(["--db", db, *args], env, fast=True)
        assert result.returncode in (1, 2), (args, result.stderr)
        _one_error_line(result.stderr)
        assert "Traceback" not in result.stderr
        FIGURES["hostile CLI inputs"] += 1
    assert Path(db).read_bytes() == damaged, "a damaged database was written to"


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def test_a_read_only_database_is_refused_and_left_alone(
    mirror: tuple[str, dict[str, str], object], tmp_path: Path
) -> None:
    """The mirror's folder seen through a read-only bind mount (tests run as root, whom file
    permissions do not stop); skipped where ``mount`` is not allowed."""
    db, env, emulator = mirror
    emulator.library.update_song(sorted(emulator.library.songs)[0], name="Changed")  # type: ignore[attr-defined]
    sqlite3.connect(db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    before = tables_of(db)
    view = tmp_path / "read-only-view"
    view.mkdir()
    if not _mount("--bind", str(Path(db).parent), str(view)):
        pytest.skip("cannot bind-mount here")
    try:
        if not _mount("-o", "remount,ro,bind", str(view)):
            pytest.skip("cannot remount read-only here")
        result = run_amsync(["--db", str(view / Path(db).name), "sync"], env, fast=True)
    finally:
        subprocess.run(["umount", str(view)], check=False)
    assert result.returncode == 2, result.stderr
    _one_error_line(result.stderr)
    assert "read-only" in result.stderr or "cannot" in result.stderr, result.stderr
    assert tables_of(db) == before
    FIGURES["hostile CLI inputs"] += 1


_HOLD_EXCLUSIVE = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
"""


def test_a_database_locked_by_another_process_is_waited_for(
    mirror: tuple[str, dict[str, str], object],
) -> None:
    """A foreign ``BEGIN EXCLUSIVE`` holder: amsync waits on SQLite's busy timeout (15 s) and
    goes on when it lets go; nothing is damaged."""
    db, env, emulator = mirror
    emulator.library.update_song(sorted(emulator.library.songs)[0], name="After the lock")  # type: ignore[attr-defined]
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_EXCLUSIVE, db],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline().strip() == "locked"
    syncing = spawn(["--db", db, "-q", "sync"], env, fast=True)
    time.sleep(1.5)
    assert syncing.poll() is None, "the sync did not wait for the lock"
    holder.communicate("\n", timeout=10)
    _, err = syncing.communicate(timeout=60)
    assert syncing.returncode == 0, err
    assert sqlite_integrity(db) == []
    assert mirror_of(db) == expected_mirror(emulator.library)  # type: ignore[attr-defined]
    FIGURES["hostile CLI inputs"] += 1


def _small_files(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_full_disk_keeps_the_mirror_intact(
    mirror: tuple[str, dict[str, str], object],
) -> None:
    db, env, emulator = mirror
    library = emulator.library  # type: ignore[attr-defined]
    for song_id in sorted(library.songs)[:30]:
        library.update_song(song_id, name="A much longer name " * 40)
    # Enough new text that the sync's writes outgrow the limit below: since migration 0004 the
    # full-text index no longer keeps a second copy of every name, so 200 were not always enough.
    for _ in range(2000):
        library.add_song(name="Upload " * 50, artist_name="Me")
    sqlite3.connect(db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    before = tables_of(db)
    size = Path(db).stat().st_size
    limit = size + 64 * 1024
    result = run_amsync(
        ["--db", db, "sync"], env, fast=True, preexec_fn=lambda: _small_files(limit)
    )
    assert result.returncode != 0, result.stdout
    assert result.returncode in (1, 2, 75), result.stderr
    _one_error_line(result.stderr)
    assert sqlite_integrity(db) == []
    assert tables_of(db) == before, "a sync on a full disk changed the mirror"
    FIGURES["hostile CLI inputs"] += 1
    assert shutil.disk_usage(Path(db).parent).free > 0
