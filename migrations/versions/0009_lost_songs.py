"""Lost songs: what Apple took away, why, and its replacement.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 09:00:00

Tables (models in ``amsync/db/lost_models.py``): ``lost_songs`` (one row per lost song, with
its catalog state as last checked and its replacement) and ``lost_entries`` (one row per loss:
from the library, or from one playlist position). ``catalog_songs.playable`` is new: false when
Apple lists the song without ``playParams`` (not playable in the storefront); existing rows are
playable until a sync says otherwise.

View ``lost_v`` (docs/how-to/lost-songs.md; stable: columns are added at the end, never renamed
or removed): one row per loss that is not found back — ``library_id, catalog_id, name, artist,
album, playlist_id, playlist_name, position, lost_at, cause, replacement_catalog_id`` first (the
pinned contract), then ``account_id, account, loss_id, kind, evidence, replacement_method,
replacement_score, restored_at``. ``playlist_id`` is NULL for a song that left the library or
became unplayable; ``position`` counts from 0. ``replacement_catalog_id`` is NULL when none was
found, when the candidates were ambiguous, and for a loss the person caused (``removed``).
Times are ISO 8601 UTC text ``YYYY-MM-DDTHH:MM:SSZ``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _iso(column: str) -> str:
    if op.get_bind().dialect.name == "sqlite":
        return f"strftime('%Y-%m-%dT%H:%M:%SZ', {column})"
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


def view_sql() -> str:
    return f"""
SELECT s.library_id, s.catalog_id, s.name, s.artist, s.album, e.playlist_id, e.playlist_name,
       e.position, {_iso("e.lost_at")} AS lost_at, e.cause,
       CASE WHEN e.cause = 'removed' THEN NULL ELSE s.replacement_catalog_id END
           AS replacement_catalog_id,
       e.account_id, a.name AS account, e.id AS loss_id, e.kind, e.evidence,
       CASE WHEN e.cause = 'removed' THEN NULL ELSE s.replacement_method END
           AS replacement_method,
       CASE WHEN e.cause = 'removed' THEN NULL ELSE s.replacement_score END AS replacement_score,
       {_iso("e.restored_at")} AS restored_at
FROM lost_entries e
JOIN lost_songs s ON s.id = e.song_id
JOIN accounts a ON a.id = e.account_id
WHERE e.found_back_at IS NULL"""


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"],
        ["accounts.id"],
        name=op.f(f"fk_{table}_account_id_accounts"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    # A plain ADD COLUMN on both backends (a batch table copy on SQLite would trip over the
    # views that read catalog_songs).
    op.add_column(
        "catalog_songs",
        sa.Column("playable", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.create_table(
        "lost_songs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.String(length=64), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=True),
        sa.Column("isrc", sa.String(length=32), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("artist", sa.Text(), nullable=True),
        sa.Column("album", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("catalog_available", sa.Boolean(), nullable=True),
        sa.Column("catalog_playable", sa.Boolean(), nullable=True),
        sa.Column("catalog_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replacement_catalog_id", sa.String(length=64), nullable=True),
        sa.Column("replacement_method", sa.String(length=16), nullable=True),
        sa.Column("replacement_score", sa.Float(), nullable=True),
        sa.Column("replacement", sa.JSON(), nullable=True),
        sa.Column("candidates", sa.JSON(), nullable=True),
        sa.Column("lookup_note", sa.Text(), nullable=True),
        sa.Column("looked_up_at", sa.DateTime(timezone=True), nullable=True),
        _account_fk("lost_songs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lost_songs")),
        sa.UniqueConstraint(
            "account_id", "library_id", name=op.f("uq_lost_songs_account_id_library_id")
        ),
    )
    op.create_table(
        "lost_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("song_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("playlist_id", sa.String(length=64), nullable=True),
        sa.Column("playlist_name", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("lost_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("cause", sa.String(length=16), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=True),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.Column("found_back_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("restore_note", sa.Text(), nullable=True),
        _account_fk("lost_entries"),
        sa.ForeignKeyConstraint(
            ["song_id"],
            ["lost_songs.id"],
            name=op.f("fk_lost_entries_song_id_lost_songs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["sync_runs.id"],
            name=op.f("fk_lost_entries_run_id_sync_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lost_entries")),
    )
    with op.batch_alter_table("lost_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lost_entries_account_id_lost_at"), ["account_id", "lost_at"]
        )
        batch_op.create_index(
            batch_op.f("ix_lost_entries_account_id_settled"), ["account_id", "settled"]
        )
        batch_op.create_index(batch_op.f("ix_lost_entries_song_id"), ["song_id"])
    op.execute(f"CREATE VIEW lost_v AS {view_sql()}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS lost_v")
    op.drop_table("lost_entries")
    op.drop_table("lost_songs")
    op.execute("ALTER TABLE catalog_songs DROP COLUMN playable")  # SQLite ≥ 3.35 too
