"""Which ratings resource and id a favourite is pushed to and read back from.

An item in the library is addressed by its library id (``library-songs/i.…``,
``library-albums/l.…``, ``library-playlists/p.…``; music videos ``library-music-videos``). An
item that left the library, or whose id is not a library id, is addressed by its catalog id
(``songs/123``, ``albums/123``, ``playlists/pl.…``) where it has one: Apple keeps the two
ratings in step (reference §4.1). Artists have no ratings resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from amsync.domain import ItemType
from amsync.favourites.plan import FavouriteRow

LIBRARY_PREFIX: Final = {ItemType.SONG: "i.", ItemType.ALBUM: "l.", ItemType.PLAYLIST: "p."}
_LIBRARY_TYPE: Final = {
    ItemType.SONG: "library-songs",
    ItemType.ALBUM: "library-albums",
    ItemType.PLAYLIST: "library-playlists",
}
_CATALOG_TYPE: Final = {
    ItemType.SONG: "songs",
    ItemType.ALBUM: "albums",
    ItemType.PLAYLIST: "playlists",
}


@dataclass(frozen=True, slots=True)
class RatingTarget:
    resource_type: str
    item_id: str


def rating_target(row: FavouriteRow) -> RatingTarget:
    """The ratings resource for ``row`` (``ValueError`` for artists: Apple cannot rate them)."""
    if not row.item_type.pushable:
        raise ValueError(f"{row.item_type.value}s cannot be rated through Apple Music's API")
    is_library_id = row.library_id.startswith(LIBRARY_PREFIX[row.item_type])
    if row.catalog_id and (row.removed or not is_library_id):
        if row.music_video:
            return RatingTarget("music-videos", row.catalog_id)
        return RatingTarget(_CATALOG_TYPE[row.item_type], row.catalog_id)
    if row.music_video:
        return RatingTarget("library-music-videos", row.library_id)
    return RatingTarget(_LIBRARY_TYPE[row.item_type], row.library_id)
