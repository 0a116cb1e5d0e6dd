"""Shared request context, include/extend parsing, sort orders and paged responses (§2.2).

Paging: ``limit`` must be an integer 1..max (default per endpoint), ``offset`` an integer ≥ 0,
else 400 / 40005 naming the parameter. ``next`` is the same path with only ``offset`` while more
items remain; ``meta.total`` is always present. An empty collection or an offset at or past the
end answers 404 (body per ``FaultConfig.page_404_body``). Library listings are alphabetical by
name, ties broken by id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import overload

from amsync.emulator.catalog_index import SearchIndex
from amsync.emulator.faults import Decision, FaultConfig
from amsync.emulator.library import Library
from amsync.emulator.messages import Request, Response, bad_parameter, error
from amsync.emulator.rendering import Renderer, Variant

MAX_LIMIT = 100
DEFAULT_LIMITS = {
    "songs": 25,
    "albums": 25,
    "artists": 25,
    "playlists": 25,
    "music-videos": 25,
    "recently-added": 10,
    "tracks": 100,
    "children": 25,
    "relationship": 25,
    "search": 5,
}


@dataclass
class Context:
    request: Request
    library: Library
    renderer: Renderer
    faults: FaultConfig
    sorts: SortCache
    decision: Decision = field(default_factory=Decision)
    segments: list[str] = field(default_factory=list)


def split_list(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def variant_for(params: dict[str, str], rtype: str) -> Variant:
    """Variant of the primary data: unscoped include/extend plus ones scoped to ``rtype``."""
    includes = set(split_list(params.get("include")))
    includes.update(split_list(params.get(f"include[{rtype}]")))
    extend = set(split_list(params.get("extend")))
    extend.update(split_list(params.get(f"extend[{rtype}]")))
    return frozenset(includes), "dateAdded" in extend, "inFavorites" in extend


class SortCache:
    """Alphabetical id orders per collection and the catalog search index (each rebuilt when
    the library changes)."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._orders: dict[str, list[str]] = {}
        self._version = -1
        self.search_index = SearchIndex()

    def ids(self, collection: str) -> list[str]:
        lib = self.library
        if lib.version != self._version:
            self._orders.clear()
            self._version = lib.version
        found = self._orders.get(collection)
        if found is None:
            items = getattr(lib, collection.replace("-", "_"))
            found = sorted(items, key=lambda i: (items[i].name, i))
            self._orders[collection] = found
        return found


def parse_int(params: dict[str, str], name: str, default: int, low: int, high: int) -> int | None:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if low <= value <= high else None


def page_bounds(
    ctx: Context, default_limit: int, max_limit: int = MAX_LIMIT
) -> tuple[int, int] | Response:
    params = ctx.request.params
    limit = parse_int(params, "limit", default_limit, 1, max_limit)
    if limit is None:
        return bad_parameter("limit", f"Value must be an integer between 1 and {max_limit}")
    offset = parse_int(params, "offset", 0, 0, 10**9)
    if offset is None:
        return bad_parameter("offset", "Value must be a non-negative integer")
    return offset, limit


def empty_page(ctx: Context) -> Response:
    if ctx.faults.page_404_body == "braces":
        return Response(404, b"{}")
    return error(404)


class SameType(Sequence[tuple[str, str]]):
    """A view of an id list as ``(type, id)`` pairs without building a tuple per id."""

    def __init__(self, rtype: str, ids: list[str]) -> None:
        self._rtype = rtype
        self._ids = ids

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> tuple[str, str]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[str, str]]: ...
    def __getitem__(self, index: int | slice) -> tuple[str, str] | list[tuple[str, str]]:
        if isinstance(index, slice):
            return [(self._rtype, i) for i in self._ids[index]]
        return self._rtype, self._ids[index]


def page_response(
    ctx: Context,
    items: Sequence[tuple[str, str]],
    default_limit: int,
    variant: Variant,
    max_limit: int = MAX_LIMIT,
) -> Response:
    """One page of ``(type, id)`` items in Apple's listing shape."""
    bounds = page_bounds(ctx, default_limit, max_limit)
    if isinstance(bounds, Response):
        return bounds
    offset, limit = bounds
    total = len(items)
    if offset >= total or (offset > 0 and ctx.decision.transient_404):
        return empty_page(ctx)
    page = list(items[offset : offset + limit])
    if ctx.decision.short_page_drop and len(page) > 1:
        drop = {i % len(page) for i in ctx.decision.short_page_drop}
        if len(drop) >= len(page):
            drop = set(list(drop)[: len(page) - 1])
        page = [item for index, item in enumerate(page) if index not in drop]
    fragment = ctx.renderer.fragment
    data = b",".join([fragment(t, i, variant) for t, i in page])
    head = b"{"
    if offset + limit < total:
        head += b'"next":"%s?offset=%d",' % (ctx.request.path.encode(), offset + limit)
    return Response(200, b'%s"data":[%s],"meta":{"total":%d}}' % (head, data, total))


def data_response(
    ctx: Context, items: list[tuple[str, str]], variant: Variant, status: int = 200
) -> Response:
    """``{"data":[…]}`` for multi-gets and single gets."""
    fragment = ctx.renderer.fragment
    return Response(
        status, b'{"data":[%s]}' % b",".join([fragment(t, i, variant) for t, i in items])
    )
