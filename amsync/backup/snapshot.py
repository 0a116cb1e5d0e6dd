"""A consistent copy of an SQLite mirror, and what such a copy holds.

The copy is taken with SQLite's online backup API in one step (``backup(pages=-1)``): it reads
the database inside one read transaction, so with WAL a sync that writes meanwhile is seen
entirely or not at all — never half. The copy is switched to a rollback journal so that it is
one self-contained file, and checked with ``PRAGMA integrity_check``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from amsync.errors import StoreError

BUSY_TIMEOUT_S: Final = 30.0

# The user's current wishes for items in the library, as ``amsync stats`` and the JSON export
# count them (a favourite of a removed item is not counted).
_WISHES: Final = " ".join(
    [
        "SELECT count(*) FROM favourites f",
        *(
            f"LEFT JOIN {table} {alias} ON f.item_type = '{kind}' "
            f"AND {alias}.account_id = f.account_id AND {alias}.library_id = f.library_id "
            f"AND {alias}.removed_at IS NULL"
            for kind, table, alias in (
                ("song", "songs", "s"),
                ("album", "albums", "al"),
                ("artist", "artists", "ar"),
                ("playlist", "playlists", "p"),
            )
        ),
        "WHERE f.account_id = ? AND f.local = '{state}'",
        "AND COALESCE(s.id, al.id, ar.id, p.id) IS NOT NULL",
    ]
)
_COUNT_QUERIES: Final = {
    "songs": "SELECT count(*) FROM songs WHERE account_id = ? AND removed_at IS NULL",
    "albums": "SELECT count(*) FROM albums WHERE account_id = ? AND removed_at IS NULL",
    "artists": "SELECT count(*) FROM artists WHERE account_id = ? AND removed_at IS NULL",
    "playlists": "SELECT count(*) FROM playlists WHERE account_id = ? AND removed_at IS NULL",
    "tracks": (
        "SELECT count(*) FROM playlist_entries e JOIN playlists p "
        "ON e.revision_id = p.current_revision_id "
        "WHERE p.account_id = ? AND p.removed_at IS NULL"
    ),
    "favourites": _WISHES.format(state="favourite"),
    "dislikes": _WISHES.format(state="disliked"),
}


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy the live database at ``source`` to the new file ``target`` consistently."""
    try:
        with (
            contextlib.closing(
                sqlite3.connect(
                    f"{source.absolute().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S
                )
            ) as src,
            contextlib.closing(sqlite3.connect(target)) as dst,
        ):
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode = DELETE").fetchone()
            dst.commit()
    except sqlite3.Error as exc:
        raise StoreError(
            f"cannot copy the database {source}: {exc}",
            hint="check that it exists and that the backup folder has room",
        ) from None


@contextlib.contextmanager
def open_snapshot(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to a snapshot file (never changes it, not even its journal)."""
    try:
        connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the snapshot {path}: {exc}") from None
    try:
        yield connection
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"the snapshot {path} is damaged: {exc}") from None
    finally:
        connection.close()


def integrity_problems(connection: sqlite3.Connection) -> list[str]:
    """What ``PRAGMA integrity_check`` and ``foreign_key_check`` report (empty: sound)."""
    rows = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
    problems = [] if rows == ["ok"] else rows[:20]
    broken = connection.execute("PRAGMA foreign_key_check").fetchmany(20)
    problems += [f"foreign key broken in {row[0]} row {row[1]}" for row in broken]
    return problems


def schema_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return None if row is None else str(row[0])


def mirror_counts(connection: sqlite3.Connection, account: str) -> dict[str, int]:
    """Live (not tombstoned) items of ``account`` in the snapshot, as the JSON export counts
    them (``tracks``: entries of the playlists' current track lists)."""
    row = connection.execute("SELECT id FROM accounts WHERE name = ?", (account,)).fetchone()
    if row is None:
        raise StoreError(f"the snapshot holds no account named {account!r}")
    account_id = int(row[0])
    return {
        key: int(connection.execute(query, (account_id,)).fetchone()[0])
        for key, query in _COUNT_QUERIES.items()
    }
