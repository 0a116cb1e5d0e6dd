"""``plan_sync``: a pure function from (what Apple listed, what the mirror holds) to a plan.

Per collection: added, changed, revived (a tombstoned item that came back), removed. Removals
come only from complete listings. The deletion guard (DESIGN §3) trips when a complete listing
of a collection is empty while the mirror holds items, or when its removals exceed both
``max_delete_pct`` % of the mirrored items and ``max_delete_min`` items; ``force`` overrides it.
Tracks leaving a playlist do not count; playlists removed do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from amsync.sync.fetch import CATALOG_KINDS, ITEM_COLLECTIONS, Fetched, Snapshot
from amsync.sync.mirror_state import MirroredItem, MirrorState


@dataclass(frozen=True, slots=True)
class CollectionPlan:
    name: str
    added: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()
    revived: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    unchanged: int = 0
    live_before: int = 0
    listed: int = 0
    complete: bool = True
    removals_withheld: int = 0

    @property
    def writes(self) -> int:
        return len(self.added) + len(self.changed) + len(self.revived) + len(self.removed)

    def counts(self) -> dict[str, int]:
        return {
            "listed": self.listed,
            "added": len(self.added),
            "changed": len(self.changed),
            "revived": len(self.revived),
            "removed": len(self.removed),
            "unchanged": self.unchanged,
        }


@dataclass(frozen=True, slots=True)
class CatalogPlan:
    kind: str
    added: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()
    withdrawn: frozenset[str] = frozenset()

    @property
    def writes(self) -> int:
        return len(self.added) + len(self.changed) + len(self.withdrawn)


@dataclass(frozen=True, slots=True)
class GuardVerdict:
    tripped: bool
    reasons: tuple[str, ...] = ()
    forced: bool = False


@dataclass(frozen=True, slots=True)
class SyncPlan:
    collections: Mapping[str, CollectionPlan]
    revisions: frozenset[str]
    catalog: Mapping[str, CatalogPlan]
    guard: GuardVerdict
    warnings: tuple[str, ...] = field(default=())

    @property
    def item_writes(self) -> int:
        return (
            sum(p.writes for p in self.collections.values())
            + len(self.revisions)
            + sum(c.writes for c in self.catalog.values())
        )


def plan_collection(
    name: str, fetched: Fetched, mirror: Mapping[str, MirroredItem]
) -> CollectionPlan:
    added: set[str] = set()
    changed: set[str] = set()
    revived: set[str] = set()
    unchanged = 0
    for library_id, fp in fetched.fingerprints.items():
        known = mirror.get(library_id)
        if known is None:
            added.add(library_id)
        elif known.removed:
            revived.add(library_id)
        elif known.fingerprint != fp:
            changed.add(library_id)
        else:
            unchanged += 1
    gone = {lid for lid, item in mirror.items() if not item.removed} - fetched.fingerprints.keys()
    return CollectionPlan(
        name=name,
        added=frozenset(added),
        changed=frozenset(changed),
        revived=frozenset(revived),
        removed=frozenset(gone) if fetched.complete else frozenset(),
        unchanged=unchanged,
        live_before=sum(1 for item in mirror.values() if not item.removed),
        listed=len(fetched.fingerprints),
        complete=fetched.complete,
        removals_withheld=0 if fetched.complete else len(gone),
    )


def deletion_guard(
    plans: Mapping[str, CollectionPlan], max_delete_pct: float, max_delete_min: int, force: bool
) -> GuardVerdict:
    reasons: list[str] = []
    for plan in plans.values():
        if not plan.complete or plan.live_before == 0:
            continue
        if plan.listed == 0:
            reasons.append(
                f"{plan.name}: Apple listed none while the mirror holds {plan.live_before}"
            )
        elif (
            len(plan.removed) > plan.live_before * max_delete_pct / 100
            and len(plan.removed) > max_delete_min
        ):
            reasons.append(
                f"{plan.name}: {len(plan.removed)} of {plan.live_before} would be removed "
                f"(more than {max_delete_pct:g} % and more than {max_delete_min})"
            )
    if reasons and force:
        return GuardVerdict(tripped=False, reasons=tuple(reasons), forced=True)
    return GuardVerdict(tripped=bool(reasons), reasons=tuple(reasons))


def plan_revisions(snapshot: Snapshot, mirror: MirrorState, playlists: CollectionPlan) -> set[str]:
    """Playlists whose name or track list changed (or that are new with a complete list)."""
    revisions: set[str] = set()
    for library_id, tracks in snapshot.tracks.items():
        if not tracks.complete:
            continue
        known = mirror.playlists.get(library_id)
        if (
            known is None
            or known.current_revision_id is None
            or known.tracks_fingerprint != tracks.fingerprint
        ):
            revisions.add(library_id)
        elif library_id in playlists.changed or library_id in playlists.revived:
            revisions.add(library_id)  # the name may have changed; apply compares
    return revisions


def plan_catalog(snapshot: Snapshot, mirror: MirrorState) -> dict[str, CatalogPlan]:
    plans: dict[str, CatalogPlan] = {}
    for kind in CATALOG_KINDS:
        known = mirror.catalog[kind]
        added = {cid for cid in snapshot.catalog[kind] if cid not in known}
        changed = {
            cid
            for cid, fp in snapshot.catalog[kind].items()
            if cid in known and (known[cid].fingerprint != fp or not known[cid].available)
        }
        withdrawn = {
            cid
            for cid in snapshot.catalog_missing[kind]
            if cid not in known or known[cid].available
        }
        plans[kind] = CatalogPlan(kind, frozenset(added), frozenset(changed), frozenset(withdrawn))
    return plans


def plan_sync(
    snapshot: Snapshot,
    mirror: MirrorState,
    *,
    max_delete_pct: float = 10.0,
    max_delete_min: int = 50,
    force: bool = False,
) -> SyncPlan:
    collections = {
        name: plan_collection(name, snapshot.items[name], mirror.items[name])
        for name in ITEM_COLLECTIONS
    }
    warnings = [
        f"{p.name}: the listing was incomplete, so {p.removals_withheld} item(s) missing from it "
        "were kept"
        for p in collections.values()
        if p.removals_withheld
    ]
    warnings += [
        f"playlist {pid}: its track list was incomplete; the previous list was kept"
        for pid, tracks in snapshot.tracks.items()
        if not tracks.complete
    ]
    return SyncPlan(
        collections=collections,
        revisions=frozenset(plan_revisions(snapshot, mirror, collections["playlists"])),
        catalog=plan_catalog(snapshot, mirror),
        guard=deletion_guard(collections, max_delete_pct, max_delete_min, force),
        warnings=tuple(warnings),
    )
