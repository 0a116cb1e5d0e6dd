"""Tables on a terminal that reports 0 columns (issue 22, item 3).

Under ``script(1)``, some ``docker exec -t``, CI and serial consoles the terminal says it is 0
columns wide: every cell of ``search``, ``query``, ``top`` and ``show`` became ``…``, ids and
numbers included, and ``COLUMNS`` was ignored. Such a terminal is now as wide as ``COLUMNS``
says, else 80. The output goes to a real pseudo-terminal of that size.
"""

from __future__ import annotations

import os

import pytest

from tests.support.cli import invoke
from tests.support.terminal import drain, terminal

COMMANDS = [
    ["search", "hello"],
    ["query", "SELECT library_id, name, duration_ms FROM songs_v ORDER BY library_id"],
    ["show", "playlist", "Road Trip"],
    ["show", "song", "i.S1"],
]


def _on_terminal(args: list[str], columns: int, env: dict[str, str]) -> str:
    with terminal(columns) as (master, slave):
        stream = os.fdopen(os.dup(slave), "w", encoding="utf-8")
        try:
            result = invoke(args, env=env, stdout=stream)
            stream.flush()
        finally:
            stream.close()
        assert result.exit_code == 0, result.stderr
        return drain(master).replace("\r\n", "\n")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_terminal_of_0_columns_is_80_wide(command: list[str], sample_sqlite: str) -> None:
    screen = _on_terminal(["--db", sample_sqlite, *command], 0, {})
    assert "i.S1" in screen or "Road Trip" in screen, screen
    lines = [line for line in screen.splitlines() if line.strip()]
    assert lines and max(len(line) for line in lines) <= 80, screen
    cells = [cell for line in lines for cell in line.split()]
    assert cells.count("…") < len(cells) / 4, f"most cells were cut: {screen}"


def test_columns_says_how_wide_a_0_column_terminal_is(sample_sqlite: str) -> None:
    args = ["--db", sample_sqlite, "query", "SELECT library_id, name, artist FROM songs_v"]
    narrow = _on_terminal(args, 0, {"COLUMNS": "40"})
    assert max(len(line) for line in narrow.splitlines()) <= 40, narrow
    assert "i.S1" in narrow, "ids are never cut"
    wide = _on_terminal(args, 0, {"COLUMNS": "200"})
    assert "i.S1" in wide and wide != narrow


def test_a_real_width_still_wins(sample_sqlite: str) -> None:
    args = ["--db", sample_sqlite, "query", "SELECT library_id, name, artist FROM songs_v"]
    screen = _on_terminal(args, 50, {"COLUMNS": "200"})
    assert max(len(line) for line in screen.splitlines()) <= 50, screen
