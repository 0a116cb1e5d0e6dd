"""The fast read path (``amsync.db.reading``) takes only an SQLite mirror at head; anything
else goes the usual way (read-only), with the same one-line errors, and no file is changed
by a read command."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from amsync.db.reading import open_sqlite_reader, sqlite_path_of
from amsync.db.schema import downgrade
from amsync.errors import StoreUnavailable
from tests.support.cli import invoke
from tests.support.mirror_builder import build_sample_mirror

READ_COMMANDS = [
    ["search", "hello"],
    ["stats"],
    ["show", "playlist", "p.P1"],
    ["query", "SELECT count(*) FROM songs_v"],
]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_mirror_at_head_is_read_the_fast_way(sqlite_path: str) -> None:
    build_sample_mirror(sqlite_path)
    with open_sqlite_reader(Path(sqlite_path)) as reader:
        assert reader is not None
        assert reader.rows("SELECT count(*) FROM songs_v") == [(5,)]
        with pytest.raises(StoreUnavailable, match=r"readonly|read-only"):
            reader.rows("DELETE FROM songs")


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: c[0])
def test_files_that_are_not_mirrors_give_one_line_and_stay_untouched(
    tmp_path: Path, command: list[str]
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    noise = tmp_path / "noise.db"
    noise.write_bytes(os.urandom(4096))
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    for path in (text, noise, foreign):
        before = _digest(path)
        result = invoke(["--db", str(path), *command])
        assert result.exit_code == 2, (path.name, result.output)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
        assert _digest(path) == before, path.name
    missing = invoke(["--db", str(tmp_path / "none.db"), *command])
    assert missing.exit_code == 2 and "no database at" in missing.stderr
    assert not (tmp_path / "none.db").exists()
    folder = invoke(["--db", str(tmp_path), *command])
    assert folder.exit_code == 2 and "is a directory" in folder.stderr


def test_an_older_mirror_is_refused_unchanged_until_upgraded(tmp_path: Path) -> None:
    """Reading commands never write (issue 22, item 5): an older mirror is not upgraded by
    them; the refusal says how, and after `amsync db upgrade` it is read the fast way."""
    path = tmp_path / "old.db"
    build_sample_mirror(str(path))
    engine = create_engine(f"sqlite:///{path}")
    downgrade(engine, "0003")
    engine.dispose()
    with open_sqlite_reader(path) as reader:
        assert reader is None, "not at head: not the fast way"
    before = _digest(path)
    refused = invoke(["--db", str(path), "search", "hello", "--json"])
    assert refused.exit_code == 2, refused.output
    assert "older amsync" in refused.stderr and "amsync db upgrade" in refused.stderr
    assert _digest(path) == before
    assert not list(tmp_path.glob("old.db.pre-*.bak"))
    assert invoke(["--db", str(path), "db", "upgrade"]).exit_code == 0
    assert list(tmp_path.glob("old.db.pre-0003-*.bak")), "a copy was kept before the upgrade"
    result = invoke(["--db", str(path), "search", "hello", "--json"])
    assert result.exit_code == 0, result.output
    assert {hit["library_id"] for hit in json.loads(result.stdout)} >= {"i.S1"}
    with open_sqlite_reader(path) as reader:
        assert reader is not None, "at head again"


def test_db_urls_that_name_sqlite_files() -> None:
    assert sqlite_path_of("sqlite:////tmp/x.db") == Path("/tmp/x.db")
    assert sqlite_path_of("/tmp/y.db") == Path("/tmp/y.db")
    assert sqlite_path_of("postgresql://u@h/db") is None
    assert sqlite_path_of("sqlite:////tmp/x.db?mode=ro") is None
