"""What a sync did, for the CLI to render as text or ``--json`` and for ``sync_runs``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from amsync.domain.timestamps import iso_utc


@dataclass(slots=True)
class SyncReport:
    account: str
    status: str  # succeeded | refused | dry-run | failed
    started_at: datetime
    finished_at: datetime | None = None
    run_id: int | None = None
    storefront: str | None = None
    collections: dict[str, dict[str, int]] = field(default_factory=dict)
    complete: dict[str, bool] = field(default_factory=dict)
    revisions: int = 0
    catalog_writes: int = 0
    favourites_changed: int = 0
    favourites_pulled: int = 0
    item_writes: int = 0
    requests: int = 0
    retries: int = 0
    throttled: int = 0
    guard: list[str] = field(default_factory=list)
    forced: bool = False
    warnings: list[str] = field(default_factory=list)
    lost: dict[str, Any] = field(default_factory=dict)
    """Losses this sync found (``amsync.lost.detection.LossCounts``)."""
    replay: dict[str, Any] | None = None  # Apple's Replay summary kept: year, new, counts

    @property
    def refused(self) -> bool:
        return bool(self.guard) and not self.forced

    @property
    def duration_s(self) -> float:
        if self.finished_at is None:
            return 0.0
        return (self.finished_at - self.started_at).total_seconds()

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = iso_utc(self.started_at)
        data["finished_at"] = iso_utc(self.finished_at)
        data["duration_s"] = round(self.duration_s, 3)
        data["refused"] = self.refused
        return data

    def run_counts(self) -> dict[str, Any]:
        """The counts kept in ``sync_runs.counts``."""
        return {
            "collections": self.collections,
            "complete": self.complete,
            "revisions": self.revisions,
            "catalog_writes": self.catalog_writes,
            "favourites_changed": self.favourites_changed,
            "favourites_pulled": self.favourites_pulled,
            "replay": self.replay,
            "warnings": self.warnings[:50],
        }
