"""``GET /v1/catalog/{storefront}/search?term=…&types=songs,albums,artists`` (§7.2).

Apple's search is fuzzy and its ranking unpublished; a client must confirm every hit itself.
The emulator's stand-in (:mod:`amsync.emulator.catalog_index`) is simple and deterministic:
every word of the term must be a word of the resource. ``limit`` 1..25 (default 5),
``offset`` ≥ 0; ``next`` keeps ``term``, ``types`` and ``limit`` (as Apple's does). No hits:
200 with ``"results": {}`` and empty ``meta.results.order``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from amsync.emulator.catalog_index import SEARCH_TYPES
from amsync.emulator.catalog_routes import check_storefront
from amsync.emulator.listing import DEFAULT_LIMITS, Context, page_bounds, split_list
from amsync.emulator.messages import Response, bad_parameter
from amsync.emulator.rendering import dumps

MAX_SEARCH_LIMIT = 25


def search(ctx: Context) -> Response:
    """GET /v1/catalog/{sf}/search"""
    problem = check_storefront(ctx)
    if problem is not None:
        return problem
    params = ctx.request.params
    term = params.get("term", "").strip()
    if not term:
        return bad_parameter("term", "A search term is required")
    types = split_list(params.get("types"))
    if not types or any(t not in SEARCH_TYPES for t in types):
        return bad_parameter("types", "Provide one or more of: " + ", ".join(SEARCH_TYPES))
    bounds = page_bounds(ctx, DEFAULT_LIMITS["search"], MAX_SEARCH_LIMIT)
    if isinstance(bounds, Response):
        return bounds
    offset, limit = bounds
    index = ctx.sorts.search_index
    storefront = ctx.segments[2]
    path = f"/v1/catalog/{storefront}/search"
    results: dict[str, object] = {}
    for rtype in types:
        hits = index.hits(ctx.library, rtype, term)
        page = hits[offset : offset + limit]
        if not page:
            continue
        query = {"term": term, "types": rtype, "limit": str(limit)}
        if offset:
            query["offset"] = str(offset)
        group: dict[str, object] = {"href": f"{path}?{urlencode(query)}"}
        if offset + limit < len(hits):
            query["offset"] = str(offset + limit)
            group["next"] = f"{path}?{urlencode(query)}"
        group["data"] = [json.loads(ctx.renderer.fragment(rtype, i)) for i in page]
        results[rtype] = group
    order = list(results)
    document: Mapping[str, Any] = {
        "results": results,
        "meta": {"results": {"order": order, "rawOrder": order}},
    }
    return Response(200, dumps(document))
