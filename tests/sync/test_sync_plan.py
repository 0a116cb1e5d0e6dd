"""``plan_sync`` on plain records, rule by rule (issue 29): what each item becomes, the deletion
guard at exactly its limits in every collection, removals only from complete listings,
revived items, playlist revisions, catalog rows, and warnings only when they are due."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from amsync.sync.fetch import CATALOG_KINDS, ITEM_COLLECTIONS, Fetched, Snapshot, TrackList
from amsync.sync.mirror_state import MirroredCatalog, MirroredItem, MirroredPlaylist, MirrorState
from amsync.sync.plan import (
    CatalogPlan,
    CollectionPlan,
    GuardVerdict,
    deletion_guard,
    plan_catalog,
    plan_collection,
    plan_revisions,
    plan_sync,
)

FETCHED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def mirror_of(collection: str = "songs", **items: tuple[str, bool]) -> MirrorState:
    """A mirror holding ``items`` (library id → (fingerprint, removed)) in ``collection``."""
    state = MirrorState(
        items={c: {} for c in ITEM_COLLECTIONS}, catalog={k: {} for k in CATALOG_KINDS}
    )
    state.items[collection] = {
        lid: MirroredItem(fp, removed) for lid, (fp, removed) in items.items()
    }
    return state


def live_mirror(collection: str, count: int) -> MirrorState:
    return mirror_of(collection, **{f"x{n}": ("fp", False) for n in range(count)})


def listing(count: int, *, complete: bool = True, skip: int = 0) -> Fetched:
    """Apple's listing of ``x{skip}`` … ``x{count-1}``, every fingerprint ``fp``."""
    return Fetched({f"x{n}": "fp" for n in range(skip, count)}, complete=complete)


def snapshot_with(collection: str, fetched: Fetched) -> Snapshot:
    snapshot = Snapshot(storefront="us")
    snapshot.items[collection] = fetched
    return snapshot


# --- one collection: what each item becomes ---------------------------------------------------

# mirror: what the mirror holds of the item ("-": nothing, "live FP", "removed FP");
# listed: its fingerprint in Apple's listing ("-": not listed); then the item's fate.
ITEM_FATES = [
    ("-", "a", True, "added"),
    ("live a", "a", True, "unchanged"),
    ("live a", "b", True, "changed"),
    ("removed a", "a", True, "revived"),
    ("removed a", "b", True, "revived"),
    ("live a", "-", True, "removed"),
    ("live a", "-", False, "withheld"),
    ("removed a", "-", True, "nothing"),
    ("removed a", "-", False, "nothing"),
    ("-", "a", False, "added"),
    ("live a", "b", False, "changed"),
    ("removed a", "a", False, "revived"),
]


@pytest.mark.parametrize(("held", "listed", "complete", "fate"), ITEM_FATES)
def test_each_item_fate(held: str, listed: str, complete: bool, fate: str) -> None:
    mirror: dict[str, MirroredItem] = {}
    if held != "-":
        state, fp = held.split()
        mirror["i.1"] = MirroredItem(fp, state == "removed")
    mirror["i.keep"] = MirroredItem("k", False)  # listed unchanged: never moves
    fetched = Fetched({"i.keep": "k"}, complete=complete)
    if listed != "-":
        fetched.fingerprints["i.1"] = listed
    plan = plan_collection("songs", fetched, mirror)
    sets = {
        "added": plan.added,
        "changed": plan.changed,
        "revived": plan.revived,
        "removed": plan.removed,
    }
    for name, ids in sets.items():
        assert ids == ({"i.1"} if name == fate else set()), (name, plan)
    assert plan.removals_withheld == (1 if fate == "withheld" else 0)
    assert plan.unchanged == (2 if fate == "unchanged" else 1)
    assert plan.writes == (1 if fate in sets else 0)
    assert plan.complete is complete
    assert plan.listed == len(fetched.fingerprints)
    assert plan.live_before == 1 + (1 if held.startswith("live") else 0)


