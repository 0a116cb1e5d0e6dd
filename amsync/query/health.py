"""``amsync health``: what is wrong with the library itself (not with amsync).

Checks, each with a count and the first ``limit`` items:
- ``unavailable``: songs whose catalog entry Apple withdrew (``catalog_songs.available`` false)
- ``lost``: songs lost not by the person's doing (``lost_v``; ``amsync lost`` explains them)
- ``uploads_without_catalog``: songs without a catalog id (uploads, unmatched files) that play
  (a greyed-out song whose catalog id Apple stopped telling is a lost song, not an upload)
- ``duplicate_catalog_ids``: several library songs for one catalog song
- ``duplicate_names``: several songs with the same name, artist and album (ignoring case)
- ``duplicate_playlist_entries``: a track more than once in a playlist
- ``empty_playlists``: playlists without tracks
- ``missing_metadata``: songs without artist, album or duration, or whose catalog metadata was
  never fetched

Plain SQL on a ``Reader`` (both backends; the CLI reads an SQLite mirror without loading
SQLAlchemy, see ``amsync.db.reading``). This module imports no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from amsync.db.reading import Reader, scalar

DEFAULT_LIMIT: Final = 20


@dataclass
class HealthCheck:
    name: str
    title: str
    count: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Check:
    name: str
    title: str
    columns: tuple[str, ...]
    sql: str  # one SELECT of ``columns`` with an ORDER BY; ``:account`` is the account id


_LIVE_SONGS: Final = "s.account_id = :account AND s.removed_at IS NULL"
_CATALOG: Final = "c.account_id = s.account_id AND c.catalog_id = s.catalog_id"
_NEVER_FETCHED: Final = "(s.catalog_id IS NOT NULL AND c.id IS NULL)"
_DURATION: Final = "COALESCE(s.duration_ms, c.duration_ms)"
_LIVE_PLAYLISTS: Final = "p.account_id = :account AND p.removed_at IS NULL"

CHECKS: Final = (
    _Check(
        "unavailable",
        "catalog songs Apple no longer offers",
        ("library_id", "name", "artist", "catalog_id"),
        "SELECT s.library_id, s.name, s.artist, s.catalog_id FROM songs s "
        f"JOIN catalog_songs c ON {_CATALOG} WHERE {_LIVE_SONGS} AND NOT c.available "
        "ORDER BY s.name",
    ),
    _Check(
        "lost",
        "songs lost (withdrawn, unplayable, cause unknown): `amsync lost` explains them",
        ("library_id", "name", "artist", "catalog_id"),
        "SELECT v.library_id, MIN(v.name), MIN(v.artist), MIN(v.catalog_id) FROM lost_v v "
        "WHERE v.account_id = :account AND v.restored_at IS NULL AND v.cause <> 'removed' "
        "GROUP BY v.library_id ORDER BY MIN(v.name), v.library_id",
    ),
    _Check(
        "uploads_without_catalog",
        "songs without a catalog match (uploads)",
        ("library_id", "name", "artist", "album"),
        "SELECT s.library_id, s.name, s.artist, s.album FROM songs s "
        f"WHERE {_LIVE_SONGS} AND s.catalog_id IS NULL AND s.playable ORDER BY s.name",
    ),
    _Check(
        "duplicate_catalog_ids",
        "catalog songs in the library more than once",
        ("catalog_id", "copies", "name", "artist"),
        "SELECT s.catalog_id, count(*), MIN(s.name), MIN(s.artist) FROM songs s "
        f"WHERE {_LIVE_SONGS} AND s.catalog_id IS NOT NULL GROUP BY s.catalog_id "
        "HAVING count(*) > 1 ORDER BY count(*) DESC, s.catalog_id",
    ),
    _Check(
        "duplicate_names",
        "songs with the same name, artist and album",
        ("name", "artist", "album", "copies"),
        "SELECT MIN(s.name), MIN(s.artist), MIN(s.album), count(*) FROM songs s "
        f"WHERE {_LIVE_SONGS} GROUP BY lower(s.name), lower(COALESCE(s.artist, '')), "
        "lower(COALESCE(s.album, '')) HAVING count(*) > 1 ORDER BY count(*) DESC, MIN(s.name)",
    ),
    _Check(
        "duplicate_playlist_entries",
        "tracks more than once in a playlist",
        ("playlist_id", "playlist_name", "library_id", "name", "copies"),
        "SELECT p.library_id, p.name, e.track_library_id, MIN(e.name), count(*) "
        "FROM playlists p JOIN playlist_entries e ON e.revision_id = p.current_revision_id "
        f"WHERE {_LIVE_PLAYLISTS} GROUP BY p.library_id, p.name, e.track_library_id "
        "HAVING count(*) > 1 ORDER BY p.name, MIN(e.name)",
    ),
    _Check(
        "empty_playlists",
        "playlists without tracks",
        ("library_id", "name"),
        f"SELECT p.library_id, p.name FROM playlists p WHERE {_LIVE_PLAYLISTS} AND NOT EXISTS "
        "(SELECT 1 FROM playlist_entries e WHERE e.revision_id = p.current_revision_id) "
        "ORDER BY p.name",
    ),
    _Check(
        "missing_metadata",
        "songs with missing metadata",
        ("library_id", "name", "artist", "album", "duration_ms", "catalog_missing"),
        f"SELECT s.library_id, s.name, s.artist, s.album, {_DURATION}, {_NEVER_FETCHED} "
        f"FROM songs s LEFT JOIN catalog_songs c ON {_CATALOG} WHERE {_LIVE_SONGS} AND "
        f"(s.artist IS NULL OR s.album IS NULL OR {_DURATION} IS NULL OR {_NEVER_FETCHED}) "
        "ORDER BY s.name",
    ),
)


def _missing_fields(item: dict[str, Any]) -> dict[str, Any]:
    missing = [name for name in ("artist", "album", "duration_ms") if item.get(name) is None]
    if item.pop("catalog_missing", False):
        missing.append("catalog metadata")
    return {**item, "missing": missing}


def _run_check(reader: Reader, check: _Check, account_id: int, limit: int) -> HealthCheck:
    found = HealthCheck(check.name, check.title)
    params = {"account": account_id, "limit": limit}
    found.count = int(scalar(reader, f"SELECT count(*) FROM ({check.sql}) AS q", params) or 0)
    for row in reader.rows(f"{check.sql} LIMIT :limit", params):
        item = dict(zip(check.columns, row, strict=True))
        found.items.append(_missing_fields(item) if check.name == "missing_metadata" else item)
    return found


def library_health(
    reader: Reader, account_id: int, *, limit: int = DEFAULT_LIMIT
) -> list[HealthCheck]:
    return [_run_check(reader, check, account_id, limit) for check in CHECKS]


def as_dicts(checks: list[HealthCheck]) -> list[dict[str, Any]]:
    """The checks for ``--format json``: each check's name under ``check``, the key TSV and CSV
    give it too (an item's ``name`` is a song's or a playlist's)."""
    return [{"check": c.name, "title": c.title, "count": c.count, "items": c.items} for c in checks]
