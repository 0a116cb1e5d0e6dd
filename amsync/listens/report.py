"""What ``listens fill`` and ``listens push`` did (the CLI renders them as text or JSON)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from amsync.domain.listens import Listen, RefusedListen
from amsync.domain.reasons import ReasonCounts

LISTED: Final = 1000
ARTIST_SOURCES: Final = ("mirror", "export", "catalog", "daily")
UNFILLED: Final = ("ambiguous", "conflict", "not-found", "not-looked-up")


@dataclass
class Unresolved:
    """Plays left without an artist, grouped by song and album, most played first."""

    counts: Counter[tuple[str, str | None, str]] = field(default_factory=Counter)

    def add(self, name: str, album: str | None, why: str) -> None:
        self.counts[(name, album, why)] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_list(self, limit: int = LISTED) -> list[dict[str, Any]]:
        return [
            {"name": name, "album": album, "why": why, "plays": plays}
            for (name, album, why), plays in self.counts.most_common(limit)
        ]


@dataclass
class FillReport:
    account: str
    dry_run: bool
    plays: int = 0
    artist_from: Counter[str] = field(default_factory=Counter)
    without_artist: Counter[str] = field(default_factory=Counter)
    pairs: int = 0  # distinct song/album pairs of plays without an artist, searchable
    lookups_cached: int = 0
    lookups_made: int = 0
    lookups_to_make: int = 0  # a dry run: look-ups a real run would make
    lookup_states: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    throttled: int = 0
    unresolved: Unresolved = field(default_factory=Unresolved)

    @property
    def with_artist(self) -> int:
        return sum(self.artist_from.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "dry_run": self.dry_run,
            "plays": self.plays,
            "with_artist": self.with_artist,
            "artist_from": {k: self.artist_from[k] for k in ARTIST_SOURCES},
            "without_artist": {k: self.without_artist[k] for k in UNFILLED},
            "pairs": self.pairs,
            "lookups": {
                "cached": self.lookups_cached,
                "made": self.lookups_made,
                "to_make": self.lookups_to_make,
                "states": dict(self.lookup_states),
            },
            "requests": self.requests,
            "throttled": self.throttled,
            "unresolved": self.unresolved.as_list(),
        }


class Skips(ReasonCounts[dict[str, Any]]):
    """Plays not sent, by reason, with a few examples each."""


@dataclass
class PushReport:
    account: str
    target: str
    dry_run: bool
    status: str = "failed"
    user_name: str | None = None
    plays: int = 0  # plays in the chosen period
    listens: int = 0  # of those, real listens with an artist, within the server's times
    already_accepted: int = 0
    refused_before: int = 0
    to_send: int = 0
    accepted: int = 0
    refused: list[RefusedListen] = field(default_factory=list)
    skipped: Skips = field(default_factory=Skips)
    without_artist: Unresolved = field(default_factory=Unresolved)
    requests: int = 0
    throttled: int = 0
    retries: int = 0
    waited_s: float = 0.0
    sample: list[Listen] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "account": self.account,
            "target": self.target,
            "user_name": self.user_name,
            "dry_run": self.dry_run,
            "plays": self.plays,
            "listens": self.listens,
            "already_accepted": self.already_accepted,
            "refused_before": self.refused_before,
            "to_send": self.to_send,
            "accepted": self.accepted,
            "refused": [
                {
                    "listened_at": r.listen.listened_at,
                    "track_name": r.listen.track_name[:300],
                    "artist_name": r.listen.artist_name[:300],
                    "reason": r.reason,
                }
                for r in self.refused
            ],
            "skipped": self.skipped.as_list(),
            "without_artist": self.without_artist.as_list(),
            "requests": self.requests,
            "throttled": self.throttled,
            "retries": self.retries,
            "waited_s": round(self.waited_s, 1),
        }
