"""The adaptive rate: simulated against token-bucket servers, and the asyncio pacer."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from api_fakes import FakeTime
from rate_simulation import simulate

from amsync.api.rate import AdaptiveRate, RateSettings, RequestPacer


@pytest.mark.parametrize("capacity", [1.0, 5.0, 20.0])
def test_converges_near_a_20_per_second_token_bucket(capacity: float) -> None:
    result = simulate(RateSettings(), limit=20.0, capacity=capacity, successes=2500)
    assert result.throughput() >= 0.9 * 20.0
    assert result.throttled_share() <= 0.02
    assert 15.0 <= result.final_rate <= 24.0


@pytest.mark.parametrize("limit", [5.0, 40.0])
def test_converges_at_other_limits(limit: float) -> None:
    result = simulate(RateSettings(), limit=limit, capacity=limit / 4, concurrency=16)
    assert result.throughput() >= 0.88 * limit
    assert result.throttled_share() <= 0.02


def test_without_adaptation_a_fixed_fast_rate_is_throttled_heavily() -> None:
    fixed = RateSettings(
        initial_rate=40.0,
        slow_start_factor=1.0,
        increase_fraction=0.0,
        decrease_factor=0.999,
        min_rate=39.9,
    )
    result = simulate(fixed, limit=20.0, capacity=5.0, successes=500)
    assert result.throttled_share() > 0.2


def test_throttle_from_a_request_booked_before_the_decrease_is_ignored() -> None:
    control = AdaptiveRate(RateSettings(initial_rate=10.0), now=0.0)
    control.slow_start = False
    assert control.record_throttled(reserved_at=1.0, now=2.0)
    lowered = control.rate
    assert not control.record_throttled(reserved_at=1.5, now=2.1)
    assert control.rate == lowered == pytest.approx(9.0)


def test_first_throttle_ends_slow_start_by_dividing() -> None:
    control = AdaptiveRate(RateSettings(initial_rate=8.0), now=0.0)
    control.reserve(0.0)
    control.reserve(0.0)  # had to wait: the pacer is the bottleneck
    control.record_success(1.5)
    assert control.rate == pytest.approx(12.0)
    control.record_throttled(reserved_at=1.6, now=1.7)
    # back to the last step that went through (8), and the exit margin below it
    assert not control.slow_start and control.rate == pytest.approx(8.0 * 0.9)


def test_rate_does_not_grow_when_the_pacer_is_not_the_bottleneck() -> None:
    control = AdaptiveRate(RateSettings(initial_rate=8.0), now=0.0)
    for second in range(1, 20):
        control.reserve(float(second))  # one request per second: never waits
        control.record_success(second + 0.1)
    assert control.rate == 8.0


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        RateSettings(decrease_factor=1.5)
    with pytest.raises(ValueError):
        RateSettings(min_rate=10.0, initial_rate=5.0)


@pytest.mark.anyio
async def test_pacer_spaces_requests_and_bounds_concurrency() -> None:
    fake = FakeTime()
    pacer = RequestPacer(RateSettings(initial_rate=4.0), 2, clock=fake.clock, sleep=fake.sleep)
    starts: list[float] = []
    active = 0
    peak = 0

    async def one() -> None:
        nonlocal active, peak
        async with pacer.slot() as ticket:
            active += 1
            peak = max(peak, active)
            starts.append(fake.now)
            await asyncio.sleep(0)
            active -= 1
            ticket.succeeded()

    await asyncio.gather(*(one() for _ in range(6)))
    assert peak <= 2
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(gap >= 0.25 - 1e-9 for gap in gaps)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
