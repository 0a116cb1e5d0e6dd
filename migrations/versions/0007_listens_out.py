"""Listens out: what ``listens fill`` found, what each server accepted; ``plays_v`` gains it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 12:00:00

Tables (models in ``amsync/db/listen_models.py``): ``listen_lookups`` (Apple's catalog search
per distinct song/album pair, kept across runs), ``play_fills`` (per play without an artist:
what was filled in and where each value came from), ``listen_targets`` and
``listen_submissions`` (what each ListenBrainz-protocol server accepted, per play).

``plays_v`` keeps every column of 0006 in order and meaning; ``artist`` is now, for a play
neither linked to a mirrored song nor given an artist by Apple's file, the artist ``amsync
listens fill`` found; ``artist_source`` is added at the end: ``mirror`` (the linked song's),
``export`` (Apple's file), ``catalog`` (Apple's catalog search), ``daily`` (the daily
history's "Artist - Title") or NULL (none known). On PostgreSQL the view is replaced in place
(``CREATE OR REPLACE VIEW`` keeps the views built on it, ``play_counts_v``); SQLite keeps no
dependencies between views, so it is dropped and created. Downgrade restores 0006's view.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _iso(column: str) -> str:
    """A UTC timestamp column as ``YYYY-MM-DDTHH:MM:SSZ`` text."""
    if op.get_bind().dialect.name == "sqlite":
        return f"strftime('%Y-%m-%dT%H:%M:%SZ', {column})"
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


def plays_view() -> str:
    return f"""
SELECT e.account_id, a.name AS account, e.id, {_iso("e.played_at")} AS played_at,
       COALESCE(s.name, e.name) AS name, COALESCE(s.artist, e.artist, f.artist) AS artist,
       COALESCE(s.album, e.album) AS album, e.library_id, s.catalog_id, e.play_ms, e.media_ms,
       e.end_reason, e.skipped, e.event_type, e.feature, e.source_type, e.media_type,
       e.container_type, e.container_name, e.linked_by, e.import_id,
       CASE WHEN s.artist IS NOT NULL THEN 'mirror'
            WHEN e.artist IS NOT NULL THEN 'export'
            WHEN f.artist IS NOT NULL THEN f.artist_source END AS artist_source
FROM play_events e
JOIN accounts a ON a.id = e.account_id
LEFT JOIN songs s ON s.account_id = e.account_id AND s.library_id = e.library_id
LEFT JOIN play_fills f ON f.play_event_id = e.id"""


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"],
        ["accounts.id"],
        name=op.f(f"fk_{table}_account_id_accounts"),
        ondelete="CASCADE",
    )


def _replace_plays_view(body: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP VIEW IF EXISTS plays_v")
        op.execute(f"CREATE VIEW plays_v AS {body}")
    else:
        op.execute(f"CREATE OR REPLACE VIEW plays_v AS {body}")


def upgrade() -> None:
    op.create_table(
        "listen_lookups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("pair_key", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("album", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("looked_up_at", sa.DateTime(timezone=True), nullable=False),
        _account_fk("listen_lookups"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listen_lookups")),
        sa.UniqueConstraint(
            "account_id", "pair_key", name=op.f("uq_listen_lookups_account_id_pair_key")
        ),
    )
    op.create_table(
        "play_fills",
        sa.Column("play_event_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("artist", sa.Text(), nullable=True),
        sa.Column("artist_source", sa.String(length=16), nullable=True),
        sa.Column("album", sa.Text(), nullable=True),
        sa.Column("album_source", sa.String(length=16), nullable=True),
        sa.Column("isrc", sa.String(length=32), nullable=True),
        sa.Column("isrc_source", sa.String(length=16), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("duration_source", sa.String(length=16), nullable=True),
        sa.Column("catalog_id", sa.String(length=64), nullable=True),
        sa.Column("catalog_url", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("filled_at", sa.DateTime(timezone=True), nullable=False),
        _account_fk("play_fills"),
        sa.ForeignKeyConstraint(
            ["play_event_id"],
            ["play_events.id"],
            name=op.f("fk_play_fills_play_event_id_play_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("play_event_id", name=op.f("pk_play_fills")),
    )
    with op.batch_alter_table("play_fills", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_play_fills_account_id_status"), ["account_id", "status"], unique=False
        )
    op.create_table(
        "listen_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("user_name", sa.Text(), nullable=True),
        sa.Column("first_push_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_push_at", sa.DateTime(timezone=True), nullable=False),
        _account_fk("listen_targets"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listen_targets")),
        sa.UniqueConstraint("account_id", "url", name=op.f("uq_listen_targets_account_id_url")),
    )
    op.create_table(
        "listen_submissions",
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["listen_targets.id"],
            name=op.f("fk_listen_submissions_target_id_listen_targets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("target_id", "event_key", name=op.f("pk_listen_submissions")),
    )
    _replace_plays_view(plays_view())


def downgrade() -> None:
    earlier = importlib.import_module("amsync.migrations.versions.0006_listening_history")
    if op.get_bind().dialect.name == "sqlite":
        _replace_plays_view(earlier._views()["plays_v"])
    else:  # PostgreSQL cannot drop a column from a view in place: rebuild both
        op.execute("DROP VIEW IF EXISTS play_counts_v")
        op.execute("DROP VIEW IF EXISTS plays_v")
        views = earlier._views()
        op.execute(f"CREATE VIEW plays_v AS {views['plays_v']}")
        op.execute(f"CREATE VIEW play_counts_v AS {views['play_counts_v']}")
    for table in ("listen_submissions", "listen_targets", "play_fills", "listen_lookups"):
        op.drop_table(table)
