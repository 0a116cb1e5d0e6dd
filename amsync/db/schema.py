"""The database schema's revision: create, check, upgrade and downgrade through Alembic.

Policy (docs/reference/database.md):
- An empty database (a new file, an empty PostgreSQL database) is created at head on first use.
- An SQLite database from an older amsync is upgraded automatically, after a consistent copy of
  it is kept beside it (``<name>.pre-<revision>-<time>.bak``).
- A PostgreSQL database from an older amsync is refused until ``amsync db upgrade`` is run: it is
  often shared by many workers, so changing its schema is an explicit step.
- A database from a newer amsync (a revision this amsync does not know) is refused, untouched.
- A database with tables but no amsync revision belongs to another program and is refused.

A database at head is recognised with one plain query of ``alembic_version`` against
``HEAD_REVISION``: Alembic (a quarter of a second to load) is imported only when there is
something to create, check or migrate.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, func, inspect, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from amsync.db.engine import describe, is_sqlite
from amsync.db.head import HEAD_REVISION
from amsync.errors import SchemaOutdated, SchemaTooNew, StoreError, StoreUnavailable

if TYPE_CHECKING:  # Alembic is loaded only when a database is not at head (or to migrate)
    from alembic.config import Config
    from alembic.script import ScriptDirectory

SCHEMA_LOCK_KEY = 0x616D7301  # an advisory lock key of its own ("ams" + 1)


@dataclass(frozen=True, slots=True)
class SchemaState:
    current: str | None
    head: str
    empty: bool
    known: bool

    @property
    def at_head(self) -> bool:
        return self.current == self.head

    @property
    def foreign(self) -> bool:
        """Tables, but no amsync revision: another program's database."""
        return self.current is None and not self.empty


def script_location() -> str:
    """The folder of Alembic's environment and revisions: the top-level ``migrations/`` of a
    source checkout, shipped inside the wheel as the package ``amsync.migrations`` (setup.py)."""
    spec = importlib.util.find_spec("amsync.migrations")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - broken install
        raise StoreError("amsync ships no migrations; the installation is broken")
    return str(next(iter(spec.submodule_search_locations)))


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", script_location())
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = script_directory().get_current_head()
    if head is None:  # pragma: no cover - the package always ships a migration
        raise StoreError("amsync ships no migrations; the installation is broken")
    return head


def schema_state(engine: Engine) -> SchemaState:
    if _current_revision(engine) == HEAD_REVISION:
        return SchemaState(current=HEAD_REVISION, head=HEAD_REVISION, empty=False, known=True)
    from alembic.runtime.migration import MigrationContext

    scripts = script_directory()
    head = head_revision()
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            tables = inspect(connection).get_table_names()
    except (OperationalError, DBAPIError) as exc:
        raise StoreUnavailable(unreadable_message(engine, exc)) from None
    known = current is None or _revision_known(scripts, current)
    tables = [name for name in tables if name != "alembic_version"]
    return SchemaState(current=current, head=head, empty=not tables, known=known)


def _current_revision(engine: Engine) -> str | None:
    """The revision in ``alembic_version`` read with plain SQL; ``None`` when there is none or
    it cannot be read that way (Alembic then looks, and says what is wrong)."""
    try:
        with engine.connect() as connection:
            try:
                found = connection.execute(text("SELECT version_num FROM alembic_version"))
                revisions = list(found.scalars())
            except DBAPIError:
                return None
    except (OperationalError, DBAPIError) as exc:
        raise StoreUnavailable(unreadable_message(engine, exc)) from None
    return revisions[0] if len(revisions) == 1 else None


def _revision_known(scripts: ScriptDirectory, revision: str) -> bool:
    from alembic.util.exc import CommandError

    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


