"""Keeping Apple's Replay summaries: each version Apple serves is stored once, so a year's
summary stays after Apple stops serving it (Apple shows Replay for the latest eligible year
only, and updates the current year's as it goes).

A summary already stored (same account, year and content) only has its ``last_seen_at``
moved; a new one is inserted with its items. Summaries are never removed by a sync — Apple
serving none (404, empty) is the normal state of most of the year for many users, not a
removal — so they never count towards the deletion guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from amsync.db import tables
from amsync.domain.replay import TOPS, ReplaySummary
from amsync.sync.rows import clean_text

_summaries = tables.replay_summaries
_items = tables.replay_summary_items


@dataclass(frozen=True, slots=True)
class KeptReplay:
    year: int
    new: bool
    counts: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "new": self.new, **self.counts}


def keep_replay(
    connection: Connection,
    account_id: int,
    run_id: int | None,
    summary: ReplaySummary,
    now: datetime,
) -> KeptReplay:
    """Store ``summary`` unless this version is stored already; say which it was."""
    fingerprint = summary.fingerprint()
    counts = {top: summary.count(top) for top in TOPS}
    found = connection.execute(
        select(_summaries.c.id).where(
            _summaries.c.account_id == account_id,
            _summaries.c.year == summary.year,
            _summaries.c.fingerprint == fingerprint,
        )
    ).scalar()
    if found is not None:
        connection.execute(
            update(_summaries).where(_summaries.c.id == found).values(last_seen_at=now)
        )
        return KeptReplay(summary.year, False, counts)
    summary_id = connection.execute(
        insert(_summaries)
        .values(
            account_id=account_id,
            year=summary.year,
            period=(summary.period or "")[:32] or None,
            apple_id=(summary.apple_id or "")[:128] or None,
            fingerprint=fingerprint,
            items=len(summary.items),
            run_id=run_id,
            first_seen_at=now,
            last_seen_at=now,
        )
        .returning(_summaries.c.id)
    ).scalar_one()
    if summary.items:
        connection.execute(
            insert(_items),
            [
                {
                    "summary_id": summary_id,
                    "top": item.top,
                    "rank": item.rank,
                    "catalog_id": (item.catalog_id or "")[:64] or None,
                    "name": clean_text(item.name),
                    "artist": clean_text(item.artist),
                    "album": clean_text(item.album),
                    "artwork_url": clean_text(item.artwork_url),
                }
                for item in summary.items
            ],
        )
    return KeptReplay(summary.year, True, counts)
