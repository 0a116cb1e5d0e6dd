"""Which ratings resource and id a favourite is pushed to and read back from.

An item in the library is addressed by its library id (``library-songs/i.…``,
``library-albums/l.…``, ``library-playlists/p.…``; music videos ``library-music-videos``). An
item that left the library, or whose id is not a library id, is addressed by its catalog id
(``songs/123``, ``albums/123``, ``playlists/pl.…``) where it has one: Apple keeps the two
ratings in step (reference §4.1). Artists have no ratings resource.
"""

from __future__ import annotations

from dataclasses import dataclass

from amsync.favourites.plan import FavouriteRow


@dataclass(frozen=True, slots=True)
class RatingTarget:
    resource_type: str
    item_id: str


def rating_target(row: FavouriteRow) -> RatingTarget:
    """The ratings resource for ``row`` (``ValueError`` for artists: Apple cannot rate them)."""
    if not row.item_type.pushable:
        raise ValueError(f"{row.item_type.value}s cannot be rated through Apple Music's API")
    is_library_id = row.library_id.startswith(row.item_type.library_prefix)
    if row.catalog_id and (row.removed or not is_library_id):
        if row.music_video:
            return RatingTarget("music-videos", row.catalog_id)
        return RatingTarget(row.item_type.catalog_rating_type, row.catalog_id)
    if row.music_video:
        return RatingTarget("library-music-videos", row.library_id)
    return RatingTarget(row.item_type.library_rating_type, row.library_id)
