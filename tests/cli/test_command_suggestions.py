"""Unknown commands are told the near ones (issue 22, item 11).

``amsync sycn`` and ``amsync status`` got no suggestion (click looks only at the commands it
has loaded, and amsync loads a command's module only when it runs); ``amsync query`` already
suggested SQL words. Now the near commands are named, and sub-commands whose own name is near.
"""

from __future__ import annotations

import pytest

from tests.support.cli import invoke

CASES = {
    "sycn": ["`amsync sync`"],
    "status": ["`amsync stats`", "`amsync auth status`"],
    "favourite": ["`amsync favourites`"],
    "scan": ["`amsync local scan`"],
    "serve": ["`amsync emulator serve`"],
}


@pytest.mark.parametrize(("typed", "suggested"), CASES.items(), ids=list(CASES))
def test_near_commands_are_suggested(typed: str, suggested: list[str]) -> None:
    result = invoke([typed])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("amsync: error: no such command"), lines
    for name in suggested:
        assert name in lines[0], lines[0]


def test_nothing_near_suggests_nothing_and_a_sub_command_is_suggested_too() -> None:
    far = invoke(["xyzzy"])
    assert far.exit_code == 2 and "Did you mean" not in far.stderr
    sub = invoke(["local", "scna"])
    assert sub.exit_code == 2 and "'scan'" in sub.stderr, sub.stderr
