"""Requests that change the user's Apple Music: favourites, library additions, playlists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple
from urllib.parse import quote

from amsync.api.catalog import chunks, unique
from amsync.api.documents import data_list
from amsync.api.parsing import parse_library_playlist
from amsync.api.rating_types import track_type_for_id
from amsync.api.session import ApiSession
from amsync.domain import LibraryPlaylist
from amsync.errors import MalformedResponse

IDS_PER_REQUEST = 100
TRACKS_PER_REQUEST = 100


class TrackRef(NamedTuple):
    """A playlist entry to add: an id and its type (``songs``, ``library-songs``,
    ``music-videos`` or ``library-music-videos``)."""

    id: str
    type: str


def track_refs(tracks: Sequence[TrackRef | str]) -> list[dict[str, str]]:
    """Wire form of playlist entries; a bare id gets ``library-songs`` (``i.…``) or ``songs``."""
    out = []
    for track in tracks:
        ref = track if isinstance(track, TrackRef) else TrackRef(track, track_type_for_id(track))
        out.append({"id": ref.id, "type": ref.type})
    return out


async def post_typed_ids(
    session: ApiSession, path: str, ids_by_type: Mapping[str, Sequence[str]]
) -> None:
    """``POST path?ids[type]=a,b…`` in requests of at most 100 ids (202, no body)."""
    pairs = [(kind, item) for kind, ids in ids_by_type.items() for item in unique(ids)]
    for batch in chunks(pairs, IDS_PER_REQUEST):
        grouped: dict[str, list[str]] = {}
        for kind, item in batch:
            grouped.setdefault(kind, []).append(item)
        params = {f"ids[{kind}]": ",".join(items) for kind, items in grouped.items()}
        await session.request("POST", path, params=params)


async def add_playlist_tracks(
    session: ApiSession, playlist_id: str, tracks: Sequence[TrackRef | str]
) -> None:
    """Append tracks in order, 100 per request, one request after the other."""
    path = f"/v1/me/library/playlists/{quote(playlist_id, safe='')}/tracks"
    for batch in chunks(track_refs(tracks), TRACKS_PER_REQUEST):
        await session.request("POST", path, json={"data": list(batch)})


async def create_playlist(
    session: ApiSession,
    name: str,
    description: str | None,
    tracks: Sequence[TrackRef | str],
    parent_folder_id: str | None = None,
) -> LibraryPlaylist:
    path = "/v1/me/library/playlists"
    refs = track_refs(tracks)
    relationships: dict[str, object] = {}
    if refs:
        relationships["tracks"] = {"data": refs[:TRACKS_PER_REQUEST]}
    if parent_folder_id:
        relationships["parent"] = {
            "data": [{"id": parent_folder_id, "type": "library-playlist-folders"}]
        }
    body: dict[str, object] = {
        "attributes": {"name": name, "description": description or "", "isPublic": False}
    }
    if relationships:
        body["relationships"] = relationships
    reply = await session.request("POST", path, json=body)
    data = data_list(reply.document, path) if reply is not None and reply.document else []
    if not data:
        raise MalformedResponse(
            f"Apple Music created the playlist but did not return it from {path}",
            hint="run `amsync sync` to pick it up",
            endpoint=path,
        )
    playlist = parse_library_playlist(data[0], path)
    rest = tracks[TRACKS_PER_REQUEST:]
    if rest:
        await add_playlist_tracks(session, playlist.library_id, rest)
    return playlist
