"""Which tracks left a playlist between two revisions, and which arrived: a pure comparison.

A track is matched by its library id first, then — for what is left on both sides — by its
catalog id (a song removed and added again gets a new library id but is the same song). Counts
matter: a song twice in the old list and once in the new one left once (the later position is
the one that left). Music videos are not songs and are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Track:
    position: int
    library_id: str
    catalog_id: str | None
    kind: str = "song"


def departures(old: Sequence[Track], new: Sequence[Track]) -> tuple[list[Track], list[Track]]:
    """(tracks of ``old`` that are not in ``new``, tracks of ``new`` that were not in
    ``old``), each in list order, songs only."""
    old_songs = [t for t in old if t.kind == "song"]
    new_songs = [t for t in new if t.kind == "song"]
    left_old, left_new = _match(old_songs, new_songs, lambda t: t.library_id)
    gone, came = _match(left_old, left_new, lambda t: t.catalog_id)
    return gone, came


def _match(
    old: Sequence[Track], new: Sequence[Track], of: Callable[[Track], str | None]
) -> tuple[list[Track], list[Track]]:
    """Pairs old and new tracks with equal, non-empty keys (each used once); returns the
    unpaired ones of each side."""
    available = Counter(k for t in new if (k := of(t)))
    unpaired_old: list[Track] = []
    used: Counter[str] = Counter()
    for track in old:
        k = of(track)
        if k and available[k] > used[k]:
            used[k] += 1
        else:
            unpaired_old.append(track)
    unpaired_new: list[Track] = []
    for track in new:
        k = of(track)
        if k and used[k] > 0:
            used[k] -= 1
        else:
            unpaired_new.append(track)
    return unpaired_old, unpaired_new
