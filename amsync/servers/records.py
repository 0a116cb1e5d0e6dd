"""What amsync remembers of each server (tables of ``amsync.db.subsonic_models``): the server
row, its cached catalogue, the playlists amsync made and the stars and ratings it set. Each
write is its own short transaction, made right after the server confirmed the change, so a
push stopped at any point leaves records that say what the server has."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection, and_, delete, insert, select, update

from amsync.db import tables
from amsync.db.store import Store
from amsync.domain.media_server import ServerIdentity, ServerSong
from amsync.servers.plan import Remembered

INSERT_BATCH: Final = 2000
IN_BATCH: Final = 500
MADE: Final = "made"
PENDING: Final = "pending"

servers = tables.subsonic_servers
songs = tables.subsonic_songs
playlists = tables.subsonic_playlists
stars = tables.subsonic_stars


def _now() -> datetime:
    return datetime.now(UTC)


def username_of(identity: ServerIdentity) -> str:
    return identity.user or ""


def find_server(connection: Connection, identity: ServerIdentity) -> int | None:
    found = connection.execute(
        select(servers.c.id).where(
            servers.c.url == identity.url, servers.c.username == username_of(identity)
        )
    ).scalar()
    return int(found) if found is not None else None


def server_row(store: Store, identity: ServerIdentity) -> int:
    """The server's row (made on first use; what it says of itself kept up to date)."""
    described = {
        "api_version": identity.api_version,
        "server_type": identity.server_type,
        "server_version": identity.server_version,
        "auth_mode": identity.auth.value,
    }
    with store.writing() as session:
        connection = session.connection()
        row = connection.execute(
            select(servers.c.id, *(servers.c[k] for k in described)).where(
                servers.c.url == identity.url, servers.c.username == username_of(identity)
            )
        ).first()
        if row is None:
            values = {"url": identity.url, "username": username_of(identity), "song_count": 0}
            values |= described | {"first_seen_at": _now(), "last_used_at": _now()}
            inserted = connection.execute(insert(servers).values(**values)).inserted_primary_key
            assert inserted is not None
            return int(inserted[0])
        if tuple(row[1:]) != tuple(described.values()):
            connection.execute(update(servers).where(servers.c.id == row[0]).values(**described))
        return int(row[0])


# --- the catalogue -------------------------------------------------------------------------------


def cached_catalogue(
    connection: Connection, server_id: int, last_scan: str | None
) -> list[ServerSong] | None:
    """The songs read after the server's scan ``last_scan``, or ``None`` when there are none
    (never cached, or the server has scanned since)."""
    if last_scan is None:
        return None
    stored = connection.execute(
        select(servers.c.last_scan).where(servers.c.id == server_id)
    ).scalar()
    if stored != last_scan:
        return None
    rows = connection.execute(
        select(
            songs.c.song_id,
            songs.c.title,
            songs.c.artist,
            songs.c.album,
            songs.c.album_id,
            songs.c.artist_id,
            songs.c.album_artist,
            songs.c.duration_ms,
            songs.c.path,
            songs.c.isrcs,
            songs.c.mb_recording_id,
        )
        .where(songs.c.server_id == server_id)
        .order_by(songs.c.id)
    )
    return [
        ServerSong(*row[:9], tuple(row[9].split(",")) if row[9] else (), row[10]) for row in rows
    ]


def store_catalogue(
    store: Store, server_id: int, last_scan: str | None, catalogue: Sequence[ServerSong]
) -> None:
    """Replace the server's cached songs (kept only when the server says when it scanned)."""
    rows = [
        {
            "server_id": server_id,
            "song_id": song.id,
            "title": song.title,
            "artist": song.artist,
            "album": song.album,
            "album_id": song.album_id,
            "artist_id": song.artist_id,
            "album_artist": song.album_artist,
            "duration_ms": song.duration_ms,
            "path": song.path,
            "isrcs": ",".join(song.isrcs)[:255] or None,
            "mb_recording_id": (song.mb_recording_id or "")[:64] or None,
        }
        for song in catalogue
        if len(song.id) <= 255
    ]
    with store.writing() as session:
        connection = session.connection()
        connection.execute(delete(songs).where(songs.c.server_id == server_id))
        if last_scan is not None:
            for start in range(0, len(rows), INSERT_BATCH):
                connection.execute(insert(songs), rows[start : start + INSERT_BATCH])
        connection.execute(
            update(servers)
            .where(servers.c.id == server_id)
            .values(
                last_scan=last_scan,
                catalogue_read_at=_now(),
                song_count=len(rows),
                last_used_at=_now(),
            )
        )


# --- playlists -----------------------------------------------------------------------------------


