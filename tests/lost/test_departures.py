"""Which tracks left a playlist between two revisions, table-driven."""

from __future__ import annotations

import pytest

from amsync.lost.departures import Track, departures


def tracks(*specs: str) -> list[Track]:
    """``"i.a:100"`` → a song with library id i.a and catalog id 100 (``-`` for none; a
    trailing ``!`` makes it a music video)."""
    found = []
    for position, spec in enumerate(specs):
        video = spec.endswith("!")
        library_id, _, catalog = spec.rstrip("!").partition(":")
        kind = "music-video" if video else "song"
        found.append(Track(position, library_id, None if catalog in ("", "-") else catalog, kind))
    return found


def positions(found: list[Track]) -> list[tuple[int, str]]:
    return [(t.position, t.library_id) for t in found]


CASES = {
    "nothing changed": (("i.a:1", "i.b:2"), ("i.a:1", "i.b:2"), [], []),
    "one left": (("i.a:1", "i.b:2", "i.c:3"), ("i.a:1", "i.c:3"), [(1, "i.b")], []),
    "reordered is not a loss": (("i.a:1", "i.b:2"), ("i.b:2", "i.a:1"), [], []),
    "one arrived": (("i.a:1",), ("i.a:1", "i.n:9"), [], [(1, "i.n")]),
    "twice, both left": (
        ("i.a:1", "i.b:2", "i.a:1"),
        ("i.b:2",),
        [(0, "i.a"), (2, "i.a")],
        [],
    ),
    "twice, the later left": (("i.a:1", "i.b:2", "i.a:1"), ("i.a:1", "i.b:2"), [(2, "i.a")], []),
    "added again under a new library id": (("i.a:1", "i.b:2"), ("i.z:1", "i.b:2"), [], []),
    "a new id for another song": (("i.a:1",), ("i.z:5",), [(0, "i.a")], [(0, "i.z")]),
    "no catalog ids: library ids decide": (
        ("i.a:-", "i.b:-"),
        ("i.c:-",),
        [(0, "i.a"), (1, "i.b")],
        [(0, "i.c")],
    ),
    "a catalog id pairs once": (
        ("i.a:1", "i.b:1"),
        ("i.z:1",),
        [(1, "i.b")],
        [],
    ),
    "without catalog ids, the same library id stays": (("i.a:-",), ("i.a:-",), [], []),
    "twice, both stay": (("i.a:1", "i.a:1"), ("i.a:1", "i.a:1"), [], []),
    "one more copy arrived": (("i.a:1",), ("i.a:1", "i.a:1"), [], [(1, "i.a")]),
    "twice, then three times": (("i.a:-", "i.a:-"), ("i.a:-", "i.a:-", "i.a:-"), [], [(2, "i.a")]),
    "music videos do not count": (("i.v:8!", "i.a:1"), ("i.a:1",), [], []),
    "an arriving video does not count": (("i.a:1",), ("i.a:1", "i.v:8!"), [], []),
    "emptied": (("i.a:1", "i.b:2"), (), [(0, "i.a"), (1, "i.b")], []),
}


@pytest.mark.parametrize(("old", "new", "gone", "came"), CASES.values(), ids=CASES.keys())
def test_departures(
    old: tuple[str, ...],
    new: tuple[str, ...],
    gone: list[tuple[int, str]],
    came: list[tuple[int, str]],
) -> None:
    left, arrived = departures(tracks(*old), tracks(*new))
    assert positions(left) == gone
    assert positions(arrived) == came
