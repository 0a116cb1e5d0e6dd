"""``amsync listens export``: the listens a push would send, as JSON Lines in ListenBrainz's
listen format, to stdout or a file (replaced whole)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from tests.listens.conftest import SMALL, Listener, make_listener, token_env
from tests.listens.test_push import filled
from tests.support.listen_server import ListenServer


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Listener:
    folder = tmp_path_factory.mktemp("export")
    return filled(make_listener(str(folder / "mirror.db"), folder, SMALL))


@pytest.fixture
def ready(template: Listener, tmp_path: Path) -> Listener:
    copy = tmp_path / "mirror.db"
    shutil.copyfile(template.db, copy)
    return replace(template, db=str(copy))


def test_export_writes_the_listens_a_push_sends(ready: Listener, tmp_path: Path) -> None:
    out = tmp_path / "listens.jsonl"
    result = ready.amsync("listens", "export", "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    listens = [json.loads(line) for line in lines]
    assert f"{len(listens):,} listens written to {out}" in result.stdout
    assert all(set(x) == {"listened_at", "track_metadata"} for x in listens)
    assert [x["listened_at"] for x in listens] == sorted(x["listened_at"] for x in listens)
    with ListenServer({"t"}) as server:
        pushed = json.loads(
            ready.amsync(
                "listens",
                "push",
                server.url,
                "--json",
                env=token_env(AMSYNC_LISTENBRAINZ_TOKEN="t"),
            ).stdout
        )
        sent = sorted(server.seen.listens.values(), key=lambda x: x["listened_at"])
    assert pushed["accepted"] == len(listens)
    assert {json.dumps(x, sort_keys=True) for x in sent} == {
        json.dumps(x, sort_keys=True) for x in listens
    }


def test_export_to_stdout_keeps_the_summary_on_stderr(ready: Listener) -> None:
    result = ready.amsync("listens", "export")
    assert result.exit_code == 0, result.output
    listens = [json.loads(line) for line in result.stdout.splitlines()]
    assert listens and all("track_metadata" in x for x in listens)
    assert "listens written to stdout" in result.stderr
    quiet = ready.amsync("-q", "listens", "export", "-o", "-")
    assert quiet.stderr == "" and quiet.stdout == result.stdout


def test_export_takes_the_period_and_the_rule(ready: Listener) -> None:
    def count(*extra: str) -> int:
        result = ready.amsync("listens", "export", *extra)
        assert result.exit_code == 0, result.output
        return len(result.stdout.splitlines())

    everything = count()
    assert 0 < count("--since", "2017-01-01") < everything
    assert count("--min-listen", "0") > everything


def test_export_without_history_writes_nothing(tmp_path: Path) -> None:
    from tests.support.cli import invoke

    db = tmp_path / "m.db"
    invoke(["--db", str(db), "accounts", "add", "default"])
    result = invoke(["--db", str(db), "listens", "export"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
