"""``amsync local match``: every live song of an account matched to at most one local file,
the decisions stored in ``local_matches`` (replacing the account's previous ones in one
transaction)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import delete, insert

from amsync.db import tables
from amsync.db.store import Store
from amsync.local import match_rows
from amsync.local.matcher import FileIndex, match_songs

INSERT_BATCH: Final = 5000


@dataclass
class MatchReport:
    songs: int = 0
    files: int = 0
    matched: int = 0
    by_method: Counter[str] = field(default_factory=Counter)
    unmatched: int = 0
    rejected_candidates: int = 0  # unmatched songs with a candidate that was not good enough
    elapsed_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "songs": self.songs,
            "files": self.files,
            "matched": self.matched,
            "by_method": dict(sorted(self.by_method.items())),
            "unmatched": self.unmatched,
            "rejected_candidates": self.rejected_candidates,
            "elapsed_s": round(self.elapsed_s, 3),
        }


def run_match(store: Store, account_id: int, *, now: datetime | None = None) -> MatchReport:
    """Match the account's songs to the files in the database; store and report it."""
    started = time.monotonic()
    now = now or datetime.now(UTC)
    report = MatchReport()
    with store.session() as session:
        connection = session.connection()
        songs = list(match_rows.song_records(connection, account_id))
        files = match_rows.file_records(connection)
        links = match_rows.link_table(connection, account_id)
        recordings = match_rows.previous_recordings(connection, account_id)
    index = FileIndex.build(files)
    report.songs, report.files = len(songs), len(files)
    rows: list[dict[str, Any]] = []
    for decision in match_songs(songs, index, links, recordings=recordings):
        if decision.accepted:
            report.matched += 1
            report.by_method[decision.method or "?"] += 1
        else:
            report.unmatched += 1
            if decision.file_id is not None:
                report.rejected_candidates += 1
        rows.append(
            {
                "account_id": account_id,
                "song_id": decision.song_id,
                "file_id": decision.file_id,
                "accepted": decision.accepted,
                "method": decision.method,
                "score": decision.score,
                "reason": decision.reason,
                "matched_at": now,
            }
        )
    del index, files, songs
    table = tables.local_matches
    with store.writing() as session:
        connection = session.connection()
        connection.execute(delete(table).where(table.c.account_id == account_id))
        for start in range(0, len(rows), INSERT_BATCH):
            connection.execute(insert(table), rows[start : start + INSERT_BATCH])
    report.elapsed_s = time.monotonic() - started
    return report
