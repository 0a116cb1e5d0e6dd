"""One consistent read of the mirror: a connection in one transaction that sees a single
snapshot — SQLite's read transaction (WAL), PostgreSQL's ``REPEATABLE READ, READ ONLY`` — so
an export or report taken while a sync writes shows the mirror before or after, never a mix."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from amsync.db.schema import unreadable_message
from amsync.db.store import Store
from amsync.errors import StoreUnavailable


@contextmanager
def snapshot(store: Store) -> Iterator[Connection]:
    try:
        with store.engine.connect() as connection:
            if not store.is_sqlite:
                connection = connection.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            with connection.begin():
                yield connection
    except (OperationalError, DBAPIError) as exc:
        raise StoreUnavailable(unreadable_message(store.engine, exc)) from None
