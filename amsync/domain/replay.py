"""Apple's own Replay: the top songs, albums and artists of a year as Apple ranks them
(``GET /v1/me/music-summaries``, "Get the user's replay data" in Apple's documentation).

Apple documents a ``MusicSummariesResponse`` whose ``data`` holds ``music-summaries``
resources: ``attributes`` ``period`` and ``year``, and ``views`` ``top-songs``,
``top-albums`` and ``top-artists``, each a ``data`` list of period-summary objects (song,
album or artist period summaries) whose ``relationships`` (``song``, ``album``, ``artist``)
hold the catalog resource. Apple gives no play counts in it. amsync keeps the ranked names
and catalog ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

TOPS: Final = ("songs", "albums", "artists")


@dataclass(frozen=True, slots=True)
class ReplayItem:
    top: str  # songs | albums | artists
    rank: int  # from 1, in Apple's order
    name: str
    catalog_id: str | None = None
    artist: str | None = None
    album: str | None = None
    artwork_url: str | None = None


@dataclass(frozen=True, slots=True)
class ReplaySummary:
    year: int
    items: tuple[ReplayItem, ...]
    period: str | None = None
    apple_id: str | None = None

    def fingerprint(self) -> str:
        """A hash of the year and the ranked items: a new value is a new version."""
        text = repr((self.year, [(i.top, i.rank, i.catalog_id, i.name) for i in self.items]))
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def count(self, top: str) -> int:
        return sum(1 for item in self.items if item.top == top)
