"""Listens-out benchmark (issue 25): filling in the artists of a generated lifetime export in the
newer layout (no artist column), then pushing it to a local ListenBrainz-protocol server.

Run: ``.venv/bin/python -m bench.listens`` (``--plays 20000 --library-songs 2000
--other-songs 500`` for a quick check).

The export (``amsync.emulator.privacy_export``, seed 1): 255,000 plays over ten years of a
listener with 20,000 library songs and 5,000 more played outside the library — 80 % of the
songs are in the mirror — with the daily history and Library Tracks.json, laid out as Apple
sends it. The emulator, in a process of its own, serves the listener's catalog
(``amsync.emulator.privacy_catalog``: every song with a catalog id and its look-alikes: live
versions, remasters, near misses, ambiguous and length twins). Each step is a real ``amsync``
process, measured with its CPU time and peak memory (``wait4``):

1. ``amsync import apple-data EXPORT`` (not a goal here; it makes the history);
2. ``amsync listens fill --json`` — goals: of the plays whose song Apple's catalog has,
   ≥ 99 % get an artist; 0 wrong artists against the generator's truth; catalog search
   requests ≤ the distinct song/album pairs of plays without an artist. (Run with the client's
   request rate starting high, ``tests.support.fast_amsync``: against Apple the adaptive rate
   starting at 8 requests/s paces it, which measures Apple, not amsync.)
3. ``amsync listens push URL --min-listen 0 --json`` to a local server
   (``tests.support.listen_server``: checks what ListenBrainz checks, in this process) — goals:
   250,000 listens or more in ≤ 60 s of amsync's own time, ≤ 260 requests;
4. the same push again — goal: 0 listens sent.

Results: ``bench/results/listens.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from bench.harness import DEV, USER, Measured, machine, mark, run_measured, write_results

PUSH_SECONDS: Final = 60.0
PUSH_REQUESTS: Final = 260
FILL_RATE: Final = 0.99


def _spec(args: argparse.Namespace) -> Any:
    from amsync.emulator.privacy_export import PrivacyExportSpec

    return PrivacyExportSpec(
        seed=args.seed,
        library_songs=args.library_songs,
        other_songs=args.other_songs,
        same_title_twins=args.library_songs // 100,
        album_twins=args.library_songs // 400,
        plays=args.plays,
        days=3650,
    )


def generate(args: argparse.Namespace, work: Path) -> None:
    """In a process of its own (``--generate-into``): the export, the mirror, the truth and
    the listener's songs (for the catalog), written into ``work``."""
    from dataclasses import asdict

    from amsync.emulator.privacy_export import generate_listening
    from tests.support.listening import artist_truth, build_listening_mirror

    started = time.perf_counter()
    export = generate_listening(_spec(args))
    export.write(work / "Apple_Media_Services.zip", "nested")
    build_listening_mirror(str(work / "mirror.db"), export)
    truth = [(s.isoformat(), e.isoformat(), a, c) for s, e, a, c in artist_truth(export)]
    (work / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
    songs = [asdict(song) for song in export.songs]
    (work / "songs.json").write_text(json.dumps(songs), encoding="utf-8")
    (work / "generated.json").write_text(
        json.dumps({"generated_s": round(time.perf_counter() - started, 1)}), encoding="utf-8"
    )


def serve_catalog(args: argparse.Namespace) -> None:
    """In a process of its own (``--serve-catalog``): the emulator over the listener's
    catalog; its first line of output is its URL."""
    from amsync.emulator import Emulator
    from amsync.emulator.privacy_catalog import listener_catalog
    from amsync.emulator.privacy_listener import ListenedSong

    raw = json.loads(Path(args.serve_catalog).read_text(encoding="utf-8"))
    songs = [ListenedSong(**song) for song in raw]
    emulator = Emulator(
        listener_catalog(songs, seed=args.seed), developer_tokens={DEV}, music_user_tokens={USER}
    )
    with emulator.serve() as server:
        print(server.url, flush=True)
        sys.stdin.read()  # until the benchmark closes our stdin


def _amsync(db: str, home: Path, *args: str, fast: bool = False) -> list[str]:
    module = "tests.support.fast_amsync" if fast else "amsync"
    return [sys.executable, "-m", module, "--db", db, "--home", str(home), *args]


def _checked(measured: Measured, what: str) -> dict[str, Any]:
    if measured.exit_code != 0:
        raise SystemExit(f"{what} failed ({measured.exit_code}): {measured.stderr.strip()[-800:]}")
    document: dict[str, Any] = json.loads(measured.stdout)
    return document


def _fill(work: Path, db: str, home: Path, args: argparse.Namespace) -> dict[str, Any]:
    catalog = subprocess.Popen(
        [sys.executable, "-m", "bench.listens", "--seed", str(args.seed),
         "--serve-catalog", str(work / "songs.json")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert catalog.stdout is not None
        url = catalog.stdout.readline().strip()
        env = {
            "AMSYNC_API_URL": url,
            "AMSYNC_DEVELOPER_TOKEN": DEV,
            "AMSYNC_MUSIC_USER_TOKEN": USER,
        }
        measured = run_measured(_amsync(db, home, "listens", "fill", "--json", fast=True), env)
        report = _checked(measured, "listens fill")
        import urllib.request

        with urllib.request.urlopen(f"{url}/_emulator/log", timeout=30) as answer:  # noqa: S310
            log = json.loads(answer.read())
    finally:
        assert catalog.stdin is not None
        catalog.stdin.close()
        catalog.wait(timeout=30)
    searches = sum(n for key, n in log.get("by_endpoint", {}).items() if "/search" in key)
    return {"measured": measured, "report": report, "searches": searches}


def _truth_check(work: Path, db: str) -> Any:
    from tests.support.listening import check_artists

    raw = json.loads((work / "truth.json").read_text(encoding="utf-8"))
    truth = [(datetime.fromisoformat(s), datetime.fromisoformat(e), a, c) for s, e, a, c in raw]
    return check_artists(db, truth, 1)


def _push(db: str, home: Path) -> dict[str, Any]:
    from tests.support.listen_server import ListenServer

    token = "bench-listenbrainz-token"
    env = {"AMSYNC_LISTENBRAINZ_TOKEN": token}
    command = _amsync(db, home, "listens", "push", "{url}", "--min-listen", "0", "--json")
    with ListenServer({token}) as server:
        args = [part.replace("{url}", server.url) for part in command]
        first = run_measured(args, env)
        first_report = _checked(first, "listens push")
        requests_first = len(server.seen.requests)
        stored = len(server.seen.listens)
        second = run_measured(args, env)
        second_report = _checked(second, "the second listens push")
        requests_second = len(server.seen.requests) - requests_first
    return {
        "first": first,
        "first_report": first_report,
        "requests": requests_first,
        "stored": stored,
        "second": second,
        "second_report": second_report,
        "second_requests": requests_second,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plays", type=int, default=255_000)
    parser.add_argument("--library-songs", type=int, default=20_000)
    parser.add_argument("--other-songs", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--generate-into", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--serve-catalog", metavar="SONGS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_into:
        generate(args, Path(args.generate_into))
        return
    if args.serve_catalog:
        serve_catalog(args)
        return
    with tempfile.TemporaryDirectory(prefix="amsync-bench-listens-") as tmp:
        work = Path(tmp)
        own = [
            f"--plays={args.plays}",
            f"--library-songs={args.library_songs}",
            f"--other-songs={args.other_songs}",
            f"--seed={args.seed}",
        ]
        made = run_measured([sys.executable, "-m", "bench.listens", *own, "--generate-into", tmp])
        if made.exit_code != 0:
            raise SystemExit(f"generating the export failed: {made.stderr.strip()[-800:]}")
        db, home = str(work / "mirror.db"), work / "home"
        load_before = [round(x, 2) for x in os.getloadavg()]
        imported = run_measured(
            _amsync(db, home, "import", "apple-data", str(work / "Apple_Media_Services.zip"))
        )
        if imported.exit_code != 0:
            raise SystemExit(f"import failed: {imported.stderr.strip()[-800:]}")
        fill = _fill(work, db, home, args)
        check = _truth_check(work, db)
        push = _push(db, home)
        load_after = [round(x, 2) for x in os.getloadavg()]
        generated = json.loads((work / "generated.json").read_text(encoding="utf-8"))
    results = _results(args, generated, imported, fill, check, push, load_before, load_after)
    write_results("listens", results, _table(results))
    print(_table(results))


def _results(
    args: argparse.Namespace,
    generated: dict[str, Any],
    imported: Measured,
    fill: dict[str, Any],
    check: Any,
    push: dict[str, Any],
    load_before: list[float],
    load_after: list[float],
) -> dict[str, Any]:
    report, measured = fill["report"], fill["measured"]
    first, first_report = push["first"], push["first_report"]
    return {
        "machine": machine(),
        "parameters": {
            "plays": args.plays,
            "library_songs": args.library_songs,
            "other_songs": args.other_songs,
            "seed": args.seed,
        },
        "generated_s": generated["generated_s"],
        "import_s": round(imported.wall_s, 1),
        "fill": {
            "wall_s": round(measured.wall_s, 2),
            "cpu_s": round(measured.cpu_s, 2),
            "peak_rss_mb": round(measured.peak_rss_mb, 1),
            "plays": report["plays"],
            "with_artist": report["with_artist"],
            "artist_from": report["artist_from"],
            "without_artist": report["without_artist"],
            "pairs": report["pairs"],
            "searches": fill["searches"],
            "lookup_states": report["lookups"]["states"],
        },
        "truth": {
            "plays_checked": check.stored,
            "with_catalog": check.with_catalog,
            "with_catalog_artist": check.with_catalog_artist,
            "catalog_rate": round(check.catalog_rate, 5),
            "wrong": check.wrong,
        },
        "push": {
            "wall_s": round(first.wall_s, 2),
            "cpu_s": round(first.cpu_s, 2),
            "peak_rss_mb": round(first.peak_rss_mb, 1),
            "listens": first_report["accepted"],
            "stored_by_server": push["stored"],
            "requests": push["requests"],
            "refused": len(first_report["refused"]),
        },
        "second_push": {
            "wall_s": round(push["second"].wall_s, 2),
            "sent": push["second_report"]["accepted"],
            "to_send": push["second_report"]["to_send"],
            "requests": push["second_requests"],
        },
        "load_average_before": load_before,
        "load_average_after": load_after,
    }


def _table(r: dict[str, Any]) -> str:
    m, p, f, t = r["machine"], r["parameters"], r["fill"], r["truth"]
    push, again = r["push"], r["second_push"]
    sources = ", ".join(f"{k} {v:,}" for k, v in f["artist_from"].items())
    missing = ", ".join(f"{k} {v:,}" for k, v in f["without_artist"].items() if v)
    return "\n".join(
        [
            "# Listens out benchmark",
            "",
            f"Generated privacy export in the newer layout (no artist column): {p['plays']:,} "
            f"plays over ten years, {p['library_songs']:,} library songs (in the mirror) and "
            f"{p['other_songs']:,} played outside the library (seed {p['seed']}); generated in "
            f"{r['generated_s']} s, imported in {r['import_s']} s. Machine: {m['cpu_model']}, "
            f"{m['cpu_count']} cores, Python {m['python']}, SQLite {m['sqlite']}, {m['date']}; "
            f"load average (1/5/15 min) before {r['load_average_before']}, after "
            f"{r['load_average_after']} (a shared machine: wall times include waiting for the "
            "CPU).",
            "",
            "| step | wall (s) | CPU (s) | peak RSS (MB) | result | goal |",
            "|---|---|---|---|---|---|",
            f"| `listens fill` | {f['wall_s']} | {f['cpu_s']} | {f['peak_rss_mb']} | "
            f"{f['with_artist']:,} of {f['plays']:,} plays with an artist ({sources}); "
            f"{f['searches']:,} catalog searches for {f['pairs']:,} song/album pairs | "
            f"requests ≤ pairs {mark(f['searches'] <= f['pairs'])} |",
            f"| `listens push --min-listen 0` | {push['wall_s']} | {push['cpu_s']} | "
            f"{push['peak_rss_mb']} | {push['listens']:,} listens accepted "
            f"({push['stored_by_server']:,} stored by the server), {push['requests']} requests "
            f"| ≥ 250,000 listens {mark(push['listens'] >= 250_000)}, amsync's CPU ≤ "
            f"{PUSH_SECONDS:.0f} s {mark(push['cpu_s'] <= PUSH_SECONDS)}, ≤ {PUSH_REQUESTS} "
            f"requests {mark(push['requests'] <= PUSH_REQUESTS)} |",
            f"| the same push again | {again['wall_s']} | — | — | {again['sent']} listens sent, "
            f"{again['requests']} request (the token check) | 0 sent {mark(again['sent'] == 0)} |",
            "",
            f"Artists against the generator's truth: of {t['with_catalog']:,} plays whose song "
            f"Apple's catalog has, {t['with_catalog_artist']:,} have an artist "
            f"(**{t['catalog_rate']:.2%}**, goal ≥ 99 % {mark(t['catalog_rate'] >= FILL_RATE)}); "
            f"**{t['wrong']}** wrong artists (goal 0 {mark(t['wrong'] == 0)}). Left without: "
            f"{missing or 'none'}.",
            "",
            "The push's wall time includes the local server's own work (it parses and checks "
            "every listen as ListenBrainz does, in the benchmark's process); amsync's own time "
            "is its CPU time.",
            "",
        ]
    )


if __name__ == "__main__":
    main()
