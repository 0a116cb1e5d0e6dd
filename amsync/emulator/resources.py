"""Plain dataclasses for the emulator's state: catalog and library resources.

Field names are amsync-neutral snake_case; :mod:`amsync.emulator.rendering` turns them into
Apple's camelCase JSON. Dates are strings exactly as Apple sends them (``YYYY-MM-DD`` or ``YYYY``
for release dates, ``YYYY-MM-DDThh:mm:ssZ`` for dateAdded).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class CatalogArtist:
    id: str
    name: str
    genre_names: list[str]
    url: str
    artwork_url: str


@dataclass(slots=True)
class CatalogAlbum:
    id: str
    name: str
    artist_name: str
    artist_id: str
    release_date: str
    record_label: str
    upc: str
    genre_names: list[str]
    copyright: str
    url: str
    artwork_url: str
    is_compilation: bool
    is_single: bool
    content_rating: str | None
    song_ids: list[str] = field(default_factory=list)

    @property
    def track_count(self) -> int:
        return len(self.song_ids)


@dataclass(slots=True)
class CatalogSong:
    """A catalog song (``type: songs``) or catalog music video (``kind == "musicVideo"``)."""

    id: str
    name: str
    artist_name: str
    album_name: str
    album_id: str
    artist_id: str
    composer_name: str
    genre_names: list[str]
    track_number: int
    disc_number: int
    duration_ms: int
    release_date: str
    isrc: str
    has_lyrics: bool
    is_apple_digital_master: bool
    url: str
    artwork_url: str
    content_rating: str | None
    preview_url: str
    withdrawn: bool = False
    kind: str = "song"
    playable: bool = True
    """False: listed without ``playParams`` (not playable in the storefront)."""


@dataclass(slots=True)
class CatalogPlaylist:
    id: str
    name: str
    curator_name: str
    description: str
    url: str
    playlist_type: str
    artwork_url: str
    song_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class LibrarySong:
    """A library song (``kind == "song"``) or library music video (``kind == "musicVideo"``)."""

    id: str
    name: str
    artist_name: str
    album_name: str
    genre_names: list[str]
    track_number: int
    disc_number: int
    duration_ms: int
    release_date: str | None
    content_rating: str | None
    catalog_id: str | None
    date_added: str | None
    kind: str
    has_lyrics: bool
    artwork_url: str
    album_id: str | None
    artist_id: str | None
    greyed: bool = False
    """True: Apple greys the song out (no ``playParams``), as after a withdrawal."""


@dataclass(slots=True)
class LibraryAlbum:
    id: str
    name: str
    artist_name: str
    artist_id: str | None
    genre_names: list[str]
    release_date: str | None
    content_rating: str | None
    catalog_id: str | None
    date_added: str | None
    artwork_url: str
    song_ids: list[str] = field(default_factory=list)

    @property
    def track_count(self) -> int:
        return len(self.song_ids)


@dataclass(slots=True)
class LibraryArtist:
    id: str
    name: str
    catalog_id: str | None


@dataclass(slots=True)
class LibraryPlaylist:
    id: str
    name: str
    description: str
    can_edit: bool
    is_public: bool
    global_id: str | None
    date_added: str | None
    parent_id: str | None
    tracks: list[str] = field(default_factory=list)
    artwork_url: str | None = None


@dataclass(slots=True)
class PlaylistFolder:
    id: str
    name: str
    parent_id: str | None
    date_added: str | None


CatalogMusicVideo = CatalogSong


@dataclass(slots=True)
class ReplayData:
    """Apple's Replay summary of one year: catalog ids of the top songs, albums and artists,
    in Apple's order (``GET /v1/me/music-summaries``)."""

    year: int
    songs: list[str] = field(default_factory=list)
    albums: list[str] = field(default_factory=list)
    artists: list[str] = field(default_factory=list)
