r"""MkDocs hooks (``mkdocs.yml``: ``hooks``): the generated parts of the reference.

- before any page: the whole command tree is loaded (``reference.load_command_tree``), so the
  ``::: mkdocs-click`` block of ``reference/commands.md`` documents every command and
  sub-command of the lazy group;
- a Markdown preprocessor that runs after mkdocs-click's puts each command's exit codes under
  its section;
- in table rows, ``\|`` inside a code span becomes ``|``: GitHub needs the backslash there to
  keep the cell whole, Python-Markdown's tables keep code spans whole by themselves and would
  show it;
- markers in a page are replaced by generated text: ``<!-- generated: views -->`` (every
  documented view and column), ``<!-- generated: error-tree -->`` (the error classes and their
  exit codes).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # MkDocs loads this file by its path
    sys.path.insert(0, str(ROOT))

from docsite import reference  # noqa: E402

MARKERS = {
    "<!-- generated: views -->": reference.views_markdown,
    "<!-- generated: error-tree -->": reference.error_tree_markdown,
}
CLICK_PRIORITY = 141  # mkdocs-click's preprocessor; ours runs after it


class ExitCodesPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        if not any(reference.HEADING.match(line) for line in lines):
            return lines
        return reference.insert_exit_codes(lines)


class ExitCodesExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(
            ExitCodesPreprocessor(md), "amsync_exit_codes", CLICK_PRIORITY - 1
        )


def on_config(config: Any) -> Any:
    reference.load_command_tree()
    config.markdown_extensions.append(ExitCodesExtension())
    return config


_CODE_SPAN = re.compile(r"`[^`\n]*`")


def _unescaped_pipes(line: str) -> str:
    if not line.lstrip().startswith("|"):
        return line
    return _CODE_SPAN.sub(lambda span: span.group(0).replace("\\|", "|"), line)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    for marker, generate in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, generate())
    return "\n".join(_unescaped_pipes(line) for line in markdown.split("\n"))
