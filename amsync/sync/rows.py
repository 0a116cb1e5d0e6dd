"""Domain items → the column values the mirror stores, and their fingerprints.

A fingerprint is a hash of exactly the stored values, so "unchanged" means "nothing to write".
Genres are stored as a JSON array in text. A playlist's track list is fingerprinted by the
sequence of its entries' ids: a new revision is recorded when that sequence (or the playlist's
name) changes; an entry keeps the name and artist the listing gave when its revision began.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from amsync.domain import (
    CatalogAlbum,
    CatalogArtist,
    CatalogSong,
    LibraryAlbum,
    LibraryArtist,
    LibraryPlaylist,
    LibrarySong,
    PlaylistFolder,
)

Row = dict[str, Any]

NUL_REPLACEMENT = "\ufffd"


def clean_text(value: Any) -> Any:
    """Text as the mirror stores it: a NUL character becomes U+FFFD, on every backend alike
    (PostgreSQL cannot store NUL in text, and one mirror must not differ by backend)."""
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", NUL_REPLACEMENT)
    return value


def _cleaned(row: Row) -> Row:
    return {key: clean_text(value) for key, value in row.items()}


def fingerprint(row: Mapping[str, Any]) -> str:
    """A hash of the row's values. Rows are built by the functions below with a fixed order of
    keys, and hold only text, numbers, booleans and ``None``, whose ``repr`` is stable."""
    encoded = repr(tuple(row.items())).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(encoded, digest_size=16).hexdigest()


def _genres(genres: Sequence[str]) -> str | None:
    if not genres:
        return None
    if isinstance(genres, tuple):  # the parsers' type: a few hundred distinct lists at most
        return _genres_text(genres)
    return json.dumps(list(genres), ensure_ascii=False)


@functools.lru_cache(maxsize=4096)
def _genres_text(genres: tuple[str, ...]) -> str:
    return json.dumps(list(genres), ensure_ascii=False)


def song_row(song: LibrarySong) -> Row:
    return _cleaned(
        {
            "library_id": song.library_id,
            "catalog_id": song.catalog_id,
            "kind": str(song.kind),
            "name": song.name,
            "artist": song.artist,
            "album": song.album,
            "duration_ms": song.duration_ms,
            "track_number": song.track_number,
            "disc_number": song.disc_number,
            "genres": _genres(song.genres),
            "release_date": song.release_date,
            "content_rating": song.content_rating,
            "date_added": song.date_added,
            "artwork_url": song.artwork_url,
            "playable": song.playable,
        }
    )


def album_row(album: LibraryAlbum) -> Row:
    return _cleaned(
        {
            "library_id": album.library_id,
            "catalog_id": album.catalog_id,
            "name": album.name,
            "artist": album.artist,
            "track_count": album.track_count,
            "release_date": album.release_date,
            "genres": _genres(album.genres),
            "date_added": album.date_added,
            "artwork_url": album.artwork_url,
        }
    )


def artist_row(artist: LibraryArtist) -> Row:
    return _cleaned(
        {"library_id": artist.library_id, "catalog_id": artist.catalog_id, "name": artist.name}
    )


def playlist_row(playlist: LibraryPlaylist, folder_id: str | None) -> Row:
    return _cleaned(
        {
            "library_id": playlist.library_id,
            "catalog_id": playlist.catalog_id,
            "name": playlist.name,
            "description": playlist.description,
            "can_edit": playlist.can_edit,
            "is_public": playlist.is_public,
            "has_catalog": playlist.has_catalog,
            "date_added": playlist.date_added,
            "artwork_url": playlist.artwork_url,
            "folder_library_id": folder_id,
        }
    )


def folder_row(folder: PlaylistFolder) -> Row:
    return _cleaned(
        {
            "library_id": folder.library_id,
            "catalog_id": None,
            "name": folder.name,
            "parent_library_id": folder.parent_id,
            "date_added": folder.date_added,
        }
    )


def entry_rows(tracks: Iterable[LibrarySong]) -> list[Row]:
    return [
        _cleaned(
            {
                "position": position,
                "track_library_id": track.library_id,
                "track_catalog_id": track.catalog_id,
                "kind": str(track.kind),
                "name": track.name,
                "artist": track.artist,
                "album": track.album,
                "duration_ms": track.duration_ms,
            }
        )
        for position, track in enumerate(tracks)
    ]


def tracks_fingerprint(entries: Sequence[Mapping[str, Any]]) -> str:
    return fingerprint(
        {"ids": [(e["track_library_id"], e["track_catalog_id"], e["kind"]) for e in entries]}
    )


def catalog_song_row(song: CatalogSong) -> Row:
    return _cleaned(
        {
            "catalog_id": song.catalog_id,
            "name": song.name,
            "artist": song.artist,
            "album": song.album,
            "isrc": song.isrc,
            "duration_ms": song.duration_ms,
            "genres": _genres(song.genres),
            "release_date": song.release_date,
            "composer": song.composer,
            "url": song.url,
            "artwork_url": song.artwork_url,
            "track_number": song.track_number,
            "disc_number": song.disc_number,
            "content_rating": song.content_rating,
            "playable": song.playable,
        }
    )


def catalog_fingerprint(row: Mapping[str, Any]) -> str:
    """The fingerprint of a catalog row. ``playable`` (added by migration 0007) counts only
    when false, so that rows fingerprinted before it existed stay unchanged: upgrading amsync
    does not rewrite every catalog row."""
    if row.get("playable") is True:
        row = {key: value for key, value in row.items() if key != "playable"}
    return fingerprint(row)


def catalog_album_row(album: CatalogAlbum) -> Row:
    return _cleaned(
        {
            "catalog_id": album.catalog_id,
            "name": album.name,
            "artist": album.artist,
            "release_date": album.release_date,
            "record_label": album.record_label,
            "track_count": album.track_count,
            "upc": album.upc,
            "genres": _genres(album.genres),
            "url": album.url,
            "artwork_url": album.artwork_url,
            "copyright": album.copyright,
        }
    )


def catalog_artist_row(artist: CatalogArtist) -> Row:
    return _cleaned(
        {
            "catalog_id": artist.catalog_id,
            "name": artist.name,
            "genres": _genres(artist.genres),
            "url": artist.url,
            "artwork_url": artist.artwork_url,
        }
    )
