"""Reading the mirror for exports: one streamed query per collection, rows as plain tuples.

Every reader takes an open ``Connection`` (one transaction, so an export is a consistent
snapshot) and yields rows as the database sends them (``stream_results``: a server-side cursor
on PostgreSQL, SQLite's stepping cursor), so memory stays flat however big the library is.
Playlists come with their current track list in one query, ordered by playlist and position,
and are grouped on the fly. The ``*_statement`` functions give the queries themselves, which
``export csv`` rewrites into CSV cells (``csv_cells``) and reads with ``chunks`` — the driver's
cursor without SQLAlchemy's row handling.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeAlias

from sqlalchemy import (
    Connection,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.sql import ClauseElement, Executable, Select
from sqlalchemy.sql.compiler import SQLCompiler

from amsync.db.models import (
    Account,
    Album,
    Artist,
    CatalogAlbum,
    CatalogSong,
    Favourite,
    FavouritePush,
    Playlist,
    PlaylistEntry,
    PlaylistFolder,
    Song,
)

STREAM_ROWS: Final = 2000
MAX_FOLDER_DEPTH: Final = 64

AnySelect: TypeAlias = Select[*tuple[Any, ...]]
"""A SELECT with any columns."""


def stream(connection: Connection, statement: Executable) -> Iterator[Any]:
    options = connection.execution_options(stream_results=True, max_row_buffer=STREAM_ROWS)
    result = options.execute(statement)
    try:
        yield from result
    finally:
        result.close()


_cursor_numbers = itertools.count(1)


def chunks(
    connection: Connection, statement: ClauseElement, size: int = STREAM_ROWS
) -> Generator[list[tuple[Any, ...]], None, None]:
    """The rows of ``statement`` as plain tuples, ``size`` at a time, straight from the
    driver's cursor inside ``connection``'s transaction (no SQLAlchemy row objects or result
    processing: the statement must select values that need none — text, numbers — and bind
    only numbers and text). Memory stays flat: SQLite's cursor steps through the result,
    PostgreSQL's is a server-side (named) cursor."""
    compiled = statement.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    assert isinstance(compiled, SQLCompiler)
    params = compiled.params
    for name, value in params.items():
        if value is not None and not isinstance(value, int | str):
            raise TypeError(f"chunks() binds numbers and text only, not {name}={value!r}")
    arguments: Any = (
        tuple(params[name] for name in compiled.positiontup or ())
        if compiled.positional
        else params
    )
    driver = connection.connection.driver_connection
    assert driver is not None
    if connection.dialect.name == "postgresql":
        cursor = driver.cursor(name=f"amsync_export_{next(_cursor_numbers)}")
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(str(compiled), arguments)
        while True:
            rows = cursor.fetchmany(size)
            if not rows:
                return
            yield rows
    finally:
        # after a failure the connection may be gone already: the cursor goes with it
        with contextlib.suppress(connection.dialect.loaded_dbapi.Error):
            cursor.close()


def is_favourite(item_type: str, account_id: int, library_id: Any) -> Any:
    """True when the user's current wish (``local``) for the item is ``favourite``."""
    return (
        exists()
        .where(
            Favourite.account_id == account_id,
            Favourite.item_type == item_type,
            Favourite.library_id == library_id,
            Favourite.local == "favourite",
        )
        .label("favourite")
    )


