"""Handlers for ratings, favorites and the library writes Apple offers (reference §4, §5).

- Ratings for nine types; ``artists``/``library-artists`` have no endpoint → 404. Multi-get
  accepts up to ``FaultConfig.ratings_max_ids`` ids (400 above), omits unrated ids.
  PUT body type ``rating`` or ``ratings``, value 1 / -1 → 200 with the rating; DELETE → 204,
  404 when unrated; unknown library ids → 404.
- ``POST /v1/me/favorites?ids[type]=…`` → 202 (rating 1); raw ``ids=`` → 400 / 40005.
- ``POST /v1/me/library?ids[songs|albums|playlists]=…`` → 202 (new library ids).
- ``POST /v1/me/library/playlists`` → 201; ``POST …/playlists/{id}/tracks`` → 204 (appended).
  [UNCERTAIN] A playlist with canEdit false answers 403 code 40300 with a distinct detail;
  unknown track ids → 400. Anything else Apple lacks (DELETE of library items, rename, track
  removal) answers 405 Method Not Allowed on known paths.
"""

from __future__ import annotations

import json
from typing import Any

from amsync.emulator.catalog_routes import available
from amsync.emulator.library import RATING_KINDS
from amsync.emulator.listing import Context, data_response, split_list
from amsync.emulator.messages import Response, bad_parameter, error, not_found
from amsync.emulator.rendering import PLAIN, dumps

CATALOG_TYPE = {"songs": "songs", "albums": "albums", "playlists": "playlists"}
CATALOG_TYPE["music-videos"] = "music-videos"
TRACK_TYPES = ("songs", "library-songs", "music-videos", "library-music-videos")


def _rating_object(rtype: str, rid: str, value: int) -> dict[str, Any]:
    return {
        "id": rid,
        "type": "ratings",
        "href": f"/v1/me/ratings/{rtype}/{rid}",
        "attributes": {"value": value},
    }


def _known(ctx: Context, rtype: str, rid: str) -> bool:
    """Whether the item exists (stations: any ``ra.`` id)."""
    if rtype == "stations":
        return rid.startswith("ra.")
    if rtype in CATALOG_TYPE:
        return available(ctx, rtype, rid)
    return ctx.library.rating_key(rtype, rid) is not None


def ratings_multi(ctx: Context) -> Response:
    rtype = ctx.segments[3]
    ids = split_list(ctx.request.params.get("ids"))
    if not ids:
        return bad_parameter("ids", "Missing required parameter: ids")
    if len(ids) > ctx.faults.ratings_max_ids:
        return bad_parameter("ids", f"At most {ctx.faults.ratings_max_ids} ids are allowed")
    data = []
    for rid in dict.fromkeys(ids):
        value = ctx.library.rating_of(rtype, rid)
        if value is not None:
            data.append(_rating_object(rtype, rid, value))
    return Response(200, dumps({"data": data}))


def rating_get(ctx: Context) -> Response:
    rtype, rid = ctx.segments[3], ctx.segments[4]
    value = ctx.library.rating_of(rtype, rid)
    if value is None:
        return not_found()
    return Response(200, dumps({"data": [_rating_object(rtype, rid, value)]}))


def rating_put(ctx: Context) -> Response:
    rtype, rid = ctx.segments[3], ctx.segments[4]
    try:
        body = json.loads(ctx.request.body or b"null")
        kind = body["type"]
        value = body["attributes"]["value"]
    except (ValueError, KeyError, TypeError):
        return bad_parameter("body", 'Expected {"type":"ratings","attributes":{"value":1}}')
    if kind not in ("rating", "ratings"):
        return bad_parameter("type", "Type must be ratings")
    if isinstance(value, bool) or value not in (1, -1):
        return bad_parameter("value", "Value must be 1 or -1")
    if not _known(ctx, rtype, rid):
        return not_found()
    if not ctx.faults.ignore_writes:
        ctx.library.set_rating(rtype, rid, int(value))
    return Response(200, dumps({"data": [_rating_object(rtype, rid, int(value))]}))


def rating_delete(ctx: Context) -> Response:
    rtype, rid = ctx.segments[3], ctx.segments[4]
    if ctx.faults.ignore_writes:
        return Response(204)
    if ctx.library.rating_of(rtype, rid) is None:
        return not_found()
    ctx.library.set_rating(rtype, rid, None)
    return Response(204)


def _typed_ids(ctx: Context) -> dict[str, list[str]] | Response:
    params = ctx.request.params
    typed = {
        key[4:-1]: split_list(value)
        for key, value in params.items()
        if key.startswith("ids[") and key.endswith("]")
    }
    if "ids" in params or not typed:
        return bad_parameter("ids", "Please provide a single (1) resource type")
    return typed


