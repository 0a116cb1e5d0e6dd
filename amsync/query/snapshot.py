"""One consistent read of the mirror: a connection in one transaction that sees a single
snapshot — SQLite's read transaction (WAL), PostgreSQL's ``REPEATABLE READ, READ ONLY`` — so
an export or report taken while a sync writes shows the mirror before or after, never a mix.

``reading`` gives the same as a ``Reader`` (plain SQL, both backends): the offline questions
(search, stats, show playlist, query) are written against it, so that the CLI can also hand
them its fast SQLite reader (``amsync.db.reading``) without loading SQLAlchemy.

Results streamed from the snapshot (``track_result``) are closed when it ends, before its
connection is: a generator still holding one — an export stopped by a broken pipe or an error —
then has nothing left to close against a connection that is gone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

from amsync.db.reading import AlchemyReader, Reader

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from amsync.db.store import Store

_OPEN_RESULTS: Final = "amsync.open_results"


def track_result(connection: Connection, result: Any) -> None:
    """Have ``result`` closed when the snapshot of ``connection`` ends."""
    connection.info.setdefault(_OPEN_RESULTS, []).append(result)


def _close_results(connection: Connection) -> None:
    for result in connection.info.pop(_OPEN_RESULTS, []):
        with contextlib.suppress(Exception):
            result.close()


@contextmanager
def snapshot(store: Store) -> Iterator[Connection]:
    from sqlalchemy.exc import DBAPIError, OperationalError

    from amsync.db.schema import unreadable_message
    from amsync.errors import StoreUnavailable

    try:
        with store.engine.connect() as connection:
            if not store.is_sqlite:
                connection = connection.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            try:
                with connection.begin():
                    yield connection
            finally:
                _close_results(connection)
    except (OperationalError, DBAPIError) as exc:
        raise StoreUnavailable(unreadable_message(store.engine, exc)) from None


@contextmanager
def reading(source: Store | Reader) -> Iterator[Reader]:
    """``source`` as a ``Reader`` in one snapshot: a reader is used as it is, a store is read
    through a ``snapshot``."""
    if hasattr(source, "rows"):
        yield source  # type: ignore[misc]
        return
    store: Store = source
    with snapshot(store) as connection:
        yield AlchemyReader(connection, store.location)
