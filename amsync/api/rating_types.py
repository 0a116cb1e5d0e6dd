"""Apple's ratings resource types, and which one fits an item and id.

Apple rates nine resource types; artists have none. Library ids carry a prefix (``i.`` songs,
``l.`` albums, ``p.`` playlists); catalog ids are numeric, catalog playlists ``pl.…``.
"""

from __future__ import annotations

import re
from typing import Final

from amsync.domain import ItemType
from amsync.errors import UsageError

RATING_TYPES: Final = frozenset(
    {
        "songs",
        "albums",
        "playlists",
        "music-videos",
        "stations",
        "library-songs",
        "library-albums",
        "library-playlists",
        "library-music-videos",
    }
)

_CATALOG_NUMERIC = re.compile(r"^\d+$")


def is_catalog_id(item_type: ItemType, item_id: str) -> bool:
    if item_type is ItemType.PLAYLIST:
        return item_id.startswith("pl.") and len(item_id) > 3
    return bool(_CATALOG_NUMERIC.match(item_id))


def rating_type_for(item_type: ItemType, item_id: str) -> str:
    """The ratings resource type for an item: ``library-songs`` for ``i.…``, ``songs`` for a
    numeric catalog id, ``library-playlists`` for ``p.…``, ``playlists`` for ``pl.…``, …

    ``UsageError`` for artists (Apple cannot rate them) and for ids of the wrong shape.
    """
    if item_type is ItemType.ARTIST:
        raise UsageError(
            "Apple Music's API cannot rate or favourite artists",
            hint="artist favourites are kept in amsync only",
        )
    if is_catalog_id(item_type, item_id):
        return item_type.catalog_rating_type
    prefix = item_type.library_prefix
    if item_id.startswith(prefix) and len(item_id) > len(prefix):
        return item_type.library_rating_type
    raise UsageError(
        f"{item_id[:80]!r} is neither a library nor a catalog {item_type.value} id",
        hint=f"library {item_type.value} ids start with {prefix!r}",
    )


def check_rating_type(resource_type: str) -> str:
    if resource_type not in RATING_TYPES:
        raise UsageError(
            f"{resource_type[:40]!r} is not a ratings resource type",
            hint="one of " + ", ".join(sorted(RATING_TYPES)),
        )
    return resource_type


def track_type_for_id(track_id: str) -> str:
    """The resource type for a playlist track id: ``library-songs`` for ``i.…``, else
    ``songs`` (a catalog song)."""
    return "library-songs" if track_id.startswith("i.") else "songs"
