"""Choosing a replacement for a lost song: pure functions over what Apple's catalog answered.

Two methods, and a candidate is never taken unless it is playable in the storefront and is not
the lost catalog song itself:

- ``isrc`` — the songs Apple lists under the lost song's ISRC (``filter[isrc]``) are the same
  recording by definition; several are normal (single, album, compilation). The one on an
  album of the same title (``normalise.album_key``: "25 (Deluxe Edition)" is "25") wins, then
  the closest duration, then the lowest catalog id (any of them is right).
- ``search`` — for a song without an ISRC, the hits of a catalog search on title and artist
  that have the same title (``normalise.title_key``: ``feat.`` and remaster suffixes do not
  count, a live or remix version is never the same), share the main artist and last within
  ``tolerance_ms`` of it. One such hit is chosen; several are chosen only when they are one
  recording (one ISRC among them) or exactly one is on an album of the same title — otherwise
  they are *ambiguous*: listed, never chosen. No replacement is better than a wrong one.

Scores: 1.0 for an ISRC match on the same album with the same duration; 0.9 for a search match
likewise; 0.05 less on another album, and up to 0.1 less for a duration that differs (0.01 a
second).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from amsync.local.normalise import album_key, artist_names, title_key

TOLERANCE_MS: Final = 3_000
ISRC_BASE: Final = 1.0
SEARCH_BASE: Final = 0.9
OTHER_ALBUM: Final = 0.05
PER_SECOND: Final = 0.01
MAX_DURATION_PENALTY: Final = 0.1


@dataclass(frozen=True, slots=True)
class LostTrack:
    """What is known of the lost song."""

    catalog_id: str | None
    name: str
    artist: str | None
    album: str | None
    duration_ms: int | None
    isrc: str | None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A catalog song Apple answered with."""

    catalog_id: str
    name: str
    artist: str | None
    album: str | None
    duration_ms: int | None
    isrc: str | None
    playable: bool


@dataclass(frozen=True, slots=True)
class Choice:
    method: str  # isrc | search
    chosen: Candidate | None
    score: float | None = None
    ambiguous: tuple[Candidate, ...] = ()
    note: str | None = None
    """Why nothing was chosen."""


def search_term(lost: LostTrack) -> str:
    """What to ask Apple's catalog search: the title and the artist as they were."""
    return " ".join(part for part in (lost.name, lost.artist) if part)


def choose_by_isrc(lost: LostTrack, candidates: Iterable[Candidate]) -> Choice:
    """The replacement among the songs Apple lists under the lost song's ISRC."""
    isrc = lost.isrc.upper() if lost.isrc else None
    if isrc is None:
        return Choice("isrc", None, note="the lost song has no ISRC")
    others = [
        c
        for c in candidates
        if c.catalog_id != lost.catalog_id and c.isrc is not None and c.isrc.upper() == isrc
    ]
    usable = [c for c in others if c.playable]
    if not usable:
        note = (
            f"Apple lists {len(others)} other song(s) with ISRC {isrc}, none playable here"
            if others
            else f"Apple's catalog has no other song with ISRC {isrc}"
        )
        return Choice("isrc", None, note=note)
    best = min(usable, key=lambda c: _rank(lost, c))
    return Choice("isrc", best, _score(ISRC_BASE, lost, best))


def choose_by_search(
    lost: LostTrack, hits: Iterable[Candidate], *, tolerance_ms: int = TOLERANCE_MS
) -> Choice:
    """The replacement among catalog search hits, or none (ambiguous ones are listed)."""
    matching = [
        c
        for c in hits
        if c.playable and c.catalog_id != lost.catalog_id and same_song(lost, c, tolerance_ms)
    ]
    if not matching:
        return Choice(
            "search",
            None,
            note="no playable catalog song with the same title, artist and duration "
            f"(± {tolerance_ms // 1000} s)",
        )
    ranked = sorted(matching, key=lambda c: _rank(lost, c))
    if len(ranked) == 1 or _one_recording(ranked):
        return Choice("search", ranked[0], _score(SEARCH_BASE, lost, ranked[0]))
    same_album = [c for c in ranked if _same_album(lost, c)]
    if len(same_album) == 1:
        return Choice("search", same_album[0], _score(SEARCH_BASE, lost, same_album[0]))
    return Choice(
        "search",
        None,
        ambiguous=tuple(ranked),
        note=f"{len(ranked)} different recordings match equally well: none was chosen",
    )


def same_song(lost: LostTrack, candidate: Candidate, tolerance_ms: int = TOLERANCE_MS) -> bool:
    """Same title (normalised), the main artist shared, durations within ``tolerance_ms``."""
    if lost.duration_ms is None or candidate.duration_ms is None:
        return False
    if abs(lost.duration_ms - candidate.duration_ms) > tolerance_ms:
        return False
    mine, theirs = title_key(lost.name), title_key(candidate.name)
    if not mine.core or mine.core != theirs.core or mine.versions != theirs.versions:
        return False
    return _artists_agree(lost, candidate)


def _artists_agree(lost: LostTrack, candidate: Candidate) -> bool:
    mine = artist_names(lost.artist) + title_key(lost.name).featured
    theirs = artist_names(candidate.artist) + title_key(candidate.name).featured
    if not mine or not theirs:
        return False
    return mine[0] in theirs or theirs[0] in mine


def _same_album(lost: LostTrack, candidate: Candidate) -> bool:
    return bool(lost.album) and album_key(lost.album) == album_key(candidate.album)


def _duration_gap(lost: LostTrack, candidate: Candidate) -> int | None:
    if lost.duration_ms is None or candidate.duration_ms is None:
        return None
    return abs(lost.duration_ms - candidate.duration_ms)


def _rank(lost: LostTrack, candidate: Candidate) -> tuple[bool, float, str]:
    """Sort key: the same album first, then the closest duration, then the catalog id."""
    gap = _duration_gap(lost, candidate)
    return (
        not _same_album(lost, candidate),
        float("inf") if gap is None else gap,
        candidate.catalog_id,
    )


def _one_recording(candidates: Sequence[Candidate]) -> bool:
    isrcs = {(c.isrc or "").upper() for c in candidates}
    return len(isrcs) == 1 and "" not in isrcs


def _score(base: float, lost: LostTrack, candidate: Candidate) -> float:
    gap = _duration_gap(lost, candidate)
    penalty = (
        MAX_DURATION_PENALTY if gap is None else min(MAX_DURATION_PENALTY, gap / 1000 * PER_SECOND)
    )
    if not _same_album(lost, candidate):
        penalty += OTHER_ALBUM
    return round(base - penalty, 3)
