"""What the Apple Music library holds right now, read fresh through ``LibraryReader``.

A restore compares the backup with this, never with the mirror: the mirror may be days old, and
what matters is what Apple has now. Every listing must be complete — an incomplete listing would
make items look missing, and recreating a playlist that exists makes a duplicate — so an
incomplete one stops the restore (exit 75: try again later) before anything is written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

from amsync.domain import (
    FolderTree,
    LibraryAlbum,
    LibraryPlaylist,
    LibrarySong,
    ListingResult,
    PlaylistFolder,
)
from amsync.domain.ports import LibraryReader
from amsync.errors import IncompleteListing

RatingKey = tuple[str, str]
"""A ratings-API address: (resource type, id), e.g. ``("songs", "1622045954")``."""


@dataclass(slots=True)
class LiveLibrary:
    """The live library reduced to what a restore compares: ids, names and folder paths, plus
    the answers to the restore's questions (catalog availability, current ratings)."""

    song_ids: set[str] = field(default_factory=set)
    song_by_catalog: dict[str, str] = field(default_factory=dict)
    video_ids: set[str] = field(default_factory=set)
    video_catalog_ids: set[str] = field(default_factory=set)
    album_ids: set[str] = field(default_factory=set)
    album_catalog_ids: set[str] = field(default_factory=set)
    playlists: list[LibraryPlaylist] = field(default_factory=list)
    folders: dict[str, str] = field(default_factory=dict)
    checked_songs: set[str] = field(default_factory=set)
    available_songs: set[str] = field(default_factory=set)
    checked_albums: set[str] = field(default_factory=set)
    available_albums: set[str] = field(default_factory=set)
    ratings: dict[RatingKey, int] = field(default_factory=dict)

    def song_withdrawn(self, catalog_id: str) -> bool:
        return catalog_id in self.checked_songs and catalog_id not in self.available_songs

    def album_withdrawn(self, catalog_id: str) -> bool:
        return catalog_id in self.checked_albums and catalog_id not in self.available_albums

    def live_song_id(self, library_id: str, catalog_id: str | None) -> str | None:
        """The live library id of a backed-up song: the same id, or a song with its catalog
        id (a song added again gets a new library id)."""
        if library_id in self.song_ids:
            return library_id
        if catalog_id is not None:
            return self.song_by_catalog.get(catalog_id)
        return None


async def read_listings(reader: LibraryReader) -> LiveLibrary:
    """Songs, music videos, albums, playlists and folders, each listing complete."""
    songs: list[LibrarySong] = []
    videos: list[LibrarySong] = []
    albums: list[LibraryAlbum] = []
    playlists: list[LibraryPlaylist] = []
    results = await asyncio.gather(
        reader.list_songs(songs.extend, include_catalog=False),
        reader.list_music_videos(videos.extend),
        reader.list_albums(albums.extend, include_catalog=False),
        reader.list_playlists(playlists.extend),
    )
    tree = await reader.list_folder_tree()
    _require_complete([*results, tree.listing])
    live = LiveLibrary(playlists=playlists, folders=folder_paths(tree))
    for song in songs:
        live.song_ids.add(song.library_id)
        if song.catalog_id is not None:
            live.song_by_catalog.setdefault(song.catalog_id, song.library_id)
    for video in videos:
        live.video_ids.add(video.library_id)
        if video.catalog_id is not None:
            live.video_catalog_ids.add(video.catalog_id)
    for album in albums:
        live.album_ids.add(album.library_id)
        if album.catalog_id is not None:
            live.album_catalog_ids.add(album.catalog_id)
    return live


async def check_catalog(
    reader: LibraryReader, live: LiveLibrary, songs: Iterable[str], albums: Iterable[str]
) -> None:
    """Ask Apple's catalog which of these ids it still has (withdrawn ones are omitted)."""
    song_ids = sorted(set(songs) - live.checked_songs)
    album_ids = sorted(set(albums) - live.checked_albums)
    if song_ids:
        found = await reader.get_catalog_songs(song_ids)
        live.checked_songs.update(song_ids)
        live.available_songs.update(song.catalog_id for song in found)
    if album_ids:
        found_albums = await reader.get_catalog_albums(album_ids)
        live.checked_albums.update(album_ids)
        live.available_albums.update(album.catalog_id for album in found_albums)


async def read_ratings(reader: LibraryReader, live: LiveLibrary, keys: Iterable[RatingKey]) -> None:
    """Apple's current ratings of these items (unrated ones stay absent)."""
    by_type: dict[str, set[str]] = {}
    for resource_type, item_id in keys:
        by_type.setdefault(resource_type, set()).add(item_id)
    for resource_type, ids in sorted(by_type.items()):
        values = await reader.get_ratings(resource_type, sorted(ids))
        for item_id, value in values.items():
            live.ratings[(resource_type, item_id)] = value


def folder_paths(tree: FolderTree) -> dict[str, str]:
    """Folder path (names joined with ``/``, as exports write them) → folder id."""
    by_id = {folder.library_id: folder for folder in tree.folders}
    paths: dict[str, str] = {}
    for folder in tree.folders:
        names: list[str] = []
        current: PlaylistFolder | None = folder
        seen: set[str] = set()
        while current is not None and current.library_id not in seen:
            seen.add(current.library_id)
            names.append(current.name)
            parent = current.parent_id
            current = by_id.get(parent) if parent is not None and parent != tree.root_id else None
        paths.setdefault("/".join(reversed(names)), folder.library_id)
    return paths


def _require_complete(results: Iterable[ListingResult]) -> None:
    incomplete = [result for result in results if not result.complete]
    if incomplete:
        problems = "; ".join(
            f"{r.collection}: {', '.join(r.problems[:3]) or 'incomplete'}" for r in incomplete
        )
        raise IncompleteListing(
            f"the live library could not be listed completely ({problems}); nothing was "
            "written, because a missing item would be recreated twice",
            hint="try again later",
        )
