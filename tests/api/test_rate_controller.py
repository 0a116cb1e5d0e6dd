"""The adaptive rate controller (``amsync.api.rate``) through its public API, step by step on a
clock the test holds (issue 29): settings checked, start slots spaced at the rate (with the
burst allowed), slow start, the first 429, AIMD, the quiet interval after a decrease, and the
asyncio pacer that hands out the slots. The simulations against token-bucket servers are
``test_api_rate.py``."""

from __future__ import annotations

import asyncio
import logging

import pytest

from amsync.api.rate import AdaptiveRate, RateSettings, RequestPacer

# --- settings ----------------------------------------------------------------------------------

RATES = "rates must satisfy 0 < min_rate <= initial_rate <= max_rate"
DECREASE = "decrease_factor must be between 0 and 1"
EXIT = "slow_start_exit must be in (0, 1]"
GROWTH = "slow_start_factor must be >= 1 and increase_fraction >= 0"
INTERVAL = "increase_interval_s must be > 0 and burst >= 1"


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"min_rate": 0.0}, RATES),
        ({"min_rate": -1.0}, RATES),
        ({"min_rate": 9.0, "initial_rate": 8.0}, RATES),
        ({"initial_rate": 300.0}, RATES),
        ({"min_rate": 5.0, "initial_rate": 5.0, "max_rate": 5.0}, None),
        ({"decrease_factor": 0.0}, DECREASE),
        ({"decrease_factor": 1.0}, DECREASE),
        ({"decrease_factor": 0.01}, None),
        ({"decrease_factor": 0.99}, None),
        ({"slow_start_exit": 0.0}, EXIT),
        ({"slow_start_exit": 1.01}, EXIT),
        ({"slow_start_exit": 1.0}, None),
        ({"slow_start_factor": 0.99}, GROWTH),
        ({"slow_start_factor": 1.0}, None),
        ({"increase_fraction": -0.001}, GROWTH),
        ({"increase_fraction": 0.0}, None),
        ({"increase_interval_s": 0.0}, INTERVAL),
        ({"increase_interval_s": 0.001}, None),
        ({"burst": 0.99}, INTERVAL),
        ({"burst": 1.0}, None),
    ],
)
def test_settings_are_checked(values: dict[str, float], error: str | None) -> None:
    if error is None:
        RateSettings(**values)  # type: ignore[arg-type]
        return
    with pytest.raises(ValueError) as raised:
        RateSettings(**values)  # type: ignore[arg-type]
    assert str(raised.value) == error


# --- start slots -------------------------------------------------------------------------------


def test_slots_are_spaced_at_the_rate() -> None:
    control = AdaptiveRate(RateSettings(initial_rate=8.0), now=100.0)
    assert control.rate == 8.0 and control.slow_start
    starts = [control.reserve(100.0) for _ in range(4)]
    assert starts == pytest.approx([100.0, 100.125, 100.25, 100.375])
    assert control.reserve(101.0) == 101.0, "a request after the booked slots goes at once"
    assert control.reserve(100.5) == pytest.approx(101.125)


def test_the_burst_lets_that_many_requests_go_at_once() -> None:
    control = AdaptiveRate(RateSettings(initial_rate=10.0, burst=3.0), now=0.0)
    starts = [control.reserve(0.0) for _ in range(5)]
    assert starts == pytest.approx([0.0, 0.0, 0.0, 0.1, 0.2])


# --- slow start --------------------------------------------------------------------------------


def busy(control: AdaptiveRate, now: float, requests: int = 2) -> None:
    """Book ``requests`` slots at ``now``: the later ones wait, so the pacer is the bottleneck."""
    for _ in range(requests):
        control.reserve(now)


def test_slow_start_multiplies_after_each_busy_interval() -> None:
    control = AdaptiveRate(RateSettings(initial_rate=8.0), now=0.0)
    busy(control, 0.0)
    control.record_success(0.999)
    assert control.rate == 8.0, "not a whole interval yet"
    control.record_success(1.0)
    assert control.rate == pytest.approx(12.0), "exactly one interval"
    busy(control, 1.5)
    control.record_success(1.999)
    assert control.rate == pytest.approx(12.0), "an interval after the last step, not before"
    control.record_success(2.0)
    assert control.rate == pytest.approx(18.0)
    control.record_success(3.5)
    assert control.rate == pytest.approx(18.0), "the pacer has not been the bottleneck since"
    assert control.slow_start


def test_slow_start_needs_no_minimum_of_successes() -> None:
    control = AdaptiveRate(RateSettings(initial_rate=8.0, increase_min_successes=50), now=0.0)
    busy(control, 0.0)
    control.record_success(1.0)
    assert control.rate == pytest.approx(12.0)


def test_the_rate_never_passes_its_maximum() -> None:
    control = AdaptiveRate(RateSettings(initial_rate=8.0, max_rate=10.0), now=0.0)
    busy(control, 0.0)
    control.record_success(1.0)
    assert control.rate == 10.0


