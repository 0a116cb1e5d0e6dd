"""Maps (method, path) to a handler and a log-friendly endpoint template.

Unknown paths → 404 (40400); a known path with a method Apple does not offer → 405 with an
``Allow`` header (our pick between 404 and 405; no DELETE of library items, no renames, no
track removal exist).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from amsync.emulator import (
    catalog_routes,
    catalog_search,
    library_routes,
    personal_routes,
    replay_routes,
)
from amsync.emulator.library import RATING_KINDS
from amsync.emulator.listing import Context
from amsync.emulator.messages import Response

Handler = Callable[[Context], Response]
CATALOG_TYPES = ("songs", "albums", "artists", "playlists", "music-videos")


def _test(ctx: Context) -> Response:
    return Response(200, b"{}")


@dataclass(frozen=True, slots=True)
class Route:
    endpoint: str  # template, e.g. "/v1/me/library/songs/{id}"
    methods: Mapping[str, Handler]
    paged: bool = False
    personal: bool = False


def _library(segs: list[str]) -> Route | None:
    n = len(segs)
    if n == 3:
        return Route(
            "/v1/me/library",
            {"GET": library_routes.multi_type, "POST": personal_routes.add_to_library},
            personal=True,
        )
    name = segs[3]
    if name == "recently-added" and n == 4:
        return Route(
            "/v1/me/library/recently-added", {"GET": library_routes.recently_added}, True, True
        )
    if name == "search" and n == 4:
        return Route("/v1/me/library/search", {"GET": library_routes.search}, personal=True)
    if name == "playlist-folders":
        base = "/v1/me/library/playlist-folders"
        if n == 4:
            folder_methods: dict[str, Handler] = {
                "GET": library_routes.folders,
                "POST": library_routes.create_folder,
            }
            return Route(base, folder_methods, True, True)
        if n == 5:
            return Route(base + "/{id}", {"GET": library_routes.folder}, personal=True)
        if n == 6 and segs[5] == "children":
            return Route(
                base + "/{id}/children", {"GET": library_routes.folder_children}, True, True
            )
        return None
    if name not in library_routes.COLLECTIONS:
        return None
    base = f"/v1/me/library/{name}"
    if n == 4:
        listing: dict[str, Handler] = {"GET": library_routes.collection}
        if name == "playlists":
            listing["POST"] = personal_routes.create_playlist
        return Route(base, listing, True, True)
    if n == 5:
        return Route(base + "/{id}", {"GET": library_routes.single}, personal=True)
    if n == 6 and segs[5] in library_routes.RELATIONSHIPS[name]:
        related: dict[str, Handler] = {"GET": library_routes.relationship}
        if name == "playlists" and segs[5] == "tracks":
            related["POST"] = personal_routes.add_tracks
        return Route(f"{base}/{{id}}/{segs[5]}", related, True, True)
    return None


def _me(segs: list[str]) -> Route | None:
    n = len(segs)
    if n == 3 and segs[2] == "storefront":
        return Route("/v1/me/storefront", {"GET": library_routes.storefront}, personal=True)
    if n == 3 and segs[2] == "music-summaries":
        return Route(
            "/v1/me/music-summaries", {"GET": replay_routes.music_summaries}, personal=True
        )
    if n == 3 and segs[2] == "favorites":
        return Route("/v1/me/favorites", {"POST": personal_routes.favorites}, personal=True)
    if segs[2] == "ratings" and n in (4, 5) and segs[3] in RATING_KINDS:
        base = f"/v1/me/ratings/{segs[3]}"
        if n == 4:
            return Route(base, {"GET": personal_routes.ratings_multi}, personal=True)
        methods: dict[str, Handler] = {
            "GET": personal_routes.rating_get,
            "PUT": personal_routes.rating_put,
            "DELETE": personal_routes.rating_delete,
        }
        return Route(base + "/{id}", methods, personal=True)
    if segs[2] == "library":
        return _library(segs)
    return None


def resolve(path: str) -> tuple[Route | None, list[str]]:
    """The route for a path (None when unknown) and the path segments."""
    segs = path.split("/")[1:]
    if len(segs) < 2 or segs[0] != "v1" or "" in segs:
        return None, segs
    if segs == ["v1", "test"]:
        return Route("/v1/test", {"GET": _test}), segs
    if segs[1] == "me" and len(segs) >= 3:
        return _me(segs), segs
    if segs[1] == "catalog" and len(segs) == 4 and segs[3] == "search":
        return Route("/v1/catalog/{storefront}/search", {"GET": catalog_search.search}), segs
    if segs[1] == "catalog" and len(segs) in (4, 5) and segs[3] in CATALOG_TYPES:
        base = f"/v1/catalog/{{storefront}}/{segs[3]}"
        if len(segs) == 4:
            return Route(base, {"GET": catalog_routes.collection}), segs
        return Route(base + "/{id}", {"GET": catalog_routes.single}), segs
    return None, segs
