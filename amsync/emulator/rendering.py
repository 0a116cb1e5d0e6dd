"""Apple-shaped JSON for every resource, pre-rendered once per variant and cached as bytes.

A variant is (resource type, id, include set, extend dateAdded, extend inFavorites). Caches are
dropped when ``Library.version`` changes; inFavorites variants also when ``ratings_version``
changes. Pages are then built by joining cached byte fragments.

[UNCERTAIN] choices: nested resources (inside ``relationships``) carry id, type, href and all
attributes but no relationships of their own; uploads' playParams are
``{"id","kind","isLibrary":true,"reporting":false}``; catalog albums list ``artists`` and ``tracks``
as identifier-only default relationships.
"""

from __future__ import annotations

import json
from typing import Any

from amsync.emulator.library import Library
from amsync.emulator.resources import (
    CatalogAlbum,
    CatalogArtist,
    CatalogPlaylist,
    CatalogSong,
    LibraryAlbum,
    LibraryArtist,
    LibraryPlaylist,
    LibrarySong,
    PlaylistFolder,
)

JsonDict = dict[str, Any]
Variant = tuple[frozenset[str], bool, bool]
PLAIN: Variant = (frozenset(), False, False)
LIBRARY_PATHS = {
    "library-songs": "songs",
    "library-music-videos": "music-videos",
    "library-albums": "albums",
    "library-artists": "artists",
    "library-playlists": "playlists",
    "library-playlist-folders": "playlist-folders",
}


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _artwork(url: str | None, size: int | None = 1200) -> JsonDict | None:
    if url is None:
        return None
    return {"width": size, "height": size, "url": url}


def identifier(rtype: str, rid: str, storefront: str) -> JsonDict:
    """``{"id","type","href"}`` for any resource type."""
    if rtype in LIBRARY_PATHS:
        href = f"/v1/me/library/{LIBRARY_PATHS[rtype]}/{rid}"
    else:
        href = f"/v1/catalog/{storefront}/{rtype}/{rid}"
    return {"id": rid, "type": rtype, "href": href}


