"""Migration 0001, accounts and the mirrored library items: songs, albums, artists.

Frozen with revision 0001: later schema changes go into new revisions, never here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create() -> None:
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


def drop() -> None:
    with op.batch_alter_table("artists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_artists_removed_at"))
        batch_op.drop_index(batch_op.f("ix_artists_catalog_id"))
    op.drop_table("artists")
    with op.batch_alter_table("albums", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_albums_removed_at"))
        batch_op.drop_index(batch_op.f("ix_albums_catalog_id"))
    op.drop_table("albums")
    with op.batch_alter_table("songs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_songs_removed_at"))
        batch_op.drop_index(batch_op.f("ix_songs_catalog_id"))
    op.drop_table("songs")
    op.drop_table("accounts")
