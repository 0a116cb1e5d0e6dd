"""The examples in the pages that cannot rot: every ```` ```console ```` block after a
``<!-- run -->`` line is run, and what it prints is compared with what the page says.

The convention (``docs/explanation/contributing.md`` tells contributors):

- In the block, a line starting with ``$ `` is a command; a line ending in ``\\`` or a line
  starting with ``> `` right after continues it; every other line is output.
- The commands of one page run in order, in one ``bash`` (so ``export``, ``cd``, ``$?`` and
  background jobs carry on from block to block), on a pseudo-terminal 100 columns wide with
  ``TERM=dumb`` — what a person sees in a terminal: tables, not TSV, and no progress bars —
  with standard input closed.
- The page starts in a fresh home (``$HOME``, also the current folder) in which ``amsync demo``
  has been run: its folder is ``~/amsync-demo`` (shared by the pages of a test session: read
  it, write elsewhere) and a copy of its mirror is the default database
  (``~/.local/share/amsync/amsync.db``), so ``amsync stats`` answers about the demo library.
  A page with ``<!-- run-home: empty -->`` starts with an empty home instead.
- A command must exit 0, unless the next command is ``echo $?`` (which shows its code).
- Output is compared line by line, trailing spaces ignored. In the page, a line ``...`` stands
  for any number of lines, and ``...`` inside a line for any text: times, ports, durations.
  Before comparing, the paths of the run are written as a reader's: the home as ``~``, the
  demo's folder as ``~/amsync-demo``, the folder of the ``amsync`` program as ``~/.venv/bin``.

``python -m tests.docs.refresh [PAGE…]`` runs the pages and writes what they print into them,
keeping each command's recorded output where it still matches (so its ``...`` stay).
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import fcntl
import os
import pty
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[1]
DOCS: Final = ROOT / "docs"
RUN_MARKER: Final = "<!-- run -->"
EMPTY_HOME: Final = "<!-- run-home: empty -->"
COLUMNS: Final = 100
PAGE_TIMEOUT_S: Final = 300.0
_END: Final = "@@amsync-docs-end@@"
_END_RE: Final = re.compile(rf"\n{_END} (\d+)\n")
_ANSI: Final = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>]")


@dataclass
class Command:
    text: str  # as written, continuation lines joined with "\n" (without their "> ")
    source: list[str]  # its lines in the page
    expected: list[str] = field(default_factory=list)
    line: int = 0  # its line in the page, from 1

    @property
    def shows_exit_code(self) -> bool:
        return self.text.strip() in ("echo $?", 'echo "$?"')


@dataclass
class Block:
    start: int  # index of the ```console line
    end: int  # index of the closing ``` line
    commands: list[Command]


@dataclass
class Outcome:
    command: Command
    output: list[str]
    exit_code: int


def pages_with_examples(root: Path = DOCS) -> list[Path]:
    return sorted(p for p in root.rglob("*.md") if RUN_MARKER in p.read_text(encoding="utf-8"))


def find_blocks(text: str) -> list[Block]:
    """The run blocks of a page; a fence that shows Markdown (````` ````markdown `````) may hold
    the convention as an example and is skipped."""
    lines = text.split("\n")
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        if lines[index].strip() == RUN_MARKER:
            opening = index + 1
            if opening >= len(lines) or lines[opening].strip() != "```console":
                raise ValueError(
                    f"line {index + 1}: {RUN_MARKER} must be followed by a ```console block"
                )
            closing = next(
                (i for i in range(opening + 1, len(lines)) if lines[i].strip() == "```"), None
            )
            if closing is None:
                raise ValueError(f"line {opening + 1}: the ```console block is not closed")
            blocks.append(Block(opening, closing, parse_block(lines, opening + 1, closing)))
            index = closing
        else:
            index = _after_fence(lines, index)
        index += 1
    return blocks


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def _after_fence(lines: list[str], index: int) -> int:
    """The index of the line that closes the fence opened at ``index`` (``index`` itself when
    no fence opens there)."""
    match = _FENCE.match(lines[index])
    if match is None:
        return index
    fence = match.group(1)
    for end in range(index + 1, len(lines)):
        if lines[end].strip() == fence[0] * len(lines[end].strip()) and len(
            lines[end].strip()
        ) >= len(fence):
            return end
    return len(lines)


def parse_block(lines: list[str], first: int, end: int) -> list[Command]:
    commands: list[Command] = []
    index = first
    while index < end:
        line = lines[index]
        if line.startswith("$ "):
            parts, source = [line[2:]], [line]
            number = index + 1
            while index + 1 < end and (
                parts[-1].endswith("\\") or lines[index + 1].startswith("> ")
            ):
                index += 1
                following = lines[index]
                source.append(following)
                parts.append(following[2:] if following.startswith("> ") else following)
            commands.append(Command("\n".join(parts), source, line=number))
        elif not commands:
            raise ValueError(f"line {index + 1}: output before the first `$ ` command")
        else:
            commands[-1].expected.append(line)
        index += 1
    for command in commands:
        command.expected = _trimmed(command.expected)
    return commands


def unmarked_console_blocks(text: str) -> list[int]:
    """Lines (from 1) of ```console blocks that no ``<!-- run -->`` precedes."""
    lines = text.split("\n")
    found: list[int] = []
    index = 0
    while index < len(lines):
        if lines[index].strip() == "```console" and (
            index == 0 or lines[index - 1].strip() != RUN_MARKER
        ):
            found.append(index + 1)
        index = _after_fence(lines, index) + 1
    return found


