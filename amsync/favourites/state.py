"""Recording what Apple says about favourites, as a sync reads it.

Each item's ``remote`` is set to what Apple's ratings say now. Where the user has no change of
their own waiting (``local == base``), the remote change is pulled at once (``base`` and
``local`` follow it); otherwise the difference stays for ``amsync favourites push`` to resolve
(a push, or a conflict). Only rows whose values change are written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update

from amsync.db import tables
from amsync.domain import FavouriteState

_table = tables.favourites


@dataclass(slots=True)
class RemoteRecord:
    changed: int = 0
    pulled: int = 0
    inserted: int = 0


def record_remote_states(
    connection: Connection,
    account_id: int,
    item_type: str,
    ratings: Mapping[str, int],
    listed_ids: Iterable[str],
    now: datetime,
) -> RemoteRecord:
    """Set ``remote`` for every listed item of ``item_type`` from Apple's ``ratings``."""
    existing = {
        row.library_id: row
        for row in connection.execute(
            select(
                _table.c.id, _table.c.library_id, _table.c.remote, _table.c.base, _table.c.local
            ).where(_table.c.account_id == account_id, _table.c.item_type == item_type)
        )
    }
    record = RemoteRecord()
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    for library_id in listed_ids:
        remote = FavouriteState.from_rating(ratings.get(library_id)).value
        row = existing.get(library_id)
        if row is None:
            if remote != FavouriteState.NONE.value:
                inserts.append(
                    {
                        "account_id": account_id,
                        "item_type": item_type,
                        "library_id": library_id,
                        "remote": remote,
                        "base": remote,
                        "local": remote,
                        "remote_read_at": now,
                        "updated_at": now,
                    }
                )
            continue
        if row.remote == remote:
            continue
        pull = row.local == row.base
        updates.append(
            {
                "_id": row.id,
                "remote": remote,
                "base": remote if pull else row.base,
                "local": remote if pull else row.local,
                "remote_read_at": now,
                "updated_at": now,
            }
        )
        record.pulled += pull
    if inserts:
        connection.execute(insert(_table), inserts)
    if updates:
        connection.execute(update(_table).where(_table.c.id == bindparam("_id")), updates)
    record.inserted = len(inserts)
    record.changed = len(updates)
    return record
