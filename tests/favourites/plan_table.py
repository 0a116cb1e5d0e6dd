"""The three-way favourites table — every (base, local, remote), with the action and the state
it leaves for each ``prefer`` — shared by the plan's unit tests and the push through a store."""

from __future__ import annotations

import itertools

from amsync.domain import FavouriteState, ItemType
from amsync.favourites.plan import FavouriteRow, Prefer
from tests.favourites.fakes import PREFIX

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

Expected = dict[Prefer, tuple[str, bool, str]]


def _parse(text: str) -> list[tuple[str, Expected]]:
    """The table's rows in the order of every (base, local, remote): a missing, repeated or
    unknown row is an error here, so no combination can go untested."""
    parsed: dict[str, Expected] = {}
    for line in text.strip().splitlines():
        states, remote_side, local_side = (part.split() for part in line.split("|"))
        key = "".join(states)
        if key in parsed:
            raise ValueError(f"the favourites table repeats {key}")
        expected = {}
        for prefer, (action, result) in ((Prefer.REMOTE, remote_side), (Prefer.LOCAL, local_side)):
            expected[prefer] = (action.rstrip("!"), action.endswith("!"), result)
        parsed[key] = expected
    every = ["".join(p) for p in itertools.product("NFD", repeat=3)]
    if sorted(parsed) != sorted(every):
        raise ValueError(f"the favourites table has {sorted(parsed)}, not every (b, l, r)")
    return [(key, parsed[key]) for key in every]


ROWS = _parse(TABLE)
PUSHABLE = [ItemType.SONG, ItemType.ALBUM, ItemType.PLAYLIST]


def row(kind: ItemType, blr: str, library_id: str | None = None) -> FavouriteRow:
    base, local, remote = (S[c] for c in blr)
    return FavouriteRow(
        item_type=kind,
        library_id=library_id or f"{PREFIX[kind]}{blr}",
        remote=remote,
        base=base,
        local=local,
    )


def expected_state(blr: str, result: str) -> tuple[FavouriteState, ...]:
    base, local, remote = (S[c] for c in blr)
    return (remote, base, local) if result == "=" else (S[result],) * 3
