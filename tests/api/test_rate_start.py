"""Starting the adaptive rate where an earlier run ended (``LearnedRate``): the controller's
side. The rate memory file and the command line are tested in ``tests/cli/test_rate_memory.py``."""

from __future__ import annotations

import pytest
from api_fakes import FakeTime
from rate_simulation import simulate

from amsync.api.rate import AdaptiveRate, LearnedRate, RateSettings, RequestPacer


def _bottleneck_interval(control: AdaptiveRate, start: float, requests: int = 25) -> float:
    """``requests`` requests booked at ``start`` (the pacer makes them wait: it is the
    bottleneck) and answered one interval later; returns that time."""
    for _ in range(requests):
        control.reserve(start)
    done = start + control.settings.increase_interval_s + 0.01
    for _ in range(requests):
        control.record_success(done)
    return done


def test_without_a_start_the_rate_starts_cold() -> None:
    control = AdaptiveRate(RateSettings(), now=0.0)
    assert control.rate == 8.0 and control.slow_start and not control.on_probation


def test_a_limited_start_resumes_in_aimd_at_the_remembered_rate() -> None:
    control = AdaptiveRate(RateSettings(), now=0.0, start=LearnedRate(24.0, limited=True))
    assert control.rate == 24.0
    assert not control.slow_start and control.on_probation


def test_an_unlimited_start_keeps_probing_upwards_from_the_remembered_rate() -> None:
    control = AdaptiveRate(RateSettings(), now=0.0, start=LearnedRate(40.0, limited=False))
    assert control.rate == 40.0 and control.slow_start
    _bottleneck_interval(control, 0.0)
    assert control.rate == pytest.approx(60.0)  # ×1.5, as slow start does
    assert not control.on_probation


@pytest.mark.parametrize("limited", [True, False])
def test_the_first_429_before_the_start_rate_went_through_halves_it_at_once(
    limited: bool,
) -> None:
    control = AdaptiveRate(RateSettings(), now=0.0, start=LearnedRate(30.0, limited=limited))
    booked = control.reserve(0.0)
    assert control.record_throttled(reserved_at=booked, now=0.05)
    assert control.rate == pytest.approx(15.0)
    assert not control.on_probation
    # from then on the rules of a cold run: a 429 in slow start leaves it below the last step
    later = control.reserve(0.2)
    assert control.record_throttled(reserved_at=later, now=0.3)
    assert control.rate == pytest.approx(15.0 / 1.5 * 0.9)
    assert not control.slow_start


def test_after_halving_slow_start_climbs_back_to_one_aimd_step_below_the_stale_rate() -> None:
    control = AdaptiveRate(RateSettings(), now=0.0, start=LearnedRate(40.0, limited=True))
    assert control.record_throttled(reserved_at=control.reserve(0.0), now=0.05)
    climbed = [control.rate]
    now = 0.05
    for _ in range(4):
        now = _bottleneck_interval(control, now, requests=40)
        climbed.append(control.rate)
    # 20 → 30 → 36 (the ceiling: 40 × 0.9, where AIMD takes over) → +0.18 → +0.18
    assert climbed[:3] == [pytest.approx(20.0), pytest.approx(30.0), pytest.approx(36.0)]
    assert not control.slow_start
    assert climbed[3] == pytest.approx(36.0 + 0.005 * 36.0)


def test_a_429_after_the_start_rate_went_through_is_ordinary_aimd() -> None:
    control = AdaptiveRate(RateSettings(), now=0.0, start=LearnedRate(20.0, limited=True))
    done = _bottleneck_interval(control, 0.0)
    assert not control.on_probation
    raised = control.rate
    assert raised == pytest.approx(20.0 + 0.005 * 20.0)
    booked = control.reserve(done)
    assert control.record_throttled(reserved_at=booked, now=done + 0.1)
    assert control.rate == pytest.approx(raised * 0.9)


def test_a_start_outside_the_settings_bounds_is_clamped() -> None:
    settings = RateSettings(min_rate=1.0, max_rate=50.0)
    assert AdaptiveRate(settings, 0.0, start=LearnedRate(500.0, limited=False)).rate == 50.0
    assert AdaptiveRate(settings, 0.0, start=LearnedRate(0.2, limited=True)).rate == 1.0


