"""The pure push planner (``amsync.servers.plan``), table by table: every action, every
condition that picks it, and the writes each step costs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from amsync.domain.media_server import ServerPlaylist
from amsync.servers.plan import (
    Action,
    RatingPlan,
    Remembered,
    StarPlan,
    Step,
    Wanted,
    adoptions,
    duplicate_names,
    fingerprint,
    plan_playlists,
    plan_ratings,
    plan_stars,
    ratings_to_read,
    settle,
    tracks_to_read,
)

A, B, C = "s1", "s2", "s3"


def sp(pid: str, name: str, count: int = 0, created: str | None = None) -> ServerPlaylist:
    return ServerPlaylist(pid, name, "me", count, None, created)


def made(library_id: str, server_id: str, name: str, songs: Sequence[str]) -> Remembered:
    return Remembered(library_id, server_id, name, fingerprint(songs))


# --- fingerprint ------------------------------------------------------------------------------


def test_fingerprint_is_order_and_duplicate_sensitive() -> None:
    assert fingerprint([A, B]) != fingerprint([B, A])
    assert fingerprint([A, A]) != fingerprint([A])
    assert fingerprint(["ab", "c"]) != fingerprint(["a", "bc"])
    assert fingerprint([A, B]) == fingerprint((A, B))
    assert len(fingerprint([])) == 32


# --- playlists: one wanted playlist against every state of the server ------------------------

PLAYLIST_CASES = {
    "nothing made yet: create": (
        None,
        {},
        {},
        Step(Action.CREATE, "p1", None, "Mix", (A, B), True),
    ),
    "a pending create not adopted: create again": (
        Remembered("p1", None, "Mix", None, True),
        {},
        {},
        Step(Action.CREATE, "p1", None, "Mix", (A, B), True),
    ),
    "a pending create that has an id: create again": (
        Remembered("p1", "9", "Mix", fingerprint([A, B]), True),
        {"9": sp("9", "Mix", 2)},
        {},
        Step(Action.CREATE, "p1", None, "Mix", (A, B), True),
    ),
    "made, but deleted on the server: recreate": (
        made("p1", "9", "Mix", [A, B]),
        {},
        {},
        Step(Action.RECREATE, "p1", None, "Mix", (A, B), True),
    ),
    "made and the same: unchanged": (
        made("p1", "9", "Mix", [A, B]),
        {"9": sp("9", "Mix", 2)},
        {},
        Step(Action.UNCHANGED, "p1", "9", "Mix"),
    ),
    "tracks read and the same: unchanged": (
        made("p1", "9", "Mix", [A]),
        {"9": sp("9", "Mix", 2)},
        {"9": [A, B]},
        Step(Action.UNCHANGED, "p1", "9", "Mix"),
    ),
    "tracks in another order: update": (
        made("p1", "9", "Mix", [B, A]),
        {"9": sp("9", "Mix", 2)},
        {"9": [B, A]},
        Step(Action.UPDATE, "p1", "9", "Mix", (A, B)),
    ),
    "a duplicate lost on the server: update": (
        made("p1", "9", "Mix", [A, B]),
        {"9": sp("9", "Mix", 1)},
        {"9": [A]},
        Step(Action.UPDATE, "p1", "9", "Mix", (A, B)),
    ),
    "renamed on the server (or in Apple Music): rename": (
        made("p1", "9", "Old", [A, B]),
        {"9": sp("9", "Old", 2)},
        {},
        Step(Action.RENAME, "p1", "9", "Mix", None, True),
    ),
    "renamed and tracks changed: update with rename": (
        made("p1", "9", "Old", [A]),
        {"9": sp("9", "Old", 1)},
        {"9": [A]},
        Step(Action.UPDATE, "p1", "9", "Mix", (A, B), True),
    ),
}


@pytest.mark.parametrize(
    ("row", "server", "current", "expected"),
    PLAYLIST_CASES.values(),
    ids=PLAYLIST_CASES.keys(),
)
def test_one_wanted_playlist(
    row: Remembered | None,
    server: Mapping[str, ServerPlaylist],
    current: Mapping[str, Sequence[str]],
    expected: Step,
) -> None:
    remembered = {row.library_id: row} if row else {}
    steps = plan_playlists(
        [Wanted("p1", "Mix", (A, B))], remembered, server, current, apple_live={"p1"}
    )
    assert steps == [expected]


# --- playlists amsync made for Apple playlists that are gone ---------------------------------

GONE_CASES = {
    "kept without --prune": (
        False,
        {"9": sp("9", "Old")},
        made("gone", "9", "Old", []),
        Step(Action.ORPHANED, "gone", "9", "Old"),
    ),
    "deleted with --prune": (
        True,
        {"9": sp("9", "Old name on server")},
        made("gone", "9", "Old", []),
        Step(Action.DELETE, "gone", "9", "Old name on server"),
    ),
    "gone from the server too: forget": (
        True,
        {},
        made("gone", "9", "Old", []),
        Step(Action.FORGET, "gone", "9", "Old"),
    ),
    "a pending create: forget, never delete": (
        True,
        {"9": sp("9", "Old")},
        Remembered("gone", None, "Old", None, True),
        Step(Action.FORGET, "gone", None, "Old"),
    ),
    "a pending record with an id is not deleted": (
        True,
        {"9": sp("9", "Old")},
        Remembered("gone", "9", "Old", None, True),
        Step(Action.FORGET, "gone", "9", "Old"),
    ),
}


@pytest.mark.parametrize(
    ("prune", "server", "row", "expected"), GONE_CASES.values(), ids=GONE_CASES.keys()
)
def test_gone_apple_playlists(
    prune: bool, server: Mapping[str, ServerPlaylist], row: Remembered, expected: Step
) -> None:
    steps = plan_playlists([], {row.library_id: row}, server, {}, apple_live=set(), prune=prune)
    assert steps == [expected]


def test_a_live_apple_playlist_not_chosen_is_left_alone() -> None:
    row = made("other", "9", "Other", [A])
    steps = plan_playlists(
        [], {"other": row}, {"9": sp("9", "Other", 1)}, {}, apple_live={"other"}, prune=True
    )
    assert steps == []


def test_every_gone_record_is_seen_whatever_comes_before_it() -> None:
    remembered = {
        "p1": made("p1", "8", "Mix", []),
        "x": made("x", "7", "X", []),
        "gone": made("gone", "9", "Old", []),
    }
    server = {"8": sp("8", "Mix"), "7": sp("7", "X"), "9": sp("9", "Old")}
    steps = plan_playlists([Wanted("p1", "Mix", ())], remembered, server, {}, apple_live={"x"})
    assert [(s.library_id, s.action) for s in steps] == [
        ("p1", Action.UNCHANGED),
        ("gone", Action.ORPHANED),
    ]


def test_wanted_steps_keep_their_order_and_come_before_the_gone_ones() -> None:
    wanted = [Wanted("b", "B", ()), Wanted("a", "A", ())]
    remembered = {"z": made("z", "9", "Z", [])}
    steps = plan_playlists(wanted, remembered, {"9": sp("9", "Z")}, {}, apple_live={"a", "b"})
    assert [(s.library_id, s.action) for s in steps] == [
        ("b", Action.CREATE),
        ("a", Action.CREATE),
        ("z", Action.ORPHANED),
    ]


def test_an_adopted_playlist_is_marked() -> None:
    row = Remembered("p1", "9", "Mix", None)
    steps = plan_playlists(
        [Wanted("p1", "Mix", (A,))],
        {"p1": row},
        {"9": sp("9", "Mix", 1)},
        {"9": [A]},
        apple_live={"p1"},
        adopted={"p1"},
    )
    assert steps == [Step(Action.UNCHANGED, "p1", "9", "Mix", None, False, True)]
    updated = plan_playlists(
        [Wanted("p1", "Mix", (A,))],
        {"p1": row},
        {"9": sp("9", "Mix", 0)},
        {"9": []},
        apple_live={"p1"},
        adopted={"p1"},
    )
    assert updated == [Step(Action.UPDATE, "p1", "9", "Mix", (A,), False, True)]


# --- writes per step ------------------------------------------------------------------------

WRITES = {
    "create": (Step(Action.CREATE, "p", None, "N", ()), 2),
    "recreate": (Step(Action.RECREATE, "p", None, "N", ()), 2),
    "update": (Step(Action.UPDATE, "p", "9", "N", ()), 1),
    "update and rename": (Step(Action.UPDATE, "p", "9", "N", (), True), 2),
    "rename": (Step(Action.RENAME, "p", "9", "N", None, True), 1),
    "delete": (Step(Action.DELETE, "p", "9", "N"), 1),
    "unchanged": (Step(Action.UNCHANGED, "p", "9", "N"), 0),
    "orphaned": (Step(Action.ORPHANED, "p", "9", "N"), 0),
    "forget": (Step(Action.FORGET, "p", "9", "N"), 0),
}


@pytest.mark.parametrize(("step", "writes"), WRITES.values(), ids=WRITES.keys())
def test_writes_per_step(step: Step, writes: int) -> None:
    assert step.writes == writes


# --- which track lists are read ----------------------------------------------------------------

READ_CASES = {
    "recorded and counted alike: not read": (made("p", "9", "N", [A, B]), sp("9", "N", 2), []),
    "the server's count differs: read": (made("p", "9", "N", [A, B]), sp("9", "N", 1), ["9"]),
    "the wanted list changed: read": (made("p", "9", "N", [A, C]), sp("9", "N", 2), ["9"]),
    "no fingerprint (adopted): read": (Remembered("p", "9", "N", None), sp("9", "N", 2), ["9"]),
    "pending: not read": (Remembered("p", None, "N", None, True), sp("9", "N", 2), []),
    "gone from the server: not read": (made("p", "8", "N", []), sp("9", "N", 2), []),
}


@pytest.mark.parametrize(
    ("row", "playlist", "expected"), READ_CASES.values(), ids=READ_CASES.keys()
)
def test_tracks_to_read(row: Remembered, playlist: ServerPlaylist, expected: list[str]) -> None:
    wanted = [Wanted("new", "New", (A,)), Wanted("p", "N", (A, B))]
    assert tracks_to_read(wanted, {"p": row}, {playlist.id: playlist}) == expected


# --- adoption of pending creates -------------------------------------------------------------


def test_adoption_takes_the_new_playlist_of_that_name() -> None:
    rows = [Remembered("p1", None, "Mix", None, True, frozenset({"1"}))]
    server = {"1": sp("1", "Mix"), "2": sp("2", "Mix"), "3": sp("3", "Other")}
    assert adoptions(rows, server) == {"p1": "2"}


@pytest.mark.parametrize(
    ("rows", "server", "expected"),
    [
        pytest.param(
            [Remembered("p1", None, "Mix", None, True, frozenset({"1"}))],
            {"1": sp("1", "Mix")},
            {},
            id="only known ids: none",
        ),
        pytest.param(
            [Remembered("p1", None, "Mix", None, True), Remembered("p2", "2", "Mix", "f")],
            {"2": sp("2", "Mix")},
            {},
            id="owned by another record: none",
        ),
        pytest.param(
            [Remembered("p1", "5", "Mix", "f")],
            {"6": sp("6", "Mix")},
            {},
            id="not pending: nothing to adopt",
        ),
        pytest.param(
            [Remembered("a", None, "Mix", None, True), Remembered("b", None, "Mix", None, True)],
            {"7": sp("7", "Mix", created="2"), "6": sp("6", "Mix", created="1")},
            {"a": "6", "b": "7"},
            id="two pending, oldest first, each once",
        ),
        pytest.param(
            [Remembered("a", None, "Mix", None, True)],
            {"7": sp("7", "Mix", created="1"), "6": sp("6", "Mix", created="1")},
            {"a": "6"},
            id="same time: lowest id",
        ),
        pytest.param(
            [Remembered("a", None, "Mix", None, True)],
            {"6": sp("6", "Mix", created="2"), "7": sp("7", "Mix", created="1")},
            {"a": "7"},
            id="the oldest, not the lowest id",
        ),
        pytest.param(
            [Remembered("a", None, "Mix", None, True)],
            {"6": sp("6", "Mix", created="1"), "7": sp("7", "Mix")},
            {"a": "7"},
            id="no time: first",
        ),
        pytest.param(
            [Remembered("m", "5", "Mix", "f"), Remembered("a", None, "Mix", None, True)],
            {"5": sp("5", "Mix"), "6": sp("6", "Mix")},
            {"a": "6"},
            id="after a made record",
        ),
        pytest.param(
            [Remembered("a", "7", "Mix", None, True), Remembered("b", None, "Mix", None, True)],
            {"7": sp("7", "Mix", created="1")},
            {"a": "7"},
            id="a pending record's id is not owned",
        ),
    ],
)
def test_adoption_cases(
    rows: list[Remembered], server: dict[str, ServerPlaylist], expected: dict[str, str]
) -> None:
    assert adoptions(rows, server) == expected


def test_settle_turns_adopted_records_into_made_ones_without_a_fingerprint() -> None:
    rows = {
        "a": Remembered("a", None, "Mix", "x", True, frozenset({"1"})),
        "b": made("b", "3", "B", [A]),
    }
    settled = settle(rows, {"a": "6"})
    assert settled["a"] == Remembered("a", "6", "Mix", None, False)
    assert settled["b"] == rows["b"]
    assert rows["a"].pending  # the input is not changed


def test_duplicate_names() -> None:
    wanted = [Wanted("a", "X", ()), Wanted("b", "Y", ()), Wanted("c", "X", ())]
    assert duplicate_names(wanted) == {"X": 2}
    assert duplicate_names(wanted[:2]) == {}


# --- stars -------------------------------------------------------------------------------------

STAR_CASES = {
    "new favourite: star": ({A}, set(), set(), StarPlan((A,), (), (), ())),
    "already amsync's: nothing": ({A}, {A}, {A}, StarPlan((), (), (), ())),
    "starred by you already: left alone, not taken": ({A}, {A}, set(), StarPlan((), (), (), (A,))),
    "unstarred by you, still wanted: star again": ({A}, set(), {A}, StarPlan((A,), (), (), ())),
    "no longer favourite: unstar amsync's": (set(), {A}, {A}, StarPlan((), (A,), (A,), ())),
    "no longer favourite, unstarred already: forget": (
        set(),
        set(),
        {A},
        StarPlan((), (), (A,), ()),
    ),
    "not amsync's, not wanted: never unstarred": (set(), {A}, set(), StarPlan((), (), (), ())),
    "sorted": ({C, A}, {B}, {B}, StarPlan((A, C), (B,), (B,), ())),
}


@pytest.mark.parametrize(
    ("wanted", "starred", "ours", "expected"), STAR_CASES.values(), ids=STAR_CASES.keys()
)
def test_plan_stars(
    wanted: set[str], starred: set[str], ours: set[str], expected: StarPlan
) -> None:
    plan = plan_stars(wanted, starred, ours)
    assert plan == expected
    assert plan.changes == len(expected.star) + len(expected.unstar)


# --- ratings -----------------------------------------------------------------------------------

RATING_CASES = {
    "new dislike, unrated: rate 1": ({A}, set(), {A: None}, RatingPlan((A,), (), (), ())),
    "new dislike, rated by you: left alone": ({A}, set(), {A: 4}, RatingPlan((), (), (), (A,))),
    "new dislike, already 1: nothing": ({A}, set(), {A: 1}, RatingPlan((), (), (), ())),
    "amsync's 1, still disliked: nothing": ({A}, {A}, {}, RatingPlan((), (), (), ())),
    "no longer disliked, still amsync's 1: clear": (
        set(),
        {A},
        {A: 1},
        RatingPlan((), (A,), (A,), ()),
    ),
    "no longer disliked, you changed it: forget only": (
        set(),
        {A},
        {A: 3},
        RatingPlan((), (), (A,), ()),
    ),
    "no longer disliked, unrated already: forget": (
        set(),
        {A},
        {A: None},
        RatingPlan((), (), (A,), ()),
    ),
}


@pytest.mark.parametrize(
    ("wanted", "ours", "current", "expected"), RATING_CASES.values(), ids=RATING_CASES.keys()
)
def test_plan_ratings(
    wanted: set[str], ours: set[str], current: dict[str, int | None], expected: RatingPlan
) -> None:
    plan = plan_ratings(wanted, ours, current)
    assert plan == expected
    assert plan.changes == len(expected.rate) + len(expected.clear)


def test_ratings_to_read_are_the_changes_only() -> None:
    assert ratings_to_read({A, B}, {B, C}) == [A, C]
    assert ratings_to_read({A}, {A}) == []
