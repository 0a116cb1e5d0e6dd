"""``plan_push``, ``decide`` and ``acknowledge_landed`` on plain rows (issue 29): every
(base, local, remote) for every item type and both ``prefer`` values — the action, whether it
is a conflict, and the state it leaves — and the plan's own counts."""

from __future__ import annotations

import pytest

from amsync.domain import FavouriteState, ItemType
from amsync.favourites.plan import (
    Action,
    FavouriteRow,
    PlannedItem,
    Prefer,
    PushPlan,
    acknowledge_landed,
    decide,
    plan_push,
)
from tests.favourites.plan_table import PUSHABLE, ROWS, Expected, expected_state, row

N, F, D = FavouriteState.NONE, FavouriteState.FAVOURITE, FavouriteState.DISLIKED


def test_the_table_covers_every_combination_once() -> None:
    from tests.favourites.plan_table import TABLE, _parse

    incomplete = "\n".join(TABLE.strip().splitlines()[:-1])
    with pytest.raises(ValueError, match="not every"):
        _parse(incomplete)
    with pytest.raises(ValueError, match="repeats NNN"):
        _parse(TABLE.strip() + "\nN N N | nothing = | nothing =")


@pytest.mark.parametrize("prefer", list(Prefer))
@pytest.mark.parametrize("kind", PUSHABLE)
@pytest.mark.parametrize(("blr", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_plan_of_pushable_types(
    kind: ItemType, prefer: Prefer, blr: str, expected: Expected
) -> None:
    action, conflict, result = expected[prefer]
    item = decide(row(kind, blr), prefer)
    assert (item.action.value, item.conflict) == (action, conflict)
    assert item.result == expected_state(blr, result)
    if result != "=":
        assert item.target is expected_state(blr, result)[0]


@pytest.mark.parametrize("prefer", list(Prefer))
@pytest.mark.parametrize(("blr", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_plan_of_artists_never_pushes_nor_pulls(
    prefer: Prefer, blr: str, expected: Expected
) -> None:
    item = decide(row(ItemType.ARTIST, blr), prefer)
    want = "nothing" if len(set(blr)) == 1 else "local-only"
    assert (item.action.value, item.conflict) == (want, False)
    assert item.result == expected_state(blr, "="), "an artist's state is kept as it is"
    assert item.target is row(ItemType.ARTIST, blr).local


def test_a_conflict_is_pulled_unless_local_is_preferred() -> None:
    conflict = row(ItemType.SONG, "NFD")
    assert decide(conflict).action is Action.PULL
    assert plan_push([conflict]).items[0].action is Action.PULL
    assert plan_push([conflict]).prefer is Prefer.REMOTE
    local = plan_push([conflict], Prefer.LOCAL)
    assert (local.prefer, local.items[0].action) == (Prefer.LOCAL, Action.PUSH)


def test_plan_push_leaves_out_nothing_items_and_counts() -> None:
    rows = [row(kind, blr) for kind in ItemType for blr, _ in ROWS]
    plan = plan_push(rows, Prefer.REMOTE)
    assert plan.counts() == {
        "push": 3 * 6,
        "pull": 3 * 12,
        "converge": 3 * 6,
        "local-only": 24,
        "conflicts": 3 * 6,
    }
    assert len(plan.items) == len(rows) - 4 * 3, "the 3 agreed rows of each type are left out"
    assert all(item.action is not Action.NOTHING for item in plan.items)
    assert [item.row for item in plan.items] == [
        r for r in rows if decide(r).action is not Action.NOTHING
    ], "in the order of the rows"
    local_wins = plan_push(rows, Prefer.LOCAL).counts()
    assert (local_wins["push"], local_wins["pull"]) == (3 * 12, 3 * 6)


def test_counts_name_every_action_even_when_none_occurs() -> None:
    plan = plan_push([row(ItemType.SONG, "NFN"), row(ItemType.ALBUM, "NFN")])
    assert plan.counts() == {"push": 2, "pull": 0, "converge": 0, "local-only": 0, "conflicts": 0}
    assert PushPlan(()).counts() == {
        "push": 0,
        "pull": 0,
        "converge": 0,
        "local-only": 0,
        "conflicts": 0,
    }


def test_the_plan_lists_its_pushes_conflicts_and_each_action() -> None:
    push, pull, clash = (
        row(ItemType.SONG, "NFN"),
        row(ItemType.ALBUM, "NNF"),
        row(ItemType.PLAYLIST, "NFD"),
    )
    artist = row(ItemType.ARTIST, "NFN")
    plan = plan_push([push, pull, clash, artist])
    assert [item.row for item in plan.pushes] == [push]
    assert [item.row for item in plan.conflicts] == [clash]
    assert [item.row for item in plan.of(Action.PULL)] == [pull, clash]
    assert [item.row for item in plan.of(Action.LOCAL_ONLY)] == [artist]
    assert plan.of(Action.CONVERGE) == []
    assert plan.items[2] == PlannedItem(clash, Action.PULL, conflict=True)


def test_rows_are_keyed_by_type_and_library_id() -> None:
    assert FavouriteRow(ItemType.ALBUM, "l.1", N, N, F).key == (ItemType.ALBUM, "l.1")


def test_an_attempted_push_that_landed_becomes_the_base() -> None:
    landed_row = row(ItemType.SONG, "NFF", "i.landed")  # crashed after the PUT went through
    lost_row = row(ItemType.SONG, "NFN", "i.lost")  # crashed before it
    reverted = row(ItemType.SONG, "NNF", "i.reverted")  # PUT landed, then the user undid it
    untouched = row(ItemType.SONG, "NNF", "i.untouched")  # never attempted
    rows, landed = acknowledge_landed(
        [landed_row, lost_row, reverted, untouched],
        {
            landed_row.key: FavouriteState.FAVOURITE,
            lost_row.key: FavouriteState.FAVOURITE,
            reverted.key: FavouriteState.FAVOURITE,
        },
    )
    assert landed == {landed_row.key, reverted.key}
    assert [r.library_id for r in rows] == ["i.landed", "i.lost", "i.reverted", "i.untouched"]
    assert rows[1] == lost_row and rows[3] == untouched, "rows not acknowledged are as they were"
    actions = [decide(r).action for r in rows]
    assert actions == [Action.NOTHING, Action.PUSH, Action.PUSH, Action.PULL], (
        "landed: agreed; lost: pushed again; reverted: the user's later wish is pushed, not lost"
    )
    assert rows[2].base is FavouriteState.FAVOURITE and rows[2].local is FavouriteState.NONE
    assert rows[0] == FavouriteRow(ItemType.SONG, "i.landed", F, F, F)
