"""Initial schema: accounts and the whole mirror of DESIGN §2.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 23:22:03.711869
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Marks the file as amsync's (see amsync.db.engine.AMSYNC_APPLICATION_ID).
        op.execute("PRAGMA application_id = 1095586649")

    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("storefront", sa.String(length=8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("name", name=op.f("uq_accounts_name")),
    )
    op.create_table(
        "albums",
        sa.Column("artist", sa.Text(), nullable=True),
        sa.Column("track_count", sa.Integer(), nullable=True),
        sa.Column("release_date", sa.String(length=32), nullable=True),
        sa.Column("genres", sa.Text(), nullable=True),
        sa.Column("date_added", sa.String(length=32), nullable=True),
        sa.Column("artwork_url", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.String(length=64), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_albums_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_albums")),
        sa.UniqueConstraint(
            "account_id", "library_id", name=op.f("uq_albums_account_id_library_id")
        ),
    )
    with op.batch_alter_table("albums", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_albums_catalog_id"), ["catalog_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_albums_removed_at"), ["removed_at"], unique=False)

    op.create_table(
        "artists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.String(length=64), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_artists_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artists")),
        sa.UniqueConstraint(
            "account_id", "library_id", name=op.f("uq_artists_account_id_library_id")
        ),
    )
    with op.batch_alter_table("artists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_artists_catalog_id"), ["catalog_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_artists_removed_at"), ["removed_at"], unique=False)

    op.create_table(
        "catalog_albums",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=False),
        sa.Column("storefront", sa.String(length=8), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("artist", sa.Text(), nullable=True),
        sa.Column("release_date", sa.String(length=32), nullable=True),
        sa.Column("record_label", sa.Text(), nullable=True),
        sa.Column("track_count", sa.Integer(), nullable=True),
        sa.Column("upc", sa.String(length=32), nullable=True),
        sa.Column("genres", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("artwork_url", sa.Text(), nullable=True),
        sa.Column("copyright", sa.Text(), nullable=True),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unavailable_since", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_catalog_albums_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_albums")),
        sa.UniqueConstraint(
            "account_id", "catalog_id", name=op.f("uq_catalog_albums_account_id_catalog_id")
        ),
    )
    op.create_table(
        "catalog_artists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("genres", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("artwork_url", sa.Text(), nullable=True),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_catalog_artists_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_artists")),
        sa.UniqueConstraint(
            "account_id", "catalog_id", name=op.f("uq_catalog_artists_account_id_catalog_id")
        ),
    )
    op.create_table(
        "catalog_songs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=False),
        sa.Column("storefront", sa.String(length=8), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("artist", sa.Text(), nullable=True),
        sa.Column("album", sa.Text(), nullable=True),
        sa.Column("isrc", sa.String(length=32), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("genres", sa.Text(), nullable=True),
        sa.Column("release_date", sa.String(length=32), nullable=True),
        sa.Column("composer", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("artwork_url", sa.Text(), nullable=True),
        sa.Column("track_number", sa.Integer(), nullable=True),
        sa.Column("disc_number", sa.Integer(), nullable=True),
        sa.Column("content_rating", sa.String(length=16), nullable=True),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unavailable_since", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_catalog_songs_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_songs")),
        sa.UniqueConstraint(
            "account_id", "catalog_id", name=op.f("uq_catalog_songs_account_id_catalog_id")
        ),
    )
    with op.batch_alter_table("catalog_songs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalog_songs_isrc"), ["isrc"], unique=False)

    op.create_table(
        "favourite_pushes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("item_type", sa.String(length=16), nullable=False),
        sa.Column("library_id", sa.String(length=64), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=True),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_favourite_pushes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_favourite_pushes")),
    )
    with op.batch_alter_table("favourite_pushes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_favourite_pushes_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "favourites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("item_type", sa.String(length=16), nullable=False),
        sa.Column("library_id", sa.String(length=64), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=True),
        sa.Column("remote", sa.String(length=16), nullable=False),
        sa.Column("base", sa.String(length=16), nullable=False),
        sa.Column("local", sa.String(length=16), nullable=False),
        sa.Column("remote_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_favourites_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_favourites")),
        sa.UniqueConstraint(
            "account_id",
            "item_type",
            "library_id",
            name=op.f("uq_favourites_account_id_item_type_library_id"),
        ),
    )
    op.create_table(
        "playlist_folders",
        sa.Column("parent_library_id", sa.String(length=64), nullable=True),
        sa.Column("date_added", sa.String(length=32), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.String(length=64), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_playlist_folders_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playlist_folders")),
        sa.UniqueConstraint(
            "account_id", "library_id", name=op.f("uq_playlist_folders_account_id_library_id")
        ),
    )
    with op.batch_alter_table("playlist_folders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_playlist_folders_catalog_id"), ["catalog_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_playlist_folders_removed_at"), ["removed_at"], unique=False
        )

    op.create_table(
        "playlists",
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("can_edit", sa.Boolean(), nullable=True),
        sa.Column("is_public", sa.Boolean(), nullable=True),
        sa.Column("has_catalog", sa.Boolean(), nullable=True),
        sa.Column("date_added", sa.String(length=32), nullable=True),
        sa.Column("artwork_url", sa.Text(), nullable=True),
        sa.Column("folder_library_id", sa.String(length=64), nullable=True),
        sa.Column("track_count", sa.Integer(), nullable=False),
        sa.Column("tracks_fingerprint", sa.String(length=32), nullable=True),
        sa.Column("current_revision_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.String(length=64), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_playlists_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playlists")),
        sa.UniqueConstraint(
            "account_id", "library_id", name=op.f("uq_playlists_account_id_library_id")
        ),
    )
    with op.batch_alter_table("playlists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_playlists_catalog_id"), ["catalog_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_playlists_removed_at"), ["removed_at"], unique=False)

    op.create_table(
        "run_locks",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("command", sa.String(length=32), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_run_locks_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_run_locks")),
    )
    op.create_table(
        "songs",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("artist", sa.Text(), nullable=True),
        sa.Column("album", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("track_number", sa.Integer(), nullable=True),
        sa.Column("disc_number", sa.Integer(), nullable=True),
        sa.Column("genres", sa.Text(), nullable=True),
        sa.Column("release_date", sa.String(length=32), nullable=True),
        sa.Column("content_rating", sa.String(length=16), nullable=True),
        sa.Column("date_added", sa.String(length=32), nullable=True),
        sa.Column("artwork_url", sa.Text(), nullable=True),
        sa.Column("playable", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.String(length=64), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_songs_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_songs")),
        sa.UniqueConstraint(
            "account_id", "library_id", name=op.f("uq_songs_account_id_library_id")
        ),
    )
    with op.batch_alter_table("songs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_songs_catalog_id"), ["catalog_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_songs_removed_at"), ["removed_at"], unique=False)

    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("throttled", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("amsync_version", sa.String(length=32), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_sync_runs_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_runs_account_id"), ["account_id"], unique=False)

    op.create_table(
        "item_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("item_type", sa.String(length=16), nullable=False),
        sa.Column("library_id", sa.String(length=64), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("artist", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_item_changes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["sync_runs.id"],
            name=op.f("fk_item_changes_run_id_sync_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_changes")),
    )
    with op.batch_alter_table("item_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_item_changes_account_id_recorded_at"),
            ["account_id", "recorded_at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_item_changes_run_id"), ["run_id"], unique=False)

    op.create_table(
        "playlist_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("playlist_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("track_count", sa.Integer(), nullable=False),
        sa.Column("tracks_fingerprint", sa.String(length=32), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_playlist_revisions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["playlist_id"],
            ["playlists.id"],
            name=op.f("fk_playlist_revisions_playlist_id_playlists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["sync_runs.id"],
            name=op.f("fk_playlist_revisions_run_id_sync_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playlist_revisions")),
    )
    with op.batch_alter_table("playlist_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_playlist_revisions_playlist_id"), ["playlist_id"], unique=False
        )

    op.create_table(
        "playlist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("track_library_id", sa.String(length=64), nullable=False),
        sa.Column("track_catalog_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("artist", sa.Text(), nullable=True),
        sa.Column("album", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["playlist_revisions.id"],
            name=op.f("fk_playlist_entries_revision_id_playlist_revisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playlist_entries")),
        sa.UniqueConstraint(
            "revision_id", "position", name=op.f("uq_playlist_entries_revision_id_position")
        ),
    )
    with op.batch_alter_table("playlist_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_playlist_entries_track_library_id"), ["track_library_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("playlist_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_playlist_entries_track_library_id"))

    op.drop_table("playlist_entries")
    with op.batch_alter_table("playlist_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_playlist_revisions_playlist_id"))

    op.drop_table("playlist_revisions")
    with op.batch_alter_table("item_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_changes_run_id"))
        batch_op.drop_index(batch_op.f("ix_item_changes_account_id_recorded_at"))

    op.drop_table("item_changes")
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_runs_account_id"))

    op.drop_table("sync_runs")
    with op.batch_alter_table("songs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_songs_removed_at"))
        batch_op.drop_index(batch_op.f("ix_songs_catalog_id"))

    op.drop_table("songs")
    op.drop_table("run_locks")
    with op.batch_alter_table("playlists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_playlists_removed_at"))
        batch_op.drop_index(batch_op.f("ix_playlists_catalog_id"))

    op.drop_table("playlists")
    with op.batch_alter_table("playlist_folders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_playlist_folders_removed_at"))
        batch_op.drop_index(batch_op.f("ix_playlist_folders_catalog_id"))

    op.drop_table("playlist_folders")
    op.drop_table("favourites")
    with op.batch_alter_table("favourite_pushes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_favourite_pushes_account_id"))

    op.drop_table("favourite_pushes")
    with op.batch_alter_table("catalog_songs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_songs_isrc"))

    op.drop_table("catalog_songs")
    op.drop_table("catalog_artists")
    op.drop_table("catalog_albums")
    with op.batch_alter_table("artists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_artists_removed_at"))
        batch_op.drop_index(batch_op.f("ix_artists_catalog_id"))

    op.drop_table("artists")
    with op.batch_alter_table("albums", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_albums_removed_at"))
        batch_op.drop_index(batch_op.f("ix_albums_catalog_id"))

    op.drop_table("albums")
    op.drop_table("accounts")
