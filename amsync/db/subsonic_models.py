"""What amsync remembers of the Subsonic-compatible servers it pushes to (issue 27; migration
0008). No password is ever stored here (``amsync server login`` keeps it in the home, 0600).

- ``subsonic_servers``: one row per server URL and user name (``''`` for an API key): what the
  server said of itself, and the marker of its last scan that the cached catalogue belongs to.
  Shared by every account of the database, like ``local_files``: the catalogue is the server's.
- ``subsonic_songs``: the cached catalogue of a server — every song with the tags the matcher
  compares and its path; replaced as a whole when the server's last scan changes.
- ``subsonic_playlists`` (per account): which server playlist amsync made for which Apple
  playlist, the name and the track list (as a fingerprint) it last wrote. ``state`` is
  ``made``, or ``pending`` while a create has been sent but not confirmed (a timeout): the next
  push adopts the playlist the server made instead of making a second one (``known_ids`` are
  the same-named playlists that were there before).
- ``subsonic_stars`` (per account): the stars (``song``, ``album``, ``artist``) and ratings
  (``rating``) amsync set, so that removals take back only what amsync did.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from amsync.db.models import Base


class SubsonicServer(Base):
    __tablename__ = "subsonic_servers"
    __table_args__ = (UniqueConstraint("url", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    username: Mapped[str] = mapped_column(String(255))
    api_version: Mapped[str | None] = mapped_column(String(32))
    server_type: Mapped[str | None] = mapped_column(String(64))
    server_version: Mapped[str | None] = mapped_column(String(64))
    auth_mode: Mapped[str | None] = mapped_column(String(16))
    last_scan: Mapped[str | None] = mapped_column(String(64))
    catalogue_read_at: Mapped[datetime | None]
    song_count: Mapped[int] = mapped_column(Integer, default=0)
    first_seen_at: Mapped[datetime]
    last_used_at: Mapped[datetime]


class SubsonicSong(Base):
    __tablename__ = "subsonic_songs"
    __table_args__ = (UniqueConstraint("server_id", "song_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    server_id: Mapped[int] = mapped_column(ForeignKey("subsonic_servers.id", ondelete="CASCADE"))
    song_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(Text)
    artist: Mapped[str | None] = mapped_column(Text)
    album: Mapped[str | None] = mapped_column(Text)
    album_id: Mapped[str | None] = mapped_column(String(255))
    artist_id: Mapped[str | None] = mapped_column(String(255))
    album_artist: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    path: Mapped[str | None] = mapped_column(Text)
    isrcs: Mapped[str | None] = mapped_column(String(255))  # comma-separated
    mb_recording_id: Mapped[str | None] = mapped_column(String(64))


class SubsonicPlaylist(Base):
    __tablename__ = "subsonic_playlists"
    __table_args__ = (UniqueConstraint("account_id", "server_id", "playlist_library_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    server_id: Mapped[int] = mapped_column(
        ForeignKey("subsonic_servers.id", ondelete="CASCADE"), index=True
    )
    playlist_library_id: Mapped[str] = mapped_column(String(64))
    server_playlist_id: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16))  # made | pending
    name: Mapped[str] = mapped_column(Text)
    track_count: Mapped[int] = mapped_column(Integer, default=0)
    tracks_fingerprint: Mapped[str | None] = mapped_column(String(32))
    known_ids: Mapped[dict[str, Any] | None]  # {"ids": [...]}, while pending
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SubsonicStar(Base):
    __tablename__ = "subsonic_stars"
    __table_args__ = (UniqueConstraint("account_id", "server_id", "kind", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    server_id: Mapped[int] = mapped_column(
        ForeignKey("subsonic_servers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # song | album | artist | rating
    item_id: Mapped[str] = mapped_column(String(255))
    library_id: Mapped[str | None] = mapped_column(String(64))
    value: Mapped[int | None] = mapped_column(Integer)
    set_at: Mapped[datetime]
