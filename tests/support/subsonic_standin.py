"""A Subsonic-compatible server in a thread, on 127.0.0.1 over real HTTP — a controllable
stand-in for the cases a real server cannot be made to produce (every error code 0–70, a
timeout after a write was applied, OpenSubsonic API keys, ISRCs, servers that report paths
absolutely), and for the benchmark's 10,000-song server.

It follows the Subsonic API as Navidrome and Supysonic answer it: the JSON envelope
(``subsonic-response`` with ``status``, ``version``; ``openSubsonic``, ``type`` and
``serverVersion`` when it says it is OpenSubsonic), errors with HTTP 200, parameters from the
query string and from a form-encoded POST body, token (``t``/``s``), hex (``p=enc:``), plain
password and ``apiKey`` authentication (tokens only when its API version is 1.13 or later: an
older one answers a token with error 10, as Supysonic does), ``search3`` with an empty query
paged by ``songOffset``, ``createPlaylist`` with ``playlistId`` replacing the songs (answering
with the playlist from API 1.14 on), ``star`` of an already starred item failing with error 0
(as Supysonic does), ``getIndexes``' ``lastModified`` as the last scan.

Faults (``Fault``): the n-th call of an endpoint answers an error code, an HTTP status, or is
applied and then left unanswered for ``hang_s`` seconds (the client times out).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Song:
    id: str
    title: str
    artist: str
    album: str
    album_id: str
    artist_id: str
    duration_s: int
    path: str
    isrc: tuple[str, ...] = ()
    mbid: str | None = None

    def child(self, starred: bool, rating: int | None) -> dict[str, Any]:
        found: dict[str, Any] = {
            "id": self.id,
            "parent": self.album_id,
            "isDir": False,
            "title": self.title,
            "album": self.album,
            "artist": self.artist,
            "duration": self.duration_s,
            "path": self.path,
            "albumId": self.album_id,
            "artistId": self.artist_id,
            "type": "music",
            "isVideo": False,
        }
        if self.isrc:
            found["isrc"] = list(self.isrc)
        if self.mbid:
            found["musicBrainzId"] = self.mbid
        if starred:
            found["starred"] = "2026-01-01T00:00:00Z"
        if rating:
            found["userRating"] = rating
        return found


@dataclass
class Fault:
    endpoint: str
    nth: int = 1  # the n-th call of the endpoint (counted from 1)
    code: int | None = None  # answer this Subsonic error code
    http_status: int | None = None  # answer this HTTP status, no envelope
    body: bytes | None = None  # with this body
    hang_s: float = 0.0  # apply, then wait this long before answering
    times: int = 1  # how many calls from the n-th on


@dataclass
class Playlist:
    id: str
    name: str
    owner: str
    songs: list[str]
    comment: str | None = None
    created: str = ""


@dataclass
class StandinState:
    songs: list[Song]
    users: dict[str, str]
    api_version: str = "1.16.1"
    open_subsonic: bool = True
    server_type: str = "standin"
    api_keys: dict[str, str] = field(default_factory=dict)  # key -> user
    last_scan: int = 1_700_000_000_000
    search_needs_query: bool = False  # as gonic: the catalogue comes from the album lists
    latency_s: float = 0.0  # every answer waits this long
    playlists: dict[str, Playlist] = field(default_factory=dict)
    stars: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    ratings: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    faults: list[Fault] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    writes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    _index: tuple[int, int, dict[str, Song]] = (0, -1, {})

    @property
    def by_id(self) -> dict[str, Song]:
        """The songs by id (rebuilt when ``songs`` is replaced or changes length)."""
        source, length, index = self._index
        if source != id(self.songs) or length != len(self.songs):
            index = {s.id: s for s in self.songs}
            self._index = (id(self.songs), len(self.songs), index)
        return index

    def user_playlists(self, user: str) -> list[Playlist]:
        return [p for p in self.playlists.values() if p.owner == user]


WRITES = frozenset(
    {"createPlaylist", "updatePlaylist", "deletePlaylist", "star", "unstar", "setRating"}
)


class SubsonicError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p.isdigit())


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._handle(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._handle(self.rfile.read(length))

    def _handle(self, body: bytes) -> None:
        parts = urlsplit(self.path)
        endpoint = parts.path.rsplit("/", 1)[-1].removesuffix(".view")
        if not parts.path.startswith("/rest/"):
            self._send(404, b"<html>not here</html>", "text/html")
            return
        params: dict[str, list[str]] = defaultdict(list)
        pairs = [
            *parse_qsl(parts.query, keep_blank_values=True),
            *parse_qsl(body.decode(), keep_blank_values=True),
        ]
        for name, value in pairs:
            params[name].append(value)
        state = self.server.state
        with state.lock:
            state.calls[endpoint] += 1
            fault = next(
                (
                    f
                    for f in state.faults
                    if f.endpoint == endpoint and f.nth <= state.calls[endpoint] < f.nth + f.times
                ),
                None,
            )
        if fault is not None and fault.http_status is not None:
            self._send(fault.http_status, fault.body or b"", "text/html")
            return
        try:
            if fault is not None and fault.code is not None:
                raise SubsonicError(fault.code, f"stand-in fault {fault.code}")
            user = _authenticate(state, params, endpoint)
            with state.lock:
                data = _route(state, endpoint, params, user)
                if endpoint in WRITES:
                    state.writes += 1
            envelope = {"status": "ok", **data}
        except SubsonicError as exc:
            envelope = {"status": "failed", "error": {"code": exc.code, "message": exc.message}}
        if fault is not None and fault.hang_s:
            time.sleep(fault.hang_s)
        if state.latency_s:
            time.sleep(state.latency_s)
        envelope |= {"version": state.api_version}
        if state.open_subsonic:
            envelope |= {"openSubsonic": True, "type": state.server_type, "serverVersion": "0.1"}
        payload = json.dumps({"subsonic-response": envelope}).encode()
        self._send(200, payload, "application/json")

    def _send(self, status: int, payload: bytes, kind: str) -> None:
        with contextlib.suppress(OSError):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)


def _one(params: dict[str, list[str]], name: str, default: str | None = None) -> str:
    values = params.get(name)
    if not values:
        if default is not None:
            return default
        raise SubsonicError(10, f"Required parameter is missing: {name}")
    return values[0]


UNAUTHENTICATED = frozenset({"getOpenSubsonicExtensions"})


def _authenticate(state: StandinState, params: dict[str, list[str]], endpoint: str) -> str:
    if endpoint in UNAUTHENTICATED:
        return ""
    if "apiKey" in params:
        if "u" in params:
            raise SubsonicError(43, "Multiple conflicting authentication mechanisms provided")
        user = state.api_keys.get(params["apiKey"][0])
        if user is None:
            raise SubsonicError(44, "Invalid API key")
        return user
    user = _one(params, "u")
    _one(params, "c")
    _one(params, "v")
    password = state.users.get(user)
    if "t" in params:
        if _version(state.api_version) < (1, 13):
            raise SubsonicError(10, "Required parameter is missing: p")
        token, salt = _one(params, "t"), _one(params, "s")
        expected = hashlib.md5(((password or "") + salt).encode(), usedforsecurity=False)
        if password is None or token != expected.hexdigest():
            raise SubsonicError(40, "Wrong username or password")
        return user
    given = _one(params, "p")
    if given.startswith("enc:"):
        given = bytes.fromhex(given[4:]).decode()
    if password is None or given != password:
        raise SubsonicError(40, "Wrong username or password")
    return user


def _playlist(state: StandinState, playlist: Playlist, with_entries: bool) -> dict[str, Any]:
    by_id = state.by_id
    found: dict[str, Any] = {
        "id": playlist.id,
        "name": playlist.name,
        "owner": playlist.owner,
        "songCount": sum(1 for s in playlist.songs if s in by_id),
        "created": playlist.created,
        "public": False,
        "duration": 0,
    }
    if playlist.comment:
        found["comment"] = playlist.comment
    if with_entries:
        found["entry"] = [by_id[s].child(False, None) for s in playlist.songs if s in by_id]
    return found


def _owned(state: StandinState, playlist_id: str, user: str) -> Playlist:
    playlist = state.playlists.get(playlist_id)
    if playlist is None:
        raise SubsonicError(70, "Playlist not found")
    if playlist.owner != user:
        raise SubsonicError(50, "User is not authorized for the given operation")
    return playlist


def _songs(state: StandinState, ids: list[str]) -> list[str]:
    by_id = state.by_id
    for song_id in ids:
        if song_id not in by_id:
            raise SubsonicError(70, f"Song {song_id} not found")
    return list(ids)


def _route(
    state: StandinState, endpoint: str, params: dict[str, list[str]], user: str
) -> dict[str, Any]:
    if endpoint == "ping":
        return {}
    if endpoint == "getOpenSubsonicExtensions":
        if not state.open_subsonic:
            raise SubsonicError(0, "Unknown method")
        extensions = [{"name": "formPost", "versions": [1]}]
        if state.api_keys:
            extensions.append({"name": "apiKeyAuthentication", "versions": [1]})
        return {"openSubsonicExtensions": extensions}
    if endpoint == "tokenInfo":
        return {"tokenInfo": {"username": user}}
    if endpoint == "getIndexes":
        return {"indexes": {"lastModified": state.last_scan, "ignoredArticles": ""}}
    if endpoint == "search3":
        offset, count = int(_one(params, "songOffset", "0")), int(_one(params, "songCount", "20"))
        query = _one(params, "query").strip('"').lower()
        if not query and state.search_needs_query:
            raise SubsonicError(10, "Required parameter is missing: query")
        matching = [s for s in state.songs if query in s.title.lower()]
        stars, ratings = state.stars[user]["song"], state.ratings[user]
        page = matching[offset : offset + min(count, 500)]
        return {
            "searchResult3": {"song": [s.child(s.id in stars, ratings.get(s.id)) for s in page]}
        }
    if endpoint == "getAlbumList2":
        offset, size = int(_one(params, "offset", "0")), int(_one(params, "size", "10"))
        albums = sorted({s.album_id: s for s in state.songs}.values(), key=lambda s: s.album)
        page = albums[offset : offset + min(size, 500)]
        return {"albumList2": {"album": [{"id": s.album_id, "name": s.album} for s in page]}}
    if endpoint == "getAlbum":
        album_id = _one(params, "id")
        tracks = [s.child(False, None) for s in state.songs if s.album_id == album_id]
        if not tracks:
            raise SubsonicError(70, "Album not found")
        return {"album": {"id": album_id, "song": tracks}}
    if endpoint == "getPlaylists":
        return {
            "playlists": {
                "playlist": [_playlist(state, p, False) for p in state.user_playlists(user)]
            }
        }
    if endpoint == "getPlaylist":
        return {"playlist": _playlist(state, _owned(state, _one(params, "id"), user), True)}
    if endpoint == "createPlaylist":
        songs = _songs(state, params.get("songId", []))
        if "playlistId" in params:
            playlist = _owned(state, _one(params, "playlistId"), user)
            playlist.songs = songs
        else:
            number = next(state._ids)
            playlist = Playlist(
                str(number),
                _one(params, "name"),
                user,
                songs,
                created=f"2026-01-01T00:00:{number:02d}Z",
            )
            state.playlists[playlist.id] = playlist
        if _version(state.api_version) >= (1, 14):
            return {"playlist": _playlist(state, playlist, True)}
        return {}
    if endpoint == "updatePlaylist":
        playlist = _owned(state, _one(params, "playlistId"), user)
        if "name" in params:
            playlist.name = params["name"][0]
        if "comment" in params:
            playlist.comment = params["comment"][0]
        return {}
    if endpoint == "deletePlaylist":
        _owned(state, _one(params, "id"), user)
        del state.playlists[_one(params, "id")]
        return {}
    if endpoint == "getStarred2":
        stars, by_id = state.stars[user], state.by_id
        albums = {s.album_id: s for s in state.songs}
        artists = {s.artist_id: s for s in state.songs}
        return {
            "starred2": {
                "song": [by_id[i].child(True, None) for i in sorted(stars["song"]) if i in by_id],
                "album": [
                    {"id": i, "name": albums[i].album}
                    for i in sorted(stars["album"])
                    if i in albums
                ],
                "artist": [
                    {"id": i, "name": artists[i].artist}
                    for i in sorted(stars["artist"])
                    if i in artists
                ],
            }
        }
    if endpoint in ("star", "unstar"):
        for key, kind in (("id", "song"), ("albumId", "album"), ("artistId", "artist")):
            for item in params.get(key, []):
                have = state.stars[user][kind]
                if endpoint == "star":
                    if item in have:
                        raise SubsonicError(0, f"{kind} {item} already starred")
                    have.add(item)
                else:
                    have.discard(item)
        return {}
    if endpoint == "getSong":
        song = state.by_id.get(_one(params, "id"))
        if song is None:
            raise SubsonicError(70, "Song not found")
        return {
            "song": song.child(
                song.id in state.stars[user]["song"], state.ratings[user].get(song.id)
            )
        }
    if endpoint == "setRating":
        song_id, rating = _one(params, "id"), int(_one(params, "rating"))
        if song_id not in state.by_id:
            raise SubsonicError(70, "Song not found")
        if rating:
            state.ratings[user][song_id] = rating
        else:
            state.ratings[user].pop(song_id, None)
        return {}
    raise SubsonicError(0, f"Unknown method {endpoint}")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: StandinState


@contextlib.contextmanager
def serving(state: StandinState) -> Iterator[str]:
    """Serve ``state`` on 127.0.0.1 (a free port) until the block ends; yields the URL."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = state
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def songs_of(library: Any, *, isrc_share: float = 0.5) -> list[Song]:
    """An emulated Apple Music library's songs as a server would list them (tags as Apple has
    them, durations in whole seconds, ISRCs for a share of them): a server that has every
    song."""
    songs: list[Song] = []
    for n, (library_id, song) in enumerate(sorted(library.songs.items())):
        catalog = library.catalog_songs.get(song.catalog_id or "")
        isrc = catalog.isrc if catalog is not None and n % 100 < isrc_share * 100 else None
        songs.append(
            Song(
                f"s{n}",
                song.name,
                song.artist_name,
                song.album_name or "",
                f"al-{song.album_name}",
                f"ar-{song.artist_name}",
                song.duration_ms // 1000,
                f"{song.artist_name}/{song.album_name}/{n:05d}.mp3",
                (isrc,) if isrc else (),
            )
        )
        del library_id
    return songs
