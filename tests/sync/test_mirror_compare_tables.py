"""The test mirror comparison (``tests/support/mirror_compare.py``) knows every table of the
schema: each is compared with what the emulator's library says, or named with the reason it is
not (issue 29) — so a new table a sync writes cannot go unchecked unnoticed."""

from __future__ import annotations

from amsync.db import tables
from amsync.db.models import Base
from tests.support.mirror_compare import COMPARED, NOT_COMPARED


def test_every_table_is_compared_or_named_with_a_reason() -> None:
    assert tables.songs is not None  # every model module is imported through amsync.db.tables
    assert COMPARED.isdisjoint(NOT_COMPARED)
    assert set(Base.metadata.tables) == COMPARED | set(NOT_COMPARED), (
        "a table is missing from tests/support/mirror_compare.py: compare it in "
        "expected_mirror/actual_mirror, or name it in NOT_COMPARED with the reason"
    )
    assert all(reason.strip() for reason in NOT_COMPARED.values())
