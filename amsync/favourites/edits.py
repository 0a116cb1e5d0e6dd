"""Setting what the user wants (``local``) and keeping the outbox in step with it.

The outbox (``favourite_pushes``) holds one entry per item whose wish Apple has not confirmed:
setting ``local`` to a value other than ``base`` adds (or retargets) the entry, setting it back
removes it. An entry that a push already attempted is left alone: its write may have landed
before an interruption, and the next push reads Apple's state to find out
(``plan.acknowledge_landed``) before it decides anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import Connection, delete, insert, select, update

from amsync.db import tables
from amsync.db.locks import acquire_run_lock
from amsync.db.store import Store
from amsync.domain import FavouriteState, ItemType
from amsync.errors import UnknownItem, UsageError
from amsync.favourites.mirror import MirrorItem, find_items

MAX_ID_LENGTH: Final = 200

_fav = tables.favourites
_outbox = tables.favourite_pushes


@dataclass(slots=True)
class LocalChange:
    """What ``set_local`` did to one item."""

    item: MirrorItem
    before: FavouriteState
    after: FavouriteState

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(slots=True)
class SetLocalResult:
    changes: list[LocalChange] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(change.changed for change in self.changes)


def set_local(
    connection: Connection,
    account_id: int,
    items: Iterable[MirrorItem],
    state: FavouriteState,
    now: datetime,
) -> SetLocalResult:
    """Set the user's wish for ``items`` to ``state`` (``none`` removes a favourite)."""
    result = SetLocalResult()
    for item in items:
        row = connection.execute(
            select(_fav.c.id, _fav.c.base, _fav.c.local).where(
                _fav.c.account_id == account_id,
                _fav.c.item_type == item.item_type.value,
                _fav.c.library_id == item.library_id,
            )
        ).first()
        if row is None:
            before = base = FavouriteState.NONE
            if state is not FavouriteState.NONE:
                connection.execute(
                    insert(_fav).values(
                        account_id=account_id,
                        item_type=item.item_type.value,
                        library_id=item.library_id,
                        catalog_id=item.catalog_id,
                        remote=FavouriteState.NONE.value,
                        base=FavouriteState.NONE.value,
                        local=state.value,
                        updated_at=now,
                    )
                )
        else:
            before, base = FavouriteState(row.local), FavouriteState(row.base)
            if before != state:
                connection.execute(
                    update(_fav)
                    .where(_fav.c.id == row.id)
                    .values(local=state.value, updated_at=now)
                )
        result.changes.append(LocalChange(item, before, state))
        if item.item_type.pushable:
            _keep_outbox(connection, account_id, item, base, state, now)
    return result


def _keep_outbox(
    connection: Connection,
    account_id: int,
    item: MirrorItem,
    base: FavouriteState,
    local: FavouriteState,
    now: datetime,
) -> None:
    where = (
        _outbox.c.account_id == account_id,
        _outbox.c.item_type == item.item_type.value,
        _outbox.c.library_id == item.library_id,
    )
    entry = connection.execute(select(_outbox.c.id, _outbox.c.attempts).where(*where)).first()
    if entry is not None and entry.attempts > 0:
        return  # its fate is unknown until the next push reads Apple's state
    if local == base:
        if entry is not None:
            connection.execute(delete(_outbox).where(_outbox.c.id == entry.id))
        return
    if entry is None:
        connection.execute(
            insert(_outbox).values(
                account_id=account_id,
                item_type=item.item_type.value,
                library_id=item.library_id,
                catalog_id=item.catalog_id,
                target=local.value,
                created_at=now,
                attempts=0,
            )
        )
    else:
        connection.execute(
            update(_outbox).where(_outbox.c.id == entry.id).values(target=local.value)
        )


def check_item_id(item_id: str) -> str:
    """An id as typed by a user: trimmed, bounded, printable (``UsageError`` otherwise)."""
    cleaned = item_id.strip()
    if not cleaned or len(cleaned) > MAX_ID_LENGTH or not cleaned.isprintable():
        raise UsageError(
            f"{item_id[:40]!r} is not a library or catalog id",
            hint="library ids look like i.… (songs), l.… (albums), p.… (playlists), r.… "
            "(artists); catalog ids are numbers (playlists pl.…)",
        )
    return cleaned


def set_favourite(
    store: Store,
    account: str,
    item_type: ItemType,
    item_id: str,
    state: FavouriteState,
    *,
    wait_s: float = 0.0,
) -> SetLocalResult:
    """Set the user's wish for the item(s) a library or catalog id names. ``UnknownItem``
    (exit 2) when the mirror has no such item; takes the account's run lock (exit 4 while a
    sync runs)."""
    item_id = check_item_id(item_id)
    account_id = store.account_id(account, create=False)
    verb = "remove" if state is FavouriteState.NONE else "add"
    lock = acquire_run_lock(store, account_id, account, command=f"favourites {verb}", wait_s=wait_s)
    try:
        with store.writing() as session:
            connection = session.connection()
            items = find_items(connection, account_id, item_type, item_id)
            if not items:
                raise UnknownItem(
                    f"no {item_type.value} with id {item_id!r} in the mirror of account "
                    f"{account!r}",
                    hint="give a library or catalog id of an item in the library; run "
                    "`amsync sync` first if it was added recently",
                )
            return set_local(connection, account_id, items, state, datetime.now(UTC))
    finally:
        lock.release()
