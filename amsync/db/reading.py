"""Reading the mirror with plain SQL: one implementation of each offline question for both
backends, and a fast way in for SQLite.

A ``Reader`` runs SQL text with ``:name`` parameters inside one read transaction and returns
plain tuples. ``SqliteReader`` runs it on the standard library's ``sqlite3``; ``AlchemyReader``
on a SQLAlchemy connection (PostgreSQL, or SQLite opened the usual way). The questions in
``amsync.query`` are written once against ``Reader``.

Why: importing SQLAlchemy alone takes about 0.2 s, which is the whole budget of an interactive
``amsync search``. ``open_sqlite_reader`` takes the fast way only when everything is as it should
be — a regular file that SQLite reads as a database with amsync's application id and the
schema at this amsync's head revision — and returns ``None`` otherwise; the caller then opens
the store the usual way, whose checks give the one-line errors (and upgrade an older SQLite
mirror). So the policy for unusual databases stays in one place (``amsync.db.store``).

This module imports no SQLAlchemy at module level.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol
from urllib.parse import quote

from amsync.db.head import HEAD_REVISION
from amsync.db.sqlite_files import AMSYNC_APPLICATION_ID, BUSY_TIMEOUT_MS, read_as_immutable
from amsync.errors import ConfigError, StoreUnavailable

if TYPE_CHECKING:
    from sqlalchemy import Connection

Params = Mapping[str, Any]
Row = tuple[Any, ...]
FETCH_ROWS: Final = 500


class Reader(Protocol):
    """SQL text in, tuples out, inside one consistent read of the mirror."""

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        ...

    @property
    def location(self) -> str:
        """Where the database is, without a password."""
        ...

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, or ``None`` for PostgreSQL."""
        ...

    def rows(self, sql: str, params: Params | None = None) -> list[Row]: ...

    def stream(self, sql: str, params: Params | None = None) -> Iterator[Row]:
        """Rows fetched in chunks (a big result never sits in memory at once)."""
        ...


def first(reader: Reader, sql: str, params: Params | None = None) -> Row | None:
    found = reader.rows(sql, params)
    return found[0] if found else None


def scalar(reader: Reader, sql: str, params: Params | None = None) -> Any:
    row = first(reader, sql, params)
    return None if row is None else row[0]


# --- SQLite on the standard library ----------------------------------------------------------


class SqliteReader:
    """A read-only ``sqlite3`` connection in one read transaction (a WAL snapshot)."""

    backend: Final = "sqlite"

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def sqlite_path(self) -> Path:
        return self.path

    def rows(self, sql: str, params: Params | None = None) -> list[Row]:
        try:
            return self.connection.execute(sql, dict(params or {})).fetchall()
        except sqlite3.Error as exc:
            raise self._failure(exc) from None

    def stream(self, sql: str, params: Params | None = None) -> Iterator[Row]:
        try:
            cursor = self.connection.execute(sql, dict(params or {}))
            while batch := cursor.fetchmany(FETCH_ROWS):
                yield from batch
        except sqlite3.Error as exc:
            raise self._failure(exc) from None

    def _failure(self, exc: sqlite3.Error) -> StoreUnavailable:
        text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return StoreUnavailable(f"cannot read {self.path}: {text}")


def sqlite_path_of(db: str) -> Path | None:
    """The file ``--db`` names when it is an SQLite path (or a plain ``sqlite:///`` URL)."""
    if "://" not in db:
        return Path(db).expanduser().absolute()
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if db.startswith(prefix) and "?" not in db:
            rest = db[len(prefix) :]
            return Path(rest).absolute() if rest and rest != ":memory:" else None
    return None


def _is_regular_file(path: Path) -> bool:
    """Only a regular file is opened the fast way (a FIFO would block the open). The header is
    left to SQLite itself: this process must never open and close a database file outside
    SQLite, which would drop the POSIX locks of its live connections (see
    ``amsync.db.engine._CHECKED``); a file that is not a database fails the first read and goes
    the usual way, whose checks explain it."""
    try:
        return path.is_file()
    except OSError:
        return False


def connect_readonly(path: Path) -> sqlite3.Connection:
    """``path`` opened read-only (``mode=ro``, ``query_only``; immutable in a folder that cannot
    be written), autocommit, with the busy timeout every amsync connection uses."""
    uri = f"file:{quote(str(path))}?mode=ro" + ("&immutable=1" if read_as_immutable(path) else "")
    connection = sqlite3.connect(
        uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
    )
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA query_only = ON")
    except BaseException:
        connection.close()
        raise
    return connection


def _at_head(connection: sqlite3.Connection) -> bool:
    application_id = connection.execute("PRAGMA application_id").fetchone()
    if not application_id or application_id[0] != AMSYNC_APPLICATION_ID:
        return False
    version = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    return version == [(HEAD_REVISION,)]


