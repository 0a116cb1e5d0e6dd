"""Finding playlists by what a user types: a library id, or a name (exact, then ignoring case).

Plain SQL on a ``Reader``; exports hand in their SQLAlchemy connection (``as_reader``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from amsync.db.reading import Reader, as_reader
from amsync.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy import Connection

_MATCHES_SHOWN: Final = 5


@dataclass(frozen=True, slots=True)
class PlaylistRef:
    id: int
    library_id: str
    name: str


def find_playlist(
    source: Reader | Connection,
    account_id: int,
    name_or_id: str,
    *,
    include_removed: bool = False,
) -> PlaylistRef:
    """The one playlist ``name_or_id`` names; a ``UsageError`` when none or several match."""
    reader = as_reader(source)
    base = "SELECT id, library_id, name FROM playlists WHERE account_id = :account"
    if not include_removed:
        base += " AND removed_at IS NULL"
    params = {"account": account_id, "value": name_or_id, "lowered": name_or_id.lower()}
    by_id = reader.rows(f"{base} AND library_id = :value", params)
    if by_id:
        return PlaylistRef(int(by_id[0][0]), by_id[0][1], by_id[0][2])
    for condition in ("name = :value", "lower(name) = :lowered"):
        found = reader.rows(
            f"{base} AND {condition} ORDER BY id LIMIT {_MATCHES_SHOWN + 1}", params
        )
        if len(found) == 1:
            return PlaylistRef(int(found[0][0]), found[0][1], found[0][2])
        if len(found) > 1:
            ids = ", ".join(row[1] for row in found[:_MATCHES_SHOWN])
            raise UsageError(
                f"{len(found)} playlists are named {name_or_id!r}",
                hint=f"name one by its id: {ids}",
            )
    raise UsageError(
        f"no playlist named {name_or_id!r}",
        hint='`amsync query "SELECT library_id, name FROM playlists_v"` lists them',
    )


def find_playlists(
    source: Reader | Connection,
    account_id: int,
    names_or_ids: Iterable[str],
    *,
    include_removed: bool = False,
) -> list[PlaylistRef]:
    """Each named playlist once, in the order given."""
    reader = as_reader(source)
    found: dict[int, PlaylistRef] = {}
    for name_or_id in names_or_ids:
        ref = find_playlist(reader, account_id, name_or_id, include_removed=include_removed)
        found.setdefault(ref.id, ref)
    return list(found.values())


def playlist_names(reader: Reader, account_id: int, prefix: str, *, limit: int = 200) -> list[str]:
    """Names of live playlists that start with ``prefix`` (ignoring case), for completion."""
    rows = reader.rows(
        "SELECT DISTINCT name FROM playlists WHERE account_id = :account "
        "AND removed_at IS NULL AND lower(substr(name, 1, :n)) = :prefix "
        "ORDER BY name LIMIT :limit",
        {"account": account_id, "n": len(prefix), "prefix": prefix.lower(), "limit": limit},
    )
    return [str(row[0]) for row in rows]
