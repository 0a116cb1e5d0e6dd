"""Plain data that every layer shares: library items, catalog metadata, favourites, and the
Protocols through which use-cases reach the API and the database.

The names below are loaded from their modules on first use (PEP 562), so that importing one
small module of the package (``amsync.domain.favourites``, ``amsync.domain.changes``) does not
build every dataclass of the library and the catalog: the command line answers faster."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amsync.domain.catalog import CatalogAlbum, CatalogArtist, CatalogPlaylist, CatalogSong
    from amsync.domain.favourites import FavouriteState, ItemType
    from amsync.domain.library import (
        FolderTree,
        LibraryAlbum,
        LibraryArtist,
        LibraryPlaylist,
        LibrarySong,
        ListingResult,
        PlaylistFolder,
        Storefront,
        TrackKind,
    )
    from amsync.domain.progress import ProgressCallback, ProgressEvent, no_progress
    from amsync.domain.replay import ReplayItem, ReplaySummary

_MODULES = {
    "catalog": ("CatalogAlbum", "CatalogArtist", "CatalogPlaylist", "CatalogSong"),
    "favourites": ("FavouriteState", "ItemType"),
    "library": (
        "FolderTree",
        "LibraryAlbum",
        "LibraryArtist",
        "LibraryPlaylist",
        "LibrarySong",
        "ListingResult",
        "PlaylistFolder",
        "Storefront",
        "TrackKind",
    ),
    "progress": ("ProgressCallback", "ProgressEvent", "no_progress"),
    "replay": ("ReplayItem", "ReplaySummary"),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "CatalogAlbum",
    "CatalogArtist",
    "CatalogPlaylist",
    "CatalogSong",
    "FavouriteState",
    "FolderTree",
    "ItemType",
    "LibraryAlbum",
    "LibraryArtist",
    "LibraryPlaylist",
    "LibrarySong",
    "ListingResult",
    "PlaylistFolder",
    "ProgressCallback",
    "ProgressEvent",
    "ReplayItem",
    "ReplaySummary",
    "Storefront",
    "TrackKind",
    "no_progress",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"amsync.domain.{module}"), name)
    globals()[name] = value  # once loaded, an ordinary attribute
    return value
