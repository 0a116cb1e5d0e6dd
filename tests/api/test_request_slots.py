"""Request slots: at most ``size`` requests at once, foreground waiters before background ones."""

from __future__ import annotations

import asyncio

import pytest

from amsync.api.rate import RequestSlots


async def _try(slots: RequestSlots, *, background: bool = False) -> bool:
    """Whether a slot is granted without waiting (the attempt is withdrawn otherwise)."""
    attempt = asyncio.create_task(slots.acquire(background=background))
    await asyncio.sleep(0)
    if attempt.done():
        return True
    attempt.cancel()
    await asyncio.gather(attempt, return_exceptions=True)
    return False


@pytest.mark.anyio
async def test_size_slots_are_granted_at_once_and_the_next_waits() -> None:
    slots = RequestSlots(2)
    assert await _try(slots)
    assert await _try(slots)
    assert not await _try(slots)


@pytest.mark.anyio
async def test_a_released_slot_is_free_again_exactly_once() -> None:
    slots = RequestSlots(2)
    await slots.acquire()
    await slots.acquire()
    slots.release()
    assert await _try(slots)
    assert not await _try(slots)
    slots.release()
    slots.release()
    assert await _try(slots)
    assert await _try(slots)
    assert not await _try(slots)


@pytest.mark.anyio
async def test_a_withdrawn_waiter_does_not_take_a_later_slot() -> None:
    slots = RequestSlots(1)
    await slots.acquire()
    assert not await _try(slots)  # waited, then withdrawn
    assert not await _try(slots, background=True)
    slots.release()
    assert await _try(slots)  # the slot was not handed to a withdrawn waiter


@pytest.mark.anyio
async def test_a_release_hands_the_slot_to_a_waiter_rather_than_freeing_it() -> None:
    slots = RequestSlots(1)
    await slots.acquire()
    waiter = asyncio.create_task(slots.acquire(background=True))
    await asyncio.sleep(0)
    slots.release()  # handed to the waiter, not freed
    await asyncio.wait_for(waiter, timeout=5)
    assert not await _try(slots)


@pytest.mark.anyio
async def test_background_requests_wait_until_no_other_request_waits() -> None:
    slots = RequestSlots(1)
    order: list[str] = []
    await slots.acquire()  # the one slot is taken

    async def take(name: str, background: bool) -> None:
        await slots.acquire(background=background)
        order.append(name)
        await asyncio.sleep(0)
        slots.release()

    waiting = [
        asyncio.create_task(take("ratings 1", True)),
        asyncio.create_task(take("listing 1", False)),
        asyncio.create_task(take("ratings 2", True)),
        asyncio.create_task(take("listing 2", False)),
    ]
    await asyncio.sleep(0)
    slots.release()
    await asyncio.gather(*waiting)
    assert order == ["listing 1", "listing 2", "ratings 1", "ratings 2"]


@pytest.mark.anyio
async def test_a_waiter_cancelled_as_its_slot_arrives_hands_it_on() -> None:
    slots = RequestSlots(1)
    await slots.acquire()
    first = asyncio.create_task(slots.acquire())
    second = asyncio.create_task(slots.acquire())
    await asyncio.sleep(0)
    slots.release()  # handed to the first waiter…
    first.cancel()  # …which is cancelled before it runs
    await asyncio.gather(first, return_exceptions=True)
    await asyncio.wait_for(second, timeout=5)  # the slot went on to the next waiter
    slots.release()
    await slots.acquire()  # and one slot is free again: nothing leaked


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_a_request_is_foreground_unless_it_says_otherwise() -> None:
    slots = RequestSlots(1)
    await slots.acquire()
    order: list[str] = []

    async def take(name: str, **background: bool) -> None:
        await slots.acquire(**background)
        order.append(name)
        slots.release()

    waiting = [
        asyncio.create_task(take("background", background=True)),
        asyncio.create_task(take("default")),
    ]
    await asyncio.sleep(0)
    slots.release()
    await asyncio.gather(*waiting)
    assert order == ["default", "background"]
