"""Reading rows for exports: streamed statements, the driver's cursor in chunks, and the small
pieces every export query shares (the favourite flag, genres, the account, the live filter)."""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeAlias

from sqlalchemy import (
    Connection,
    and_,
    case,
    false,
    func,
    null,
    select,
    true,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ClauseElement, Executable, Select
from sqlalchemy.sql.compiler import SQLCompiler

from amsync.db.models import (
    Account,
    Favourite,
)
from amsync.query.snapshot import track_result

STREAM_ROWS: Final = 2000
MAX_FOLDER_DEPTH: Final = 64

AnySelect: TypeAlias = Select[*tuple[Any, ...]]
"""A SELECT with any columns."""


def stream(connection: Connection, statement: Executable) -> Iterator[Any]:
    options = connection.execution_options(stream_results=True, max_row_buffer=STREAM_ROWS)
    result = options.execute(statement)
    track_result(connection, result)  # closed with the snapshot, should this generator linger
    try:
        yield from result
    finally:
        result.close()


_cursor_numbers = itertools.count(1)


def chunks(
    connection: Connection, statement: ClauseElement, size: int = STREAM_ROWS
) -> Generator[list[tuple[Any, ...]], None, None]:
    """The rows of ``statement`` as plain tuples, ``size`` at a time, straight from the
    driver's cursor inside ``connection``'s transaction (no SQLAlchemy row objects or result
    processing: the statement must select values that need none — text, numbers — and bind
    only numbers and text). Memory stays flat: SQLite's cursor steps through the result,
    PostgreSQL's is a server-side (named) cursor."""
    compiled = statement.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    assert isinstance(compiled, SQLCompiler)
    params = compiled.params
    for name, value in params.items():
        if value is not None and not isinstance(value, int | str):
            raise TypeError(f"chunks() binds numbers and text only, not {name}={value!r}")
    arguments: Any = (
        tuple(params[name] for name in compiled.positiontup or ())
        if compiled.positional
        else params
    )
    driver = connection.connection.driver_connection
    assert driver is not None
    if connection.dialect.name == "postgresql":
        cursor = driver.cursor(name=f"amsync_export_{next(_cursor_numbers)}")
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(str(compiled), arguments)
        while True:
            rows = cursor.fetchmany(size)
            if not rows:
                return
            yield rows
    finally:
        # after a failure the connection may be gone already: the cursor goes with it
        with contextlib.suppress(connection.dialect.loaded_dbapi.Error):
            cursor.close()


def favourite_join(item_type: str, account_id: int, table: Any) -> tuple[Any, Any]:
    """An aliased ``favourites`` and the condition that outer-joins it to ``table``'s rows of
    ``item_type`` (at most one row each: the favourites table is unique per item)."""
    fav = aliased(Favourite, name=f"fav_{item_type}")
    on = and_(
        fav.account_id == account_id,
        fav.item_type == item_type,
        fav.library_id == table.library_id,
    )
    return fav, on


def favourite_flag(fav: Any) -> Any:
    """True when the user's current wish (``local``) is ``favourite`` (the contract's
    boolean ``favourite``), from an outer-joined ``favourites`` row."""
    return func.coalesce(fav.local == "favourite", false()).label("favourite")


def rating_value(fav: Any) -> Any:
    """The user's current wish as Apple's ratings API spells it: 1 favourite, -1 disliked,
    NULL neither (``rating`` in exports and views)."""
    return case((fav.local == "favourite", 1), (fav.local == "disliked", -1), else_=null()).label(
        "rating"
    )


RATINGS: Final = {"favourite": 1, "disliked": -1}
"""A ``favourites.local`` state → its rating (other states: no rating)."""


@functools.lru_cache(maxsize=4096)
def parse_genres(text: str | None) -> tuple[str, ...] | None:
    """The JSON array the mirror stores as text; anything else reads as unknown. Cached: a
    library has few distinct genre lists, and this runs once per exported row."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


# --- account -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: int
    name: str
    storefront: str | None
    last_synced_at: datetime | None


def account_info(connection: Connection, account_id: int) -> AccountInfo:
    row = connection.execute(
        select(Account.id, Account.name, Account.storefront, Account.last_synced_at).where(
            Account.id == account_id
        )
    ).one()
    return AccountInfo(row.id, row.name, row.storefront, row.last_synced_at)


def live(table: Any, include_removed: bool) -> Any:
    return true() if include_removed else table.removed_at.is_(None)
