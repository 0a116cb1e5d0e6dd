"""The fetch phase: every listing Apple gives, read completely and concurrently, staged.

Four chains run at once and share the client's adaptive rate: songs (and music videos) then
their ratings; albums then theirs; artists; playlists with the folder tree, then each playlist's
tracks, then the playlists' ratings. Catalog metadata comes inline (``include=catalog``); only
catalog ids that no listing carried and the mirror does not know (or knows too old) are fetched
in batches afterwards. Memory holds ids and fingerprints; rows go to ``Staging``.

Progress (``PHASES``, in a fixed order so a display keeps its rows): each phase counts its own
requests (``RequestTally``, filled by the client), knows its total from Apple's ``meta.total``
as soon as its first page arrives (music videos apart from songs), and knows the fewest
requests it still needs (pages left of known totals, a request per playlist still to list,
ratings batches). Events come with every page and, while requests are under way, twice a
second; a finished phase says so, and is logged at INFO (``-v``) with its counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
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
from amsync.domain.progress import RequestTally, counting
from amsync.domain.replay import ReplaySummary
from amsync.errors import ApiError
from amsync.sync import rows
from amsync.sync.staging import Staging

ITEM_COLLECTIONS: Final = ("folders", "playlists", "artists", "albums", "songs")
CATALOG_KINDS: Final = ("catalog_songs", "catalog_albums", "catalog_artists")
TRACK_LISTINGS_AT_ONCE: Final = 16
PHASES: Final = (
    "songs",
    "music videos",
    "albums",
    "artists",
    "playlists",
    "folders",
    "playlist tracks",
    "song ratings",
    "album ratings",
    "playlist ratings",
    "catalog",
)
_LISTINGS: Final = frozenset({"songs", "music videos", "albums", "artists", "playlists"})
_RATED_BY: Final = {
    "song ratings": "songs",
    "album ratings": "albums",
    "playlist ratings": "playlists",
}
TICK_S: Final = 0.5

logger = logging.getLogger("amsync.sync")
R = TypeVar("R")


@dataclass(slots=True)
class _Phase:
    """One phase's progress: items done of a total, its request tally, its state."""

    name: str
    tally: RequestTally = field(default_factory=RequestTally)
    done: int = 0
    total: int | None = None
    listings_expected: int | None = None  # playlist tracks: one listing per playlist
    started_at: float | None = None
    finished_at: float | None = None

    @property
    def running(self) -> bool:
        return self.started_at is not None and self.finished_at is None


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
    replay: ReplaySummary | None = None  # Apple's Replay summary, when Apple has one
    replay_problem: str | None = None  # why it could not be read (the sync goes on)

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
        self._phases = {name: _Phase(name) for name in PHASES}

    async def run(self) -> Snapshot:
        for name in PHASES:
            self._tell(name)
        ticker = asyncio.create_task(self._tick())
        try:
            storefront = await self.api.get_storefront()
            self.snapshot.storefront = storefront.id
            await asyncio.gather(
                self._songs(), self._albums(), self._artists(), self._playlists(), self._replay()
            )
            await self._missing_catalog()
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
        return self.snapshot

    # --- progress --------------------------------------------------------------------------

    async def _phase(self, name: str, work: Awaitable[R]) -> R:
        """Run ``work`` as phase ``name``: its requests counted in its tally, its end told."""
        phase = self._phases[name]
        phase.started_at = time.monotonic()
        self._tell(name)
        with counting(phase.tally):
            result = await work
        phase.finished_at = time.monotonic()
        if phase.total is None:
            phase.total = phase.done
        self._tell(name)
        tally = phase.tally
        logger.info(
            "%s: %d of %d in %d request(s) (%d throttled, %d retried), %.1f s",
            name,
            phase.done,
            phase.total,
            tally.requests,
            tally.throttled,
            tally.retries,
            phase.finished_at - phase.started_at,
        )
        return result

    def _remaining(self, phase: _Phase) -> int:
        """The fewest requests ``phase`` still needs, as far as is known."""
        if phase.finished_at is not None:
            return 0
        tally = phase.tally
        if phase.name in _RATED_BY:
            items = phase.total
            if items is None:
                items = self._phases[_RATED_BY[phase.name]].total
            planned = math.ceil((items or 0) / max(1, self.api.ratings_batch_size))
            if phase.started_at is not None:
                return tally.pages_left
            return max(1, planned) if items else 1
        if phase.name == "catalog":
            return tally.pages_left
        if phase.listings_expected is not None:
            return tally.pages_left + max(0, phase.listings_expected - tally.listings)
        if phase.name == "playlist tracks":  # before the playlists are listed: one each
            return max(1, self._phases["playlists"].total or 1)
        if phase.started_at is None or tally.listings == 0:
            return 1
        return tally.pages_left

    def _tell(self, name: str) -> None:
        phase = self._phases[name]
        if name in _LISTINGS and phase.tally.total is not None:
            phase.total = phase.tally.total  # Apple's meta.total, from the first page on
        self.progress(
            ProgressEvent(
                phase=name,
                done=phase.done,
                total=phase.total,
                requests=self.api.stats.requests,
                phase_requests=phase.tally.requests,
                remaining_requests=self._remaining(phase),
                finished=phase.finished_at is not None,
            )
        )

    async def _tick(self) -> None:
        """While the fetch runs, tell every unfinished phase's counts twice a second."""
        while True:
            await asyncio.sleep(TICK_S)
            for phase in self._phases.values():
                if phase.finished_at is not None:
                    continue
                if phase.running and phase.name in _RATED_BY and phase.tally.pages_planned:
                    share = phase.tally.pages_done / phase.tally.pages_planned
                    phase.done = int((phase.total or 0) * min(1.0, share))
                self._tell(phase.name)  # waiting phases too: their estimates follow the totals

    # --- chains ----------------------------------------------------------------------------

    async def _songs(self) -> None:
        fetched = self.snapshot.items["songs"]

        def songs(page: Sequence[LibrarySong]) -> None:
            self._stage("songs", "catalog_songs", page, rows.song_row, rows.catalog_song_row)

        def videos(page: Sequence[LibrarySong]) -> None:
            self._stage(
                "songs",
                "catalog_songs",
                page,
                rows.song_row,
                rows.catalog_song_row,
                phase="music videos",
            )

        fetched.absorb(await self._phase("songs", self.api.list_songs(songs)))
        fetched.absorb(await self._phase("music videos", self.api.list_music_videos(videos)))
        await self._ratings("song", [i for i in fetched.fingerprints if i not in self._videos])

    async def _albums(self) -> None:
        fetched = self.snapshot.items["albums"]

        def sink(page: Sequence[LibraryAlbum]) -> None:
            self._stage("albums", "catalog_albums", page, rows.album_row, rows.catalog_album_row)

        fetched.absorb(await self._phase("albums", self.api.list_albums(sink)))
        await self._ratings("album", list(fetched.fingerprints))

    async def _artists(self) -> None:
        def sink(page: Sequence[LibraryArtist]) -> None:
            self._stage(
                "artists", "catalog_artists", page, rows.artist_row, rows.catalog_artist_row
            )

        listing = await self._phase("artists", self.api.list_artists(sink))
        self.snapshot.items["artists"].absorb(listing)

    def _stage(
        self,
        collection: str,
        catalog_kind: str,
        page: Sequence[ItemT],
        to_row: Callable[[ItemT], rows.Row],
        to_catalog_row: Callable[[Any], rows.Row],
        *,
        phase: str | None = None,
    ) -> None:
        """One listing page: rows and fingerprints staged, inline catalog metadata staged, and
        catalog ids whose inline data was missing (withdrawn?) noted for one confirming get.
        ``phase`` (default: the collection) is the progress phase the page counts for."""
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
        name = phase or collection
        self._phases[name].done += len(page)
        self._tell(name)

    async def _playlists(self) -> None:
        playlists: list[LibraryPlaylist] = []

        def sink(page: Sequence[LibraryPlaylist]) -> None:
            playlists.extend(page)
            self._phases["playlists"].done += len(page)
            self._tell("playlists")

        listing, tree = await asyncio.gather(
            self._phase("playlists", self.api.list_playlists(sink)),
            self._phase("folders", self._folder_tree()),
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
        await self._phase("playlist tracks", self._all_tracks(list(fetched.fingerprints)))
        await self._ratings("playlist", list(fetched.fingerprints))

    async def _folder_tree(self) -> Any:
        tree = await self.api.list_folder_tree()
        self._phases["folders"].done = len(tree.folders)
        return tree

    async def _all_tracks(self, playlist_ids: Sequence[str]) -> None:
        gate = asyncio.Semaphore(TRACK_LISTINGS_AT_ONCE)
        phase = self._phases["playlist tracks"]
        phase.total = phase.listings_expected = len(playlist_ids)

        async def one(playlist_id: str) -> None:
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
            phase.done += 1
            self._tell("playlist tracks")

        await asyncio.gather(*(one(pid) for pid in playlist_ids))

    async def _ratings(self, item_type: str, ids: Sequence[str]) -> None:
        rating_type = ItemType(item_type).library_rating_type
        name = f"{item_type} ratings"
        phase = self._phases[name]
        phase.total = len(ids)

        async def read() -> dict[str, int]:
            values = await self.api.get_ratings(rating_type, ids) if ids else {}
            phase.done = len(ids)
            return values

        self.snapshot.ratings[item_type] = await self._phase(name, read())

    async def _replay(self) -> None:
        """Apple's Replay summary: one request, outside the phases (like the storefront's).
        None is normal (most users, most of the year); a failure is a warning, never the
        sync's failure: the library is what a sync is for."""
        try:
            self.snapshot.replay = await self.api.get_replay_summary()
        except ApiError as exc:
            self.snapshot.replay_problem = str(exc)
            logger.info("Replay summary not read: %s", exc)

    # --- catalog ---------------------------------------------------------------------------

    def _stage_catalog(self, kind: str, catalog_rows: Sequence[rows.Row]) -> None:
        seen = self.snapshot.catalog[kind]
        fresh = [r for r in catalog_rows if r["catalog_id"] not in seen]
        for row in fresh:
            seen[row["catalog_id"]] = rows.catalog_fingerprint(row)
        self.staging.put_many(kind, ((r["catalog_id"], r) for r in fresh))

    async def _missing_catalog(self) -> None:
        await self._phase("catalog", self._catalog_gets())

    async def _catalog_gets(self) -> None:
        phase = self._phases["catalog"]
        songs = self._to_fetch("catalog_songs", self._referenced_songs) | self._to_confirm(
            "catalog_songs"
        )
        albums = self._to_confirm("catalog_albums")
        phase.total = len(songs) + len(albums)
        if songs:
            found = await self.api.get_catalog_songs(sorted(songs))
            self._stage_catalog("catalog_songs", [rows.catalog_song_row(s) for s in found])
            self.snapshot.catalog_missing["catalog_songs"] = songs - {s.catalog_id for s in found}
            phase.done += len(songs)
        if albums:
            found_albums = await self.api.get_catalog_albums(sorted(albums))
            self._stage_catalog("catalog_albums", [rows.catalog_album_row(a) for a in found_albums])
            self.snapshot.catalog_missing["catalog_albums"] = albums - {
                a.catalog_id for a in found_albums
            }
            phase.done += len(albums)

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
