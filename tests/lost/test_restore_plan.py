"""The restore plan, table-driven: what is written, what is skipped and why."""

from __future__ import annotations

import pytest

from amsync.lost.restore_plan import OpenLoss, PlaylistState, RestorePlan, Skip, plan_restore

PLAYLISTS = {
    "p.mine": PlaylistState("Mine", True, True),
    "p.curated": PlaylistState("Curated", True, False),
    "p.gone": PlaylistState("Gone", False, True),
    "p.unknown": PlaylistState("Unknown", True, None),
}


def loss(entry: int, song: int = 1, **values: object) -> OpenLoss:
    base: dict[str, object] = {
        "library_id": f"i.{song}",
        "catalog_id": str(100 + song),
        "name": f"Song {song}",
        "artist": "Ada",
        "kind": "library",
        "cause": "withdrawn",
        "replacement_id": str(900 + song),
        "looked_up": True,
    }
    base.update(values)
    return OpenLoss(entry, song, **base)  # type: ignore[arg-type]


def summary(plan: RestorePlan) -> dict[str, object]:
    for planned in plan.library:
        assert (planned.playlist_id, planned.playlist_name) == (None, None)
    for pid, planned_list in plan.playlists.items():
        for planned in planned_list:
            assert (planned.playlist_id, planned.playlist_name) == (pid, PLAYLISTS[pid].name)
    for planned in [
        *plan.library,
        *plan.waiting,
        *(p for ps in plan.playlists.values() for p in ps),
    ]:
        assert planned.label == f"'Song {int(planned.replacement_id) - 900}' by Ada"
    for skip in plan.skipped:
        assert skip.label.startswith("'Song ") and skip.label.endswith("' by Ada")
    return {
        "library": [(p.replacement_id, p.entries) for p in plan.library],
        "playlists": {
            pid: [(p.replacement_id, p.entries) for p in planned]
            for pid, planned in plan.playlists.items()
        },
        "present": plan.present,
        "skipped": [(s.entry_id, s.reason) for s in plan.skipped],
        "already": plan.already,
        "waiting": [(p.playlist_id, p.replacement_id, p.entries) for p in plan.waiting],
    }


def expect(**values: object) -> dict[str, object]:
    empty: dict[str, object] = {"library": [], "playlists": {}, "present": [], "skipped": []}
    return empty | {"already": 0, "waiting": []} | values


REMOVED = "removed by you or your devices: name it to put it back"
UNKNOWN = "cause unknown: name it to put it back"

CASES = {
    "withdrawn from the library": ([loss(1)], None, expect(library=[("901", [1])])),
    "unplayable, still in the library": (
        [loss(1, kind="unplayable", cause="unplayable")],
        None,
        expect(library=[("901", [1])]),
    ),
    "one song lost twice from the library level": (
        [loss(1), loss(2, kind="unplayable")],
        None,
        expect(library=[("901", [1, 2])]),
    ),
    "two songs, two replacements": (
        [loss(1), loss(2, song=2)],
        None,
        expect(library=[("901", [1]), ("902", [2])]),
    ),
    "already in the library": ([loss(1, song=5)], None, expect(present=[1])),
    "restored before": ([loss(1, restored=True)], None, expect(already=1)),
    "restored before, twice, then one to write": (
        [loss(1, restored=True), loss(2, restored=True), loss(3, song=3)],
        None,
        expect(already=2, library=[("903", [3])]),
    ),
    "removed by the person": ([loss(1, cause="removed")], None, expect(skipped=[(1, REMOVED)])),
    "unknown cause": ([loss(1, cause="unknown")], None, expect(skipped=[(1, UNKNOWN)])),
    "removed, but named": (
        [loss(1, cause="removed")],
        {1},
        expect(library=[("901", [1])]),
    ),
    "others than the named are left alone": (
        [loss(1), loss(2, song=2)],
        {2},
        expect(library=[("902", [2])]),
    ),
    "restored before, even when named": ([loss(1, restored=True)], {1}, expect(already=1)),
    "no replacement found": (
        [loss(1, replacement_id=None, lookup_note="Apple's catalog has no other song")],
        None,
        expect(skipped=[(1, "Apple's catalog has no other song")]),
    ),
    "no replacement, no note": (
        [loss(1, replacement_id=None)],
        None,
        expect(skipped=[(1, "no replacement in Apple's catalog")]),
    ),
    "ambiguous": (
        [loss(1, replacement_id=None, ambiguous=3)],
        None,
        expect(skipped=[(1, "3 equally good candidates: none chosen")]),
    ),
    "not looked up yet": (
        [loss(1, replacement_id=None, looked_up=False)],
        None,
        expect(skipped=[(1, "not looked up yet: run `amsync sync` first")]),
    ),
    "sent before, not shown: only read back": (
        [loss(1, attempted=True), loss(2, kind="playlist", playlist_id="p.mine", attempted=True)],
        None,
        expect(waiting=[(None, "901", [1]), ("p.mine", "901", [2])]),
    ),
    "sent before, named: sent again": (
        [loss(1, attempted=True)],
        {1},
        expect(library=[("901", [1])]),
    ),
    "from my playlist": (
        [loss(1, kind="playlist", playlist_id="p.mine", position=4)],
        None,
        expect(playlists={"p.mine": [("901", [1])]}),
    ),
    "editability unknown: tried": (
        [loss(1, kind="playlist", playlist_id="p.unknown", position=0)],
        None,
        expect(playlists={"p.unknown": [("901", [1])]}),
    ),
    "lost twice from one playlist: back once": (
        [
            loss(1, kind="playlist", playlist_id="p.mine", position=2),
            loss(2, kind="playlist", playlist_id="p.mine", position=7),
        ],
        None,
        expect(
            playlists={"p.mine": [("901", [1, 2])]},
            skipped=[(2, "lost twice from one playlist: it goes back once")],
        ),
    ),
    "a curated playlist": (
        [loss(1, kind="playlist", playlist_id="p.curated", position=1)],
        None,
        expect(skipped=[(1, "the playlist cannot be edited (canEdit false)")]),
    ),
    "a playlist that is gone": (
        [loss(1, kind="playlist", playlist_id="p.gone", position=1)],
        None,
        expect(skipped=[(1, "the playlist is gone")]),
    ),
    "a playlist the mirror never had": (
        [loss(1, kind="playlist", playlist_id="p.none", position=1)],
        None,
        expect(skipped=[(1, "the playlist is gone")]),
    ),
    "already in the playlist": (
        [loss(1, song=6, kind="playlist", playlist_id="p.mine", position=1)],
        None,
        expect(present=[1]),
    ),
    "library and two playlists": (
        [
            loss(1),
            loss(2, kind="playlist", playlist_id="p.mine", position=3),
            loss(3, kind="playlist", playlist_id="p.unknown", position=9),
        ],
        None,
        expect(
            library=[("901", [1])],
            playlists={"p.mine": [("901", [2])], "p.unknown": [("901", [3])]},
        ),
    ),
}


