"""``all_or_none``: the first failure stops the other coroutines and is raised as it is."""

from __future__ import annotations

import asyncio

import pytest

from amsync.domain.task_groups import all_or_none
from amsync.errors import ApiError


def test_the_first_failure_is_raised_as_it_is_and_the_others_are_cancelled() -> None:
    cancelled: list[str] = []

    async def slow(name: str) -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.append(name)
            raise

    async def failing() -> None:
        await asyncio.sleep(0)
        raise ApiError("the listing failed")

    async def go() -> None:
        await all_or_none(slow("songs"), failing(), slow("albums"))

    with pytest.raises(ApiError, match="the listing failed"):
        asyncio.run(asyncio.wait_for(go(), timeout=10))
    assert sorted(cancelled) == ["albums", "songs"]


def test_without_a_failure_every_coroutine_runs_to_its_end() -> None:
    done: list[int] = []

    async def one(n: int) -> None:
        await asyncio.sleep(0)
        done.append(n)

    asyncio.run(all_or_none(*(one(n) for n in range(5))))
    assert sorted(done) == [0, 1, 2, 3, 4]