def test_halving_never_goes_below_the_minimum_rate() -> None:
    settings = RateSettings(min_rate=1.0)
    control = AdaptiveRate(settings, 0.0, start=LearnedRate(1.5, limited=True))
    assert control.record_throttled(reserved_at=0.0, now=0.1)
    assert control.rate == 1.0


def test_a_learned_rate_must_be_a_positive_number() -> None:
    for bad in (0.0, -3.0, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            LearnedRate(bad, limited=True)
    with pytest.raises(ValueError):
        RateSettings(resume_backoff=1.0)


def test_a_run_too_short_to_test_the_rate_learns_nothing() -> None:
    control = AdaptiveRate(RateSettings(), now=0.0)
    for second in range(3):  # never waited for the pacer: the rate was not tested
        control.reserve(float(second))
        control.record_success(second + 0.1)
    assert control.learned() is None
    warm = AdaptiveRate(RateSettings(), 0.0, start=LearnedRate(30.0, limited=True))
    warm.record_success(0.1)
    assert warm.learned() is None  # the memory stays as it was


def test_a_short_warm_run_that_went_through_confirms_its_start() -> None:
    """Under a second of requests at the remembered rate, none throttled: too short to test
    the rate, yet it went through — the memory is confirmed (and stays young), not dropped."""
    warm = AdaptiveRate(RateSettings(), 0.0, start=LearnedRate(150.0, limited=False))
    for i in range(60):
        warm.reserve(i / 150)
        warm.record_success(i / 150 + 0.03)
    assert warm.learned() == LearnedRate(150.0, limited=False)


def test_slow_start_learns_the_rate_it_reached_without_a_limit() -> None:
    """(requests that went through kept pace with the pacer: its rate is what went through)"""
    control = AdaptiveRate(RateSettings(), now=0.0)
    done = _bottleneck_interval(control, 0.0)
    _bottleneck_interval(control, done)
    assert control.rate == pytest.approx(18.0)  # 8 → 12 → 18
    learned = control.learned()
    assert learned is not None and not learned.limited
    assert learned.rate == pytest.approx(18.0)


def test_without_a_limit_the_throughput_that_went_through_is_learned_not_the_pacer() -> None:
    """Latency held the run to about 10 requests/s; the pacer had climbed far above (it only
    ever held back the odd request): the next run starts two slow-start steps above 10, not
    at the pacer's ceiling."""
    control = AdaptiveRate(RateSettings(), now=0.0)
    now = 0.0
    for _ in range(12):  # twelve seconds of ten requests each, two of them booked at once
        for i in range(10):
            booked = now + i * 0.1
            control.reserve(booked)
            if i == 0:
                control.reserve(booked)  # a second request at once: the pacer holds it back
            control.record_success(booked + 0.05)
        now += 1.0
    assert control.rate >= 60.0, "slow start climbed"
    learned = control.learned()
    assert learned is not None and not learned.limited
    assert 9.0 * 2.25 <= learned.rate <= 12.0 * 2.25, "two slow-start steps above ~10/s"


def test_a_slow_run_never_remembers_less_than_the_cold_start() -> None:
    control = AdaptiveRate(RateSettings(), now=0.0)
    _bottleneck_interval(control, 0.0, requests=3)  # three requests in a second
    learned = control.learned()
    assert learned is not None and learned.rate == 8.0


def test_a_limited_run_learns_the_middle_of_the_saw_tooth() -> None:
    """AIMD met 429s at 30/s twice: it learns 28.5 (between 30 and 27), not the 27.2 it had
    crept back to when the run ended."""
    control = AdaptiveRate(RateSettings(), 0.0, start=LearnedRate(30.0, limited=True))
    now = _bottleneck_interval(control, 0.0)
    for _ in range(2):
        control.rate = 30.0  # (AIMD climbed back there)
        booked = control.reserve(now)
        assert control.record_throttled(reserved_at=booked, now=now + 0.1)
        now = _bottleneck_interval(control, now + 0.2)
    assert control.rate == pytest.approx(27.0 + 0.005 * 27.0)
    learned = control.learned()
    assert learned is not None and learned.limited
    assert learned.rate == pytest.approx(28.5)


def test_after_a_429_the_rate_aimd_holds_is_learned_as_limited() -> None:
    control = AdaptiveRate(RateSettings(), now=0.0)
    done = _bottleneck_interval(control, 0.0)
    booked = control.reserve(done)
    assert control.record_throttled(reserved_at=booked, now=done + 0.1)
    learned = control.learned()
    assert learned is not None and learned.limited
    assert learned.rate == pytest.approx(control.rate)


def test_a_warm_start_reaches_a_token_bucket_at_once_where_a_cold_start_climbs() -> None:
    """The same 600 requests against a 20/s bucket: cold, then warm from what cold learned."""
    cold = simulate(RateSettings(), limit=20.0, capacity=5.0, successes=600)
    assert cold.learned is not None and cold.learned.limited
    warm = simulate(RateSettings(), limit=20.0, capacity=5.0, successes=600, start=cold.learned)
    physical = 600 / 20.0
    assert warm.elapsed_s < cold.elapsed_s
    assert warm.elapsed_s <= 1.05 * physical
    assert warm.throttled_share() <= 0.02
    assert warm.learned is not None and 15.0 <= warm.learned.rate <= 24.0


def test_a_stale_memory_far_above_the_limit_comes_down_within_seconds() -> None:
    """Another client now shares the token: the remembered 60/s meets a 10/s limit."""
    result = simulate(
        RateSettings(),
        limit=10.0,
        capacity=3.0,
        successes=400,
        start=LearnedRate(60.0, limited=True),
    )
    assert result.throughput() >= 0.9 * 10.0
    assert result.throttled_share() <= 0.08
    assert result.final_rate <= 12.0


@pytest.mark.parametrize(("remembered", "limit"), [(25.0, 20.0), (12.0, 10.0)])
def test_a_memory_a_little_above_the_limit_is_no_worse_than_a_cold_start(
    remembered: float, limit: float
) -> None:
    start = LearnedRate(remembered, limited=True)
    warm = simulate(RateSettings(), limit=limit, capacity=limit / 4, successes=400, start=start)
    cold = simulate(RateSettings(), limit=limit, capacity=limit / 4, successes=400)
    assert warm.throughput() >= 0.97 * cold.throughput()
    assert warm.throttled_share() <= 0.02


@pytest.mark.anyio
async def test_the_pacer_spaces_requests_at_the_start_rate_from_the_first_request() -> None:
    fake = FakeTime()
    pacer = RequestPacer(
        RateSettings(), 4, clock=fake.clock, sleep=fake.sleep, start=LearnedRate(40.0, True)
    )
    starts: list[float] = []
    for _ in range(9):
        async with pacer.slot() as ticket:
            starts.append(fake.now)
            ticket.succeeded()
    assert starts[-1] - starts[0] == pytest.approx(8 / 40.0)  # not 8 / 8 requests/s


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_intervals_count_from_the_first_request_not_from_the_set_up() -> None:
    """A client made seconds before its first request (the lock, the database) must not take
    that time for an interval the remembered rate went through."""
    fake = FakeTime()
    pacer = RequestPacer(
        RateSettings(), 4, clock=fake.clock, sleep=fake.sleep, start=LearnedRate(40.0, False)
    )
    fake.now += 5.0
    for _ in range(3):
        async with pacer.slot() as ticket:
            ticket.succeeded()
    assert pacer.rate == 40.0 and pacer.control.on_probation
    async with pacer.slot() as ticket:
        ticket.throttled()
    assert pacer.rate == 20.0, "still on probation: halved"


def test_a_learned_rate_and_the_resume_backoff_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match=r"^a learned rate must be a positive number$"):
        LearnedRate(0.0, limited=False)
    for bad in (0.0, 1.0):
        with pytest.raises(ValueError, match=r"^resume_backoff must be between 0 and 1$"):
            RateSettings(resume_backoff=bad)


