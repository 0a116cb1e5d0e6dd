"""``GET /v1/me/music-summaries?filter[year]=latest&views=…``: Apple's Replay data (reference
§7.2; "Get the user's replay data" in Apple's documentation).

Answers one ``music-summaries`` resource (``id`` ``year-YYYY``, ``attributes`` ``period``
``year`` and ``year``) whose ``views`` hold each requested view (``top-songs``,
``top-albums``, ``top-artists``) as ``{"href", "data": [...]}``; each entry is a period summary
whose ``relationships`` (``song``, ``album``, ``artist``) hold the full catalog resource.
``filter[year]`` is required and only ``latest`` is served (400 / 40005 otherwise, as for any
bad parameter); an unknown view → 400. Without a summary (``Library.replay`` is None) it
answers 404, or ``{"data": []}`` with ``FaultConfig.replay_absent = "empty"``.
[UNCERTAIN] Apple does not document the period summaries' ``type`` names in the pages read;
``song-period-summaries`` (and album, artist) follow its naming of resource types.
"""

from __future__ import annotations

from typing import Any, Final

from amsync.emulator.listing import Context, split_list
from amsync.emulator.messages import Response, bad_parameter, not_found
from amsync.emulator.rendering import dumps

VIEWS: Final = {
    "top-songs": ("songs", "song", "catalog_songs"),
    "top-albums": ("albums", "album", "catalog_albums"),
    "top-artists": ("artists", "artist", "catalog_artists"),
}


def _view(ctx: Context, name: str, year: int, ids: list[str]) -> dict[str, Any]:
    rtype, relationship, pool_name = VIEWS[name]
    pool = getattr(ctx.library, pool_name)
    data = [
        {
            "id": f"{relationship}-{year}-{cid}",
            "type": f"{relationship}-period-summaries",
            "relationships": {
                relationship: {"data": [ctx.renderer.resource(rtype, cid)]},
            },
        }
        for cid in ids
        if cid in pool
    ]
    return {"href": f"/v1/me/music-summaries/year-{year}/view/{name}", "data": data}


def music_summaries(ctx: Context) -> Response:
    params = ctx.request.params
    year_filter = params.get("filter[year]")
    if year_filter is None:
        return bad_parameter("filter[year]", "Missing required parameter: filter[year]")
    if year_filter != "latest":
        return bad_parameter("filter[year]", "Only 'latest' is supported")
    views = split_list(params.get("views"))
    unknown = [v for v in views if v not in VIEWS]
    if unknown:
        return bad_parameter("views", f"Unknown view: {unknown[0][:40]}")
    replay = ctx.library.replay
    if replay is None:
        if ctx.faults.replay_absent == "empty":
            return Response(200, b'{"data":[]}')
        return not_found()
    lists = {"top-songs": replay.songs, "top-albums": replay.albums, "top-artists": replay.artists}
    summary = {
        "id": f"year-{replay.year}",
        "type": "music-summaries",
        "href": f"/v1/me/music-summaries/year-{replay.year}",
        "attributes": {"period": "year", "year": replay.year},
        "views": {name: _view(ctx, name, replay.year, lists[name]) for name in views},
    }
    return Response(200, dumps({"data": [summary]}))
