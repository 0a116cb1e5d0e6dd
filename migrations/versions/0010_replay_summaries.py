"""Apple's own Replay summaries, kept by sync (issue 26).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:00:00

Tables (models in ``amsync/db/replay_models.py``): ``replay_summaries`` (one row per version
of a year's summary Apple served, unique per account by year and a hash of its content) and
``replay_summary_items`` (its ranked songs, albums and artists).

View (both backends; stable: columns are added, never renamed or removed; ``account_id`` and
``account`` like every view; times ISO 8601 UTC text ``YYYY-MM-DDTHH:MM:SSZ``):

- ``replay_v``  Apple's newest summary of each year: ``year``, ``top`` (``songs``, ``albums``,
                ``artists``), ``rank`` (from 1), ``name``, ``artist``, ``album``,
                ``catalog_id``, ``artwork_url``, ``first_seen_at`` / ``last_seen_at`` (when a
                sync first and last saw this version), ``summary_id``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _iso(column: str) -> str:
    if op.get_bind().dialect.name == "sqlite":
        return f"strftime('%Y-%m-%dT%H:%M:%SZ', {column})"
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


def _view() -> str:
    return f"""
SELECT r.account_id, a.name AS account, r.year, i.top, i.rank, i.name, i.artist, i.album,
       i.catalog_id, i.artwork_url, {_iso("r.first_seen_at")} AS first_seen_at,
       {_iso("r.last_seen_at")} AS last_seen_at, r.id AS summary_id
FROM replay_summaries r
JOIN accounts a ON a.id = r.account_id
JOIN replay_summary_items i ON i.summary_id = r.id
WHERE r.id = (
    SELECT n.id FROM replay_summaries n
    WHERE n.account_id = r.account_id AND n.year = r.year
    ORDER BY n.last_seen_at DESC, n.id DESC
    LIMIT 1
)"""


def upgrade() -> None:
    op.create_table(
        "replay_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=True),
        sa.Column("apple_id", sa.String(length=128), nullable=True),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_replay_summaries_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["sync_runs.id"],
            name=op.f("fk_replay_summaries_run_id_sync_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replay_summaries")),
        sa.UniqueConstraint(
            "account_id",
            "year",
            "fingerprint",
            name=op.f("uq_replay_summaries_account_id_year_fingerprint"),
        ),
    )
    op.create_table(
        "replay_summary_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("summary_id", sa.Integer(), nullable=False),
        sa.Column("top", sa.String(length=16), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("artist", sa.Text(), nullable=True),
        sa.Column("album", sa.Text(), nullable=True),
        sa.Column("artwork_url", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["summary_id"],
            ["replay_summaries.id"],
            name=op.f("fk_replay_summary_items_summary_id_replay_summaries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replay_summary_items")),
        sa.UniqueConstraint(
            "summary_id", "top", "rank", name=op.f("uq_replay_summary_items_summary_id_top_rank")
        ),
    )
    with op.batch_alter_table("replay_summary_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_replay_summary_items_summary_id"), ["summary_id"], unique=False
        )
    op.execute(f"CREATE VIEW replay_v AS {_view()}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS replay_v")
    op.drop_table("replay_summary_items")
    op.drop_table("replay_summaries")
