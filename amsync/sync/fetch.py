"""The fetch phase: every listing Apple gives, read completely and concurrently, staged.

Every chain starts as soon as what it needs has arrived, and they all share the client's
adaptive rate: songs and music videos (at once); albums; artists; playlists, each playlist's
tracks as soon as the playlist is listed, and the folder tree level by level. Ratings are read
while their listing goes on (``RatingsFeed``). Catalog metadata comes inline
(``include=catalog``); only catalog ids that no listing carried and the mirror does not know (or
knows too old) are fetched in batches, as soon as the song listings and playlist tracks are in.
Memory holds ids and fingerprints; rows go to ``Staging`` — except rows the mirror already holds
unchanged (same fingerprint), which the apply would never read: a sync that finds nothing new
compares, and stages nothing but the playlists (whose names a revision reads).

Progress: ``PhaseBoard`` (``fetch_progress.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, TypeVar

from amsync.domain import (
    LibraryAlbum,
    LibraryArtist,
    LibraryPlaylist,
    LibrarySong,
    ListingResult,
    ProgressCallback,
    TrackKind,
)
from amsync.domain.ports import LibraryReader
from amsync.domain.progress import counting
from amsync.domain.replay import ReplaySummary
from amsync.domain.task_groups import all_or_none
from amsync.errors import ApiError
from amsync.sync import rows
from amsync.sync.fetch_progress import PHASES as PHASES  # re-exported: the display's order
from amsync.sync.fetch_progress import PhaseBoard
from amsync.sync.ratings_feed import RatingsFeed
from amsync.sync.staging import Staging

logger = logging.getLogger("amsync.sync")

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


class _MirroredItem(Protocol):
    @property
    def fingerprint(self) -> str: ...

    @property
    def removed(self) -> bool: ...


class _MirroredCatalog(Protocol):
    @property
    def fingerprint(self) -> str: ...

    @property
    def available(self) -> bool: ...


class _MirroredPlaylist(Protocol):
    @property
    def name(self) -> str | None: ...

    @property
    def tracks_fingerprint(self) -> str | None: ...

    @property
    def current_revision_id(self) -> int | None: ...


class MirrorView(Protocol):
    """What the mirror holds (``mirror_state.MirrorState``): rows that need no staging."""

    @property
    def items(self) -> Mapping[str, Mapping[str, _MirroredItem]]: ...

    @property
    def catalog(self) -> Mapping[str, Mapping[str, _MirroredCatalog]]: ...

    @property
    def playlists(self) -> Mapping[str, _MirroredPlaylist]: ...


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
        mirror: MirrorView | None = None,
    ) -> None:
        self.api = api
        self.staging = staging
        self.known = known
        self.mirror = mirror
        self.board = PhaseBoard(api, progress)
        self.snapshot = Snapshot(storefront="")
        self._inline_missing: dict[str, set[str]] = {k: set() for k in CATALOG_KINDS}
        self.referenced_songs: set[str] = set()
        self._videos: set[str] = set()
        self._feeds = {t: RatingsFeed(api, self.board, t) for t in ("song", "album", "playlist")}
        self._listed = {name: asyncio.Event() for name in ("songs", "albums", "tracks")}

    async def run(self) -> Snapshot:
        self.board.announce()
        ticker = asyncio.create_task(self.board.tick())
        try:
            storefront = await self.api.get_storefront()
            self.snapshot.storefront = storefront.id
            await all_or_none(
                self._songs(),
                self._albums(),
                self._artists(),
                self._playlists(),
                self._missing_catalog(),
                self._replay(),
                *(self._ratings(item_type) for item_type in self._feeds),
            )
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            for feed in self._feeds.values():
                await feed.cancel()
        return self.snapshot

    # --- chains ----------------------------------------------------------------------------

    async def _songs(self) -> None:
        fetched = self.snapshot.items["songs"]
        feed = self._feeds["song"]

        def songs(page: Sequence[LibrarySong]) -> None:
            self._stage("songs", "catalog_songs", page, rows.song_row, rows.catalog_song_row)
            feed.add(s.library_id for s in page if s.kind is not TrackKind.MUSIC_VIDEO)

        def videos(page: Sequence[LibrarySong]) -> None:
            self._stage(
                "songs",
                "catalog_songs",
                page,
                rows.song_row,
                rows.catalog_song_row,
                phase="music videos",
            )

        try:
            listed = await asyncio.gather(
                self.board.run("songs", self.api.list_songs(songs)),
                self.board.run("music videos", self.api.list_music_videos(videos)),
            )
        finally:
            feed.close()
        for listing in listed:  # songs first, then music videos, as Apple lists them
            fetched.absorb(listing)
        self._listed["songs"].set()

    async def _albums(self) -> None:
        fetched = self.snapshot.items["albums"]
        feed = self._feeds["album"]

        def sink(page: Sequence[LibraryAlbum]) -> None:
            self._stage("albums", "catalog_albums", page, rows.album_row, rows.catalog_album_row)
            feed.add(album.library_id for album in page)

        try:
            fetched.absorb(await self.board.run("albums", self.api.list_albums(sink)))
        finally:
            feed.close()
        self._listed["albums"].set()

    async def _artists(self) -> None:
        def sink(page: Sequence[LibraryArtist]) -> None:
            self._stage(
                "artists", "catalog_artists", page, rows.artist_row, rows.catalog_artist_row
            )

        listing = await self.board.run("artists", self.api.list_artists(sink))
        self.snapshot.items["artists"].absorb(listing)

    async def _ratings(self, item_type: str) -> None:
        """The ratings of one collection, read while it is listed; the favourite states keep
        only the ids the collection holds (music videos have none)."""
        values = await self._feeds[item_type].finish()
        if item_type == "song":
            values = {k: v for k, v in values.items() if k not in self._videos}
        self.snapshot.ratings[item_type] = values

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
        """One listing page: fingerprints noted, rows the mirror does not hold unchanged
        staged, inline catalog metadata staged likewise, and catalog ids whose inline data was
        missing (withdrawn?) noted for one confirming get. ``phase`` (default: the collection)
        is the progress phase the page counts for. A music video listed among the songs as
        well keeps the music videos' row, as if they had been listed after the songs."""
        fetched = self.snapshot.items[collection]
        mirrored = self.mirror.items.get(collection, {}) if self.mirror else {}
        from_videos = phase == "music videos"
        staged = []
        catalog = []
        for item in page:
            if collection == "songs" and not from_videos and item.library_id in self._videos:
                continue
            row = to_row(item)
            fp = rows.fingerprint(row)
            fetched.fingerprints[item.library_id] = fp
            known = mirrored.get(item.library_id)
            if known is None or known.removed or known.fingerprint != fp:
                staged.append((item.library_id, row))
            if from_videos:
                self._videos.add(item.library_id)  # catalog music videos are not songs
            elif item.catalog is not None:
                catalog.append(to_catalog_row(item.catalog))
            elif item.catalog_id:
                self._inline_missing[catalog_kind].add(item.catalog_id)
        if staged:
            self.staging.put_many(collection, staged)
        self._stage_catalog(catalog_kind, catalog)
        name = phase or collection
        self.board[name].done += len(page)
        self.board.tell(name)

    async def _playlists(self) -> None:
        playlists: list[LibraryPlaylist] = []
        feed = self._feeds["playlist"]
        tracks = _TrackListings(self)

        def sink(page: Sequence[LibraryPlaylist]) -> None:
            playlists.extend(page)
            self.board["playlists"].done += len(page)
            self.board.tell("playlists")
            feed.add(p.library_id for p in page)
            tracks.start(page)

        try:
            listing, tree = await asyncio.gather(
                self.board.run("playlists", self.api.list_playlists(sink)),
                self.board.run("folders", self._folder_tree()),
            )
        except BaseException:
            await tracks.cancel()
            raise
        finally:
            feed.close()
        folders = self.snapshot.items["folders"]
        folders.absorb(tree.listing)
        mirrored = self.mirror.items.get("folders", {}) if self.mirror else {}
        changed = []
        for folder in tree.folders:
            row = rows.folder_row(folder)
            fp = rows.fingerprint(row)
            folders.fingerprints[folder.library_id] = fp
            known = mirrored.get(folder.library_id)
            if known is None or known.removed or known.fingerprint != fp:
                changed.append((folder.library_id, row))
        self.staging.put_many("folders", changed)
        fetched = self.snapshot.items["playlists"]
        fetched.absorb(listing)
        staged = []
        for playlist in playlists:
            row = rows.playlist_row(playlist, tree.playlist_folder.get(playlist.library_id))
            fetched.fingerprints[playlist.library_id] = rows.fingerprint(row)
            staged.append((playlist.library_id, row))
        self.staging.put_many("playlists", staged)  # every one: a revision reads its name
        await self.board.run("playlist tracks", tracks.finish(list(fetched.fingerprints)))
        self._listed["tracks"].set()

    async def _folder_tree(self) -> Any:
        tree = await self.api.list_folder_tree()
        self.board["folders"].done = len(tree.folders)
        return tree

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
        mirrored = self.mirror.catalog.get(kind, {}) if self.mirror else {}
        staged = []
        for row in catalog_rows:
            catalog_id = row["catalog_id"]
            if catalog_id in seen:
                continue
            fp = seen[catalog_id] = rows.catalog_fingerprint(row)
            known = mirrored.get(catalog_id)
            if known is None or not known.available or known.fingerprint != fp:
                staged.append((catalog_id, row))
        if staged:
            self.staging.put_many(kind, staged)

    async def _missing_catalog(self) -> None:
        """Waits for the song listings and playlist tracks (the songs to fetch) and the album
        listing; then one phase of catalog gets, ahead of any ratings still to read."""
        await asyncio.gather(*(event.wait() for event in self._listed.values()))
        await self.board.run("catalog", self._catalog_gets())

    async def _catalog_gets(self) -> None:
        phase = self.board["catalog"]
        songs = self._to_fetch("catalog_songs", self.referenced_songs) | self._to_confirm(
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


class _TrackListings:
    """Each playlist's tracks, listed as soon as the playlist is (at most
    ``TRACK_LISTINGS_AT_ONCE`` at a time); entries are staged unless the mirror's current
    revision already has this list under this name (then the apply never reads them)."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self._gate = asyncio.Semaphore(TRACK_LISTINGS_AT_ONCE)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._phase = fetcher.board["playlist tracks"]

    def start(self, playlists: Sequence[LibraryPlaylist]) -> None:
        board = self.fetcher.board
        for playlist in playlists:
            if playlist.library_id not in self._tasks:
                board.begin("playlist tracks")
                with counting(self._phase.tally):
                    task = asyncio.create_task(self._one(playlist.library_id, playlist.name))
                self._tasks[playlist.library_id] = task

    async def finish(self, playlist_ids: Sequence[str]) -> None:
        """Every listed playlist's tracks (``playlist_ids``: the listing's, deduplicated)."""
        self._phase.total = self._phase.listings_expected = len(playlist_ids)
        try:
            await asyncio.gather(*(self._tasks[pid] for pid in playlist_ids))
        except BaseException:
            await self.cancel()
            raise

    async def cancel(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def _one(self, playlist_id: str, name: str) -> None:
        fetcher = self.fetcher
        async with self._gate:
            tracks, result = await fetcher.api.list_playlist_tracks(playlist_id)
        entries = rows.entry_rows(tracks)
        fingerprint = rows.tracks_fingerprint(entries)
        known = fetcher.mirror.playlists.get(playlist_id) if fetcher.mirror else None
        unchanged = (
            known is not None
            and known.current_revision_id is not None
            and known.tracks_fingerprint == fingerprint
            and known.name == rows.clean_text(name)
        )
        if not unchanged:
            fetcher.staging.put_many("tracks", [(playlist_id, entries)])
        fetcher.snapshot.tracks[playlist_id] = TrackList(fingerprint, len(entries), result.complete)
        if not result.complete:
            fetcher.snapshot.items["playlists"].problems.extend(result.problems)
        fetcher.referenced_songs.update(
            e["track_catalog_id"]
            for e in entries
            if e["track_catalog_id"] and e["kind"] == TrackKind.SONG.value
        )
        self._phase.done += 1
        fetcher.board.tell("playlist tracks")