@functools.lru_cache(maxsize=4096)
def parse_genres(text: str | None) -> tuple[str, ...] | None:
    """The JSON array the mirror stores as text; anything else reads as unknown. Cached: a
    library has few distinct genre lists, and this runs once per exported row."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


# --- account -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: int
    name: str
    storefront: str | None
    last_synced_at: datetime | None


def account_info(connection: Connection, account_id: int) -> AccountInfo:
    row = connection.execute(
        select(Account.id, Account.name, Account.storefront, Account.last_synced_at).where(
            Account.id == account_id
        )
    ).one()
    return AccountInfo(row.id, row.name, row.storefront, row.last_synced_at)


def _live(table: Any, include_removed: bool) -> Any:
    return true() if include_removed else table.removed_at.is_(None)


# --- songs, albums, artists --------------------------------------------------------------------

SONG_COLUMNS: Final = (
    "library_id",
    "catalog_id",
    "name",
    "artist",
    "album",
    "duration_ms",
    "track_number",
    "disc_number",
    "genres",
    "release_date",
    "isrc",
    "favourite",
    "date_added",
    "kind",
    "composer",
    "content_rating",
    "url",
    "available",
    "removed_at",
)


def song_statement(account_id: int, *, include_removed: bool) -> AnySelect:
    """The query behind ``songs``: columns ``SONG_COLUMNS``, ordered."""
    catalog = CatalogSong
    return (
        select(
            Song.library_id,
            Song.catalog_id,
            Song.name,
            Song.artist,
            Song.album,
            func.coalesce(Song.duration_ms, catalog.duration_ms),
            func.coalesce(Song.track_number, catalog.track_number),
            func.coalesce(Song.disc_number, catalog.disc_number),
            func.coalesce(Song.genres, catalog.genres),
            func.coalesce(Song.release_date, catalog.release_date),
            catalog.isrc,
            is_favourite("song", account_id, Song.library_id),
            Song.date_added,
            Song.kind,
            catalog.composer,
            func.coalesce(Song.content_rating, catalog.content_rating),
            catalog.url,
            catalog.available,
            Song.removed_at,
        )
        .outerjoin(
            catalog,
            and_(catalog.account_id == Song.account_id, catalog.catalog_id == Song.catalog_id),
        )
        .where(Song.account_id == account_id, _live(Song, include_removed))
        .order_by(Song.id)
    )


def songs(connection: Connection, account_id: int, *, include_removed: bool) -> Iterator[Any]:
    """Rows with ``SONG_COLUMNS``; ``genres`` still JSON text."""
    return stream(connection, song_statement(account_id, include_removed=include_removed))


ALBUM_COLUMNS: Final = (
    "library_id",
    "catalog_id",
    "name",
    "artist",
    "track_count",
    "release_date",
    "favourite",
    "genres",
    "date_added",
    "record_label",
    "upc",
    "removed_at",
)


def album_statement(account_id: int, *, include_removed: bool) -> AnySelect:
    """The query behind ``albums``: columns ``ALBUM_COLUMNS``, ordered."""
    catalog = CatalogAlbum
    return (
        select(
            Album.library_id,
            Album.catalog_id,
            Album.name,
            Album.artist,
            func.coalesce(Album.track_count, catalog.track_count),
            func.coalesce(Album.release_date, catalog.release_date),
            is_favourite("album", account_id, Album.library_id),
            func.coalesce(Album.genres, catalog.genres),
            Album.date_added,
            catalog.record_label,
            catalog.upc,
            Album.removed_at,
        )
        .outerjoin(
            catalog,
            and_(catalog.account_id == Album.account_id, catalog.catalog_id == Album.catalog_id),
        )
        .where(Album.account_id == account_id, _live(Album, include_removed))
        .order_by(Album.id)
    )


def albums(connection: Connection, account_id: int, *, include_removed: bool) -> Iterator[Any]:
    """Rows with ``ALBUM_COLUMNS``; ``genres`` still JSON text."""
    return stream(connection, album_statement(account_id, include_removed=include_removed))


ARTIST_COLUMNS: Final = ("library_id", "catalog_id", "name", "favourite", "removed_at")


def artist_statement(account_id: int, *, include_removed: bool) -> AnySelect:
    """The query behind ``artists``: columns ``ARTIST_COLUMNS``, ordered."""
    return (
        select(
            Artist.library_id,
            Artist.catalog_id,
            Artist.name,
            is_favourite("artist", account_id, Artist.library_id),
            Artist.removed_at,
        )
        .where(Artist.account_id == account_id, _live(Artist, include_removed))
        .order_by(Artist.id)
    )


def artists(connection: Connection, account_id: int, *, include_removed: bool) -> Iterator[Any]:
    """Rows with ``ARTIST_COLUMNS``."""
    return stream(connection, artist_statement(account_id, include_removed=include_removed))


# --- favourites --------------------------------------------------------------------------------

FAVOURITE_COLUMNS: Final = ("type", "library_id", "catalog_id", "name", "state", "status")
_ITEM_TABLES: Final[dict[str, Any]] = {
    "song": Song,
    "album": Album,
    "playlist": Playlist,
    "artist": Artist,
}


def favourite_statements(account_id: int, *, include_removed: bool) -> list[AnySelect]:
    """The queries behind ``favourites``, one per item type (``FAVOURITE_COLUMNS``)."""
    statements: list[AnySelect] = []
    for item_type, table in _ITEM_TABLES.items():
        pending = exists().where(
            FavouritePush.account_id == Favourite.account_id,
            FavouritePush.item_type == Favourite.item_type,
            FavouritePush.library_id == Favourite.library_id,
        )
        if item_type == "artist":
            status: Any = literal("local-only")
        else:
            status = case((pending, "pending"), else_="synced")
        statements.append(
            select(
                Favourite.item_type,
                Favourite.library_id,
                func.coalesce(Favourite.catalog_id, table.catalog_id),
                table.name,
                Favourite.local,
                status,
            )
            .outerjoin(
                table,
                and_(
                    table.account_id == Favourite.account_id,
                    table.library_id == Favourite.library_id,
                ),
            )
            .where(
                Favourite.account_id == account_id,
                Favourite.item_type == item_type,
                Favourite.local.in_(("favourite", "disliked")),
                or_(table.id.is_(None), _live(table, include_removed)),
            )
            .order_by(Favourite.id)
        )
    return statements


def favourites(
    connection: Connection, account_id: int, *, include_removed: bool
) -> Iterator[tuple[str, str, str | None, str | None, str, str]]:
    """Favourites the user wants (``local`` favourite or disliked), with their push status."""
    for statement in favourite_statements(account_id, include_removed=include_removed):
        yield from stream(connection, statement)


# --- playlists ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlaylistHead:
    id: int
    library_id: str
    catalog_id: str | None
    name: str
    description: str | None
    can_edit: bool | None
    favourite: bool
    folder: tuple[str, ...] | None  # folder names from the top
    folder_library_id: str | None
    date_added: str | None
    removed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Track:
    position: int
    library_id: str
    catalog_id: str | None
    kind: str
    name: str
    artist: str | None
    album: str | None
    duration_ms: int | None
    isrc: str | None
    url: str | None
    track_number: int | None
    disc_number: int | None


@dataclass(frozen=True, slots=True)
class Folder:
    library_id: str
    name: str
    parent_library_id: str | None


def folders(connection: Connection, account_id: int) -> dict[str, Folder]:
    """Every folder of the account (tombstoned ones too: a playlist may still name them)."""
    rows = connection.execute(
        select(
            PlaylistFolder.library_id, PlaylistFolder.name, PlaylistFolder.parent_library_id
        ).where(PlaylistFolder.account_id == account_id)
    )
    return {row[0]: Folder(row[0], row[1], row[2]) for row in rows}


def folder_path(all_folders: dict[str, Folder], library_id: str | None) -> tuple[str, ...] | None:
    """The names from the top folder down to ``library_id``; a loop or unknown parent ends it."""
    names: list[str] = []
    seen: set[str] = set()
    current = library_id
    while current is not None and current not in seen and len(names) < MAX_FOLDER_DEPTH:
        folder = all_folders.get(current)
        if folder is None:
            break
        seen.add(current)
        names.append(folder.name)
        current = folder.parent_library_id
    return tuple(reversed(names)) or None


PLAYLIST_COLUMNS: Final = (
    "playlist_row_id",
    "playlist_library_id",
    "playlist_catalog_id",
    "playlist_name",
    "description",
    "can_edit",
    "favourite",  # a NULL placeholder: ``playlists`` reads the flags once per export
    "folder_library_id",
    "date_added",
    "removed_at",
    # the ``Track`` fields:
    "position",
    "library_id",
    "catalog_id",
    "kind",
    "name",
    "artist",
    "album",
    "duration_ms",
    "isrc",
    "url",
    "track_number",
    "disc_number",
)


def playlist_statement(
    account_id: int,
    *,
    include_removed: bool,
    only: Sequence[int] | None = None,
    tracks_only: bool = False,
) -> AnySelect:
    """The query behind ``playlists``: columns ``PLAYLIST_COLUMNS``, one row per track (and
    one row with empty track columns for a playlist without tracks, unless ``tracks_only``),
    ordered by playlist and position."""
    library_song = Song.__table__.alias("library_song")
    catalog = CatalogSong.__table__.alias("catalog")
    catalog_id = func.coalesce(PlaylistEntry.track_catalog_id, library_song.c.catalog_id)
    statement = (
        select(
            Playlist.id,
            Playlist.library_id,
            Playlist.catalog_id,
            Playlist.name,
            Playlist.description,
            Playlist.can_edit,
            null(),  # the favourite flag: read once per export, not once per track
            Playlist.folder_library_id,
            Playlist.date_added,
            Playlist.removed_at,
            PlaylistEntry.position,
            PlaylistEntry.track_library_id,
            catalog_id,
            PlaylistEntry.kind,
            PlaylistEntry.name,
            PlaylistEntry.artist,
            PlaylistEntry.album,
            func.coalesce(PlaylistEntry.duration_ms, catalog.c.duration_ms),
            catalog.c.isrc,
            catalog.c.url,
            func.coalesce(library_song.c.track_number, catalog.c.track_number),
            func.coalesce(library_song.c.disc_number, catalog.c.disc_number),
        )
        .outerjoin(PlaylistEntry, PlaylistEntry.revision_id == Playlist.current_revision_id)
        .outerjoin(
            library_song,
            and_(
                library_song.c.account_id == Playlist.account_id,
                library_song.c.library_id == PlaylistEntry.track_library_id,
            ),
        )
        .outerjoin(
            catalog,
            and_(catalog.c.account_id == Playlist.account_id, catalog.c.catalog_id == catalog_id),
        )
        .where(Playlist.account_id == account_id, _live(Playlist, include_removed))
        .order_by(Playlist.id, PlaylistEntry.position)
    )
    statement = statement.where(_only(only))
    if tracks_only:
        statement = statement.where(PlaylistEntry.position.is_not(None))
    return statement


def _only(only: Sequence[int] | None) -> Any:
    if only is None:
        return true()
    return Playlist.id.in_(only) if only else false()


def playlist_count(
    connection: Connection,
    account_id: int,
    *,
    include_removed: bool,
    only: Sequence[int] | None = None,
) -> int:
    """How many playlists ``playlists`` would yield."""
    statement = select(func.count(Playlist.id)).where(
        Playlist.account_id == account_id, _live(Playlist, include_removed), _only(only)
    )
    return int(connection.execute(statement).scalar_one())


def playlists(
    connection: Connection,
    account_id: int,
    *,
    include_removed: bool,
    only: Sequence[int] | None = None,
) -> Iterator[tuple[PlaylistHead, Iterator[Track]]]:
    """Each playlist with an iterator over its current tracks in order. Consume each track
    iterator before asking for the next playlist."""
    all_folders = folders(connection, account_id)
    statement = playlist_statement(account_id, include_removed=include_removed, only=only)
    favourite_ids = set(
        connection.execute(
            select(Favourite.library_id).where(
                Favourite.account_id == account_id,
                Favourite.item_type == "playlist",
                Favourite.local == "favourite",
            )
        ).scalars()
    )
    rows = stream(connection, statement)
    for _, group in itertools.groupby(rows, key=lambda row: row[0]):
        first = next(group)
        head = PlaylistHead(
            id=first[0],
            library_id=first[1],
            catalog_id=first[2],
            name=first[3],
            description=first[4],
            can_edit=first[5],
            favourite=first[1] in favourite_ids,
            folder=folder_path(all_folders, first[7]),
            folder_library_id=first[7],
            date_added=first[8],
            removed_at=first[9],
        )
        # the group is consumed through _tracks before groupby moves on
        yield head, _tracks(itertools.chain((first,), group))  # noqa: B031


def _tracks(rows: Iterator[Any]) -> Iterator[Track]:
    for row in rows:
        if row[10] is None:  # a playlist without tracks: the outer join's empty row
            continue
        yield Track(*row[10:])
