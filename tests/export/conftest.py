"""Fixtures of the export tests: the sample mirror on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.support.mirror_builder import build_sample_mirror


@pytest.fixture
def sample_db(db_url: str) -> str:
    """The sample mirror (``tests.support.mirror_builder``) on SQLite and on PostgreSQL."""
    build_sample_mirror(db_url)
    return db_url


@pytest.fixture
def sample_sqlite(sqlite_path: str) -> str:
    """The sample mirror in an SQLite file."""
    build_sample_mirror(sqlite_path)
    return sqlite_path
