"""``plan_push``: the three-way favourites plan, a pure function over (base, local, remote).

Per item, ``base`` is the state both sides last agreed on, ``local`` what the user wants and
``remote`` what Apple said when last read. What changed decides the action:

=================  =====================  ================================================
local vs base      remote vs base         action (state of all three afterwards)
=================  =====================  ================================================
unchanged          unchanged              ``nothing``   (unchanged)
changed            unchanged              ``push``      local → Apple   (local)
unchanged          changed                ``pull``      Apple → local   (remote)
changed            changed, same value    ``converge``  both agree      (local = remote)
changed            changed, different     conflict: ``pull`` with ``prefer=remote`` (the
                                          default), ``push`` with ``prefer=local``; flagged
=================  =====================  ================================================

Artists have no ratings API: they are never pushed nor pulled; an artist whose three values
differ in any way is ``local-only`` (kept, exported, reported as "not supported by the Apple
Music API"), with its state unchanged.

``acknowledge_landed`` is the other pure step of a push: an outbox entry whose target Apple now
reports was a write that landed before a crash; its target becomes the agreed ``base``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from amsync.domain import FavouriteState, ItemType

UNSUPPORTED_REASON: Final = "not supported by the Apple Music API"


class Action(StrEnum):
    NOTHING = "nothing"
    PUSH = "push"
    PULL = "pull"
    CONVERGE = "converge"
    LOCAL_ONLY = "local-only"


class Prefer(StrEnum):
    """Which side wins a conflict (both sides changed, to different values)."""

    REMOTE = "remote"
    LOCAL = "local"


@dataclass(frozen=True, slots=True)
class FavouriteRow:
    """The three-way favourite state of one item, with what reports need to name it."""

    item_type: ItemType
    library_id: str
    remote: FavouriteState
    base: FavouriteState
    local: FavouriteState
    catalog_id: str | None = None
    name: str | None = None
    artist: str | None = None
    removed: bool = False  # the item left the library (tombstoned in the mirror)
    music_video: bool = False

    @property
    def key(self) -> tuple[ItemType, str]:
        return (self.item_type, self.library_id)


@dataclass(frozen=True, slots=True)
class PlannedItem:
    """One item's action, and the state (remote, base, local) it leaves once done."""

    row: FavouriteRow
    action: Action
    conflict: bool = False

    @property
    def target(self) -> FavouriteState:
        """The value remote, base and local agree on afterwards (for ``local-only`` and
        ``nothing``: the local value, which stays)."""
        if self.action is Action.PULL:
            return self.row.remote
        return self.row.local

    @property
    def result(self) -> tuple[FavouriteState, FavouriteState, FavouriteState]:
        """(remote, base, local) after the action succeeded."""
        if self.action in (Action.NOTHING, Action.LOCAL_ONLY):
            return (self.row.remote, self.row.base, self.row.local)
        return (self.target, self.target, self.target)


@dataclass(frozen=True, slots=True)
class PushPlan:
    """The plan over every item that has something to do (``nothing`` items are left out)."""

    items: tuple[PlannedItem, ...]
    prefer: Prefer = Prefer.REMOTE

    def of(self, action: Action) -> list[PlannedItem]:
        return [item for item in self.items if item.action is action]

    @property
    def pushes(self) -> list[PlannedItem]:
        return self.of(Action.PUSH)

    @property
    def conflicts(self) -> list[PlannedItem]:
        return [item for item in self.items if item.conflict]

    def counts(self) -> dict[str, int]:
        counted = Counter(item.action.value for item in self.items)
        result = {a.value: counted.get(a.value, 0) for a in Action if a is not Action.NOTHING}
        result["conflicts"] = len(self.conflicts)
        return result


def decide(row: FavouriteRow, prefer: Prefer = Prefer.REMOTE) -> PlannedItem:
    """The action for one item (see the module docstring's table)."""
    base, local, remote = row.base, row.local, row.remote
    if not row.item_type.pushable:
        same = base == local == remote
        return PlannedItem(row, Action.NOTHING if same else Action.LOCAL_ONLY)
    local_changed = local != base
    remote_changed = remote != base
    if not local_changed and not remote_changed:
        return PlannedItem(row, Action.NOTHING)
    if local_changed and not remote_changed:
        return PlannedItem(row, Action.PUSH)
    if remote_changed and not local_changed:
        return PlannedItem(row, Action.PULL)
    if local == remote:
        return PlannedItem(row, Action.CONVERGE)
    return PlannedItem(row, Action.PUSH if prefer is Prefer.LOCAL else Action.PULL, conflict=True)


def plan_push(rows: Iterable[FavouriteRow], prefer: Prefer = Prefer.REMOTE) -> PushPlan:
    """The three-way plan for ``rows``; items with nothing to do are left out."""
    decided = (decide(row, prefer) for row in rows)
    return PushPlan(
        items=tuple(item for item in decided if item.action is not Action.NOTHING),
        prefer=prefer,
    )


def acknowledge_landed(
    rows: Iterable[FavouriteRow],
    attempted: Mapping[tuple[ItemType, str], FavouriteState],
) -> tuple[list[FavouriteRow], set[tuple[ItemType, str]]]:
    """Rows with ``base`` moved to the target of every attempted push that Apple now reports
    (``remote`` read fresh), and the keys so acknowledged.

    A push interrupted after its request but before its read-back left its outbox entry; if
    Apple holds the entry's target, the write landed and that value is what both sides agreed.
    """
    out: list[FavouriteRow] = []
    landed: set[tuple[ItemType, str]] = set()
    for row in rows:
        target = attempted.get(row.key)
        if target is not None and row.remote == target:
            row = replace(row, base=target)
            landed.add(row.key)
        out.append(row)
    return out, landed
