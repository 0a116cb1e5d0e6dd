"""The database: created at head on first use, migrations without drift and reversible on
SQLite and PostgreSQL, and refusals that leave foreign files untouched."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from amsync.db.engine import AMSYNC_APPLICATION_ID, create_database_engine, database_url
from amsync.db.schema import (
    downgrade,
    ensure_schema,
    head_revision,
    schema_drift,
    schema_state,
    script_directory,
    upgrade,
)
from amsync.db.store import open_store
from amsync.errors import SchemaTooNew, StoreUnavailable
from tests.support.cli import invoke


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_is_created_at_head_without_drift(db_url: str) -> None:
    store = open_store(db_url)
    try:
        state = store.schema()
        assert state.at_head and state.current == head_revision()
        assert schema_drift(store.engine) == []
        assert store.account_id("default") == store.account_id("default")
    finally:
        store.close()


def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    engine = create_database_engine(database_url(db_url))
    try:
        upgrade(engine)
        downgrade(engine, "base")
        state = schema_state(engine)
        assert state.current is None
        assert state.empty, "downgrade to base must remove every table"
        upgrade(engine)
        assert schema_state(engine).at_head
        assert schema_drift(engine) == []
    finally:
        engine.dispose()


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(sqlite_path: str) -> None:
    store = open_store(sqlite_path)
    try:
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
            assert (
                connection.exec_driver_sql("PRAGMA application_id").scalar()
                == AMSYNC_APPLICATION_ID
            )
    finally:
        store.close()


def test_older_sqlite_database_is_upgraded_after_a_copy(tmp_path: Path) -> None:
    revisions = list(script_directory().walk_revisions())
    if len(revisions) < 2:
        pytest.skip("only one schema revision exists so far")
    path = tmp_path / "old.db"
    engine = create_database_engine(database_url(str(path)))
    upgrade(engine, revisions[1].revision)
    engine.dispose()
    store = open_store(str(path))
    try:
        assert store.schema().at_head
    finally:
        store.close()
    copies = list(tmp_path.glob("old.db.pre-*.bak"))
    assert len(copies) == 1
    with sqlite3.connect(copies[0]) as copy:
        kept = copy.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert kept == revisions[1].revision


def test_newer_database_is_refused_untouched(sqlite_path: str) -> None:
    open_store(sqlite_path).close()
    with sqlite3.connect(sqlite_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'fffffffff999'")
    before = _digest(Path(sqlite_path))
    with pytest.raises(SchemaTooNew, match="newer amsync"):
        open_store(sqlite_path)
    assert _digest(Path(sqlite_path)) == before
    result = invoke(["--db", sqlite_path, "db", "upgrade"])
    assert result.exit_code == 2
    assert "newer amsync" in result.stderr
    assert _digest(Path(sqlite_path)) == before


def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        connection.execute("INSERT INTO notes (body) VALUES ('keep me')")
    before = _digest(path)
    with pytest.raises(StoreUnavailable, match="another program"):
        open_store(str(path))
    assert _digest(path) == before


@pytest.mark.parametrize("command", [["db", "current"], ["db", "upgrade"], ["db", "check"]])
def test_etc_passwd_is_refused_in_one_line(command: list[str]) -> None:
    before = _digest(Path("/etc/passwd"))
    result = invoke(["--db", "/etc/passwd", *command])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "not an amsync database" in result.stderr
    assert "Traceback" not in result.output
    assert _digest(Path("/etc/passwd")) == before


@pytest.mark.parametrize("command", [["db", "current"], ["db", "upgrade"], ["db", "check"]])
def test_random_bytes_file_is_refused_untouched(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "data").mkdir()
    path = tmp_path / "data" / "random.db"
    path.write_bytes(os.urandom(1024))
    before = _digest(path)
    result = invoke(["--db", str(path), *command])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert _digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["random.db"]


def test_corrupt_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    open_store(str(path)).close()
    data = bytearray(path.read_bytes())
    for offset in range(100, len(data)):
        data[offset] = 0xA5
    path.write_bytes(bytes(data))
    before = _digest(path)
    result = invoke(["--db", str(path), "db", "current"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert _digest(path) == before


def test_unreachable_postgres_is_one_clear_line() -> None:
    result = invoke(["--db", "postgresql://nobody@127.0.0.1:1/x", "db", "current"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "cannot connect to the database at postgresql" in result.stderr


def test_password_is_hidden_in_errors() -> None:
    result = invoke(["--db", "postgresql://nobody:hunter2secret@127.0.0.1:1/x", "db", "current"])
    assert result.exit_code == 2
    assert "hunter2secret" not in result.output
    assert "***" in result.stderr


def test_db_commands_report_revisions(sqlite_path: str) -> None:
    missing = invoke(["--db", sqlite_path, "db", "current"])
    assert missing.exit_code == 2 and "no database" in missing.stderr
    assert not Path(sqlite_path).exists(), "db current must not create a database"
    up = invoke(["--db", sqlite_path, "db", "upgrade"])
    assert up.exit_code == 0, up.output
    current = invoke(["--db", sqlite_path, "db", "current", "--json"])
    assert current.exit_code == 0
    assert f'"current": "{head_revision()}"' in current.stdout
    check = invoke(["--db", sqlite_path, "db", "check"])
    assert check.exit_code == 0, check.output
    assert "FAIL" not in check.stdout


@pytest.mark.postgres
def test_db_commands_on_postgres(postgres_url: str) -> None:
    assert invoke(["--db", postgres_url, "db", "upgrade"]).exit_code == 0
    result = invoke(["--db", postgres_url, "db", "check"])
    assert result.exit_code == 0, result.output
    engine = create_database_engine(database_url(postgres_url))
    try:
        ensure_schema(engine)
        with engine.connect() as connection:
            names = connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
            assert {"songs", "playlists", "playlist_entries", "favourites"} <= set(names)
    finally:
        engine.dispose()


def test_head_revision_constant_is_alembics_head() -> None:
    """The fast read path knows the head without loading Alembic: a new migration updates
    ``amsync.db.head.HEAD_REVISION``."""
    from amsync.db.head import HEAD_REVISION

    assert head_revision() == HEAD_REVISION
