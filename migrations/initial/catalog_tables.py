"""Migration 0001, catalog metadata: songs, albums, artists as Apple's catalog describes them.

Frozen with revision 0001: later schema changes go into new revisions, never here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create() -> None:
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


def drop() -> None:
    op.drop_table("catalog_artists")
    op.drop_table("catalog_albums")
    with op.batch_alter_table("catalog_songs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_songs_isrc"))
    op.drop_table("catalog_songs")
