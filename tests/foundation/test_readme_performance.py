"""Every figure in README's Performance section comes from a results file in bench/results/."""

from __future__ import annotations

from bench.readme import README, current_block, section


def test_readme_performance_section_is_the_results_files() -> None:
    text = README.read_text(encoding="utf-8")
    assert current_block(text) == section().strip(), (
        "README.md's Performance section differs from bench/results/: run "
        "`.venv/bin/python -m bench.readme`"
    )
    assert "| full sync |" in current_block(text)
