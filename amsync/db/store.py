"""The store: an open, schema-checked database and the account it works for.

``open_store`` is the one way into the database: it parses ``--db``, refuses what is not an
amsync database, creates or upgrades the schema per ``amsync.db.schema``'s policy, and wraps
driver errors into one-line ``StoreUnavailable`` errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from amsync.db.engine import create_database_engine, database_url, describe, is_sqlite
from amsync.db.models import Account
from amsync.db.reading import unknown_account
from amsync.db.schema import SchemaState, ensure_schema, schema_state, unreadable_message
from amsync.errors import SchemaOutdated, StoreUnavailable


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]
    readonly: bool = False

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine.url)

    @property
    def location(self) -> str:
        """Where the database is, with any password hidden."""
        return describe(self.engine.url)

    def schema(self) -> SchemaState:
        return schema_state(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        try:
            with self.sessions.begin() as session:
                yield session
        except (OperationalError, DBAPIError) as exc:
            raise StoreUnavailable(unreadable_message(self.engine, exc)) from None

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """Like ``session``, but takes SQLite's write lock at once (``BEGIN IMMEDIATE``) so that
        two writers queue on the busy timeout instead of failing half-way."""
        try:
            with self.engine.connect() as connection:
                if self.is_sqlite:
                    connection = connection.execution_options(sqlite_immediate=True)
                with Session(bind=connection, expire_on_commit=False) as session, session.begin():
                    yield session
        except (OperationalError, DBAPIError) as exc:
            if isinstance(exc, IntegrityError):
                raise
            raise StoreUnavailable(unreadable_message(self.engine, exc)) from None

    def find_account_id(self, name: str) -> int | None:
        """The id of account ``name``, or ``None`` when the database has no such account
        (nothing is created)."""
        with self.session() as session:
            return session.scalar(select(Account.id).where(Account.name == name))

    def account_id(self, name: str, *, create: bool = True) -> int:
        """The id of account ``name``; created on first use unless ``create`` is false."""
        with self.session() as session:
            found = session.scalar(select(Account.id).where(Account.name == name))
            if found is not None:
                return found
        if not create or self.readonly:
            raise unknown_account(name, self.location)
        try:
            with self.session() as session:
                account = Account(name=name, created_at=datetime.now(UTC))
                session.add(account)
                session.flush()
                return account.id
        except IntegrityError:  # created meanwhile by a parallel run
            with self.session() as session:
                found = session.scalar(select(Account.id).where(Account.name == name))
                assert found is not None
                return found

    def close(self) -> None:
        self.engine.dispose()


def open_store(db: str, *, create: bool = True, readonly: bool = False) -> Store:
    """Open the database named by ``--db`` (a URL or an SQLite path).

    ``create``: a missing SQLite file is created and an empty database gets the schema;
    without it neither happens (an empty file, or an empty PostgreSQL database, is refused as
    holding no amsync data). ``readonly``: nothing is written (SQLite opened read-only); the
    schema must be at head.
    """
    url = database_url(db)
    engine = create_database_engine(url, create=create, readonly=readonly)
    try:
        if readonly or not create:
            state = schema_state(engine)
            if state.empty:
                raise _holds_nothing(engine)
            if readonly and not state.at_head:
                _refuse_readonly(engine, state)
        if not readonly:
            ensure_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine=engine, sessions=sessionmaker(engine), readonly=readonly)


def _holds_nothing(engine: Engine) -> StoreUnavailable:
    return StoreUnavailable(
        f"{describe(engine.url)} holds no amsync data yet", hint="run `amsync sync` first"
    )


def _refuse_readonly(engine: Engine, state: SchemaState) -> None:
    where = describe(engine.url)
    # Reuse the writing policy's messages for foreign and newer databases.
    if state.foreign or not state.known:
        ensure_schema(engine)
    raise SchemaOutdated(
        f"{where} has the schema of an older amsync ({state.current}); reading commands never "
        "change it",
        hint="run `amsync db upgrade` once, then try again",
    )
