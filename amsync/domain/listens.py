"""Listens out (issue 25): what the listening-history use-case hands to a scrobble server, and
the Protocols through which it reaches Apple's catalog search and a ListenBrainz-protocol
server (``amsync.api.AppleMusicClient`` and ``amsync.listenbrainz.ListenBrainzClient``
satisfy them; tests may pass the real clients on the emulator and a local server)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from amsync.domain.catalog import CatalogSong


@dataclass(frozen=True, slots=True)
class Listen:
    """One play as a listen: ``key`` is the play's natural key (``play_events.event_key``),
    ``listened_at`` Unix seconds of its start. Names are as amsync holds them; the protocol
    adapter fits them to the server's limits."""

    key: str
    listened_at: int
    track_name: str
    artist_name: str
    release_name: str | None = None
    isrc: str | None = None
    duration_ms: int | None = None
    origin_url: str | None = None


@dataclass(frozen=True, slots=True)
class RefusedListen:
    """A listen the server refused on its own (a 400 for a batch of just this listen)."""

    listen: Listen
    reason: str


@dataclass(slots=True)
class SubmitOutcome:
    """What a submission did: listens accepted and refused, requests made (retries
    included), how often the server throttled, and the seconds spent waiting for it."""

    accepted: int = 0
    refused: list[RefusedListen] = field(default_factory=list)
    requests: int = 0
    throttled: int = 0
    retries: int = 0
    waited_s: float = 0.0


AcceptedBatch = Callable[[Sequence[Listen]], None]
"""Called once for every batch the server accepted, before the next request is sent (so the
caller can record it: a push killed after this call never sends those listens again)."""

RefusedOne = Callable[[RefusedListen], None]
"""Called for every listen the server refused on its own."""


class ListenSink(Protocol):
    """A ListenBrainz-protocol server (ListenBrainz, Maloja, Koito, multi-scrobbler…)."""

    async def validate_token(self) -> str | None:
        """The user name the token belongs to (``None`` when the server names none); raises
        when the token is refused or the URL is no ListenBrainz API."""
        ...

    async def submit(
        self,
        listens: Sequence[Listen],
        on_accepted: AcceptedBatch,
        on_refused: RefusedOne,
        outcome: SubmitOutcome,
    ) -> SubmitOutcome:
        """Send ``listens`` as ``import`` listens in as few requests as the server's limits
        allow; ``outcome`` is filled in as it goes (it holds the figures when this raises)."""
        ...


class SearchCounters(Protocol):
    requests: int
    throttled: int


class CatalogSearch(Protocol):
    """Apple's catalog search for songs (first page, Apple's order, fuzzy: the caller
    confirms every hit)."""

    @property
    def stats(self) -> SearchCounters: ...

    async def search_catalog_songs(self, term: str, *, limit: int = 25) -> list[CatalogSong]: ...
