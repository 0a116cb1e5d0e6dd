"""``amsync accounts add | remove``: an account is created empty, or removed with every row
that belongs to it. Its stored tokens are not rows of the database: they belong to the home
(``amsync.config.credentials``), which other databases — a rehearsal copy, a second mirror —
share, so removing an account here leaves them (the CLI's ``--forget-tokens`` removes them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import Table, delete, func, select

from amsync.db import tables
from amsync.db.store import Store
from amsync.errors import ConfigError

OWNED_TABLES: Final[tuple[Table, ...]] = tuple(
    table
    for table in reversed(tables.accounts.metadata.sorted_tables)
    if "account_id" in table.c and table is not tables.accounts
)
"""Every table with rows of an account, those that refer to others first (``sorted_tables``
reversed): removing in this order works whether or not the backend enforces the cascades, and
a table added later is included without anyone remembering to."""


def add_account(store: Store, name: str) -> bool:
    """Create account ``name``; false when it already exists."""
    with store.session() as session:
        exists = session.scalar(select(tables.accounts.c.id).where(tables.accounts.c.name == name))
    if exists is not None:
        return False
    store.account_id(name)
    return True


@dataclass(frozen=True, slots=True)
class AccountContents:
    """What removing an account deletes from the database (counted before it asks)."""

    songs: int
    playlists: int
    plays: int

    def describe(self) -> str:
        parts = [f"{self.songs} songs", f"{self.playlists} playlists"]
        if self.plays:
            parts.append(f"{self.plays} plays of listening history")
        return ", ".join(parts)


def account_contents(store: Store, name: str) -> AccountContents:
    """The live songs and playlists and the imported plays of account ``name``;
    ``ConfigError`` when there is no such account."""
    with store.session() as session:
        account_id = session.scalar(
            select(tables.accounts.c.id).where(tables.accounts.c.name == name)
        )
        if account_id is None:
            raise _no_account(name)

        def count(table: Table, *, live: bool = True) -> int:
            statement = select(func.count()).select_from(table)
            statement = statement.where(table.c.account_id == account_id)
            if live and "removed_at" in table.c:
                statement = statement.where(table.c.removed_at.is_(None))
            return int(session.scalar(statement) or 0)

        return AccountContents(
            count(tables.songs), count(tables.playlists), count(tables.play_events, live=False)
        )


def _no_account(name: str) -> ConfigError:
    return ConfigError(
        f"no account named {name!r}", hint="`amsync accounts list` shows the accounts"
    )


def remove_account(store: Store, name: str) -> int:
    """Delete account ``name`` and every row that belongs to it (and nothing else); returns the
    number of its songs that were mirrored."""
    with store.writing() as session:
        account_id = session.scalar(
            select(tables.accounts.c.id).where(tables.accounts.c.name == name)
        )
        if account_id is None:
            raise _no_account(name)
        songs = (
            session.scalar(
                select(func.count())
                .select_from(tables.songs)
                .where(tables.songs.c.account_id == account_id)
            )
            or 0
        )
        # Children first, so that it works whether or not the backend enforces the cascades.
        revisions = select(tables.playlist_revisions.c.id).where(
            tables.playlist_revisions.c.account_id == account_id
        )
        session.execute(
            delete(tables.playlist_entries).where(
                tables.playlist_entries.c.revision_id.in_(revisions)
            )
        )
        for table in OWNED_TABLES:
            session.execute(delete(table).where(table.c.account_id == account_id))
        session.execute(delete(tables.accounts).where(tables.accounts.c.id == account_id))
    return int(songs)
