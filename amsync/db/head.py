"""The schema revision this amsync writes, known without loading Alembic.

Loading Alembic's script directory costs a quarter of a second; the fast read path
(``amsync.db.reading``) only needs to know whether a database is at head.
``tests/foundation/test_database.py`` checks that this is Alembic's head: a new migration
updates it.
"""

from __future__ import annotations

from typing import Final

HEAD_REVISION: Final = "0010"
