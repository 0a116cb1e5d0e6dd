"""Why a song was lost: a pure function from what amsync saw to a cause and its evidence.

Causes (``lost_v.cause``):

- ``withdrawn`` — Apple's catalog no longer returns the song's catalog id;
- ``unplayable`` — still listed, but not playable: the catalog song comes without
  ``playParams`` (not playable in the storefront), or the library song lost its ``playParams``
  (Apple greys it out) while the catalog still lists it;
- ``removed`` — it left while the catalog still offered it, playable: most likely the person
  or another of their devices (or, for a playlist they cannot edit, its curator). Never Apple's
  doing, so never restored unless asked for by name;
- ``unknown`` — amsync cannot tell: an upload (no catalog id) that left, or a loss whose
  catalog state has not been checked yet (``settled`` false: the next step asks the catalog).

The order of the rules matters: a withdrawal explains everything after it; the person is named
only when every sign says the song was still there to be played.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Cause(StrEnum):
    WITHDRAWN = "withdrawn"
    UNPLAYABLE = "unplayable"
    REMOVED = "removed"
    UNKNOWN = "unknown"


class LossKind(StrEnum):
    LIBRARY = "library"  # the song left the library
    UNPLAYABLE = "unplayable"  # the song is still in the library, greyed out
    PLAYLIST = "playlist"  # the track left a playlist


@dataclass(frozen=True, slots=True)
class LossEvidence:
    """What amsync knows about one loss when it classifies it."""

    kind: LossKind
    catalog_id: str | None
    catalog_checked: bool
    """The catalog's answer below is current: seen in this sync, or asked since the loss."""
    catalog_available: bool | None = None
    """Apple's catalog still returns the id (``None``: never known)."""
    catalog_playable: bool | None = None
    """The catalog song came with ``playParams``."""
    library_playable: bool | None = None
    """The library song had ``playParams`` when last seen."""
    playlist_editable: bool | None = None
    """For a playlist loss: whether the person can edit the playlist."""
    first_sight: bool = False
    """The loss was already there when amsync first mirrored the library."""


@dataclass(frozen=True, slots=True)
class Verdict:
    cause: Cause
    evidence: str
    settled: bool = True
    """False: the catalog must be checked before the cause is final."""


def classify(facts: LossEvidence) -> Verdict:
    """The cause of one loss and how it was decided (see the module docstring)."""
    verdict = _decide(facts)
    if facts.first_sight:
        return Verdict(
            verdict.cause,
            "already so when amsync first mirrored the library; " + verdict.evidence,
            verdict.settled,
        )
    return verdict


def _decide(facts: LossEvidence) -> Verdict:
    if facts.catalog_id is None:
        return _without_catalog_id(facts)
    song = f"catalog song {facts.catalog_id}"
    if not facts.catalog_checked or facts.catalog_available is None:
        return Verdict(Cause.UNKNOWN, f"{song} is being checked in Apple's catalog", False)
    if not facts.catalog_available:
        return Verdict(Cause.WITHDRAWN, f"Apple's catalog no longer has {song}")
    if facts.catalog_playable is False:
        return Verdict(
            Cause.UNPLAYABLE,
            f"{song} is listed without playParams: not playable in your storefront",
        )
    if facts.library_playable is False:
        return Verdict(
            Cause.UNPLAYABLE,
            f"the library song lost its playParams (greyed out) while {song} is still listed",
        )
    if facts.kind is LossKind.UNPLAYABLE:
        return Verdict(Cause.UNKNOWN, f"{song} is available and playable again")
    if facts.kind is LossKind.PLAYLIST and facts.playlist_editable is False:
        return Verdict(
            Cause.REMOVED,
            f"left a playlist you cannot edit (its curator changed it) while {song} was "
            "still available",
        )
    return Verdict(
        Cause.REMOVED,
        f"left while {song} was still available and playable: most likely you or another "
        "of your devices",
    )


def _without_catalog_id(facts: LossEvidence) -> Verdict:
    if facts.kind is LossKind.UNPLAYABLE or facts.library_playable is False:
        return Verdict(
            Cause.UNPLAYABLE,
            "greyed out (no playParams), and Apple no longer says which catalog song it was",
        )
    return Verdict(
        Cause.UNKNOWN,
        "an upload or a song without a catalog match: amsync cannot tell who removed it",
    )
