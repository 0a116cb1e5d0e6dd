"""Initial schema: accounts and the whole mirror of DESIGN §2.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 23:22:03.711869
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from amsync.migrations.initial import (
    catalog_tables,
    favourite_tables,
    library_tables,
    playlist_tables,
    run_tables,
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# accounts first; runs before the playlist revisions and changes that point at them
_IN_DEPENDENCY_ORDER = (
    library_tables,
    catalog_tables,
    favourite_tables,
    run_tables,
    playlist_tables,
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Marks the file as amsync's (see amsync.db.engine.AMSYNC_APPLICATION_ID).
        op.execute("PRAGMA application_id = 1095586649")
    for tables in _IN_DEPENDENCY_ORDER:
        tables.create()


def downgrade() -> None:
    for tables in reversed(_IN_DEPENDENCY_ORDER):
        tables.drop()
