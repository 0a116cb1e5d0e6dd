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
