"""The push plan: pure functions from what Apple's side wants, what amsync remembers writing
and what the server has now, to the fewest writes that make the server agree.

Playlists (``plan_playlists``), per chosen Apple playlist:

============ ===================================================== ===========================
action       when                                                  writes
============ ===================================================== ===========================
create       amsync made no playlist for it on this server          create (+ a comment)
recreate     amsync made one, but it is no longer on the server     create (+ a comment)
update       its tracks differ from Apple's (order, duplicates)     replace tracks (+ rename)
rename       only its name differs                                  rename
unchanged    nothing differs                                        none
============ ===================================================== ===========================

A create whose answer never came (``pending``) is *adopted* first (``adoptions``): a playlist
of that name that was not on the server before and that amsync does not already own is the one
the server made — so a timeout never leaves two. For Apple playlists amsync made one for that
Apple no longer has: ``delete`` with ``--prune``, else ``orphaned`` (reported, kept); when the
server's is gone too, ``forget`` the record. A server playlist amsync did not make is never in
a plan. An Apple playlist that exists but was not chosen (``--playlist``) is left alone.

Tracks are compared as lists of server song ids, in order, duplicates kept. The server's list
is read only when what amsync last wrote (a fingerprint) or the server's song count disagrees
with what is wanted (``tracks_to_read``): a push with nothing changed reads one playlist list
and writes nothing.

Stars (``plan_stars``) and ratings (``plan_ratings``) take back only what amsync set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import StrEnum

from amsync.domain.media_server import ServerPlaylist


class Action(StrEnum):
    CREATE = "create"
    RECREATE = "recreate"
    UPDATE = "update"
    RENAME = "rename"
    UNCHANGED = "unchanged"
    DELETE = "delete"
    ORPHANED = "orphaned"
    FORGET = "forget"


WRITING = frozenset({Action.CREATE, Action.RECREATE, Action.UPDATE, Action.RENAME, Action.DELETE})


@dataclass(frozen=True, slots=True)
class Wanted:
    """An Apple playlist as the server should have it."""

    library_id: str
    name: str
    song_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Remembered:
    """What amsync made for an Apple playlist on this server."""

    library_id: str
    server_id: str | None
    name: str
    fingerprint: str | None = None
    pending: bool = False
    known_ids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Step:
    action: Action
    library_id: str
    server_id: str | None  # the server playlist it writes (None: one to create)
    name: str  # the playlist's name after the step
    song_ids: tuple[str, ...] | None = None  # the tracks written (None: not written)
    rename: bool = False  # the name is written
    adopted: bool = False  # a pending create the server had made

    @property
    def writes(self) -> int:
        """Write requests the step makes."""
        if self.action in (Action.CREATE, Action.RECREATE):
            return 2  # the playlist, then the comment that says amsync made it
        if self.action is Action.UPDATE:
            return 1 + int(self.rename)
        return int(self.action in (Action.RENAME, Action.DELETE))


def fingerprint(song_ids: Sequence[str]) -> str:
    """A short, order-sensitive digest of a track list."""
    digest = hashlib.md5(usedforsecurity=False)
    for song_id in song_ids:
        digest.update(song_id.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def adoptions(
    remembered: Iterable[Remembered], server: Mapping[str, ServerPlaylist]
) -> dict[str, str]:
    """Apple playlist → server playlist, for pending creates the server had made: a playlist
    of the pending name, not among the ids known before the create, not owned by another
    record. Candidates go to pending records oldest id first (by the server's ``created``,
    then id)."""
    rows = list(remembered)
    owned = {r.server_id for r in rows if not r.pending and r.server_id is not None}
    taken: set[str] = set()
    found: dict[str, str] = {}
    candidates = sorted(server.values(), key=lambda p: (p.created or "", p.id))
    for row in rows:
        if not row.pending:
            continue
        for playlist in candidates:
            if (
                playlist.name == row.name
                and playlist.id not in row.known_ids
                and playlist.id not in owned
                and playlist.id not in taken
            ):
                found[row.library_id] = playlist.id
                taken.add(playlist.id)
                break
    return found


def settle(
    remembered: Mapping[str, Remembered], adopted: Mapping[str, str]
) -> dict[str, Remembered]:
    """The records as they are once the adoptions are made (an adopted playlist's tracks are
    unknown: no fingerprint)."""
    settled = dict(remembered)
    for library_id, server_id in adopted.items():
        row = settled[library_id]
        settled[library_id] = Remembered(library_id, server_id, row.name, None, False)
    return settled


def tracks_to_read(
    wanted: Iterable[Wanted],
    remembered: Mapping[str, Remembered],
    server: Mapping[str, ServerPlaylist],
) -> list[str]:
    """Server playlists whose track list must be read before planning."""
    ids: list[str] = []
    for want in wanted:
        row = remembered.get(want.library_id)
        if row is None or row.pending or row.server_id not in server:
            continue
        assert row.server_id is not None
        known = row.fingerprint == fingerprint(want.song_ids)
        if not known or server[row.server_id].song_count != len(want.song_ids):
            ids.append(row.server_id)
    return ids


def plan_playlists(
    wanted: Sequence[Wanted],
    remembered: Mapping[str, Remembered],
    server: Mapping[str, ServerPlaylist],
    current: Mapping[str, Sequence[str]],
    *,
    apple_live: AbstractSet[str],
    prune: bool = False,
    adopted: AbstractSet[str] = frozenset(),
) -> list[Step]:
    """One step per wanted playlist (in order), then one per record of an Apple playlist
    that is gone. ``current``: the track lists ``tracks_to_read`` asked for; ``apple_live``:
    every live Apple playlist, chosen or not."""
    steps = [_step(want, remembered.get(want.library_id), server, current, adopted)
             for want in wanted]  # fmt: skip
    chosen = {want.library_id for want in wanted}
    for row in remembered.values():
        if row.library_id in chosen or row.library_id in apple_live:
            continue
        if row.server_id is not None and row.server_id in server and not row.pending:
            action = Action.DELETE if prune else Action.ORPHANED
            steps.append(Step(action, row.library_id, row.server_id, server[row.server_id].name))
        else:
            steps.append(Step(Action.FORGET, row.library_id, row.server_id, row.name))
    return steps


def _step(
    want: Wanted,
    row: Remembered | None,
    server: Mapping[str, ServerPlaylist],
    current: Mapping[str, Sequence[str]],
    adopted: AbstractSet[str],
) -> Step:
    if row is None or row.pending or row.server_id is None:
        return Step(Action.CREATE, want.library_id, None, want.name, want.song_ids, True)
    if row.server_id not in server:
        return Step(Action.RECREATE, want.library_id, None, want.name, want.song_ids, True)
    rename = server[row.server_id].name != want.name
    was_adopted = want.library_id in adopted
    tracks = current.get(row.server_id)
    if tracks is not None and tuple(tracks) != want.song_ids:
        return Step(Action.UPDATE, want.library_id, row.server_id, want.name, want.song_ids,
                    rename, was_adopted)  # fmt: skip
    action = Action.RENAME if rename else Action.UNCHANGED
    return Step(action, want.library_id, row.server_id, want.name, None, rename, was_adopted)


def duplicate_names(wanted: Iterable[Wanted]) -> dict[str, int]:
    """Server names that more than one chosen Apple playlist would carry."""
    counts: dict[str, int] = {}
    for want in wanted:
        counts[want.name] = counts.get(want.name, 0) + 1
    return {name: n for name, n in counts.items() if n > 1}


# --- stars and ratings -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StarPlan:
    star: tuple[str, ...]  # to star (amsync's from now on)
    unstar: tuple[str, ...]  # amsync's stars Apple no longer wants
    forget: tuple[str, ...]  # records to drop: not wanted any more (unstarred now or by you)
    left_alone: tuple[str, ...]  # wanted, and starred already by someone else: not amsync's

    @property
    def changes(self) -> int:
        return len(self.star) + len(self.unstar)


def plan_stars(
    wanted: AbstractSet[str], starred: AbstractSet[str], ours: AbstractSet[str]
) -> StarPlan:
    """``wanted``: the server ids Apple's favourites map to; ``starred``: what the server has
    starred now; ``ours``: what amsync starred before."""
    return StarPlan(
        star=tuple(sorted(wanted - starred)),
        unstar=tuple(sorted((ours - wanted) & starred)),
        forget=tuple(sorted(ours - wanted)),
        left_alone=tuple(sorted((wanted & starred) - ours)),
    )


DISLIKED_RATING = 1


@dataclass(frozen=True, slots=True)
class RatingPlan:
    rate: tuple[str, ...]  # rate 1 (amsync's from now on)
    clear: tuple[str, ...]  # amsync's 1, no longer disliked: back to unrated
    forget: tuple[str, ...]  # records to drop
    left_alone: tuple[str, ...]  # disliked, but rated on the server already: kept as it is

    @property
    def changes(self) -> int:
        return len(self.rate) + len(self.clear)


def ratings_to_read(wanted: AbstractSet[str], ours: AbstractSet[str]) -> list[str]:
    """Songs whose current rating decides the plan: new dislikes, and amsync's ratings of
    songs no longer disliked."""
    return sorted(wanted ^ ours)


def plan_ratings(
    wanted: AbstractSet[str], ours: AbstractSet[str], current: Mapping[str, int | None]
) -> RatingPlan:
    """``wanted``: songs Apple says are disliked; ``ours``: songs amsync rated before;
    ``current``: the ratings ``ratings_to_read`` asked for (``None``: unrated)."""
    new = sorted(wanted - ours)
    gone = sorted(ours - wanted)
    return RatingPlan(
        rate=tuple(s for s in new if current.get(s) is None),
        clear=tuple(s for s in gone if current.get(s) == DISLIKED_RATING),
        forget=tuple(gone),
        left_alone=tuple(s for s in new if current.get(s) not in (None, DISLIKED_RATING)),
    )
