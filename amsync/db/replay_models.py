"""Apple's own Replay: the yearly top songs, albums and artists Apple publishes
(``GET /v1/me/music-summaries?filter[year]=latest``), kept by ``amsync sync`` each time Apple
publishes a new one — so a year's summary stays after Apple stops serving it.

- ``replay_summaries``: one row per version of a year's summary Apple served (a new row when
  its content changed: Apple updates the current year's Replay during the year), with when a
  sync first and last saw it.
- ``replay_summary_items``: the ranked entries of one version: ``top`` is ``songs``,
  ``albums`` or ``artists``; ``rank`` counts from 1 in Apple's order.

The view ``replay_v`` shows the newest version of each year.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from amsync.db.models import Base


class ReplaySummary(Base):
    """One version of Apple's Replay summary of a year."""

    __tablename__ = "replay_summaries"
    __table_args__ = (UniqueConstraint("account_id", "year", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    period: Mapped[str | None] = mapped_column(String(32))
    apple_id: Mapped[str | None] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(32))
    items: Mapped[int] = mapped_column(Integer, default=0)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class ReplaySummaryItem(Base):
    """One ranked song, album or artist of a Replay summary."""

    __tablename__ = "replay_summary_items"
    __table_args__ = (UniqueConstraint("summary_id", "top", "rank"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    summary_id: Mapped[int] = mapped_column(
        ForeignKey("replay_summaries.id", ondelete="CASCADE"), index=True
    )
    top: Mapped[str] = mapped_column(String(16))
    rank: Mapped[int] = mapped_column(Integer)
    catalog_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    artist: Mapped[str | None] = mapped_column(Text)
    album: Mapped[str | None] = mapped_column(Text)
    artwork_url: Mapped[str | None] = mapped_column(Text)
