"""The mirror's tables, as SQLAlchemy 2 typed models (DESIGN §2).

Conventions
- Every mirrored row belongs to an account; Apple's ids are unique within an account
  (``uq_<table>_account_id_library_id``) beside an integer local key.
- Mirrored items keep ``first_seen_at``, ``last_seen_at`` and ``removed_at`` (a tombstone; a sync
  never hard-deletes). ``last_seen_at`` is written when a row is inserted, changed, revived or
  tombstoned, so that a sync that finds nothing new writes nothing: for a live row, the account's
  last successful run is when it was last seen (``accounts.last_synced_at``).
- ``fingerprint`` is a hash of the mirrored attributes; a row whose fingerprint did not change is
  not rewritten.
- A playlist's track lists are kept as revisions: ``playlist_entries`` belong to a
  ``playlist_revisions`` row, and ``playlists.current_revision_id`` points at the list in force.
  Every change of name or track list adds a revision, so the old lists stay queryable.
- Times are timezone-aware UTC. Dates from Apple stay text, as Apple wrote them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite keeps naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("amsync stores only timezone-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON(),
    }


class Account(Base):
    """One mirrored Apple Music library."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    storefront: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime]
    last_synced_at: Mapped[datetime | None]
    last_run_id: Mapped[int | None] = mapped_column(Integer)


