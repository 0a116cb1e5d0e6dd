"""Catalog metadata: what Apple's catalog knows about a song, album, artist or playlist.

Unknown values are ``None``; dates stay as Apple wrote them (``"2019"`` stays ``"2019"``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CatalogSong:
    catalog_id: str
    name: str
    artist: str | None = None
    album: str | None = None
    isrc: str | None = None
    duration_ms: int | None = None
    genres: tuple[str, ...] = ()
    release_date: str | None = None
    composer: str | None = None
    url: str | None = None
    artwork_url: str | None = None
    track_number: int | None = None
    disc_number: int | None = None
    content_rating: str | None = None
    playable: bool = True
    """False when Apple sent no ``playParams``: not playable in this storefront (§7.1)."""


@dataclass(frozen=True, slots=True)
class CatalogAlbum:
    catalog_id: str
    name: str
    artist: str | None = None
    release_date: str | None = None
    record_label: str | None = None
    track_count: int | None = None
    upc: str | None = None
    genres: tuple[str, ...] = ()
    url: str | None = None
    artwork_url: str | None = None
    copyright: str | None = None


@dataclass(frozen=True, slots=True)
class CatalogArtist:
    catalog_id: str
    name: str
    genres: tuple[str, ...] = ()
    url: str | None = None
    artwork_url: str | None = None


@dataclass(frozen=True, slots=True)
class CatalogPlaylist:
    catalog_id: str
    name: str
    curator: str | None = None
    description: str | None = None
    url: str | None = None
    artwork_url: str | None = None