def favorites(ctx: Context) -> Response:
    """POST /v1/me/favorites?ids[songs]=…&ids[albums]=… → 202, unknown ids ignored."""
    typed = _typed_ids(ctx)
    if isinstance(typed, Response):
        return typed
    if not ctx.faults.ignore_writes:
        for rtype, ids in typed.items():
            if rtype not in RATING_KINDS:
                continue
            for rid in ids:
                if _known(ctx, rtype, rid):
                    ctx.library.set_rating(rtype, rid, 1)
    return Response(202)


def add_to_library(ctx: Context) -> Response:
    """POST /v1/me/library?ids[songs]=…&ids[albums]=…&ids[playlists]=… → 202."""
    typed = _typed_ids(ctx)
    if isinstance(typed, Response):
        return typed
    lib = ctx.library
    for rid in typed.get("songs", []):
        if available(ctx, "songs", rid):
            lib.add_song(rid)
    for rid in typed.get("albums", []):
        if available(ctx, "albums", rid):
            lib.add_album(rid)
    for rid in typed.get("playlists", []):
        if available(ctx, "playlists", rid):
            lib.add_catalog_playlist(rid)
    return Response(202)


def _resolve_tracks(ctx: Context, data: Any) -> list[str] | Response:
    if not isinstance(data, list):
        return bad_parameter("data", "Expected a list of {id, type}")
    lib = ctx.library
    out: list[str] = []
    for item in data:
        if not isinstance(item, dict) or item.get("type") not in TRACK_TYPES:
            return bad_parameter("type", f"Track type must be one of {', '.join(TRACK_TYPES)}")
        rid, rtype = str(item.get("id")), item["type"]
        if (rtype == "library-songs" and rid in lib.songs) or (
            rtype == "library-music-videos" and rid in lib.music_videos
        ):
            out.append(rid)
        elif rtype == "songs" and available(ctx, "songs", rid):
            out.append(lib.library_song_for(rid).id)
        elif rtype == "music-videos" and available(ctx, "music-videos", rid):
            match = [v.id for v in lib.music_videos.values() if v.catalog_id == rid]
            if not match:
                return bad_parameter("id", f"Music video {rid} is not in the library")
            out.append(match[0])
        else:
            return bad_parameter("id", f"Unknown track id: {rid}")
    return out


def create_playlist(ctx: Context) -> Response:
    """POST /v1/me/library/playlists → 201 with the new playlist."""
    try:
        body = json.loads(ctx.request.body or b"null")
        attributes = body["attributes"]
        name = attributes["name"]
        relationships = body.get("relationships") or {}
    except (ValueError, KeyError, TypeError, AttributeError):
        return bad_parameter("body", 'Expected {"attributes":{"name":…}}')
    if not isinstance(name, str) or not name:
        return bad_parameter("name", "A playlist name is required")
    description = attributes.get("description") or ""
    if isinstance(description, dict):
        description = description.get("standard") or ""
    tracks: list[str] = []
    if "tracks" in relationships:
        resolved = _resolve_tracks(ctx, (relationships["tracks"] or {}).get("data"))
        if isinstance(resolved, Response):
            return resolved
        tracks = resolved
    parents = (relationships.get("parent") or {}).get("data") or []
    parent_id = parents[0].get("id") if parents and isinstance(parents[0], dict) else None
    if parent_id == "p.playlistsroot":
        parent_id = None
    if parent_id is not None and parent_id not in ctx.library.folders:
        return error(404, "Parent folder not found")
    playlist = ctx.library.add_playlist(
        name, str(description), tracks, parent_id, is_public=bool(attributes.get("isPublic"))
    )
    return data_response(ctx, [("library-playlists", playlist.id)], PLAIN, status=201)


def add_tracks(ctx: Context) -> Response:
    """POST /v1/me/library/playlists/{id}/tracks → 204, tracks appended."""
    playlist = ctx.library.playlists.get(ctx.segments[4])
    if playlist is None:
        return not_found()
    if not playlist.can_edit:
        return error(403, "This playlist cannot be edited", title="Forbidden")
    try:
        body = json.loads(ctx.request.body or b"null")
        data = body["data"]
    except (ValueError, KeyError, TypeError):
        return bad_parameter("body", 'Expected {"data":[{"id":…,"type":…}]}')
    resolved = _resolve_tracks(ctx, data)
    if isinstance(resolved, Response):
        return resolved
    ctx.library.set_playlist_tracks(playlist.id, playlist.tracks + resolved)
    return Response(204)
