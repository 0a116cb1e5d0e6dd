"""One exit code per cause, from every command (issue 22, item 6).

A missing music user token used to make ``sync`` exit 2 while ``auth status`` and ``doctor``
exited 3; a damaged database made ``db check`` exit 1, ``doctor`` 2 and the writing commands 2.
Each cause has one code, whichever command meets it (DESIGN §3: 3 when a person must sign in
or provide a token, 2 for a database that cannot be used as it is):

========================  ====
cause                     code
========================  ====
no-music-user-token       3
no-developer-token        3
damaged-db                2
damaged-pages             2
newer-db                  2
foreign-db                2
========================  ====

The table below (``TOKENS``, ``NO_DATABASE``) says which commands meet which cause; every
other command × cause pair must end as that command ends without the cause (its baseline).
The commands and their arguments are the hostile walk's (``test_hostile_walk.ROWS``), so a new
command is covered by its one row there; it is taken to open the database and to need no
token, and its cases fail (3 where its baseline was expected, or its baseline where 2 was)
until ``TOKENS`` or ``NO_DATABASE`` say otherwise. The codes come from one place: the error classes
(``amsync.errors``), which ``amsync.cli.run`` translates, and which ``auth status``, ``doctor``
and ``db check`` report their findings in.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Final

import pytest

from tests.reliability.test_hostile_walk import (  # noqa: F401 - golden, scene: fixtures
    PATHS,
    ROWS,
    Scene,
    baseline,
    golden,
    scene,
)
from tests.support.cli import invoke
from tests.support.reliability import FIGURES

pytestmark = pytest.mark.slow

CAUSES: Final = {
    "no-music-user-token": 3,
    "no-developer-token": 3,
    "damaged-db": 2,
    "damaged-pages": 2,
    "newer-db": 2,
    "foreign-db": 2,
}

BOTH: Final = frozenset({"developer", "user"})
TOKENS: Final[dict[tuple[str, ...], frozenset[str]]] = {
    ("sync",): BOTH,
    ("favourites", "push"): BOTH,
    ("restore",): BOTH,
    ("lost", "restore"): BOTH,
    ("auth", "status"): BOTH,  # reports a missing token: exit 3
    ("doctor",): BOTH,  # reports a missing token: exit 3
}
"""The commands that need Apple Music tokens, and which."""

NO_DATABASE: Final = frozenset(
    {
        ("auth", "login"),
        ("auth", "logout"),
        ("auth", "set"),
        ("auth", "status"),
        ("backup", "list"),
        ("backup", "verify"),
        ("completion",),
        ("demo",),  # its own fresh database
        ("emulator", "serve"),
        ("restore",),  # reads the backup, never the database
        ("schedule", "print"),
        ("notify", "test"),
        ("server", "login"),  # the password goes into the home
        ("server", "logout"),
    }
)
"""The commands that never open the database."""


def _ruin_the_schema(db: Path) -> None:
    """A damaged first page (the schema), the 100-byte header kept: every open meets it."""
    with db.open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\xa5" * 3996)


def _ruin_pages(db: Path) -> None:
    """Damaged pages in the middle of the file (a page of playlist entries, say): every
    command that writes refuses it, ``db check`` and ``doctor`` report it; a reader meets it
    only if it reads there."""
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.seek(size // 2 - (size // 2) % 4096)
        handle.write(b"\xa5" * 4096)


def _newer(db: Path) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()


def _foreign(db: Path) -> None:
    db.unlink()
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    connection.close()


PREPARE: Final[dict[str, Callable[[Path], None]]] = {
    "damaged-db": _ruin_the_schema,
    "damaged-pages": _ruin_pages,
    "newer-db": _newer,
    "foreign-db": _foreign,
}


def meets(path: tuple[str, ...], cause: str) -> bool:
    if cause == "no-music-user-token":
        return "user" in TOKENS.get(path, frozenset())
    if cause == "no-developer-token":
        return "developer" in TOKENS.get(path, frozenset())
    return path not in NO_DATABASE


TABLE = [
    pytest.param(path, cause, id=f"{' '.join(path)}-{cause}")
    for path in PATHS
    if ROWS.get(path) is not None and ROWS[path].finite
    for cause in CAUSES
]


def test_the_table_names_only_commands_that_exist() -> None:
    stale = (set(TOKENS) | set(NO_DATABASE)) - set(PATHS)
    assert not stale, f"TOKENS or NO_DATABASE name commands that do not exist: {sorted(stale)}"


@pytest.mark.parametrize(("path", "cause"), TABLE)
def test_one_code_per_cause(
    path: tuple[str, ...],
    cause: str,
    scene: Scene,  # noqa: F811 - the imported fixture
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    row = ROWS[path]
    normal = baseline(path, scene, tmp_path_factory)
    if row.before:
        row.before(scene)
    env = scene.env()
    if cause == "no-music-user-token":
        env.pop("AMSYNC_MUSIC_USER_TOKEN")
    elif cause == "no-developer-token":
        env.pop("AMSYNC_DEVELOPER_TOKEN")
    else:
        PREPARE[cause](scene.db)
    out = scene.root / ("out" if row.output == "folder" else "out.txt")
    result = invoke([*path, *scene.fill(row, out)], env=env, input=row.stdin)
    FIGURES["exit-code table runs"] += 1
    assert "Traceback" not in result.output, result.output
    expected = CAUSES[cause] if meets(path, cause) else normal
    if cause == "damaged-pages" and not (row.db or row.reports) and meets(path, cause):
        # a reader that never reads the damaged pages answers as usual
        assert result.exit_code in (normal, expected), (expected, result.output)
    else:
        assert result.exit_code == expected, (expected, result.output)
    if result.exit_code != normal and not row.reports:
        errors = [line for line in result.stderr.splitlines() if line.startswith("amsync: error:")]
        assert len(errors) == 1, result.stderr
