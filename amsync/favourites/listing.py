"""What the mirror says about favourites, without asking Apple: the list, and the three-way
diff (the plan a push would start from). Both read through a ``Reader`` (``favourite_rows``),
so on an SQLite mirror they load no SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from amsync.db.reading import Reader
from amsync.domain import FavouriteState, ItemType
from amsync.favourites.favourite_rows import favourite_rows, waiting_pushes
from amsync.favourites.plan import Prefer, plan_push
from amsync.favourites.report import PushReport


class Status:
    """A favourite's push status, as in ``favourites.csv`` (DESIGN §3)."""

    SYNCED = "synced"
    PENDING = "pending"  # a push is outstanding
    LOCAL_ONLY = "local-only"  # artists: Apple's API cannot take them


@dataclass(frozen=True, slots=True)
class FavouriteEntry:
    item_type: ItemType
    library_id: str
    catalog_id: str | None
    name: str | None
    artist: str | None
    state: FavouriteState  # the user's wish (local)
    remote: FavouriteState  # Apple's, as last read
    status: str
    removed: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.item_type.value,
            "library_id": self.library_id,
            "catalog_id": self.catalog_id,
            "name": self.name,
            "artist": self.artist,
            "state": self.state.value,
            "remote": self.remote.value,
            "status": self.status,
            "removed": self.removed,
        }


def list_favourites(
    reader: Reader, account_id: int, item_type: ItemType | None = None
) -> list[FavouriteEntry]:
    """Items the user marked favourite or disliked, and items whose change is still pending."""
    rows = favourite_rows(reader, account_id, item_type)
    outbox = waiting_pushes(reader, account_id)
    entries: list[FavouriteEntry] = []
    for row in rows:
        if not row.item_type.pushable:
            status = Status.LOCAL_ONLY
        elif row.key in outbox or row.local != row.base:
            status = Status.PENDING
        else:
            status = Status.SYNCED
        if row.local is FavouriteState.NONE and status != Status.PENDING:
            continue
        entries.append(
            FavouriteEntry(
                item_type=row.item_type,
                library_id=row.library_id,
                catalog_id=row.catalog_id,
                name=row.name,
                artist=row.artist,
                state=row.local,
                remote=row.remote,
                status=status,
                removed=row.removed,
            )
        )
    return entries


def diff_favourites(
    reader: Reader, account: str, account_id: int, prefer: Prefer = Prefer.REMOTE
) -> PushReport:
    """The three-way plan from the mirror's last reading of Apple (no request, no write)."""
    rows = favourite_rows(reader, account_id)
    now = datetime.now(UTC)
    report = PushReport(
        account=account, status="planned", started_at=now, finished_at=now, prefer=prefer.value
    )
    report.describe(plan_push(rows, prefer))
    return report
