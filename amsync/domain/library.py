"""Library items as amsync sees them, parsed from Apple's library resources.

Every item keeps Apple's library id; the catalog id is ``None`` when the item has no catalog
counterpart (an uploaded song, a user-made playlist). ``catalog`` holds catalog metadata when the
listing asked for it with ``include=catalog``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from amsync.domain.catalog import CatalogAlbum, CatalogArtist, CatalogSong


class TrackKind(StrEnum):
    SONG = "song"
    MUSIC_VIDEO = "music-video"


@dataclass(frozen=True, slots=True)
class Storefront:
    id: str
    name: str | None = None
    default_language: str | None = None


@dataclass(frozen=True, slots=True)
class LibrarySong:
    """A library song or music video (``library-songs`` / ``library-music-videos``)."""

    library_id: str
    name: str
    artist: str | None = None
    album: str | None = None
    catalog_id: str | None = None
    kind: TrackKind = TrackKind.SONG
    duration_ms: int | None = None
    track_number: int | None = None
    disc_number: int | None = None
    genres: tuple[str, ...] = ()
    release_date: str | None = None
    content_rating: str | None = None
    date_added: str | None = None
    artwork_url: str | None = None
    playable: bool = True
    in_favourites: bool | None = None
    catalog: CatalogSong | None = None


@dataclass(frozen=True, slots=True)
class LibraryAlbum:
    library_id: str
    name: str
    artist: str | None = None
    catalog_id: str | None = None
    track_count: int | None = None
    release_date: str | None = None
    genres: tuple[str, ...] = ()
    date_added: str | None = None
    artwork_url: str | None = None
    in_favourites: bool | None = None
    catalog: CatalogAlbum | None = None


@dataclass(frozen=True, slots=True)
class LibraryArtist:
    library_id: str
    name: str
    catalog_id: str | None = None
    catalog: CatalogArtist | None = None


@dataclass(frozen=True, slots=True)
class LibraryPlaylist:
    library_id: str
    name: str
    description: str | None = None
    catalog_id: str | None = None
    can_edit: bool | None = None
    is_public: bool | None = None
    has_catalog: bool | None = None
    date_added: str | None = None
    artwork_url: str | None = None
    in_favourites: bool | None = None


@dataclass(frozen=True, slots=True)
class PlaylistFolder:
    """A library playlist folder; ``parent_id`` is ``None`` for a folder at the top level."""

    library_id: str
    name: str
    parent_id: str | None = None
    date_added: str | None = None


@dataclass(slots=True)
class ListingResult:
    """How a paged listing went. ``complete`` is true only when every page was read, ``next``
    was followed to its end, and the count agrees with ``meta.total`` where Apple gave one.
    An incomplete listing never turns into removals."""

    collection: str
    complete: bool
    received: int
    expected_total: int | None = None
    pages: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(slots=True)
class FolderTree:
    """The playlist folder tree. ``folders`` come parents first (``parent_id`` ``None`` at the
    top level); ``playlist_folder`` maps a playlist's library id to its folder's id (playlists
    at the top level are absent)."""

    root_id: str | None
    folders: list[PlaylistFolder] = field(default_factory=list)
    playlist_folder: dict[str, str] = field(default_factory=dict)
    listing: ListingResult = field(
        default_factory=lambda: ListingResult("playlist folders", complete=True, received=0)
    )