class _Mirrored:
    """Columns every mirrored item has."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    library_id: Mapped[str] = mapped_column(String(64))
    catalog_id: Mapped[str | None] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(32))
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    removed_at: Mapped[datetime | None] = mapped_column(index=True)


class Song(_Mirrored, Base):
    """A library song, upload or music video."""

    __tablename__ = "songs"
    __table_args__ = (UniqueConstraint("account_id", "library_id"),)

    kind: Mapped[str] = mapped_column(String(16), default="song")
    artist: Mapped[str | None] = mapped_column(Text)
    album: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    track_number: Mapped[int | None] = mapped_column(Integer)
    disc_number: Mapped[int | None] = mapped_column(Integer)
    genres: Mapped[str | None] = mapped_column(Text)  # JSON array as text
    release_date: Mapped[str | None] = mapped_column(String(32))
    content_rating: Mapped[str | None] = mapped_column(String(16))
    date_added: Mapped[str | None] = mapped_column(String(32))
    artwork_url: Mapped[str | None] = mapped_column(Text)
    playable: Mapped[bool] = mapped_column(Boolean, default=True)


class Album(_Mirrored, Base):
    __tablename__ = "albums"
    __table_args__ = (UniqueConstraint("account_id", "library_id"),)

    artist: Mapped[str | None] = mapped_column(Text)
    track_count: Mapped[int | None] = mapped_column(Integer)
    release_date: Mapped[str | None] = mapped_column(String(32))
    genres: Mapped[str | None] = mapped_column(Text)
    date_added: Mapped[str | None] = mapped_column(String(32))
    artwork_url: Mapped[str | None] = mapped_column(Text)


class Artist(_Mirrored, Base):
    __tablename__ = "artists"
    __table_args__ = (UniqueConstraint("account_id", "library_id"),)


class PlaylistFolder(_Mirrored, Base):
    __tablename__ = "playlist_folders"
    __table_args__ = (UniqueConstraint("account_id", "library_id"),)

    parent_library_id: Mapped[str | None] = mapped_column(String(64))
    date_added: Mapped[str | None] = mapped_column(String(32))


class Playlist(_Mirrored, Base):
    __tablename__ = "playlists"
    __table_args__ = (UniqueConstraint("account_id", "library_id"),)

    description: Mapped[str | None] = mapped_column(Text)
    can_edit: Mapped[bool | None] = mapped_column(Boolean)
    is_public: Mapped[bool | None] = mapped_column(Boolean)
    has_catalog: Mapped[bool | None] = mapped_column(Boolean)
    date_added: Mapped[str | None] = mapped_column(String(32))
    artwork_url: Mapped[str | None] = mapped_column(Text)
    folder_library_id: Mapped[str | None] = mapped_column(String(64))
    track_count: Mapped[int] = mapped_column(Integer, default=0)
    tracks_fingerprint: Mapped[str | None] = mapped_column(String(32))
    current_revision_id: Mapped[int | None] = mapped_column(Integer)


class PlaylistRevision(Base):
    """One version of a playlist's name and track list, in force from ``valid_from`` until
    ``valid_to`` (``NULL`` for the current one)."""

    __tablename__ = "playlist_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    playlist_id: Mapped[int] = mapped_column(
        ForeignKey("playlists.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(Text)
    track_count: Mapped[int] = mapped_column(Integer)
    tracks_fingerprint: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[datetime]
    valid_to: Mapped[datetime | None]


class PlaylistEntry(Base):
    """One track at one position of a playlist revision (duplicates allowed). The entry keeps
    what the playlist listing said of the track, so it stands even when the song is not (or no
    longer) in the library."""

    __tablename__ = "playlist_entries"
    __table_args__ = (UniqueConstraint("revision_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("playlist_revisions.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    track_library_id: Mapped[str] = mapped_column(String(64), index=True)
    track_catalog_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="song")
    name: Mapped[str] = mapped_column(Text)
    artist: Mapped[str | None] = mapped_column(Text)
    album: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)


class CatalogSong(Base):
    """Catalog metadata of a song, fetched once and refreshed after a configurable age.
    ``available`` turns false when Apple's catalog stops returning the id (withdrawn)."""

    __tablename__ = "catalog_songs"
    __table_args__ = (UniqueConstraint("account_id", "catalog_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    catalog_id: Mapped[str] = mapped_column(String(64))
    storefront: Mapped[str | None] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(Text)
    artist: Mapped[str | None] = mapped_column(Text)
    album: Mapped[str | None] = mapped_column(Text)
    isrc: Mapped[str | None] = mapped_column(String(32), index=True)
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    genres: Mapped[str | None] = mapped_column(Text)
    release_date: Mapped[str | None] = mapped_column(String(32))
    composer: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    artwork_url: Mapped[str | None] = mapped_column(Text)
    track_number: Mapped[int | None] = mapped_column(Integer)
    disc_number: Mapped[int | None] = mapped_column(Integer)
    content_rating: Mapped[str | None] = mapped_column(String(16))
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    fingerprint: Mapped[str] = mapped_column(String(32))
    fetched_at: Mapped[datetime]
    unavailable_since: Mapped[datetime | None]
    playable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    """False when Apple lists the song without ``playParams``: not playable in the storefront
    (migration 0007)."""


class CatalogAlbum(Base):
    __tablename__ = "catalog_albums"
    __table_args__ = (UniqueConstraint("account_id", "catalog_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    catalog_id: Mapped[str] = mapped_column(String(64))
    storefront: Mapped[str | None] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(Text)
    artist: Mapped[str | None] = mapped_column(Text)
    release_date: Mapped[str | None] = mapped_column(String(32))
    record_label: Mapped[str | None] = mapped_column(Text)
    track_count: Mapped[int | None] = mapped_column(Integer)
    upc: Mapped[str | None] = mapped_column(String(32))
    genres: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    artwork_url: Mapped[str | None] = mapped_column(Text)
    copyright: Mapped[str | None] = mapped_column(Text)
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    fingerprint: Mapped[str] = mapped_column(String(32))
    fetched_at: Mapped[datetime]
    unavailable_since: Mapped[datetime | None]


class CatalogArtist(Base):
    __tablename__ = "catalog_artists"
    __table_args__ = (UniqueConstraint("account_id", "catalog_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    catalog_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(Text)
    genres: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    artwork_url: Mapped[str | None] = mapped_column(Text)
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    fingerprint: Mapped[str] = mapped_column(String(32))
    fetched_at: Mapped[datetime]


class Favourite(Base):
    """Three-way favourite state of one item: ``remote`` as last read from Apple, ``base`` as
    last agreed, ``local`` as the user wants it. Values: favourite, disliked, none."""

    __tablename__ = "favourites"
    __table_args__ = (UniqueConstraint("account_id", "item_type", "library_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    item_type: Mapped[str] = mapped_column(String(16))
    library_id: Mapped[str] = mapped_column(String(64))
    catalog_id: Mapped[str | None] = mapped_column(String(64))
    remote: Mapped[str] = mapped_column(String(16), default="none")
    base: Mapped[str] = mapped_column(String(16), default="none")
    local: Mapped[str] = mapped_column(String(16), default="none")
    remote_read_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class FavouritePush(Base):
    """The outbox: a favourite change to push to Apple. It stays until a read-back agrees."""

    __tablename__ = "favourite_pushes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    item_type: Mapped[str] = mapped_column(String(16))
    library_id: Mapped[str] = mapped_column(String(64))
    catalog_id: Mapped[str | None] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class SyncRun(Base):
    """One run of amsync against an account: sync, push, restore or dry run."""

    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="sync")
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    counts: Mapped[dict[str, Any] | None]
    requests: Mapped[int] = mapped_column(Integer, default=0)
    retries: Mapped[int] = mapped_column(Integer, default=0)
    throttled: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    amsync_version: Mapped[str] = mapped_column(String(32))
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)


class ItemChange(Base):
    """What a run changed: one row per item added, changed, removed or revived, named so that
    ``amsync history`` can say what it was without the item row."""

    __tablename__ = "item_changes"
    __table_args__ = (Index(None, "account_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("sync_runs.id", ondelete="SET NULL"), index=True
    )
    item_type: Mapped[str] = mapped_column(String(16))
    library_id: Mapped[str] = mapped_column(String(64))
    change: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(Text)
    artist: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None]
    recorded_at: Mapped[datetime]


class RunLock(Base):
    """The per-account run lock (on PostgreSQL, an advisory lock is taken as well)."""

    __tablename__ = "run_locks"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    command: Mapped[str] = mapped_column(String(32))
    acquired_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


from amsync.db import history_models as history_models  # noqa: E402  (issue 17, same Base)
from amsync.db import listen_models as listen_models  # noqa: E402  (issue 25, same Base)
from amsync.db import local_models as local_models  # noqa: E402  (tables of issue 16, same Base)
from amsync.db import lost_models as lost_models  # noqa: E402  (issue 24, same Base)
from amsync.db import replay_models as replay_models  # noqa: E402  (issue 26, same Base)
from amsync.db import subsonic_models as subsonic_models  # noqa: E402  (issue 27, same Base)
