"""The library part of a report: songs added, playlists created and changed (from the
playlist revisions every sync keeps), the biggest playlist changes, favourites, and — when the
database has the lost-songs view ``lost_v`` — songs Apple took away and what replaced them."""

from __future__ import annotations

from collections import Counter
from typing import Any, Final

from amsync.db.reading import Reader, iso_sql, moment_parameter, scalar
from amsync.report.buckets import labels_for
from amsync.report.model import Library
from amsync.report.period import ReportPeriod
from amsync.report.sql_parts import PLAYED, during

CHANGED_SHOWN: Final = 5
CHANGED_EXAMINED: Final = 25
LOST_SHOWN: Final = 20


def library_section(reader: Reader, account_id: int, period: ReportPeriod) -> Library:
    found = Library()
    _added(reader, account_id, period, found)
    _playlists(reader, account_id, period, found)
    _favourites(reader, account_id, period, found)
    if has_relation(reader, "lost_v"):
        lost = lost_songs(reader, account_id, period)
        found.lost = lost if lost["lost"] else None  # shown when songs were lost
    return found


def _added(reader: Reader, account_id: int, period: ReportPeriod, found: Library) -> None:
    width = 10 if period.kind == "month" else 7
    rows = reader.rows(
        f"SELECT substr(date_added, 1, {width}), COUNT(*) FROM songs "
        "WHERE account_id = :account AND kind = 'song' AND date_added IS NOT NULL "
        f"AND {period.contains_text('date_added')} GROUP BY 1 ORDER BY 1",
        {"account": account_id, **period.text_bounds()},
    )
    counts = {str(label): int(n) for label, n in rows}
    if counts:
        unit = "day" if period.kind == "month" else "month"
        days = [f"{min(counts)}-01"[:10], f"{max(counts)}-01"[:10]]
        found.added_by_month = [
            (label, counts.get(label, 0)) for label in labels_for(period, unit, days)
        ]
    found.songs_added = sum(counts.values())


def _between(reader: Reader, column: str, period: ReportPeriod) -> tuple[str, dict[str, Any]]:
    sql, params = "", {}
    if period.start is not None:
        sql += f" AND {column} >= :start"
        params["start"] = moment_parameter(reader, period.start)
    if period.end is not None:
        sql += f" AND {column} < :end"
        params["end"] = moment_parameter(reader, period.end)
    return sql, params


def _playlists(reader: Reader, account_id: int, period: ReportPeriod, found: Library) -> None:
    added = f"COALESCE(p.date_added, {iso_sql(reader, 'p.first_seen_at')})"
    created = reader.rows(
        f"SELECT p.name, {added}, p.track_count, p.removed_at IS NOT NULL FROM playlists p "
        f"WHERE p.account_id = :account AND {period.contains_text(added)} ORDER BY 2, 1",
        {"account": account_id, **period.text_bounds()},
    )
    found.playlists_created = [
        {"name": n, "created": str(d)[:10], "tracks": int(t or 0), "removed": bool(r)}
        for n, d, t, r in created
    ]
    when, params = _between(reader, "r.valid_from", period)
    changed = reader.rows(
        "SELECT r.playlist_id, COUNT(*) FROM playlist_revisions r "
        f"WHERE r.account_id = :account{when} AND EXISTS (SELECT 1 FROM playlist_revisions o "
        "WHERE o.playlist_id = r.playlist_id AND o.valid_from < r.valid_from) "
        "GROUP BY r.playlist_id ORDER BY 2 DESC, 1 LIMIT 100000",
        {"account": account_id, **params},
    )
    found.playlists_changed = len(changed)
    found.playlist_revisions = sum(int(n) for _, n in changed)
    examined = [_change(reader, int(pid), int(n), period) for pid, n in changed[:CHANGED_EXAMINED]]
    examined.sort(key=lambda c: (-(c["added"] + c["removed"]), c["name"]))
    found.biggest_changes = [c for c in examined if c["added"] or c["removed"]][:CHANGED_SHOWN]


def _revision_at(reader: Reader, playlist_id: int, moment: Any, *, before: bool) -> int | None:
    """The revision in force at ``moment`` (``before``: the last one starting before it)."""
    if moment is None:
        order = "ASC" if before else "DESC"
        found = scalar(
            reader,
            "SELECT id FROM playlist_revisions WHERE playlist_id = :pid "
            f"ORDER BY valid_from {order}, id {order} LIMIT 1",
            {"pid": playlist_id},
        )
    else:
        found = scalar(
            reader,
            "SELECT id FROM playlist_revisions WHERE playlist_id = :pid AND valid_from < :moment "
            "ORDER BY valid_from DESC, id DESC LIMIT 1",
            {"pid": playlist_id, "moment": moment},
        )
    return None if found is None else int(found)


