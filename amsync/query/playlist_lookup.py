"""Finding playlists by what a user types: a library id, or a name (exact, then ignoring case)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from amsync.db.models import Playlist
from amsync.errors import UsageError


@dataclass(frozen=True, slots=True)
class PlaylistRef:
    id: int
    library_id: str
    name: str


def find_playlist(
    connection: Connection, account_id: int, name_or_id: str, *, include_removed: bool = False
) -> PlaylistRef:
    """The one playlist ``name_or_id`` names; a ``UsageError`` when none or several match."""
    base = select(Playlist.id, Playlist.library_id, Playlist.name).where(
        Playlist.account_id == account_id
    )
    if not include_removed:
        base = base.where(Playlist.removed_at.is_(None))
    by_id = connection.execute(base.where(Playlist.library_id == name_or_id)).first()
    if by_id is not None:
        return PlaylistRef(by_id[0], by_id[1], by_id[2])
    for condition in (
        Playlist.name == name_or_id,
        func.lower(Playlist.name) == name_or_id.lower(),
    ):
        found = connection.execute(base.where(condition).order_by(Playlist.id).limit(6)).all()
        if len(found) == 1:
            return PlaylistRef(found[0][0], found[0][1], found[0][2])
        if len(found) > 1:
            ids = ", ".join(row[1] for row in found[:5])
            raise UsageError(
                f"{len(found)} playlists are named {name_or_id!r}",
                hint=f"name one by its id: {ids}",
            )
    raise UsageError(
        f"no playlist named {name_or_id!r}",
        hint='`amsync query "SELECT library_id, name FROM playlists_v"` lists them',
    )


def find_playlists(
    connection: Connection,
    account_id: int,
    names_or_ids: Iterable[str],
    *,
    include_removed: bool = False,
) -> list[PlaylistRef]:
    """Each named playlist once, in the order given."""
    found: dict[int, PlaylistRef] = {}
    for name_or_id in names_or_ids:
        ref = find_playlist(connection, account_id, name_or_id, include_removed=include_removed)
        found.setdefault(ref.id, ref)
    return list(found.values())