@pytest.mark.parametrize(("successes", "confirmed"), [(19, False), (20, True)])
def test_a_warm_run_confirms_its_start_from_increase_min_successes_requests_on(
    successes: int, confirmed: bool
) -> None:
    settings = RateSettings()
    assert settings.increase_min_successes == 20
    warm = AdaptiveRate(settings, 0.0, start=LearnedRate(150.0, limited=True))
    for i in range(successes):
        warm.record_success(i / 150)
    expected = LearnedRate(150.0, limited=True) if confirmed else None
    assert warm.learned() == expected


def test_a_429_that_ends_a_cold_slow_start_is_learned_as_limited_at_once() -> None:
    control = AdaptiveRate(RateSettings(initial_rate=1.0), now=0.0)
    booked = control.reserve(0.0)
    assert control.record_throttled(reserved_at=booked, now=0.1)
    rate = 1.0 / 1.5 * 0.9  # below the slow start's last step (0.6): no saw-tooth top yet
    assert control.rate == pytest.approx(rate)
    learned = control.learned()
    assert learned is not None and learned.limited
    assert learned.rate == pytest.approx(rate)


def test_a_stale_start_halved_by_a_429_is_learned_as_limited_during_its_slow_start() -> None:
    control = AdaptiveRate(RateSettings(), now=0.0, start=LearnedRate(30.0, limited=True))
    assert control.record_throttled(reserved_at=control.reserve(0.0), now=0.05)
    assert control.slow_start and control.on_probation is False
    assert control.learned() == LearnedRate(15.0, limited=True)


