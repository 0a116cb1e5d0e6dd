"""Which plays a push sends — a pure plan over the plays of the chosen period.

Each play, in time order, is (first reason that applies):

1. **skipped** when the server would refuse its time: before ``earliest`` (ListenBrainz takes
   nothing before 2002-10-01) or after ``latest`` (in the future);
2. **skipped** when it is not a real listen (``qualifying.not_a_listen``; ``--min-listen``);
3. **skipped and listed** when no artist is known (``listens fill`` found none);
4. **already sent** when this server accepted it before (or refused it on its own before:
   not sent again);
5. else **to send**, as a ``Listen``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from amsync.domain.listens import Listen
from amsync.listens.qualifying import not_a_listen
from amsync.listens.report import Skips, Unresolved

ACCEPTED: Final = "accepted"
REFUSED: Final = "refused"
SAMPLE: Final = 3


@dataclass(frozen=True, slots=True)
class PlayRow:
    """A play as the push reads it: the best names, artist and metadata amsync holds."""

    key: str
    listened_at: int  # Unix seconds of the start
    name: str
    artist: str | None
    album: str | None
    play_ms: int | None
    media_ms: int | None  # Apple's length of the media played
    length_ms: int | None  # the song's length (mirror, catalog or fill)
    end_reason: str | None
    isrc: str | None
    url: str | None
    fill_status: str | None  # why ``listens fill`` found no artist


@dataclass(frozen=True, slots=True)
class PlanOptions:
    earliest: int
    latest: int
    min_listen_s: float | None = None


@dataclass
class PushPlan:
    plays: int = 0
    listens: int = 0
    already_accepted: int = 0
    refused_before: int = 0
    to_send: list[Listen] = field(default_factory=list)
    skipped: Skips = field(default_factory=Skips)
    without_artist: Unresolved = field(default_factory=Unresolved)


def _when(seconds: int) -> str:
    try:
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return str(seconds)


def _example(row: PlayRow) -> dict[str, object]:
    return {
        "played_at": _when(row.listened_at),
        "name": row.name[:200],
        "artist": row.artist[:200] if row.artist else None,
        "album": row.album[:200] if row.album else None,
    }


def to_listen(row: PlayRow) -> Listen:
    """The play as a listen (its artist known)."""
    return Listen(
        key=row.key,
        listened_at=row.listened_at,
        track_name=row.name,
        artist_name=row.artist or "",
        release_name=row.album,
        isrc=row.isrc,
        duration_ms=row.length_ms or row.media_ms,
        origin_url=row.url,
    )


def plan_push(rows: Iterable[PlayRow], sent: Mapping[str, str], options: PlanOptions) -> PushPlan:
    """The plan (see the module docstring); ``sent``: this server's earlier outcome per play
    key (``accepted`` or ``refused``)."""
    plan = PushPlan()
    for row in rows:
        plan.plays += 1
        if row.listened_at < options.earliest:
            reason = f"played before {_when(options.earliest)[:10]} (the server takes none earlier)"
            plan.skipped.add(reason, _example(row))
            continue
        if row.listened_at > options.latest:
            plan.skipped.add("played in the future (a wrong clock?)", _example(row))
            continue
        length = row.media_ms if row.media_ms else row.length_ms
        why = not_a_listen(row.play_ms, length, row.end_reason, options.min_listen_s)
        if why is not None:
            plan.skipped.add(f"not a listen: {why}", _example(row))
            continue
        if not row.artist or not row.artist.strip():
            plan.skipped.add("no artist known (`amsync listens fill` finds them)", _example(row))
            plan.without_artist.add(row.name, row.album, row.fill_status or "not filled yet")
            continue
        plan.listens += 1
        earlier = sent.get(row.key)
        if earlier == ACCEPTED:
            plan.already_accepted += 1
        elif earlier == REFUSED:
            plan.refused_before += 1
        else:
            plan.to_send.append(to_listen(row))
    return plan
