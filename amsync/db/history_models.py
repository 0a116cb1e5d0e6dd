"""Listening history imported from Apple's Data & Privacy export (docs/how-to/listening-history.md).

Four tables, every row belonging to an account like the mirror's:

- ``listening_imports``: one row per ``amsync import apple-data`` (when, from which file, what
  it read, stored, linked and skipped).
- ``play_events``: one row per play (``Apple Music Play Activity.csv``, rows of event type
  ``PLAY_END`` or without a type). ``event_key`` is the event's natural key (see
  ``amsync.history.play_activity.event_key``): importing the same export again, or a newer
  export that overlaps an older one, adds only events not seen before.
- ``play_days``: the daily history (``Apple Music - Play History Daily Tracks.csv``): per day
  and track, plays, skips, hours and milliseconds; ``day_key`` is its natural key, and a newer
  export's row replaces the older one's.
- ``library_track_counts``: Apple's own counters per library track (``Apple Music Library
  Tracks.json``): play count, skip count, dates; keyed by Apple's track identifier.

``fingerprint`` (daily rows, library tracks) hashes a row's values, so that a re-import tells
an unchanged row from a changed one without reading it back.

``library_id`` is the mirrored song a row is linked to (``NULL`` when none matched); a link is
a value, not a foreign key, because songs come and go with syncs while history stays. Personal
columns of Apple's files (IP addresses, device identifiers, user agents, location, time zone)
are kept in ``personal`` only when the import was asked to (``--keep-personal``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from amsync.db.models import Base


class ListeningImport(Base):
    """One import of Apple's privacy export."""

    __tablename__ = "listening_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(Text)
    keep_personal: Mapped[bool] = mapped_column(Boolean, default=False)
    counts: Mapped[dict[str, Any] | None]


class PlayEvent(Base):
    """One play of a song, as Apple's Play Activity file recorded it."""

    __tablename__ = "play_events"
    __table_args__ = (
        UniqueConstraint("account_id", "event_key"),
        Index(None, "account_id", "played_at"),
        Index(None, "account_id", "library_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("listening_imports.id", ondelete="SET NULL")
    )
    event_key: Mapped[str] = mapped_column(String(32))
    played_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    name: Mapped[str] = mapped_column(Text)
    artist: Mapped[str | None] = mapped_column(Text)
    album: Mapped[str | None] = mapped_column(Text)
    catalog_id: Mapped[str | None] = mapped_column(String(64))
    library_id: Mapped[str | None] = mapped_column(String(64))
    linked_by: Mapped[str | None] = mapped_column(String(16))
    event_type: Mapped[str | None] = mapped_column(String(64))
    play_ms: Mapped[int | None] = mapped_column(BigInteger)
    media_ms: Mapped[int | None] = mapped_column(BigInteger)
    start_position_ms: Mapped[int | None] = mapped_column(BigInteger)
    end_position_ms: Mapped[int | None] = mapped_column(BigInteger)
    end_reason: Mapped[str | None] = mapped_column(String(64))
    skipped: Mapped[bool] = mapped_column(Boolean)
    feature: Mapped[str | None] = mapped_column(Text)
    source_type: Mapped[str | None] = mapped_column(String(64))
    media_type: Mapped[str | None] = mapped_column(String(32))
    container_type: Mapped[str | None] = mapped_column(String(64))
    container_name: Mapped[str | None] = mapped_column(Text)
    personal: Mapped[dict[str, Any] | None]


class PlayDay(Base):
    """One track on one day, from Apple's daily play history."""

    __tablename__ = "play_days"
    __table_args__ = (UniqueConstraint("account_id", "day_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("listening_imports.id", ondelete="SET NULL")
    )
    day_key: Mapped[str] = mapped_column(String(32))
    fingerprint: Mapped[str] = mapped_column(String(32))
    played_on: Mapped[date] = mapped_column(Date)
    track_identifier: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    artist: Mapped[str | None] = mapped_column(Text)
    album: Mapped[str | None] = mapped_column(Text)
    catalog_id: Mapped[str | None] = mapped_column(String(64))
    library_id: Mapped[str | None] = mapped_column(String(64))
    linked_by: Mapped[str | None] = mapped_column(String(16))
    hours: Mapped[str | None] = mapped_column(String(128))
    plays: Mapped[int] = mapped_column(Integer)
    skips: Mapped[int] = mapped_column(Integer)
    play_ms: Mapped[int | None] = mapped_column(BigInteger)
    end_reason: Mapped[str | None] = mapped_column(String(64))
    source_type: Mapped[str | None] = mapped_column(String(64))
    media_type: Mapped[str | None] = mapped_column(String(32))
    ignore_for_recommendations: Mapped[bool | None] = mapped_column(Boolean)
    personal: Mapped[dict[str, Any] | None]


class LibraryTrackCount(Base):
    """Apple's counters of one library track, as of the export."""

    __tablename__ = "library_track_counts"
    __table_args__ = (
        UniqueConstraint("account_id", "track_identifier"),
        Index(None, "account_id", "library_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("listening_imports.id", ondelete="SET NULL")
    )
    track_identifier: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(32))
    catalog_id: Mapped[str | None] = mapped_column(String(64))
    library_id: Mapped[str | None] = mapped_column(String(64))
    linked_by: Mapped[str | None] = mapped_column(String(16))
    content_type: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(Text)
    artist: Mapped[str | None] = mapped_column(Text)
    album: Mapped[str | None] = mapped_column(Text)
    play_count: Mapped[int | None] = mapped_column(Integer)
    skip_count: Mapped[int | None] = mapped_column(Integer)
    date_added: Mapped[str | None] = mapped_column(String(32))
    last_played: Mapped[str | None] = mapped_column(String(32))
    last_modified: Mapped[str | None] = mapped_column(String(32))
    like_rating: Mapped[str | None] = mapped_column(String(32))
