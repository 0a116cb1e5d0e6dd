"""Listening history from Apple's privacy export: tables and views.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 11:30:00

Tables (models in ``amsync/db/history_models.py``): ``listening_imports``, ``play_events``
(one row per play, unique per account by ``event_key``), ``play_days`` (Apple's daily history,
unique by ``day_key``) and ``library_track_counts`` (Apple's per-track counters, unique by
Apple's track identifier).

Views (both backends; README "Listening history"; stable: columns are added, never renamed or
removed; every view has ``account_id`` and ``account``). Times are ISO 8601 UTC text
``YYYY-MM-DDTHH:MM:SSZ``, days ``YYYY-MM-DD``. Name, artist and album are the mirrored song's
when the row is linked to one (``library_id``), else what Apple's file says; ``catalog_id`` is
the linked song's.

- ``plays_v``               one row per play: ``played_at``, ``name``, ``artist``, ``album``,
                            ``library_id``, ``catalog_id``, ``play_ms``, ``media_ms``,
                            ``end_reason``, ``skipped``, …
- ``play_counts_v``         per song: ``plays`` (plays not skipped), ``skips``,
                            ``first_played_at``, ``last_played_at``, ``play_ms_total``
- ``daily_plays_v``         Apple's daily history: per day and track, ``plays``, ``skips``,
                            ``play_ms``, ``hours``
- ``library_track_counts_v`` Apple's counters per library track: ``play_count``,
                            ``skip_count``, ``date_added``, …
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _iso(column: str) -> str:
    """A UTC timestamp column as ``YYYY-MM-DDTHH:MM:SSZ`` text."""
    if op.get_bind().dialect.name == "sqlite":
        return f"strftime('%Y-%m-%dT%H:%M:%SZ', {column})"
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


def _day(column: str) -> str:
    if op.get_bind().dialect.name == "sqlite":
        return column  # stored as YYYY-MM-DD text
    return f"to_char({column}, 'YYYY-MM-DD')"


def _views() -> dict[str, str]:
    return {
        "plays_v": f"""
SELECT e.account_id, a.name AS account, e.id, {_iso("e.played_at")} AS played_at,
       COALESCE(s.name, e.name) AS name, COALESCE(s.artist, e.artist) AS artist,
       COALESCE(s.album, e.album) AS album, e.library_id, s.catalog_id, e.play_ms, e.media_ms,
       e.end_reason, e.skipped, e.event_type, e.feature, e.source_type, e.media_type,
       e.container_type, e.container_name, e.linked_by, e.import_id
FROM play_events e
JOIN accounts a ON a.id = e.account_id
LEFT JOIN songs s ON s.account_id = e.account_id AND s.library_id = e.library_id""",
        "play_counts_v": """
SELECT p.account_id, p.account, p.library_id, p.catalog_id, p.name, p.artist, p.album,
       SUM(CASE WHEN p.skipped THEN 0 ELSE 1 END) AS plays,
       SUM(CASE WHEN p.skipped THEN 1 ELSE 0 END) AS skips,
       MIN(p.played_at) AS first_played_at, MAX(p.played_at) AS last_played_at,
       COALESCE(SUM(p.play_ms), 0) AS play_ms_total
FROM plays_v p
GROUP BY p.account_id, p.account, p.library_id, p.catalog_id, p.name, p.artist, p.album""",
        "daily_plays_v": f"""
SELECT d.account_id, a.name AS account, d.id, {_day("d.played_on")} AS played_on,
       COALESCE(s.name, d.name) AS name, COALESCE(s.artist, d.artist) AS artist,
       COALESCE(s.album, d.album) AS album, d.library_id, s.catalog_id, d.plays, d.skips,
       d.play_ms, d.hours, d.end_reason, d.source_type, d.media_type,
       d.ignore_for_recommendations, d.track_identifier, d.description, d.linked_by
FROM play_days d
JOIN accounts a ON a.id = d.account_id
LEFT JOIN songs s ON s.account_id = d.account_id AND s.library_id = d.library_id""",
        "library_track_counts_v": """
SELECT t.account_id, a.name AS account, t.track_identifier, t.library_id,
       t.catalog_id AS apple_music_track_id, COALESCE(s.name, t.title) AS name,
       COALESCE(s.artist, t.artist) AS artist, COALESCE(s.album, t.album) AS album,
       t.content_type, t.play_count, t.skip_count, t.date_added, t.last_played,
       t.last_modified, t.like_rating, t.linked_by
