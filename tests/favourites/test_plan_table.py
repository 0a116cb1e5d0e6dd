"""The three-way favourites table (``tests/favourites/plan_table.py``; the pure plan's unit
tests are ``test_favourites_plan.py``) through a real push against an in-memory Apple on SQLite
and PostgreSQL: the action, and the state (remote, base, local) it leaves."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from amsync.db.store import Store, open_store
from amsync.domain import FavouriteState, ItemType
from amsync.favourites.plan import Prefer
from amsync.favourites.push import PushOptions, push_favourites
from tests.favourites.fakes import LIBRARY_TYPE, PREFIX, FakeRatings, seed_rows, stored_states
from tests.favourites.plan_table import ROWS, expected_state, row


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
            one = row(kind, blr)
            seeded.append((kind, one.library_id, one.remote, one.base, one.local))
            rating = one.remote.to_rating()
            if kind.pushable and rating is not None:
                apple.values[(LIBRARY_TYPE[kind], one.library_id)] = rating
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
                assert got == expected_state(blr, "="), (kind, blr)
                continue
            assert got == expected_state(blr, result), (kind, blr, prefer)
            wanted = expected_state(blr, result)[0]
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
