"""``amsync query``: one SQL statement on a connection that cannot write.

Three fences, so that a query never changes the mirror:
1. ``sql_statements.check_read_only`` refuses writing statements, ``ATTACH``, pragma writes and
   several statements before anything runs;
2. SQLite: the store is opened read-only (``mode=ro``, ``PRAGMA query_only``) and an authorizer
   denies, while the statement is compiled, every action but reading (``SQLITE_DENY`` for
   INSERT, UPDATE, DELETE, CREATE, DROP, ATTACH, pragmas that are not on the reading list …);
3. PostgreSQL: the statement runs in a ``READ ONLY`` transaction
   (``default_transaction_read_only``), where the server refuses every write.

Per account: before the statement runs, temporary views named like every table and view that
has an ``account_id`` (``songs``, ``songs_v``, …; ``accounts`` and ``playlist_entries`` too)
shadow them, filtered to the current account — temporary objects come first in name lookup on
both backends. ``all_accounts`` skips that. The connection is discarded afterwards, never
returned to the pool with its views or settings.

The statement runs on the driver's own connection: from the store's pool, or the fast path's
read-only ``sqlite3`` connection (``amsync.db.reading.SqliteReader``), which SQLAlchemy never
loads for.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from amsync.db.reading import SqliteReader
from amsync.errors import StoreUnavailable, UsageError
from amsync.query.sql_statements import (
    PRAGMA_WITH_ARGUMENT,
    READING_PRAGMAS,
    check_read_only,
)

if TYPE_CHECKING:
    from amsync.db.store import Store

FETCH_ROWS: Final = 500
_ALLOWED_ACTIONS: Final = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)
_SCHEMA_TABLES: Final = frozenset({"sqlite_master", "sqlite_schema", "sqlite_temp_master"})
_NOT_SHADOWED_PREFIXES: Final = ("sqlite_", "search_", "alembic_")


COMPUTED_BOOLEANS: Final = frozenset({"favourite", "in_library", "is_current"})
"""Columns of the views that PostgreSQL types boolean but SQLite computes without a declared
type (a comparison). Columns declared BOOLEAN in a table are found in the schema itself."""


@dataclass
class QueryResult:
    columns: list[str]
    rows: Iterator[tuple[Any, ...]]


def sqlite_booleans(connection: Any) -> frozenset[str]:
    """The names of amsync's boolean columns in an SQLite database: declared BOOLEAN in a
    table (and a view's column that names one), or computed as one in a view. No column name
    is boolean in one place and not in another (``tests/query/test_query_command.py`` checks
    it against PostgreSQL's types)."""
    rows = connection.execute(
        "SELECT DISTINCT p.name FROM sqlite_master m, pragma_table_info(m.name) p "
        "WHERE m.type IN ('table', 'view') AND upper(p.type) = 'BOOLEAN'"
    ).fetchall()
    return COMPUTED_BOOLEANS | {str(row[0]) for row in rows}


def _as_booleans(
    rows: Iterator[tuple[Any, ...]], positions: list[int]
) -> Iterator[tuple[Any, ...]]:
    """SQLite's 0 and 1 in boolean columns as ``False``/``True``, so that every output prints
    ``true``/``false`` as PostgreSQL's does (issue 22, item 12)."""
    for row in rows:
        values = list(row)
        for i in positions:
            if type(values[i]) is int and values[i] in (0, 1):
                values[i] = bool(values[i])
        yield tuple(values)


def _authorizer(action: int, arg1: str | None, arg2: str | None, *_: Any) -> int:
    if action in _ALLOWED_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_UPDATE and arg1 in _SCHEMA_TABLES:
        # SQLite asks this while compiling pragma table functions; the schema table itself
        # cannot be written (no writable_schema, query_only, mode=ro).
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and arg1 is not None:
        name = arg1.lower()
        if name in PRAGMA_WITH_ARGUMENT or (name in READING_PRAGMAS and arg2 is None):
            return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_SQLITE_RELATIONS: Final = (
    "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p "
    "WHERE m.type IN ('table', 'view') ORDER BY m.name, p.cid"
)
_POSTGRES_RELATIONS: Final = (
    "SELECT table_name, column_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
)


def _relations(connection: Any, postgres: bool) -> dict[str, set[str]]:
    """Every table and view of the schema with its column names (driver connection)."""
    cursor = connection.cursor()
    try:
        cursor.execute(_POSTGRES_RELATIONS if postgres else _SQLITE_RELATIONS)
        found: dict[str, set[str]] = {}
        for relation, column in cursor.fetchall():
            found.setdefault(str(relation), set()).add(str(column))
        return found
    finally:
        cursor.close()


def _shadow_statements(relations: dict[str, set[str]], account_id: int, schema: str) -> list[str]:
    """``CREATE TEMP VIEW`` statements that show only ``account_id``'s rows."""
    statements: list[str] = []
    for name in sorted(relations):
        if name.startswith(_NOT_SHADOWED_PREFIXES):
            continue
        source = f"{_quote(schema)}.{_quote(name)}"
        columns = relations[name]
        if name == "accounts":
            condition = f"id = {int(account_id)}"
        elif "account_id" in columns:
            condition = f"account_id = {int(account_id)}"
        elif name == "playlist_entries":
            revisions = f"{_quote(schema)}.{_quote('playlist_revisions')}"
            condition = (
                f"revision_id IN (SELECT id FROM {revisions} WHERE account_id = {int(account_id)})"
            )
        else:
            continue
        statements.append(
            f"CREATE TEMP VIEW {_quote(name)} AS SELECT * FROM {source} WHERE {condition}"
        )
    return statements


def _rows(cursor: Any) -> Iterator[tuple[Any, ...]]:
    while True:
        batch = cursor.fetchmany(FETCH_ROWS)
        if not batch:
            return
        yield from (tuple(row) for row in batch)


def _refusal(exc: BaseException) -> UsageError:
    original = getattr(exc, "orig", exc)
    text = (str(original).strip().splitlines() or [original.__class__.__name__])[0]
    lowered = text.lower()
    if "not authorized" in lowered or "read-only" in lowered or "readonly" in lowered:
        return UsageError(
            "the query was refused: it would change the database (amsync query only reads)"
        )
    return UsageError(f"the query failed: {text[:300]}")


@contextmanager
def run_query(
    source: Store | SqliteReader, sql: str, *, account_id: int | None
) -> Iterator[QueryResult]:
    """Run ``sql`` read-only; ``account_id`` None shows every account's rows. ``source`` is a
    store (read-only) or the fast path's SQLite reader."""
    postgres = not isinstance(source, SqliteReader) and not source.is_sqlite
    explain = check_read_only(sql, postgres=postgres) == "EXPLAIN"
    with _driver_connection(source) as connection:
        try:
            shadows = _shadows(connection, postgres, account_id)
            booleans = frozenset() if postgres else sqlite_booleans(connection)
            if postgres:
                cursor = _postgres_cursor(connection, shadows, sql, explain)
            else:
                cursor = _sqlite_cursor(connection, shadows, sql)
            columns = [str(d[0]) for d in cursor.description or ()]
            rows = _guarded(_rows(cursor))
            positions = [i for i, name in enumerate(columns) if name in booleans]
            yield QueryResult(columns, _as_booleans(rows, positions) if positions else rows)
        except UsageError:
            raise
        except Exception as exc:
            if _is_database_error(exc):
                raise _refusal(exc) from None
            raise


@contextmanager
def _driver_connection(source: Store | SqliteReader) -> Iterator[Any]:
    """The driver's connection: the fast path's own, or one from the pool that is discarded
    afterwards (its temporary views and settings must not be reused)."""
    if isinstance(source, SqliteReader):
        yield source.connection
        return
    from sqlalchemy.exc import DBAPIError, OperationalError

    from amsync.db.schema import unreadable_message

    try:
        pooled = source.engine.raw_connection()
    except (OperationalError, DBAPIError) as exc:
        raise StoreUnavailable(unreadable_message(source.engine, exc)) from None
    try:
        connection = pooled.driver_connection
        assert connection is not None
        yield connection
    finally:
        pooled.invalidate()
        pooled.close()


def _shadows(connection: Any, postgres: bool, account_id: int | None) -> list[str]:
    if account_id is None:
        return []
    schema = _postgres_schema(connection) if postgres else "main"
    return _shadow_statements(_relations(connection, postgres), account_id, schema)


def _postgres_schema(connection: Any) -> str:
    cursor = connection.cursor()
    try:
        cursor.execute("SELECT current_schema()")
        return str(cursor.fetchone()[0])
    finally:
        cursor.close()


def _is_database_error(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.Error):
        return True
    module = type(exc).__module__
    return module.startswith("psycopg")


def _guarded(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """Rows, with a database error while fetching turned into the same one-line refusal."""
    try:
        yield from rows
    except Exception as exc:
        if _is_database_error(exc):
            raise _refusal(exc) from None
        raise


def _sqlite_cursor(connection: Any, shadows: list[str], sql: str) -> Any:
    connection.execute("PRAGMA query_only = OFF")  # the file itself stays mode=ro
    for statement in shadows:
        connection.execute(statement)
    connection.execute("PRAGMA query_only = ON")
    connection.set_authorizer(_authorizer)
    return connection.execute(sql)


def _postgres_cursor(connection: Any, shadows: list[str], sql: str, explain: bool) -> Any:
    connection.rollback()
    with connection.cursor() as setup:
        for statement in shadows:
            setup.execute(statement)
        setup.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    connection.commit()
    connection.read_only = True  # psycopg begins every transaction READ ONLY from now on
    # A server-side cursor streams big results; EXPLAIN cannot run in one.
    cursor = connection.cursor() if explain else connection.cursor(name="amsync_query")
    cursor.execute(sql)
    return cursor
