"""The fetch phase: every listing Apple gives, read completely and concurrently, staged.

Four chains run at once and share the client's adaptive rate: songs (and music videos) then
their ratings; albums then theirs; artists; playlists with the folder tree, then each playlist's
tracks, then the playlists' ratings. Catalog metadata comes inline (``include=catalog``); only
catalog ids that no listing carried and the mirror does not know (or knows too old) are fetched
in batches afterwards. Memory holds ids and fingerprints; rows go to ``Staging``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, TypeVar

from amsync.domain import (
    ItemType,
    LibraryAlbum,
    LibraryArtist,
    LibraryPlaylist,
    LibrarySong,
    ListingResult,
    ProgressCallback,
    ProgressEvent,
    TrackKind,
)
from amsync.domain.ports import LibraryReader
from amsync.sync import rows
from amsync.sync.staging import Staging

ITEM_COLLECTIONS: Final = ("folders", "playlists", "artists", "albums", "songs")
CATALOG_KINDS: Final = ("catalog_songs", "catalog_albums", "catalog_artists")
TRACK_LISTINGS_AT_ONCE: Final = 16


class _Linked(Protocol):
    """A library item that may link to a catalog item (songs, albums, artists)."""

    @property
    def library_id(self) -> str: ...

    @property
    def catalog_id(self) -> str | None: ...

    @property
    def catalog(self) -> object | None: ...


ItemT = TypeVar("ItemT", bound=_Linked)


@dataclass(slots=True)
class Fetched:
    """One collection as Apple listed it: library id → fingerprint of the row to store."""

    fingerprints: dict[str, str] = field(default_factory=dict)
    complete: bool = True
    expected_total: int | None = None
    problems: list[str] = field(default_factory=list)

    def absorb(self, result: ListingResult) -> None:
        self.complete = self.complete and result.complete
        if result.expected_total is not None:
            self.expected_total = (self.expected_total or 0) + result.expected_total
        self.problems.extend(result.problems)


@dataclass(slots=True)
class TrackList:
    fingerprint: str
    count: int
    complete: bool


@dataclass(slots=True)
class Snapshot:
    storefront: str
    items: dict[str, Fetched] = field(
        default_factory=lambda: {c: Fetched() for c in ITEM_COLLECTIONS}
    )
    catalog: dict[str, dict[str, str]] = field(
        default_factory=lambda: {k: {} for k in CATALOG_KINDS}
    )
    catalog_missing: dict[str, set[str]] = field(
        default_factory=lambda: {k: set() for k in CATALOG_KINDS}
    )
    tracks: dict[str, TrackList] = field(default_factory=dict)
    ratings: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        return [p for fetched in self.items.values() for p in fetched.problems]


@dataclass(slots=True)
class KnownCatalog:
    """Catalog ids the mirror holds fresh enough not to fetch again, with whether Apple's
    catalog still had them (``False``: withdrawn)."""

    fresh: dict[str, dict[str, bool]] = field(
        default_factory=lambda: {k: {} for k in CATALOG_KINDS}
    )


class Fetcher:
    def __init__(
        self,
        api: LibraryReader,
        staging: Staging,
        known: KnownCatalog,
        progress: ProgressCallback,
    ) -> None:
        self.api = api
        self.staging = staging
        self.known = known
        self.progress = progress
        self.snapshot = Snapshot(storefront="")
        self._inline_missing: dict[str, set[str]] = {k: set() for k in CATALOG_KINDS}
        self._referenced_songs: set[str] = set()
        self._videos: set[str] = set()

    async def run(self) -> Snapshot:
        storefront = await self.api.get_storefront()
        self.snapshot.storefront = storefront.id
        await asyncio.gather(self._songs(), self._albums(), self._artists(), self._playlists())
        await self._missing_catalog()
        return self.snapshot

    # --- progress --------------------------------------------------------------------------

    def _tell(self, phase: str, done: int, total: int | None = None) -> None:
        self.progress(
            ProgressEvent(phase=phase, done=done, total=total, requests=self.api.stats.requests)
        )

    # --- chains ----------------------------------------------------------------------------

    async def _songs(self) -> None:
        fetched = self.snapshot.items["songs"]
        fetched.absorb(await self.api.list_songs(self._song_page))
        fetched.absorb(await self.api.list_music_videos(self._song_page))
        await self._ratings("song", [i for i in fetched.fingerprints if i not in self._videos])

    def _song_page(self, page: Sequence[LibrarySong]) -> None:
        self._stage("songs", "catalog_songs", page, rows.song_row, rows.catalog_song_row)

    async def _albums(self) -> None:
        fetched = self.snapshot.items["albums"]

        def sink(page: Sequence[LibraryAlbum]) -> None:
            self._stage("albums", "catalog_albums", page, rows.album_row, rows.catalog_album_row)

        fetched.absorb(await self.api.list_albums(sink))
        await self._ratings("album", list(fetched.fingerprints))

    async def _artists(self) -> None:
        def sink(page: Sequence[LibraryArtist]) -> None:
            self._stage(
                "artists", "catalog_artists", page, rows.artist_row, rows.catalog_artist_row
            )

        self.snapshot.items["artists"].absorb(await self.api.list_artists(sink))

    def _stage(
        self,
        collection: str,
        catalog_kind: str,
        page: Sequence[ItemT],
        to_row: Callable[[ItemT], rows.Row],
        to_catalog_row: Callable[[Any], rows.Row],
    ) -> None:
        """One listing page: rows and fingerprints staged, inline catalog metadata staged, and
        catalog ids whose inline data was missing (withdrawn?) noted for one confirming get."""
        fetched = self.snapshot.items[collection]
        staged = []
        catalog = []
        for item in page:
            row = to_row(item)
            fetched.fingerprints[item.library_id] = rows.fingerprint(row)
            staged.append((item.library_id, row))
            if isinstance(item, LibrarySong) and item.kind is TrackKind.MUSIC_VIDEO:
                self._videos.add(item.library_id)  # catalog music videos are not songs
            elif item.catalog is not None:
                catalog.append(to_catalog_row(item.catalog))
            elif item.catalog_id:
                self._inline_missing[catalog_kind].add(item.catalog_id)
        self.staging.put_many(collection, staged)
        self._stage_catalog(catalog_kind, catalog)
        self._tell(collection, len(fetched.fingerprints), fetched.expected_total)

    async def _playlists(self) -> None:
        playlists: list[LibraryPlaylist] = []
        listing, tree = await asyncio.gather(
            self.api.list_playlists(playlists.extend), self.api.list_folder_tree()
        )
        folders = self.snapshot.items["folders"]
        folders.absorb(tree.listing)
        self.staging.put_many("folders", ((f.library_id, rows.folder_row(f)) for f in tree.folders))
        for folder in tree.folders:
            folders.fingerprints[folder.library_id] = rows.fingerprint(rows.folder_row(folder))
        fetched = self.snapshot.items["playlists"]
        fetched.absorb(listing)
        staged = []
        for playlist in playlists:
            row = rows.playlist_row(playlist, tree.playlist_folder.get(playlist.library_id))
            fetched.fingerprints[playlist.library_id] = rows.fingerprint(row)
            staged.append((playlist.library_id, row))
        self.staging.put_many("playlists", staged)
        self._tell("playlists", len(fetched.fingerprints), fetched.expected_total)
        await self._all_tracks(list(fetched.fingerprints))
        await self._ratings("playlist", list(fetched.fingerprints))

    async def _all_tracks(self, playlist_ids: Sequence[str]) -> None:
        gate = asyncio.Semaphore(TRACK_LISTINGS_AT_ONCE)
        done = 0

        async def one(playlist_id: str) -> None:
            nonlocal done
            async with gate:
                tracks, result = await self.api.list_playlist_tracks(playlist_id)
            entries = rows.entry_rows(tracks)
            self.staging.put_many("tracks", [(playlist_id, entries)])
            self.snapshot.tracks[playlist_id] = TrackList(
                rows.tracks_fingerprint(entries), len(entries), result.complete
            )
            if not result.complete:
                self.snapshot.items["playlists"].problems.extend(result.problems)
            self._referenced_songs.update(
                e["track_catalog_id"]
                for e in entries
                if e["track_catalog_id"] and e["kind"] == TrackKind.SONG.value
            )
            done += 1
            self._tell("playlist tracks", done, len(playlist_ids))

        await asyncio.gather(*(one(pid) for pid in playlist_ids))

    async def _ratings(self, item_type: str, ids: Sequence[str]) -> None:
        rating_type = ItemType(item_type).library_rating_type
        values = await self.api.get_ratings(rating_type, ids) if ids else {}
        self.snapshot.ratings[item_type] = values
        self._tell(f"{item_type} ratings", len(ids), len(ids))

    # --- catalog ---------------------------------------------------------------------------

    def _stage_catalog(self, kind: str, catalog_rows: Sequence[rows.Row]) -> None:
        seen = self.snapshot.catalog[kind]
        fresh = [r for r in catalog_rows if r["catalog_id"] not in seen]
        for row in fresh:
            seen[row["catalog_id"]] = rows.fingerprint(row)
        self.staging.put_many(kind, ((r["catalog_id"], r) for r in fresh))

    async def _missing_catalog(self) -> None:
        songs = self._to_fetch("catalog_songs", self._referenced_songs) | self._to_confirm(
            "catalog_songs"
        )
        albums = self._to_confirm("catalog_albums")
        if songs:
            found = await self.api.get_catalog_songs(sorted(songs))
            self._stage_catalog("catalog_songs", [rows.catalog_song_row(s) for s in found])
            self.snapshot.catalog_missing["catalog_songs"] = songs - {s.catalog_id for s in found}
        if albums:
            found_albums = await self.api.get_catalog_albums(sorted(albums))
            self._stage_catalog("catalog_albums", [rows.catalog_album_row(a) for a in found_albums])
            self.snapshot.catalog_missing["catalog_albums"] = albums - {
                a.catalog_id for a in found_albums
            }

    def _to_fetch(self, kind: str, candidates: Collection[str]) -> set[str]:
        """Referenced ids that no listing carried and the mirror does not hold fresh."""
        known = self.known.fresh[kind]
        seen = self.snapshot.catalog[kind]
        return {c for c in candidates if c not in seen and c not in known}

    def _to_confirm(self, kind: str) -> set[str]:
        """Ids whose inline catalog data was missing (withdrawn?), unless the mirror already
        knows them as withdrawn: one multi-get tells."""
        known = self.known.fresh[kind]
        seen = self.snapshot.catalog[kind]
        return {c for c in self._inline_missing[kind] if c not in seen and known.get(c, True)}
