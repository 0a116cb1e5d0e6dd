"""Global options before or after the command (``amsync stats --db X``, ``amsync sync -q``),
and usage errors as one line ``amsync: error: … — run `amsync … --help```."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.cli import invoke
from tests.support.mirror_builder import build_sample_mirror


@pytest.fixture
def sample(sqlite_path: str) -> str:
    build_sample_mirror(sqlite_path)
    return sqlite_path


def test_db_after_the_command_is_the_db_before_it(sample: str) -> None:
    before = invoke(["--db", sample, "stats", "--json"])
    after = invoke(["stats", "--json", "--db", sample])
    assert before.exit_code == after.exit_code == 0, after.output
    assert json.loads(after.stdout) == json.loads(before.stdout)
    assert json.loads(after.stdout)["database"]["location"] == sample


def test_global_options_after_a_sub_command(sample: str, tmp_path: object) -> None:
    listed = invoke(["favourites", "list", "--db", sample, "--json"])
    assert listed.exit_code == 0, listed.output
    assert {item["library_id"] for item in json.loads(listed.stdout)} >= {"i.S1"}
    other = invoke(["accounts", "list", "--names", "--db", sample])
    assert other.stdout.split() == ["default"]


def test_the_value_after_the_command_wins(sample: str, tmp_path: object) -> None:
    missing = f"{sample}.missing"
    result = invoke(["--db", missing, "stats", "--db", sample, "--json"])
    assert result.exit_code == 0, result.output


def test_quiet_after_the_command(sqlite_path: str) -> None:
    loud = invoke(["--db", sqlite_path, "accounts", "add", "alice"])
    assert "account 'alice' added" in loud.stdout
    quiet = invoke(["accounts", "add", "bob", "-q", "--db", sqlite_path])
    assert quiet.exit_code == 0 and quiet.stdout == ""
    names = invoke(["accounts", "list", "--names", "--db", sqlite_path]).stdout.split()
    assert names == ["alice", "bob"]


def test_account_after_the_command(sample: str) -> None:
    result = invoke(["stats", "--account", "nobody", "--db", sample])
    assert result.exit_code == 2
    assert "no account named 'nobody'" in result.stderr


def test_verbosity_adds_up_before_and_after() -> None:
    from amsync.cli import cli
    from amsync.cli.context import AppContext

    seen: list[AppContext] = []

    @cli.command("probe-verbosity", hidden=True)
    def probe() -> None:
        import click

        seen.append(click.get_current_context().find_object(AppContext))  # type: ignore[arg-type]

    try:
        from amsync.cli.global_options import attach_global_options

        attach_global_options(probe)
        assert invoke(["-v", "probe-verbosity", "-v", "-q"]).exit_code == 0
    finally:
        cli.commands.pop("probe-verbosity")
    assert seen[0].verbosity == 2 and seen[0].quiet


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["stats", "--bogus"], r"no such option '--bogus'.* — run `amsync stats --help`$"),
        (
            ["favourites", "list", "--typo"],
            r"no such option '--typo'\. Did you mean '--type'\? "
            r"— run `amsync favourites list --help`",
        ),
        (["bogus"], r"no such command 'bogus' — run `amsync --help` for the commands"),
        (["query"], r"missing argument 'SQL' — run `amsync query --help`"),
        (
            ["search", "x", "--format", "xml"],
            r"invalid value for '--format'.*run `amsync search --help`",
        ),
        (["--db"], r"option '--db' requires an argument — run `amsync --help`"),
    ],
)
def test_usage_errors_are_one_line_with_a_hint(args: list[str], expected: str) -> None:
    result = invoke(args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("amsync: error: ")
    assert re.search(expected, lines[0]), lines[0]
    assert "Usage:" not in result.stderr and "Try '" not in result.stderr


def test_root_help_says_both_orders_work() -> None:
    text = invoke(["--help"]).stdout
    assert "amsync --db X stats" in text and "amsync stats --db X" in text
