"""``SubsonicServer``: one signed-in session with a Subsonic-compatible server, satisfying
``amsync.domain.media_server.MediaServer``.

``connect`` asks the server what it is without credentials first (every server answers
``ping`` with its envelope, which carries the API version and, for OpenSubsonic servers, their
type and extensions), chooses how to sign in (``auth``), and proves it with a signed ``ping``.

The catalogue is read once per run: ``search3`` with an empty query, paged 500 songs at a time
until a page comes back empty (Navidrome, Supysonic, …); a server that refuses an empty query or
returns nothing that way is read through its album lists (``getAlbumList2`` then ``getAlbum``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from amsync.config.secret import Secret
from amsync.domain.media_server import (
    AuthMode,
    ServerIdentity,
    ServerPlaylist,
    ServerSong,
    ServerStars,
    StarKind,
)
from amsync.errors import ConfigError, MediaServerError, NotSubsonicApi
from amsync.subsonic import parsing
from amsync.subsonic.auth import FALLBACK_CODES, Signer, choose_mode, describe, spoken_version
from amsync.subsonic.wire import Wire, raise_for_code

log = logging.getLogger("amsync.subsonic")

PAGE: Final = 500
STAR_BATCH: Final = 100
FAR_FUTURE_MS: Final = str(10**15)
_STAR_PARAM: Final = {StarKind.SONG: "id", StarKind.ALBUM: "albumId", StarKind.ARTIST: "artistId"}


@dataclass
class SubsonicServer:
    wire: Wire
    signer: Signer
    identity: ServerIdentity
    _owner: str | None = field(default=None)

    # --- counters ---------------------------------------------------------------------------

    @property
    def requests(self) -> int:
        return self.wire.requests

    @property
    def writes(self) -> int:
        return self.wire.writes

    def close(self) -> None:
        self.wire.close()

    def __enter__(self) -> SubsonicServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading ----------------------------------------------------------------------------

    def last_scan(self) -> str | None:
        body = self.wire.call("getIndexes", [("ifModifiedSince", FAR_FUTURE_MS)])
        indexes = body.get("indexes")
        modified = indexes.get("lastModified") if isinstance(indexes, dict) else None
        if isinstance(modified, int | float) and modified > 0:
            return str(int(modified))
        if self.identity.open_subsonic:
            try:
                status = self.wire.call("getScanStatus").get("scanStatus")
            except MediaServerError:
                return None
            last = status.get("lastScan") if isinstance(status, dict) else None
            return last if isinstance(last, str) and last else None
        return None

    def songs(self, on_page: Callable[[int], None] | None = None) -> list[ServerSong]:
        found = self._songs_by_search(on_page)
        if not found:
            found = self._songs_by_albums(on_page)
        return found

    def _songs_by_search(self, on_page: Callable[[int], None] | None) -> list[ServerSong]:
        found: dict[str, ServerSong] = {}
        offset = 0
        while True:
            params = [
                ("query", ""),
                ("songCount", str(PAGE)),
                ("songOffset", str(offset)),
                ("artistCount", "0"),
                ("albumCount", "0"),
            ]
            try:
                body = self.wire.call("search3", params)
            except MediaServerError as exc:
                if exc.code is None or offset:
                    raise
                log.info("search3 with an empty query refused (%s): reading album lists", exc)
                return []
            page = parsing.items(body.get("searchResult3"), "song")
            if not page:
                return list(found.values())
            for song in parsing.songs(page):
                found.setdefault(song.id, song)
            offset += len(page)
            if on_page is not None:
                on_page(len(found))

    def _songs_by_albums(self, on_page: Callable[[int], None] | None) -> list[ServerSong]:
        album_ids: list[str] = []
        offset = 0
        while True:
            body = self.wire.call(
                "getAlbumList2",
                [("type", "alphabeticalByName"), ("size", str(PAGE)), ("offset", str(offset))],
            )
            page = parsing.items(body.get("albumList2"), "album")
            if not page:
                break
            album_ids += [str(raw["id"]) for raw in page if raw.get("id") is not None]
            offset += len(page)
        found: dict[str, ServerSong] = {}
        for album_id in dict.fromkeys(album_ids):
            try:
                album = self.wire.call("getAlbum", [("id", album_id)]).get("album")
            except MediaServerError as exc:
                if exc.code == 70:  # gone since the list was read
                    continue
                raise
            for song in parsing.songs(parsing.items(album, "song")):
                found.setdefault(song.id, song)
            if on_page is not None:
                on_page(len(found))
        return list(found.values())

    def playlists(self) -> list[ServerPlaylist]:
        body = self.wire.call("getPlaylists")
        every = parsing.playlists(parsing.items(body.get("playlists"), "playlist"))
        owner = self.owner
        return [p for p in every if owner is None or p.owner in (None, owner)]

    @property
    def owner(self) -> str | None:
        return self._owner or self.identity.user

    def playlist_song_ids(self, playlist_id: str) -> list[str]:
        body = self.wire.call("getPlaylist", [("id", playlist_id)])
        entries = parsing.items(body.get("playlist"), "entry")
        return [str(raw["id"]) for raw in entries if raw.get("id") is not None]

    def starred(self) -> ServerStars:
        return parsing.stars(self.wire.call("getStarred2"))

    def song_rating(self, song_id: str) -> int | None:
        try:
            body = self.wire.call("getSong", [("id", song_id)])
        except MediaServerError as exc:
            if exc.code == 70:
                return None
            raise
        return parsing.rating(body.get("song"))

    # --- writing ----------------------------------------------------------------------------

    def create_playlist(
        self, name: str, song_ids: Sequence[str], *, existing: Collection[str]
    ) -> str:
        body = self.wire.call(
            "createPlaylist",
            [("name", name), *(("songId", s) for s in song_ids)],
            write=True,
            idempotent=False,
        )
        made = parsing.playlist(body.get("playlist") or {})
        if made is not None:
            return made.id
        # API 1.13 and older answer with an empty envelope: find the new one by its name
        known = set(existing)
        new = [p for p in self.playlists() if p.name == name and p.id not in known]
        if not new:
            raise MediaServerError(
                f"{self.identity.url} accepted playlist {name!r} but does not list it",
                hint="run the push again",
            )
        return max(new, key=lambda p: (p.created or "", _numeric(p.id))).id

    def replace_playlist_songs(self, playlist_id: str, song_ids: Sequence[str]) -> None:
        self.wire.call(
            "createPlaylist",
            [("playlistId", playlist_id), *(("songId", s) for s in song_ids)],
            write=True,
        )

    def update_playlist(
        self, playlist_id: str, *, name: str | None = None, comment: str | None = None
    ) -> None:
        params = [("playlistId", playlist_id)]
        if name is not None:
            params.append(("name", name))
        if comment is not None:
            params.append(("comment", comment))
        self.wire.call("updatePlaylist", params, write=True)

    def delete_playlist(self, playlist_id: str) -> None:
        try:
            self.wire.call("deletePlaylist", [("id", playlist_id)], write=True)
        except MediaServerError as exc:
            if exc.code != 70:  # already gone: done
                raise

    def star(self, kind: StarKind, ids: Sequence[str]) -> None:
        self._stars("star", kind, ids, idempotent=False)

    def unstar(self, kind: StarKind, ids: Sequence[str]) -> None:
        self._stars("unstar", kind, ids, idempotent=True)

    def _stars(
        self, endpoint: str, kind: StarKind, ids: Sequence[str], *, idempotent: bool
    ) -> None:
        for start in range(0, len(ids), STAR_BATCH):
            batch = ids[start : start + STAR_BATCH]
            params = [(_STAR_PARAM[kind], i) for i in batch]
            self.wire.call(endpoint, params, write=True, idempotent=idempotent)

    def set_rating(self, song_id: str, rating: int) -> None:
        self.wire.call("setRating", [("id", song_id), ("rating", str(rating))], write=True)


def _numeric(text: str) -> tuple[int, str]:
    return (int(text), text) if text.isdigit() else (0, text)


def connect(
    url: str,
    user: str | None,
    secret: Secret,
    *,
    timeout_s: float = 30.0,
    retry_budget_s: float = 60.0,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] | None = None,
) -> SubsonicServer:
    """Sign in to the server at ``url`` (canonical, see ``canonical_server_url``)."""
    wire = Wire(url, timeout_s=timeout_s, retry_budget_s=retry_budget_s, transport=transport)
    if sleep is not None:
        wire.sleep = sleep
    try:
        return _sign_in(wire, url, user, secret)
    except BaseException:
        wire.close()
        raise


def _sign_in(wire: Wire, url: str, user: str | None, secret: Secret) -> SubsonicServer:
    probe = wire.envelope("ping", signed=False)
    version = probe.version
    if version is None:
        raise NotSubsonicApi(f"{url} answers ping without a Subsonic API version")
    wire.version = spoken_version(version)
    open_subsonic = probe.body.get("openSubsonic") is True
    extensions = _extensions(wire) if open_subsonic else ()
    if user is None and "apiKeyAuthentication" not in extensions:
        raise ConfigError(
            f"which user? {url} takes a user name and password", hint="give --user USER"
        )
    mode = choose_mode(version, extensions, user)
    signer = Signer(mode, user if mode is not AuthMode.API_KEY else None, secret)
    wire.auth = signer.params
    wire.redact = signer.redact
    log.info("signing in to %s%s with %s", url, f" as {user}" if user else "",
             describe(mode, version))  # fmt: skip
    answer = wire.envelope("ping")
    if not answer.ok:
        code, message = answer.error
        if mode is AuthMode.TOKEN and code in FALLBACK_CODES:
            log.info(
                "%s answered a token with error %s (%s): signing in with the hex-encoded "
                "password instead",
                url,
                code,
                wire.redact(message) or "no message",
            )
            mode = AuthMode.PASSWORD
            signer = Signer(mode, user, secret)
            wire.auth = signer.params
            answer = wire.envelope("ping")
        if not answer.ok:
            code, message = answer.error
            raise_for_code(url, "ping", code, wire.redact(message))
    server_type = probe.body.get("type")
    server_version = probe.body.get("serverVersion")
    identity = ServerIdentity(
        url=url,
        user=user,
        api_version=version,
        auth=mode,
        server_type=server_type if isinstance(server_type, str) else None,
        server_version=server_version if isinstance(server_version, str) else None,
        open_subsonic=open_subsonic,
        extensions=extensions,
    )
    log.info(
        "signed in%s",
        f"; the server is {identity.server_type} {identity.server_version or ''}".rstrip()
        if identity.server_type
        else "",
    )
    server = SubsonicServer(wire, signer, identity)
    if mode is AuthMode.API_KEY:
        server._owner = _key_owner(wire)
    return server


def _extensions(wire: Wire) -> tuple[str, ...]:
    try:
        answer = wire.envelope("getOpenSubsonicExtensions", signed=False)
    except NotSubsonicApi:
        return ()
    if not answer.ok:
        return ()
    names = [
        raw.get("name")
        for raw in parsing.items(answer.body, "openSubsonicExtensions")
        if isinstance(raw.get("name"), str)
    ]
    return tuple(str(n) for n in names)


def _key_owner(wire: Wire) -> str | None:
    """The user an API key belongs to (``tokenInfo``), so that only their playlists count."""
    try:
        info: Any = wire.call("tokenInfo").get("tokenInfo")
    except MediaServerError:
        return None
    name = info.get("username") if isinstance(info, dict) else None
    return name if isinstance(name, str) else None
