"""Reading what the matcher needs, and what it decided, from the database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, select

from amsync.db import tables
from amsync.export.row_reading import chunks
from amsync.local.matcher import FileRecord, SongRecord

songs = tables.songs
catalog = tables.catalog_songs
files = tables.local_files
matches = tables.local_matches
links = tables.local_links


def song_records(connection: Connection, account_id: int) -> Iterator[SongRecord]:
    """The account's live songs (music videos left out) with their catalog ISRC and length."""
    statement = (
        select(
            songs.c.id,
            songs.c.library_id,
            songs.c.catalog_id,
            songs.c.name,
            songs.c.artist,
            func.coalesce(songs.c.album, catalog.c.album),
            func.coalesce(songs.c.duration_ms, catalog.c.duration_ms),
            catalog.c.isrc,
        )
        .outerjoin(
            catalog,
            and_(
                catalog.c.account_id == songs.c.account_id,
                catalog.c.catalog_id == songs.c.catalog_id,
            ),
        )
        .where(
            songs.c.account_id == account_id,
            songs.c.removed_at.is_(None),
            songs.c.kind != "music-video",
        )
        .order_by(songs.c.id)
    )
    for chunk in chunks(connection, statement, 20_000):  # plain tuples, from the driver
        for row in chunk:
            isrc = (row[7] or "").replace("-", "").upper() or None
            yield SongRecord(row[0], row[1], row[2], row[3] or "", row[4], row[5], row[6], isrc)


def file_records(connection: Connection) -> list[FileRecord]:
    """Every file that is not gone."""
    statement = select(
        files.c.id,
        files.c.path,
        files.c.title,
        files.c.artist,
        files.c.album,
        files.c.album_artist,
        files.c.duration_ms,
        files.c.isrc,
        files.c.mb_recording_id,
    ).where(files.c.gone_at.is_(None))
    return [FileRecord(*row) for chunk in chunks(connection, statement, 20_000) for row in chunk]


def link_table(connection: Connection, account_id: int) -> dict[str, str | None]:
    rows = connection.execute(
        select(links.c.library_id, links.c.path).where(links.c.account_id == account_id)
    )
    return {row[0]: row[1] for row in rows}


@dataclass(frozen=True, slots=True)
class LocalPaths:
    """Where each matched song's file is: by library id, and by catalog id for playlist
    entries that name a catalog song the library holds under another library id."""

    by_library_id: dict[str, str]
    by_catalog_id: dict[str, str]

    def of(self, library_id: str | None, catalog_id: str | None) -> str | None:
        if library_id and library_id in self.by_library_id:
            return self.by_library_id[library_id]
        if catalog_id:
            return self.by_catalog_id.get(catalog_id)
        return None


def local_paths(connection: Connection, account_id: int) -> LocalPaths:
    """The accepted matches of the account's live songs to files that are not gone."""
    statement = (
        select(songs.c.library_id, songs.c.catalog_id, files.c.path)
        .select_from(matches)
        .join(songs, songs.c.id == matches.c.song_id)
        .join(files, files.c.id == matches.c.file_id)
        .where(
            matches.c.account_id == account_id,
            matches.c.accepted.is_(True),
            files.c.gone_at.is_(None),
            songs.c.removed_at.is_(None),
        )
        .order_by(songs.c.id)
    )
    by_library: dict[str, str] = {}
    by_catalog: dict[str, str] = {}
    for library_id, catalog_id, path in connection.execute(statement):
        by_library[library_id] = path
        if catalog_id:
            by_catalog.setdefault(catalog_id, path)
    return LocalPaths(by_library, by_catalog)


def previous_recordings(connection: Connection, account_id: int) -> dict[int, str]:
    """Song key -> the MusicBrainz recording id of the file it was matched or linked to last
    time (gone files too: that is when the id is needed)."""
    statement = (
        select(matches.c.song_id, files.c.mb_recording_id)
        .join(files, files.c.id == matches.c.file_id)
        .where(
            matches.c.account_id == account_id,
            matches.c.accepted.is_(True),
            files.c.mb_recording_id.is_not(None),
        )
    )
    found = {row[0]: row[1] for row in connection.execute(statement)}
    linked = (
        select(songs.c.id, files.c.mb_recording_id)
        .select_from(links)
        .join(songs, and_(songs.c.account_id == links.c.account_id,
                          songs.c.library_id == links.c.library_id))
        .join(files, files.c.path == links.c.path)
        .where(links.c.account_id == account_id, files.c.mb_recording_id.is_not(None))
    )  # fmt: skip
    found.update({row[0]: row[1] for row in connection.execute(linked)})
    return found
