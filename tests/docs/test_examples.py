"""The examples of the documentation cannot rot: every ```console block after ``<!-- run -->``
in ``docs/`` is run (``docsite.examples``: one bash per page, on a pseudo-terminal, in a home
where ``amsync demo`` ran) and what each command prints must be what the page says.
``python -m tests.docs.refresh`` writes the output back into the pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from docsite import examples
from docsite.examples import Command, Outcome, PageRun, find_blocks, matches

DOCS = examples.DOCS
PAGES = examples.pages_with_examples()


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder ``amsync demo`` made, once per session (per worker under xdist)."""
    return examples.make_demo(tmp_path_factory.mktemp("docs-demo") / "amsync-demo")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_the_page_says_what_its_commands_print(
    page: Path, demo_folder: Path, tmp_path: Path
) -> None:
    run = examples.run_page(page, tmp_path, demo_folder)
    problems = examples.failures(run)
    assert not problems, (
        f"{page.relative_to(DOCS.parent)}: the examples do not print what the page says "
        "(`.venv/bin/python -m tests.docs.refresh PAGE` writes what they print):\n\n"
        + "\n\n".join(problems)
    )


def test_the_tutorial_and_every_guide_with_examples_are_run() -> None:
    run = {p.relative_to(DOCS).as_posix() for p in PAGES}
    assert {"tutorial/demo.md", "tutorial/emulator.md"} <= run
    assert len([p for p in run if p.startswith("how-to/")]) >= 5


@pytest.mark.parametrize(
    "page",
    sorted([*DOCS.glob("tutorial/*.md"), *DOCS.glob("how-to/*.md")]),
    ids=lambda p: str(p.relative_to(DOCS)),
)
def test_every_transcript_in_the_tutorial_and_guides_is_run(page: Path) -> None:
    """A ```console block shows commands with their output: there it must be checked. (Plain
    ```sh blocks show commands to adapt — your paths, your account — and are not run.)"""
    lines = examples.unmarked_console_blocks(page.read_text(encoding="utf-8"))
    assert lines == [], f"{page.name}: ```console blocks without <!-- run --> at lines {lines}"


# --- the convention itself ---------------------------------------------------------------------


def test_ellipsis_lines_and_ellipsis_within_lines() -> None:
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "d"], ["a", "d"])
    assert matches(["took ... s, 3 requests"], ["took 1.5 s, 3 requests"])
    assert not matches(["took ... s, 3 requests"], ["took 1.5 s, 4 requests"])
    assert not matches(["a", "b"], ["a", "b", "c"])
    assert not matches(["a", "...", "d"], ["a", "b", "c"])
    assert matches([], [])
    assert not matches([], ["unexpected output"])


def test_blocks_commands_continuations_and_output() -> None:
    text = "\n".join(
        [
            "text",
            "<!-- run -->",
            "```console",
            "$ amsync query \\",
            '  "SELECT 1"',
            "1",
            "$ cat <<'EOF'",
            "> x",
            "> EOF",
            "x",
            "```",
        ]
    )
    [block] = find_blocks(text)
    first, second = block.commands
    assert first.text == 'amsync query \\\n  "SELECT 1"' and first.expected == ["1"]
    assert second.text == "cat <<'EOF'\nx\nEOF" and second.expected == ["x"]
    assert (first.line, second.line) == (4, 7)


@pytest.mark.parametrize(
    "text",
    [
        "<!-- run -->\n```sh\n$ ls\n```",
        "<!-- run -->\n```console\n$ ls\n",
        "<!-- run -->\n```console\noutput first\n$ ls\n```",
    ],
)
def test_a_malformed_block_is_an_error(text: str) -> None:
    with pytest.raises(ValueError):
        find_blocks(text)


def test_a_failing_command_must_show_its_exit_code() -> None:
    fails = Command("false", ["false"])
    shown = Command("echo $?", ["echo $?"], expected=["1"])
    run = PageRun([], [Outcome(fails, [], 1), Outcome(shown, ["1"], 0)])
    run.blocks = [examples.Block(0, 0, [fails, shown])]
    assert examples.failures(run) == []
    alone = PageRun([examples.Block(0, 0, [fails])], [Outcome(fails, [], 1)])
    assert "exited 1" in examples.failures(alone)[0]


def test_refreshing_keeps_what_still_matches_and_replaces_the_rest() -> None:
    text = "<!-- run -->\n```console\n$ a\ntook ... s\n$ b\nold\n```\n"
    blocks = find_blocks(text)
    a, b = blocks[0].commands
    run = PageRun(blocks, [Outcome(a, ["took 2.5 s"], 0), Outcome(b, ["new", "lines"], 0)])
    assert examples.refreshed(text, run) == (
        "<!-- run -->\n```console\n$ a\ntook ... s\n$ b\nnew\nlines\n```\n"
    )
