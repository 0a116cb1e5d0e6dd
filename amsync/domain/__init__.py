"""Plain data that every layer shares: library items, catalog metadata, favourites, and the
Protocols through which use-cases reach the API and the database."""

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
    "Storefront",
    "TrackKind",
    "no_progress",
]
