"""Every figure on the documentation's Performance page (``docs/performance.md``) comes from a
results file in bench/results/: ``python -m bench.readme`` writes it."""

from __future__ import annotations

from bench.readme import PAGE, current_block, section


def test_the_performance_page_is_the_results_files() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert current_block(text) == section().strip(), (
        "docs/performance.md differs from bench/results/: run `.venv/bin/python -m bench.readme`"
    )
    assert "| full sync |" in current_block(text)
