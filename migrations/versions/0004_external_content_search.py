"""Full-text search as external-content FTS5 tables (reserved).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 11:30:00

Reserved so that parallel work can chain its revision;
the command-line work (issue 15) fills it in.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