def test_a_request_that_did_not_wait_is_no_sign_of_a_bottleneck() -> None:
    control = AdaptiveRate(RateSettings(initial_rate=8.0), now=0.0)
    for second in range(1, 20):
        control.reserve(float(second))
        control.record_success(second + 0.1)
    assert control.rate == 8.0


# --- the first 429 ----------------------------------------------------------------------------


def test_the_first_throttle_ends_slow_start_below_the_last_rate_that_went_through() -> None:
    control = AdaptiveRate(RateSettings(initial_rate=8.0), now=0.0)
    busy(control, 0.0)
    control.record_success(1.0)  # 12
    assert control.record_throttled(reserved_at=1.2, now=1.5)
    assert control.slow_start is False
    assert control.rate == pytest.approx(8.0 * 0.9)


@pytest.mark.parametrize(("factor", "exit_", "expected"), [(2.0, 0.5, 1.875), (1.5, 1.0, 5.0)])
def test_the_first_throttle_uses_the_factor_and_the_exit_margin(
    factor: float, exit_: float, expected: float
) -> None:
    settings = RateSettings(initial_rate=8.0, slow_start_factor=factor, slow_start_exit=exit_)
    control = AdaptiveRate(settings, now=0.0)
    control.rate = 7.5
    control.record_throttled(reserved_at=0.0, now=0.0)
    assert control.rate == pytest.approx(7.5 / factor * exit_) == pytest.approx(expected)


def test_a_throttle_never_goes_below_the_minimum_rate() -> None:
    control = AdaptiveRate(RateSettings(initial_rate=1.0, min_rate=0.9), now=0.0)
    control.record_throttled(reserved_at=0.0, now=0.0)
    assert control.rate == 0.9
    control.record_throttled(reserved_at=5.0, now=5.0)
    assert control.rate == 0.9


# --- AIMD ----------------------------------------------------------------------------------------


def after_first_throttle(**settings: float) -> AdaptiveRate:
    """A controller out of slow start at 10 requests/s, its last decrease at t=10."""
    values = {"initial_rate": 10.0, "slow_start_factor": 1.0, "slow_start_exit": 1.0, **settings}
    control = AdaptiveRate(RateSettings(**values), now=0.0)  # type: ignore[arg-type]
    assert control.record_throttled(reserved_at=10.0, now=10.0)
    assert control.rate == pytest.approx(10.0) and not control.slow_start
    return control


def succeed(control: AdaptiveRate, now: float, times: int) -> None:
    busy(control, now)
    for _ in range(times):
        control.record_success(now)


def test_each_later_throttle_multiplies_by_the_decrease_factor() -> None:
    control = after_first_throttle()
    assert control.record_throttled(reserved_at=10.0, now=11.0), "booked at the decrease"
    assert control.rate == pytest.approx(9.0)
    assert not control.record_throttled(reserved_at=10.999, now=11.5), "booked before it"
    assert control.rate == pytest.approx(9.0)
    assert control.record_throttled(reserved_at=11.0, now=12.0)
    assert control.rate == pytest.approx(8.1)


def test_after_a_decrease_the_next_slot_leaves_an_interval_of_quiet() -> None:
    control = after_first_throttle()
    assert control.reserve(10.0) == pytest.approx(10.1)
    control.record_throttled(reserved_at=10.0, now=20.0)  # the rate is now 9
    assert control.reserve(20.0) == pytest.approx(20.0 + 1 / 9)


def test_the_rate_grows_by_a_fraction_of_its_last_decrease_after_enough_successes() -> None:
    control = after_first_throttle(increase_fraction=0.01, increase_min_successes=20)
    succeed(control, 10.999, 25)
    assert control.rate == pytest.approx(10.0), "an interval after the decrease, not before"
    succeed(control, 12.0, 0)
    control.record_success(12.0)
    assert control.rate == pytest.approx(10.1), "26 successes, a busy interval: one step"
    succeed(control, 13.5, 18)
    assert control.rate == pytest.approx(10.1), "18 successes are not enough"
    control.record_success(13.5)
    assert control.rate == pytest.approx(10.1), "19"
    control.record_success(13.5)
    assert control.rate == pytest.approx(10.2), "20, and the step is still 1 % of 10"
    control.record_success(15.0)
    assert control.rate == pytest.approx(10.2), "the pacer has not waited since"


def test_the_first_step_after_the_decrease_needs_exactly_the_minimum_of_successes() -> None:
    control = after_first_throttle(increase_fraction=0.01, increase_min_successes=20)
    succeed(control, 11.0, 19)
    assert control.rate == pytest.approx(10.0)
    control.record_success(11.0)
    assert control.rate == pytest.approx(10.1)


