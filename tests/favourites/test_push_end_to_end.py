"""End-to-end over the emulator on a real socket, through the CLI, on SQLite and PostgreSQL:
a synced mirror, local adds and removes of every type, a remote-only change and a conflict;
then ``push --dry-run``, ``push``, a second push, an interrupted push, and a push Apple
accepts but does not apply."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from amsync.db import tables
from amsync.db.locks import acquire_run_lock
from amsync.db.store import open_store
from amsync.emulator import Emulator, FaultConfig, Library
from amsync.sync.runner import run_sync
from tests.favourites.fakes import outbox_rows, stored_states
from tests.support.cli import CliResult, invoke
from tests.sync.conftest import in_process_client

Env = Callable[[str], dict[str, str]]
RATINGS = "/v1/me/ratings"


@dataclass(frozen=True)
class Picks:
    """The items each test changes, chosen from the generated library."""

    song_add: str
    song_remove: str
    song_remote: str
    song_conflict: str
    song_dislike: str
    album_add: str
    album_remove: str
    playlist_add: str  # has a catalog (global) id: added by it
    playlist_remove: str
    artist_add: str
    artist_remove: str

    @classmethod
    def of(cls, library: Library) -> Picks:
        catalog_counts = Counter(s.catalog_id for s in library.songs.values())
        songs = [
            s for s in sorted(library.songs) if catalog_counts[library.songs[s].catalog_id] == 1
        ]
        songs = [s for s in songs if library.songs[s].catalog_id]
        albums = sorted(library.albums)
        shared = [p for p in sorted(library.playlists) if library.playlists[p].global_id]
        own = [p for p in sorted(library.playlists) if not library.playlists[p].global_id]
        artists = sorted(library.artists)
        return cls(
            song_add=songs[0],
            song_remove=songs[1],
            song_remote=songs[2],
            song_conflict=songs[3],
            song_dislike=songs[4],
            album_add=albums[0],
            album_remove=albums[1],
            playlist_add=shared[0],
            playlist_remove=own[0],
            artist_add=artists[0],
            artist_remove=artists[1],
        )


def _cli(db: str, url: str, env: Env) -> Callable[..., CliResult]:
    def run(*args: str) -> CliResult:
        return invoke(["--db", db, *args], env=env(url))

    return run


def _ok(result: CliResult) -> CliResult:
    assert result.exit_code == 0, result.output
    return result


def _sync(emu: Emulator, db: str) -> None:
    """A sync in process (a fast client; the CLI's own sync is tested in tests/sync)."""

    async def go() -> None:
        store = open_store(db)
        try:
            async with in_process_client(emu) as client:
                assert (await run_sync(client, store, "default")).status == "succeeded"
        finally:
            store.close()

    asyncio.run(go())


def _prepare(emu: Emulator, run: Callable[..., CliResult], db: str) -> Picks:
    """Rate three items on Apple's side, sync, then change favourites on both sides."""
    library = emu.library
    picks = Picks.of(library)
    library.set_rating("library-songs", picks.song_remove, 1)
    library.set_rating("library-albums", picks.album_remove, 1)
    library.set_rating("library-playlists", picks.playlist_remove, 1)
    _sync(emu, db)
    _ok(run("favourites", "add", "song", str(library.songs[picks.song_add].catalog_id)))
    _ok(run("favourites", "remove", "song", picks.song_remove))
    _ok(run("favourites", "add", "song", picks.song_conflict))
    _ok(run("favourites", "add", "song", picks.song_dislike, "--disliked"))
    _ok(run("favourites", "add", "album", picks.album_add))
    _ok(run("favourites", "remove", "album", picks.album_remove))
    _ok(run("favourites", "add", "playlist", str(library.playlists[picks.playlist_add].global_id)))
    _ok(run("favourites", "remove", "playlist", picks.playlist_remove))
    _ok(run("favourites", "add", "artist", picks.artist_add))
    _ok(run("favourites", "add", "artist", picks.artist_remove))
    _ok(run("favourites", "remove", "artist", picks.artist_remove))
    library.set_rating("library-songs", picks.song_remote, 1)  # only Apple changed it
    library.set_rating("library-songs", picks.song_conflict, -1)  # both changed, differently
    _sync(emu, db)  # reads Apple's side: the remote-only change is pulled here
    return picks


def _expected_writes(p: Picks) -> list[tuple[str, str]]:
    return sorted(
        [
            ("PUT", f"{RATINGS}/library-songs/{p.song_add}"),
            ("DELETE", f"{RATINGS}/library-songs/{p.song_remove}"),
            ("PUT", f"{RATINGS}/library-songs/{p.song_dislike}"),
            ("PUT", f"{RATINGS}/library-albums/{p.album_add}"),
            ("DELETE", f"{RATINGS}/library-albums/{p.album_remove}"),
            ("PUT", f"{RATINGS}/library-playlists/{p.playlist_add}"),
            ("DELETE", f"{RATINGS}/library-playlists/{p.playlist_remove}"),
        ]
    )


def _writes(emu: Emulator, *, succeeded: bool = False) -> list[tuple[str, str]]:
    return sorted(
        (e.method, e.path) for e in emu.log.writes() if not succeeded or 200 <= e.status < 300
    )


def _assert_apple_state(library: Library, p: Picks) -> None:
    assert library.rating_of("library-songs", p.song_add) == 1
    assert library.rating_of("library-songs", p.song_remove) is None
    assert library.rating_of("library-songs", p.song_dislike) == -1
    assert library.rating_of("library-songs", p.song_conflict) == -1, "Apple's side kept"
    assert library.rating_of("library-songs", p.song_remote) == 1
    assert library.rating_of("library-albums", p.album_add) == 1
    assert library.rating_of("library-albums", p.album_remove) is None
    assert library.rating_of("library-playlists", p.playlist_add) == 1
    assert library.rating_of("library-playlists", p.playlist_remove) is None


def test_dry_run_push_and_second_push(emu: Emulator, db_url: str, cli_env: Env) -> None:
    with emu.serve() as server:
        run = _cli(db_url, server.url, cli_env)
        picks = _prepare(emu, run, db_url)
        store = open_store(db_url)
        try:
            states = stored_states(store)
            assert states[("song", picks.song_remote)] == ("favourite",) * 3, "pulled by the sync"
            assert states[("song", picks.song_conflict)] == ("disliked", "none", "favourite")

            diff = json.loads(_ok(run("favourites", "diff", "--json")).stdout)
            actions = {(i["type"], i["library_id"]): i["action"] for i in diff["items"]}
            assert actions[("song", picks.song_conflict)] == "pull"
            assert actions[("artist", picks.artist_add)] == "local-only"
            assert sorted(k for k, a in actions.items() if a == "push") == sorted(
                [
                    ("song", picks.song_add),
                    ("song", picks.song_remove),
                    ("song", picks.song_dislike),
                    ("album", picks.album_add),
                    ("album", picks.album_remove),
                    ("playlist", picks.playlist_add),
                    ("playlist", picks.playlist_remove),
                ]
            )

            emu.log.clear()
            before, outbox_before = stored_states(store), outbox_rows(store)
            dry = _ok(run("favourites", "push", "--dry-run"))
            assert "dry run" in dry.stdout
            assert emu.log.writes() == [], "a dry run makes no write request"
            assert stored_states(store) == before and outbox_rows(store) == outbox_before

            emu.log.clear()
            pushed = json.loads(_ok(run("favourites", "push", "--json")).stdout)
            assert _writes(emu) == _expected_writes(picks)
            _assert_apple_state(emu.library, picks)
            assert pushed["status"] == "succeeded"
            assert pushed["counts"]["pushed"] == 7 and pushed["counts"]["pending"] == 0
            conflicts = [i for i in pushed["items"] if i["conflict"]]
            assert [(c["library_id"], c["local"], c["remote"], c["target"]) for c in conflicts] == [
                (picks.song_conflict, "favourite", "disliked", "disliked")
            ]
            artist = next(i for i in pushed["items"] if i["type"] == "artist")
            assert artist["error"] == "not supported by the Apple Music API"
            assert outbox_rows(store) == {}
            states = stored_states(store)
            assert states[("song", picks.song_add)] == ("favourite",) * 3
            assert states[("song", picks.song_remove)] == ("none",) * 3
            assert states[("song", picks.song_conflict)] == ("disliked",) * 3
            assert states[("artist", picks.artist_add)] == ("none", "none", "favourite")

            listed = json.loads(_ok(run("favourites", "list", "--json")).stdout)
            status = {(e["type"], e["library_id"]): e["status"] for e in listed}
            assert status[("artist", picks.artist_add)] == "local-only"
            assert status[("song", picks.song_add)] == "synced"
            assert ("artist", picks.artist_remove) not in status
            assert ("song", picks.song_remove) not in status

            emu.log.clear()
            again = _ok(run("favourites", "push"))
            assert emu.log.writes() == [], "pushing twice is a no-op"
            assert "0 pushed" in again.stdout

            with store.session() as session:
                runs = session.execute(
                    select(tables.sync_runs.c.kind, tables.sync_runs.c.status).order_by(
                        tables.sync_runs.c.id
                    )
                ).all()
            assert [tuple(r) for r in runs] == [
                ("sync", "succeeded"),
                ("sync", "succeeded"),
                ("push", "succeeded"),
                ("push", "succeeded"),
            ]
        finally:
            store.close()


def test_interrupted_push_completes_on_the_next_run_without_duplicates(
    emu: Emulator, db_url: str, cli_env: Env
) -> None:
    with emu.serve() as server:
        run = _cli(db_url, server.url, cli_env)
        picks = _prepare(emu, run, db_url)
        emu.log.clear()
        # Three ratings reads (songs, albums, playlists), two writes, then the user token dies.
        emu.reset_fault_counters()
        emu.faults = FaultConfig(music_user_token_revoked_after=3 + 2)
        first = run("favourites", "push")
        assert first.exit_code == 3, first.output
        assert "amsync auth login" in first.stderr
        landed = _writes(emu, succeeded=True)
        assert 1 <= len(landed) < 7, landed
        store = open_store(db_url)
        try:
            pending = outbox_rows(store)
            assert len(pending) == 7
            assert all(attempts == 1 for _, attempts, _ in pending.values())
            assert all(error for _, _, error in pending.values()), pending
            with store.session() as session:
                status = session.execute(
                    select(tables.sync_runs.c.status).where(tables.sync_runs.c.kind == "push")
                ).scalar_one()
            assert status == "failed"

            emu.restore_tokens()
            second = _ok(run("favourites", "push", "--json"))
            report = json.loads(second.stdout)
            assert report["counts"]["acknowledged"] == len(landed)
            all_landed = _writes(emu, succeeded=True)
            assert all_landed == _expected_writes(picks), "each change written exactly once"
            _assert_apple_state(emu.library, picks)
            assert outbox_rows(store) == {}
            emu.log.clear()
            _ok(run("favourites", "push"))
            assert emu.log.writes() == []
        finally:
            store.close()


def test_a_write_apple_ignores_is_reported_and_stays_pending(
    emu: Emulator, db_url: str, cli_env: Env
) -> None:
    with emu.serve() as server:
        run = _cli(db_url, server.url, cli_env)
        picks = _prepare(emu, run, db_url)
        emu.faults = FaultConfig(ignore_writes=True)
        result = run("favourites", "push")
        assert result.exit_code == 75, result.output
        assert (
            "PENDING" in result.stdout and "read back 'none', expected 'favourite'" in result.stdout
        )
        assert "not confirmed by Apple" in result.stderr
        store = open_store(db_url)
        try:
            pending = outbox_rows(store)
            assert pending[("song", picks.song_add)] == (
                "favourite",
                1,
                "read back 'none', expected 'favourite'",
            )
            assert len(pending) == 7
            states = stored_states(store)
            assert states[("song", picks.song_add)] == ("none", "none", "favourite"), (
                "base moves only when a read-back agrees"
            )
            listed = json.loads(_ok(run("favourites", "list", "--json")).stdout)
            status = {(e["type"], e["library_id"]): e["status"] for e in listed}
            assert status[("song", picks.song_add)] == "pending"

            emu.faults = FaultConfig()
            emu.log.clear()
            _ok(run("favourites", "push"))
            assert _writes(emu) == _expected_writes(picks)
            _assert_apple_state(emu.library, picks)
            assert outbox_rows(store) == {}
        finally:
            store.close()


def test_sync_push_favourites_reconciles_in_one_run(
    emu: Emulator, sqlite_path: str, cli_env: Env
) -> None:
    with emu.serve() as server:
        run = _cli(sqlite_path, server.url, cli_env)
        picks = _prepare(emu, run, sqlite_path)
        emu.log.clear()
        result = json.loads(_ok(run("sync", "--push-favourites", "--json")).stdout)
        assert result["status"] == "succeeded"
        assert result["favourites_push"]["counts"]["pushed"] == 7
        assert _writes(emu) == _expected_writes(picks)
        _assert_apple_state(emu.library, picks)
        emu.log.clear()
        text = _ok(run("sync", "--push-favourites"))
        assert "sync finished" in text.stdout and "favourites push finished" in text.stdout
        assert emu.log.writes() == []


def test_push_refuses_while_another_run_holds_the_lock(
    emu: Emulator, sqlite_path: str, cli_env: Env
) -> None:
    with emu.serve() as server:
        run = _cli(sqlite_path, server.url, cli_env)
        _prepare(emu, run, sqlite_path)
        store = open_store(sqlite_path)
        lock = acquire_run_lock(store, store.account_id("default"), "default", command="sync")
        try:
            emu.log.clear()
            result = run("favourites", "push")
            assert result.exit_code == 4, result.output
            assert "lock" in result.stderr
            assert emu.log.entries == []
            dry = run("favourites", "push", "--dry-run")
            assert dry.exit_code == 0, "a dry run changes nothing and needs no lock"
        finally:
            lock.release()
            store.close()


@pytest.mark.parametrize("command", [["push"], ["diff"], ["list", "--format", "table"]])
def test_commands_on_a_mirror_without_favourites(
    emu: Emulator, sqlite_path: str, cli_env: Env, command: list[str]
) -> None:
    with emu.serve() as server:
        run = _cli(sqlite_path, server.url, cli_env)
        _sync(emu, sqlite_path)
        emu.log.clear()
        result = _ok(run("favourites", *command))
        assert emu.log.writes() == []
        assert "nothing to do" in result.stdout or "no favourites" in result.stdout
