"""Catalog multi-gets in batches, and ratings reads in batches.

Apple allows 300 ids per catalog request, but large batches answer 504; amsync starts at 150 and
halves the batch on a 504 down to a floor (where 504 is retried like any 5xx), keeping the smaller
size for the rest of the client's life. Ids Apple does not know are simply absent from the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TypeVar

from amsync.api.documents import parse_page
from amsync.api.fields import as_object, get_list, get_object
from amsync.api.parsing import ResourceParser, parse_catalog_song, parse_rating_value
from amsync.api.session import ApiSession
from amsync.api.stats import endpoint_of
from amsync.domain import CatalogSong
from amsync.domain.progress import current_tally
from amsync.errors import TransientApiError

T = TypeVar("T")
logger = logging.getLogger("amsync.api")

CATALOG_MAX_IDS = 300
ISRC_BATCH = 25
RATINGS_BATCH = 200


def unique(ids: Iterable[str]) -> list[str]:
    """Ids without repeats or empty strings, in first-seen order."""
    return list(dict.fromkeys(item for item in ids if item))


def chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CatalogBatcher:
    """Fetches catalog resources by id with an adaptive batch size."""

    def __init__(self, session: ApiSession, *, batch_size: int, floor: int) -> None:
        self._session = session
        self.batch_size = min(batch_size, CATALOG_MAX_IDS)
        self._floor = min(floor, self.batch_size)

    async def get(
        self, path: str, resource_type: str, ids: Iterable[str], parse: ResourceParser[T]
    ) -> list[T]:
        wanted = unique(ids)
        found: list[T] = []
        endpoint = endpoint_of(path)
        position = 0
        tally = current_tally()
        if tally is not None:
            tally.pages_planned += -(-len(wanted) // self.batch_size)
        while position < len(wanted):
            batch = wanted[position : position + self.batch_size]
            try:
                reply = await self._session.request(
                    "GET",
                    path,
                    params={"ids": ",".join(batch)},
                    missing_ok=True,
                    retry_504=self.batch_size <= self._floor,
                )
            except TransientApiError as exc:
                if exc.status != 504 or self.batch_size <= self._floor:
                    raise
                self.batch_size = max(self._floor, self.batch_size // 2)
                logger.info("504 from %s: batch size now %d", endpoint, self.batch_size)
                continue
            position += len(batch)
            if tally is not None:
                tally.pages_done += 1
            if reply is None or reply.document is None:
                continue
            found.extend(parse_page(reply.document, endpoint, {resource_type: parse}).items)
        return found


async def songs_by_isrc(
    session: ApiSession, path: str, isrcs: Iterable[str]
) -> dict[str, list[CatalogSong]]:
    """Catalog songs per requested ISRC (≤ 25 per request); ISRCs without songs are absent."""
    wanted = unique(isrc.strip().upper() for isrc in isrcs)
    endpoint = endpoint_of(path)
    found: dict[str, list[CatalogSong]] = {}
    for batch in chunks(wanted, ISRC_BATCH):
        reply = await session.request(
            "GET", path, params={"filter[isrc]": ",".join(batch)}, missing_ok=True
        )
        if reply is None or reply.document is None:
            continue
        page = parse_page(reply.document, endpoint, {"songs": parse_catalog_song})
        by_id = {song.catalog_id: song for song in page.items}
        mapping = get_object(get_object(get_object(reply.document, "meta"), "filters"), "isrc")
        for isrc in batch:
            listed = get_list(mapping, isrc)
            if listed is not None:
                songs = [
                    by_id[ref_id]
                    for ref in listed
                    if (ref_id := _ref_id(ref)) is not None and ref_id in by_id
                ]
            else:
                songs = [song for song in page.items if (song.isrc or "").upper() == isrc]
            if songs:
                found[isrc] = songs
    return found


def _ref_id(value: object) -> str | None:
    ref = as_object(value)
    ref_id = ref.get("id") if ref is not None else None
    return ref_id if isinstance(ref_id, str) else None


async def ratings(session: ApiSession, resource_type: str, ids: Iterable[str]) -> dict[str, int]:
    """Rating values by id (≤ 200 ids per request); unrated ids are absent."""
    path = f"/v1/me/ratings/{resource_type}"
    endpoint = endpoint_of(path)
    values: dict[str, int] = {}
    wanted = unique(ids)
    tally = current_tally()
    if tally is not None:
        tally.pages_planned += -(-len(wanted) // RATINGS_BATCH)
    for batch in chunks(wanted, RATINGS_BATCH):
        reply = await session.request("GET", path, params={"ids": ",".join(batch)}, missing_ok=True)
        if tally is not None:
            tally.pages_done += 1
        if reply is None or reply.document is None:
            continue
        page = parse_page(reply.document, endpoint, {"ratings": parse_rating_value})
        for item_id, value in page.items:
            if value is not None and value != 0:
                values[item_id] = value
    return values


SEARCH_LIMIT = 25


async def search_songs(
    session: ApiSession, path: str, term: str, *, limit: int = SEARCH_LIMIT
) -> list[CatalogSong]:
    """The first page (≤ 25) of Apple's catalog search for songs, in Apple's order.

    Apple's matching is fuzzy: callers confirm each hit themselves. No hits is an empty list.
    """
    words = " ".join(term.split())
    if not words:
        return []
    endpoint = endpoint_of(path)
    params = {"term": words, "types": "songs", "limit": str(max(1, min(limit, SEARCH_LIMIT)))}
    reply = await session.request("GET", path, params=params, missing_ok=True)
    if reply is None or reply.document is None:
        return []
    songs = get_object(get_object(reply.document, "results"), "songs")
    if songs is None:
        return []
    return parse_page(songs, endpoint, {"songs": parse_catalog_song}).items
