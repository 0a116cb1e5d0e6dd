"""Migration 0001, playlist folders, playlists, their revisions and ordered entries.

Frozen with revision 0001: later schema changes go into new revisions, never here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create() -> None:
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


def drop() -> None:
    with op.batch_alter_table("playlist_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_playlist_entries_track_library_id"))
    op.drop_table("playlist_entries")
    with op.batch_alter_table("playlist_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_playlist_revisions_playlist_id"))
    op.drop_table("playlist_revisions")
    with op.batch_alter_table("playlists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_playlists_removed_at"))
        batch_op.drop_index(batch_op.f("ix_playlists_catalog_id"))
    op.drop_table("playlists")
    with op.batch_alter_table("playlist_folders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_playlist_folders_removed_at"))
        batch_op.drop_index(batch_op.f("ix_playlist_folders_catalog_id"))
    op.drop_table("playlist_folders")
