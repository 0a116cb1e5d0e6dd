"""``amsync lost restore`` against the emulator over real HTTP, on SQLite and PostgreSQL:
writes read back, a second run writes nothing, a dry run writes nothing, and the bad input of
issue 24 (a playlist no longer editable or gone, a 429 storm, a refused replacement)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from amsync.cli.logfile import detach_log_files
from amsync.emulator import Emulator, FaultConfig
from amsync.emulator.lost_music import Withdrawal, carry_out, prepare_withdrawals
from tests.lost.conftest import positions_of, small_library
from tests.support.cli import CliResult, invoke
from tests.sync.conftest import DEV, USER


@dataclass
class Scene:
    emulator: Emulator
    url: str
    db: str
    home: Path

    def amsync(self, *args: str, **env: str) -> CliResult:
        environment = {
            "AMSYNC_API_URL": self.url,
            "AMSYNC_DEVELOPER_TOKEN": DEV,
            "AMSYNC_MUSIC_USER_TOKEN": USER,
            "AMSYNC_HOME": str(self.home),
            "AMSYNC_RETRY_BUDGET": "3",
        } | env
        result = invoke(["--db", self.db, *args], env=environment)
        detach_log_files()
        return result

    def writes(self) -> list[str]:
        return [f"{e.method} {e.path}" for e in self.emulator.log.writes()]

    def lost(self) -> list[dict[str, object]]:
        result = self.amsync("lost", "--format", "json")
        assert result.exit_code == 0, result.output
        return list(json.loads(result.stdout))


@pytest.fixture
def scene(db_url: str, tmp_path: Path) -> Iterator[Scene]:
    emulator = small_library(seed=12)
    with emulator.serve() as server:
        yield Scene(emulator, server.url, db_url, tmp_path / "home")


def _withdraw(scene: Scene, *, count: int = 1) -> list[Withdrawal]:
    """Sync, withdraw ``count`` songs that have a replacement and stand in a playlist (Apple
    takes them out of it), sync again (causes and replacements settled)."""
    assert scene.amsync("-q", "sync").exit_code == 0
    library = scene.emulator.library
    with scene.emulator.lock:
        plans = [
            p
            for p in prepare_withdrawals(library, 30, seed=5, replaced=1.0)
            if p.kind == "isrc"
            and any(positions_of(scene.emulator, lid) for lid in _ids(library, p))
        ][:count]
        carry_out(library, plans, leave_playlists=1.0)
    done = scene.amsync("sync")
    assert done.exit_code == 0, done.output
    assert "lost:" in done.stdout
    return plans


def _ids(library: object, plan: Withdrawal) -> list[str]:
    songs = library.songs.values()  # type: ignore[attr-defined]
    return [s.id for s in songs if s.catalog_id == plan.catalog_id]


def test_restore_writes_reads_back_and_never_writes_twice(scene: Scene) -> None:
    (plan,) = _withdraw(scene)
    rows = scene.lost()
    assert rows and all(r["cause"] == "withdrawn" for r in rows)
    assert {r["replacement_catalog_id"] for r in rows} <= plan.replacements
    playlists = {r["playlist_id"] for r in rows if r["playlist_id"]}
    scene.emulator.log.clear()

    dry = scene.amsync("lost", "restore", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "dry run: nothing was written" in dry.stdout
    assert "Apple's API can only append" in dry.stdout
    refused = scene.amsync("lost", "restore")  # no terminal, no --yes
    assert refused.exit_code == 2
    assert "needs a confirmation" in refused.stderr
    assert scene.writes() == [], "a dry run or a refusal wrote to Apple Music"

    done = scene.amsync("lost", "restore", "--yes", "--json")
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["status"] == "restored", report
    assert report["added_to_library"] == 1
    assert set(report["appended"]) == playlists
    assert report["confirmed"] == len(rows)
    replacement = next(iter(plan.replacements & {r["replacement_catalog_id"] for r in rows}))
    library = scene.emulator.library
    added = [s for s in library.songs.values() if s.catalog_id == replacement]
    assert added, "the replacement is in the library"
    for playlist_id in playlists:
        assert library.playlists[playlist_id].tracks[-1] in {s.id for s in added}, "appended"
    writes = scene.writes()
    assert writes.count("POST /v1/me/library") == 1
    assert len(writes) == 1 + len(playlists)
    assert all(r["status"] == "restored" for r in scene.lost())

    again = scene.amsync("lost", "restore", "--yes", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["status"] == "nothing-to-do"
    assert scene.writes() == writes, "a second run wrote again"
    assert scene.amsync("sync").exit_code == 0
    assert scene.amsync("lost", "restore", "--yes").exit_code == 0
    assert scene.writes() == writes


def test_a_playlist_that_can_no_longer_be_edited_is_a_counted_skip(scene: Scene) -> None:
    (_plan,) = _withdraw(scene)
    rows = scene.lost()
    target = next(str(r["playlist_id"]) for r in rows if r["playlist_id"])
    with scene.emulator.lock:
        scene.emulator.library.playlists[target].can_edit = False  # after the last sync
        scene.emulator.library.touch()
    done = scene.amsync("lost", "restore", "--yes")
    assert done.exit_code == 0, done.output
    assert "restored: 1 added to the library" in done.stdout
    (skipped,) = [line for line in done.stderr.splitlines() if "skipped:" in line]
    assert "Apple refused the append (it cannot be edited): 403" in skipped
    statuses = {r["playlist_id"]: r["status"] for r in scene.lost()}
    assert statuses[None] == "restored" and statuses[target] == "lost"


def test_a_429_storm_stops_with_75_and_the_next_run_writes_nothing_twice(scene: Scene) -> None:
    _withdraw(scene)
    scene.emulator.log.clear()
    scene.emulator.faults = FaultConfig(
        rate_limit_rps=0.01, rate_limit_burst=1, paths=("/v1/me/library/playlists",)
    )
    stormed = scene.amsync("lost", "restore", "--yes")
    assert stormed.exit_code == 75, stormed.output
    assert stormed.stderr.count("amsync: error:") == 1
    assert scene.writes() == ["POST /v1/me/library"]
    scene.emulator.faults = FaultConfig()
    done = scene.amsync("lost", "restore", "--yes", "--json")
    assert done.exit_code == 0, done.output
    assert scene.writes().count("POST /v1/me/library") == 1, "the library add was sent twice"
    assert json.loads(done.stdout)["status"] == "restored"
    assert all(r["status"] == "restored" for r in scene.lost())


def test_a_replacement_apple_refuses_is_forgotten_and_looked_for_again(scene: Scene) -> None:
    (_plan,) = _withdraw(scene)
    rows = scene.lost()
    replacement = str(rows[0]["replacement_catalog_id"])
    with scene.emulator.lock:  # gone again before the restore: appending it answers 400
        scene.emulator.library.withdraw_catalog_song(replacement)
    done = scene.amsync("lost", "restore", "--yes", "--json")
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["status"] == "partial"
    assert any(replacement in line for line in report["failed"]), report
    assert any("does not show it yet" in line for line in report["unconfirmed"]), report
    after = scene.lost()
    assert not any(r["status"] == "restored" for r in after)
    assert {r["replacement_catalog_id"] for r in after} == {None}, "forgotten: looked for again"


def test_removed_songs_come_back_only_when_named(scene: Scene) -> None:
    assert scene.amsync("-q", "sync").exit_code == 0
    library = scene.emulator.library
    song = sorted(library.songs.values(), key=lambda s: s.id)[0]
    with scene.emulator.lock:
        library.remove_song(song.id)
    assert scene.amsync("-q", "sync").exit_code == 0
    assert {r["cause"] for r in scene.lost()} == {"removed"}
    scene.emulator.log.clear()
    plain = scene.amsync("lost", "restore", "--yes", "--json")
    assert json.loads(plain.stdout)["plan"]["skipped"], plain.stdout
    assert scene.writes() == []
    unknown = scene.amsync("lost", "restore", "i.NOT-A-LOST-ONE", "--yes")
    assert unknown.exit_code == 2 and "no lost song" in unknown.stderr
    named = scene.amsync("lost", "restore", song.id, "--yes", "--json")
    assert named.exit_code == 0, named.output
    report = json.loads(named.stdout)
    assert report["added_to_library"] == 0  # its own catalog song is still there: no look-up
    assert report["status"] in ("restored", "partial", "nothing-to-do")


def test_the_emulator_withdraws_on_request(scene: Scene) -> None:
    answer = httpx.post(f"{scene.url}/_emulator/withdraw?count=2&seed=1&replaced=1").json()
    assert len(answer["withdrawn"]) == 2
    assert all(w["replacements"] for w in answer["withdrawn"])
    assert httpx.post(f"{scene.url}/_emulator/withdraw?count=x").status_code == 400
    assert len(httpx.post(f"{scene.url}/_emulator/unplayable?count=1").json()["unplayable"]) == 1
