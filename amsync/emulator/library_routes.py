"""Handlers for ``/v1/me/library/*`` reads and ``/v1/me/storefront``.

Listings: songs/albums/artists/playlists/music-videos default 25 per page, playlist tracks 100,
recently-added 10, folder children 25, relationships 25, search 5 (max 25); max 100 elsewhere.
``?ids=`` multi-gets answer found ids in request order (unknown omitted, 200 ``{"data":[]}`` when
none match, 400 above 300 ids). [UNCERTAIN] Folder children list folders first, then playlists,
each alphabetically. Search ``next`` keeps ``term`` and ``types`` (a bare offset could not page).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from amsync.emulator.listing import (
    DEFAULT_LIMITS,
    Context,
    SameType,
    data_response,
    page_bounds,
    page_response,
    split_list,
    variant_for,
)
from amsync.emulator.messages import Response, bad_parameter, error, not_found
from amsync.emulator.rendering import PLAIN, dumps

COLLECTIONS = {
    "songs": "library-songs",
    "albums": "library-albums",
    "artists": "library-artists",
    "playlists": "library-playlists",
    "music-videos": "library-music-videos",
}
RELATIONSHIPS = {
    "songs": ("albums", "artists", "catalog"),
    "music-videos": ("albums", "artists", "catalog"),
    "albums": ("artists", "catalog", "tracks"),
    "artists": ("albums", "catalog"),
    "playlists": ("catalog", "tracks"),
}
MAX_IDS = 300
ROOT = "p.playlistsroot"
FOLDER = "library-playlist-folders"
STOREFRONTS = {
    "us": ("United States", "en-US", ["en-US", "es-MX"]),
    "gb": ("United Kingdom", "en-GB", ["en-GB"]),
    "de": ("Germany", "de-DE", ["de-DE", "en-GB"]),
    "jp": ("Japan", "ja-JP", ["ja-JP", "en-US"]),
}


def storefront(ctx: Context) -> Response:
    sf = ctx.library.storefront
    name, tag, tags = STOREFRONTS.get(sf, (sf.upper(), "en-US", ["en-US"]))
    body = {
        "data": [
            {
                "id": sf,
                "type": "storefronts",
                "href": f"/v1/storefronts/{sf}",
                "attributes": {
                    "name": name,
                    "defaultLanguageTag": tag,
                    "supportedLanguageTags": tags,
                    "explicitContentPolicy": "allowed",
                },
            }
        ]
    }
    return Response(200, dumps(body))


def _exists(ctx: Context, collection: str, rid: str) -> bool:
    lib = ctx.library
    pools: dict[str, Mapping[str, object]] = {
        "songs": lib.songs,
        "albums": lib.albums,
        "artists": lib.artists,
        "playlists": lib.playlists,
        "music-videos": lib.music_videos,
    }
    return rid in pools[collection]


def collection(ctx: Context) -> Response:
    """GET /v1/me/library/{collection} — listing or ``?ids=`` multi-get."""
    name = ctx.segments[3]
    rtype = COLLECTIONS[name]
    params = ctx.request.params
    variant = variant_for(params, rtype)
    if "ids" in params:
        ids = split_list(params["ids"])
        if not ids or len(ids) > MAX_IDS:
            return bad_parameter("ids", f"Provide between 1 and {MAX_IDS} ids")
        found = [(rtype, i) for i in ids if _exists(ctx, name, i)]
        return data_response(ctx, found, variant)
    items = SameType(rtype, ctx.sorts.ids(name))
    return page_response(ctx, items, DEFAULT_LIMITS[name], variant)


def single(ctx: Context) -> Response:
    """GET /v1/me/library/{collection}/{id}"""
    name, rid = ctx.segments[3], ctx.segments[4]
    if not _exists(ctx, name, rid):
        return not_found()
    rtype = COLLECTIONS[name]
    return data_response(ctx, [(rtype, rid)], variant_for(ctx.request.params, rtype))


def relationship(ctx: Context) -> Response:
    """GET /v1/me/library/{collection}/{id}/{relationship}"""
    name, rid, rel = ctx.segments[3], ctx.segments[4], ctx.segments[5]
    if rel not in RELATIONSHIPS.get(name, ()) or not _exists(ctx, name, rid):
        return not_found()
    related = ctx.renderer.related(COLLECTIONS[name], rid, rel) or []
    types = {t for t, _ in related}
    variant = variant_for(ctx.request.params, next(iter(types)) if len(types) == 1 else "")
    default = DEFAULT_LIMITS["tracks"] if rel == "tracks" else DEFAULT_LIMITS["relationship"]
    return page_response(ctx, related, default, variant)


def recently_added(ctx: Context) -> Response:
    lib = ctx.library
    dated: list[tuple[str, str, str]] = [
        (a.date_added or "", "library-albums", a.id) for a in lib.albums.values()
    ]
    dated += [(p.date_added or "", "library-playlists", p.id) for p in lib.playlists.values()]
    dated.sort(key=lambda item: (item[0], item[2]), reverse=True)
    items = [(t, i) for _, t, i in dated]
    return page_response(ctx, items, DEFAULT_LIMITS["recently-added"], PLAIN)


SEARCHABLE = {
    "library-songs": "songs",
    "library-albums": "albums",
    "library-artists": "artists",
    "library-playlists": "playlists",
    "library-music-videos": "music-videos",
}


def search(ctx: Context) -> Response:
    params = ctx.request.params
    term = params.get("term", "").strip()
    if not term:
        return bad_parameter("term", "A search term is required")
    types = split_list(params.get("types"))
    if not types or any(t not in SEARCHABLE for t in types):
        return bad_parameter("types", "Provide one or more library resource types")
    bounds = page_bounds(ctx, DEFAULT_LIMITS["search"], 25)
    if isinstance(bounds, Response):
        return bounds
    offset, limit = bounds
    needle = term.casefold()
    pools: dict[str, Mapping[str, Any]] = {
        "songs": ctx.library.songs,
        "albums": ctx.library.albums,
        "artists": ctx.library.artists,
        "playlists": ctx.library.playlists,
        "music-videos": ctx.library.music_videos,
    }
    results: dict[str, object] = {}
    for rtype in types:
        name = SEARCHABLE[rtype]
        pool = pools[name]
        hits = [i for i in ctx.sorts.ids(name) if needle in pool[i].name.casefold()]
        page = hits[offset : offset + limit]
        if not page:
            continue
        query = {"term": term, "types": rtype, "limit": str(limit)}
        group: dict[str, object] = {"href": "/v1/me/library/search?" + urlencode(query)}
        if offset + limit < len(hits):
            query["offset"] = str(offset + limit)
            group["next"] = "/v1/me/library/search?" + urlencode(query)
        group["data"] = [json.loads(ctx.renderer.fragment(rtype, i)) for i in page]
        results[rtype] = group
    order = list(results)
    return Response(
        200, dumps({"results": results, "meta": {"results": {"order": order, "rawOrder": order}}})
    )


def multi_type(ctx: Context) -> Response:
    """GET /v1/me/library?ids[library-songs]=…&ids[library-albums]=…"""
    params = ctx.request.params
    if "ids" in params:
        return bad_parameter("ids", "Please provide a single (1) resource type")
    lib = ctx.library
    pools: dict[str, Mapping[str, object]] = {
        "library-songs": lib.songs,
        "library-albums": lib.albums,
        "library-artists": lib.artists,
        "library-playlists": lib.playlists,
        "library-music-videos": lib.music_videos,
        FOLDER: lib.folders,
    }
    items: list[tuple[str, str]] = []
    asked = 0
    for key, value in params.items():
        if not (key.startswith("ids[") and key.endswith("]")):
            continue
        rtype = key[4:-1]
        if rtype not in pools:
            return bad_parameter(key, f"Unsupported resource type: {rtype}")
        ids = split_list(value)
        asked += len(ids)
        items += [(rtype, i) for i in ids if i in pools[rtype]]
    if not asked:
        return bad_parameter("ids", "Please provide a single (1) resource type")
    return data_response(ctx, items, PLAIN)


# ---------------------------------------------------------------------- playlist folders
def _root_resource() -> bytes:
    return dumps(
        {
            "id": ROOT,
            "type": FOLDER,
            "href": f"/v1/me/library/playlist-folders/{ROOT}",
            "attributes": {"name": "Playlists"},
        }
    )


def folders(ctx: Context) -> Response:
    """GET /v1/me/library/playlist-folders (?filter[identity]=playlistsroot | ?ids=)."""
    params = ctx.request.params
    identity = params.get("filter[identity]")
    if identity is not None:
        if identity != "playlistsroot":
            return bad_parameter("filter[identity]", "Unsupported identity")
        ident = {"id": ROOT, "type": FOLDER, "href": f"/v1/me/library/playlist-folders/{ROOT}"}
        body = {"data": [], "meta": {"filters": {"identity": {"playlistsroot": [ident]}}}}
        return Response(200, dumps(body))
    if "ids" in params:
        ids = split_list(params["ids"])
        if not ids or len(ids) > MAX_IDS:
            return bad_parameter("ids", f"Provide between 1 and {MAX_IDS} ids")
        parts = [
            _root_resource() if i == ROOT else ctx.renderer.fragment(FOLDER, i)
            for i in ids
            if i == ROOT or i in ctx.library.folders
        ]
        return Response(200, b'{"data":[%s]}' % b",".join(parts))
    items = [(FOLDER, i) for i in ctx.sorts.ids("folders")]
    return page_response(ctx, items, DEFAULT_LIMITS["children"], PLAIN)


def folder(ctx: Context) -> Response:
    rid = ctx.segments[4]
    if rid == ROOT:
        return Response(200, b'{"data":[%s]}' % _root_resource())
    if rid not in ctx.library.folders:
        return not_found()
    return data_response(ctx, [(FOLDER, rid)], PLAIN)


def folder_children(ctx: Context) -> Response:
    rid = ctx.segments[4]
    lib = ctx.library
    if rid != ROOT and rid not in lib.folders:
        return not_found()
    parent = None if rid == ROOT else rid
    items = [(FOLDER, i) for i in ctx.sorts.ids("folders") if lib.folders[i].parent_id == parent]
    items += [
        ("library-playlists", i)
        for i in ctx.sorts.ids("playlists")
        if lib.playlists[i].parent_id == parent
    ]
    return page_response(ctx, items, DEFAULT_LIMITS["children"], PLAIN)


def create_folder(ctx: Context) -> Response:
    """POST /v1/me/library/playlist-folders → 201 with the new folder."""
    try:
        body = json.loads(ctx.request.body or b"null")
        name = body["attributes"]["name"]
        parents = ((body.get("relationships") or {}).get("parent") or {}).get("data") or []
    except (ValueError, KeyError, TypeError, AttributeError):
        return bad_parameter("body", 'Expected {"attributes":{"name":…}}')
    if not isinstance(name, str) or not name:
        return bad_parameter("name", "A folder name is required")
    parent_id = parents[0].get("id") if parents and isinstance(parents[0], dict) else None
    if parent_id == ROOT:
        parent_id = None
    if parent_id is not None and parent_id not in ctx.library.folders:
        return error(404, "Parent folder not found")
    created = ctx.library.add_folder(name, parent_id)
    return data_response(ctx, [(FOLDER, created.id)], PLAIN, status=201)