# --- matching -----------------------------------------------------------------------------------


def _trimmed(lines: list[str]) -> list[str]:
    out = [line.rstrip() for line in lines]
    while out and not out[-1]:
        out.pop()
    return out


def _line_pattern(line: str) -> str:
    return ".*?".join(re.escape(part) for part in line.split("..."))


def matches(expected: list[str], actual: list[str]) -> bool:
    """``actual`` is what ``expected`` says, with its ``...`` lines and ``...`` in lines."""
    parts = [
        r"(?:[^\n]*\n)*?" if line == "..." else _line_pattern(line) + r"\n" for line in expected
    ]
    return re.fullmatch("".join(parts), "".join(f"{line}\n" for line in actual)) is not None


def difference(outcome: Outcome) -> str:
    return "\n".join(
        difflib.unified_diff(
            outcome.command.expected,
            outcome.output,
            "the page says",
            "the command printed",
            lineterm="",
        )
    )


# --- running a page -----------------------------------------------------------------------------


@dataclass
class Places:
    """Where a page runs: its home, and the paths written as a reader's in its output."""

    home: Path
    demo: Path | None  # the session's demo folder, copied into the home

    def substitutions(self) -> list[tuple[str, str]]:
        pairs = [(str(Path(sys.executable).parent), "~/.venv/bin"), (str(self.home), "~")]
        if self.demo is not None:
            pairs.insert(0, (str(self.demo), "~/amsync-demo"))
        return pairs


def amsync_program() -> Path:
    """The ``amsync`` console script of the interpreter running the tests."""
    program = Path(sys.executable).parent / "amsync"
    if not program.is_file():
        raise FileNotFoundError(f"no amsync program beside {sys.executable}: pip install -e .")
    return program


def clean_environment(home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "PATH": os.pathsep.join(
            [str(amsync_program().parent), "/usr/local/bin", "/usr/bin", "/bin"]
        ),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "dumb",
        "NO_COLOR": "1",
        "TZ": "UTC",
        "PYTHONDONTWRITEBYTECODE": "1",
        "TMPDIR": str(home.parent / "tmp"),
    }


def make_demo(folder: Path) -> Path:
    """``amsync demo`` into ``folder`` (the demo every page starts from)."""
    home = folder.parent / "demo-home"
    home.mkdir(parents=True, exist_ok=True)
    (home.parent / "tmp").mkdir(exist_ok=True)
    subprocess.run(
        [str(amsync_program()), "demo", "--dir", str(folder)],
        env=clean_environment(home),
        cwd=home,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return folder


def prepare_home(home: Path, demo: Path | None) -> None:
    home.mkdir(parents=True)
    (home.parent / "tmp").mkdir(exist_ok=True)
    if demo is None:
        return
    (home / "amsync-demo").symlink_to(demo, target_is_directory=True)  # shared: only read it
    data = home / ".local" / "share" / "amsync"
    data.mkdir(parents=True)
    shutil.copy2(demo / "amsync.db", data / "amsync.db")
    _moved_music(data / "amsync.db", str(demo), str(home / "amsync-demo"))


def _moved_music(database: Path, old: str, new: str) -> None:
    """The demo's music files as if the demo had run in this home (as a reader's did): their
    paths in the copied mirror start with ``~/amsync-demo`` (the link to the shared folder)."""
    with contextlib.closing(sqlite3.connect(database)) as connection, connection:
        for table in ("local_files", "local_links"):
            connection.execute(
                f"UPDATE {table} SET path = ? || substr(path, ?) WHERE substr(path, 1, ?) = ?",
                (new, len(old) + 1, len(old), old),
            )


def script_of(commands: list[Command]) -> str:
    lines = ['cd "$HOME"']
    for command in commands:
        lines.append(command.text)
        lines.append(f'__rc=$?; printf \'\\n{_END} %d\\n\' "$__rc"; (exit "$__rc")')
    lines.append("kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; true")
    return "\n".join(lines) + "\n"


@dataclass
class PageRun:
    blocks: list[Block]
    outcomes: list[Outcome]

    @property
    def commands(self) -> list[Command]:
        return [command for block in self.blocks for command in block.commands]


def run_page(page: Path, workspace: Path, demo: Path | None) -> PageRun:
    """Runs every example of ``page`` in a fresh home under ``workspace``."""
    text = page.read_text(encoding="utf-8")
    blocks = find_blocks(text)
    commands = [c for block in blocks for c in block.commands]
    places = Places(workspace / "home", None if EMPTY_HOME in text else demo)
    prepare_home(places.home, places.demo)
    script = workspace / "page.sh"
    script.write_text(script_of(commands), encoding="utf-8")
    raw = _run_in_terminal(["bash", str(script)], clean_environment(places.home), places.home)
    return PageRun(blocks, _outcomes(commands, normalised(raw, places)))


def normalised(raw: bytes, places: Places) -> str:
    text = _ANSI.sub("", raw.decode("utf-8", errors="replace")).replace("\r\n", "\n")
    text = text.replace("\r", "")
    for path, shown in places.substitutions():
        text = text.replace(path, shown)
    return text


def _outcomes(commands: list[Command], text: str) -> list[Outcome]:
    outcomes: list[Outcome] = []
    position = 0
    ends = list(_END_RE.finditer(text))
    for command, end in zip(commands, ends, strict=False):
        segment = text[position : end.start()]
        outcomes.append(Outcome(command, _trimmed(segment.split("\n")), int(end.group(1))))
        position = end.end()
    if len(ends) < len(commands):  # the page stopped early (timeout): what came, unfinished
        rest = commands[len(ends)]
        outcomes.append(Outcome(rest, _trimmed(text[position:].split("\n")), -1))
    return outcomes


def _run_in_terminal(argv: list[str], env: dict[str, str], cwd: Path) -> bytes:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, COLUMNS, 0, 0))
    with open(os.devnull, "rb") as stdin:
        process = subprocess.Popen(
            argv, stdin=stdin, stdout=slave, stderr=slave, env=env, cwd=cwd, start_new_session=True
        )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + PAGE_TIMEOUT_S
    try:
        for chunk in _read_until_closed(master, deadline):
            chunks.append(chunk)
    finally:
        os.close(master)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return b"".join(chunks)