@contextlib.contextmanager
def open_sqlite_reader(path: Path) -> Iterator[SqliteReader | None]:
    """A ``SqliteReader`` on ``path`` in one read transaction, or ``None`` when anything is not
    as expected (see the module docstring): the caller then takes the usual way."""
    if not _is_regular_file(path):
        yield None
        return
    try:
        connection = connect_readonly(path)
    except sqlite3.Error:
        yield None
        return
    try:
        try:
            connection.execute("BEGIN")
            usable = _at_head(connection)
        except sqlite3.Error:
            usable = False
        if not usable:
            connection.close()
            yield None
            return
        yield SqliteReader(connection, path)
    finally:
        with contextlib.suppress(sqlite3.Error):
            connection.close()


# --- SQLAlchemy (PostgreSQL, or SQLite the usual way) -----------------------------------------


class AlchemyReader:
    """A ``Reader`` over a SQLAlchemy connection that is already in a transaction."""

    def __init__(self, connection: Connection, location: str) -> None:
        self.connection = connection
        self._location = location

    @property
    def backend(self) -> str:
        return "sqlite" if self.connection.dialect.name == "sqlite" else "postgresql"

    @property
    def location(self) -> str:
        return self._location

    @property
    def sqlite_path(self) -> Path | None:
        if self.backend != "sqlite":
            return None
        database = self.connection.engine.url.database
        if database and database.startswith("file:"):  # a read-only open names it by its URI
            from urllib.parse import unquote, urlsplit

            database = unquote(urlsplit(database).path)
        return Path(database) if database else None

    def rows(self, sql: str, params: Params | None = None) -> list[Row]:
        from sqlalchemy import text

        return [tuple(r) for r in self.connection.execute(text(sql), dict(params or {}))]

    def stream(self, sql: str, params: Params | None = None) -> Iterator[Row]:
        from sqlalchemy import text

        result = self.connection.execute(text(sql), dict(params or {}))
        for batch in result.partitions(FETCH_ROWS):
            yield from (tuple(r) for r in batch)


def as_reader(source: Reader | Connection) -> Reader:
    """``source`` as a ``Reader``: a SQLAlchemy connection is wrapped, a reader kept."""
    if hasattr(source, "rows"):
        return source  # type: ignore[return-value]
    connection: Connection = source
    return AlchemyReader(connection, connection.engine.url.render_as_string(hide_password=True))


# --- small SQL helpers both backends understand -------------------------------------------------


def placeholders(prefix: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """``:p0, :p1, …`` and their parameters, for ``IN (…)``."""
    names = [f"{prefix}{i}" for i in range(len(values))]
    return ", ".join(f":{n}" for n in names), dict(zip(names, values, strict=True))


def iso_text_sql(backend: str, expression: str) -> str:
    """SQL giving a stored UTC moment as ``YYYY-MM-DDTHH:MM:SSZ`` text (the views' spelling) on
    ``backend`` (``"sqlite"``, else PostgreSQL)."""
    if backend == "sqlite":
        return f"strftime('%Y-%m-%dT%H:%M:%SZ', {expression})"
    return f"""to_char({expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


def iso_sql(reader: Reader, expression: str) -> str:
    """``iso_text_sql`` on the reader's backend."""
    return iso_text_sql(reader.backend, expression)


def moment_parameter(reader: Reader, moment: datetime) -> Any:
    """A moment as the backend compares it with stored ones: SQLite keeps UTC text
    (``YYYY-MM-DD HH:MM:SS.ffffff``), PostgreSQL a ``timestamptz``."""
    if reader.backend != "sqlite":
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


# --- accounts ---------------------------------------------------------------------------------


def unknown_account(name: str, location: str) -> ConfigError:
    """The error for an account the database does not hold (a configuration error, exit 2)."""
    return ConfigError(
        f"no account named {name!r} in {location}",
        hint="run `amsync accounts list` to see the accounts, or sync this one first",
    )


def account_id_of(reader: Reader, name: str) -> int:
    """The id of account ``name``; a ``ConfigError`` when there is none."""
    found = scalar(reader, "SELECT id FROM accounts WHERE name = :name", {"name": name})
    if found is None:
        raise unknown_account(name, reader.location)
    return int(found)


def account_names(reader: Reader, prefix: str = "", *, limit: int = 200) -> list[str]:
    """Account names that start with ``prefix`` (for completion), in order."""
    rows = reader.rows(
        "SELECT name FROM accounts WHERE substr(name, 1, :n) = :prefix ORDER BY name LIMIT :limit",
        {"n": len(prefix), "prefix": prefix, "limit": limit},
    )
    return [str(row[0]) for row in rows]
