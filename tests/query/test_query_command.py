"""``amsync query``: read-only by construction, per account, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

import pytest

from amsync.db.store import open_store
from amsync.errors import UsageError
from amsync.query import readonly_sql
from amsync.query.sql_statements import check_read_only
from tests.support.cli import invoke
from tests.support.mirror_builder import mirror

WRITES = [
    "DELETE FROM songs",
    "delete from songs where 1=1;",
    "DROP TABLE songs",
    "DROP VIEW songs_v",
    "UPDATE songs SET name = 'x'",
    "INSERT INTO accounts (name, created_at) VALUES ('x', '2020-01-01')",
    "CREATE TABLE evil (x int)",
    "ALTER TABLE songs ADD COLUMN x int",
    "ATTACH DATABASE '/tmp/amsync-evil.db' AS evil",
    "PRAGMA writable_schema=1",
    "PRAGMA writable_schema = ON",
    "pragma journal_mode=delete",
    "SELECT 1; DELETE FROM songs",
    "SELECT 1;DROP TABLE songs;",
    "WITH x AS (SELECT 1) DELETE FROM songs",
    "WITH gone AS (DELETE FROM songs RETURNING *) SELECT * FROM gone",
    "EXPLAIN ANALYZE DELETE FROM songs",
    "VACUUM",
    "BEGIN",
    "SET default_transaction_read_only = off",
    "REINDEX",
    "/* hi */ DELETE FROM songs",
    "(DELETE FROM songs)",
]


def _counts(db: str) -> tuple[int, int, int]:
    result = invoke(
        [
            "--db",
            db,
            "query",
            "SELECT (SELECT count(*) FROM songs), (SELECT count(*) FROM playlists), "
            "(SELECT count(*) FROM accounts)",
            "--format",
            "csv",
            "--all-accounts",
        ]
    )
    assert result.exit_code == 0, result.output
    row = list(csv.reader(io.StringIO(result.stdout)))[1]
    return int(row[0]), int(row[1]), int(row[2])


@pytest.mark.parametrize("sql", WRITES)
def test_writing_statements_are_refused_and_change_nothing(sample_db: str, sql: str) -> None:
    before = _counts(sample_db)
    result = invoke(["--db", sample_db, "query", sql])
    assert result.exit_code == 2, result.output
    assert "refused" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert _counts(sample_db) == before


def test_the_read_only_connection_refuses_what_the_check_lets_through(
    sample_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second fence alone: with the statement check switched off, the connection still
    refuses every write (SQLite authorizer + read-only file; PostgreSQL READ ONLY)."""
    monkeypatch.setattr(readonly_sql, "check_read_only", lambda sql, postgres: "SELECT")
    before = _counts(sample_db)
    store = open_store(sample_db, create=False, readonly=True)
    try:
        for sql in (
            "DELETE FROM songs",
            "DROP TABLE songs",
            "UPDATE accounts SET name = 'x'",
            "CREATE TABLE evil (x int)",
        ):
            with (
                pytest.raises(UsageError, match=r"refused|failed"),
                readonly_sql.run_query(store, sql, account_id=None) as result,
            ):
                list(result.rows)
    finally:
        store.close()
    assert _counts(sample_db) == before