def test_a_decrease_forgets_that_the_pacer_was_the_bottleneck() -> None:
    control = after_first_throttle(increase_min_successes=1)
    busy(control, 10.5)
    control.record_throttled(reserved_at=10.5, now=10.5)
    control.record_success(12.0)
    assert control.rate == pytest.approx(9.0), "no request has waited since the decrease"
    busy(control, 12.0)
    control.record_success(12.0)
    assert control.rate == pytest.approx(9.045)


def test_the_step_is_at_least_a_hundredth() -> None:
    control = after_first_throttle(increase_fraction=0.0001, increase_min_successes=1)
    succeed(control, 11.0, 1)
    assert control.rate == pytest.approx(10.01)


def test_the_step_is_a_fraction_of_the_rate_at_the_last_decrease() -> None:
    control = after_first_throttle(increase_fraction=0.1, increase_min_successes=1)
    succeed(control, 11.0, 1)
    succeed(control, 12.0, 1)
    assert control.rate == pytest.approx(12.0), "1 (10 % of 10) each time"
    control.record_throttled(reserved_at=12.0, now=12.0)
    assert control.rate == pytest.approx(10.8)
    succeed(control, 13.0, 1)
    assert control.rate == pytest.approx(10.8 + 1.08)


def test_growth_stops_at_the_maximum_rate_after_slow_start() -> None:
    control = after_first_throttle(max_rate=10.05, increase_min_successes=1)
    succeed(control, 11.0, 1)
    assert control.rate == 10.05


# --- the asyncio pacer -------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_pacer_needs_a_slot_at_least() -> None:
    with pytest.raises(ValueError, match=r"^max_concurrency must be at least 1$"):
        RequestPacer(RateSettings(), 0)
    assert RequestPacer(RateSettings(initial_rate=4.0), 1).rate == 4.0


def test_the_pacer_waits_for_each_slot_and_reports_outcomes() -> None:
    clock = Clock()
    pacer = RequestPacer(RateSettings(initial_rate=4.0), 2, clock=clock, sleep=clock.sleep)

    async def run() -> list[float]:
        reserved = []
        for _ in range(3):
            async with pacer.slot() as ticket:
                reserved.append(ticket.reserved_at)
        return reserved

    assert asyncio.run(run()) == [1000.0, 1000.0, 1000.25]
    assert clock.slept == pytest.approx([0.25, 0.25]), "no sleep for the first slot"


def test_tickets_feed_the_controller(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    pacer = RequestPacer(RateSettings(initial_rate=4.0), 1, clock=clock, sleep=clock.sleep)

    async def one(advance: float) -> None:
        async with pacer.slot() as ticket:
            clock.now += advance
            ticket.succeeded()

    async def throttled_one(advance: float) -> None:
        async with pacer.slot() as ticket:
            clock.now += advance
            ticket.throttled()

    asyncio.run(one(0.0))
    asyncio.run(one(0.5))  # waited for its slot; not yet an interval since the start
    assert pacer.rate == 4.0
    asyncio.run(one(1.0))  # waited again, and now a whole interval has passed: a step up
    assert pacer.rate == pytest.approx(6.0)
    with caplog.at_level(logging.INFO, logger="amsync.api"):
        asyncio.run(throttled_one(0.1))
    assert pacer.rate == pytest.approx(4.0 * 0.9)
    assert caplog.messages == ["throttled (429): slowing down to 3.6 requests/s"]
    caplog.clear()
    late = pacer.control.reserve(clock.now - 5.0)  # a request booked before the decrease
    with caplog.at_level(logging.INFO, logger="amsync.api"):
        assert not pacer.control.record_throttled(late - 10.0, clock.now)
    assert caplog.messages == []


def test_a_throttle_booked_before_the_decrease_is_not_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    pacer = RequestPacer(RateSettings(initial_rate=4.0), 2, clock=clock, sleep=clock.sleep)

    async def two_throttled() -> None:
        async with pacer.slot() as first, pacer.slot() as second:
            clock.now += 1.0
            first.throttled()
            second.throttled()  # booked before the first decrease: says nothing new

    with caplog.at_level(logging.INFO, logger="amsync.api"):
        asyncio.run(two_throttled())
    assert len(caplog.messages) == 1
    assert pacer.rate == pytest.approx(4.0 / 1.5 * 0.9)


def test_the_pacer_bounds_how_many_requests_are_in_flight() -> None:
    clock = Clock()
    pacer = RequestPacer(RateSettings(initial_rate=100.0), 2, clock=clock, sleep=clock.sleep)
    active = peak = 0

    async def one() -> None:
        nonlocal active, peak
        async with pacer.slot():
            active += 1
            peak = max(peak, active)
            for _ in range(3):
                await asyncio.sleep(0)
            active -= 1

    async def many() -> None:
        await asyncio.gather(*(one() for _ in range(6)))

    asyncio.run(many())
    assert peak == 2