def test_collection_counts_and_writes() -> None:
    mirror = {
        "same": MirroredItem("s", False),
        "edit": MirroredItem("old", False),
        "back": MirroredItem("b", True),
        "gone1": MirroredItem("g", False),
        "gone2": MirroredItem("g", False),
        "dead": MirroredItem("d", True),
    }
    fetched = Fetched({"same": "s", "edit": "new", "back": "b", "new1": "n", "new2": "n"})
    plan = plan_collection("albums", fetched, mirror)
    assert plan.name == "albums"
    assert plan.counts() == {
        "listed": 5,
        "added": 2,
        "changed": 1,
        "revived": 1,
        "removed": 2,
        "unchanged": 1,
    }
    assert plan.writes == 2 + 1 + 1 + 2
    assert plan.live_before == 4
    assert (plan.removed, plan.revived) == ({"gone1", "gone2"}, {"back"})


def test_an_incomplete_listing_never_turns_into_removals() -> None:
    mirror = {f"x{n}": MirroredItem("fp", False) for n in range(10)}
    plan = plan_collection("songs", listing(10, complete=False, skip=7), mirror)
    assert plan.removed == frozenset()
    assert plan.removals_withheld == 7
    assert not plan.complete
    assert plan.writes == 0
    complete = plan_collection("songs", listing(10, skip=7), mirror)
    assert len(complete.removed) == 7 and complete.removals_withheld == 0


# --- the deletion guard ------------------------------------------------------------------------

# live items in the mirror, items removed, --max-delete %, minimum items: does the guard trip?
# It trips only when the removals are both more than the share AND more than the minimum.
GUARD_LIMITS = [
    (1000, 100, 10.0, 50, False),  # exactly 10 %: not more than 10 %
    (1000, 101, 10.0, 50, True),
    (500, 50, 10.0, 50, False),  # exactly 10 % and exactly 50
    (500, 51, 10.0, 50, True),
    (400, 50, 10.0, 50, False),  # 12.5 %, but exactly 50 items
    (400, 51, 10.0, 50, True),
    (100, 50, 10.0, 50, False),  # half the collection, but only 50 items
    (100, 51, 10.0, 50, True),
    (1000, 99, 10.0, 50, False),  # more than 50 items, under 10 %
    (1000, 51, 10.0, 50, False),  # more than 50 items, 5.1 %: "either" would trip
    (40, 39, 10.0, 50, False),  # all but one, under the minimum
    (1000, 400, 50.0, 50, False),  # --max-delete 50
    (1000, 500, 50.0, 50, False),
    (1000, 501, 50.0, 50, True),
    (1000, 255, 25.5, 50, False),  # fractional percentages are honoured
    (1000, 256, 25.5, 50, True),
    (200, 11, 5.0, 10, True),  # another minimum
    (200, 10, 5.0, 10, False),
    (1000, 1, 0.0, 0, True),  # --max-delete 0 with no minimum: any removal
    (1000, 0, 0.0, 0, False),
]


@pytest.mark.parametrize("collection", ITEM_COLLECTIONS)
@pytest.mark.parametrize(("live", "removed", "pct", "minimum", "trips"), GUARD_LIMITS)
def test_guard_limits_in_every_collection(
    collection: str, live: int, removed: int, pct: float, minimum: int, trips: bool
) -> None:
    mirror = live_mirror(collection, live)
    snapshot = snapshot_with(collection, listing(live, skip=removed))
    plan = plan_sync(snapshot, mirror, max_delete_pct=pct, max_delete_min=minimum)
    assert len(plan.collections[collection].removed) == removed
    assert plan.guard.tripped is trips
    assert plan.guard.forced is False
    if trips:
        assert plan.guard.reasons == (
            f"{collection}: {removed} of {live} would be removed "
            f"(more than {pct:g} % and more than {minimum})",
        )
    else:
        assert plan.guard.reasons == ()


@pytest.mark.parametrize(("live", "removed", "trips"), [(500, 50, False), (500, 51, True)])
def test_guard_defaults_are_10_percent_and_50_items(live: int, removed: int, trips: bool) -> None:
    plan = plan_sync(
        snapshot_with("songs", listing(live, skip=removed)), live_mirror("songs", live)
    )
    assert plan.guard.tripped is trips


