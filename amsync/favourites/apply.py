"""The database steps of a push: the outbox before any request, the plan's pulls and
convergences, and what read-backs confirmed.

``base`` (and ``remote``) move to a pushed value only once a read-back shows it; until then the
item's outbox entry stays, with its attempts and last error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, bindparam, delete, insert, update

from amsync.db import tables
from amsync.domain import FavouriteState, ItemType
from amsync.favourites.mirror import OutboxEntry
from amsync.favourites.plan import Action, FavouriteRow, PlannedItem, PushPlan

Key = tuple[ItemType, str]
_fav = tables.favourites
_outbox = tables.favourite_pushes


def _fav_where(account_id: int) -> ColumnElement[bool]:
    return and_(
        _fav.c.account_id == account_id,
        _fav.c.item_type == bindparam("_type"),
        _fav.c.library_id == bindparam("_id"),
    )


def _outbox_where(account_id: int) -> ColumnElement[bool]:
    return and_(
        _outbox.c.account_id == account_id,
        _outbox.c.item_type == bindparam("_type"),
        _outbox.c.library_id == bindparam("_id"),
    )


def _keyed(key: Key, **values: object) -> dict[str, object]:
    return {"_type": key[0].value, "_id": key[1], **values}


def ensure_outbox(
    connection: Connection,
    account_id: int,
    rows: Iterable[FavouriteRow],
    outbox: Mapping[Key, OutboxEntry],
    now: datetime,
) -> int:
    """An outbox entry for every pushable item whose wish differs from ``base`` (written
    before any request, so an interrupted push is found again). Returns how many were added."""
    missing = [
        {
            "account_id": account_id,
            "item_type": row.item_type.value,
            "library_id": row.library_id,
            "catalog_id": row.catalog_id,
            "target": row.local.value,
            "created_at": now,
            "attempts": 0,
        }
        for row in rows
        if row.item_type.pushable and row.local != row.base and row.key not in outbox
    ]
    if missing:
        connection.execute(insert(_outbox), missing)
    return len(missing)


def record_plan(
    connection: Connection,
    account_id: int,
    *,
    fresh: Mapping[Key, FavouriteState],
    landed: Iterable[Key],
    plan: PushPlan,
    outbox: Mapping[Key, OutboxEntry],
    now: datetime,
) -> None:
    """Before the writes: Apple's fresh states, interrupted pushes that landed, the plan's
    pulls and convergences, and the outbox set to exactly the pushes about to be sent (each
    with one more attempt)."""
    if fresh:
        connection.execute(
            update(_fav)
            .where(_fav_where(account_id))
            .values(remote=bindparam("_remote"), remote_read_at=now, updated_at=now),
            [_keyed(key, _remote=state.value) for key, state in fresh.items()],
        )
    landed_keys = list(landed)
    if landed_keys:
        targets = {key: outbox[key].target for key in landed_keys}
        connection.execute(
            update(_fav).where(_fav_where(account_id)).values(base=bindparam("_base")),
            [_keyed(key, _base=state.value) for key, state in targets.items()],
        )
    settled = [i for i in plan.items if i.action in (Action.PULL, Action.CONVERGE)]
    if settled:
        connection.execute(
            update(_fav)
            .where(_fav_where(account_id))
            .values(
                remote=bindparam("_value"),
                base=bindparam("_value"),
                local=bindparam("_value"),
                updated_at=now,
            ),
            [_keyed(i.row.key, _value=i.target.value) for i in settled],
        )
    pushes = {item.row.key: item for item in plan.pushes}
    stale = [key for key in outbox if key not in pushes]
    if stale:
        connection.execute(
            delete(_outbox).where(_outbox_where(account_id)), [_keyed(k) for k in stale]
        )
    _upsert_pushes(connection, account_id, pushes, outbox, now)


def _upsert_pushes(
    connection: Connection,
    account_id: int,
    pushes: Mapping[Key, PlannedItem],
    outbox: Mapping[Key, OutboxEntry],
    now: datetime,
) -> None:
    known = [item for key, item in pushes.items() if key in outbox]
    new = [item for key, item in pushes.items() if key not in outbox]
    if known:
        connection.execute(
            update(_outbox)
            .where(_outbox_where(account_id))
            .values(
                target=bindparam("_target"),
                attempts=_outbox.c.attempts + 1,
                last_attempt_at=now,
            ),
            [_keyed(item.row.key, _target=item.target.value) for item in known],
        )
    if new:
        connection.execute(
            insert(_outbox),
            [
                {
                    "account_id": account_id,
                    "item_type": item.row.item_type.value,
                    "library_id": item.row.library_id,
                    "catalog_id": item.row.catalog_id,
                    "target": item.target.value,
                    "created_at": now,
                    "attempts": 1,
                    "last_attempt_at": now,
                }
                for item in new
            ],
        )


def record_errors(
    connection: Connection, account_id: int, errors: Mapping[Key, str], now: datetime
) -> None:
    """Keep why pushes are still pending (their outbox entries stay)."""
    if errors:
        connection.execute(
            update(_outbox)
            .where(_outbox_where(account_id))
            .values(last_error=bindparam("_error"), last_attempt_at=now),
            [_keyed(key, _error=message[:2000]) for key, message in errors.items()],
        )


def record_confirmed(
    connection: Connection,
    account_id: int,
    confirmed: Mapping[Key, FavouriteState],
    now: datetime,
) -> None:
    """Pushes a read-back confirmed: remote and base take the value; the entry leaves."""
    if not confirmed:
        return
    connection.execute(
        update(_fav)
        .where(_fav_where(account_id))
        .values(
            remote=bindparam("_value"), base=bindparam("_value"), remote_read_at=now, updated_at=now
        ),
        [_keyed(key, _value=state.value) for key, state in confirmed.items()],
    )
    connection.execute(
        delete(_outbox).where(_outbox_where(account_id)),
        [_keyed(key) for key in confirmed],
    )


def record_remote(
    connection: Connection, account_id: int, states: Mapping[Key, FavouriteState], now: datetime
) -> None:
    """What a read-back found for pushes it did not confirm."""
    if states:
        connection.execute(
            update(_fav)
            .where(_fav_where(account_id))
            .values(remote=bindparam("_remote"), remote_read_at=now),
            [_keyed(key, _remote=state.value) for key, state in states.items()],
        )
