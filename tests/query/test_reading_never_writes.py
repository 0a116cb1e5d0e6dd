"""No reading command ever creates or changes the database file (issue 22, item 5).

The issue's recipe: ``stats`` and ``search`` on a 0-byte file turned it into a 393 KB database,
even when the file was read-only (root ignores the mode); ``query`` left it alone. Every reading
command now opens the database read-only (``AppContext.reading``, ``open_store(create=False)``):
an empty file is refused as holding no data, an older mirror with the way to upgrade it, and
the file stays byte for byte as it was — whoever runs the command. The hostile walk
(``tests/reliability/test_hostile_walk.py``, case ``empty-db``) runs every command of the tree
on an empty file the same way.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from amsync.db.schema import downgrade
from tests.support.cli import invoke
from tests.support.mirror_builder import build_sample_mirror

READING = [
    ["stats"],
    ["search", "hello"],
    ["show", "playlist", "Road Trip"],
    ["show", "song", "i.S1"],
    ["history"],
    ["health"],
    ["top", "songs"],
    ["query", "SELECT count(*) FROM songs_v"],
    ["favourites", "list"],
    ["favourites", "diff"],
    ["export", "json"],
    ["export", "csv", "--playlist", "Road Trip", "-o", "-"],
    ["export", "m3u", "--playlist", "Road Trip", "-o", "-"],
    ["local", "unmatched"],
    ["datasette-metadata"],
    ["db", "current"],
    ["db", "check"],
]


def _state(folder: Path) -> dict[str, str]:
    """Every file of the folder with its content hash (SQLite's -shm and -wal, which a
    read-only reader of a WAL database may open, left out)."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if not path.name.endswith(("-shm", "-wal"))
    }


@pytest.fixture
def older(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample mirror at an older schema (0003), read-only on disk."""
    folder = tmp_path_factory.mktemp("older")
    path = folder / "amsync.db"
    build_sample_mirror(str(path))
    engine = create_engine(f"sqlite:///{path}")
    downgrade(engine, "0003")
    engine.dispose()
    path.chmod(0o444)
    return path


@pytest.mark.parametrize("command", READING, ids=" ".join)
def test_an_empty_read_only_file_stays_empty(command: list[str], tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    empty = folder / "amsync.db"
    empty.touch(mode=0o444)
    result = invoke(["--db", str(empty), *command])
    assert "Traceback" not in result.output
    assert empty.stat().st_size == 0, "a reading command wrote the database"
    assert sorted(p.name for p in folder.iterdir()) == ["amsync.db"]
    if command[:2] == ["db", "current"]:  # reports what it finds: an empty database
        assert result.exit_code == 0 and "(empty)" in result.stdout, result.output
        return
    assert result.exit_code == 2, result.output
    assert result.stderr.count("amsync: error:") == 1, result.stderr
    assert "holds no amsync data yet" in result.stderr or command[0] == "db", result.stderr


@pytest.mark.parametrize("command", READING, ids=" ".join)
def test_an_older_mirror_is_not_upgraded_by_a_reader(command: list[str], older: Path) -> None:
    before = _state(older.parent)
    result = invoke(["--db", str(older), *command])
    assert "Traceback" not in result.output
    assert _state(older.parent) == before, "a reading command changed the database"
    if command[:2] != ["db", "current"]:
        assert result.exit_code == 2, result.output
        assert result.stderr.count("amsync: error:") == 1, result.stderr


def test_accounts_list_and_doctor_read_an_empty_file_as_no_data(tmp_path: Path) -> None:
    empty = tmp_path / "amsync.db"
    empty.touch()
    listed = invoke(["--db", str(empty), "accounts", "list", "--names"])
    assert listed.exit_code == 0 and listed.stdout == ""
    doctor = invoke(
        ["--db", str(empty), "doctor", "--offline"],
        env={"AMSYNC_DEVELOPER_TOKEN": "d" * 40, "AMSYNC_MUSIC_USER_TOKEN": "u" * 40},
    )
    assert "Traceback" not in doctor.output
    assert empty.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == ["amsync.db"]
