"""The three-way favourites plan over every (base, local, remote) for every item type — first
as the pure ``plan_push``, then through a real push against an in-memory Apple on SQLite and
PostgreSQL: the action, and the state (remote, base, local) it leaves."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator

import pytest

from amsync.db.store import Store, open_store
from amsync.domain import FavouriteState, ItemType
from amsync.favourites.plan import (
    Action,
    FavouriteRow,
    Prefer,
    acknowledge_landed,
    decide,
    plan_push,
)
from amsync.favourites.push import PushOptions, push_favourites
from tests.favourites.fakes import LIBRARY_TYPE, PREFIX, FakeRatings, seed_rows, stored_states

S = {"N": FavouriteState.NONE, "F": FavouriteState.FAVOURITE, "D": FavouriteState.DISLIKED}

# base local remote | prefer remote: action, resulting state | prefer local: action, state.
# "!" marks a conflict; the state is what remote, base and local all hold afterwards
# ("=" means unchanged).
TABLE = """
N N N | nothing   = | nothing   =
N N F | pull      F | pull      F
N N D | pull      D | pull      D
N F N | push      F | push      F
N F F | converge  F | converge  F
N F D | pull!     D | push!     F
N D N | push      D | push      D
N D F | pull!     F | push!     D
N D D | converge  D | converge  D
F N N | converge  N | converge  N
F N F | push      N | push      N
F N D | pull!     D | push!     N
F F N | pull      N | pull      N
F F F | nothing   = | nothing   =
F F D | pull      D | pull      D
F D N | pull!     N | push!     D
F D F | push      D | push      D
F D D | converge  D | converge  D
D N N | converge  N | converge  N
D N F | pull!     F | push!     N
D N D | push      N | push      N
D F N | pull!     N | push!     F
D F F | converge  F | converge  F
D F D | push      F | push      F
D D N | pull      N | pull      N
D D F | pull      F | pull      F
D D D | nothing   = | nothing   =
"""


def _rows() -> list[tuple[str, dict[Prefer, tuple[str, bool, str]]]]:
    parsed = []
    for line in TABLE.strip().splitlines():
        states, remote_side, local_side = (part.split() for part in line.split("|"))
        expected = {}
        for prefer, (action, result) in ((Prefer.REMOTE, remote_side), (Prefer.LOCAL, local_side)):
            expected[prefer] = (action.rstrip("!"), action.endswith("!"), result)
        parsed.append(("".join(states), expected))
    return parsed


ROWS = _rows()
PUSHABLE = [ItemType.SONG, ItemType.ALBUM, ItemType.PLAYLIST]


def _row(kind: ItemType, blr: str, library_id: str | None = None) -> FavouriteRow:
    base, local, remote = (S[c] for c in blr)
    return FavouriteRow(
        item_type=kind,
        library_id=library_id or f"{PREFIX[kind]}{blr}",
        remote=remote,
        base=base,
        local=local,
    )


def _expected_state(blr: str, result: str) -> tuple[FavouriteState, ...]:
    base, local, remote = (S[c] for c in blr)
    return (remote, base, local) if result == "=" else (S[result],) * 3


def test_the_table_is_complete() -> None:
    assert sorted(states for states, _ in ROWS) == sorted(
        "".join(p) for p in itertools.product("NFD", repeat=3)
    )
    assert len(ROWS) == 27


@pytest.mark.parametrize("prefer", list(Prefer))
@pytest.mark.parametrize("kind", PUSHABLE)
@pytest.mark.parametrize(("blr", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_plan_of_pushable_types(
    kind: ItemType, prefer: Prefer, blr: str, expected: dict[Prefer, tuple[str, bool, str]]
) -> None:
    action, conflict, result = expected[prefer]
    item = decide(_row(kind, blr), prefer)
    assert (item.action.value, item.conflict) == (action, conflict)
    assert item.result == _expected_state(blr, result)


@pytest.mark.parametrize("prefer", list(Prefer))
@pytest.mark.parametrize(("blr", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_plan_of_artists_never_pushes_nor_pulls(
    prefer: Prefer, blr: str, expected: dict[Prefer, tuple[str, bool, str]]
) -> None:
    item = decide(_row(ItemType.ARTIST, blr), prefer)
    want = "nothing" if len(set(blr)) == 1 else "local-only"
    assert (item.action.value, item.conflict) == (want, False)
    assert item.result == _expected_state(blr, "="), "an artist's state is kept as it is"


def test_plan_push_leaves_out_nothing_items_and_counts() -> None:
    rows = [_row(kind, blr) for kind in ItemType for blr, _ in ROWS]
    plan = plan_push(rows, Prefer.REMOTE)
    counts = plan.counts()
    assert counts == {
        "push": 3 * 6,
        "pull": 3 * 12,
        "converge": 3 * 6,
        "local-only": 24,
        "conflicts": 3 * 6,
    }
    assert all(item.action is not Action.NOTHING for item in plan.items)
    local_wins = plan_push(rows, Prefer.LOCAL).counts()
    assert (local_wins["push"], local_wins["pull"]) == (3 * 12, 3 * 6)


def test_an_attempted_push_that_landed_becomes_the_base() -> None:
    landed_row = _row(ItemType.SONG, "NFF", "i.landed")  # crashed after the PUT went through
    lost_row = _row(ItemType.SONG, "NFN", "i.lost")  # crashed before it
    reverted = _row(ItemType.SONG, "NNF", "i.reverted")  # PUT landed, then the user undid it
    rows, landed = acknowledge_landed(
        [landed_row, lost_row, reverted],
        {
            landed_row.key: FavouriteState.FAVOURITE,
            lost_row.key: FavouriteState.FAVOURITE,
            reverted.key: FavouriteState.FAVOURITE,
        },
    )
    assert landed == {landed_row.key, reverted.key}
    actions = [decide(row).action for row in rows]
    assert actions == [Action.NOTHING, Action.PUSH, Action.PUSH], (
        "landed: agreed; lost: pushed again; reverted: the user's later wish is pushed, not lost"
    )
    assert rows[2].base is FavouriteState.FAVOURITE and rows[2].local is FavouriteState.NONE


# --- the same table through a real push (database + outbox + read-back) ---------------------


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.mark.parametrize("prefer", list(Prefer))
def test_push_applies_the_table_to_the_store_and_apple(store: Store, prefer: Prefer) -> None:
    seeded = []
    apple = FakeRatings()
    for kind in ItemType:
        for blr, _ in ROWS:
            row = _row(kind, blr)
            seeded.append((kind, row.library_id, row.remote, row.base, row.local))
            rating = row.remote.to_rating()
            if kind.pushable and rating is not None:
                apple.values[(LIBRARY_TYPE[kind], row.library_id)] = rating
    seed_rows(store, seeded)
    report = asyncio.run(push_favourites(apple, store, "default", PushOptions(prefer=prefer)))
    assert report.status == "succeeded", report.as_dict()
    states = stored_states(store)
    expected_writes = []
    for kind in ItemType:
        for blr, expected in ROWS:
            action, _conflict, result = expected[prefer]
            library_id = f"{PREFIX[kind]}{blr}"
            got = tuple(FavouriteState(v) for v in states[(kind.value, library_id)])
            if not kind.pushable:
                assert got == _expected_state(blr, "="), (kind, blr)
                continue
            assert got == _expected_state(blr, result), (kind, blr, prefer)
            wanted = _expected_state(blr, result)[0]
            assert apple.state(LIBRARY_TYPE[kind], library_id) is wanted, (kind, blr)
            if action == "push":
                expected_writes.append((LIBRARY_TYPE[kind], library_id, wanted.to_rating()))
    assert sorted((t, i, v) for _, t, i, v in apple.writes) == sorted(expected_writes)
    assert all(w[1] != "library-artists" for w in apple.writes)
    local_only = [i for i in report.items if i.action == "local-only"]
    assert len(local_only) == 24
    assert all(i.error == "not supported by the Apple Music API" for i in local_only)
    # A second push has nothing to write.
    before = len(apple.writes)
    again = asyncio.run(push_favourites(apple, store, "default", PushOptions(prefer=prefer)))
    assert len(apple.writes) == before
    assert again.counts()["push"] == 0 and again.counts()["pull"] == 0
