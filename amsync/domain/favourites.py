"""Favourite states and the item types that can carry them."""

from __future__ import annotations

from enum import StrEnum


class FavouriteState(StrEnum):
    """What a user thinks of an item. Apple's ratings API says 1 (love) or -1 (dislike)."""

    FAVOURITE = "favourite"
    DISLIKED = "disliked"
    NONE = "none"

    @classmethod
    def from_rating(cls, value: int | None) -> FavouriteState:
        if value is None or value == 0:
            return cls.NONE
        return cls.FAVOURITE if value > 0 else cls.DISLIKED

    def to_rating(self) -> int | None:
        """The ratings-API value for this state; ``None`` means "delete the rating"."""
        if self is FavouriteState.FAVOURITE:
            return 1
        if self is FavouriteState.DISLIKED:
            return -1
        return None


class ItemType(StrEnum):
    """The kinds of library item a favourite can be attached to (the CLI's TYPE)."""

    SONG = "song"
    ALBUM = "album"
    PLAYLIST = "playlist"
    ARTIST = "artist"

    @property
    def pushable(self) -> bool:
        """Apple's API can rate songs, albums and playlists, not artists."""
        return self is not ItemType.ARTIST

    @property
    def library_prefix(self) -> str:
        """How Apple's library ids of this type begin (``i.`` songs, ``l.`` albums, ``p.``
        playlists; artists' are uncertain)."""
        return _LIBRARY_PREFIX[self]

    @property
    def library_rating_type(self) -> str:
        """Apple's ratings resource type for a library id (``library-songs``, …)."""
        self._check_rateable()
        return f"library-{self.value}s"

    @property
    def catalog_rating_type(self) -> str:
        """Apple's ratings resource type for a catalog id (``songs``, ``albums``, …)."""
        self._check_rateable()
        return f"{self.value}s"

    def _check_rateable(self) -> None:
        if not self.pushable:
            raise ValueError("Apple Music's API has no ratings for artists")


_LIBRARY_PREFIX = {
    ItemType.SONG: "i.",
    ItemType.ALBUM: "l.",
    ItemType.PLAYLIST: "p.",
    ItemType.ARTIST: "r.",
}