def _tracks(reader: Reader, revision_id: int | None) -> Counter[str]:
    if revision_id is None:
        return Counter()
    rows = reader.rows(
        "SELECT track_library_id FROM playlist_entries WHERE revision_id = :rid",
        {"rid": revision_id},
    )
    return Counter(str(r[0]) for r in rows)


def _change(
    reader: Reader, playlist_id: int, revisions: int, period: ReportPeriod
) -> dict[str, Any]:
    start = moment_parameter(reader, period.start) if period.start else None
    end = moment_parameter(reader, period.end) if period.end else None
    before = _tracks(reader, _revision_at(reader, playlist_id, start, before=True))
    after = _tracks(reader, _revision_at(reader, playlist_id, end, before=False))
    name = scalar(reader, "SELECT name FROM playlists WHERE id = :pid", {"pid": playlist_id})
    return {
        "name": name,
        "revisions": revisions,
        "added": sum((after - before).values()),
        "removed": sum((before - after).values()),
        "tracks_before": sum(before.values()),
        "tracks_after": sum(after.values()),
    }


def _favourites(reader: Reader, account_id: int, period: ReportPeriod, found: Library) -> None:
    rows = reader.rows(
        "SELECT item_type, COUNT(*) FROM favourites WHERE account_id = :account "
        "AND local = 'favourite' GROUP BY item_type ORDER BY item_type",
        {"account": account_id},
    )
    found.favourites = {str(kind): int(n) for kind, n in rows}
    when, params = during(reader, period)
    played = reader.rows(
        f"SELECT s.name, s.artist, SUM({PLAYED.format(t='e')}) AS pl FROM play_events e "
        "JOIN favourites f ON f.account_id = e.account_id AND f.item_type = 'song' "
        "AND f.library_id = e.library_id AND f.local = 'favourite' "
        "JOIN songs s ON s.account_id = e.account_id AND s.library_id = e.library_id "
        f"WHERE e.account_id = :account{when} GROUP BY e.library_id, s.name, s.artist "
        "ORDER BY pl DESC, 1 LIMIT 10",
        {"account": account_id, **params},
    )
    found.favourites_played = [
        {"name": n, "artist": a, "plays": int(p or 0)} for n, a, p in played if int(p or 0)
    ]


def has_relation(reader: Reader, name: str) -> bool:
    """Whether the database has a view or table ``name`` (the lost-songs work adds
    ``lost_v``; the report shows its section only then)."""
    if reader.backend == "sqlite":
        sql = "SELECT 1 FROM sqlite_master WHERE type IN ('view', 'table') AND name = :name"
    else:
        sql = (
            "SELECT 1 FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name = :name"
        )
    return scalar(reader, sql, {"name": name}) is not None


def _columns(reader: Reader, name: str) -> set[str]:
    if reader.backend == "sqlite":
        rows = reader.rows("SELECT name FROM pragma_table_info(:name)", {"name": name})
    else:
        rows = reader.rows(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = :name",
            {"name": name},
        )
    return {str(r[0]) for r in rows}


def lost_songs(reader: Reader, account_id: int, period: ReportPeriod) -> dict[str, Any]:
    """Songs lost during the period (``lost_v``: ``lost_at`` ISO text), by cause, with
    whether Apple's catalog offered a replacement. A ``lost_v`` with an ``account_id`` column
    is read for this account only."""
    mine = " AND account_id = :account" if "account_id" in _columns(reader, "lost_v") else ""
    where = f"WHERE {period.contains_text('lost_at')}{mine}"
    params = {"account": account_id, **period.text_bounds()}
    causes = reader.rows(
        "SELECT cause, COUNT(*), SUM(CASE WHEN replacement_catalog_id IS NULL THEN 0 ELSE 1 END) "
        f"FROM lost_v {where} GROUP BY cause ORDER BY 2 DESC, 1",
        params,
    )
    rows = reader.rows(
        "SELECT name, artist, album, playlist_name, lost_at, cause, replacement_catalog_id "
        f"FROM lost_v {where} ORDER BY lost_at, name LIMIT {LOST_SHOWN}",
        params,
    )
    return {
        "lost": sum(int(n) for _, n, _ in causes),
        "replaced": sum(int(r or 0) for _, _, r in causes),
        "by_cause": {str(c): int(n) for c, n, _ in causes},
        "songs": [
            {
                "name": n,
                "artist": a,
                "album": al,
                "playlist": p,
                "lost_at": str(at)[:10] if at is not None else None,
                "cause": c,
                "replaced": r is not None,
            }
            for n, a, al, p, at, c, r in rows
        ],
    }
