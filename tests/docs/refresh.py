"""Write what the documentation's examples print into their pages.

``.venv/bin/python -m tests.docs.refresh [PAGE…]`` (default: every page with a
``<!-- run -->`` block) runs each page's examples as ``tests/docs/test_examples.py`` does and
replaces the recorded output of every command whose output no longer matches; output that still
matches is kept as written, with its ``...``. Review the diff, then put ``...`` where a value
changes from run to run (times, durations, ports). Exit status: the number of commands that
failed (exited with a code the page does not show, or did not finish), at most 100.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docsite.examples import pages_with_examples, refresh


def main(argv: list[str]) -> int:
    pages = [Path(arg).resolve() for arg in argv] or pages_with_examples()
    return min(refresh(pages), 100)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
