"""Listens out (issue 25; migration 0007): what ``amsync listens fill`` found for plays Apple's
export leaves without an artist, and what each ListenBrainz-protocol server accepted.

- ``listen_lookups``: Apple's catalog search, once per account and distinct song/album pair
  (``pair_key``: a hash of the normalised song and album names), kept across runs — the
  candidates that matched the names exactly (JSON), and the outcome: ``matched`` (one artist),
  ``ambiguous`` (several), ``none`` or ``failed`` (asked again next time).
- ``play_fills``: per play without an artist (not linked to a mirrored song, no artist in the
  export): what was filled in and where each value came from (``catalog`` or ``daily``), or
  why nothing was (``status``). Rebuilt by every ``listens fill`` from the look-ups and the
  daily history; a play that is deleted takes its row with it.
- ``listen_targets``: the servers pushed to, per account, by normalised root URL.
- ``listen_submissions``: per server and play (``event_key``, the play's natural key, so a
  re-imported history keeps it), ``accepted`` or ``refused`` (with the server's reason):
  written per accepted batch, so a killed push resumes where it stopped and a second push
  sends nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from amsync.db.models import Base


class ListenLookup(Base):
    """One catalog search for a song/album pair, and the exact matches it found."""

    __tablename__ = "listen_lookups"
    __table_args__ = (UniqueConstraint("account_id", "pair_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    pair_key: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    album: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    hits: Mapped[int] = mapped_column(Integer, default=0)
    candidates: Mapped[dict[str, Any] | None]
    detail: Mapped[str | None] = mapped_column(Text)
    looked_up_at: Mapped[datetime]


class PlayFill(Base):
    """What amsync filled in for one play without an artist, and from where."""

    __tablename__ = "play_fills"
    __table_args__ = (Index(None, "account_id", "status"),)

    play_event_id: Mapped[int] = mapped_column(
        ForeignKey("play_events.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    artist: Mapped[str | None] = mapped_column(Text)
    artist_source: Mapped[str | None] = mapped_column(String(16))
    album: Mapped[str | None] = mapped_column(Text)
    album_source: Mapped[str | None] = mapped_column(String(16))
    isrc: Mapped[str | None] = mapped_column(String(32))
    isrc_source: Mapped[str | None] = mapped_column(String(16))
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    duration_source: Mapped[str | None] = mapped_column(String(16))
    catalog_id: Mapped[str | None] = mapped_column(String(64))
    catalog_url: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)  # the catalog's spelling of the song's name
    filled_at: Mapped[datetime]


class ListenTarget(Base):
    """A ListenBrainz-protocol server listens were pushed to, by normalised root URL."""

    __tablename__ = "listen_targets"
    __table_args__ = (UniqueConstraint("account_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(1000))
    user_name: Mapped[str | None] = mapped_column(Text)
    first_push_at: Mapped[datetime]
    last_push_at: Mapped[datetime]


class ListenSubmission(Base):
    """One play sent to one server: accepted, or refused on its own (with the reason)."""

    __tablename__ = "listen_submissions"

    target_id: Mapped[int] = mapped_column(
        ForeignKey("listen_targets.id", ondelete="CASCADE"), primary_key=True
    )
    event_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime]
