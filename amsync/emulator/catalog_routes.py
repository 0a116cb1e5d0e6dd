"""Handlers for ``/v1/catalog/{storefront}/{songs,albums,artists,playlists,music-videos}``.

Multi-get by ``ids`` omits unknown and withdrawn ids (200 ``{"data":[]}`` when nothing matches);
above ``FaultConfig.catalog_400_above`` ids → 400, songs above ``catalog_504_above`` → 504.
``filter[isrc]`` takes ≤ 25 ISRCs and answers ``meta.filters.isrc.{ISRC}`` identifier lists.
Any two-letter storefront is accepted; [UNCERTAIN] other storefront codes → 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amsync.emulator.listing import Context, data_response, split_list, variant_for
from amsync.emulator.messages import Response, bad_parameter, error, not_found
from amsync.emulator.rendering import dumps, identifier

MAX_ISRCS = 25


def _pool(ctx: Context, rtype: str) -> Mapping[str, Any]:
    lib = ctx.library
    pools: dict[str, Mapping[str, Any]] = {
        "songs": lib.catalog_songs,
        "albums": lib.catalog_albums,
        "artists": lib.catalog_artists,
        "playlists": lib.catalog_playlists,
        "music-videos": lib.catalog_music_videos,
    }
    return pools[rtype]


def available(ctx: Context, rtype: str, rid: str) -> bool:
    """Known to the catalog and not withdrawn."""
    item = _pool(ctx, rtype).get(rid)
    return item is not None and not getattr(item, "withdrawn", False)


def check_storefront(ctx: Context) -> Response | None:
    sf = ctx.segments[2]
    if len(sf) != 2 or not sf.isalpha() or not sf.islower():
        return bad_parameter("storefront", f"Invalid storefront: {sf}")
    return None


def collection(ctx: Context) -> Response:
    """GET /v1/catalog/{sf}/{type}?ids=… or songs?filter[isrc]=…"""
    problem = check_storefront(ctx)
    if problem is not None:
        return problem
    rtype = ctx.segments[3]
    params = ctx.request.params
    variant = variant_for(params, rtype)
    if rtype == "songs" and "filter[isrc]" in params:
        return _by_isrc(ctx, split_list(params["filter[isrc]"]), variant)
    ids = split_list(params.get("ids"))
    if not ids:
        return bad_parameter("ids", "Missing required parameter: ids")
    if len(ids) > ctx.faults.catalog_400_above:
        return bad_parameter("ids", f"At most {ctx.faults.catalog_400_above} ids are allowed")
    if rtype == "songs" and len(ids) > ctx.faults.catalog_504_above:
        return error(504)
    seen: set[str] = set()
    found = []
    for rid in ids:
        if rid not in seen and available(ctx, rtype, rid):
            seen.add(rid)
            found.append((rtype, rid))
    return data_response(ctx, found, variant)


def _by_isrc(ctx: Context, isrcs: list[str], variant: Any) -> Response:
    if not isrcs or len(isrcs) > MAX_ISRCS:
        return bad_parameter("filter[isrc]", f"Provide between 1 and {MAX_ISRCS} ISRCs")
    wanted = {i.upper() for i in isrcs}
    sf = ctx.library.storefront
    matches: dict[str, list[str]] = {}
    for song in ctx.library.catalog_songs.values():
        if song.isrc in wanted and not song.withdrawn:
            matches.setdefault(song.isrc, []).append(song.id)
    ids = [rid for isrc in sorted(matches) for rid in matches[isrc]]
    page = data_response(ctx, [("songs", rid) for rid in ids], variant)
    filters = {
        isrc: [identifier("songs", rid, sf) for rid in song_ids]
        for isrc, song_ids in matches.items()
    }
    meta = dumps({"filters": {"isrc": filters}})
    return Response(200, page.body[:-1] + b',"meta":' + meta + b"}")


def single(ctx: Context) -> Response:
    problem = check_storefront(ctx)
    if problem is not None:
        return problem
    rtype, rid = ctx.segments[3], ctx.segments[4]
    if not available(ctx, rtype, rid):
        return not_found()
    return data_response(ctx, [(rtype, rid)], variant_for(ctx.request.params, rtype))
