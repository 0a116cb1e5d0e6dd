"""What a push did (or would do): per playlist the action, how each track was found, what is
missing and why; per kind of star what was starred and taken back. Plain data, rendered by
the CLI as text, ``--json`` or a listing (``amsync server status``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from amsync.domain.media_server import ServerIdentity

PLAYLIST_COLUMNS: Final = (
    "playlist",
    "library_id",
    "server_name",
    "server_playlist_id",
    "action",
    "tracks",
    "written",
    "path",
    "isrc",
    "mbid",
    "tags",
    "missing",
    "ambiguous",
)
MISSING_COLUMNS: Final = ("playlist", "position", "name", "artist", "album", "reason")
METHODS: Final = ("path", "isrc", "mbid", "tags")


@dataclass(frozen=True, slots=True)
class Missing:
    """An Apple track (or favourite) that is not written, and why."""

    position: int | None
    library_id: str
    name: str
    artist: str | None
    album: str | None
    reason: str
    ambiguous: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "library_id": self.library_id,
            "name": self.name,
            "artist": self.artist,
            "album": self.album,
            "reason": self.reason,
            "ambiguous": self.ambiguous,
        }


@dataclass
class PlaylistReport:
    library_id: str
    apple_name: str
    server_name: str
    server_playlist_id: str | None
    action: str
    tracks: int = 0  # Apple's tracks
    written: int = 0  # tracks found on the server (what the server playlist holds)
    by_method: Counter[str] = field(default_factory=Counter)
    missing: list[Missing] = field(default_factory=list)
    adopted: bool = False
    done: bool = False
    error: str | None = None

    @property
    def ambiguous(self) -> int:
        return sum(1 for m in self.missing if m.ambiguous)

    def row(self) -> tuple[Any, ...]:
        return (
            self.apple_name,
            self.library_id,
            self.server_name,
            self.server_playlist_id,
            self.action,
            self.tracks,
            self.written,
            *(self.by_method.get(m, 0) for m in METHODS),
            len(self.missing) - self.ambiguous,
            self.ambiguous,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "library_id": self.library_id,
            "name": self.apple_name,
            "server_name": self.server_name,
            "server_playlist_id": self.server_playlist_id,
            "action": self.action,
            "adopted": self.adopted,
            "done": self.done,
            "tracks": self.tracks,
            "written": self.written,
            "by_method": {m: self.by_method.get(m, 0) for m in METHODS},
            "missing": len(self.missing) - self.ambiguous,
            "ambiguous": self.ambiguous,
            "not_written": [m.as_dict() for m in self.missing],
            "error": self.error,
        }


@dataclass
class StarReport:
    """One kind: ``song``, ``album``, ``artist`` stars, or ``rating`` (dislikes)."""

    kind: str
    wanted: int = 0
    found: int = 0
    by_method: Counter[str] = field(default_factory=Counter)
    to_add: int = 0  # to star, or to rate 1
    to_remove: int = 0  # to unstar, or to unrate (amsync's own only)
    left_alone: int = 0  # starred or rated on the server already, not by amsync
    missing: list[Missing] = field(default_factory=list)
    done: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "wanted": self.wanted,
            "found": self.found,
            "by_method": dict(sorted(self.by_method.items())),
            "add": self.to_add,
            "remove": self.to_remove,
            "left_alone": self.left_alone,
            "done": self.done,
            "not_found": [m.as_dict() for m in self.missing],
        }


@dataclass
class PushReport:
    account: str
    url: str
    dry_run: bool
    identity: ServerIdentity | None = None
    status: str = "running"
    catalogue_songs: int = 0
    catalogue_source: str | None = None  # "server" or "cache"
    last_scan: str | None = None
    path_prefix: tuple[str, str] | None = None
    path_prefix_source: str | None = None  # "option", "inferred" or None
    playlists: list[PlaylistReport] = field(default_factory=list)
    stars: list[StarReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    requests: int = 0
    writes: int = 0
    elapsed_s: float = 0.0

    def counts(self) -> dict[str, int]:
        actions = Counter(p.action for p in self.playlists)
        return {
            "playlists": len(self.playlists),
            **dict(sorted(actions.items())),
            "tracks": sum(p.tracks for p in self.playlists),
            "written": sum(p.written for p in self.playlists),
            "missing": sum(len(p.missing) - p.ambiguous for p in self.playlists),
            "ambiguous": sum(p.ambiguous for p in self.playlists),
        }

    def as_dict(self) -> dict[str, Any]:
        identity = self.identity
        return {
            "status": self.status,
            "account": self.account,
            "dry_run": self.dry_run,
            "server": {
                "url": self.url,
                "user": identity.user if identity else None,
                "api_version": identity.api_version if identity else None,
                "type": identity.server_type if identity else None,
                "version": identity.server_version if identity else None,
                "open_subsonic": identity.open_subsonic if identity else None,
                "auth": identity.auth.value if identity else None,
            },
            "catalogue": {
                "songs": self.catalogue_songs,
                "source": self.catalogue_source,
                "last_scan": self.last_scan,
            },
            "path_prefix": (
                {
                    "local": self.path_prefix[0],
                    "server": self.path_prefix[1],
                    "source": self.path_prefix_source,
                }
                if self.path_prefix is not None
                else None
            ),
            "counts": self.counts(),
            "playlists": [p.as_dict() for p in self.playlists],
            "stars": [s.as_dict() for s in self.stars],
            "warnings": list(self.warnings),
            "requests": self.requests,
            "writes": self.writes,
            "elapsed_s": round(self.elapsed_s, 3),
        }

    def missing_rows(self) -> list[tuple[Any, ...]]:
        return [
            (p.apple_name, m.position, m.name, m.artist, m.album, m.reason)
            for p in self.playlists
            for m in p.missing
        ]
