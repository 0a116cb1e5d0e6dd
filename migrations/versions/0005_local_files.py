"""Local music files and their matches to mirrored songs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 11:30:00

Tables (``amsync.db.local_models`` says who owns what): ``local_files`` (the person's audio
files and their tags, shared by every account of the database), ``local_matches`` (per account:
each song's file, or its best rejected candidate and why), ``local_links`` (per account: a
person's decisions, which win over the matcher).

View ``local_matches_v`` (documented in README "Querying the mirror"; a stable interface): the
accepted matches of live songs to files not gone, with ``account_id`` and ``account`` like every
view, and ``matched_at`` as ISO 8601 UTC text (``YYYY-MM-DDTHH:MM:SSZ``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ISO = {
    "sqlite": "strftime('%Y-%m-%dT%H:%M:%SZ', m.matched_at)",
    "postgresql": "to_char(m.matched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
}


def view_sql(dialect: str) -> str:
    return f"""
SELECT m.account_id, a.name AS account, s.library_id, s.catalog_id, s.name, s.artist,
       f.path, m.method, m.score, s.album, f.isrc AS file_isrc, f.format,
       {_ISO.get(dialect, _ISO["sqlite"])} AS matched_at
FROM local_matches m
JOIN accounts a ON a.id = m.account_id
JOIN songs s ON s.id = m.song_id
JOIN local_files f ON f.id = m.file_id
WHERE m.accepted AND s.removed_at IS NULL AND f.gone_at IS NULL"""


def upgrade() -> None:
    op.create_table(
        "local_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("artist", sa.Text(), nullable=True),
        sa.Column("album", sa.Text(), nullable=True),
        sa.Column("album_artist", sa.Text(), nullable=True),
        sa.Column("track_number", sa.Integer(), nullable=True),
        sa.Column("disc_number", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("isrc", sa.String(length=16), nullable=True),
        sa.Column("mb_recording_id", sa.String(length=36), nullable=True),
        sa.Column("problems", sa.String(length=100), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gone_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_files")),
        sa.UniqueConstraint("path", name=op.f("uq_local_files_path")),
    )
    op.create_index(
        op.f("ix_local_files_source_gone_at"), "local_files", ["source", "gone_at"], unique=False
    )
    op.create_index(op.f("ix_local_files_isrc"), "local_files", ["isrc"], unique=False)
    op.create_index(
        op.f("ix_local_files_mb_recording_id"), "local_files", ["mb_recording_id"], unique=False
    )
    op.create_table(
        "local_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.String(length=64), nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_local_links_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_links")),
        sa.UniqueConstraint(
            "account_id", "library_id", name=op.f("uq_local_links_account_id_library_id")
        ),
    )
    op.create_table(
        "local_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("song_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_local_matches_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["local_files.id"],
            name=op.f("fk_local_matches_file_id_local_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["song_id"],
            ["songs.id"],
            name=op.f("fk_local_matches_song_id_songs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_matches")),
        sa.UniqueConstraint(
            "account_id", "song_id", name=op.f("uq_local_matches_account_id_song_id")
        ),
    )
    op.create_index(op.f("ix_local_matches_file_id"), "local_matches", ["file_id"], unique=False)
    op.create_index(op.f("ix_local_matches_song_id"), "local_matches", ["song_id"], unique=False)
    op.execute(f"CREATE VIEW local_matches_v AS {view_sql(op.get_bind().dialect.name)}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS local_matches_v")
    op.drop_index(op.f("ix_local_matches_song_id"), table_name="local_matches")
    op.drop_index(op.f("ix_local_matches_file_id"), table_name="local_matches")
    op.drop_table("local_matches")
    op.drop_table("local_links")
    op.drop_index(op.f("ix_local_files_mb_recording_id"), table_name="local_files")
    op.drop_index(op.f("ix_local_files_isrc"), table_name="local_files")
    op.drop_index(op.f("ix_local_files_source_gone_at"), table_name="local_files")
    op.drop_table("local_files")