FROM library_track_counts t
JOIN accounts a ON a.id = t.account_id
LEFT JOIN songs s ON s.account_id = t.account_id AND s.library_id = t.library_id""",
    }


VIEW_NAMES = ("plays_v", "play_counts_v", "daily_plays_v", "library_track_counts_v")


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"],
        ["accounts.id"],
        name=op.f(f"fk_{table}_account_id_accounts"),
        ondelete="CASCADE",
    )


def _import_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["import_id"],
        ["listening_imports.id"],
        name=op.f(f"fk_{table}_import_id_listening_imports"),
        ondelete="SET NULL",
    )


def upgrade() -> None:
    op.create_table(
        "listening_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("keep_personal", sa.Boolean(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        _account_fk("listening_imports"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listening_imports")),
    )
    with op.batch_alter_table("listening_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listening_imports_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "library_track_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("track_identifier", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=True),
        sa.Column("library_id", sa.String(length=64), nullable=True),
        sa.Column("linked_by", sa.String(length=16), nullable=True),
        sa.Column("content_type", sa.String(length=32), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("artist", sa.Text(), nullable=True),
        sa.Column("album", sa.Text(), nullable=True),
        sa.Column("play_count", sa.Integer(), nullable=True),
        sa.Column("skip_count", sa.Integer(), nullable=True),
        sa.Column("date_added", sa.String(length=32), nullable=True),
        sa.Column("last_played", sa.String(length=32), nullable=True),
        sa.Column("last_modified", sa.String(length=32), nullable=True),
        sa.Column("like_rating", sa.String(length=32), nullable=True),
        _account_fk("library_track_counts"),
        _import_fk("library_track_counts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_track_counts")),
        sa.UniqueConstraint(
            "account_id",
            "track_identifier",
            name=op.f("uq_library_track_counts_account_id_track_identifier"),
        ),
    )
    with op.batch_alter_table("library_track_counts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_library_track_counts_account_id_library_id"),
            ["account_id", "library_id"],
            unique=False,
        )

    op.create_table(
        "play_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("day_key", sa.String(length=32), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("played_on", sa.Date(), nullable=False),
        sa.Column("track_identifier", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("artist", sa.Text(), nullable=True),
        sa.Column("album", sa.Text(), nullable=True),
        sa.Column("catalog_id", sa.String(length=64), nullable=True),
        sa.Column("library_id", sa.String(length=64), nullable=True),
        sa.Column("linked_by", sa.String(length=16), nullable=True),
        sa.Column("hours", sa.String(length=128), nullable=True),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.Column("skips", sa.Integer(), nullable=False),
        sa.Column("play_ms", sa.BigInteger(), nullable=True),
        sa.Column("end_reason", sa.String(length=64), nullable=True),
        sa.Column("source_type", sa.String(length=64), nullable=True),
        sa.Column("media_type", sa.String(length=32), nullable=True),
        sa.Column("ignore_for_recommendations", sa.Boolean(), nullable=True),
        sa.Column("personal", sa.JSON(), nullable=True),
        _account_fk("play_days"),
        _import_fk("play_days"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_play_days")),
        sa.UniqueConstraint("account_id", "day_key", name=op.f("uq_play_days_account_id_day_key")),
    )

    op.create_table(
        "play_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("event_key", sa.String(length=32), nullable=False),
        sa.Column("played_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("artist", sa.Text(), nullable=True),
        sa.Column("album", sa.Text(), nullable=True),
        sa.Column("catalog_id", sa.String(length=64), nullable=True),
        sa.Column("library_id", sa.String(length=64), nullable=True),
        sa.Column("linked_by", sa.String(length=16), nullable=True),
        sa.Column("event_type", sa.String(length=64), nullable=True),
        sa.Column("play_ms", sa.BigInteger(), nullable=True),
        sa.Column("media_ms", sa.BigInteger(), nullable=True),
        sa.Column("start_position_ms", sa.BigInteger(), nullable=True),
        sa.Column("end_position_ms", sa.BigInteger(), nullable=True),
        sa.Column("end_reason", sa.String(length=64), nullable=True),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.Column("feature", sa.Text(), nullable=True),
        sa.Column("source_type", sa.String(length=64), nullable=True),
        sa.Column("media_type", sa.String(length=32), nullable=True),
        sa.Column("container_type", sa.String(length=64), nullable=True),
        sa.Column("container_name", sa.Text(), nullable=True),
        sa.Column("personal", sa.JSON(), nullable=True),
        _account_fk("play_events"),
        _import_fk("play_events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_play_events")),
        sa.UniqueConstraint(
            "account_id", "event_key", name=op.f("uq_play_events_account_id_event_key")
        ),
    )
    with op.batch_alter_table("play_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_play_events_account_id_library_id"),
            ["account_id", "library_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_play_events_account_id_played_at"),
            ["account_id", "played_at"],
            unique=False,
        )

    for name, body in _views().items():
        op.execute(f"CREATE VIEW {name} AS {body}")


def downgrade() -> None:
    for name in reversed(VIEW_NAMES):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    for table in ("play_events", "play_days", "library_track_counts", "listening_imports"):
        op.drop_table(table)
