"""Subsonic-compatible servers: the catalogue cache, the playlists and stars amsync made.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 12:00:00

Tables (``amsync.db.subsonic_models`` says what each holds): ``subsonic_servers``,
``subsonic_songs``, ``subsonic_playlists``, ``subsonic_stars``. No password is stored.

View ``subsonic_playlists_v`` (stable: columns are added, never renamed or removed): per
account, each Apple playlist amsync pushed, the server and user it went to, and the server
playlist it made; ``updated_at`` as ISO 8601 UTC text.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ISO = {
    "sqlite": "strftime('%Y-%m-%dT%H:%M:%SZ', sp.updated_at)",
    "postgresql": "to_char(sp.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
}


def view_sql(dialect: str) -> str:
    return f"""
SELECT sp.account_id, a.name AS account, s.url AS server_url, s.username AS server_user,
       sp.playlist_library_id AS library_id, p.name, sp.server_playlist_id,
       sp.name AS server_name, sp.track_count, sp.state,
       {_ISO.get(dialect, _ISO["sqlite"])} AS updated_at
FROM subsonic_playlists sp
JOIN accounts a ON a.id = sp.account_id
JOIN subsonic_servers s ON s.id = sp.server_id
LEFT JOIN playlists p ON p.account_id = sp.account_id AND p.library_id = sp.playlist_library_id"""


def _server_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["server_id"],
        ["subsonic_servers.id"],
        name=op.f(f"fk_{table}_server_id_subsonic_servers"),
        ondelete="CASCADE",
    )


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"],
        ["accounts.id"],
        name=op.f(f"fk_{table}_account_id_accounts"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "subsonic_servers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("api_version", sa.String(length=32), nullable=True),
        sa.Column("server_type", sa.String(length=64), nullable=True),
        sa.Column("server_version", sa.String(length=64), nullable=True),
        sa.Column("auth_mode", sa.String(length=16), nullable=True),
        sa.Column("last_scan", sa.String(length=64), nullable=True),
        sa.Column("catalogue_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("song_count", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsonic_servers")),
        sa.UniqueConstraint("url", "username", name=op.f("uq_subsonic_servers_url_username")),
    )
    op.create_table(
        "subsonic_songs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("server_id", sa.Integer(), nullable=False),
        sa.Column("song_id", sa.String(length=255), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("artist", sa.Text(), nullable=True),
        sa.Column("album", sa.Text(), nullable=True),
        sa.Column("album_id", sa.String(length=255), nullable=True),
        sa.Column("artist_id", sa.String(length=255), nullable=True),
        sa.Column("album_artist", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("isrcs", sa.String(length=255), nullable=True),
        sa.Column("mb_recording_id", sa.String(length=64), nullable=True),
        _server_fk("subsonic_songs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsonic_songs")),
        sa.UniqueConstraint(
            "server_id", "song_id", name=op.f("uq_subsonic_songs_server_id_song_id")
        ),
    )
    op.create_table(
        "subsonic_playlists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("server_id", sa.Integer(), nullable=False),
        sa.Column("playlist_library_id", sa.String(length=64), nullable=False),
        sa.Column("server_playlist_id", sa.String(length=255), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("track_count", sa.Integer(), nullable=False),
        sa.Column("tracks_fingerprint", sa.String(length=32), nullable=True),
        sa.Column("known_ids", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _account_fk("subsonic_playlists"),
        _server_fk("subsonic_playlists"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsonic_playlists")),
        sa.UniqueConstraint(
            "account_id",
            "server_id",
            "playlist_library_id",
            name=op.f("uq_subsonic_playlists_account_id_server_id_playlist_library_id"),
        ),
    )
    op.create_index(
        op.f("ix_subsonic_playlists_server_id"), "subsonic_playlists", ["server_id"], unique=False
    )
    op.create_table(
        "subsonic_stars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("server_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.String(length=255), nullable=False),
        sa.Column("library_id", sa.String(length=64), nullable=True),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        _account_fk("subsonic_stars"),
        _server_fk("subsonic_stars"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsonic_stars")),
        sa.UniqueConstraint(
            "account_id",
            "server_id",
            "kind",
            "item_id",
            name=op.f("uq_subsonic_stars_account_id_server_id_kind_item_id"),
        ),
    )
    op.create_index(
        op.f("ix_subsonic_stars_server_id"), "subsonic_stars", ["server_id"], unique=False
    )
    op.execute(f"CREATE VIEW subsonic_playlists_v AS {view_sql(op.get_bind().dialect.name)}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS subsonic_playlists_v")
    op.drop_index(op.f("ix_subsonic_stars_server_id"), table_name="subsonic_stars")
    op.drop_table("subsonic_stars")
    op.drop_index(op.f("ix_subsonic_playlists_server_id"), table_name="subsonic_playlists")
    op.drop_table("subsonic_playlists")
    op.drop_table("subsonic_songs")
    op.drop_table("subsonic_servers")