@pytest.mark.parametrize("collection", ITEM_COLLECTIONS)
def test_guard_trips_on_an_empty_listing_of_a_held_collection(collection: str) -> None:
    for held in (1, 3):
        plan = plan_sync(snapshot_with(collection, Fetched()), live_mirror(collection, held))
        assert plan.guard == GuardVerdict(
            tripped=True,
            reasons=(f"{collection}: Apple listed none while the mirror holds {held}",),
        )


@pytest.mark.parametrize(
    ("mirror", "fetched"),
    [
        ({}, Fetched()),  # nothing held, nothing listed
        ({"x0": ("fp", True)}, Fetched()),  # only tombstones held
        ({"x0": ("fp", False)}, Fetched(complete=False)),  # the empty listing is incomplete
        ({f"x{n}": ("fp", False) for n in range(200)}, listing(200, complete=False, skip=199)),
    ],
    ids=["empty-mirror", "tombstones-only", "incomplete-empty", "incomplete-short"],
)
def test_guard_stays_quiet_without_a_complete_listing_of_held_items(
    mirror: dict[str, tuple[str, bool]], fetched: Fetched
) -> None:
    plan = plan_sync(snapshot_with("songs", fetched), mirror_of("songs", **mirror))
    assert plan.guard == GuardVerdict(tripped=False)
    assert plan.collections["songs"].removed == frozenset()


def test_a_collection_with_nothing_to_check_does_not_switch_the_guard_off_for_the_next() -> None:
    # folders come first: empty in the mirror (nothing to check), then playlists incomplete,
    # then songs losing 60 % — which must still trip the guard.
    mirror = live_mirror("songs", 200)
    mirror.items["playlists"] = {f"p{n}": MirroredItem("fp", False) for n in range(5)}
    snapshot = snapshot_with("songs", listing(200, skip=120))
    snapshot.items["playlists"] = Fetched({"p0": "fp"}, complete=False)
    plan = plan_sync(snapshot, mirror)
    assert plan.guard.tripped
    assert plan.guard.reasons == (
        "songs: 120 of 200 would be removed (more than 10 % and more than 50)",
    )


def test_guard_names_every_collection_that_trips() -> None:
    mirror = live_mirror("songs", 200)
    mirror.items["albums"] = {f"a{n}": MirroredItem("fp", False) for n in range(3)}
    snapshot = snapshot_with("songs", listing(200, skip=100))
    plan = plan_sync(snapshot, mirror)
    assert plan.guard.reasons == (
        "albums: Apple listed none while the mirror holds 3",
        "songs: 100 of 200 would be removed (more than 10 % and more than 50)",
    )


def test_force_overrides_the_guard_and_keeps_its_reasons() -> None:
    snapshot = snapshot_with("songs", Fetched())
    forced = plan_sync(snapshot, live_mirror("songs", 10), force=True)
    assert forced.guard == GuardVerdict(
        tripped=False,
        reasons=("songs: Apple listed none while the mirror holds 10",),
        forced=True,
    )
    assert len(forced.collections["songs"].removed) == 10
    quiet = plan_sync(snapshot_with("songs", listing(10)), live_mirror("songs", 10), force=True)
    assert quiet.guard == GuardVerdict(tripped=False, reasons=(), forced=False)


def test_guard_counts_only_the_removals_of_a_complete_listing() -> None:
    plans = {
        "songs": CollectionPlan(
            "songs", removed=frozenset(f"x{n}" for n in range(60)), live_before=100, listed=40
        ),
        "albums": CollectionPlan(
            "albums", live_before=100, listed=0, complete=False, removals_withheld=100
        ),
    }
    verdict = deletion_guard(plans, 10.0, 50, force=False)
    assert verdict.reasons == (
        "songs: 60 of 100 would be removed (more than 10 % and more than 50)",
    )


def test_tracks_leaving_a_playlist_do_not_count_for_the_guard() -> None:
    mirror = live_mirror("playlists", 1)
    mirror.playlists["x0"] = MirroredPlaylist("P", "500 tracks", 1)
    snapshot = snapshot_with("playlists", listing(1))
    snapshot.tracks["x0"] = TrackList("no tracks", 0, True)
    plan = plan_sync(snapshot, mirror)
    assert not plan.guard.tripped
    assert plan.revisions == {"x0"}


