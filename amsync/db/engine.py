"""Opening the database: URL or path → a configured SQLAlchemy engine, or a clear refusal.

A plain path means SQLite. Before SQLite touches a file, amsync checks that it is empty or an
SQLite database: ``/etc/passwd`` or random bytes are refused without a single byte written.
A file opened for writing must pass ``PRAGMA quick_check`` first (``amsync.db.integrity``).
SQLite runs with WAL, foreign keys on, ``synchronous=NORMAL`` and a busy timeout; transactions
begin explicitly (``BEGIN`` or, for writers, ``BEGIN IMMEDIATE``) so that SQLAlchemy's
transaction boundaries are SQLite's.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from amsync.config.home import why_unwritable
from amsync.db.integrity import refuse_damaged
from amsync.db.sqlite_files import (
    AMSYNC_APPLICATION_ID,
    BUSY_TIMEOUT_MS,
    SQLITE_HEADER,
    read_as_immutable,
)
from amsync.errors import StoreUnavailable

__all__ = ["AMSYNC_APPLICATION_ID", "BUSY_TIMEOUT_MS", "SQLITE_HEADER"]


def database_url(db: str) -> URL:
    """A SQLAlchemy URL for ``db``: a URL as given, or a file path (→ SQLite)."""
    if "://" in db:
        try:
            url = make_url(db)
        except ArgumentError:
            raise StoreUnavailable(f"{_safe(db)} is not a valid database URL") from None
        if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return url
    path = Path(db).expanduser()
    return URL.create("sqlite+pysqlite", database=str(path.absolute()))


def describe(url: URL) -> str:
    """The URL with any password hidden, for messages."""
    if url.get_backend_name() == "sqlite":
        database = str(url.database)
        if database.startswith("file:"):  # a read-only open names the file by its URI
            return unquote(urlsplit(database).path)
        return database
    return url.render_as_string(hide_password=True)


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


_CHECKED: set[str] = set()
"""SQLite files this process has checked and opened. They are never opened by Python again:
closing any other descriptor of a database file drops every POSIX lock this process holds on
it, so another process would take our live connections for gone and delete the WAL under them
(sqlite.org/howtocorrupt.html §2.2)."""


def opened_sqlite_files() -> frozenset[str]:
    """The SQLite database files this process has checked and opened (absolute paths): the
    output-path policy refuses to write over them."""
    return frozenset(_CHECKED)


def check_sqlite_file(path: Path, *, create: bool) -> None:
    """Refuse, before SQLite opens it, a file that is not an SQLite database."""
    if path.is_dir():
        raise StoreUnavailable(f"{path} is a directory, not a database file")
    if path.exists() and not path.is_file():  # a FIFO would block the open below forever
        raise StoreUnavailable(
            f"{path} is not a regular file (a device, pipe or socket), not a database file",
            hint="point --db at a file",
        )
    if str(path.absolute()) in _CHECKED and path.is_file():
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        if not create:
            raise StoreUnavailable(
                f"no database at {path}", hint="run `amsync sync` or `amsync db upgrade` first"
            ) from None
        if not path.parent.is_dir():
            raise StoreUnavailable(f"cannot create {path}: the folder does not exist") from None
        _CHECKED.add(str(path.absolute()))
        return
    except PermissionError:
        raise StoreUnavailable(f"cannot read {path}: permission denied") from None
    except OSError as exc:
        raise StoreUnavailable(f"cannot read {path}: {exc.strerror or exc}") from None
    if header not in (b"", SQLITE_HEADER):  # an empty file is a new database
        raise StoreUnavailable(
            f"{path} is not an amsync database (not an SQLite file); it was left untouched",
            hint="point --db at another file",
        )
    _CHECKED.add(str(path.absolute()))


def create_database_engine(url: URL, *, create: bool = True, readonly: bool = False) -> Engine:
    """An engine for ``url``. For SQLite the file is checked first (see module docstring)."""
    if is_sqlite(url):
        return _sqlite_engine(url, create=create, readonly=readonly)
    try:
        engine = create_engine(url, pool_pre_ping=True, pool_size=4, max_overflow=4)
    except NoSuchModuleError:
        raise StoreUnavailable(
            f"amsync cannot talk to {url.get_backend_name()} databases",
            hint="supported: SQLite paths and postgresql:// URLs",
        ) from None
    except ModuleNotFoundError:
        raise StoreUnavailable(
            "PostgreSQL support is not installed", hint="pip install 'amsync[postgres]'"
        ) from None
    except ArgumentError as exc:
        raise StoreUnavailable(f"bad database URL {describe(url)}: {exc}") from None
    return engine


def _sqlite_engine(url: URL, *, create: bool, readonly: bool) -> Engine:
    path = Path(str(url.database))
    check_sqlite_file(path, create=create and not readonly)
    if not readonly:
        _require_writable_folder(path)
    connect_args: dict[str, Any] = {"isolation_level": None, "timeout": BUSY_TIMEOUT_MS / 1000}
    if readonly:
        query = {"mode": "ro", "uri": "true"}
        if read_as_immutable(path):  # a read-only place: see sqlite_files
            query["immutable"] = "1"
        url = url.set(database=path.absolute().as_uri(), query=query)
    engine = create_engine(url, connect_args=connect_args)
    _configure_sqlite(engine, readonly=readonly)
    if not readonly:  # a damaged file is refused before anything writes to it
        try:
            refuse_damaged(engine)
        except BaseException:
            engine.dispose()
            raise
    return engine


def _require_writable_folder(path: Path) -> None:
    """Writing a WAL database creates files beside it: its folder must be writable."""
    folder = path.absolute().parent
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise StoreUnavailable(
            f"cannot write the database {path}: {why_unwritable(folder)}",
            hint="put --db (or --home) on a writable file system; the reading commands "
            "(stats, query, search, show, history, health, export) work on it as it is",
        )


def _configure_sqlite(engine: Engine, *, readonly: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if readonly:
                cursor.execute("PRAGMA query_only = ON")
            else:
                cursor.execute("PRAGMA synchronous = NORMAL")
                if _is_new_or_ours(cursor):  # never change another program's file
                    mode = cursor.execute("PRAGMA journal_mode").fetchone()
                    if mode and str(mode[0]).lower() != "wal":
                        cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _is_new_or_ours(cursor: sqlite3.Cursor) -> bool:
    application_id = cursor.execute("PRAGMA application_id").fetchone()
    if application_id and application_id[0] == AMSYNC_APPLICATION_ID:
        return True
    pages = cursor.execute("PRAGMA page_count").fetchone()
    return bool(pages is not None and pages[0] == 0)


def _safe(text: str) -> str:
    """A database URL for a message, without a password."""
    try:
        return make_url(text).render_as_string(hide_password=True)
    except ArgumentError:
        return "the given --db value"