@contextmanager
def schema_guard(engine: Engine) -> Iterator[None]:
    """Serialise schema creation and upgrades between processes: on SQLite an ``flock`` on the
    folder holding the database (independent of SQLite's own locks), on PostgreSQL an advisory
    lock. Two first runs against a new database then create it once, not twice.

    Never the database file itself: closing a descriptor of it would drop the POSIX locks of
    this process's SQLite connections, and another process would then delete the WAL under
    them (sqlite.org/howtocorrupt.html §2.2)."""
    if is_sqlite(engine.url):
        path = Path(str(engine.url.database)).parent
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            raise StoreUnavailable(f"cannot open {path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the flock
        return
    try:
        connection = engine.connect()
    except (OperationalError, DBAPIError) as exc:
        raise StoreUnavailable(unreadable_message(engine, exc)) from None
    try:
        connection.execute(select(func.pg_advisory_lock(SCHEMA_LOCK_KEY)))
        connection.commit()
        yield
    finally:
        with contextlib.suppress(Exception):
            connection.execute(select(func.pg_advisory_unlock(SCHEMA_LOCK_KEY)))
            connection.commit()
        connection.close()


def ensure_schema(engine: Engine) -> SchemaState:
    """Bring the database to head following the policy in the module docstring."""
    if _current_revision(engine) == HEAD_REVISION:
        return SchemaState(current=HEAD_REVISION, head=HEAD_REVISION, empty=False, known=True)
    if not is_sqlite(engine.url):
        state = schema_state(engine)
        if state.at_head:
            return state
    with schema_guard(engine):
        return _ensure_schema(engine)


def _ensure_schema(engine: Engine) -> SchemaState:
    state = schema_state(engine)
    where = describe(engine.url)
    if state.at_head:
        return state
    if not state.known:
        raise SchemaTooNew(
            f"{where} was written by a newer amsync (schema {state.current}); it was left "
            "untouched",
            hint="upgrade amsync (pip install -U amsync) or use another --db",
        )
    if state.foreign:
        raise StoreUnavailable(
            f"{where} holds tables of another program, not an amsync database; it was left "
            "untouched",
            hint="point --db at another file or database",
        )
    if state.current is not None and not is_sqlite(engine.url):
        raise SchemaOutdated(
            f"{where} has the schema of an older amsync ({state.current})",
            hint="run `amsync db upgrade` once, then try again",
        )
    if state.current is not None:
        keep_sqlite_copy(engine, state.current)
    upgrade(engine)
    return schema_state(engine)


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    _run_alembic(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    _run_alembic(engine, lambda config: command.downgrade(config, revision))


def schema_drift(engine: Engine) -> list[Any]:
    """The differences between amsync's models and the database's schema (empty: none)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from amsync.db.models import Base
    from amsync.db.unmodelled import include_object

    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include_object}
            )
            return list(compare_metadata(context, Base.metadata))
    except (OperationalError, DBAPIError) as exc:
        raise StoreUnavailable(unreadable_message(engine, exc)) from None


def _run_alembic(engine: Engine, action: object) -> None:
    sqlite = is_sqlite(engine.url)
    try:
        with engine.connect() as connection:
            if sqlite:
                # SQLite rebuilds tables to alter them; foreign keys must be off meanwhile.
                connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            try:
                assert callable(action)
                action(alembic_config(connection))
                if connection.in_transaction():
                    connection.commit()
            finally:
                if sqlite:
                    connection.exec_driver_sql("PRAGMA foreign_keys = ON")
    except (OperationalError, DBAPIError) as exc:
        raise StoreUnavailable(unreadable_message(engine, exc)) from None


def keep_sqlite_copy(engine: Engine, revision: str) -> Path:
    """A consistent copy of the SQLite file beside it, taken with SQLite's backup API."""
    source = Path(str(engine.url.database))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = source.with_name(f"{source.name}.pre-{revision}-{stamp}.bak")
    try:
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
    except (sqlite3.Error, OSError) as exc:
        raise StoreUnavailable(
            f"cannot keep a copy of {source} before upgrading it: {exc}",
            hint="free some space or fix the folder's permissions, then try again",
        ) from None
    return target


def unreadable_message(engine: Engine, exc: BaseException) -> str:
    """One line on why the database cannot be used, without a password or a traceback."""
    where = describe(engine.url)
    original = getattr(exc, "orig", exc)
    text = str(original).strip().splitlines()[0] if str(original).strip() else ""
    lowered = text.lower()
    if "file is not a database" in lowered or "not a database" in lowered:
        return f"{where} is not an amsync database (not an SQLite file); it was left untouched"
    if "malformed" in lowered or "corrupt" in lowered:
        return f"{where} is damaged ({text}); it was left untouched — restore it from a backup"
    if "unable to open" in lowered:
        return f"cannot open {where}: check that the folder exists and is writable"
    if "readonly" in lowered or "read-only" in lowered:
        return f"{where} is read-only: amsync needs to write to it"
    if "connection refused" in lowered or "could not connect" in lowered or "timeout" in lowered:
        return f"cannot connect to the database at {where}: {text}"
    if "password authentication failed" in lowered or "authentication" in lowered:
        return f"the database at {where} refused the login: check the user and password"
    if "does not exist" in lowered:
        return f"the database at {where} does not exist: {text}"
    return f"cannot use the database at {where}: {text or exc.__class__.__name__}"
