"""Local music files and their matches to mirrored songs (issue 16; migration 0005).

Who owns what:
- ``local_files`` belong to the database, not to an account: they are the person's (or the
  household's) music files, and one music folder — a family's Navidrome or Jellyfin library,
  say — can serve every account mirrored in the database. A path is stored once. Rows are never
  deleted by a scan: a file no longer found is marked gone (``gone_at``) and revived when it
  comes back.
- ``local_matches`` are per account (a song id is Apple's id within one account): one row per
  song that the matcher looked at, the accepted file or the best rejected candidate with why.
- ``local_links`` are per account: a person's decision for a song (a file, or ``path`` NULL for
  "no file") that wins over the matcher; keyed by path, so they survive rescans.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from amsync.db.models import Base


class LocalFile(Base):
    """An audio file (or a beets library item) and what its tags say."""

    __tablename__ = "local_files"
    __table_args__ = (UniqueConstraint("path"), Index(None, "source", "gone_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)  # "folders", or "beets:<library.db path>"
    size: Mapped[int | None] = mapped_column(BigInteger)
    mtime_ns: Mapped[int | None] = mapped_column(BigInteger)
    format: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(Text)
    artist: Mapped[str | None] = mapped_column(Text)  # several artists joined with "; "
    album: Mapped[str | None] = mapped_column(Text)
    album_artist: Mapped[str | None] = mapped_column(Text)
    track_number: Mapped[int | None] = mapped_column(Integer)
    disc_number: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    isrc: Mapped[str | None] = mapped_column(String(16), index=True)
    mb_recording_id: Mapped[str | None] = mapped_column(String(36), index=True)
    problems: Mapped[str | None] = mapped_column(String(100))  # kinds, comma-separated
    first_seen_at: Mapped[datetime]
    scanned_at: Mapped[datetime]
    gone_at: Mapped[datetime | None]


class LocalMatch(Base):
    """What ``amsync local match`` decided for one song of one account."""

    __tablename__ = "local_matches"
    __table_args__ = (UniqueConstraint("account_id", "song_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    song_id: Mapped[int] = mapped_column(ForeignKey("songs.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int | None] = mapped_column(
        ForeignKey("local_files.id", ondelete="CASCADE"), index=True
    )
    accepted: Mapped[bool] = mapped_column(Boolean)
    method: Mapped[str | None] = mapped_column(String(16))  # isrc, mbid, tags, link
    score: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(Text)  # why a candidate was rejected
    matched_at: Mapped[datetime]


class LocalLink(Base):
    """A person's decision: this song is that file (``path``), or has none (``path`` NULL)."""

    __tablename__ = "local_links"
    __table_args__ = (UniqueConstraint("account_id", "library_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    library_id: Mapped[str] = mapped_column(String(64))
    path: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
