"""``amsync local match``: every live song of an account matched to at most one local file,
the decisions stored in ``local_matches`` (replacing the account's previous ones in one
transaction).

Files marked gone are never candidates (``match_rows.file_records``); and each file a match
chooses is looked at on disk (``presence``): one that is no longer there is left out, and the
songs that chose it are matched again without it (and without the other files of its folder,
when the folder is gone too) — a match never names a file that does not exist."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import delete, insert

from amsync.db import tables
from amsync.db.store import Store
from amsync.local import match_rows
from amsync.local.matcher import Decision, FileIndex, FileRecord, SongRecord, match_songs
from amsync.local.presence import Presence

INSERT_BATCH: Final = 5000
MAX_ROUNDS: Final = 8  # each round leaves out at least one more missing file (or folder)


@dataclass
class MatchReport:
    songs: int = 0
    files: int = 0
    matched: int = 0
    by_method: Counter[str] = field(default_factory=Counter)
    unmatched: int = 0
    rejected_candidates: int = 0  # unmatched songs with a candidate that was not good enough
    missing_files: int = 0  # stored files not on disk any more (left out; a scan marks them)
    elapsed_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "songs": self.songs,
            "files": self.files,
            "matched": self.matched,
            "by_method": dict(sorted(self.by_method.items())),
            "unmatched": self.unmatched,
            "rejected_candidates": self.rejected_candidates,
            "missing_files": self.missing_files,
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
    decisions = {d.song_id: d for d in match_songs(songs, index, links, recordings=recordings)}
    report.missing_files = _leave_out_missing(songs, files, links, recordings, decisions)
    rows: list[dict[str, Any]] = []
    for decision in decisions.values():
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
    del index, files, songs, decisions
    table = tables.local_matches
    with store.writing() as session:
        connection = session.connection()
        connection.execute(delete(table).where(table.c.account_id == account_id))
        for start in range(0, len(rows), INSERT_BATCH):
            connection.execute(insert(table), rows[start : start + INSERT_BATCH])
    report.elapsed_s = time.monotonic() - started
    return report


def _leave_out_missing(
    songs: Sequence[SongRecord],
    files: Sequence[FileRecord],
    links: Mapping[str, str | None],
    recordings: Mapping[int, str],
    decisions: dict[int, Decision],
) -> int:
    """Look at each chosen file on disk; match the songs whose file is not there again without
    it (and without its folder's files when the folder is gone), until every chosen file is
    there. Returns how many stored files were found missing."""
    presence = Presence()
    path_of = {record.id: record.path for record in files}
    folder_of = os.path.dirname
    absent: set[int] = set()
    for _ in range(MAX_ROUNDS):
        missing = {
            d.file_id
            for d in decisions.values()
            if d.accepted and d.file_id is not None and not presence.file(path_of[d.file_id])
        }
        if not missing:
            break
        gone = {folder_of(path_of[i]) for i in missing if presence.folder_gone(path_of[i])}
        absent |= missing | {r.id for r in files if folder_of(r.path) in gone}
        index = FileIndex.build([r for r in files if r.id not in absent])
        again = [
            s for s in songs if decisions[s.id].accepted and decisions[s.id].file_id in missing
        ]
        for decision in match_songs(again, index, links, recordings=recordings):
            decisions[decision.song_id] = decision
    return len(absent)
