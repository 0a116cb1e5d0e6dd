"""Puts the latest benchmark tables into the documentation's Performance page
(``docs/performance.md``).

Run: ``.venv/bin/python -m bench.readme`` after a benchmark. The part between the
``<!-- performance:start -->`` and ``<!-- performance:end -->`` markers is rebuilt from the
results files in ``bench/results/`` (and a test checks that the page says exactly what they
say), so every figure on that page comes from a results file.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "performance.md"
RESULTS = ROOT / "bench" / "results"
START, END = "<!-- performance:start -->", "<!-- performance:end -->"
ORDER = (
    "sync",
    "fast_start",
    "accounts",
    "apply",
    "export_search",
    "local_match",
    "integrity",
    "emulator_throughput",
    "cli_latency",
    "history_import",
    "listens",
    "server_push",
    "mutation",
    "lost",
    "report",
)
REPRODUCE = {
    "sync": ".venv/bin/python -m bench.sync --songs 100000 --baseline-songs 20000 --postgres URL",
    "fast_start": ".venv/bin/python -m bench.fast_start --schedule",
    "accounts": ".venv/bin/python -m bench.accounts --postgres URL",
    "apply": ".venv/bin/python -m bench.apply --songs 100000",
    "export_search": ".venv/bin/python -m bench.export_search --songs 100000",
    "local_match": ".venv/bin/python -m bench.local_match --songs 100000",
    "integrity": ".venv/bin/python -m bench.integrity --songs 100000",
    "emulator_throughput": ".venv/bin/python -m bench.emulator_throughput --songs 100000",
    "cli_latency": ".venv/bin/python -m bench.cli_latency --runs 15",
    "history_import": ".venv/bin/python -m bench.history_import --postgres URL",
    "listens": ".venv/bin/python -m bench.listens",
    "server_push": ".venv/bin/python -m bench.server_push",
    "mutation": ".venv/bin/python -m bench.mutation",
    "lost": ".venv/bin/python -m bench.lost",
    "report": ".venv/bin/python -m bench.report",
}


def section() -> str:
    parts: list[str] = []
    for name in ORDER:
        path = RESULTS / f"{name}.md"
        if not path.exists():
            continue
        lines = path.read_text(encoding="utf-8").strip().splitlines()
        body = [
            _heading(line, first=i == 0) if line.startswith("#") else line
            for i, line in enumerate(lines)
        ]
        body += ["", f"From `bench/results/{name}.md`; reproduce: `{REPRODUCE[name]}`."]
        parts.append("\n".join(body))
    return "\n\n".join(parts)


def _heading(line: str, *, first: bool) -> str:
    """A results file's title becomes a section of the page, its other headings subsections."""
    return ("## " if first else "### ") + line.lstrip("# ")


def current_block(text: str) -> str:
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def main() -> None:
    text = PAGE.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    PAGE.write_text(f"{before}{START}\n{section()}\n{END}{after}", encoding="utf-8")
    print(f"{PAGE.relative_to(ROOT)} rebuilt from {RESULTS}")


if __name__ == "__main__":
    main()
