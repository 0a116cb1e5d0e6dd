"""Apple's Replay data: ``GET /v1/me/music-summaries?filter[year]=latest`` → ``ReplaySummary``.

What Apple documents ("Get the user's replay data"): the summaries of the most recent year the
user has enough listening for, as a ``MusicSummariesResponse`` whose ``data`` holds one
``music-summaries`` resource with ``attributes`` ``period`` and ``year`` and ``views``
``top-songs``, ``top-albums`` and ``top-artists``; each view has a ``data`` list of
period-summary objects whose ``relationships`` ``song``, ``album`` or ``artist`` hold the
catalog resource. The order of a view's ``data`` is Apple's ranking; only its first page comes
with the summary (a view's ``next`` is not followed: one request per sync).

A user without a summary (too little listening, a new account) gets a 404 or an empty
``data``: both read as ``None``. Items without a name are skipped (their rank stays free).
"""

from __future__ import annotations

from typing import Final

from amsync.api.documents import data_list
from amsync.api.fields import (
    JsonObject,
    as_object,
    first_related,
    get_int,
    get_list,
    get_object,
    get_str,
)
from amsync.api.parsing import resource_object
from amsync.domain.replay import ReplayItem, ReplaySummary
from amsync.errors import MalformedResponse

PATH: Final = "/v1/me/music-summaries"
PARAMS: Final = {"filter[year]": "latest", "views": "top-artists,top-albums,top-songs"}
VIEWS: Final = {
    "top-songs": ("songs", "song"),
    "top-albums": ("albums", "album"),
    "top-artists": ("artists", "artist"),
}


def _year(summary: JsonObject, attributes: JsonObject | None) -> int | None:
    year = get_int(attributes, "year")
    if year is None:
        text = get_str(attributes, "year") or ""
        year = int(text) if text.isdigit() else None
    if year is None:  # the id Apple gives a year's summary: year-2025
        suffix = (get_str(summary, "id") or "").rpartition("-")[2]
        year = int(suffix) if suffix.isdigit() else None
    return year if year is not None and 1900 < year < 10_000 else None


def _item(entry: object, top: str, relationship: str, rank: int) -> ReplayItem | None:
    summary = as_object(entry)
    if summary is None:
        return None
    related = first_related(summary, relationship)
    attributes = get_object(related, "attributes")
    name = get_str(attributes, "name")
    if not name:
        return None
    artwork = get_str(get_object(attributes, "artwork"), "url")
    return ReplayItem(
        top=top,
        rank=rank,
        name=name,
        catalog_id=get_str(related, "id"),
        artist=get_str(attributes, "artistName") if top != "artists" else None,
        album=get_str(attributes, "albumName") if top == "songs" else None,
        artwork_url=artwork,
    )


def parse_replay_summary(document: JsonObject, endpoint: str = PATH) -> ReplaySummary | None:
    """The first summary of a ``music-summaries`` document; ``None`` when it holds none."""
    data = data_list(document, endpoint)
    if not data:
        return None
    summary = resource_object(data[0], endpoint)
    attributes = get_object(summary, "attributes")
    year = _year(summary, attributes)
    if year is None:
        raise MalformedResponse(
            f"Apple Music sent a Replay summary without a year from {endpoint}",
            hint="report it if it persists",
            endpoint=endpoint,
        )
    views = get_object(summary, "views")
    items: list[ReplayItem] = []
    for key, (top, relationship) in VIEWS.items():
        entries = get_list(get_object(views, key), "data") or []
        for rank, entry in enumerate(entries, 1):
            item = _item(entry, top, relationship, rank)
            if item is not None:
                items.append(item)
    return ReplaySummary(
        year=year,
        items=tuple(items),
        period=get_str(attributes, "period"),
        apple_id=get_str(summary, "id"),
    )
