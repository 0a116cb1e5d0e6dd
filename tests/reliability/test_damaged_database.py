"""A damaged database is never written to (issue 14, item 3).

The issue's recipe: a copy of a mirror with 4,000 bytes written at offset 200,000 (a page of
``playlist_entries``). A no-change sync used to report "no change", exit 0 and modify the file.
Now every command that writes refuses it before the first byte: exit 2, one line that says how
to recover, the file byte for byte as it was. Every writing command meets a damaged database in
the walker (``test_hostile_walk.py``, case ``corrupt-db``); this is the recipe end to end, over
HTTP, in a real process.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from amsync.emulator import LibrarySpec
from tests.backup.conftest import sync_in_process
from tests.support.cli import invoke
from tests.support.reliability import amsync_env, emulator_for, run_amsync


def _damaged_copy(db: Path, target: Path) -> bytes:
    shutil.copyfile(db, target)
    with target.open("r+b") as handle:
        handle.seek(200_000)
        handle.write(b"\xa5" * 4000)
    return target.read_bytes()


def test_the_issue_recipe_sync_refuses_a_damaged_copy(tmp_path: Path) -> None:
    emulator = emulator_for(LibrarySpec(songs=400, playlists=14, folders=2, seed=1))
    db = tmp_path / "mirror.db"
    sync_in_process(emulator, str(db))
    assert db.stat().st_size > 210_000, "the mirror is too small for the recipe"
    damaged = _damaged_copy(db, tmp_path / "copy.db")
    with emulator.serve() as server:
        env = amsync_env(tmp_path / "home", server.url)
        emulator.log.clear()
        done = run_amsync(["--db", str(tmp_path / "copy.db"), "sync"], env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.count("amsync: error:") == 1 and "Traceback" not in done.stderr
    assert "is damaged" in done.stderr and "backup" in done.stderr, done.stderr
    assert (tmp_path / "copy.db").read_bytes() == damaged, "the damaged database was written"
    assert emulator.log.count() == 0, "a refused sync talked to Apple Music"


def test_doctor_and_db_check_say_how_to_recover(tmp_path: Path) -> None:
    emulator = emulator_for(LibrarySpec(songs=400, playlists=14, folders=2, seed=1))
    db = tmp_path / "mirror.db"
    sync_in_process(emulator, str(db))
    damaged = _damaged_copy(db, tmp_path / "copy.db")
    check = invoke(["--db", str(tmp_path / "copy.db"), "db", "check"])
    assert check.exit_code == 2, check.output  # as every command that meets it (issue 22)
    assert "FAIL  integrity:" in check.stdout and "is damaged" in check.stdout
    doctor = invoke(
        ["--db", str(tmp_path / "copy.db"), "doctor", "--offline", "--json"],
        env={"AMSYNC_DEVELOPER_TOKEN": "d" * 40, "AMSYNC_MUSIC_USER_TOKEN": "u" * 40},
    )
    assert doctor.exit_code == 2, doctor.output  # as the writing commands refuse it
    assert "newest good backup" in doctor.stdout and "amsync restore" not in doctor.stdout
    assert (tmp_path / "copy.db").read_bytes() == damaged


def test_a_file_damaged_after_its_check_is_checked_again(tmp_path: Path) -> None:
    """One process, the same path: found sound, then damaged on disk — the next writer of the
    process checks it again and refuses it (the check is remembered per file state, not per
    path)."""
    emulator = emulator_for(LibrarySpec(songs=400, playlists=14, folders=2, seed=1))
    db = tmp_path / "mirror.db"
    sync_in_process(emulator, str(db))
    assert invoke(["--db", str(db), "accounts", "add", "spare"]).exit_code == 0
    damaged = _damaged_copy(db, db.with_name("damaged.db"))
    db.write_bytes(damaged)
    result = invoke(["--db", str(db), "accounts", "remove", "spare", "--yes"])
    assert result.exit_code == 2, result.output
    assert "is damaged" in result.stderr
    assert db.read_bytes() == damaged