# --- playlist revisions ------------------------------------------------------------------------

# what the mirror holds of the playlist (None: nothing; else tracks fingerprint, revision id),
# its fate in the item plan, its track list now (fingerprint, complete): a new revision?
REVISIONS = [
    (None, "added", ("t1", True), True),
    (None, "added", ("t1", False), False),
    (("t1", None), "unchanged", ("t1", True), True),  # mirrored, but no revision yet
    (("t1", 7), "unchanged", ("t2", True), True),
    (("t1", 7), "unchanged", ("t2", False), False),  # incomplete: the previous list is kept
    (("t1", 7), "unchanged", ("t1", True), False),
    (("t1", 7), "changed", ("t1", True), True),  # the name may have changed
    (("t1", 7), "revived", ("t1", True), True),
    (("t1", 7), "changed", ("t1", False), False),
    ((None, 7), "unchanged", ("t1", True), True),
]


@pytest.mark.parametrize(("held", "fate", "tracks", "revised"), REVISIONS)
def test_revisions(
    held: tuple[str | None, int | None] | None,
    fate: str,
    tracks: tuple[str, bool],
    revised: bool,
) -> None:
    mirror = mirror_of("playlists")
    if held is not None:
        mirror.playlists["p.1"] = MirroredPlaylist("P", held[0], held[1])
    snapshot = Snapshot(storefront="us")
    snapshot.tracks["p.1"] = TrackList(tracks[0], 3, tracks[1])
    snapshot.tracks["p.same"] = TrackList("s", 1, True)
    mirror.playlists["p.same"] = MirroredPlaylist("S", "s", 1)
    fates = {fate: frozenset({"p.1"})} if fate in ("changed", "revived") else {}
    playlists = CollectionPlan("playlists", **fates)  # type: ignore[arg-type]
    assert plan_revisions(snapshot, mirror, playlists) == ({"p.1"} if revised else set())


def test_an_incomplete_track_list_does_not_stop_the_others_from_being_revised() -> None:
    mirror = mirror_of("playlists")
    snapshot = Snapshot(storefront="us")
    snapshot.tracks["p.cut"] = TrackList("t", 1, False)
    snapshot.tracks["p.new"] = TrackList("t", 1, True)
    assert plan_revisions(snapshot, mirror, CollectionPlan("playlists")) == {"p.new"}


def test_a_renamed_playlist_with_the_same_tracks_gets_a_revision() -> None:
    mirror = mirror_of("playlists", p1=("old name", False), p2=("same", False))
    mirror.playlists["p1"] = MirroredPlaylist("Old", "t", 3)
    mirror.playlists["p2"] = MirroredPlaylist("Same", "t", 4)
    snapshot = snapshot_with("playlists", Fetched({"p1": "new name", "p2": "same"}))
    snapshot.tracks["p1"] = TrackList("t", 1, True)
    snapshot.tracks["p2"] = TrackList("t", 1, True)
    plan = plan_sync(snapshot, mirror)
    assert plan.collections["playlists"].changed == {"p1"}
    assert plan.revisions == {"p1"}


# --- catalog rows ------------------------------------------------------------------------------

# what the mirror holds of a catalog id (None, or (fingerprint, available)), what Apple gave
# ("listed FP", "missing", or "-": not asked), and the row's fate.
CATALOG_FATES = [
    (None, "listed a", "added"),
    (("a", True), "listed a", "nothing"),
    (("a", True), "listed b", "changed"),
    (("a", False), "listed a", "changed"),  # withdrawn, now back in the catalog
    (("a", False), "listed b", "changed"),
    (None, "missing", "withdrawn"),
    (("a", True), "missing", "withdrawn"),
    (("a", False), "missing", "nothing"),  # already known withdrawn
    (("a", True), "-", "nothing"),
    (("a", False), "-", "nothing"),
]


