"""Views expose ISO 8601 UTC timestamps (reserved).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 11:30:00

Reserved so that parallel work can chain its revision;
the hardening work (issue 14) fills it in.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
