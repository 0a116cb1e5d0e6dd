"""Complete listings (DESIGN §2): every page, checked, or an honest "incomplete".

- pages of ``limit`` (100, Apple's maximum), following ``next`` — a root-relative path that
  carries only ``offset``; ``limit``/``include``/``extend`` are added again by us;
- the end is never inferred from a short page: a page shorter than ``limit`` while ``next``
  exists, or shorter than ``meta.total`` says it should be, is fetched again (up to
  ``short_page_retries`` times; the longer answer wins);
- a 404 at offset 0 is an empty collection; a 404 further on is retried
  (``missing_page_retries``), and a page that stays missing makes the listing incomplete;
- once page 0 gives ``meta.total``, the remaining pages are fetched concurrently (bounded), then
  ``next`` is still followed past the expected end while Apple keeps sending one;
- ids are deduplicated across pages (offset paging shifts when the library changes), except for
  playlist tracks where a repeated song is a real entry;
- the result is complete only without problems and with the count equal to ``meta.total``.

Items are handed to a callback page by page, so a library is never held in memory as JSON.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import httpx

from amsync.api.documents import Page, parse_page
from amsync.api.parsing import ResourceParser
from amsync.api.session import ApiSession
from amsync.api.stats import endpoint_of
from amsync.domain import ListingResult
from amsync.domain.progress import current_tally
from amsync.domain.task_groups import all_or_none
from amsync.errors import MalformedResponse

T = TypeVar("T")
logger = logging.getLogger("amsync.api")

OffsetPageCallback = Callable[[int, Sequence[T]], None]


@dataclass(frozen=True, slots=True)
class ListingSpec(Generic[T]):
    """What to list: ``path`` with ``params`` (without limit/offset), parsed by resource type."""

    collection: str
    path: str
    parsers: Mapping[str, ResourceParser[T]]
    params: Mapping[str, str] = field(default_factory=dict)
    dedupe: bool = True


@dataclass(slots=True)
class _Progress(Generic[T]):
    spec: ListingSpec[T]
    on_page: OffsetPageCallback[T]
    seen: set[str] = field(default_factory=set)
    received: int = 0
    pages: int = 0
    expected_total: int | None = None
    problems: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    def accept(self, offset: int, page: Page[T]) -> None:
        self.pages += 1
        self.skipped.update(page.skipped)
        if page.total is not None:
            if self.expected_total is None:
                self.expected_total = page.total
            elif page.total != self.expected_total:
                self.problems.append(
                    f"meta.total changed from {self.expected_total} to {page.total} "
                    "during the listing"
                )
                self.expected_total = page.total
        if self.spec.dedupe:
            fresh: list[T] = []
            for item_id, item in zip(page.ids, page.items, strict=True):
                if item_id not in self.seen:
                    self.seen.add(item_id)
                    fresh.append(item)
        else:
            fresh = page.items
        self.received += len(fresh)
        if fresh:
            self.on_page(offset, fresh)

    def result(self) -> ListingResult:
        problems = list(self.problems)
        total = self.expected_total
        if total is not None and self.received != total:
            problems.append(f"received {self.received} items but meta.total is {total}")
        complete = not problems
        for label, count in sorted(self.skipped.items()):
            problems.append(f"skipped {count} resource(s) of unknown type {label!r}")
        return ListingResult(
            collection=self.spec.collection,
            complete=complete,
            received=self.received,
            expected_total=total,
            pages=self.pages,
            problems=problems,
        )


class Lister:
    """Runs complete listings over an ``ApiSession``."""

    def __init__(
        self,
        session: ApiSession,
        *,
        limit: int,
        short_page_retries: int,
        missing_page_retries: int,
        concurrency: int,
    ) -> None:
        self._session = session
        self._limit = limit
        self._short_page_retries = short_page_retries
        self._missing_page_retries = missing_page_retries
        self._concurrency = concurrency

    async def run(self, spec: ListingSpec[T], on_page: OffsetPageCallback[T]) -> ListingResult:
        progress = _Progress(spec, on_page)
        tally = current_tally()
        if tally is not None:  # the page plan, for the caller's progress and ETA
            tally.listings += 1
            tally.pages_planned += 1
        first = await self._fetch(spec, spec.path, 0)
        if first is None:
            progress.expected_total = 0
            return progress.result()
        if tally is not None and first.total is not None:
            tally.total = first.total
            tally.pages_planned += max(0, math.ceil(first.total / self._limit) - 1)
        progress.accept(0, first)
        last_page, last_offset = first, 0
        next_offset = self._offset_of(first.next_path, spec, progress)
        if next_offset is not None and first.total is not None and next_offset < first.total:
            planned = list(range(next_offset, first.total, self._limit))
            tail = await self._fetch_concurrently(spec, planned, progress)
            if tail is None:
                return progress.result()
            last_offset, last_page = tail
            next_offset = self._offset_of(last_page.next_path, spec, progress)
        visited = {last_offset}
        while next_offset is not None:
            if next_offset in visited or next_offset <= last_offset:
                progress.problems.append(f"'next' went back to offset {next_offset}")
                break
            visited.add(next_offset)
            page = await self._fetch(spec, spec.path, next_offset)
            if page is None:
                self._note_missing(progress, next_offset)
                break
            progress.accept(next_offset, page)
            last_offset = next_offset
            next_offset = self._offset_of(page.next_path, spec, progress)
        return progress.result()

    async def _fetch_concurrently(
        self, spec: ListingSpec[T], offsets: list[int], progress: _Progress[T]
    ) -> tuple[int, Page[T]] | None:
        """Fetch the planned pages with bounded concurrency; returns the last one, or ``None``
        when the last one stayed missing."""
        queue = iter(offsets)
        last: dict[int, Page[T] | None] = {}
        final = offsets[-1]

        async def worker() -> None:
            for offset in queue:
                page = await self._fetch(spec, spec.path, offset)
                if page is None:
                    self._note_missing(progress, offset)
                else:
                    progress.accept(offset, page)
                if offset == final:
                    last[offset] = page

        await all_or_none(*(worker() for _ in range(min(self._concurrency, len(offsets)))))
        page = last.get(final)
        return (final, page) if page is not None else None

    def _note_missing(self, progress: _Progress[T], offset: int) -> None:
        total = progress.expected_total
        if total is not None and offset >= total:
            return  # Apple answers 404 past the end: nothing is missing
        progress.problems.append(
            f"the page at offset {offset} stayed missing (404) after "
            f"{self._missing_page_retries + 1} tries"
        )

    async def _fetch(self, spec: ListingSpec[T], path: str, offset: int) -> Page[T] | None:
        """One page, re-fetched while it is missing (404, except at offset 0) or short."""
        page = await self._fetch_page(spec, path, offset)
        tally = current_tally()
        if tally is not None:
            tally.pages_done += 1
        return page

    async def _fetch_page(self, spec: ListingSpec[T], path: str, offset: int) -> Page[T] | None:
        page: Page[T] | None = None
        for attempt in range(self._missing_page_retries + 1):
            page = await self._get_page(spec, path, offset)
            if page is not None or offset == 0:
                break
            if attempt < self._missing_page_retries:
                logger.info("404 at offset %d of %s: retrying", offset, spec.collection)
                await self._session.sleep(self._session.jitter(0.5 * 2**attempt))
        if page is None:
            return None
        for _ in range(self._short_page_retries):
            if not self._is_short(page, offset):
                break
            logger.info(
                "short page (%d items) at offset %d of %s: fetching it again",
                page.size,
                offset,
                spec.collection,
            )
            again = await self._get_page(spec, path, offset)
            if again is not None and again.size > page.size:
                page = again
        return page

    def _is_short(self, page: Page[T], offset: int) -> bool:
        """Fewer items than ``limit`` while more exist: ``next`` is there, or ``meta.total``
        says the page should hold more (a short last page has no ``next``)."""
        if page.size >= self._limit:
            return False
        if page.next_path is not None:
            return True
        return page.total is not None and offset + page.size < page.total

    async def _get_page(self, spec: ListingSpec[T], path: str, offset: int) -> Page[T] | None:
        params: dict[str, str | int] = {**spec.params, "limit": self._limit, "offset": offset}
        reply = await self._session.request("GET", path, params=params, missing_ok=True)
        if reply is None:
            return None
        endpoint = endpoint_of(path)
        if reply.document is None:
            raise MalformedResponse(
                f"Apple Music sent an empty body from {endpoint}",
                hint="try again later; report it if it persists",
                status=reply.status,
                endpoint=endpoint,
            )
        return parse_page(reply.document, endpoint, spec.parsers)

    def _offset_of(
        self, next_path: str | None, spec: ListingSpec[T], progress: _Progress[T]
    ) -> int | None:
        """The offset in Apple's ``next`` link; a link we cannot follow is a problem."""
        if next_path is None:
            return None
        try:
            url = httpx.URL(next_path)
            offset = int(url.params.get("offset", ""))
        except (ValueError, httpx.InvalidURL):
            offset = -1
        if url_is_foreign(next_path) or offset < 0:
            progress.problems.append(f"cannot follow 'next' link {next_path[:100]!r}")
            return None
        return offset


def url_is_foreign(path: str) -> bool:
    """Whether a ``next`` link points anywhere but a path on the API host itself."""
    return not path.startswith("/") or path.startswith("//")