def remembered_playlists(
    connection: Connection, account_id: int, server_id: int
) -> dict[str, Remembered]:
    rows = connection.execute(
        select(
            playlists.c.playlist_library_id,
            playlists.c.server_playlist_id,
            playlists.c.name,
            playlists.c.tracks_fingerprint,
            playlists.c.state,
            playlists.c.known_ids,
        ).where(playlists.c.account_id == account_id, playlists.c.server_id == server_id)
    )
    found: dict[str, Remembered] = {}
    for library_id, server_playlist_id, name, fingerprint, state, known in rows:
        known_ids = known.get("ids", []) if isinstance(known, dict) else []
        found[library_id] = Remembered(
            library_id,
            server_playlist_id,
            name,
            fingerprint,
            state == PENDING,
            frozenset(str(i) for i in known_ids),
        )
    return found


def _where(account_id: int, server_id: int, library_id: str) -> Any:
    return and_(
        playlists.c.account_id == account_id,
        playlists.c.server_id == server_id,
        playlists.c.playlist_library_id == library_id,
    )


def _upsert(
    store: Store, account_id: int, server_id: int, library_id: str, values: dict[str, Any]
) -> None:
    with store.writing() as session:
        connection = session.connection()
        where = _where(account_id, server_id, library_id)
        done = connection.execute(update(playlists).where(where).values(**values))
        if not done.rowcount:
            connection.execute(
                insert(playlists).values(
                    account_id=account_id,
                    server_id=server_id,
                    playlist_library_id=library_id,
                    created_at=values["updated_at"],
                    **values,
                )
            )


def mark_pending(
    store: Store,
    account_id: int,
    server_id: int,
    library_id: str,
    name: str,
    known_ids: Iterable[str],
) -> None:
    """A create is about to be sent: if its answer never comes, the next push adopts the
    playlist of that name that is not among ``known_ids``."""
    _upsert(store, account_id, server_id, library_id, {
        "server_playlist_id": None,
        "state": PENDING,
        "name": name,
        "track_count": 0,
        "tracks_fingerprint": None,
        "known_ids": {"ids": sorted(known_ids)},
        "updated_at": _now(),
    })  # fmt: skip


def record_made(
    store: Store,
    account_id: int,
    server_id: int,
    library_id: str,
    server_playlist_id: str,
    name: str,
    song_ids: Sequence[str] | None,
    fingerprint: str | None,
) -> None:
    """The server has playlist ``server_playlist_id`` named ``name`` with ``song_ids`` (when
    written; ``None`` keeps the recorded tracks)."""
    values: dict[str, Any] = {
        "server_playlist_id": server_playlist_id,
        "state": MADE,
        "name": name,
        "known_ids": None,
        "updated_at": _now(),
    }
    if song_ids is not None:
        values |= {"track_count": len(song_ids), "tracks_fingerprint": fingerprint}
    _upsert(store, account_id, server_id, library_id, values)


def forget_playlist(store: Store, account_id: int, server_id: int, library_id: str) -> None:
    with store.writing() as session:
        session.connection().execute(
            delete(playlists).where(_where(account_id, server_id, library_id))
        )


# --- stars and ratings ---------------------------------------------------------------------------


def remembered_stars(
    connection: Connection, account_id: int, server_id: int
) -> dict[str, set[str]]:
    """Kind (song, album, artist, rating) → the server ids amsync starred or rated."""
    found: dict[str, set[str]] = defaultdict(set)
    rows = connection.execute(
        select(stars.c.kind, stars.c.item_id).where(
            stars.c.account_id == account_id, stars.c.server_id == server_id
        )
    )
    for kind, item_id in rows:
        found[kind].add(item_id)
    return found


def record_stars(
    store: Store,
    account_id: int,
    server_id: int,
    kind: str,
    item_ids: Sequence[str],
    library_ids: dict[str, str],
    *,
    value: int | None = None,
) -> None:
    if not item_ids:
        return
    now = _now()
    with store.writing() as session:
        connection = session.connection()
        _delete_stars(connection, account_id, server_id, kind, item_ids)
        connection.execute(
            insert(stars),
            [
                {
                    "account_id": account_id,
                    "server_id": server_id,
                    "kind": kind,
                    "item_id": item_id,
                    "library_id": library_ids.get(item_id),
                    "value": value,
                    "set_at": now,
                }
                for item_id in item_ids
            ],
        )


def forget_stars(
    store: Store, account_id: int, server_id: int, kind: str, item_ids: Sequence[str]
) -> None:
    if not item_ids:
        return
    with store.writing() as session:
        _delete_stars(session.connection(), account_id, server_id, kind, item_ids)


def _delete_stars(
    connection: Connection, account_id: int, server_id: int, kind: str, item_ids: Sequence[str]
) -> None:
    for start in range(0, len(item_ids), IN_BATCH):
        connection.execute(
            delete(stars).where(
                stars.c.account_id == account_id,
                stars.c.server_id == server_id,
                stars.c.kind == kind,
                stars.c.item_id.in_(list(item_ids[start : start + IN_BATCH])),
            )
        )
