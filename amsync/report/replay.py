"""Apple's own Replay of a year (kept by ``amsync sync``, view ``replay_v``) beside amsync's
count of the same songs, albums and artists in that year: their plays and their place in
amsync's ranking (``amsync top``'s query, by plays).

Apple's songs are found among the plays by catalog id (through the mirrored song that has
it), else by name and artist; albums by name and artist; artists by name (names compared
without regard to case)."""

from __future__ import annotations

from typing import Any, Final

from amsync.db.reading import Reader, placeholders
from amsync.query.listening import top_played
from amsync.report.library import has_relation
from amsync.report.model import Replay
from amsync.report.period import ReportPeriod

EVERYTHING: Final = 1_000_000


def _fold(*parts: Any) -> tuple[str, ...]:
    return tuple(str(p or "").casefold().strip() for p in parts)


def replay_section(reader: Reader, account_id: int, period: ReportPeriod) -> Replay | None:
    """For a year: Apple's kept summary of it (``kept`` false when none was kept)."""
    if period.kind != "year" or period.year is None or not has_relation(reader, "replay_v"):
        return None
    found = Replay(year=period.year)
    rows = reader.rows(
        "SELECT top, rank, name, artist, album, catalog_id, artwork_url, first_seen_at, "
        "last_seen_at FROM replay_v WHERE account_id = :account AND year = :year "
        "ORDER BY top, rank",
        {"account": account_id, "year": period.year},
    )
    if not rows:
        return found
    found.kept = True
    found.first_seen_at, found.last_seen_at = str(rows[0][7]), str(rows[0][8])
    ranking = {
        kind: _ranking(reader, account_id, period, kind) for kind in ("songs", "albums", "artists")
    }
    songs_by_catalog = _catalog_songs(reader, account_id, [r[5] for r in rows if r[0] == "songs"])
    for top, rank, name, artist, album, catalog_id, artwork, _, _ in rows:
        ours = _ours(ranking[str(top)], str(top), name, artist, album, catalog_id, songs_by_catalog)
        found.lists.setdefault(str(top), []).append(
            {
                "rank": int(rank),
                "name": name,
                "artist": artist,
                "album": album,
                "catalog_id": catalog_id,
                "artwork_url": artwork,
                "amsync_plays": ours[0] if ours else 0,
                "amsync_rank": ours[1] if ours else None,
            }
        )
    return found


def _ranking(
    reader: Reader, account_id: int, period: ReportPeriod, kind: str
) -> dict[tuple[str, ...], tuple[int, int]]:
    """amsync's whole ranking of the year: key → (plays, rank)."""
    columns, rows = top_played(
        reader, account_id, kind, period.query_period(), by="plays", limit=EVERYTHING
    )
    found: dict[tuple[str, ...], tuple[int, int]] = {}
    for row in rows:
        item = dict(zip(columns, row, strict=False))
        plays, rank = int(item["plays"] or 0), int(item["rank"])
        keys: list[tuple[str, ...]]
        if kind == "songs":
            keys = [("id", str(item["library_id"]))] if item["library_id"] else []
            keys.append(_fold(item["name"], item["artist"]))
        elif kind == "albums":
            keys = [_fold(item["album"], item["artist"])]
        else:
            keys = [_fold(item["artist"])]
        for key in keys:
            found.setdefault(tuple(key), (plays, rank))
    return found


def _catalog_songs(reader: Reader, account_id: int, catalog_ids: list[Any]) -> dict[str, str]:
    wanted = [str(c) for c in catalog_ids if c]
    if not wanted:
        return {}
    names, params = placeholders("cid", wanted)
    rows = reader.rows(
        "SELECT catalog_id, library_id FROM songs WHERE account_id = :account "
        f"AND catalog_id IN ({names}) ORDER BY removed_at IS NOT NULL, id",
        {"account": account_id, **params},
    )
    found: dict[str, str] = {}
    for catalog_id, library_id in rows:
        found.setdefault(str(catalog_id), str(library_id))
    return found


def _ours(
    ranking: dict[tuple[str, ...], tuple[int, int]],
    top: str,
    name: Any,
    artist: Any,
    album: Any,
    catalog_id: Any,
    songs_by_catalog: dict[str, str],
) -> tuple[int, int] | None:
    if top == "songs":
        library_id = songs_by_catalog.get(str(catalog_id)) if catalog_id else None
        if library_id and ("id", library_id) in ranking:
            return ranking[("id", library_id)]
        return ranking.get(_fold(name, artist))
    if top == "albums":
        return ranking.get(_fold(name, artist))
    return ranking.get(_fold(name))