def test_select_in_three_formats(sample_db: str) -> None:
    sql = "SELECT library_id, name, favourite FROM songs_v ORDER BY library_id"
    as_json = invoke(["--db", sample_db, "query", sql, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    rows = json.loads(as_json.stdout)
    assert [r["library_id"] for r in rows] == ["i.S1", "i.S2", "i.S3", "i.S5", "i.S6"]
    assert bool(rows[0]["favourite"]) is True
    as_csv = invoke(["--db", sample_db, "query", sql, "--format", "csv"])
    header = next(csv.reader(io.StringIO(as_csv.stdout)))
    assert header == ["library_id", "name", "favourite"]
    for fmt in ("table", "tsv"):  # piped, the default is tsv
        shown = invoke(["--db", sample_db, "query", sql, "--format", fmt])
        assert shown.exit_code == 0 and "i.S1" in shown.stdout
        assert "\x1b" not in shown.stdout, "control characters are shown, not sent"
        assert "\\x1b" in shown.stdout


def test_views_and_tables_show_the_current_account_only(sample_db: str) -> None:
    with mirror(sample_db, account="other") as m:
        m.song("i.OTHER", "Other Song")
    mine = invoke(
        ["--db", sample_db, "query", "SELECT count(*) AS n FROM songs", "--format", "json"]
    )
    assert json.loads(mine.stdout) == [{"n": 6}]
    view = invoke(["--db", sample_db, "query", "SELECT name FROM songs_v", "--format", "json"])
    assert "Other Song" not in view.stdout
    theirs = invoke(
        [
            "--db",
            sample_db,
            "--account",
            "other",
            "query",
            "SELECT name FROM songs_v",
            "--format",
            "json",
        ]
    )
    assert json.loads(theirs.stdout) == [{"name": "Other Song"}]
    everyone = invoke(
        [
            "--db",
            sample_db,
            "query",
            "SELECT count(*) AS n FROM songs",
            "--all-accounts",
            "--format",
            "json",
        ]
    )
    assert json.loads(everyone.stdout) == [{"n": 7}]
    entries = invoke(
        [
            "--db",
            sample_db,
            "--account",
            "other",
            "query",
            "SELECT count(*) AS n FROM playlist_entries",
            "--format",
            "json",
        ]
    )
    assert json.loads(entries.stdout) == [{"n": 0}]


def test_views_answer_the_documented_questions(sample_db: str) -> None:
    def rows(sql: str) -> list[dict[str, object]]:
        result = invoke(["--db", sample_db, "query", sql, "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    tracks = rows(
        "SELECT position, library_id, folder FROM playlist_tracks_v "
        "WHERE playlist_name = 'Road Trip' ORDER BY position"
    )
    assert [t["library_id"] for t in tracks] == ["i.S1", "i.S2", "i.S1", "i.S3", "i.S5"]
    assert tracks[0]["folder"] == "Parent/Child" and tracks[0]["position"] == 0
    old = rows(
        "SELECT library_id FROM playlist_entries_v WHERE playlist_id = 'p.P1' "
        "AND valid_to IS NOT NULL ORDER BY position"
    )
    assert [r["library_id"] for r in old] == ["i.S1", "i.S4"]
    statuses = {(r["type"], r["status"]) for r in rows("SELECT type, status FROM favourites_v")}
    assert ("artist", "local-only") in statuses and ("album", "pending") in statuses
    removed = rows("SELECT name, artist FROM changes_v WHERE change = 'removed'")
    assert removed == [{"name": "Old Song", "artist": "Oldie"}]
    assert rows("SELECT isrc FROM songs_v WHERE library_id = 'i.S1'") == [{"isrc": "GBBKS1500214"}]


def test_bad_sql_is_a_usage_error(sample_sqlite: str) -> None:
    result = invoke(["--db", sample_sqlite, "query", "SELECT nosuch FROM songs"])
    assert result.exit_code == 2 and "nosuch" in result.stderr


def test_reading_pragmas_are_allowed_on_sqlite(sample_sqlite: str) -> None:
    result = invoke(["--db", sample_sqlite, "query", "PRAGMA table_info(songs)", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "library_id" in result.stdout


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT ';' AS semi, 'DELETE FROM songs' AS text",
        "SELECT replace(name, 'a', 'b') FROM songs -- DELETE",
        'SELECT "name" FROM songs /* ; DROP TABLE songs */',
        "  with t as (select 1 as x) select x from t",
        "EXPLAIN QUERY PLAN SELECT * FROM songs",
        "VALUES (1)",
    ],
)
def test_reading_statements_pass_the_check(sql: str) -> None:
    assert check_read_only(sql, postgres=False) in {"SELECT", "WITH", "EXPLAIN", "VALUES"}


BOOLEAN_QUERY = (
    "SELECT library_id, favourite, catalog_available FROM songs_v WHERE library_id = 'i.S1' "
    "UNION ALL SELECT library_id, favourite, NULL FROM playlists_v WHERE library_id = 'p.P2'"
)


@pytest.mark.parametrize("fmt", ["json", "tsv", "csv", "table"])
def test_booleans_are_spelt_alike_on_both_backends(sample_db: str, fmt: str) -> None:
    """Issue 22, item 12: SQLite printed its booleans as 1/0 where README says true/false and
    PostgreSQL printed true. Both print true/false, in every format."""
    result = invoke(["--db", sample_db, "query", BOOLEAN_QUERY, "--format", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        rows = json.loads(result.stdout)
        assert rows[0]["favourite"] is True and rows[0]["catalog_available"] is True, rows
        assert rows[1]["favourite"] is False, rows
    else:
        text = result.stdout
        assert "true" in text and "false" in text, text
        assert "\t1\t" not in text and ",1," not in text, text


def test_the_boolean_columns_are_those_postgresql_types_boolean(
    postgres_url: str, sqlite_path: str
) -> None:
    """The SQLite side's list of boolean columns (declared, or computed in views) is exactly
    PostgreSQL's: no name is boolean in one place and not in another."""
    import sqlite3

    from sqlalchemy import create_engine, text

    from tests.support.mirror_builder import build_sample_mirror

    build_sample_mirror(postgres_url)
    build_sample_mirror(sqlite_path)
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            typed = connection.execute(
                text(
                    "SELECT column_name, data_type = 'boolean' FROM information_schema.columns "
                    "WHERE table_schema = current_schema()"
                )
            ).all()
    finally:
        engine.dispose()
    boolean = {name for name, is_bool in typed if is_bool}
    assert not boolean & {name for name, is_bool in typed if not is_bool}
    connection = sqlite3.connect(sqlite_path)
    try:
        assert readonly_sql.sqlite_booleans(connection) == boolean
    finally:
        connection.close()


@pytest.mark.parametrize("value", ["1e999", "-1e999"])
def test_json_never_holds_infinity(sample_sqlite: str, value: str) -> None:
    """Issue 22, item 12: `query --json` could print Infinity, which is not JSON."""
    result = invoke(["--db", sample_sqlite, "query", f"SELECT {value} AS x", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))
    assert rows == [{"x": "Infinity" if value[0] != "-" else "-Infinity"}]
