"""A Subsonic-compatible music server (Navidrome, gonic, Airsonic-Advanced, Ampache, LMS,
Supysonic…) as plain data, and the Protocol through which ``amsync.servers`` reaches one.
``amsync.subsonic.SubsonicServer`` satisfies it over HTTP; tests may pass a small fake.

Ids are the server's own (text). Durations are milliseconds (the Subsonic API gives whole
seconds). Playlists are the signed-in user's own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class AuthMode(StrEnum):
    """How amsync proves who it is to the server."""

    TOKEN = "token"  # noqa: S105  (salted MD5 of the password, API 1.13 and later)
    PASSWORD = "password"  # noqa: S105  (hex-encoded password, older servers)
    API_KEY = "api-key"  # OpenSubsonic apiKeyAuthentication


class StarKind(StrEnum):
    SONG = "song"
    ALBUM = "album"
    ARTIST = "artist"


@dataclass(frozen=True, slots=True)
class ServerIdentity:
    """What the server said of itself, and how amsync signed in."""

    url: str  # the API root as amsync canonicalised it (no credentials)
    user: str | None
    api_version: str
    auth: AuthMode
    server_type: str | None = None  # OpenSubsonic "type": navidrome, gonic, …
    server_version: str | None = None
    open_subsonic: bool = False
    extensions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ServerSong:
    id: str
    title: str
    artist: str | None = None
    album: str | None = None
    album_id: str | None = None
    artist_id: str | None = None
    album_artist: str | None = None
    duration_ms: int | None = None
    path: str | None = None
    isrcs: tuple[str, ...] = ()
    mb_recording_id: str | None = None


@dataclass(frozen=True, slots=True)
class ServerPlaylist:
    id: str
    name: str
    owner: str | None = None
    song_count: int = 0
    comment: str | None = None
    created: str | None = None


@dataclass(frozen=True, slots=True)
class ServerStars:
    """What the user has starred on the server, by kind."""

    songs: frozenset[str] = frozenset()
    albums: frozenset[str] = frozenset()
    artists: frozenset[str] = frozenset()

    def of(self, kind: StarKind) -> frozenset[str]:
        if kind is StarKind.SONG:
            return self.songs
        if kind is StarKind.ALBUM:
            return self.albums
        return self.artists


class MediaServer(Protocol):
    """What a push needs from a Subsonic-compatible server. Reads may be retried; writes
    report themselves in ``writes``."""

    @property
    def identity(self) -> ServerIdentity: ...

    @property
    def requests(self) -> int: ...

    @property
    def writes(self) -> int: ...

    def last_scan(self) -> str | None:
        """When the server last scanned its music (any text that changes with each scan), or
        ``None`` when it does not say."""
        ...

    def songs(self, on_page: Callable[[int], None] | None = None) -> list[ServerSong]:
        """Every song the user can see, read completely (``on_page``: songs so far)."""
        ...

    def playlists(self) -> list[ServerPlaylist]:
        """The user's own playlists."""
        ...

    def playlist_song_ids(self, playlist_id: str) -> list[str]: ...

    def create_playlist(
        self, name: str, song_ids: Sequence[str], *, existing: Collection[str]
    ) -> str:
        """Create a playlist; its id. ``existing``: ids of playlists that were there before
        (a server that does not answer with the new playlist is asked for its list)."""
        ...

    def replace_playlist_songs(self, playlist_id: str, song_ids: Sequence[str]) -> None: ...

    def update_playlist(
        self, playlist_id: str, *, name: str | None = None, comment: str | None = None
    ) -> None: ...

    def delete_playlist(self, playlist_id: str) -> None: ...

    def starred(self) -> ServerStars: ...

    def star(self, kind: StarKind, ids: Sequence[str]) -> None: ...

    def unstar(self, kind: StarKind, ids: Sequence[str]) -> None: ...

    def song_rating(self, song_id: str) -> int | None:
        """The user's rating of a song (1–5), ``None`` when unrated or gone."""
        ...

    def set_rating(self, song_id: str, rating: int) -> None:
        """Rate a song 1–5; 0 removes the rating."""
        ...


def canonical_server_url(url: str) -> str:
    """The API root a person typed, as amsync keys it: scheme and host in lower case, no
    default port, no trailing ``/``, and no ``/rest`` (nor ``/rest/ping.view``) at the end —
    ``HTTPS://Music.Example.com:443/navidrome/rest/`` is ``https://music.example.com/navidrome``.
    A URL with a user or password in it, a query or a fragment is refused (``ConfigError``),
    without repeating it: it may hold a password."""
    from urllib.parse import urlsplit, urlunsplit

    from amsync.errors import ConfigError

    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ConfigError(
            "the server URL is not a valid URL", hint="give it as https://host[:port][/path]"
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            "the server URL must start with http:// or https:// and name a host",
            hint="e.g. https://music.example.com or http://127.0.0.1:4533",
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            "the server URL must not carry a user or password",
            hint="give the user with --user and the password in AMSYNC_SUBSONIC_PASSWORD, "
            "--password-file or `amsync server login URL`",
        )
    if parts.query or parts.fragment:
        raise ConfigError("the server URL must not carry a query (?…) or fragment (#…)")
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[scheme]
    netloc = host if port in (None, default) else f"{host}:{port}"
    path = parts.path.rstrip("/")
    segments = path.split("/")
    if len(segments) >= 2 and segments[-2] == "rest":  # …/rest/ping.view
        segments = segments[:-1]
    if segments[-1] == "rest":
        segments = segments[:-1]
    return urlunsplit((scheme, netloc, "/".join(segments).rstrip("/"), "", ""))
