"""What a favourites plan or push did, for the CLI to render as text or ``--json`` and for
``sync_runs``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from amsync.domain.timestamps import iso_utc
from amsync.favourites.plan import UNSUPPORTED_REASON, Action, PlannedItem, PushPlan


class Outcome:
    """What became of one planned item (``ItemReport.outcome``)."""

    PLANNED = "planned"  # dry run or diff: nothing done
    PUSHED = "pushed"  # written and confirmed by a read-back
    PENDING = "pending"  # written (or tried) but not confirmed: stays in the outbox
    PULLED = "pulled"
    CONVERGED = "converged"
    LOCAL_ONLY = "local-only"


@dataclass(slots=True)
class ItemReport:
    item_type: str
    library_id: str
    catalog_id: str | None
    name: str | None
    artist: str | None
    action: str
    conflict: bool
    base: str
    local: str
    remote: str
    target: str
    outcome: str = Outcome.PLANNED
    error: str | None = None

    @classmethod
    def of(cls, item: PlannedItem) -> ItemReport:
        row = item.row
        return cls(
            item_type=row.item_type.value,
            library_id=row.library_id,
            catalog_id=row.catalog_id,
            name=row.name,
            artist=row.artist,
            action=item.action.value,
            conflict=item.conflict,
            base=row.base.value,
            local=row.local.value,
            remote=row.remote.value,
            target=item.target.value,
            error=UNSUPPORTED_REASON if item.action is Action.LOCAL_ONLY else None,
            outcome=Outcome.LOCAL_ONLY if item.action is Action.LOCAL_ONLY else Outcome.PLANNED,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.item_type,
            "library_id": self.library_id,
            "catalog_id": self.catalog_id,
            "name": self.name,
            "artist": self.artist,
            "action": self.action,
            "conflict": self.conflict,
            "base": self.base,
            "local": self.local,
            "remote": self.remote,
            "target": self.target,
            "outcome": self.outcome,
            "error": self.error,
        }


@dataclass(slots=True)
class PushReport:
    account: str
    status: str  # planned | dry-run | succeeded | partial | failed
    started_at: datetime
    prefer: str
    finished_at: datetime | None = None
    run_id: int | None = None
    items: list[ItemReport] = field(default_factory=list)
    reads: int = 0  # ratings read (items asked about)
    read_requests: int = 0
    write_requests: int = 0
    acknowledged: int = 0  # interrupted pushes found landed
    warnings: list[str] = field(default_factory=list)

    def describe(self, plan: PushPlan) -> None:
        self.items = [ItemReport.of(item) for item in plan.items]

    def by_outcome(self, outcome: str) -> list[ItemReport]:
        return [item for item in self.items if item.outcome == outcome]

    @property
    def conflicts(self) -> list[ItemReport]:
        return [item for item in self.items if item.conflict]

    @property
    def pending(self) -> list[ItemReport]:
        return self.by_outcome(Outcome.PENDING)

    @property
    def duration_s(self) -> float:
        if self.finished_at is None:
            return 0.0
        return (self.finished_at - self.started_at).total_seconds()

    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = {a.value: 0 for a in Action if a is not Action.NOTHING}
        for item in self.items:
            counted[item.action] = counted.get(item.action, 0) + 1
        counted["conflicts"] = len(self.conflicts)
        counted["pushed"] = len(self.by_outcome(Outcome.PUSHED))
        counted["pending"] = len(self.pending)
        counted["acknowledged"] = self.acknowledged
        counted["write_requests"] = self.write_requests
        return counted

    def as_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "status": self.status,
            "prefer": self.prefer,
            "run_id": self.run_id,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "duration_s": round(self.duration_s, 3),
            "counts": self.counts(),
            "reads": self.reads,
            "read_requests": self.read_requests,
            "items": [item.as_dict() for item in self.items],
            "warnings": list(self.warnings),
        }


def _iso(moment: datetime | None) -> str | None:
    return iso_utc(moment)
