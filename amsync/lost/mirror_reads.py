"""Reading what the mirror holds for finding losses: songs with their catalog entries, the
catalog ids greyed-out songs had, open losses, a playlist revision's tracks (SQLAlchemy Core
on the sync's connection, in chunks of ``CHUNK`` ids)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, and_, or_, select

from amsync.db import tables
from amsync.lost.departures import Track

CHUNK: Final = 500
_songs = tables.songs
_catalog = tables.catalog_songs
_lost = tables.lost_songs
_entries = tables.lost_entries


@dataclass(slots=True)
class MirrorSong:
    """A mirrored song with its catalog entry, as the sync left them."""

    library_id: str
    live: bool
    name: str
    artist: str | None
    album: str | None
    duration_ms: int | None
    playable: bool
    catalog_id: str | None
    isrc: str | None = None
    available: bool | None = None
    catalog_playable: bool | None = None

    @property
    def unplayable(self) -> bool:
        return not self.playable or self.available is False or self.catalog_playable is False


def as_tracks(rows: Mapping[int, Any]) -> list[Track]:
    return [
        Track(row.position, row.track_library_id, row.track_catalog_id, row.kind)
        for row in rows.values()
    ]


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class MirrorReads:
    """The queries of ``detection._Detector`` (which sets these attributes)."""

    db: Connection
    account_id: int
    run_id: int | None

    def _songs(
        self, library_ids: Iterable[str] = (), *, unplayable_only: bool = False
    ) -> dict[str, MirrorSong]:
        """Songs (not music videos) by library id, with their catalog entries; all live
        unplayable ones with ``unplayable_only``."""
        query = (
            select(
                _songs.c.library_id,
                _songs.c.removed_at.is_(None),
                _songs.c.name,
                _songs.c.artist,
                _songs.c.album,
                _songs.c.duration_ms,
                _songs.c.playable,
                _songs.c.catalog_id,
                _catalog.c.isrc,
                _catalog.c.available,
                _catalog.c.playable,
            )
            .select_from(
                _songs.outerjoin(
                    _catalog,
                    and_(
                        _catalog.c.account_id == _songs.c.account_id,
                        _catalog.c.catalog_id == _songs.c.catalog_id,
                    ),
                )
            )
            .where(_songs.c.account_id == self.account_id, _songs.c.kind == "song")
        )
        rows: list[Any] = []
        if unplayable_only:
            rows = list(
                self.db.execute(
                    query.where(
                        _songs.c.removed_at.is_(None),
                        or_(
                            _songs.c.playable.is_(False),
                            _catalog.c.available.is_(False),
                            _catalog.c.playable.is_(False),
                        ),
                    )
                )
            )
        else:
            for chunk in chunks(sorted(set(library_ids))):
                rows += self.db.execute(query.where(_songs.c.library_id.in_(chunk)))
        return {
            r[0]: MirrorSong(
                r[0],
                bool(r[1]),
                r[2],
                r[3],
                r[4],
                r[5],
                bool(r[6]),
                r[7],
                r[8],
                None if r[9] is None else bool(r[9]),
                None if r[10] is None else bool(r[10]),
            )
            for r in rows
        }

    def _catalog_entries(self, catalog_ids: Iterable[str]) -> dict[str, tuple[Any, ...]]:
        """catalog id → (isrc, available, playable, duration_ms, album)."""
        found: dict[str, tuple[Any, ...]] = {}
        for chunk in chunks(sorted(set(catalog_ids))):
            for row in self.db.execute(
                select(
                    _catalog.c.catalog_id,
                    _catalog.c.isrc,
                    _catalog.c.available,
                    _catalog.c.playable,
                    _catalog.c.duration_ms,
                    _catalog.c.album,
                ).where(_catalog.c.account_id == self.account_id, _catalog.c.catalog_id.in_(chunk))
            ):
                found[row[0]] = tuple(row[1:])
        return found

    def _former_catalog_ids(self, library_ids: Iterable[str]) -> dict[str, str]:
        """The catalog ids songs had before this sync changed them to none (Apple greyed them
        out and stopped saying which catalog song they are), from the sync's change log."""
        wanted = sorted(set(library_ids))
        if not wanted or self.run_id is None:
            return {}
        changes = tables.item_changes
        former: dict[str, str] = {}
        for chunk in chunks(wanted):
            for library_id, detail in self.db.execute(
                select(changes.c.library_id, changes.c.detail).where(
                    changes.c.account_id == self.account_id,
                    changes.c.run_id == self.run_id,
                    changes.c.item_type == "song",
                    changes.c.change == "changed",
                    changes.c.library_id.in_(chunk),
                )
            ):
                pair = (detail or {}).get("catalog_id")
                if isinstance(pair, list) and pair and isinstance(pair[0], str):
                    former[library_id] = pair[0]
        return former

    def _open(
        self, library_ids: Iterable[str] = (), playlist_id: str | None = None
    ) -> list[tuple[int, str, str, str | None, str | None]]:
        """Open losses: (entry id, library id, kind, playlist id, catalog id)."""
        query = (
            select(
                _entries.c.id,
                _lost.c.library_id,
                _entries.c.kind,
                _entries.c.playlist_id,
                _lost.c.catalog_id,
            )
            .join(_lost, _lost.c.id == _entries.c.song_id)
            .where(_entries.c.account_id == self.account_id, _entries.c.found_back_at.is_(None))
        )
        if playlist_id is not None:
            return [
                tuple(r)
                for r in self.db.execute(query.where(_entries.c.playlist_id == playlist_id))
            ]
        found: list[tuple[int, str, str, str | None, str | None]] = []
        for chunk in chunks(sorted(set(library_ids))):
            found += [tuple(r) for r in self.db.execute(query.where(_lost.c.library_id.in_(chunk)))]
        return found

    def _songs_of_catalog(self, catalog_ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(sorted(set(catalog_ids))):
            found.update(
                self.db.scalars(
                    select(_songs.c.library_id).where(
                        _songs.c.account_id == self.account_id,
                        _songs.c.removed_at.is_(None),
                        _songs.c.catalog_id.in_(chunk),
                    )
                )
            )
        return found

    def _tracks(self, revision_id: int) -> dict[int, Any]:
        entries = tables.playlist_entries
        rows = self.db.execute(
            select(
                entries.c.position,
                entries.c.track_library_id,
                entries.c.track_catalog_id,
                entries.c.kind,
                entries.c.name,
                entries.c.artist,
                entries.c.album,
                entries.c.duration_ms,
            )
            .where(entries.c.revision_id == revision_id)
            .order_by(entries.c.position)
        )
        found: dict[int, Any] = {}
        for row in rows:
            found[row.position] = row
        return found
