"""``AppleMusicClient``: the one way amsync talks to Apple Music.

An async context manager around one shared ``httpx.AsyncClient`` (connection reuse, timeouts,
``HTTPS_PROXY``/``NO_PROXY`` respected), with the retry table (``retry.py``), the adaptive shared
request rate (``rate.py``), the 401/403 handling (``session.py``) and complete listings
(``pagination.py``). Method names are a contract with the sync engine.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypeVar
from urllib.parse import quote

import httpx

from amsync.api import catalog, writes
from amsync.api.config import ClientConfig
from amsync.api.documents import data_list, parse_error_body
from amsync.api.folders import read_folder_tree
from amsync.api.pagination import Lister, ListingSpec
from amsync.api.parsing import (
    LIBRARY_TRACK_TYPES,
    ResourceParser,
    parse_catalog_album,
    parse_catalog_artist,
    parse_catalog_playlist,
    parse_catalog_song,
    parse_library_album,
    parse_library_artist,
    parse_library_playlist,
    parse_library_song,
    parse_storefront,
)
from amsync.api.rate import LearnedRate
from amsync.api.rating_types import check_rating_type
from amsync.api.replay import PARAMS as REPLAY_PARAMS
from amsync.api.replay import PATH as REPLAY_PATH
from amsync.api.replay import parse_replay_summary
from amsync.api.session import ApiSession
from amsync.api.stats import RequestStats
from amsync.api.writes import TrackRef
from amsync.domain import (
    CatalogAlbum,
    CatalogArtist,
    CatalogPlaylist,
    CatalogSong,
    FolderTree,
    LibraryAlbum,
    LibraryArtist,
    LibraryPlaylist,
    LibrarySong,
    ListingResult,
    ReplaySummary,
    Storefront,
)
from amsync.errors import MalformedResponse

if TYPE_CHECKING:
    from amsync.domain.ports import CatalogLookup, LibraryReader, LibraryWriter, RatingWriter

T = TypeVar("T")
PageCallback = Callable[[Sequence[T]], None]


@dataclass(frozen=True, slots=True)
class Probe:
    """What a diagnostic GET saw."""

    status: int
    server_date: str | None
    elapsed_s: float
    code: str | None = None


class AppleMusicClient:
    """Async Apple Music API client. Use as ``async with AppleMusicClient(config) as client``.

    ``transport`` replaces the network (tests, the emulator); ``clock``/``sleep``/``rng`` let
    tests run retries and pacing without waiting.
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self._session = ApiSession(config, transport=transport, clock=clock, sleep=sleep, rng=rng)
        self._lister = Lister(
            self._session,
            limit=config.page_limit,
            short_page_retries=config.short_page_retries,
            missing_page_retries=config.missing_page_retries,
            concurrency=config.max_concurrency,
        )
        self._catalog = catalog.CatalogBatcher(
            self._session, batch_size=config.catalog_batch_size, floor=config.catalog_batch_floor
        )
        self._storefront: Storefront | None = None
        self._storefront_lock = asyncio.Lock()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._session.aclose()

    @property
    def stats(self) -> RequestStats:
        return self._session.stats

    @property
    def ratings_batch_size(self) -> int:
        return catalog.RATINGS_BATCH

    @property
    def request_rate(self) -> float:
        """The adaptive request rate (requests per second) the client has settled on."""
        return self._session.pacer.rate

    def learned_rate(self) -> LearnedRate | None:
        """What this client found out about the rate, for the next run's
        ``ClientConfig.start_rate`` (``None``: too few requests to tell)."""
        return self._session.pacer.control.learned()

    # --- account -------------------------------------------------------------------------

    async def probe(self, path: str, params: Mapping[str, str] | None = None) -> Probe:
        """A plain GET for diagnostics: status, the server's ``Date`` and the elapsed time,
        without the 401/403 handling (transient failures are still retried)."""
        clock = self._session.pacer.clock
        started = clock()
        reply = await self._session.probe_reply(path, params)
        return Probe(
            status=reply.status,
            server_date=reply.headers.get("date"),
            elapsed_s=clock() - started,
            code=parse_error_body(reply.content).code if reply.status >= 400 else None,
        )

    async def test_developer_token(self) -> None:
        """``GET /v1/test``: ``DeveloperTokenRejected`` when Apple refuses the token."""
        await self._session.request("GET", "/v1/test")

    async def get_storefront(self) -> Storefront:
        """The storefront override, else the user's storefront from ``/v1/me/storefront``
        (read once, then cached)."""
        async with self._storefront_lock:
            if self._storefront is None:
                if self.config.storefront:
                    self._storefront = Storefront(id=self.config.storefront)
                else:
                    self._storefront = await self._read_storefront()
            return self._storefront

    async def _read_storefront(self) -> Storefront:
        path = "/v1/me/storefront"
        reply = await self._session.request("GET", path)
        data = data_list(reply.document or {}, path) if reply is not None else []
        if not data:
            raise MalformedResponse(
                f"Apple Music sent no storefront from {path}",
                hint="set AMSYNC_STOREFRONT (e.g. us) to work around it",
                endpoint=path,
            )
        return parse_storefront(data[0], path)

    async def get_replay_summary(self) -> ReplaySummary | None:
        """Apple's Replay summary of the latest eligible year (one request); ``None`` when
        Apple has none for the user (404 or an empty ``data``)."""
        reply = await self._session.request(
            "GET", REPLAY_PATH, params=REPLAY_PARAMS, missing_ok=True
        )
        if reply is None or reply.document is None:
            return None
        return parse_replay_summary(reply.document, REPLAY_PATH)

    # --- library listings ----------------------------------------------------------------

    async def _list(
        self,
        collection: str,
        path: str,
        parsers: Mapping[str, ResourceParser[T]],
        params: Mapping[str, str],
        on_page: PageCallback[T],
    ) -> ListingResult:
        spec = ListingSpec(collection=collection, path=path, parsers=parsers, params=params)
        return await self._lister.run(spec, lambda _offset, items: on_page(items))

    async def list_songs(
        self, on_page: PageCallback[LibrarySong], *, include_catalog: bool = True
    ) -> ListingResult:
        params = {"extend": "dateAdded"}
        if include_catalog:
            params["include"] = "catalog"
        return await self._list(
            "songs",
            "/v1/me/library/songs",
            {"library-songs": parse_library_song},
            params,
            on_page,
        )

    async def list_music_videos(self, on_page: PageCallback[LibrarySong]) -> ListingResult:
        return await self._list(
            "music videos",
            "/v1/me/library/music-videos",
            {"library-music-videos": parse_library_song},
            {"extend": "dateAdded"},
            on_page,
        )

    async def list_albums(
        self, on_page: PageCallback[LibraryAlbum], *, include_catalog: bool = True
    ) -> ListingResult:
        params = {"extend": "dateAdded"}
        if include_catalog:
            params["include"] = "catalog"
        return await self._list(
            "albums",
            "/v1/me/library/albums",
            {"library-albums": parse_library_album},
            params,
            on_page,
        )

    async def list_artists(
        self, on_page: PageCallback[LibraryArtist], *, include_catalog: bool = True
    ) -> ListingResult:
        params = {"include": "catalog"} if include_catalog else {}
        return await self._list(
            "artists",
            "/v1/me/library/artists",
            {"library-artists": parse_library_artist},
            params,
            on_page,
        )

    async def list_playlists(self, on_page: PageCallback[LibraryPlaylist]) -> ListingResult:
        return await self._list(
            "playlists",
            "/v1/me/library/playlists",
            {"library-playlists": parse_library_playlist},
            {"extend": "dateAdded"},
            on_page,
        )

    async def list_playlist_tracks(
        self, playlist_id: str
    ) -> tuple[list[LibrarySong], ListingResult]:
        """A playlist's entries in order, duplicates kept; an empty playlist (404) is empty."""
        pages: dict[int, list[LibrarySong]] = {}

        def keep(offset: int, items: Sequence[LibrarySong]) -> None:
            pages.setdefault(offset, []).extend(items)

        spec = ListingSpec(
            collection=f"playlist {playlist_id[:60]} tracks",
            path=f"/v1/me/library/playlists/{quote(playlist_id, safe='')}/tracks",
            parsers=LIBRARY_TRACK_TYPES,
            dedupe=False,
        )
        result = await self._lister.run(spec, keep)
        tracks = [track for offset in sorted(pages) for track in pages[offset]]
        return tracks, result

    async def list_folder_tree(self) -> FolderTree:
        return await read_folder_tree(self._session, self._lister)

    # --- catalog -------------------------------------------------------------------------

    async def _catalog_get(
        self, kind: str, ids: Iterable[str], parse: ResourceParser[T]
    ) -> list[T]:
        storefront = await self.get_storefront()
        path = f"/v1/catalog/{quote(storefront.id, safe='')}/{kind}"
        return await self._catalog.get(path, kind, ids, parse)

    async def get_catalog_songs(self, ids: Iterable[str]) -> list[CatalogSong]:
        return await self._catalog_get("songs", ids, parse_catalog_song)

    async def get_catalog_albums(self, ids: Iterable[str]) -> list[CatalogAlbum]:
        return await self._catalog_get("albums", ids, parse_catalog_album)

    async def get_catalog_artists(self, ids: Iterable[str]) -> list[CatalogArtist]:
        return await self._catalog_get("artists", ids, parse_catalog_artist)

    async def get_catalog_playlists(self, ids: Iterable[str]) -> list[CatalogPlaylist]:
        return await self._catalog_get("playlists", ids, parse_catalog_playlist)

    async def get_catalog_songs_by_isrc(self, isrcs: Iterable[str]) -> dict[str, list[CatalogSong]]:
        """Catalog songs per ISRC (upper-cased); ISRCs Apple does not know are absent."""
        storefront = await self.get_storefront()
        path = f"/v1/catalog/{quote(storefront.id, safe='')}/songs"
        return await catalog.songs_by_isrc(self._session, path, isrcs)

    async def search_catalog_songs(self, term: str, *, limit: int = 25) -> list[CatalogSong]:
        """Apple's catalog search for songs (first page, ≤ 25, Apple's order; fuzzy: confirm
        every hit). An empty term searches nothing."""
        storefront = await self.get_storefront()
        path = f"/v1/catalog/{quote(storefront.id, safe='')}/search"
        return await catalog.search_songs(self._session, path, term, limit=limit)

    # --- ratings and favourites ----------------------------------------------------------

    async def get_ratings(self, resource_type: str, ids: Iterable[str]) -> dict[str, int]:
        """Rating values (1 or -1) by id, ≤ 200 ids per request; unrated ids are absent."""
        return await catalog.ratings(self._session, check_rating_type(resource_type), ids)

    async def put_rating(self, resource_type: str, item_id: str, value: int) -> None:
        if value not in (1, -1):
            raise ValueError("Apple Music ratings are 1 (love) or -1 (dislike)")
        path = f"/v1/me/ratings/{check_rating_type(resource_type)}/{quote(item_id, safe='')}"
        await self._session.request(
            "PUT", path, json={"type": "ratings", "attributes": {"value": value}}
        )

    async def delete_rating(self, resource_type: str, item_id: str) -> None:
        """Remove a rating; an item that has none (404) is already where we want it."""
        path = f"/v1/me/ratings/{check_rating_type(resource_type)}/{quote(item_id, safe='')}"
        await self._session.request("DELETE", path, missing_ok=True)

    async def add_favorites(self, ids_by_type: Mapping[str, Sequence[str]]) -> None:
        """``POST /v1/me/favorites?ids[songs]=…`` (catalog types: songs, albums, playlists…)."""
        await writes.post_typed_ids(self._session, "/v1/me/favorites", ids_by_type)

    async def add_to_library(self, ids_by_type: Mapping[str, Sequence[str]]) -> None:
        await writes.post_typed_ids(self._session, "/v1/me/library", ids_by_type)

    # --- playlists -----------------------------------------------------------------------

    async def create_playlist(
        self,
        name: str,
        description: str | None,
        tracks: Sequence[TrackRef | str],
        parent_folder_id: str | None = None,
    ) -> LibraryPlaylist:
        return await writes.create_playlist(
            self._session, name, description, tracks, parent_folder_id
        )

    async def add_playlist_tracks(self, playlist_id: str, tracks: Sequence[TrackRef | str]) -> None:
        await writes.add_playlist_tracks(self._session, playlist_id, tracks)


if TYPE_CHECKING:  # the client satisfies the Protocols the use-cases are written against

    def _satisfies(
        client: AppleMusicClient,
    ) -> tuple[LibraryReader, RatingWriter, LibraryWriter, CatalogLookup]:
        return client, client, client, client