@pytest.mark.parametrize(("losses", "named", "expected"), CASES.values(), ids=CASES.keys())
def test_plan(losses: list[OpenLoss], named: set[int] | None, expected: dict[str, object]) -> None:
    plan = plan_restore(losses, PLAYLISTS, {"905"}, {"p.mine": {"906"}}, named)
    assert summary(plan) == expected


def test_the_plan_says_the_position_is_lost() -> None:
    plan = plan_restore(
        [loss(1, kind="playlist", playlist_id="p.mine", position=4)], PLAYLISTS, set(), {}
    )
    assert plan.notes == [
        "'Song 1' by Ada goes at the end of 'Mine' (it was at position 4): Apple's API can only "
        "append"
    ]
    assert plan.writes == 1 and not plan.empty


def test_a_position_not_known_is_said_so() -> None:
    plan = plan_restore(
        [loss(1, kind="playlist", playlist_id="p.mine", position=None)], PLAYLISTS, set(), {}
    )
    assert plan.notes == [
        "'Song 1' by Ada goes at the end of 'Mine' (it was at its place): Apple's API can only "
        "append"
    ]


def test_the_whole_document() -> None:
    plan = plan_restore(
        [
            loss(1),
            loss(2, kind="playlist", playlist_id="p.mine", position=3),
            loss(3, song=3, cause="removed"),
            loss(4, song=4, attempted=True),
            loss(5, song=5),
        ],
        PLAYLISTS,
        {"905"},
        {},
    )
    assert plan.as_dict() == {
        "add_to_library": [{"catalog_id": "901", "song": "'Song 1' by Ada", "losses": [1]}],
        "append_to_playlists": {"p.mine": [{"catalog_id": "901", "song": "'Song 1' by Ada"}]},
        "already_there": 1,
        "waiting_for_apple": [
            {"catalog_id": "904", "song": "'Song 4' by Ada", "playlist_id": None}
        ],
        "restored_before": 0,
        "skipped": [{"loss_id": 3, "song": "'Song 3' by Ada", "reason": REMOVED}],
        "notes": [
            "'Song 1' by Ada goes at the end of 'Mine' (it was at position 3): Apple's API can "
            "only append"
        ],
    }
    assert plan.writes == 2 and not plan.empty


def test_counts_and_document() -> None:
    plan = plan_restore(
        [loss(1, cause="removed"), loss(2, song=2, cause="removed"), loss(3, song=3)],
        PLAYLISTS,
        set(),
        {},
    )
    assert plan.skip_counts() == {REMOVED: 2}
    assert plan.skipped[0] == Skip(1, "'Song 1' by Ada", REMOVED)
    document = plan.as_dict()
    assert document["add_to_library"] == [
        {"catalog_id": "903", "song": "'Song 3' by Ada", "losses": [3]}
    ]
    assert document["restored_before"] == 0
    assert plan_restore([], PLAYLISTS, set(), {}).empty
