"""``amsync local unmatched``: the songs without a file, with the best candidate and why it was
rejected — so that a person can fix a tag or add a ``link``. With playlists, their tracks in
order (a track that is not a song of the library says so)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final

from sqlalchemy import Connection, and_, case, literal, not_, or_, select

from amsync.db import tables

COLUMNS: Final = (
    "library_id",
    "catalog_id",
    "name",
    "artist",
    "album",
    "reason",
    "candidate",
    "candidate_title",
    "candidate_artist",
    "score",
)
PLAYLIST_COLUMNS: Final = ("playlist", "position", *COLUMNS)

songs = tables.songs
files = tables.local_files
matches = tables.local_matches
playlists = tables.playlists
entries = tables.playlist_entries

NOT_MATCHED_YET: Final = "not matched yet (run `amsync local match`)"


def _reason() -> Any:
    return case(
        (matches.c.id.is_(None), literal(NOT_MATCHED_YET)),
        (
            and_(matches.c.accepted.is_(True), files.c.gone_at.is_not(None)),
            literal("its file is gone"),
        ),
        else_=matches.c.reason,
    )


def _no_file() -> Any:
    return or_(
        matches.c.id.is_(None),
        matches.c.accepted.is_(False),
        files.c.gone_at.is_not(None),
    )


def _candidate_columns() -> list[Any]:
    return [
        _reason(),
        files.c.path,
        files.c.title,
        files.c.artist,
        matches.c.score,
    ]


def unmatched_songs(connection: Connection, account_id: int) -> Iterator[tuple[Any, ...]]:
    """``COLUMNS`` for every live song of the account without a file, by artist and name."""
    statement = (
        select(
            songs.c.library_id,
            songs.c.catalog_id,
            songs.c.name,
            songs.c.artist,
            songs.c.album,
            *_candidate_columns(),
        )
        .outerjoin(matches, matches.c.song_id == songs.c.id)
        .outerjoin(files, files.c.id == matches.c.file_id)
        .where(
            songs.c.account_id == account_id,
            songs.c.removed_at.is_(None),
            songs.c.kind != "music-video",
            _no_file(),
        )
        .order_by(songs.c.artist, songs.c.name, songs.c.library_id)
    )
    yield from (tuple(row) for row in connection.execute(statement))


def unmatched_playlist_tracks(
    connection: Connection, account_id: int, playlist_ids: Sequence[int]
) -> Iterator[tuple[Any, ...]]:
    """``PLAYLIST_COLUMNS`` for the tracks without a file of the given playlists, in order."""
    reason = case(
        (songs.c.id.is_(None), literal("not a song of your library")),
        else_=_reason(),
    )
    statement = (
        select(
            playlists.c.name,
            entries.c.position,
            entries.c.track_library_id,
            entries.c.track_catalog_id,
            entries.c.name,
            entries.c.artist,
            entries.c.album,
            reason,
            files.c.path,
            files.c.title,
            files.c.artist,
            matches.c.score,
        )
        .select_from(playlists)
        .join(entries, entries.c.revision_id == playlists.c.current_revision_id)
        .outerjoin(
            songs,
            and_(
                songs.c.account_id == playlists.c.account_id,
                songs.c.library_id == entries.c.track_library_id,
                songs.c.removed_at.is_(None),
            ),
        )
        .outerjoin(matches, matches.c.song_id == songs.c.id)
        .outerjoin(files, files.c.id == matches.c.file_id)
        .where(
            playlists.c.account_id == account_id,
            playlists.c.id.in_(list(playlist_ids)),
            or_(songs.c.id.is_(None), _no_file()),
            not_(entries.c.kind == "music-video"),
        )
        .order_by(playlists.c.id, entries.c.position)
    )
    yield from (tuple(row) for row in connection.execute(statement))
