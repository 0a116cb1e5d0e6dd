"""The baseline for the sync benchmark: a library sync written the way the most widely used
open-source Apple Music library sync does it (Music Assistant's provider, as described in
``apple-music-api.md`` §4.3): sequential paging of 100 following ``next``, one request every
0.25 s (a fixed 4 requests/s), retries of 429/5xx with exponential backoff, catalog songs in
batches of 150, ratings in batches of 200. It reads everything the amsync sync reads and keeps
it in memory; it writes no database, so the comparison favours it.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

INTERVAL_S = 0.25
PAGE = 100
CATALOG_BATCH = 150
RATINGS_BATCH = 200
ATTEMPTS = 8


class BaselineClient:
    def __init__(self, base_url: str, developer_token: str, user_token: str) -> None:
        self.http = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {developer_token}", "Music-User-Token": user_token},
            timeout=60,
        )
        self.requests = 0
        self.throttled = 0
        self._last = 0.0

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        for attempt in range(ATTEMPTS):
            wait = self._last + INTERVAL_S - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last = time.monotonic()
            self.requests += 1
            try:
                answer = self.http.get(path, params=params)
            except httpx.TransportError:
                time.sleep(min(64, 2**attempt))
                continue
            if answer.status_code == 404:
                return None
            if answer.status_code == 429 or answer.status_code >= 500:
                self.throttled += answer.status_code == 429
                time.sleep(min(64, 2**attempt))
                continue
            answer.raise_for_status()
            try:
                data: dict[str, Any] = answer.json()
            except ValueError:
                continue
            return data
        raise RuntimeError(f"baseline gave up on {path}")

    def _list(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = self._get(path, {**params, "limit": PAGE, "offset": offset})
            if page is None:
                return items
            items += page.get("data", [])
            if not page.get("next"):
                return items
            offset += PAGE

    def sync(self) -> dict[str, Any]:
        started = time.monotonic()
        songs = self._list("/v1/me/library/songs", {"extend": "dateAdded"})
        albums = self._list("/v1/me/library/albums", {"extend": "dateAdded"})
        artists = self._list("/v1/me/library/artists", {})
        playlists = self._list("/v1/me/library/playlists", {"extend": "dateAdded"})
        tracks = {
            p["id"]: self._list(f"/v1/me/library/playlists/{p['id']}/tracks", {}) for p in playlists
        }
        storefront = (self._get("/v1/me/storefront") or {}).get("data", [{}])[0].get("id", "us")
        catalog_ids = sorted(
            {
                s.get("attributes", {}).get("playParams", {}).get("catalogId")
                for s in songs
                if s.get("attributes", {}).get("playParams", {}).get("catalogId")
            }
        )
        catalog: list[dict[str, Any]] = []
        for start in range(0, len(catalog_ids), CATALOG_BATCH):
            batch = catalog_ids[start : start + CATALOG_BATCH]
            answer = self._get(f"/v1/catalog/{storefront}/songs", {"ids": ",".join(batch)})
            catalog += (answer or {}).get("data", [])
        ratings = 0
        for kind, items in (
            ("library-songs", songs),
            ("library-albums", albums),
            ("library-playlists", playlists),
        ):
            ids = [item["id"] for item in items]
            for start in range(0, len(ids), RATINGS_BATCH):
                answer = self._get(
                    f"/v1/me/ratings/{kind}", {"ids": ",".join(ids[start : start + RATINGS_BATCH])}
                )
                ratings += len((answer or {}).get("data", []))
        return {
            "wall_s": round(time.monotonic() - started, 2),
            "requests": self.requests,
            "throttled": self.throttled,
            "songs": len(songs),
            "albums": len(albums),
            "artists": len(artists),
            "playlists": len(playlists),
            "playlist_entries": sum(len(t) for t in tracks.values()),
            "catalog_songs": len(catalog),
            "ratings": ratings,
        }
