"""README.md is the front door: at most 200 lines, the two commands at the top (CI runs the
test command from it), one screenshot, and links into the documentation that all lead
somewhere."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    text = re.sub(r"\{.*\}$", "", heading).replace("`", "").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    found = {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, re.M)}
    return found | set(re.findall(r"\{ ?#([\w-]+)", text))


def test_at_most_200_lines() -> None:
    assert len(README.splitlines()) <= 200


def test_the_test_command_is_where_ci_reads_it() -> None:
    """`.ci/run`: awk '/<!-- test-command -->/{getline; getline; print; exit}' README.md"""
    lines = README.splitlines()
    marker = lines.index("<!-- test-command -->")
    assert lines[marker + 1] == "```sh"
    command = lines[marker + 2]
    assert "pip install" in command and "pytest" in command and lines[marker + 3] == "```"


def test_the_demo_command_comes_first() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    assert blocks[0].endswith("amsync demo")


def test_every_link_leads_somewhere() -> None:
    links = LINK.findall(README)
    local = [link for link in links if not re.match(r"[a-z]+:", link)]
    assert local, "no links"
    for link in local:
        path, _, anchor = link.partition("#")
        target = ROOT / path
        assert target.exists(), f"README links to {path}, which does not exist"
        if anchor:
            assert anchor in _anchors(target), f"README links to {link}: no such heading"


def test_it_leads_into_every_part_of_the_site() -> None:
    targets = {link.partition("#")[0] for link in LINK.findall(README)}
    for part in ("tutorial/", "how-to/", "reference/", "explanation/"):
        assert any(t.startswith(f"docs/{part}") for t in targets), part
    pages = {t for t in targets if t.startswith("docs/") and t.endswith(".md")}
    assert len(pages) >= 20


def test_one_screenshot() -> None:
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert len(images) == 1 and (ROOT / images[0]).is_file()
