"""Migration 0001, three-way favourite state and the outbox of pushes.

Frozen with revision 0001: later schema changes go into new revisions, never here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create() -> None:
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


def drop() -> None:
    with op.batch_alter_table("favourite_pushes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_favourite_pushes_account_id"))
    op.drop_table("favourite_pushes")
    op.drop_table("favourites")
