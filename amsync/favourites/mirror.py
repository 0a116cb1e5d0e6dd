"""Reading favourites from the mirror: three-way rows with the items' names, the outbox, and
the items an id names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, Table, or_, select

from amsync.db import tables
from amsync.db.reading import as_reader
from amsync.domain import FavouriteState, ItemType
from amsync.favourites.favourite_rows import favourite_rows
from amsync.favourites.plan import FavouriteRow

ITEM_TABLES: Final[dict[ItemType, Table]] = {
    ItemType.SONG: tables.songs,
    ItemType.ALBUM: tables.albums,
    ItemType.PLAYLIST: tables.playlists,
    ItemType.ARTIST: tables.artists,
}
_outbox = tables.favourite_pushes

Key = tuple[ItemType, str]


@dataclass(frozen=True, slots=True)
class MirrorItem:
    """A library item as the mirror knows it."""

    item_type: ItemType
    library_id: str
    catalog_id: str | None
    name: str
    artist: str | None = None
    removed: bool = False


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A push waiting for Apple to confirm it (``favourite_pushes``)."""

    item_type: ItemType
    library_id: str
    catalog_id: str | None
    target: FavouriteState
    attempts: int
    last_error: str | None
    last_attempt_at: datetime | None

    @property
    def key(self) -> Key:
        return (self.item_type, self.library_id)


def _artist_column(table: Table) -> Any:
    return table.c.artist if "artist" in table.c else None


def load_rows(
    connection: Connection, account_id: int, item_type: ItemType | None = None
) -> list[FavouriteRow]:
    """Every favourites row of the account (of one type), with its item's name
    (``favourite_rows``: the same SQL ``favourites list`` reads without SQLAlchemy)."""
    return favourite_rows(as_reader(connection), account_id, item_type)


def load_outbox(connection: Connection, account_id: int) -> dict[Key, OutboxEntry]:
    entries: dict[Key, OutboxEntry] = {}
    statement = select(_outbox).where(_outbox.c.account_id == account_id).order_by(_outbox.c.id)
    for row in connection.execute(statement).mappings():
        entry = OutboxEntry(
            item_type=ItemType(row["item_type"]),
            library_id=row["library_id"],
            catalog_id=row["catalog_id"],
            target=FavouriteState(row["target"]),
            attempts=row["attempts"],
            last_error=row["last_error"],
            last_attempt_at=row["last_attempt_at"],
        )
        entries[entry.key] = entry
    return entries


def find_items(
    connection: Connection, account_id: int, item_type: ItemType, item_id: str
) -> list[MirrorItem]:
    """The items of ``item_type`` whose library or catalog id is ``item_id``: the live ones if
    any is live, else the tombstoned ones (an item that left the library)."""
    table = ITEM_TABLES[item_type]
    statement = select(*_item_columns(table)).where(
        table.c.account_id == account_id,
        or_(table.c.library_id == item_id, table.c.catalog_id == item_id),
    )
    found = [_item(item_type, row) for row in connection.execute(statement).mappings()]
    live = [item for item in found if not item.removed]
    return sorted(live or found, key=lambda item: item.library_id)


def items_with_catalog_ids(
    connection: Connection, account_id: int, item_type: ItemType, catalog_ids: Iterable[str]
) -> list[MirrorItem]:
    table = ITEM_TABLES[item_type]
    wanted = sorted(set(catalog_ids))
    found: list[MirrorItem] = []
    for start in range(0, len(wanted), 500):
        statement = select(*_item_columns(table)).where(
            table.c.account_id == account_id,
            table.c.catalog_id.in_(wanted[start : start + 500]),
            table.c.removed_at.is_(None),
        )
        found += [_item(item_type, row) for row in connection.execute(statement).mappings()]
    return found


def live_items(connection: Connection, account_id: int, item_type: ItemType) -> list[MirrorItem]:
    table = ITEM_TABLES[item_type]
    statement = select(*_item_columns(table)).where(
        table.c.account_id == account_id, table.c.removed_at.is_(None)
    )
    return [_item(item_type, row) for row in connection.execute(statement).mappings()]


def _item_columns(table: Table) -> list[Any]:
    columns = [table.c.library_id, table.c.catalog_id, table.c.name, table.c.removed_at]
    artist = _artist_column(table)
    if artist is not None:
        columns.append(artist.label("artist"))
    return columns


def _item(item_type: ItemType, row: Any) -> MirrorItem:
    return MirrorItem(
        item_type=item_type,
        library_id=row["library_id"],
        catalog_id=row["catalog_id"],
        name=row["name"],
        artist=row.get("artist"),
        removed=row["removed_at"] is not None,
    )
