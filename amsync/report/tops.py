"""The top songs, artists and albums of a report: ``amsync top``'s own query
(``amsync.query.listening.top_played``) for the same period, by plays and by listening time,
with the artwork Apple gave for each where the mirror has it."""

from __future__ import annotations

from typing import Any, Final

from amsync.db.reading import Reader, placeholders
from amsync.query.listening import KINDS, top_rankings
from amsync.report.model import TopList
from amsync.report.period import ReportPeriod

TOP_LIMIT: Final = 20  # amsync top's default


def _plain(value: Any) -> Any:
    """A value as ``amsync top --format json`` writes it."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def top_lists(
    reader: Reader, account_id: int, period: ReportPeriod, limit: int = TOP_LIMIT
) -> dict[str, dict[str, TopList]]:
    """``{kind: {by: TopList}}`` for songs, artists and albums by plays and by time."""
    lists: dict[str, dict[str, TopList]] = {}
    for kind in KINDS:
        lists[kind] = {}
        rankings = top_rankings(reader, account_id, kind, period.query_period(), limit=limit)
        for by, (columns, rows) in rankings.items():
            found = TopList(
                kind,
                by,
                [{c: _plain(v) for c, v in zip(columns, row, strict=False)} for row in rows],
            )
            found.artwork = _artwork(reader, account_id, kind, found.rows)
            lists[kind][by] = found
    return lists


def _artwork(
    reader: Reader, account_id: int, kind: str, rows: list[dict[str, Any]]
) -> list[str | None]:
    if not rows:
        return []
    if kind == "songs":
        urls = _song_artwork(reader, account_id, [r["library_id"] for r in rows if r["library_id"]])
        return [urls.get(r["library_id"]) for r in rows]
    if kind == "artists":
        urls = _artist_artwork(reader, account_id, [r["artist"] for r in rows])
        return [urls.get(r["artist"]) for r in rows]
    pairs = _album_artwork(reader, account_id, [r["album"] for r in rows])
    return [pairs.get((r["album"], r["artist"])) for r in rows]


def _song_artwork(reader: Reader, account_id: int, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    names, params = placeholders("id", ids)
    rows = reader.rows(
        "SELECT s.library_id, COALESCE(s.artwork_url, c.artwork_url) FROM songs s "
        "LEFT JOIN catalog_songs c ON c.account_id = s.account_id AND c.catalog_id = s.catalog_id "
        f"WHERE s.account_id = :account AND s.library_id IN ({names})",
        {"account": account_id, **params},
    )
    return {str(i): str(url) for i, url in rows if url}


def _artist_artwork(reader: Reader, account_id: int, artists: list[str]) -> dict[str, str]:
    names, params = placeholders("name", artists)
    rows = reader.rows(
        "SELECT a.name, c.artwork_url FROM artists a JOIN catalog_artists c "
        "ON c.account_id = a.account_id AND c.catalog_id = a.catalog_id "
        f"WHERE a.account_id = :account AND a.name IN ({names}) AND c.artwork_url IS NOT NULL "
        "ORDER BY a.removed_at IS NOT NULL, a.id",
        {"account": account_id, **params},
    )
    found: dict[str, str] = {}
    for name, url in rows:
        found.setdefault(str(name), str(url))
    return found


def _album_artwork(
    reader: Reader, account_id: int, albums: list[str]
) -> dict[tuple[str, str], str]:
    names, params = placeholders("album", albums)
    found: dict[tuple[str, str], str] = {}
    for sql in (
        "SELECT name, artist, artwork_url FROM albums WHERE account_id = :account "
        f"AND name IN ({names}) AND artwork_url IS NOT NULL ORDER BY removed_at IS NOT NULL, id",
        "SELECT album, artist, artwork_url FROM songs WHERE account_id = :account "
        f"AND album IN ({names}) AND artwork_url IS NOT NULL ORDER BY removed_at IS NOT NULL, id",
    ):
        for album, artist, url in reader.rows(sql, {"account": account_id, **params}):
            found.setdefault((str(album), str(artist)), str(url))
    return found
