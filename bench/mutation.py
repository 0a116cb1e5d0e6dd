"""Mutation testing of the modules that decide (issue 29): do their unit tests fail when the
code is wrong?

Run: ``.venv/bin/python -m bench.mutation`` (every module in ``MODULES``), or
``--module amsync/sync/plan.py`` for one, ``--changed`` for those whose source, unit tests or
listed equivalents changed since their score was recorded, ``--check`` to exit 1 when a
module's score is below its floor (CI: ``--changed --check``), ``--keep`` to keep mutmut's
folder for ``mutmut browse``, ``--render`` to rewrite the tables from the recorded results.

Each module is mutated by mutmut (``[tool.mutmut]`` in pyproject.toml holds the shared
settings) and every mutant is run against that module's own unit-test files only — the
end-to-end tests do not count here. A mutant that survives is either a missing test or an
*equivalent* mutant (one that behaves exactly like the original, so no test can kill it):
those are listed, each with a one-line reason, in ``bench/mutation_equivalents.toml`` and left
out of the score. Score = killed ÷ (mutants − equivalent); a timeout counts as killed.

Results: ``bench/results/mutation.{json,md}``, with a sha256 of each module's inputs, so a
later ``--changed`` run knows what to redo. One mutmut run at a time, at ``nice -n 10``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from bench.harness import machine, write_results
from bench.mutmut_runner import ROOT, Mutant, mutmut_table, run_module

GOAL: Final = 90.0
EQUIVALENTS: Final = ROOT / "bench" / "mutation_equivalents.toml"
RESULTS_JSON: Final = ROOT / "bench" / "results" / "mutation.json"
RESULTS_MD: Final = ROOT / "bench" / "results" / "mutation.md"
DOC: Final = ROOT / "docs" / "explanation" / "test-strength.md"
DOC_START, DOC_END = "<!-- mutation:start -->", "<!-- mutation:end -->"


@dataclass(frozen=True, slots=True)
class Target:
    """A module whose decisions must be pinned by its unit tests, the unit-test files that
    import it, and the score below which CI fails."""

    module: str
    tests: tuple[str, ...]
    floor: float = GOAL


# One row per module. Add a row when a new module decides something (a planner, a classifier,
# a chooser, a rule): its path, and the unit-test files that import it.
MODULES: Final = (
    Target("amsync/sync/plan.py", ("tests/sync/test_sync_plan.py",)),
    Target("amsync/local/matcher.py", ("tests/local/test_matcher.py",)),
    Target("amsync/favourites/plan.py", ("tests/favourites/test_favourites_plan.py",)),
    Target("amsync/history/linking.py", ("tests/history/test_linking.py",)),
    Target(
        "amsync/api/rate.py",
        (
            "tests/api/test_rate_controller.py",
            "tests/api/test_rate_start.py",
            "tests/api/test_request_slots.py",
        ),
    ),
    Target("amsync/listens/qualifying.py", ("tests/listens/test_qualifying.py",)),
    Target("amsync/listens/artist_fill.py", ("tests/listens/test_artist_fill.py",)),
    Target("amsync/servers/plan.py", ("tests/servers/test_plan.py",)),
    Target("amsync/lost/causes.py", ("tests/lost/test_causes.py",)),
    Target("amsync/lost/replacement.py", ("tests/lost/test_replacement.py",)),
    Target("amsync/lost/departures.py", ("tests/lost/test_departures.py",)),
    Target("amsync/lost/restore_plan.py", ("tests/lost/test_restore_plan.py",)),
)


@dataclass(frozen=True, slots=True)
class Equivalent:
    module: str
    function: str
    before: str
    after: str
    reason: str

    def matches(self, module: str, mutant: Mutant) -> bool:
        return (self.module, self.function, self.before, self.after) == (
            module,
            mutant.function,
            mutant.before,
            mutant.after,
        )


def load_equivalents(path: Path = EQUIVALENTS) -> list[Equivalent]:
    if not path.exists():
        return []
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("equivalent", [])
    return [
        Equivalent(e["module"], e["function"], e["from"].strip(), e["to"].strip(), e["reason"])
        for e in entries
    ]


def fingerprint(target: Target, equivalents: Iterable[Equivalent]) -> str:
    """sha256 of what a module's score depends on: its source, its unit-test files, its listed
    equivalents and the mutmut settings."""
    digest = hashlib.sha256()
    for name in (target.module, *target.tests):
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes() + b"\0")
    listed = sorted(
        (e.function, e.before, e.after) for e in equivalents if e.module == target.module
    )
    digest.update(json.dumps(listed).encode())
    digest.update(json.dumps(mutmut_table(target.module, target.tests), sort_keys=True).encode())
    return digest.hexdigest()


def score(
    mutants: Sequence[Mutant], equivalents: Sequence[Equivalent], module: str
) -> dict[str, Any]:
    killed = [m for m in mutants if m.killed]
    equivalent = [
        m for m in mutants if not m.killed and any(e.matches(module, m) for e in equivalents)
    ]
    survived = [m for m in mutants if not m.killed and m not in equivalent]
    counted = len(mutants) - len(equivalent)
    stale = [
        e
        for e in equivalents
        if e.module == module and not any(e.matches(module, m) for m in equivalent)
    ]
    return {
        "mutants": len(mutants),
        "killed": len(killed),
        "survived": len(survived),
        "equivalent": len(equivalent),
        "score": round(100.0 * len(killed) / counted, 1) if counted else 100.0,
        "survivors": [m.as_dict() for m in survived],
        "stale_equivalents": [{"function": e.function, "from": e.before} for e in stale],
    }


def recorded() -> dict[str, Any]:
    if not RESULTS_JSON.exists():
        return {}
    data: dict[str, Any] = json.loads(RESULTS_JSON.read_text(encoding="utf-8"))
    return data


def measure(
    target: Target, equivalents: list[Equivalent], workers: int, keep: bool
) -> dict[str, Any]:
    load = os.getloadavg()
    print(f"mutation: {target.module} against {', '.join(target.tests)}", flush=True)
    started = time.monotonic()
    run = run_module(target.module, target.tests, workers=workers, keep=keep)
    seconds = time.monotonic() - started  # the whole of it: copies, mutmut, results
    result = {
        "module": target.module,
        "tests": list(target.tests),
        "floor": target.floor,
        "sha256": fingerprint(target, equivalents),
        **score(run.mutants, equivalents, target.module),
        "seconds": round(seconds, 1),
        "mutmut_run_seconds": round(run.seconds, 1),
        "load_average_before": [round(x, 2) for x in load],
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(
        f"  {result['mutants']} mutants: {result['killed']} killed, {result['survived']} "
        f"survived, {result['equivalent']} equivalent — {result['score']} % "
        f"(floor {target.floor:g} %), {result['seconds']} s",
        flush=True,
    )
    for mutant in result["survivors"]:
        print(f"    survived: {mutant['name']} [{mutant['status']}]")
        print(f"      - {mutant['from']}\n      + {mutant['to']}")
    for entry in result["stale_equivalents"]:
        print(f"    listed as equivalent, not surviving: {entry['function']}: {entry['from']}")
    return result


def table(data: dict[str, Any]) -> str:
    modules = data["modules"]
    rows = [
        f"| `{m['module']}` | {', '.join(f'`{t}`' for t in m['tests'])} | {m['mutants']} | "
        f"{m['killed']} | {m['survived']} | {m['equivalent']} | {m['score']} % | "
        f"{m['floor']:g} % | {m['seconds']} |"
        for m in modules.values()
    ]
    total_s = sum(m["seconds"] for m in modules.values())
    total = sum(m["mutants"] for m in modules.values())
    loads = [m["load_average_before"][0] for m in modules.values()]
    survivors = [
        f"- `{m['module']}` `{s['function']}` ({s['status']}): `{s['from']}` → `{s['to']}`"
        for m in modules.values()
        for s in m["survivors"]
    ]
    machine_line = data["machine"]
    parts = [
        "# Mutation testing: how many wrong versions of the deciding code the unit tests catch",
        "",
        f"mutmut {data['mutmut']}, each module against its own unit-test files only; "
        "equivalent mutants (listed with their reason in `bench/mutation_equivalents.toml`) "
        "are left out of the score, a timeout counts as killed. "
        f"Machine: {machine_line['cpu_model']}, {machine_line['cpu_count']} cores, "
        f"Python {machine_line['python']}; the 1-minute load average before each module was "
        f"{min(loads):.1f}–{max(loads):.1f} (on a quiet machine it is about 0).",
        "",
        "| module | unit tests | mutants | killed | survived | equivalent | score | floor "
        "| seconds |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"All modules: {total} mutants in {total_s:.0f} s (goal: ≥ {GOAL:g} % killed in "
        "each module, the whole run ≤ 10 minutes on 2 cores).",
    ]
    if survivors:
        parts += ["", "Surviving mutants (tests to write):", "", *survivors]
    return "\n".join(parts) + "\n"


def doc_block() -> str:
    """The scores as the docs page shows them: the results table without its title."""
    lines = RESULTS_MD.read_text(encoding="utf-8").strip().splitlines()
    return "\n".join(lines[1:]).strip()


def current_doc_block(text: str) -> str:
    return text.split(DOC_START, 1)[1].split(DOC_END, 1)[0].strip()


def write_doc() -> None:
    """Put the latest scores between the markers of ``docs/explanation/test-strength.md``."""
    if not DOC.exists() or DOC_START not in DOC.read_text(encoding="utf-8"):
        return
    text = DOC.read_text(encoding="utf-8")
    before, rest = text.split(DOC_START, 1)
    _, after = rest.split(DOC_END, 1)
    DOC.write_text(f"{before}{DOC_START}\n{doc_block()}\n{DOC_END}{after}", encoding="utf-8")


def _mutmut_version() -> str:
    from importlib.metadata import version

    return version("mutmut")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mutation", description=__doc__)
    parser.add_argument("--module", action="append", default=[], help="only this module")
    parser.add_argument(
        "--changed", action="store_true", help="only modules changed since their recorded score"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 below a module's floor")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--keep", action="store_true", help="keep mutmut's folder")
    parser.add_argument(
        "--render", action="store_true", help="only rewrite the .md and the docs from the .json"
    )
    args = parser.parse_args(argv)
    if args.render:
        data = recorded()
        write_results("mutation", data, table(data))
        write_doc()
        return 0
    known = {t.module: t for t in MODULES}
    unknown = [m for m in args.module if m not in known]
    if unknown:
        parser.error(f"not in bench.mutation.MODULES: {', '.join(unknown)}")
    equivalents = load_equivalents()
    before = recorded()
    previous: dict[str, Any] = before.get("modules", {})
    chosen = [known[m] for m in args.module] if args.module else list(MODULES)
    if args.changed:
        chosen = [
            t
            for t in chosen
            if previous.get(t.module, {}).get("sha256") != fingerprint(t, equivalents)
        ]
        unchanged = len(MODULES) - len(chosen)
        print(f"mutation: {len(chosen)} module(s) changed, {unchanged} unchanged since recorded")
    fresh = {t.module: measure(t, equivalents, args.workers, args.keep) for t in chosen}
    modules = {
        t.module: fresh.get(t.module) or previous[t.module]
        for t in MODULES
        if t.module in fresh or t.module in previous
    }
    if fresh:
        data = {
            "machine": machine(),
            "mutmut": _mutmut_version(),
            "goal": GOAL,
            "modules": modules,
        }
        write_results("mutation", data, table(data))
        write_doc()
    failed = [
        f"{t.module}: {modules[t.module]['score']} % < floor {t.floor:g} %"
        if t.module in modules
        else f"{t.module}: no recorded score"
        for t in MODULES
        if t.module not in modules or modules[t.module]["score"] < t.floor
    ]
    for line in failed:
        print(f"mutation: BELOW FLOOR {line}", file=sys.stderr)
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
