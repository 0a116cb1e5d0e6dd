"""The emulator's state (:class:`Library`) and the mutations Apple's side can make to it.

All collections are dicts keyed by id. Mutate through the methods here (they bump
``version`` / ``ratings_version`` so cached renderings and sort orders are refreshed); tests may
read the dicts freely to compute the mirror they expect.

Ratings are stored once per underlying item under a key ``"<kind>:<catalog id>"`` (or the
library id for items without a catalog id), so rating a catalog id or its library id is the same
state (reference §4.1). [UNCERTAIN] Removing a folder moves its children to the folder's parent.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace
from typing import Any

from amsync.emulator.identifiers import IdFactory
from amsync.emulator.resources import (
    CatalogAlbum,
    CatalogArtist,
    CatalogMusicVideo,
    CatalogPlaylist,
    CatalogSong,
    LibraryAlbum,
    LibraryArtist,
    LibraryPlaylist,
    LibrarySong,
    PlaylistFolder,
    ReplayData,
)

RATING_KINDS: dict[str, str] = {
    "songs": "song",
    "library-songs": "song",
    "albums": "album",
    "library-albums": "album",
    "playlists": "playlist",
    "library-playlists": "playlist",
    "music-videos": "music-video",
    "library-music-videos": "music-video",
    "stations": "station",
}
_KINDS = frozenset(RATING_KINDS.values())
SONG_FIELDS = frozenset(LibrarySong.__slots__) - {"id"}


def now_timestamp() -> str:
    """The current UTC time in Apple's ``YYYY-MM-DDThh:mm:ssZ`` form."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Library:
    """Catalog + one user's library + ratings."""

    def __init__(self, seed: int = 0, storefront: str = "us") -> None:
        self.storefront = storefront
        self.ids = IdFactory(random.Random(f"mutations-{seed}"))
        self.catalog_songs: dict[str, CatalogSong] = {}
        self.catalog_music_videos: dict[str, CatalogMusicVideo] = {}
        self.catalog_albums: dict[str, CatalogAlbum] = {}
        self.catalog_artists: dict[str, CatalogArtist] = {}
        self.catalog_playlists: dict[str, CatalogPlaylist] = {}
        self.songs: dict[str, LibrarySong] = {}
        self.music_videos: dict[str, LibrarySong] = {}
        self.albums: dict[str, LibraryAlbum] = {}
        self.artists: dict[str, LibraryArtist] = {}
        self.playlists: dict[str, LibraryPlaylist] = {}
        self.folders: dict[str, PlaylistFolder] = {}
        self.ratings: dict[str, int] = {}
        self.replay: ReplayData | None = None  # Apple's Replay summary (music-summaries)
        self.version = 0
        self.ratings_version = 0

    # ------------------------------------------------------------------ bookkeeping
    def touch(self) -> None:
        """Mark the state as changed (call after editing the dicts directly)."""
        self.version += 1

    def _new_date(self) -> str:
        return now_timestamp()

    # ------------------------------------------------------------------ ratings
    def rating_key(self, kind_or_type: str, identifier: str) -> str | None:
        """The shared rating key of an item, or None for an unknown library id."""
        kind = RATING_KINDS.get(kind_or_type, kind_or_type)
        if kind not in _KINDS:
            raise ValueError(f"no ratings for {kind_or_type!r}")
        catalog_id: str | None = identifier
        if kind_or_type.startswith("library-") or (
            kind_or_type == kind and identifier[:2] in ("i.", "l.", "p.")
        ):
            if kind == "song":
                song = self.songs.get(identifier)
                if song is None:
                    return None
                catalog_id = song.catalog_id
            elif kind == "music-video":
                video = self.music_videos.get(identifier)
                if video is None:
                    return None
                catalog_id = video.catalog_id
            elif kind == "album":
                album = self.albums.get(identifier)
                if album is None:
                    return None
                catalog_id = album.catalog_id
            elif kind == "playlist":
                playlist = self.playlists.get(identifier)
                if playlist is None:
                    return None
                catalog_id = playlist.global_id
            if catalog_id is None:
                catalog_id = identifier
        return f"{kind}:{catalog_id}"

    def rating_of(self, kind_or_type: str, identifier: str) -> int | None:
        """The rating (1 or -1) of an item addressed by catalog or library id, or None."""
        key = self.rating_key(kind_or_type, identifier)
        return None if key is None else self.ratings.get(key)

    def set_rating(self, kind_or_type: str, identifier: str, value: int | None) -> None:
        """Rate (1 / -1) or unrate (None) an item; unknown library ids raise KeyError."""
        if value not in (1, -1, None):
            raise ValueError("a rating is 1 or -1")
        key = self.rating_key(kind_or_type, identifier)
        if key is None:
            raise KeyError(identifier)
        if value is None:
            self.ratings.pop(key, None)
        else:
            self.ratings[key] = value
        self.ratings_version += 1

    # ------------------------------------------------------------------ songs
    def _album_for_catalog(self, catalog_album: CatalogAlbum) -> LibraryAlbum:
        for album in self.albums.values():
            if album.catalog_id == catalog_album.id:
                return album
        artist = self._artist_for(catalog_album.artist_name, catalog_album.artist_id)
        album = LibraryAlbum(
            id=self.ids.library("l."),
            name=catalog_album.name,
            artist_name=catalog_album.artist_name,
            artist_id=artist.id,
            genre_names=list(catalog_album.genre_names),
            release_date=catalog_album.release_date,
            content_rating=catalog_album.content_rating,
            catalog_id=catalog_album.id,
            date_added=self._new_date(),
            artwork_url=catalog_album.artwork_url,
        )
        self.albums[album.id] = album
        return album

    def _artist_for(self, name: str, catalog_id: str | None) -> LibraryArtist:
        for artist in self.artists.values():
            if (catalog_id is not None and artist.catalog_id == catalog_id) or (
                catalog_id is None and artist.name == name
            ):
                return artist
        artist = LibraryArtist(id=self.ids.library("r."), name=name, catalog_id=catalog_id)
        self.artists[artist.id] = artist
        return artist

    def add_song(self, catalog_id: str | None = None, **upload: Any) -> LibrarySong:
        """Add a catalog song (new library id each time) or, without catalog_id, an upload.

        Upload keyword arguments are LibrarySong fields (name, artist_name, album_name, …).
        """
        if catalog_id is not None:
            catalog = self.catalog_songs[catalog_id]
            catalog_album = self.catalog_albums.get(catalog.album_id)
            album = self._album_for_catalog(catalog_album) if catalog_album else None
            song = LibrarySong(
                id=self.ids.library("i."),
                name=catalog.name,
                artist_name=catalog.artist_name,
                album_name=catalog.album_name,
                genre_names=[g for g in catalog.genre_names if g != "Music"],
                track_number=catalog.track_number,
                disc_number=catalog.disc_number,
                duration_ms=catalog.duration_ms,
                release_date=catalog.release_date,
                content_rating=catalog.content_rating,
                catalog_id=catalog.id,
                date_added=self._new_date(),
                kind="song",
                has_lyrics=catalog.has_lyrics,
                artwork_url=catalog.artwork_url,
                album_id=album.id if album else None,
                artist_id=album.artist_id if album else None,
            )
        else:
            unknown = set(upload) - SONG_FIELDS
            if unknown:
                raise TypeError(f"unknown song fields: {sorted(unknown)}")
            fields: dict[str, Any] = {
                "name": "Untitled Upload",
                "artist_name": "Unknown Artist",
                "album_name": "Uploads",
                "genre_names": [],
                "track_number": 1,
                "disc_number": 1,
                "duration_ms": 180_000,
                "release_date": None,
                "content_rating": None,
                "catalog_id": None,
                "date_added": self._new_date(),
                "kind": "song",
                "has_lyrics": False,
                "artwork_url": "https://is1-ssl.mzstatic.com/image/thumb/upload/{w}x{h}bb.jpg",
                "album_id": None,
                "artist_id": None,
            }
            fields.update(upload)
            song = LibrarySong(id=self.ids.library("i."), **fields)
        if song.album_id is not None and song.album_id in self.albums:
            self.albums[song.album_id].song_ids.append(song.id)
        self.songs[song.id] = song
        self.touch()
        return song

    def remove_song(self, song_id: str) -> None:
        """Remove a library song (also from its album and every playlist)."""
        song = self.songs.pop(song_id)
        album = self.albums.get(song.album_id or "")
        if album is not None and song_id in album.song_ids:
            album.song_ids.remove(song_id)
            if not album.song_ids:
                del self.albums[album.id]
        for playlist in self.playlists.values():
            if song_id in playlist.tracks:
                playlist.tracks = [t for t in playlist.tracks if t != song_id]
        self.touch()

    def update_song(self, song_id: str, **attrs: Any) -> LibrarySong:
        """Change attributes of a library song (rename, retag, …)."""
        song = self.songs[song_id]
        unknown = set(attrs) - SONG_FIELDS
        if unknown:
            raise TypeError(f"unknown song fields: {sorted(unknown)}")
        for key, value in attrs.items():
            setattr(song, key, value)
        self.touch()
        return song

    def withdraw_catalog_song(
        self, catalog_id: str, *, grey_out: bool = False, leave_playlists: bool = False
    ) -> list[str]:
        """Apple withdraws a catalog song: catalog GETs and searches omit it, library songs keep
        the id. ``grey_out``: its library songs also lose ``playParams`` (so the catalog id
        is no longer told either); ``leave_playlists``: Apple takes them out of every
        playlist. Returns the library ids of the song."""
        self.catalog_songs[catalog_id].withdrawn = True
        return self._grey(catalog_id, grey_out=grey_out, leave_playlists=leave_playlists)

    def make_unplayable(self, catalog_id: str, *, leave_playlists: bool = False) -> list[str]:
        """The catalog song stays listed but is not playable in the storefront: catalog
        responses carry no ``playParams`` and its library songs are greyed out. Returns the
        library ids of the song."""
        self.catalog_songs[catalog_id].playable = False
        return self._grey(catalog_id, grey_out=True, leave_playlists=leave_playlists)

    def _new_catalog_id(self) -> str:
        """A catalog id no catalog item has (the generator handed out its own)."""
        pools = (self.catalog_songs, self.catalog_albums, self.catalog_music_videos)
        while True:
            candidate = self.ids.catalog()
            if not any(candidate in pool for pool in pools):
                return candidate

    def _grey(self, catalog_id: str, *, grey_out: bool, leave_playlists: bool) -> list[str]:
        owned = [s.id for s in self.songs.values() if s.catalog_id == catalog_id]
        for song_id in owned:
            self.songs[song_id].greyed = self.songs[song_id].greyed or grey_out
        if leave_playlists:
            gone = set(owned)
            for playlist in self.playlists.values():
                if gone.intersection(playlist.tracks):
                    playlist.tracks = [t for t in playlist.tracks if t not in gone]
        self.touch()
        return owned

    def add_catalog_release(
        self,
        catalog_id: str,
        *,
        album_name: str | None = None,
        playable: bool = True,
        duration_ms: int | None = None,
        isrc: str | None = None,
    ) -> CatalogSong:
        """Another catalog song of the same recording (by default the same ISRC) on an album
        of its own (a re-release, a compilation): several songs per ISRC, as Apple has."""
        original = self.catalog_songs[catalog_id]
        album_id = self._new_catalog_id()
        song_id = self._new_catalog_id()
        source_album = self.catalog_albums.get(original.album_id)
        album = CatalogAlbum(
            id=album_id,
            name=album_name or _reissue(original.album_name),
            artist_name=original.artist_name,
            artist_id=original.artist_id,
            release_date=original.release_date,
            record_label=source_album.record_label if source_album else "Independent",
            upc=f"9{album_id[-11:].rjust(11, '0')}",
            genre_names=list(original.genre_names),
            copyright=source_album.copyright if source_album else "",
            url=f"https://music.apple.com/{self.storefront}/album/{album_id}",
            artwork_url=original.artwork_url,
            is_compilation=album_name is not None,
            is_single=False,
            content_rating=original.content_rating,
            song_ids=[song_id],
        )
        self.catalog_albums[album_id] = album
        song = replace(
            original,
            id=song_id,
            album_name=album.name,
            album_id=album_id,
            track_number=1,
            disc_number=1,
            duration_ms=original.duration_ms if duration_ms is None else duration_ms,
            isrc=original.isrc if isrc is None else isrc,
            url=f"https://music.apple.com/{self.storefront}/album/{album_id}?i={song_id}",
            withdrawn=False,
            playable=playable,
        )
        self.catalog_songs[song_id] = song
        self.touch()
        return song

    # ------------------------------------------------------------------ albums / artists
    def add_album(self, catalog_album_id: str) -> LibraryAlbum:
        """Add a catalog album to the library together with its (available) songs."""
        catalog_album = self.catalog_albums[catalog_album_id]
        for song_id in catalog_album.song_ids:
            song = self.catalog_songs.get(song_id)
            if song is not None and not song.withdrawn:
                self.add_song(song_id)
        album = self._album_for_catalog(catalog_album)
        self.touch()
        return album

    def remove_album(self, album_id: str) -> None:
        """Remove a library album and its songs."""
        album = self.albums[album_id]
        for song_id in list(album.song_ids):
            if song_id in self.songs:
                self.remove_song(song_id)
        self.albums.pop(album_id, None)
        self.touch()

    def rename_album(self, album_id: str, name: str) -> None:
        album = self.albums[album_id]
        album.name = name
        for song_id in album.song_ids:
            if song_id in self.songs:
                self.songs[song_id].album_name = name
        self.touch()

    def add_artist(self, name: str, catalog_id: str | None = None) -> LibraryArtist:
        artist = LibraryArtist(id=self.ids.library("r."), name=name, catalog_id=catalog_id)
        self.artists[artist.id] = artist
        self.touch()
        return artist

    def remove_artist(self, artist_id: str) -> None:
        """Remove a library artist with its albums and songs."""
        for album in [a for a in self.albums.values() if a.artist_id == artist_id]:
            self.remove_album(album.id)
        for song in [s for s in self.songs.values() if s.artist_id == artist_id]:
            self.remove_song(song.id)
        del self.artists[artist_id]
        self.touch()

    def rename_artist(self, artist_id: str, name: str) -> None:
        self.artists[artist_id].name = name
        for album in self.albums.values():
            if album.artist_id == artist_id:
                album.artist_name = name
        for song in self.songs.values():
            if song.artist_id == artist_id:
                song.artist_name = name
        self.touch()

    # ------------------------------------------------------------------ playlists / folders
    def add_playlist(
        self,
        name: str,
        description: str = "",
        tracks: list[str] | None = None,
        parent_id: str | None = None,
        *,
        can_edit: bool = True,
        is_public: bool = False,
        global_id: str | None = None,
    ) -> LibraryPlaylist:
        if parent_id is not None and parent_id not in self.folders:
            raise KeyError(parent_id)
        playlist = LibraryPlaylist(
            id=self.ids.library("p."),
            name=name,
            description=description,
            can_edit=can_edit,
            is_public=is_public,
            global_id=global_id,
            date_added=self._new_date(),
            parent_id=parent_id,
            tracks=list(tracks or []),
        )
        self.playlists[playlist.id] = playlist
        self.touch()
        return playlist

    def remove_playlist(self, playlist_id: str) -> None:
        del self.playlists[playlist_id]
        self.touch()

    def rename_playlist(self, playlist_id: str, name: str) -> None:
        self.playlists[playlist_id].name = name
        self.touch()

    def set_playlist_tracks(self, playlist_id: str, tracks: list[str]) -> None:
        """Replace a playlist's ordered track ids (reorder, edit, duplicates allowed)."""
        self.playlists[playlist_id].tracks = list(tracks)
        self.touch()

    def move_playlist(self, playlist_id: str, folder_id: str | None) -> None:
        if folder_id is not None and folder_id not in self.folders:
            raise KeyError(folder_id)
        self.playlists[playlist_id].parent_id = folder_id
        self.touch()

    def add_folder(self, name: str, parent_id: str | None = None) -> PlaylistFolder:
        if parent_id is not None and parent_id not in self.folders:
            raise KeyError(parent_id)
        folder = PlaylistFolder(self.ids.library("p."), name, parent_id, self._new_date())
        self.folders[folder.id] = folder
        self.touch()
        return folder

    def remove_folder(self, folder_id: str) -> None:
        """Remove a folder; its child folders and playlists move to its parent."""
        folder = self.folders.pop(folder_id)
        for child in self.folders.values():
            if child.parent_id == folder_id:
                child.parent_id = folder.parent_id
        for playlist in self.playlists.values():
            if playlist.parent_id == folder_id:
                playlist.parent_id = folder.parent_id
        self.touch()

    def add_catalog_playlist(self, global_id: str) -> LibraryPlaylist:
        """Add a catalog playlist to the library (canEdit false, hasCatalog true)."""
        for playlist in self.playlists.values():
            if playlist.global_id == global_id:
                return playlist
        catalog = self.catalog_playlists[global_id]
        tracks = [self.library_song_for(cid).id for cid in catalog.song_ids]
        playlist = self.add_playlist(
            catalog.name, catalog.description, tracks, can_edit=False, global_id=global_id
        )
        playlist.artwork_url = catalog.artwork_url
        return playlist

    def library_song_for(self, catalog_id: str) -> LibrarySong:
        """The library song carrying a catalog id, added to the library if missing."""
        for song in self.songs.values():
            if song.catalog_id == catalog_id:
                return song
        return self.add_song(catalog_id)

    def clear_library(self) -> None:
        """Empty the user's library. The catalog stays, and so do ratings keyed by catalog ids
        (Apple rates catalog items, not library membership): ``ratings/songs?ids=<catalog id>``
        still answers them; ``ratings/library-songs`` of the removed library ids → 404."""
        for collection in (
            self.songs,
            self.music_videos,
            self.albums,
            self.artists,
            self.playlists,
            self.folders,
        ):
            collection.clear()
        self.touch()


def _reissue(album: str) -> str:
    """The title of a re-release of ``album``."""
    return f"{album} (Deluxe Edition)" if "remaster" in album.lower() else f"{album} (Remastered)"
