"""Reading the mirror for exports: songs, albums, artists and favourites, one streamed query per
collection, rows as plain tuples.

Every reader takes an open ``Connection`` (one transaction, so an export is a consistent
snapshot) and yields rows as the database sends them (``stream_results``: a server-side cursor
on PostgreSQL, SQLite's stepping cursor), so memory stays flat however big the library is. The
``*_statement`` functions give the queries themselves, which ``export csv`` rewrites into CSV
cells (``csv_cells``) and reads with ``chunks`` — the driver's cursor without SQLAlchemy's row
handling. Playlists are in ``playlist_rows``; the shared reading helpers in ``row_reading``
(re-exported here).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from sqlalchemy import (
    Connection,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)

from amsync.db.models import (
    Album,
    Artist,
    CatalogAlbum,
    CatalogSong,
    Favourite,
    FavouritePush,
    Playlist,
    Song,
)
from amsync.export.play_columns import iso_utc_text, song_plays
from amsync.export.row_reading import (
    MAX_FOLDER_DEPTH as MAX_FOLDER_DEPTH,
)
from amsync.export.row_reading import (
    STREAM_ROWS as STREAM_ROWS,
)
from amsync.export.row_reading import (
    AccountInfo as AccountInfo,
)
from amsync.export.row_reading import (
    AnySelect as AnySelect,
)
from amsync.export.row_reading import (
    account_info as account_info,
)
from amsync.export.row_reading import (
    chunks as chunks,
)
from amsync.export.row_reading import (
    favourite_flag as favourite_flag,
)
from amsync.export.row_reading import (
    favourite_join as favourite_join,
)
from amsync.export.row_reading import (
    live as live,
)
from amsync.export.row_reading import (
    parse_genres as parse_genres,
)
from amsync.export.row_reading import (
    rating_value as rating_value,
)
from amsync.export.row_reading import (
    stream as stream,
)

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
    "catalog_url",
    "catalog_available",
    "removed_at",
    "rating",
)
# With the listening history (``amsync import apple-data``): the song's plays (not skipped)
# and its last play, ``YYYY-MM-DDTHH:MM:SSZ`` text (``amsync.export.play_columns``).
PLAY_COLUMNS: Final = ("plays", "last_played_at")


def song_statement(
    account_id: int, *, include_removed: bool, with_plays: bool = False
) -> AnySelect:
    """The query behind ``songs``: columns ``SONG_COLUMNS`` (and ``PLAY_COLUMNS`` when
    ``with_plays``), ordered."""
    catalog = CatalogSong
    fav, on_fav = favourite_join("song", account_id, Song)
    statement = (
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
            favourite_flag(fav),
            Song.date_added,
            Song.kind,
            catalog.composer,
            func.coalesce(Song.content_rating, catalog.content_rating),
            catalog.url,
            catalog.available,
            Song.removed_at,
            rating_value(fav),
        )
        .outerjoin(
            catalog,
            and_(catalog.account_id == Song.account_id, catalog.catalog_id == Song.catalog_id),
        )
        .outerjoin(fav, on_fav)
        .where(Song.account_id == account_id, live(Song, include_removed))
        .order_by(Song.id)
    )
    if not with_plays:
        return statement
    plays = song_plays(account_id)
    return statement.add_columns(
        func.coalesce(plays.c.plays, 0), iso_utc_text(plays.c.last_played_at)
    ).outerjoin(plays, plays.c.library_id == Song.library_id)


def songs(
    connection: Connection, account_id: int, *, include_removed: bool, with_plays: bool = False
) -> Iterator[Any]:
    """Rows with ``SONG_COLUMNS`` (+ ``PLAY_COLUMNS``); ``genres`` still JSON text."""
    statement = song_statement(account_id, include_removed=include_removed, with_plays=with_plays)
    return stream(connection, statement)


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
    "rating",
)


def album_statement(account_id: int, *, include_removed: bool) -> AnySelect:
    """The query behind ``albums``: columns ``ALBUM_COLUMNS``, ordered."""
    catalog = CatalogAlbum
    fav, on_fav = favourite_join("album", account_id, Album)
    return (
        select(
            Album.library_id,
            Album.catalog_id,
            Album.name,
            Album.artist,
            func.coalesce(Album.track_count, catalog.track_count),
            func.coalesce(Album.release_date, catalog.release_date),
            favourite_flag(fav),
            func.coalesce(Album.genres, catalog.genres),
            Album.date_added,
            catalog.record_label,
            catalog.upc,
            Album.removed_at,
            rating_value(fav),
        )
        .outerjoin(
            catalog,
            and_(catalog.account_id == Album.account_id, catalog.catalog_id == Album.catalog_id),
        )
        .outerjoin(fav, on_fav)
        .where(Album.account_id == account_id, live(Album, include_removed))
        .order_by(Album.id)
    )


def albums(connection: Connection, account_id: int, *, include_removed: bool) -> Iterator[Any]:
    """Rows with ``ALBUM_COLUMNS``; ``genres`` still JSON text."""
    return stream(connection, album_statement(account_id, include_removed=include_removed))


ARTIST_COLUMNS: Final = ("library_id", "catalog_id", "name", "favourite", "removed_at", "rating")


def artist_statement(account_id: int, *, include_removed: bool) -> AnySelect:
    """The query behind ``artists``: columns ``ARTIST_COLUMNS``, ordered."""
    fav, on_fav = favourite_join("artist", account_id, Artist)
    return (
        select(
            Artist.library_id,
            Artist.catalog_id,
            Artist.name,
            favourite_flag(fav),
            Artist.removed_at,
            rating_value(fav),
        )
        .outerjoin(fav, on_fav)
        .where(Artist.account_id == account_id, live(Artist, include_removed))
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
                or_(table.id.is_(None), live(table, include_removed)),
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
