"""The mutation-testing table (``bench/mutation.py``, issue 29) stays true: every listed module
exists and has unit-test files that import it, every listed equivalent mutant belongs to a
listed module and gives its reason, the scores in the docs are the recorded ones, and the
pieces that turn mutmut's output into a score count what they should."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from bench.mutation import (
    DOC,
    EQUIVALENTS,
    MODULES,
    RESULTS_JSON,
    Equivalent,
    current_doc_block,
    doc_block,
    load_equivalents,
    score,
)
from bench.mutmut_runner import ROOT, Mutant, changed_lines, function_of, scratch_pyproject


def _imports(test_file: Path, module: str) -> bool:
    dotted = module.removesuffix(".py").replace("/", ".")
    package, _, name = dotted.rpartition(".")
    for node in ast.walk(ast.parse(test_file.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (
                node.module == dotted
                or (node.module == package and any(a.name == name for a in node.names))
            )
        ):
            return True
        if isinstance(node, ast.Import) and any(a.name == dotted for a in node.names):
            return True
    return False


@pytest.mark.parametrize("target", MODULES, ids=[t.module for t in MODULES])
def test_each_listed_module_has_unit_tests_that_import_it(target: object) -> None:
    from bench.mutation import Target

    assert isinstance(target, Target)
    assert (ROOT / target.module).is_file()
    assert target.tests, "a module needs its own unit-test files"
    for name in target.tests:
        assert (ROOT / name).is_file(), name
        assert _imports(ROOT / name, target.module), f"{name} does not import {target.module}"
    assert 0 < target.floor <= 100


def test_modules_are_listed_once() -> None:
    names = [t.module for t in MODULES]
    assert len(names) == len(set(names))


def test_every_equivalent_names_a_listed_module_and_a_reason() -> None:
    raw = tomllib.loads(EQUIVALENTS.read_text(encoding="utf-8"))["equivalent"]
    assert {tuple(sorted(entry)) for entry in raw} == {
        ("from", "function", "module", "reason", "to")
    }
    listed = {t.module for t in MODULES}
    entries = load_equivalents()
    assert len(entries) == len(raw)
    for entry in entries:
        assert entry.module in listed, entry
        assert entry.before and entry.after and entry.before != entry.after, entry
        assert entry.reason and "\n" not in entry.reason, entry
    keys = [(e.module, e.function, e.before, e.after) for e in entries]
    assert len(keys) == len(set(keys)), "an equivalent is listed twice"


def test_the_docs_show_the_recorded_scores() -> None:
    if not RESULTS_JSON.exists():
        pytest.skip("no mutation scores recorded yet")
    assert current_doc_block(DOC.read_text(encoding="utf-8")) == doc_block(), (
        "docs/explanation/test-strength.md differs from bench/results/mutation.md: run "
        "`.venv/bin/python -m bench.mutation` (or copy the table)"
    )


def test_mutant_names_become_functions() -> None:
    module = "amsync/api/rate.py"
    assert function_of("amsync.api.rate.xǁAdaptiveRateǁreserve__mutmut_3", module) == (
        "AdaptiveRate.reserve"
    )
    assert function_of("amsync.api.rate.x_helper__mutmut_12", module) == "helper"
    assert function_of("amsync.sync.plan.x_plan_sync__mutmut_1", "amsync/sync/plan.py") == (
        "plan_sync"
    )


def test_a_diff_becomes_the_changed_lines() -> None:
    diff = "\n".join(
        [
            "--- amsync/x.py",
            "+++ amsync/x.py",
            "@@ -1,3 +1,3 @@",
            " def f(a):",
            "-    if a > 1:",
            "+    if a >= 1:",
            "         return a",
        ]
    )
    assert changed_lines(diff) == ("if a > 1:", "if a >= 1:")


def test_the_score_leaves_out_listed_equivalents_only() -> None:
    module = "amsync/x.py"
    mutants = [
        Mutant("m1", "killed", "f"),
        Mutant("m2", "timeout", "f"),
        Mutant("m3", "survived", "f", "a = 1", "a = 2"),
        Mutant("m4", "survived", "g", "b > 1", "b >= 1"),
        Mutant("m5", "no tests", "g", "c", "d"),
        Mutant("m6", "killed", "h", "", ""),
    ]
    listed = [
        Equivalent(module, "f", "a = 1", "a = 2", "why"),
        Equivalent(module, "g", "b > 1", "b > 2", "another change"),
        Equivalent("amsync/y.py", "g", "b > 1", "b >= 1", "another module"),
        Equivalent(module, "h", "gone", "gone too", "no longer surviving"),
    ]
    result = score(mutants, listed, module)
    assert {k: result[k] for k in ("mutants", "killed", "survived", "equivalent", "score")} == {
        "mutants": 6,
        "killed": 3,
        "survived": 2,
        "equivalent": 1,
        "score": 60.0,
    }
    assert [s["name"] for s in result["survivors"]] == ["m4", "m5"]
    assert result["stale_equivalents"] == [
        {"function": "g", "from": "b > 1"},
        {"function": "h", "from": "gone"},
    ]


def test_the_scratch_settings_add_the_module_and_its_tests() -> None:
    text = scratch_pyproject(
        {"source_paths": ["amsync"], "only_mutate": ["amsync/x.py"], "debug": False}
    )
    table = tomllib.loads(text)["tool"]["mutmut"]
    assert table == {"source_paths": ["amsync"], "only_mutate": ["amsync/x.py"], "debug": False}
    rest = tomllib.loads(text)
    assert rest["project"]["name"] == "amsync", "the rest of pyproject.toml is kept"
    assert "pytest" in rest["tool"] and "ruff" in rest["tool"]
