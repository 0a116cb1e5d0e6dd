"""The qualifying rule (``amsync.listens.qualifying.not_a_listen``), table-driven: every row
is a play (time played, track length, end reason, ``--min-listen``) and what the rule says."""

from __future__ import annotations

import pytest

from amsync.listens.qualifying import (
    ENOUGH_MS,
    LENGTH_UNKNOWN,
    MIN_PLAY_MS,
    NATURAL_END,
    NOTHING_PLAYED,
    TIME_UNKNOWN,
    TOO_SHORT,
    TRACK_TOO_SHORT,
    TRACK_UNDER_MINIMUM,
    UNDER_HALF,
    UNDER_MINIMUM,
    not_a_listen,
)

SKIP = "TRACK_SKIPPED_FORWARDS"
NATURAL = "NATURAL_END_OF_TRACK"

# (play_ms, duration_ms, end_reason, min_listen_s, expected)
RULE = [
    # the scrobbling rule: at least 30 s, and half the track or 4 minutes
    (30_000, 60_000, SKIP, None, None),  # exactly 30 s, exactly half
    (29_999, 40_000, NATURAL, None, TOO_SHORT),  # under 30 s, even played to the end
    (29_999, None, SKIP, None, TOO_SHORT),
    (30_000, 60_001, SKIP, None, UNDER_HALF),  # a millisecond under half
    (30_001, 60_001, SKIP, None, None),
    (100_000, 200_000, SKIP, None, None),  # exactly half
    (99_999, 200_000, SKIP, None, UNDER_HALF),
    (239_999, 600_000, SKIP, None, UNDER_HALF),  # just under 4 minutes of a long track
    (240_000, 600_000, SKIP, None, None),  # 4 minutes is enough
    (240_000, None, SKIP, None, None),  # 4 minutes, even of a track of unknown length
    (239_999, None, SKIP, None, LENGTH_UNKNOWN),
    (60_000, 0, NATURAL, None, LENGTH_UNKNOWN),  # a length of 0 is no length
    (60_000, -5, NATURAL, None, LENGTH_UNKNOWN),
    (60_000, 1, SKIP, None, None),  # a length of 1 ms is a length
    (None, 1, NATURAL, None, TRACK_TOO_SHORT),
    (1, 1, NATURAL, None, TOO_SHORT),
    (0, 200_000, "FAILED_TO_LOAD", None, NOTHING_PLAYED),
    (-10, 200_000, SKIP, None, NOTHING_PLAYED),
    (500_000, 200_000, NATURAL, None, None),  # played longer than the track (repeats)
    # no time played recorded: a natural end is the whole track
    (None, 200_000, NATURAL, None, None),
    (None, 200_000, "natural_end_of_track", None, None),  # case and spaces don't matter
    (None, 200_000, " NATURAL_END_OF_TRACK ", None, None),
    (None, None, NATURAL, None, None),
    (None, 30_000, NATURAL, None, None),  # a 30 s track counts
    (None, 29_999, NATURAL, None, TRACK_TOO_SHORT),
    (None, 0, NATURAL, None, None),  # an unknown length does not make it short
    (None, 200_000, SKIP, None, TIME_UNKNOWN),
    (None, 200_000, None, None, TIME_UNKNOWN),
    (None, 200_000, "", None, TIME_UNKNOWN),
    # --min-listen replaces the rule
    (10_000, 600_000, SKIP, 10, None),
    (9_999, 600_000, SKIP, 10, UNDER_MINIMUM),
    (10_000, None, SKIP, 10, None),  # no length needed
    (29_000, 600_000, SKIP, 20.5, None),
    (20_499, 600_000, SKIP, 20.5, UNDER_MINIMUM),
    (1, 600_000, SKIP, 0, None),  # --min-listen 0: anything played
    (0, 600_000, SKIP, 0, NOTHING_PLAYED),
    (-1, 600_000, SKIP, 0, NOTHING_PLAYED),
    (None, 9_999, NATURAL, 10, TRACK_UNDER_MINIMUM),
    (None, 10_000, NATURAL, 10, None),
    (None, None, NATURAL, 10, None),
    (None, 0, NATURAL, 10, None),
    (None, 1, NATURAL, 10, TRACK_UNDER_MINIMUM),
    (None, 600_000, SKIP, 10, TIME_UNKNOWN),
    (300_000, 600_000, SKIP, 400, UNDER_MINIMUM),  # stricter than the rule, too
]


@pytest.mark.parametrize(("play_ms", "duration_ms", "reason", "minimum", "expected"), RULE)
def test_the_rule(
    play_ms: int | None,
    duration_ms: int | None,
    reason: str | None,
    minimum: float | None,
    expected: str | None,
) -> None:
    assert not_a_listen(play_ms, duration_ms, reason, minimum) == expected


def test_the_thresholds_are_the_documented_ones() -> None:
    assert (MIN_PLAY_MS, ENOUGH_MS, NATURAL_END) == (30_000, 240_000, NATURAL)


def test_min_listen_defaults_to_the_rule() -> None:
    assert not_a_listen(20_000, 30_000, SKIP) == TOO_SHORT
    assert not_a_listen(20_000, 30_000, SKIP, None) == TOO_SHORT


def test_reasons_are_distinct_phrases() -> None:
    reasons = [
        TOO_SHORT,
        UNDER_HALF,
        LENGTH_UNKNOWN,
        TIME_UNKNOWN,
        TRACK_TOO_SHORT,
        NOTHING_PLAYED,
        UNDER_MINIMUM,
        TRACK_UNDER_MINIMUM,
    ]
    assert len(set(reasons)) == len(reasons)
    assert all(isinstance(r, str) and r for r in reasons)


def test_reasons_read_as_documented() -> None:
    """The phrases the push report groups skipped plays by (docs/how-to/listens-out.md)."""
    assert not_a_listen(0, 1, SKIP) == "nothing played"
    assert not_a_listen(1_000, None, SKIP) == "played under 30 s"
    assert not_a_listen(40_000, 100_000, SKIP) == "played under half the track and under 4 minutes"
    assert not_a_listen(40_000, None, SKIP) == (
        "played under 4 minutes of a track of unknown length"
    )
    assert not_a_listen(None, None, SKIP) == "time played unknown and not played to the end"
    assert not_a_listen(None, 1_000, NATURAL) == "track shorter than 30 s"
    assert not_a_listen(1_000, None, SKIP, 2) == "played under --min-listen"
    assert not_a_listen(None, 1_000, NATURAL, 2) == "track shorter than --min-listen"