class Renderer:
    """Renders resources of one :class:`Library` with byte caches."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._cache: dict[tuple[str, str, Variant], bytes] = {}
        self._fav_cache: dict[tuple[str, str, Variant], bytes] = {}
        self._version = library.version
        self._ratings_version = library.ratings_version

    def _check(self) -> None:
        lib = self.library
        if lib.version != self._version:
            self._cache.clear()
            self._fav_cache.clear()
            self._version = lib.version
            self._ratings_version = lib.ratings_version
        elif lib.ratings_version != self._ratings_version:
            self._fav_cache.clear()
            self._ratings_version = lib.ratings_version

    def fragment(self, rtype: str, rid: str, variant: Variant = PLAIN) -> bytes:
        """The cached JSON bytes of one resource (raises KeyError for unknown ids)."""
        self._check()
        cache = self._fav_cache if variant[2] else self._cache
        key = (rtype, rid, variant)
        found = cache.get(key)
        if found is None:
            found = dumps(self.resource(rtype, rid, variant))
            cache[key] = found
        return found

    # ------------------------------------------------------------------ dict builders
    def resource(self, rtype: str, rid: str, variant: Variant = PLAIN) -> JsonDict:
        """The resource as a dict (with relationships for ``include`` values)."""
        lib = self.library
        includes, date_added, in_favorites = variant
        body = self._bare(rtype, rid, date_added)
        if in_favorites and rtype != "library-artists" and not rtype.endswith("folders"):
            body["attributes"]["inFavorites"] = lib.rating_of(rtype, rid) == 1
        relationships = self._default_relationships(rtype, rid)
        for name in sorted(includes):
            related = self.related(rtype, rid, name)
            if related is None:
                continue
            data = [self._bare(t, i, False) for t, i in related[:100]]
            entry: JsonDict = {"href": f"{body['href']}/{name}", "data": data}
            if len(related) > 100:
                entry["next"] = f"{body['href']}/{name}?offset=100"
            relationships[name] = entry
        if relationships:
            body["relationships"] = relationships
        return body

    def _default_relationships(self, rtype: str, rid: str) -> JsonDict:
        lib, sf = self.library, self.library.storefront
        out: JsonDict = {}
        if rtype == "songs":
            song = lib.catalog_songs[rid]
            base = f"/v1/catalog/{sf}/songs/{rid}"
            out["albums"] = {
                "href": base + "/albums",
                "data": [identifier("albums", song.album_id, sf)],
            }
            out["artists"] = {
                "href": base + "/artists",
                "data": [identifier("artists", song.artist_id, sf)],
            }
        elif rtype == "albums":
            album = lib.catalog_albums[rid]
            base = f"/v1/catalog/{sf}/albums/{rid}"
            out["artists"] = {
                "href": base + "/artists",
                "data": [identifier("artists", album.artist_id, sf)],
            }
            tracks = [
                identifier("songs", s, sf)
                for s in album.song_ids
                if s in lib.catalog_songs and not lib.catalog_songs[s].withdrawn
            ]
            out["tracks"] = {"href": base + "/tracks", "data": tracks}
        return out

    def related(self, rtype: str, rid: str, name: str) -> list[tuple[str, str]] | None:
        """(type, id) pairs of a relationship, or None when the relationship does not exist."""
        lib = self.library
        if name == "catalog":
            catalog_id, ctype, pool = self._catalog_link(rtype, rid)
            if ctype is None:
                return None
            alive = catalog_id is not None and catalog_id in pool
            if alive and ctype == "songs" and lib.catalog_songs[catalog_id or ""].withdrawn:
                alive = False
            return [(ctype, catalog_id or "")] if alive else []
        if rtype in ("library-songs", "library-music-videos"):
            song = lib.songs.get(rid) or lib.music_videos[rid]
            if name == "albums":
                return [("library-albums", song.album_id)] if song.album_id in lib.albums else []
            if name == "artists":
                ok = song.artist_id in lib.artists
                return [("library-artists", song.artist_id or "")] if ok else []
        elif rtype == "library-albums":
            album = lib.albums[rid]
            if name == "tracks":
                return [("library-songs", s) for s in album.song_ids if s in lib.songs]
            if name == "artists":
                ok = album.artist_id in lib.artists
                return [("library-artists", album.artist_id or "")] if ok else []
        elif rtype == "library-artists":
            if name == "albums":
                by = [a for a in lib.albums.values() if a.artist_id == rid]
                return [("library-albums", a.id) for a in sorted(by, key=lambda a: (a.name, a.id))]
        elif rtype == "library-playlists" and name == "tracks":
            return [(self.track_type(t), t) for t in lib.playlists[rid].tracks]
        return None

    def track_type(self, track_id: str) -> str:
        return "library-music-videos" if track_id in self.library.music_videos else "library-songs"

    def _catalog_link(self, rtype: str, rid: str) -> tuple[str | None, str | None, dict[str, Any]]:
        lib = self.library
        if rtype == "library-songs":
            return lib.songs[rid].catalog_id, "songs", lib.catalog_songs
        if rtype == "library-music-videos":
            return lib.music_videos[rid].catalog_id, "music-videos", lib.catalog_music_videos
        if rtype == "library-albums":
            return lib.albums[rid].catalog_id, "albums", lib.catalog_albums
        if rtype == "library-artists":
            return lib.artists[rid].catalog_id, "artists", lib.catalog_artists
        if rtype == "library-playlists":
            return lib.playlists[rid].global_id, "playlists", lib.catalog_playlists
        return None, None, {}

    def _bare(self, rtype: str, rid: str, date_added: bool) -> JsonDict:
        lib = self.library
        body = identifier(rtype, rid, lib.storefront)
        if rtype == "library-songs":
            body["attributes"] = library_song_attributes(lib.songs[rid], date_added)
        elif rtype == "library-music-videos":
            body["attributes"] = library_song_attributes(lib.music_videos[rid], date_added)
        elif rtype == "library-albums":
            body["attributes"] = library_album_attributes(lib.albums[rid])
        elif rtype == "library-artists":
            body["attributes"] = library_artist_attributes(lib.artists[rid])
        elif rtype == "library-playlists":
            body["attributes"] = library_playlist_attributes(lib.playlists[rid])
        elif rtype == "library-playlist-folders":
            body["attributes"] = folder_attributes(lib.folders[rid])
        elif rtype == "songs":
            body["attributes"] = catalog_song_attributes(lib.catalog_songs[rid])
        elif rtype == "music-videos":
            body["attributes"] = catalog_song_attributes(lib.catalog_music_videos[rid])
        elif rtype == "albums":
            body["attributes"] = catalog_album_attributes(lib.catalog_albums[rid])
        elif rtype == "artists":
            body["attributes"] = catalog_artist_attributes(lib.catalog_artists[rid])
        elif rtype == "playlists":
            body["attributes"] = catalog_playlist_attributes(lib.catalog_playlists[rid])
        else:
            raise KeyError(rtype)
        return body


def library_song_attributes(song: LibrarySong, date_added: bool) -> JsonDict:
    kind = song.kind
    play: JsonDict = {"id": song.id, "kind": kind, "isLibrary": True}
    if song.catalog_id is not None:
        play.update(reporting=True, catalogId=song.catalog_id, reportingId=song.catalog_id)
    else:
        play["reporting"] = False
    attrs: JsonDict = {
        "name": song.name,
        "artistName": song.artist_name,
        "genreNames": list(song.genre_names),
        "durationInMillis": song.duration_ms,
        "hasLyrics": song.has_lyrics,
        "artwork": _artwork(song.artwork_url),
    }
    if not song.greyed:  # a greyed-out song comes without playParams (reference §7.1)
        attrs["playParams"] = play
    if kind == "song":
        attrs.update(albumName=song.album_name, trackNumber=song.track_number)
        attrs["discNumber"] = song.disc_number
    if song.release_date is not None:
        attrs["releaseDate"] = song.release_date
    if song.content_rating is not None:
        attrs["contentRating"] = song.content_rating
    if date_added and song.date_added is not None:
        attrs["dateAdded"] = song.date_added
    return attrs


def library_album_attributes(album: LibraryAlbum) -> JsonDict:
    attrs: JsonDict = {
        "name": album.name,
        "artistName": album.artist_name,
        "artwork": _artwork(album.artwork_url),
        "genreNames": list(album.genre_names),
        "trackCount": album.track_count,
        "playParams": {"id": album.id, "kind": "album", "isLibrary": True},
    }
    if album.release_date is not None:
        attrs["releaseDate"] = album.release_date
    if album.date_added is not None:
        attrs["dateAdded"] = album.date_added
    if album.content_rating is not None:
        attrs["contentRating"] = album.content_rating
    return attrs


def library_artist_attributes(artist: LibraryArtist) -> JsonDict:
    return {"name": artist.name}


def library_playlist_attributes(playlist: LibraryPlaylist) -> JsonDict:
    play: JsonDict = {"id": playlist.id, "kind": "playlist", "isLibrary": True}
    if playlist.global_id is not None:
        play["globalId"] = playlist.global_id
    attrs: JsonDict = {
        "name": playlist.name,
        "canEdit": playlist.can_edit,
        "isPublic": playlist.is_public,
        "hasCatalog": playlist.global_id is not None,
        "playParams": play,
    }
    if playlist.date_added is not None:
        attrs["dateAdded"] = playlist.date_added
    if playlist.description:
        attrs["description"] = {"standard": playlist.description}
    if playlist.artwork_url is not None:
        attrs["artwork"] = _artwork(playlist.artwork_url, None)
    return attrs


def folder_attributes(folder: PlaylistFolder) -> JsonDict:
    attrs: JsonDict = {"name": folder.name}
    if folder.date_added is not None:
        attrs["dateAdded"] = folder.date_added
    return attrs


def _catalog_artwork(url: str) -> JsonDict:
    return {
        "width": 3000,
        "height": 3000,
        "url": url,
        "bgColor": "202020",
        "textColor1": "aea6f6",
        "textColor2": "b68ef6",
        "textColor3": "918bcb",
        "textColor4": "9878cb",
    }


def catalog_song_attributes(song: CatalogSong) -> JsonDict:
    attrs: JsonDict = {
        "name": song.name,
        "artistName": song.artist_name,
        "albumName": song.album_name,
        "composerName": song.composer_name,
        "genreNames": list(song.genre_names),
        "trackNumber": song.track_number,
        "discNumber": song.disc_number,
        "durationInMillis": song.duration_ms,
        "releaseDate": song.release_date,
        "hasLyrics": song.has_lyrics,
        "isAppleDigitalMaster": song.is_apple_digital_master,
        "url": song.url,
        "artwork": _catalog_artwork(song.artwork_url),
        "previews": [{"url": song.preview_url}],
    }
    if song.isrc:
        attrs["isrc"] = song.isrc
    if song.playable:  # not playable in the storefront: listed without playParams (§7.1)
        attrs["playParams"] = {"id": song.id, "kind": song.kind}
    if song.content_rating is not None:
        attrs["contentRating"] = song.content_rating
    return attrs


def catalog_album_attributes(album: CatalogAlbum) -> JsonDict:
    attrs: JsonDict = {
        "name": album.name,
        "artistName": album.artist_name,
        "releaseDate": album.release_date,
        "recordLabel": album.record_label,
        "trackCount": album.track_count,
        "upc": album.upc,
        "genreNames": list(album.genre_names),
        "copyright": album.copyright,
        "url": album.url,
        "artwork": _catalog_artwork(album.artwork_url),
        "isCompilation": album.is_compilation,
        "isSingle": album.is_single,
        "playParams": {"id": album.id, "kind": "album"},
    }
    if album.content_rating is not None:
        attrs["contentRating"] = album.content_rating
    return attrs


def catalog_artist_attributes(artist: CatalogArtist) -> JsonDict:
    return {
        "name": artist.name,
        "genreNames": list(artist.genre_names),
        "url": artist.url,
        "artwork": _catalog_artwork(artist.artwork_url),
    }


def catalog_playlist_attributes(playlist: CatalogPlaylist) -> JsonDict:
    return {
        "name": playlist.name,
        "curatorName": playlist.curator_name,
        "description": {"standard": playlist.description},
        "url": playlist.url,
        "playlistType": playlist.playlist_type,
        "artwork": _catalog_artwork(playlist.artwork_url),
        "playParams": {"id": playlist.id, "kind": "playlist"},
    }
