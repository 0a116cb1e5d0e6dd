"""Lost songs (issue 24): listing speed, what classifying costs a sync, the look-up request
bound, and how right the chosen replacements are.

Run: ``.venv/bin/python -m bench.lost`` (full size; ``--quick`` for a small run that proves it
works).

1. **Listing.** A mirror of ``--songs`` songs (100,000) with ``--losses`` losses (2,000: songs
   that left the library or were greyed out, and tracks that left playlists, with causes,
   evidence and replacements) is written straight into a fresh SQLite file. ``amsync lost``
   (TSV to a pipe, and the table) runs ``--runs`` times as its own process; goal: the median
   within 0.25 s (the fast ``sqlite3`` read path).
2. **Classifying in a sync.** A library of ``--sync-songs`` songs is synced from the emulator
   (in process: no network wait, so the sync is as fast as it gets and the share is the
   largest it can be), then synced again with nothing changed; the time spent finding losses
   in the sync's change set (``record_losses``) and settling them afterwards
   (``settle_losses``: nothing to ask) is compared with that no-change sync. Goal: ≤ 2 %. The
   same is reported for a sync in which ``--withdrawals`` songs were withdrawn.
3. **Look-ups and replacements.** ``--withdrawals`` (500) library songs are withdrawn on the
   emulator (``amsync.emulator.lost_music``), ``--replaced`` (400) of them with a playable
   replacement (the same ISRC, or — for songs whose catalog entry has no ISRC — the same
   recording found by a search), the rest with none or only decoys (an unplayable twin, a
   live version, two equally good different recordings). After the sync, ``settle_losses``
   looks them up. Goals: ISRC requests ≤ ⌈songs with an ISRC ÷ 25⌉, searches ≤ songs without
   one; precision of the chosen replacements 100 % (the same ISRC or the same recording),
   recall ≥ 95 % of those that have one; a second settle asks nothing.

Results go to ``bench/results/lost.{json,md}`` (and README via ``bench.readme``).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import insert

from amsync.db import tables
from amsync.db.store import Store, open_store
from amsync.emulator import Emulator, LibrarySpec, generate_library
from amsync.emulator.lost_music import Withdrawal, carry_out, prepare_withdrawals
from bench.harness import machine, write_results

LIST_GOAL_S: Final = 0.25
SHARE_GOAL: Final = 0.02
PRECISION_GOAL: Final = 1.0
RECALL_GOAL: Final = 0.95
DEV, USER = "bench-developer-token", "bench-music-user-token"
CAUSES: Final = ("withdrawn", "withdrawn", "withdrawn", "unplayable", "removed", "unknown")


# --- 1. listing --------------------------------------------------------------------------------


def build_listing_mirror(db: Path, songs: int, losses: int, seed: int) -> None:
    """``songs`` songs with catalog rows and ``losses`` losses, written with Core inserts."""
    rng = random.Random(seed)
    store = open_store(str(db))
    now = datetime.now(UTC)
    try:
        account_id = store.account_id("default")
        with store.writing() as session:
            db_ = session.connection()
            song_rows, catalog_rows = [], []
            for n in range(songs):
                catalog_id = str(1_200_000_000 + n)
                song_rows.append(
                    {
                        "account_id": account_id,
                        "library_id": f"i.bench{n:09d}",
                        "catalog_id": catalog_id,
                        "name": f"Song {n}",
                        "artist": f"Artist {n % 5000}",
                        "album": f"Album {n % 10000}",
                        "duration_ms": 180_000 + n % 90_000,
                        "kind": "song",
                        "playable": True,
                        "fingerprint": f"{n:032x}",
                        "first_seen_at": now,
                        "last_seen_at": now,
                    }
                )
                catalog_rows.append(
                    {
                        "account_id": account_id,
                        "catalog_id": catalog_id,
                        "name": f"Song {n}",
                        "isrc": f"USBNC{n:07d}",
                        "available": True,
                        "playable": True,
                        "fingerprint": f"{n:032x}",
                        "fetched_at": now,
                    }
                )
                if len(song_rows) == 5000:
                    db_.execute(insert(tables.songs), song_rows)
                    db_.execute(insert(tables.catalog_songs), catalog_rows)
                    song_rows, catalog_rows = [], []
            if song_rows:
                db_.execute(insert(tables.songs), song_rows)
                db_.execute(insert(tables.catalog_songs), catalog_rows)
            lost_songs = max(1, losses * 2 // 5)
            chosen = rng.sample(range(songs), lost_songs)
            db_.execute(
                insert(tables.lost_songs),
                [
                    {
                        "account_id": account_id,
                        "library_id": f"i.bench{n:09d}",
                        "catalog_id": str(1_200_000_000 + n),
                        "isrc": f"USBNC{n:07d}",
                        "name": f"Song {n}",
                        "artist": f"Artist {n % 5000}",
                        "album": f"Album {n % 10000}",
                        "duration_ms": 180_000,
                        "catalog_available": False,
                        "catalog_playable": None,
                        "catalog_checked_at": now,
                        "replacement_catalog_id": str(1_300_000_000 + n) if n % 5 else None,
                        "replacement_method": "isrc" if n % 5 else None,
                        "replacement_score": 1.0 if n % 5 else None,
                        "replacement": {"name": f"Song {n}", "album": f"Album {n} (Remastered)"}
                        if n % 5
                        else None,
                        "lookup_note": None if n % 5 else "Apple's catalog has no other song",
                        "looked_up_at": now,
                    }
                    for n in chosen
                ],
            )
            ids = [row[0] for row in db_.execute(tables.lost_songs.select().with_only_columns(
                tables.lost_songs.c.id))]  # fmt: skip
            entries = []
            for index in range(losses):
                song_id = ids[index % len(ids)]
                in_playlist = index >= len(ids)
                entries.append(
                    {
                        "account_id": account_id,
                        "song_id": song_id,
                        "kind": "playlist"
                        if in_playlist
                        else rng.choice(("library", "unplayable")),
                        "playlist_id": f"p.bench{index % 300:05d}" if in_playlist else None,
                        "playlist_name": f"Playlist {index % 300}" if in_playlist else None,
                        "position": rng.randrange(500) if in_playlist else None,
                        "lost_at": now - timedelta(days=rng.randrange(700), seconds=index),
                        "cause": rng.choice(CAUSES),
                        "evidence": "Apple's catalog no longer has catalog song 1",
                        "facts": {"library_playable": False},
                        "settled": True,
                    }
                )
            db_.execute(insert(tables.lost_entries), entries)
    finally:
        store.close()


def time_command(args: list[str], runs: int) -> dict[str, float]:
    amsync = Path(sys.executable).parent / "amsync"
    walls = []
    for _ in range(runs):
        started = time.monotonic()
        done = subprocess.run(
            [str(amsync), *args], capture_output=True, text=True, env={**os.environ}
        )
        walls.append(time.monotonic() - started)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
    return {"median_s": statistics.median(walls), "fastest_s": min(walls), "runs": runs}


def listing(songs: int, losses: int, runs: int, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="amsync-bench-lost-") as folder:
        db = Path(folder) / "mirror.db"
        started = time.monotonic()
        build_listing_mirror(db, songs, losses, seed)
        built = time.monotonic() - started
        tsv = time_command(["--db", str(db), "lost", "--format", "tsv"], runs)
        table = time_command(["--db", str(db), "lost", "--format", "table"], max(3, runs // 3))
        since = time_command(
            ["--db", str(db), "lost", "--since", "2026-01-01", "--format", "json"], runs
        )
    return {
        "songs": songs,
        "losses": losses,
        "build_s": round(built, 2),
        "tsv": tsv,
        "table": table,
        "since_json": since,
        "goal_s": LIST_GOAL_S,
        "met": tsv["median_s"] <= LIST_GOAL_S,
    }


# --- 2 and 3: a sync against the emulator --------------------------------------------------------


def _client(emulator: Emulator) -> Any:
    from amsync.api import AppleMusicClient, ClientConfig, RateSettings, StaticDeveloperToken
    from amsync.config.secret import Secret

    config = ClientConfig(
        base_url="http://emulator",
        developer_token=StaticDeveloperToken(Secret(DEV)),
        music_user_token=Secret(USER),
        rate=RateSettings(initial_rate=2000.0, max_rate=10000.0),
    )
    return AppleMusicClient(config, transport=emulator.async_transport())


class Timed:
    """What the sync runner spends on lost songs — ``find_losses`` in its transaction and
    ``confirm_losses`` at its end — timed."""

    NAMES = ("find_losses", "confirm_losses")

    def __init__(self) -> None:
        import amsync.sync.runner as runner

        self.runner = runner
        self.originals = {name: getattr(runner, name) for name in self.NAMES}
        self.seconds = 0.0

    def __enter__(self) -> Timed:
        for name, original in self.originals.items():
            setattr(self.runner, name, self._timed(original))
        return self

    def _timed(self, original: Any) -> Any:
        if asyncio.iscoroutinefunction(original):

            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    self.seconds += time.perf_counter() - started

            return timed_async

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        return timed

    def __exit__(self, *exc: object) -> None:
        for name, original in self.originals.items():
            setattr(self.runner, name, original)


async def _sync_and_settle(emulator: Emulator, store: Store) -> dict[str, Any]:
    from amsync.lost.settle import settle_losses
    from amsync.sync.runner import run_sync

    with Timed() as timed:
        async with _client(emulator) as client:
            started = time.perf_counter()
            report = await run_sync(client, store, "default")
            sync_s = time.perf_counter() - started
            started = time.perf_counter()
            settled = await settle_losses(client, store, store.account_id("default"))
            settle_s = time.perf_counter() - started
    assert report.status == "succeeded", report.as_dict()
    return {
        "sync_s": sync_s,
        "record_losses_s": timed.seconds,
        "settle_s": settle_s,
        "settle": settled.as_dict(),
        "lost": report.lost,
        "requests": report.requests,
    }


def classify_cost(songs: int, withdrawals: int, seed: int) -> dict[str, Any]:
    emulator = Emulator(
        generate_library(LibrarySpec(songs=songs, seed=seed, withdrawn_fraction=0.0)),
        developer_tokens={DEV},
        music_user_tokens={USER},
    )
    with tempfile.TemporaryDirectory(prefix="amsync-bench-lost-") as folder:
        store = open_store(str(Path(folder) / "mirror.db"))
        try:
            first = asyncio.run(_sync_and_settle(emulator, store))
            nothing = asyncio.run(_sync_and_settle(emulator, store))
            plans = prepare_withdrawals(emulator.library, withdrawals, seed=seed)
            carry_out(emulator.library, plans, seed=seed)
            changed = asyncio.run(_sync_and_settle(emulator, store))
        finally:
            store.close()
    share = (nothing["record_losses_s"] + nothing["settle_s"]) / nothing["sync_s"]
    return {
        "songs": songs,
        "first_sync": _rounded(first),
        "no_change_sync": _rounded(nothing),
        "sync_with_withdrawals": _rounded(changed) | {"withdrawals": len(plans)},
        "no_change_share": share,
        "goal_share": SHARE_GOAL,
        "met": share <= SHARE_GOAL,
    }


def _rounded(run: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in run.items()}


def replacements(songs: int, withdrawals: int, replaced: int, seed: int) -> dict[str, Any]:
    emulator = Emulator(
        generate_library(LibrarySpec(songs=songs, seed=seed, withdrawn_fraction=0.0)),
        developer_tokens={DEV},
        music_user_tokens={USER},
    )
    plans = prepare_withdrawals(
        emulator.library, withdrawals, seed=seed, replaced=replaced / max(1, withdrawals)
    )
    with tempfile.TemporaryDirectory(prefix="amsync-bench-lost-") as folder:
        store = open_store(str(Path(folder) / "mirror.db"))
        try:
            asyncio.run(_sync_and_settle(emulator, store))
            carry_out(emulator.library, plans, seed=seed)
            emulator.log.clear()
            run = asyncio.run(_sync_and_settle(emulator, store))
            isrc_requests = sum(
                1 for e in emulator.log.entries if e.path.endswith("/songs") and "filter" in e.query
            )
            searches = emulator.log.count("GET", "/v1/catalog/{storefront}/search")
            chosen = _chosen(store)
            emulator.log.clear()
            again = asyncio.run(_sync_and_settle(emulator, store))
            again_requests = again["settle"]["requests"]
        finally:
            store.close()
    return _score(plans, chosen, isrc_requests, searches, run, again_requests)


def _chosen(store: Store) -> dict[str, str | None]:
    from amsync.query.snapshot import reading

    with reading(store) as reader:
        rows = reader.rows("SELECT library_id, replacement_catalog_id FROM lost_songs")
    return {str(lid): rid for lid, rid in rows}


def _score(
    plans: list[Withdrawal],
    chosen: dict[str, str | None],
    isrc_requests: int,
    searches: int,
    run: dict[str, Any],
    again_requests: int,
) -> dict[str, Any]:
    right = wrong = 0
    by_kind: Counter[str] = Counter()
    found_by_kind: Counter[str] = Counter()
    for plan in plans:
        answer = chosen.get(plan.library_ids[0])
        by_kind[plan.kind] += 1
        if answer is None:
            continue
        found_by_kind[plan.kind] += 1
        if answer in plan.replacements:
            right += 1
        else:
            wrong += 1
    having = sum(1 for p in plans if p.replacements)
    with_isrc = sum(1 for p in plans if p.kind in ("isrc", "none", "unplayable-only"))
    without = len(plans) - with_isrc
    precision = right / (right + wrong) if right + wrong else 1.0
    recall = right / having if having else 1.0
    bound = math.ceil(with_isrc / 25)
    return {
        "withdrawn": len(plans),
        "with_replacement": having,
        "chosen": right + wrong,
        "right": right,
        "wrong": wrong,
        "precision": precision,
        "recall": recall,
        "by_kind": dict(by_kind),
        "chosen_by_kind": dict(found_by_kind),
        "songs_with_isrc": with_isrc,
        "songs_without_isrc": without,
        "isrc_requests": isrc_requests,
        "isrc_request_bound": bound,
        "searches": searches,
        "search_bound": without,
        "catalog_checks": run["settle"]["checked"],
        "settle_s": round(run["settle_s"], 3),
        "second_settle_requests": again_requests,
        "met": precision >= PRECISION_GOAL
        and recall >= RECALL_GOAL
        and isrc_requests <= bound
        and searches <= without
        and again_requests == 0,
    }


# --- report -------------------------------------------------------------------------------------


def _markdown(data: dict[str, Any]) -> str:
    m, ls, cost, rep = data["machine"], data["listing"], data["classify"], data["replacements"]
    load = data["load_average"]
    nothing = cost["no_change_sync"]
    changed = cost["sync_with_withdrawals"]
    lines = [
        "# Lost songs benchmark",
        "",
        f"Machine: {m['cpu_model']}, {m['cpu_count']} cores, Python {m['python']}, "
        f"{m['date']}; load average {load[0]:.2f} before, {load[1]:.2f} after.",
        "",
        f"## `amsync lost` on a {ls['songs']:,}-song mirror with {ls['losses']:,} losses",
        "",
        "| command | median (s) | fastest (s) | goal (s) |",
        "|---|---|---|---|",
        f"| `lost --format tsv` | {ls['tsv']['median_s']:.3f} | {ls['tsv']['fastest_s']:.3f} "
        f"| {LIST_GOAL_S} |",
        f"| `lost --format table` | {ls['table']['median_s']:.3f} | "
        f"{ls['table']['fastest_s']:.3f} | — |",
        f"| `lost --since 2026-01-01 --format json` | {ls['since_json']['median_s']:.3f} | "
        f"{ls['since_json']['fastest_s']:.3f} | — |",
        "",
        f"## Classifying losses in a sync ({cost['songs']:,} songs, emulator in process)",
        "",
        "| sync | sync (s) | finding and checking losses, in the sync (s) | settling after it (s) "
        "| requests | share |",
        "|---|---|---|---|---|---|",
        f"| no change | {nothing['sync_s']:.2f} | {nothing['record_losses_s']:.4f} | "
        f"{nothing['settle_s']:.4f} | {nothing['requests']} | "
        f"**{cost['no_change_share']:.2%}** (goal ≤ {SHARE_GOAL:.0%}) |",
        f"| {changed['withdrawals']} withdrawn | {changed['sync_s']:.2f} | "
        f"{changed['record_losses_s']:.4f} | {changed['settle_s']:.4f} | "
        f"{changed['requests']} + {changed['settle']['requests']} | — |",
        "",
        f"## Replacements: {rep['withdrawn']} withdrawn songs, {rep['with_replacement']} with a "
        "replacement",
        "",
        "| measure | value | goal |",
        "|---|---|---|",
        f"| precision (same ISRC or recording) | **{rep['precision']:.1%}** ({rep['right']} of "
        f"{rep['chosen']}) | 100 % |",
        f"| recall | **{rep['recall']:.1%}** ({rep['right']} of {rep['with_replacement']}) | "
        "≥ 95 % |",
        f"| ISRC requests | {rep['isrc_requests']} | ≤ ⌈{rep['songs_with_isrc']} ÷ 25⌉ = "
        f"{rep['isrc_request_bound']} |",
        f"| searches | {rep['searches']} | ≤ {rep['search_bound']} (songs without an ISRC) |",
        f"| requests of a second settle | {rep['second_settle_requests']} | 0 |",
        "",
        "Kinds (withdrawn / replacement chosen): "
        + ", ".join(
            f"{kind} {n} / {rep['chosen_by_kind'].get(kind, 0)}"
            for kind, n in sorted(rep["by_kind"].items())
        )
        + ".",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--songs", type=int, default=100_000)
    parser.add_argument("--losses", type=int, default=2_000)
    parser.add_argument("--sync-songs", type=int, default=20_000)
    parser.add_argument("--library-songs", type=int, default=5_000)
    parser.add_argument("--withdrawals", type=int, default=500)
    parser.add_argument("--replaced", type=int, default=400)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="small sizes: proves it works")
    args = parser.parse_args()
    if args.quick:
        args.songs, args.losses, args.sync_songs = 5_000, 200, 2_000
        args.library_songs, args.withdrawals, args.replaced, args.runs = 1_500, 100, 80, 3
    load_before = os.getloadavg()[0]
    data: dict[str, Any] = {
        "machine": machine(),
        "listing": listing(args.songs, args.losses, args.runs, args.seed),
        "classify": classify_cost(args.sync_songs, max(1, args.withdrawals // 5), args.seed),
        "replacements": replacements(
            args.library_songs, args.withdrawals, args.replaced, args.seed
        ),
    }
    data["load_average"] = [load_before, os.getloadavg()[0]]
    data["quick"] = args.quick
    write_results("lost", data, _markdown(data))
    print(_markdown(data))


if __name__ == "__main__":
    main()
