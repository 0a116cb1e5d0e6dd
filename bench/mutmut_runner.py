"""Running mutmut on one module against its own unit-test files, and reading what it found.

mutmut reads its settings from the ``[tool.mutmut]`` table of the ``pyproject.toml`` in the
folder it runs in, and works in a ``mutants/`` folder there. So each module gets a scratch
folder of its own: a copy of ``amsync/`` and ``tests/``, and a ``pyproject.toml`` whose
``[tool.mutmut]`` table is the project's shared one plus this module's ``only_mutate`` and its
unit-test files (``pytest_add_cli_args_test_selection``). Only mutmut's command line is used
(``run``, ``results``, ``show``), not its internals.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KILLED = frozenset({"killed", "timeout", "caught by type check"})
_RESULT_LINE = re.compile(r"^\s+(\S+): (.+)$")
_MUTANT_SUFFIX = re.compile(r"__mutmut_\d+$")


@dataclass(frozen=True, slots=True)
class Mutant:
    """One mutant: mutmut's name for it, how it ended, and (when it was not killed) the lines
    it changes — the original line(s) and the mutated one(s), stripped."""

    name: str
    status: str
    function: str
    before: str = ""
    after: str = ""

    @property
    def killed(self) -> bool:
        return self.status in KILLED

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "status": self.status,
            "function": self.function,
            "from": self.before,
            "to": self.after,
        }


def function_of(mutant_name: str, module: str) -> str:
    """``amsync.api.rate.xǁAdaptiveRateǁreserve__mutmut_3`` → ``AdaptiveRate.reserve``;
    ``amsync.sync.plan.x_plan_sync__mutmut_1`` → ``plan_sync``."""
    dotted = module.removesuffix(".py").replace("/", ".")
    local = _MUTANT_SUFFIX.sub("", mutant_name.removeprefix(dotted + "."))
    if local.startswith("xǁ"):
        return ".".join(part for part in local.removeprefix("xǁ").split("ǁ") if part)
    return local.removeprefix("x_")


def changed_lines(diff: str) -> tuple[str, str]:
    """The removed and the added lines of ``mutmut show``'s unified diff, each stripped and
    joined with a newline."""
    before: list[str] = []
    after: list[str] = []
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("-"):
            before.append(line[1:].strip())
        elif line.startswith("+"):
            after.append(line[1:].strip())
    return "\n".join(before), "\n".join(after)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def mutmut_table(module: str, tests: Sequence[str]) -> dict[str, Any]:
    """The project's ``[tool.mutmut]`` settings with this module's selection added."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    table: dict[str, Any] = dict(data["tool"]["mutmut"])
    table["only_mutate"] = [module]
    table["pytest_add_cli_args_test_selection"] = list(tests)
    return table


def scratch_pyproject(table: Mapping[str, Any]) -> str:
    """The project's ``pyproject.toml`` with its ``[tool.mutmut]`` table replaced."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    start = text.index("[tool.mutmut]")
    following = re.search(r"^\[", text[start + 1 :], re.MULTILINE)
    end = start + 1 + following.start() if following else len(text)
    body = "\n".join(f"{key} = {_toml_value(value)}" for key, value in table.items())
    return f"{text[:start]}[tool.mutmut]\n{body}\n\n{text[end:]}"


def _mutmut() -> str:
    beside = Path(sys.executable).with_name("mutmut")
    found = str(beside) if beside.exists() else shutil.which("mutmut")
    if not found:
        raise SystemExit("mutmut is not installed: pip install -e '.[dev]'")
    return found


@contextmanager
def scratch(module: str, tests: Sequence[str], keep: bool) -> Iterator[Path]:
    """A scratch folder for one module's run (removed afterwards unless ``keep``)."""
    work = Path(tempfile.mkdtemp(prefix="amsync-mutation-"))
    try:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
        shutil.copytree(ROOT / "amsync", work / "amsync", ignore=ignore)
        shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
        table = mutmut_table(module, tests)
        if importlib.util.find_spec("xdist") is not None:
            # mutmut runs pytest in its own processes: one test process each, no workers
            table["pytest_add_cli_args"] = [*table.get("pytest_add_cli_args", []), "-n", "0"]
        (work / "pyproject.toml").write_text(scratch_pyproject(table), encoding="utf-8")
        yield work
    finally:
        if keep:
            print(f"  kept {work} (cd there and run `mutmut browse`)")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # the unit tests need no database server; a stray PostgreSQL URL would only slow them
    env.pop("AMSYNC_TEST_POSTGRES_URL", None)
    env.pop("PYTEST_ADDOPTS", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _command(work: Path, *args: str, log: Path | None = None) -> str:
    command = ["nice", "-n", "10", _mutmut(), *args]
    done = subprocess.run(
        command, cwd=work, env=_environment(), capture_output=True, text=True, check=False
    )
    if log is not None:
        log.write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-40:])
        raise RuntimeError(f"`mutmut {' '.join(args)}` failed ({done.returncode}):\n{tail}")
    return done.stdout


@dataclass(frozen=True, slots=True)
class Run:
    mutants: tuple[Mutant, ...]
    seconds: float


def run_module(module: str, tests: Sequence[str], *, workers: int, keep: bool = False) -> Run:
    """mutmut on ``module`` against ``tests``: every mutant, the not-killed ones with their
    changed lines."""
    with scratch(module, tests, keep) as work:
        started = time.monotonic()
        _command(work, "run", "--max-children", str(workers), log=work / "mutmut-run.log")
        seconds = time.monotonic() - started
        statuses: dict[str, str] = {}
        for line in _command(work, "results", "--all", "true").splitlines():
            match = _RESULT_LINE.match(line)
            if match:
                statuses[match.group(1)] = match.group(2).strip()
        alive = [name for name, status in statuses.items() if status not in KILLED]
        diffs = _diffs(work, alive)
        mutants = []
        for name, status in sorted(statuses.items(), key=lambda item: _natural(item[0])):
            before, after = changed_lines(diffs[name]) if name in diffs else ("", "")
            mutants.append(Mutant(name, status, function_of(name, module), before, after))
    return Run(tuple(mutants), seconds)


_DIFFS = """
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
print(json.dumps({name: get_diff_for_mutant(name) for name in json.load(sys.stdin)}))
"""


def _diffs(work: Path, names: Sequence[str]) -> dict[str, str]:
    """What each mutant changes, as ``mutmut show`` prints it: through mutmut's own diff
    function in one process (``mutmut show`` costs a second or two per mutant), or, should
    that function move in a later mutmut, one ``mutmut show`` each."""
    if not names:
        return {}
    done = subprocess.run(
        [sys.executable, "-c", _DIFFS],
        cwd=work,
        env=_environment(),
        input=json.dumps(list(names)),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        found: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
        return found
    return {name: _command(work, "show", name) for name in names}


def _natural(name: str) -> tuple[str, int]:
    stem, _, number = name.rpartition("__mutmut_")
    return (stem, int(number) if number.isdigit() else 0)
