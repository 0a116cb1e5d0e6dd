"""What ``amsync lost restore`` would write: a pure plan from the open losses and the mirror.

Apple's API can add to the library and append to a playlist, nothing else; so a restore puts
the chosen replacement back — never a delete, never a reorder (the position a track had is
lost: the replacement goes at the end, and the plan says so).

Rules, per loss, in order (each loss not written is a counted skip with its reason):

1. restored before → counted as such, nothing written (a second run writes nothing);
2. not named when some are named → not part of this restore;
3. caused by the person (``removed``) or of unknown cause → only when named by id;
4. no replacement (none found, or ambiguous) → skipped with the reason;
5. written before but not shown by Apple when last read → not written again unless named:
   only read back (``waiting``) — Apple's additions can take a while to appear;
6. from the library: the replacement is added once, unless the library already has it;
7. from a playlist: appended once per playlist (a song lost twice from one playlist comes back
   once), unless the playlist already has it, is gone, or can no longer be edited (``canEdit``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from amsync.lost.causes import Cause, LossKind

APPLE_CAUSES = frozenset({Cause.WITHDRAWN.value, Cause.UNPLAYABLE.value})


@dataclass(frozen=True, slots=True)
class OpenLoss:
    """One loss not found back, with its song and replacement."""

    entry_id: int
    song_id: int
    library_id: str
    catalog_id: str | None
    name: str
    artist: str | None
    kind: str
    cause: str
    playlist_id: str | None = None
    playlist_name: str | None = None
    position: int | None = None
    replacement_id: str | None = None
    replacement_name: str | None = None
    lookup_note: str | None = None
    looked_up: bool = False
    ambiguous: int = 0
    attempted: bool = False
    restored: bool = False

    @property
    def label(self) -> str:
        by = f" by {self.artist}" if self.artist else ""
        return f"{self.name!r}{by}"


@dataclass(frozen=True, slots=True)
class PlaylistState:
    name: str
    live: bool
    can_edit: bool | None


@dataclass(slots=True)
class Planned:
    """One replacement to write: to the library, or to one playlist."""

    replacement_id: str
    label: str
    entries: list[int] = field(default_factory=list)
    playlist_id: str | None = None
    playlist_name: str | None = None


@dataclass(frozen=True, slots=True)
class Skip:
    entry_id: int
    label: str
    reason: str


@dataclass(slots=True)
class RestorePlan:
    library: list[Planned] = field(default_factory=list)
    playlists: dict[str, list[Planned]] = field(default_factory=dict)
    present: list[int] = field(default_factory=list)
    """Losses whose replacement is already where it belongs: recorded, nothing written."""
    waiting: list[Planned] = field(default_factory=list)
    """Written before, not yet shown: read back again, never written again."""
    skipped: list[Skip] = field(default_factory=list)
    already: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return len(self.library) + sum(len(p) for p in self.playlists.values())

    @property
    def empty(self) -> bool:
        return not self.writes and not self.present and not self.waiting

    def skip_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for skip in self.skipped:
            counts[skip.reason] = counts.get(skip.reason, 0) + 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        return {
            "add_to_library": [
                {"catalog_id": p.replacement_id, "song": p.label, "losses": p.entries}
                for p in self.library
            ],
            "append_to_playlists": {
                pid: [{"catalog_id": p.replacement_id, "song": p.label} for p in planned]
                for pid, planned in self.playlists.items()
            },
            "already_there": len(self.present),
            "waiting_for_apple": [
                {"catalog_id": p.replacement_id, "song": p.label, "playlist_id": p.playlist_id}
                for p in self.waiting
            ],
            "restored_before": self.already,
            "skipped": [
                {"loss_id": s.entry_id, "song": s.label, "reason": s.reason} for s in self.skipped
            ],
            "notes": list(self.notes),
        }


def plan_restore(
    losses: Iterable[OpenLoss],
    playlists: Mapping[str, PlaylistState],
    library_catalog_ids: Collection[str],
    playlist_catalog_ids: Mapping[str, Collection[str]],
    named: Collection[int] | None = None,
) -> RestorePlan:
    """The restore plan (module docstring); ``named``: the ``lost_songs`` ids asked for."""
    plan = RestorePlan()
    to_library: dict[str, Planned] = {}
    to_playlist: dict[tuple[str, str], Planned] = {}
    waiting: dict[tuple[str | None, str], Planned] = {}
    for loss in losses:
        if loss.restored:
            plan.already += 1
            continue
        if named is not None and loss.song_id not in named:
            continue
        reason = _refusal(loss, named is not None)
        if reason is not None:
            plan.skipped.append(Skip(loss.entry_id, loss.label, reason))
            continue
        replacement = loss.replacement_id or ""
        if loss.attempted and named is None:
            where = loss.playlist_id if loss.kind == LossKind.PLAYLIST.value else None
            key = (where, replacement)
            waiting.setdefault(key, Planned(replacement, loss.label, [], where))
            waiting[key].entries.append(loss.entry_id)
            continue
        if loss.kind != LossKind.PLAYLIST.value:
            if replacement in library_catalog_ids:
                plan.present.append(loss.entry_id)
            else:
                planned = to_library.setdefault(replacement, Planned(replacement, loss.label))
                planned.entries.append(loss.entry_id)
            continue
        _playlist_step(plan, loss, replacement, playlists, playlist_catalog_ids, to_playlist)
    plan.library = list(to_library.values())
    plan.waiting = list(waiting.values())
    for (playlist_id, _replacement), planned in to_playlist.items():
        plan.playlists.setdefault(playlist_id, []).append(planned)
    return plan


def _refusal(loss: OpenLoss, named: bool) -> str | None:
    if loss.cause not in APPLE_CAUSES and not named:
        if loss.cause == Cause.REMOVED.value:
            return "removed by you or your devices: name it to put it back"
        return "cause unknown: name it to put it back"
    if loss.replacement_id is None:
        if loss.ambiguous:
            return f"{loss.ambiguous} equally good candidates: none chosen"
        if not loss.looked_up:
            return "not looked up yet: run `amsync sync` first"
        return loss.lookup_note or "no replacement in Apple's catalog"
    return None


def _playlist_step(
    plan: RestorePlan,
    loss: OpenLoss,
    replacement: str,
    playlists: Mapping[str, PlaylistState],
    playlist_catalog_ids: Mapping[str, Collection[str]],
    to_playlist: dict[tuple[str, str], Planned],
) -> None:
    playlist_id = loss.playlist_id or ""
    state = playlists.get(playlist_id)
    if state is None or not state.live:
        plan.skipped.append(Skip(loss.entry_id, loss.label, "the playlist is gone"))
        return
    if state.can_edit is False:
        plan.skipped.append(
            Skip(loss.entry_id, loss.label, "the playlist cannot be edited (canEdit false)")
        )
        return
    if replacement in playlist_catalog_ids.get(playlist_id, ()):
        plan.present.append(loss.entry_id)
        return
    key = (playlist_id, replacement)
    if key in to_playlist:
        to_playlist[key].entries.append(loss.entry_id)  # restored with the first
        plan.skipped.append(
            Skip(loss.entry_id, loss.label, "lost twice from one playlist: it goes back once")
        )
        return
    to_playlist[key] = Planned(replacement, loss.label, [loss.entry_id], playlist_id, state.name)
    where = f"position {loss.position}" if loss.position is not None else "its place"
    plan.notes.append(
        f"{loss.label} goes at the end of {state.name!r} (it was at {where}): Apple's API can "
        "only append"
    )