def test_a_limited_start_that_met_no_429_learns_its_own_aimd_rate() -> None:
    control = AdaptiveRate(RateSettings(), now=0.0, start=LearnedRate(0.6, limited=True))
    _bottleneck_interval(control, 0.0)
    assert control.on_probation is False
    assert control.rate == pytest.approx(0.61)  # + the smallest AIMD step
    learned = control.learned()
    assert learned is not None and learned.limited
    assert learned.rate == pytest.approx(0.61)


def test_on_probation_is_a_plain_boolean() -> None:
    assert AdaptiveRate(RateSettings(), now=0.0).on_probation is False
    warm = AdaptiveRate(RateSettings(), now=0.0, start=LearnedRate(30.0, limited=False))
    assert warm.on_probation is True
    _bottleneck_interval(warm, 0.0)
    assert warm.on_probation is False


@pytest.mark.anyio
async def test_the_pacer_holds_the_start_rate_before_its_first_request() -> None:
    fake = FakeTime()
    pacer = RequestPacer(
        RateSettings(), 4, clock=fake.clock, sleep=fake.sleep, start=LearnedRate(40.0, True)
    )
    assert pacer.rate == 40.0
    assert pacer.control.on_probation and not pacer.control.slow_start


def _ahead_of_the_server(now: float) -> AdaptiveRate:
    """A remembered rate far above what went through: the pacer books 200 requests at once."""
    control = AdaptiveRate(
        RateSettings(initial_rate=1.0, min_rate=0.5), now, start=LearnedRate(100.0, False)
    )
    for _ in range(200):
        control.reserve(now)
    return control


def test_the_throughput_learned_is_the_best_whole_second_of_successes() -> None:
    """Successes per window of one interval, from the window's start: (successes) ÷ (its
    length); a success exactly one interval on closes the window (and counts in it)."""
    control = _ahead_of_the_server(10.0)
    control.record_success(10.5)
    control.record_success(11.0)  # window [10, 11]: 2 successes in 1 s
    assert control.rate == 150.0 and control.slow_start  # the pacer's rate went up meanwhile
    assert control.learned() == LearnedRate(2.0 * 1.5**2, limited=False)
    for t in (11.2, 11.4, 11.6, 11.8, 12.0):  # window [11, 12]: 5 successes in 1 s
        control.record_success(t)
    assert control.learned() == LearnedRate(5.0 * 1.5**2, limited=False)


def test_a_throughput_below_one_request_a_second_is_learned_as_such() -> None:
    control = _ahead_of_the_server(10.0)
    control.record_success(12.0)  # one success in a window of 2 s
    assert control.learned() == LearnedRate(0.5 * 1.5**2, limited=False)


def test_slow_start_after_a_stale_start_stops_exactly_at_its_ceiling() -> None:
    settings = RateSettings(decrease_factor=0.75, resume_backoff=0.5)
    control = AdaptiveRate(settings, now=0.0, start=LearnedRate(32.0, limited=True))
    assert control.record_throttled(reserved_at=control.reserve(0.0), now=0.0)
    assert control.rate == 16.0 and control.slow_start  # ceiling: 32 × 0.75 = 24
    _bottleneck_interval(control, 0.0)
    assert control.rate == 24.0  # 16 × 1.5 reaches the ceiling exactly: AIMD from here
    assert not control.slow_start
