"""What a ListenBrainz server accepts, as its API documentation gives it
(listenbrainz.readthedocs.io, "Core" API, Constants; ``listenbrainz/webserver/views/api_tools.py``
and ``listenstore``), and what amsync keeps to because of it.

- ``MAX_LISTENS_PER_REQUEST`` = 1,000 listens in one ``submit-listens`` request;
- ``MAX_LISTEN_SIZE`` = 10,240 bytes for one listen's JSON, and a request body may not be larger
  than that times its number of listens;
- ``MAX_LISTEN_PAYLOAD_SIZE`` = 10,240,000 bytes for a request body;
- ``LISTEN_MINIMUM_TS`` = 1,033,430,400 (2002-10-01T00:00:00Z): an earlier ``listened_at`` is
  refused ("the year Last.fm was founded");
- a ``listened_at`` more than an hour ahead of the server's clock is refused
  (``API_LISTENED_AT_ALLOWED_SKEW``);
- ``MAX_DURATION_MS_LIMIT`` = 2,073,600,000 (24 days) for ``duration_ms``;
- text may not hold U+0000, and ``track_name`` / ``artist_name`` may not be empty once stripped.

amsync's own choices within them: names (track, artist, release) are cut to ``NAME_LIMIT``
characters — a 10,000-character title is an export's accident, and ListenBrainz would refuse
the listen for its size — and a listen is then cut further, longest name first, until its JSON
fits ``LISTEN_SIZE_TARGET``; a request carries at most ``MAX_LISTENS_PER_REQUEST`` listens and
``PAYLOAD_TARGET`` bytes (a little under the limits, for the envelope).
"""

from __future__ import annotations

from typing import Final

MAX_LISTENS_PER_REQUEST: Final = 1000
MAX_LISTEN_SIZE: Final = 10_240
MAX_LISTEN_PAYLOAD_SIZE: Final = MAX_LISTEN_SIZE * MAX_LISTENS_PER_REQUEST
LISTEN_MINIMUM_TS: Final = 1_033_430_400
LISTENED_AT_ALLOWED_SKEW_S: Final = 3600
MAX_DURATION_MS_LIMIT: Final = 24 * 24 * 3600 * 1000

NAME_LIMIT: Final = 1000
LISTEN_SIZE_TARGET: Final = MAX_LISTEN_SIZE - 256
PAYLOAD_TARGET: Final = MAX_LISTEN_PAYLOAD_SIZE - 64 * 1024


def accepted_times(now_s: float) -> tuple[int, int]:
    """The ``listened_at`` values a ListenBrainz server takes at ``now_s``: from
    ``LISTEN_MINIMUM_TS`` to an hour ahead (exclusive), less a minute for clocks apart."""
    return LISTEN_MINIMUM_TS, int(now_s) + LISTENED_AT_ALLOWED_SKEW_S - 60