def _read_until_closed(fd: int, deadline: float) -> Iterator[bytes]:
    import select

    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError as exc:  # EIO: every writer of the terminal has gone
            if exc.errno == errno.EIO:
                return
            raise
        if not chunk:
            return
        yield chunk


def failures(run: PageRun) -> list[str]:
    """What is wrong, in words and diffs; empty when the page says what its commands print."""
    commands, outcomes = run.commands, run.outcomes
    problems: list[str] = []
    if len(outcomes) < len(commands) or (outcomes and outcomes[-1].exit_code == -1):
        stuck = outcomes[-1].command if outcomes else commands[0]
        problems.append(f"line {stuck.line}: `{stuck.text}` did not finish")
    for index, outcome in enumerate(outcomes):
        command = outcome.command
        following = commands[index + 1] if index + 1 < len(commands) else None
        if outcome.exit_code not in (0, -1) and not (following and following.shows_exit_code):
            problems.append(
                f"line {command.line}: `{command.text}` exited {outcome.exit_code} "
                "(show it with `echo $?` as the next command if that is meant)\n"
                + "\n".join(outcome.output)
            )
        elif not matches(command.expected, outcome.output):
            problems.append(f"line {command.line}: `{command.text}`\n{difference(outcome)}")
    return problems


# --- refreshing ---------------------------------------------------------------------------------


def refreshed(text: str, run: PageRun) -> str:
    """``text`` with each command's output replaced by what it printed, unless what the page
    says still matches (then its ``...`` stay)."""
    printed = {id(o.command): o for o in run.outcomes}
    lines = text.split("\n")
    for block in reversed(run.blocks):
        body: list[str] = []
        for command in block.commands:
            body += command.source
            outcome = printed.get(id(command))
            keep = outcome is None or matches(command.expected, outcome.output)
            body += command.expected if keep or outcome is None else outcome.output
        lines[block.start + 1 : block.end] = body
    return "\n".join(lines)


def refresh(pages: list[Path]) -> int:
    """Runs ``pages`` and writes what their commands print into them; the number of commands
    that failed (exited with an unexpected code or did not finish)."""
    failed = 0
    with tempfile.TemporaryDirectory(prefix="amsync-docs-") as folder:
        demo = make_demo(Path(folder) / "demo" / "amsync-demo")
        for number, page in enumerate(pages):
            text = page.read_text(encoding="utf-8")
            run = run_page(page, Path(folder) / f"page{number}", demo)
            new = refreshed(text, run)
            name = page.resolve().relative_to(ROOT)
            if new != text:
                page.write_text(new, encoding="utf-8")
            print(f"{name}: {'refreshed' if new != text else 'unchanged'}")
            for problem in failures(run):
                if " exited " in problem.splitlines()[0] or "did not finish" in problem:
                    failed += 1
                    print(f"  {problem}")
    return failed
