"""Songs Apple took away — or that left otherwise — and what amsync did about them (issue 24;
migration 0009).

- ``lost_songs``: one row per song of an account that was ever lost (keyed by its library id):
  what it was (name, artist, album, catalog id, ISRC, duration — kept from before it went),
  what Apple's catalog said when amsync last checked (``catalog_available``,
  ``catalog_playable``, ``catalog_checked_at``), the replacement found for it (method, score,
  the candidates when several were equally good) and when it was looked up, so that a second
  run does not ask Apple again.
- ``lost_entries``: one row per loss — the song left the library or became unplayable
  (``playlist_id`` NULL), or it left a playlist (one row per playlist and position; a song in
  a playlist twice that left it is two rows). Each has its cause and the evidence for it, the
  run that saw it, when it was found back (revived, playable again, back in the playlist:
  ``found_back_at``, no longer lost) and what a restore did (``attempted_at`` before writing,
  ``restored_at`` once read back).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
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


class LostSong(Base):
    """A song that was lost, with what is known of it and its replacement."""

    __tablename__ = "lost_songs"
    __table_args__ = (UniqueConstraint("account_id", "library_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    library_id: Mapped[str] = mapped_column(String(64))
    catalog_id: Mapped[str | None] = mapped_column(String(64))
    isrc: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    artist: Mapped[str | None] = mapped_column(Text)
    album: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    catalog_available: Mapped[bool | None] = mapped_column(Boolean)
    catalog_playable: Mapped[bool | None] = mapped_column(Boolean)
    catalog_checked_at: Mapped[datetime | None]
    replacement_catalog_id: Mapped[str | None] = mapped_column(String(64))
    replacement_method: Mapped[str | None] = mapped_column(String(16))  # isrc | search
    replacement_score: Mapped[float | None] = mapped_column(Float)
    replacement: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # name, artist, album…
    candidates: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {"ambiguous": [...]}
    lookup_note: Mapped[str | None] = mapped_column(Text)
    looked_up_at: Mapped[datetime | None]


class LostEntry(Base):
    """One loss: from the library (``playlist_id`` NULL) or from one playlist position."""

    __tablename__ = "lost_entries"
    __table_args__ = (
        Index(None, "account_id", "lost_at"),
        Index(None, "account_id", "settled"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    song_id: Mapped[int] = mapped_column(
        ForeignKey("lost_songs.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # library | unplayable | playlist
    playlist_id: Mapped[str | None] = mapped_column(String(64))
    playlist_name: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int | None] = mapped_column(Integer)
    lost_at: Mapped[datetime]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    cause: Mapped[str] = mapped_column(String(16))  # withdrawn | unplayable | removed | unknown
    evidence: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # what the cause was decided on
    settled: Mapped[bool] = mapped_column(Boolean, default=False)
    found_back_at: Mapped[datetime | None]
    attempted_at: Mapped[datetime | None]
    restored_at: Mapped[datetime | None]
    restore_note: Mapped[str | None] = mapped_column(Text)