@pytest.mark.parametrize("kind", CATALOG_KINDS)
@pytest.mark.parametrize(("held", "given", "fate"), CATALOG_FATES)
def test_catalog_rows(kind: str, held: tuple[str, bool] | None, given: str, fate: str) -> None:
    mirror = mirror_of()
    mirror.catalog[kind]["keep"] = MirroredCatalog("k", True, FETCHED_AT)
    if held is not None:
        mirror.catalog[kind]["c.1"] = MirroredCatalog(held[0], held[1], FETCHED_AT)
    snapshot = Snapshot(storefront="us")
    snapshot.catalog[kind]["keep"] = "k"
    if given.startswith("listed"):
        snapshot.catalog[kind]["c.1"] = given.split()[1]
    elif given == "missing":
        snapshot.catalog_missing[kind].add("c.1")
    plans = plan_catalog(snapshot, mirror)
    assert set(plans) == set(CATALOG_KINDS)
    plan = plans[kind]
    assert plan.kind == kind
    for name in ("added", "changed", "withdrawn"):
        assert getattr(plan, name) == ({"c.1"} if name == fate else set()), (name, plan)
    assert plan.writes == (0 if fate == "nothing" else 1)
    for other in set(CATALOG_KINDS) - {kind}:
        assert plans[other] == CatalogPlan(other)


def test_new_catalog_rows_count_as_writes_of_the_sync() -> None:
    snapshot = Snapshot(storefront="us")
    snapshot.catalog["catalog_songs"] = {"c1": "a", "c2": "a"}
    snapshot.catalog_missing["catalog_albums"] = {"c3"}
    plan = plan_sync(snapshot, mirror_of())
    assert plan.catalog["catalog_songs"].added == {"c1", "c2"}
    assert plan.catalog["catalog_albums"].withdrawn == {"c3"}
    assert plan.item_writes == 3


# --- the whole plan ----------------------------------------------------------------------------


def test_item_writes_add_up_items_revisions_and_catalog_rows() -> None:
    mirror = mirror_of("songs", s1=("a", False), s2=("a", False), s3=("a", True))
    mirror.items["playlists"] = {"p1": MirroredItem("n", False)}
    mirror.playlists["p1"] = MirroredPlaylist("P", "t", 3)
    snapshot = snapshot_with("songs", Fetched({"s1": "b", "s3": "a", "s4": "a"}))
    snapshot.items["playlists"] = Fetched({"p1": "n"})
    snapshot.tracks["p1"] = TrackList("t2", 2, True)
    snapshot.catalog["catalog_artists"] = {"r1": "x"}
    plan = plan_sync(snapshot, mirror)
    songs = plan.collections["songs"]
    assert (songs.added, songs.changed, songs.revived, songs.removed) == (
        {"s4"},
        {"s1"},
        {"s3"},
        {"s2"},
    )
    assert plan.revisions == {"p1"}
    assert plan.item_writes == 4 + 1 + 1
    assert set(plan.collections) == set(ITEM_COLLECTIONS)
    assert plan.warnings == ()


def test_no_warnings_when_every_listing_is_complete() -> None:
    mirror = live_mirror("songs", 5)
    snapshot = snapshot_with("songs", listing(5, skip=2))
    snapshot.tracks["p1"] = TrackList("t", 1, True)
    assert plan_sync(snapshot, mirror).warnings == ()


def test_an_incomplete_listing_that_misses_nothing_warns_of_nothing() -> None:
    mirror = live_mirror("songs", 5)
    assert plan_sync(snapshot_with("songs", listing(5, complete=False)), mirror).warnings == ()


def test_warnings_name_what_was_kept() -> None:
    mirror = live_mirror("albums", 5)
    snapshot = snapshot_with("albums", listing(5, complete=False, skip=3))
    snapshot.tracks["p.ok"] = TrackList("t", 1, True)
    snapshot.tracks["p.cut"] = TrackList("t", 1, False)
    plan = plan_sync(snapshot, mirror)
    assert plan.warnings == (
        "albums: the listing was incomplete, so 3 item(s) missing from it were kept",
        "playlist p.cut: its track list was incomplete; the previous list was kept",
    )
    assert plan.collections["albums"].removed == frozenset()
    assert not plan.guard.tripped
