"""``amsync lost``: the losses of an account, newest first, from ``lost_v``.

Plain SQL on a ``Reader`` (both backends; an SQLite mirror is read with the standard
library's ``sqlite3``, see ``amsync.db.reading``). This module imports no SQLAlchemy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from amsync.db.reading import Reader, scalar
from amsync.domain.timestamps import iso_utc, parse_moment
from amsync.errors import UsageError

COLUMNS: Final = (
    "lost_at",
    "cause",
    "name",
    "artist",
    "album",
    "playlist_id",
    "playlist_name",
    "position",
    "library_id",
    "catalog_id",
    "replacement_catalog_id",
    "replacement_name",
    "replacement_artist",
    "replacement_album",
    "replacement_method",
    "replacement_score",
    "ambiguous",
    "lookup_note",
    "evidence",
    "status",
    "kind",
    "loss_id",
)
"""Every listing format's columns: ``lost_v``'s, then what a person needs to act on them."""

_SQL: Final = """
SELECT v.lost_at, v.cause, v.name, v.artist, v.album, v.playlist_id, v.playlist_name,
       v.position, v.library_id, v.catalog_id, v.replacement_catalog_id, s.replacement,
       v.replacement_method, v.replacement_score, s.candidates, s.lookup_note, v.evidence,
       v.restored_at, e.attempted_at, v.kind, v.loss_id
FROM lost_v v
JOIN lost_entries e ON e.id = v.loss_id
JOIN lost_songs s ON s.id = e.song_id
WHERE v.account_id = :account {since}
ORDER BY v.lost_at DESC, v.name, v.playlist_name, v.position, v.loss_id"""


@dataclass(frozen=True, slots=True)
class LostRow:
    values: dict[str, Any]

    def as_row(self) -> tuple[Any, ...]:
        return tuple(self.values[c] for c in COLUMNS)


def since_text(since: str | None) -> str | None:
    """``--since`` as the views spell moments; ``UsageError`` for anything else."""
    if since is None:
        return None
    try:
        return iso_utc(parse_moment(since))
    except ValueError:
        raise UsageError(
            f"--since {since[:40]!r}: not a date or time",
            hint="give a date (2026-03-01) or a time (2026-03-01T12:00:00Z)",
        ) from None


def lost_rows(reader: Reader, account_id: int, *, since: str | None = None) -> list[LostRow]:
    """The account's losses, newest first (``since``: ISO text from ``since_text``)."""
    params: dict[str, Any] = {"account": account_id}
    condition = ""
    if since is not None:
        condition, params["since"] = "AND v.lost_at >= :since", since
    rows = reader.rows(_SQL.format(since=condition), params)
    return [_row(row) for row in rows]


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _row(row: tuple[Any, ...]) -> LostRow:
    (lost_at, cause, name, artist, album, playlist_id, playlist_name, position, library_id,
     catalog_id, replacement_id, replacement, method, score, candidates, note, evidence,
     restored_at, attempted_at, kind, loss_id) = row  # fmt: skip
    about = _json(replacement) or {}
    ambiguous = (_json(candidates) or {}).get("ambiguous") or []
    status = "restored" if restored_at else "sent" if attempted_at else "lost"
    return LostRow(
        {
            "lost_at": lost_at,
            "cause": cause,
            "name": name,
            "artist": artist,
            "album": album,
            "playlist_id": playlist_id,
            "playlist_name": playlist_name,
            "position": position,
            "library_id": library_id,
            "catalog_id": catalog_id,
            "replacement_catalog_id": replacement_id,
            "replacement_name": about.get("name") if replacement_id else None,
            "replacement_artist": about.get("artist") if replacement_id else None,
            "replacement_album": about.get("album") if replacement_id else None,
            "replacement_method": method,
            "replacement_score": score,
            "ambiguous": len(ambiguous),
            "lookup_note": note if cause != "removed" else None,
            "evidence": evidence,
            "status": status,
            "kind": kind,
            "loss_id": loss_id,
        }
    )


def open_loss_count(reader: Reader, account_id: int) -> tuple[int, int]:
    """(losses not restored, of them caused by Apple) — for ``amsync health``."""
    total = scalar(
        reader,
        "SELECT count(*) FROM lost_v WHERE account_id = :account AND restored_at IS NULL",
        {"account": account_id},
    )
    apple = scalar(
        reader,
        "SELECT count(*) FROM lost_v WHERE account_id = :account AND restored_at IS NULL "
        "AND cause IN ('withdrawn', 'unplayable')",
        {"account": account_id},
    )
    return int(total or 0), int(apple or 0)


def losses_of_run(
    reader: Reader, account_id: int, run_id: int
) -> list[tuple[str, str | None, str]]:
    """The songs a sync found lost, not by the person's own doing: (name, artist, cause), one
    per song, in name order."""
    rows = reader.rows(
        "SELECT s.name, s.artist, MIN(e.cause) FROM lost_entries e "
        "JOIN lost_songs s ON s.id = e.song_id "
        "WHERE e.account_id = :account AND e.run_id = :run AND e.cause <> 'removed' "
        "AND e.found_back_at IS NULL GROUP BY s.id, s.name, s.artist ORDER BY s.name",
        {"account": account_id, "run": run_id},
    )
    return [(str(name), artist, str(cause)) for name, artist, cause in rows]
