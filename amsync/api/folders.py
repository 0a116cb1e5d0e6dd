"""The playlist folder tree: folders with their parents, and which folder holds each playlist.

The root comes from ``GET /v1/me/library/playlist-folders?filter[identity]=playlistsroot``
(its id in ``meta.filters.identity.playlistsroot[0].id``, else ``data[0].id``, else
``p.playlistsroot``); each folder's ``/children`` listing holds folders and playlists.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from amsync.api.fields import JsonObject, as_object, get_list, get_object, get_str
from amsync.api.pagination import Lister, ListingSpec
from amsync.api.parsing import parse_library_playlist, parse_playlist_folder
from amsync.api.session import ApiSession
from amsync.domain import FolderTree, LibraryPlaylist, PlaylistFolder

FOLDERS_PATH = "/v1/me/library/playlist-folders"
FALLBACK_ROOT_ID = "p.playlistsroot"
MAX_DEPTH = 64


def root_id_of(document: JsonObject) -> str:
    meta_ids = get_list(
        get_object(get_object(get_object(document, "meta"), "filters"), "identity"),
        "playlistsroot",
    )
    for candidates in (meta_ids, get_list(document, "data")):
        if candidates:
            found = get_str(as_object(candidates[0]), "id")
            if found:
                return found
    return FALLBACK_ROOT_ID


async def read_folder_tree(session: ApiSession, lister: Lister) -> FolderTree:
    reply = await session.request(
        "GET", FOLDERS_PATH, params={"filter[identity]": "playlistsroot"}, missing_ok=True
    )
    if reply is None:
        return FolderTree(root_id=None)
    root = root_id_of(reply.document or {})
    tree = FolderTree(root_id=root)
    listing = tree.listing
    pending: list[tuple[str, str | None, int]] = [(root, None, 0)]  # folder, its children's parent
    visited = {root}
    while pending:
        folder_id, children_parent, depth = pending.pop(0)
        children: list[PlaylistFolder | LibraryPlaylist] = []

        def collect(_offset: int, items: Sequence[PlaylistFolder | LibraryPlaylist]) -> None:
            children.extend(items)  # noqa: B023 - consumed before the next loop turn

        def parse_folder(
            value: JsonObject, endpoint: str, parent: str | None = children_parent
        ) -> PlaylistFolder | LibraryPlaylist:
            return parse_playlist_folder(value, endpoint, parent)

        spec: ListingSpec[PlaylistFolder | LibraryPlaylist] = ListingSpec(
            collection="playlist folders",
            path=f"{FOLDERS_PATH}/{quote(folder_id, safe='')}/children",
            parsers={
                "library-playlist-folders": parse_folder,
                "library-playlists": parse_library_playlist,
            },
        )
        result = await lister.run(spec, collect)
        listing.complete = listing.complete and result.complete
        listing.received += result.received
        listing.pages += result.pages
        listing.problems.extend(result.problems)
        for child in children:
            if isinstance(child, PlaylistFolder):
                tree.folders.append(child)
                if child.library_id in visited or depth + 1 > MAX_DEPTH:
                    listing.complete = False
                    listing.problems.append(f"folder {child.library_id} loops or nests too deep")
                    continue
                visited.add(child.library_id)
                pending.append((child.library_id, child.library_id, depth + 1))
            elif folder_id != root:
                tree.playlist_folder[child.library_id] = folder_id
    return tree
