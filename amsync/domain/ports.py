"""The Protocols through which use-cases reach Apple Music and the person's own music files.
``amsync.api.AppleMusicClient`` satisfies the Apple Music ones; tests may pass the real client on
the emulator, or a small fake. ``amsync.audiotags`` satisfies the local-file ones."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Protocol, TypeVar

from amsync.domain.catalog import CatalogAlbum, CatalogSong
from amsync.domain.library import (
    FolderTree,
    LibraryAlbum,
    LibraryArtist,
    LibraryPlaylist,
    LibrarySong,
    ListingResult,
    Storefront,
)
from amsync.domain.local_files import ScanItem, ScannedFile, ScanProblem
from amsync.domain.replay import ReplaySummary

T_contra = TypeVar("T_contra", contravariant=True)


class PageCallback(Protocol[T_contra]):
    def __call__(self, items: Sequence[T_contra], /) -> None: ...


class RequestCounters(Protocol):
    requests: int
    retries: int
    throttled: int


class LibraryReader(Protocol):
    """What a sync needs from Apple: complete listings, catalog metadata and ratings."""

    @property
    def stats(self) -> RequestCounters: ...

    @property
    def ratings_batch_size(self) -> int:
        """Ids per ratings request (for a progress display's request estimate)."""
        ...

    async def get_storefront(self) -> Storefront: ...

    async def list_songs(
        self, on_page: Callable[[Sequence[LibrarySong]], None], *, include_catalog: bool = True
    ) -> ListingResult: ...

    async def list_music_videos(
        self, on_page: Callable[[Sequence[LibrarySong]], None]
    ) -> ListingResult: ...

    async def list_albums(
        self, on_page: Callable[[Sequence[LibraryAlbum]], None], *, include_catalog: bool = True
    ) -> ListingResult: ...

    async def list_artists(
        self, on_page: Callable[[Sequence[LibraryArtist]], None], *, include_catalog: bool = True
    ) -> ListingResult: ...

    async def list_playlists(
        self, on_page: Callable[[Sequence[LibraryPlaylist]], None]
    ) -> ListingResult: ...

    async def list_playlist_tracks(
        self, playlist_id: str
    ) -> tuple[list[LibrarySong], ListingResult]: ...

    async def list_folder_tree(self) -> FolderTree: ...

    async def get_catalog_songs(self, ids: Iterable[str]) -> list[CatalogSong]: ...

    async def get_catalog_albums(self, ids: Iterable[str]) -> list[CatalogAlbum]: ...

    async def get_ratings(self, resource_type: str, ids: Iterable[str]) -> dict[str, int]: ...

    async def get_replay_summary(self) -> ReplaySummary | None:
        """Apple's Replay summary of the latest eligible year, or ``None`` when there is none."""
        ...


class RatingWriter(Protocol):
    """What a favourites push needs: ratings read, write and delete, by Apple resource type."""

    async def get_ratings(self, resource_type: str, ids: Iterable[str]) -> dict[str, int]: ...

    async def put_rating(self, resource_type: str, item_id: str, value: int) -> None: ...

    async def delete_rating(self, resource_type: str, item_id: str) -> None: ...


class CatalogChecker(Protocol):
    """Which catalog songs Apple still has (withdrawn ones are absent from the answer)."""

    @property
    def stats(self) -> RequestCounters: ...

    async def get_storefront(self) -> Storefront: ...

    async def get_catalog_songs(self, ids: Iterable[str]) -> list[CatalogSong]: ...


class CatalogLookup(CatalogChecker, Protocol):
    """What finding out about lost songs needs from Apple's catalog: songs by id, by ISRC
    (≤ 25 per request; several songs per ISRC) and a search."""

    async def get_catalog_songs_by_isrc(
        self, isrcs: Iterable[str]
    ) -> dict[str, list[CatalogSong]]: ...

    async def search_catalog_songs(self, term: str, *, limit: int = 25) -> list[CatalogSong]: ...


class LibraryWriter(Protocol):
    """What a restore needs: the few writes Apple offers."""

    async def add_to_library(self, ids_by_type: Mapping[str, Sequence[str]]) -> None: ...

    async def create_playlist(
        self,
        name: str,
        description: str | None,
        tracks: Sequence[str],
        parent_folder_id: str | None = None,
    ) -> LibraryPlaylist: ...

    async def add_playlist_tracks(self, playlist_id: str, tracks: Sequence[str]) -> None: ...


class ImageSource(Protocol):
    """Where artwork comes from (``amsync report``): the bytes of each URL that could be
    fetched; the others are left out (never an exception)."""

    def fetch_images(self, urls: Sequence[str]) -> dict[str, bytes]: ...


class KnownFiles(Protocol):
    """What a scan already knows: ``is_unchanged(path, size, mtime_ns)`` is true when the
    database holds the file with that size and modification time (its tags are not read)."""

    def is_unchanged(self, path: str, size: int | None, mtime_ns: int | None, /) -> bool: ...


class LocalFileSource(Protocol):
    """Where local files and their tags come from: folders read with an audio tag library, or
    a beets library database.

    ``name`` tells sources apart in the database (every folder scan is ``"folders"``; a beets
    library is ``"beets:<path>"``). ``scope`` is the path prefixes the source covers (empty:
    everything stored under its name): a stored file of this source in scope that ``items`` did
    not yield is marked gone — except below ``incomplete_folders`` (folders that could not be
    listed this time), known only after ``items`` is exhausted. ``aliases`` are other names of
    the scope (a root as given, when it is a link): files an older scan stored under them are
    reconciled with their real paths. ``missing_folders`` are roots that do not exist: their
    files are gone."""

    @property
    def name(self) -> str: ...

    def scope(self) -> Sequence[str]: ...

    def aliases(self) -> Sequence[str]: ...

    def missing_folders(self) -> Sequence[str]: ...

    def items(self, known: KnownFiles) -> Iterator[ScanItem]: ...

    def incomplete_folders(self) -> Sequence[str]: ...


class TagReader(Protocol):
    """Reads one file's tags (``amsync local link`` reads the file it is given)."""

    def read_file(self, path: str) -> ScannedFile | ScanProblem: ...
