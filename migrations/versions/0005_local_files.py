"""Local music files and their matches to mirrored songs (reserved).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 11:30:00

Reserved so that parallel work can chain its revision;
the local-files work (issue 16) fills it in.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
