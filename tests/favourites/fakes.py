"""A small in-memory ``RatingWriter`` for favourites tests, and helpers to seed three-way rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import insert, select

from amsync.db import tables
from amsync.db.store import Store
from amsync.domain import FavouriteState, ItemType
from amsync.errors import UserTokenRejected

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
PREFIX = {ItemType.SONG: "i.", ItemType.ALBUM: "l.", ItemType.PLAYLIST: "p.", ItemType.ARTIST: "r."}
LIBRARY_TYPE = {
    ItemType.SONG: "library-songs",
    ItemType.ALBUM: "library-albums",
    ItemType.PLAYLIST: "library-playlists",
}


@dataclass
class FakeRatings:
    """Apple's ratings by (resource type, id); records every write; can fail on purpose."""

    values: dict[tuple[str, str], int] = field(default_factory=dict)
    writes: list[tuple[str, str, str, int | None]] = field(default_factory=list)
    reads: int = 0
    ignore_writes: bool = False
    fail_after_writes: int | None = None
    before_request: Callable[[], None] | None = None

    def state(self, resource_type: str, item_id: str) -> FavouriteState:
        return FavouriteState.from_rating(self.values.get((resource_type, item_id)))

    async def get_ratings(self, resource_type: str, ids: Iterable[str]) -> dict[str, int]:
        self.reads += 1
        if self.before_request is not None:
            self.before_request()
        return {
            i: self.values[(resource_type, i)] for i in ids if (resource_type, i) in self.values
        }

    def _write(self, method: str, resource_type: str, item_id: str, value: int | None) -> None:
        if self.before_request is not None:
            self.before_request()
        if self.fail_after_writes is not None and len(self.writes) >= self.fail_after_writes:
            raise UserTokenRejected(
                "the music user token was refused", hint="run `amsync auth login`"
            )
        self.writes.append((method, resource_type, item_id, value))
        if self.ignore_writes:
            return
        if value is None:
            self.values.pop((resource_type, item_id), None)
        else:
            self.values[(resource_type, item_id)] = value

    async def put_rating(self, resource_type: str, item_id: str, value: int) -> None:
        self._write("PUT", resource_type, item_id, value)

    async def delete_rating(self, resource_type: str, item_id: str) -> None:
        self._write("DELETE", resource_type, item_id, None)


def seed_rows(
    store: Store,
    rows: Iterable[tuple[ItemType, str, FavouriteState, FavouriteState, FavouriteState]],
    account: str = "default",
) -> int:
    """Insert favourites rows (type, library id, remote, base, local) directly."""
    account_id = store.account_id(account)
    with store.writing() as session:
        session.execute(
            insert(tables.favourites),
            [
                {
                    "account_id": account_id,
                    "item_type": kind.value,
                    "library_id": library_id,
                    "remote": remote.value,
                    "base": base.value,
                    "local": local.value,
                    "updated_at": NOW,
                }
                for kind, library_id, remote, base, local in rows
            ],
        )
    return account_id


def stored_states(
    store: Store,
) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(type, library id) → (remote, base, local) as stored."""
    fav = tables.favourites
    with store.session() as session:
        return {
            (r.item_type, r.library_id): (r.remote, r.base, r.local)
            for r in session.execute(
                select(fav.c.item_type, fav.c.library_id, fav.c.remote, fav.c.base, fav.c.local)
            )
        }


def outbox_rows(store: Store) -> dict[tuple[str, str], tuple[str, int, str | None]]:
    """(type, library id) → (target, attempts, last_error) of the outbox."""
    box = tables.favourite_pushes
    with store.session() as session:
        return {
            (r.item_type, r.library_id): (r.target, r.attempts, r.last_error)
            for r in session.execute(
                select(
                    box.c.item_type,
                    box.c.library_id,
                    box.c.target,
                    box.c.attempts,
                    box.c.last_error,
                )
            )
        }
