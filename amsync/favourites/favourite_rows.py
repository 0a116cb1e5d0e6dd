"""The account's favourites rows, each with its item's name (the three-way state every
favourites command starts from), and the keys of pushes still waiting for Apple.

Plain SQL on a ``Reader``, one text for both backends: ``favourites list`` and ``diff`` read an
SQLite mirror through ``sqlite3`` without loading SQLAlchemy (``amsync.db.reading``), and
``favourites push`` reads the same rows through its own connection (``mirror.load_rows``).
This module imports no SQLAlchemy.
"""

from __future__ import annotations

from typing import Final

from amsync.db.reading import Reader
from amsync.domain import FavouriteState, ItemType
from amsync.favourites.plan import FavouriteRow

_ITEMS: Final = (
    # type, its table, the artist column, the kind column (music videos are songs)
    (ItemType.SONG, "songs", "i.artist", "i.kind"),
    (ItemType.ALBUM, "albums", "i.artist", "NULL"),
    (ItemType.PLAYLIST, "playlists", "NULL", "NULL"),
    (ItemType.ARTIST, "artists", "NULL", "NULL"),
)


def favourite_rows(
    reader: Reader, account_id: int, item_type: ItemType | None = None
) -> list[FavouriteRow]:
    """Every favourites row of the account (of one type), with its item's name: songs, then
    albums, playlists and artists, each in the order they were first marked."""
    rows: list[FavouriteRow] = []
    for kind, table, artist, video in _ITEMS:
        if item_type is not None and kind is not item_type:
            continue
        found = reader.rows(
            "SELECT f.library_id, f.catalog_id, f.remote, f.base, f.local, i.catalog_id, "
            f"i.name, i.removed_at, {artist}, {video} FROM favourites f "
            f"LEFT JOIN {table} i ON i.account_id = f.account_id AND i.library_id = f.library_id "
            "WHERE f.account_id = :account AND f.item_type = :type ORDER BY f.id",
            {"account": account_id, "type": kind.value},
        )
        for library_id, catalog_id, remote, base, local, item_catalog_id, name, *rest in found:
            removed_at, artist_name, item_kind = rest
            rows.append(
                FavouriteRow(
                    item_type=kind,
                    library_id=library_id,
                    remote=FavouriteState(remote),
                    base=FavouriteState(base),
                    local=FavouriteState(local),
                    catalog_id=catalog_id or item_catalog_id,
                    name=name,
                    artist=artist_name,
                    removed=removed_at is not None,
                    music_video=item_kind == "music-video",
                )
            )
    return rows


def waiting_pushes(reader: Reader, account_id: int) -> set[tuple[ItemType, str]]:
    """The (type, library id) of every push in the outbox."""
    found = reader.rows(
        "SELECT item_type, library_id FROM favourite_pushes WHERE account_id = :account",
        {"account": account_id},
    )
    return {(ItemType(item_type), library_id) for item_type, library_id in found}
