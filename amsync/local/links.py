"""``amsync local link`` and ``unlink``: a person's decisions, which win over the matcher.

A link names the file by path (so it survives rescans, which may give the file a new row) and
takes effect at once: the song's match is rewritten in the same transaction. ``unlink`` records
"this song has no file" (the matcher will not give it one); ``unlink --forget`` removes the
decision, and the next ``amsync local match`` decides again.

``SONG_ID`` is a library id or a catalog id; a catalog id may name several library songs (the
same song on an album and on a compilation, say), and the decision applies to each.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, delete, insert, or_, select, update

from amsync.db import tables
from amsync.db.store import Store
from amsync.domain.local_files import FOLDERS_SOURCE, ProblemKind, ScannedFile
from amsync.domain.ports import TagReader
from amsync.errors import UsageError
from amsync.local.scan import file_row

songs = tables.songs
files = tables.local_files
matches = tables.local_matches
links = tables.local_links
LINK_SOURCE = FOLDERS_SOURCE


@dataclass(frozen=True, slots=True)
class SongRef:
    id: int
    library_id: str
    name: str
    artist: str | None


@dataclass(frozen=True, slots=True)
class LinkResult:
    songs: tuple[SongRef, ...]
    path: str | None


def find_songs(connection: Connection, account_id: int, song_id: str) -> tuple[SongRef, ...]:
    """The live songs ``song_id`` names (a library id, else a catalog id)."""
    statement = (
        select(songs.c.id, songs.c.library_id, songs.c.name, songs.c.artist)
        .where(
            songs.c.account_id == account_id,
            songs.c.removed_at.is_(None),
            or_(songs.c.library_id == song_id, songs.c.catalog_id == song_id),
        )
        .order_by(songs.c.library_id != song_id, songs.c.id)
    )
    found = tuple(SongRef(*row) for row in connection.execute(statement))
    if found and found[0].library_id == song_id:
        return found[:1]
    if not found:
        raise UsageError(
            f"no song with library or catalog id {song_id!r} in the mirror",
            hint='`amsync search TEXT` or `amsync query "SELECT library_id, name FROM songs_v"` '
            "finds ids",
        )
    return found


def _audio_file(path: str, reader: TagReader) -> ScannedFile:
    try:
        info = Path(path).stat()
    except OSError as exc:
        raise UsageError(f"no file at {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{path} is not a file")
    read = reader.read_file(path)
    if not isinstance(read, ScannedFile):
        if read.kind is ProblemKind.NON_UTF8_NAME:
            raise UsageError(f"{read.path}: the name is not UTF-8, so no playlist can name it")
        raise UsageError(f"cannot use {read.path}: {read.detail}")
    return read


def _file_id(connection: Connection, path: str, reader: TagReader, now: datetime) -> int:
    """The row of ``path``, read and stored (or revived) when needed."""
    row = connection.execute(
        select(files.c.id, files.c.gone_at, files.c.source).where(files.c.path == path)
    ).first()
    if row is not None and row[1] is None:
        return int(row[0])
    scanned = _audio_file(path, reader)
    if row is not None:
        values = file_row(scanned, row[2], now)
        connection.execute(update(files).where(files.c.id == row[0]).values(**values))
        return int(row[0])
    values = {**file_row(scanned, LINK_SOURCE, now), "first_seen_at": now}
    inserted = connection.execute(insert(files).values(**values)).inserted_primary_key
    assert inserted is not None
    return int(inserted[0])


def _forget(connection: Connection, account_id: int, song: SongRef) -> None:
    """Drop the person's decision for ``song`` and its match."""
    connection.execute(
        delete(links).where(links.c.account_id == account_id, links.c.library_id == song.library_id)
    )
    connection.execute(
        delete(matches).where(matches.c.account_id == account_id, matches.c.song_id == song.id)
    )


def _decide(
    connection: Connection,
    account_id: int,
    found: tuple[SongRef, ...],
    path: str | None,
    file_id: int | None,
    now: datetime,
) -> None:
    for song in found:
        _forget(connection, account_id, song)
        connection.execute(
            insert(links).values(
                account_id=account_id, library_id=song.library_id, path=path, created_at=now
            )
        )
        connection.execute(
            insert(matches).values(
                account_id=account_id,
                song_id=song.id,
                file_id=file_id,
                accepted=file_id is not None,
                method="link",
                score=100.0 if file_id is not None else None,
                reason=None if file_id is not None else "unlinked by you",
                matched_at=now,
            )
        )


def link(store: Store, account_id: int, song_id: str, path: str, reader: TagReader) -> LinkResult:
    """Song ``song_id`` is the file at ``path`` (which must exist and be readable audio),
    named by its real path, as scans store files."""
    now = datetime.now(UTC)
    absolute = os.path.realpath(os.path.expanduser(path))  # noqa: PTH111
    with store.writing() as session:
        connection = session.connection()
        found = find_songs(connection, account_id, song_id)
        file_id = _file_id(connection, absolute, reader, now)
        _decide(connection, account_id, found, absolute, file_id, now)
    return LinkResult(found, absolute)


def unlink(store: Store, account_id: int, song_id: str, *, forget: bool = False) -> LinkResult:
    """Song ``song_id`` has no file (``forget``: drop the decision; the matcher decides)."""
    now = datetime.now(UTC)
    with store.writing() as session:
        connection = session.connection()
        found = find_songs(connection, account_id, song_id)
        if not forget:
            _decide(connection, account_id, found, None, None, now)
        else:
            for song in found:
                _forget(connection, account_id, song)
    return LinkResult(found, None)
