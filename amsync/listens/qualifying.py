"""Which plays are real listens — the rule scrobble servers document, as one pure function.

ListenBrainz (``submit-listens``): a listen is submitted "when the user has listened to half
the track or 4 minutes of the track, whichever is lower"; Last.fm's scrobbling rules, which
Maloja and the others follow, add that a track shorter than 30 seconds is never scrobbled.
amsync sends a play when:

- it played at least 30 s, **and**
- it played at least 4 minutes, or at least half the track (the track's length: Apple's media
  duration, else the mirrored or catalog song's); a play under 4 minutes of a track whose
  length is unknown is not sent;
- a play whose time played Apple did not record counts only when it ended naturally
  (``NATURAL_END_OF_TRACK``: the whole track was heard) and the track is at least 30 s long;
- a play of 0 ms (a track that failed to load) is never a listen.

``--min-listen SECONDS`` replaces the rule: a play counts when at least SECONDS were played
(``--min-listen 0``: every play that played at all); a play without a recorded time then
counts when it ended naturally and the track is at least SECONDS long.
"""

from __future__ import annotations

from typing import Final

MIN_PLAY_MS: Final = 30_000
ENOUGH_MS: Final = 240_000
NATURAL_END: Final = "NATURAL_END_OF_TRACK"

NOTHING_PLAYED: Final = "nothing played"
TOO_SHORT: Final = "played under 30 s"
UNDER_HALF: Final = "played under half the track and under 4 minutes"
LENGTH_UNKNOWN: Final = "played under 4 minutes of a track of unknown length"
TIME_UNKNOWN: Final = "time played unknown and not played to the end"
TRACK_TOO_SHORT: Final = "track shorter than 30 s"
UNDER_MINIMUM: Final = "played under --min-listen"
TRACK_UNDER_MINIMUM: Final = "track shorter than --min-listen"


def not_a_listen(
    play_ms: int | None,
    duration_ms: int | None,
    end_reason: str | None,
    min_listen_s: float | None = None,
) -> str | None:
    """Why the play is not a listen (a short phrase), or ``None`` when it is one."""
    ended_naturally = end_reason is not None and end_reason.strip().upper() == NATURAL_END
    length = duration_ms if duration_ms is not None and duration_ms > 0 else None
    if min_listen_s is not None:
        minimum = int(min_listen_s * 1000)
        if play_ms is None:
            if not ended_naturally:
                return TIME_UNKNOWN
            return TRACK_UNDER_MINIMUM if length is not None and length < minimum else None
        if play_ms <= 0:
            return NOTHING_PLAYED
        return UNDER_MINIMUM if play_ms < minimum else None
    if play_ms is None:
        if not ended_naturally:
            return TIME_UNKNOWN
        return TRACK_TOO_SHORT if length is not None and length < MIN_PLAY_MS else None
    if play_ms <= 0:
        return NOTHING_PLAYED
    if play_ms < MIN_PLAY_MS:
        return TOO_SHORT
    if play_ms >= ENOUGH_MS:
        return None
    if length is None:
        return LENGTH_UNKNOWN
    return None if play_ms * 2 >= length else UNDER_HALF
