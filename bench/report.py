"""Report benchmark (issue 26): ``amsync report`` of a 10-year, 250,000-play listening history —
written in ≤ 5 s with the artwork cached, ≤ 2 MB without artwork and ≤ 5 MB with 50
thumbnails, its load event in headless Chromium in ≤ 1.5 s — and the charting candidates the
report chose between, measured on the same six charts.

Run: ``.venv/bin/python -m bench.report`` (``--plays 20000`` for a quick check).

The history is ``bench/history_import.py``'s (``amsync.emulator.privacy_export``, seed 1:
250,000 plays over 3,650 days, 20,000 library songs and 4,000 others), imported with
``amsync import apple-data`` into a mirror holding the library songs. Each library song gets
an artwork URL, and each of their albums and artists one of its own; the first 50 pictures the
report of ``--year`` shows are put in the artwork cache (``<home>/cache/artwork``, 9 kB each:
more than Apple's 96 px JPEGs weigh) and the other URLs removed, so the page with artwork has 50
pictures (shown more than once where a song and its album share one) and makes no request.
Each ``amsync report`` is a real process (median of 3, with its peak memory); the page is opened in
the system's Chromium with every request but the file's aborted (median of 5 load events).

Charting candidates, on the six charts of a year's report: Vega-Lite (Altair) rendered to SVG
by vl-convert (the choice), Vega-Lite in the page with Vega's JavaScript inlined
(``vl_convert.javascript_bundle``; drawn in the browser after load), and Matplotlib SVG (when
Matplotlib is installed: it is not a dependency).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

from amsync.emulator.privacy_export import PrivacyExportSpec, generate_listening
from amsync.report.artwork import sized
from bench.harness import Measured, machine, mark, run_measured, write_results
from tests.support.browser import LAUNCH_FLAGS, chromium_executable
from tests.support.listening import build_listening_mirror

RUNS: Final = 3
LOADS: Final = 5
THUMBNAILS: Final = 50
THUMBNAIL_BYTES: Final = 9_000
TARGETS: Final = {"written_s": 5.0, "text_mb": 2.0, "artwork_mb": 5.0, "load_s": 1.5}


def _amsync(db: str, home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "amsync", "--db", db, "--home", str(home), *args]


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def generate(args: argparse.Namespace, work: Path) -> None:
    """In a process of its own: the export's zip and the mirror of its library songs."""
    spec = PrivacyExportSpec(
        seed=args.seed,
        library_songs=args.library_songs,
        other_songs=args.other_songs,
        same_title_twins=args.library_songs // 100,
        album_twins=args.library_songs // 400,
        plays=args.plays,
        days=args.days,
    )
    export = generate_listening(spec)
    export.write(work / "Apple_Media_Services.zip", "nested")
    build_listening_mirror(str(work / "mirror.db"), export)


def _prepare_artwork(db: str, home: Path, year: str) -> int:
    """Artwork URLs for the songs; the report's first 50 cached, the others' URLs removed."""
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE songs SET artwork_url = 'https://bench.invalid/art/' || library_id "
            "|| '/{w}x{h}bb.jpg'"
        )
        connection.execute(  # the library's albums, each with a cover of its own
            "INSERT INTO albums (account_id, library_id, name, artist, fingerprint, "
            "first_seen_at, last_seen_at, artwork_url) "
            "SELECT account_id, 'l.bench' || MIN(id), album, artist, '0', MIN(first_seen_at), "
            "MIN(first_seen_at), 'https://bench.invalid/album/' || MIN(id) || '/{w}x{h}bb.jpg' "
            "FROM songs WHERE album IS NOT NULL GROUP BY account_id, album, artist"
        )
        connection.execute(  # and the artists, with their catalog pictures
            "INSERT INTO artists (account_id, library_id, catalog_id, name, fingerprint, "
            "first_seen_at, last_seen_at) SELECT account_id, 'r.bench' || MIN(id), "
            "'ca' || MIN(id), artist, '0', MIN(first_seen_at), MIN(first_seen_at) "
            "FROM songs WHERE artist IS NOT NULL GROUP BY account_id, artist"
        )
        connection.execute(
            "INSERT INTO catalog_artists (account_id, catalog_id, name, artwork_url, available, "
            "fingerprint, fetched_at) SELECT account_id, catalog_id, name, "
            "'https://bench.invalid/artist/' || catalog_id || '/{w}x{h}bb.jpg', 1, '0', "
            "first_seen_at FROM artists"
        )
    connection.close()
    listed = subprocess.run(
        _amsync(db, home, "report", "--year", year, "--format", "json", "-o", "-"),
        capture_output=True,
        text=True,
        check=True,
    )
    document = json.loads(listed.stdout)
    urls: list[str] = []
    for kind in ("songs", "artists", "albums"):
        for by in ("by_plays", "by_time"):
            for url in document["top"][kind][by]["artwork_urls"]:
                if url and url not in urls:
                    urls.append(url)
    keep = urls[:THUMBNAILS]
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TEMP TABLE keep (url TEXT)")
        connection.executemany("INSERT INTO keep VALUES (?)", [(u,) for u in keep])
        for table in ("songs", "albums", "catalog_artists"):
            connection.execute(
                f"UPDATE {table} SET artwork_url = NULL "
                "WHERE artwork_url NOT IN (SELECT url FROM keep)"
            )
    connection.close()
    cache = home / "cache" / "artwork"
    cache.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    for url in keep:
        name = hashlib.blake2b(sized(url).encode(), digest_size=16).hexdigest()
        body = b"\xff\xd8\xff\xe0" + rng.randbytes(THUMBNAIL_BYTES - 4)  # does not compress
        (cache / f"{name}.img").write_bytes(body)
    return len(keep)


def _write(db: str, home: Path, out: Path, *args: str) -> tuple[list[Measured], float]:
    runs = [run_measured(_amsync(db, home, "report", *args, "-o", str(out))) for _ in range(RUNS)]
    for measured in runs:
        if measured.exit_code != 0:
            raise SystemExit(f"amsync report failed: {measured.stderr.strip()}")
    return runs, out.stat().st_size / 1e6


def load_events(pages: list[Path], *, drawn: str | None = None) -> list[dict[str, Any]]:
    """Median load event (ms) of each page over ``LOADS`` openings, every request but the
    file's aborted; ``drawn``: a JavaScript condition to wait for after load (charts drawn by
    a script), whose time is reported too."""
    from playwright.sync_api import sync_playwright

    found = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(), args=LAUNCH_FLAGS
        )
        for path in pages:
            loads, drawing, blocked, errors = [], [], 0, 0
            for _ in range(LOADS):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                state = {"blocked": 0, "errors": 0}

                def route(r: Any, state: dict[str, int] = state, uri: str = path.as_uri()) -> None:
                    if r.request.url == uri:
                        r.continue_()
                    else:
                        state["blocked"] += 1
                        r.abort()

                page.route("**/*", route)
                page.on(
                    "console", lambda m, s=state: s.update(errors=s["errors"] + (m.type == "error"))
                )
                page.goto(path.as_uri(), wait_until="load")
                loads.append(
                    page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
                )
                if drawn:
                    page.wait_for_function(drawn, timeout=30_000)
                    drawing.append(page.evaluate("performance.now()"))
                blocked += state["blocked"]
                errors += state["errors"]
                context.close()
            found.append(
                {
                    "load_ms": round(statistics.median(loads)),
                    "drawn_ms": round(statistics.median(drawing)) if drawing else None,
                    "requests_blocked": blocked,
                    "console_errors": errors,
                }
            )
        browser.close()
    return found


def _candidates(db: str, year: str, work: Path) -> dict[str, Any]:
    """The report's six charts of ``year`` drawn each way: generation time, page size, load."""
    from datetime import UTC, datetime

    from amsync.db.reading import account_id_of, open_sqlite_reader
    from amsync.report.document import build_report
    from amsync.report.page import chart_set
    from amsync.report.period import ReportPeriod

    with open_sqlite_reader(Path(db)) as reader:
        assert reader is not None
        document = build_report(
            reader,
            account_id_of(reader, "default"),
            "default",
            ReportPeriod("year", int(year)),
            now=datetime.now(UTC),
        )
    results: dict[str, Any] = {}
    started = time.perf_counter()
    charts = chart_set(document)
    svg_s = time.perf_counter() - started
    body = "".join(f"<figure>{d.wide}{d.narrow}</figure>" for d in charts.values())
    svg_page = work / "candidate-svg.html"
    svg_page.write_text(f"<!DOCTYPE html><meta charset=utf-8><body>{body}", encoding="utf-8")
    results["vega-lite → SVG (vl-convert)"] = {"generate_s": round(svg_s, 2), "page": svg_page}
    results["vega-lite + inlined Vega JS"] = _inline_js(document, work)
    matplotlib = _matplotlib(document, work)
    if matplotlib is not None:
        results["matplotlib SVG"] = matplotlib
    pages = [r["page"] for r in results.values()]
    scripted = results["vega-lite + inlined Vega JS"].pop("charts")
    drawn = [None, f"document.querySelectorAll('svg').length >= {scripted}", None][: len(pages)]
    for (name, result), path, condition in zip(results.items(), pages, drawn, strict=True):
        timing = load_events([path], drawn=condition)[0]
        result.update(
            size_kb=round(path.stat().st_size / 1024),
            load_ms=timing["load_ms"],
            drawn_ms=timing["drawn_ms"] or timing["load_ms"],
        )
        result["page"] = path.name
        results[name] = result
    return results


def _specs(document: Any) -> list[dict[str, Any]]:
    """The six charts' Vega-Lite specifications (wide drawing), as the report builds them."""
    from amsync.report import charting

    captured: list[dict[str, Any]] = []
    real = charting._render

    def capture(chart: Any, label: str) -> str:
        captured.append(chart.to_dict(validate=False))
        return ""

    charting._render = capture  # type: ignore[assignment]
    try:
        from amsync.report.page import chart_set

        chart_set(document)
    finally:
        charting._render = real  # type: ignore[assignment]
    return captured[::2]


def _inline_js(document: Any, work: Path) -> dict[str, Any]:
    import vl_convert

    started = time.perf_counter()
    specs = _specs(document)
    script = vl_convert.javascript_bundle()
    divs = "".join(f'<div id="c{i}"></div>' for i in range(len(specs)))
    calls = "".join(
        f"vegaEmbed('#c{i}', {json.dumps(s)}, {{renderer: 'svg', actions: false}});"
        for i, s in enumerate(specs)
    )
    page = work / "candidate-js.html"
    page.write_text(
        f"<!DOCTYPE html><meta charset=utf-8><script>{script}</script><body>{divs}"
        f"<script>{calls}</script>",
        encoding="utf-8",
    )
    return {
        "generate_s": round(time.perf_counter() - started, 2),
        "page": page,
        "charts": len(specs),
    }


def _matplotlib(document: Any, work: Path) -> dict[str, Any] | None:
    try:
        import matplotlib
    except ImportError:
        return None
    import io

    started = time.perf_counter()
    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"
    parts = []

    def save(figure: Any) -> None:
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight")
        plt.close(figure)
        text = buffer.getvalue()
        parts.append(text[text.index("<svg") :])

    over = document.over_time.points
    figure, axes = plt.subplots(figsize=(8, 2.2))
    axes.bar(range(len(over)), [p.hours for p in over])
    save(figure)
    figure, axes = plt.subplots(figsize=(8, 2.5))
    axes.imshow(document.clock.plays, aspect="auto")
    save(figure)
    figure, axes = plt.subplots(figsize=(8, 2.5))
    for artist, plays in document.artists_over_time.plays.items():
        axes.plot(plays, marker="o", label=artist)
    axes.legend()
    save(figure)
    discoveries = document.discoveries.by_time
    figure, axes = plt.subplots(figsize=(8, 2.5))
    axes.bar(range(len(discoveries)), [n for _, n, _ in discoveries])
    axes.bar(
        range(len(discoveries)),
        [k for _, _, k in discoveries],
        bottom=[n for _, n, _ in discoveries],
    )
    save(figure)
    skips = document.skips.by_time
    figure, axes = plt.subplots(figsize=(8, 2.5))
    axes.plot([p.skips / max(1, p.plays + p.skips) for p in skips])
    save(figure)
    added = document.library.added_by_month or [("", 0)]
    figure, axes = plt.subplots(figsize=(8, 2.5))
    axes.bar(range(len(added)), [n for _, n in added])
    save(figure)
    page = work / "candidate-matplotlib.html"
    page.write_text(
        "<!DOCTYPE html><meta charset=utf-8><body>"
        + "".join(f"<figure>{p}</figure>" for p in parts),
        encoding="utf-8",
    )
    return {"generate_s": round(time.perf_counter() - started, 2), "page": page}


def _figures(runs: list[Measured], size_mb: float, load: dict[str, Any]) -> dict[str, Any]:
    return {
        "median_s": round(statistics.median(m.wall_s for m in runs), 2),
        "cpu_s": round(statistics.median(m.cpu_s for m in runs), 2),
        "peak_rss_mb": round(max(m.peak_rss_mb for m in runs), 1),
        "size_mb": round(size_mb, 2),
        **load,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plays", type=int, default=250_000)
    parser.add_argument("--days", type=int, default=3650)
    parser.add_argument("--library-songs", type=int, default=20_000)
    parser.add_argument("--other-songs", type=int, default=4_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", default="2025")
    parser.add_argument("--generate-into", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_into:
        generate(args, Path(args.generate_into))
        return
    with tempfile.TemporaryDirectory(prefix="amsync-bench-report-") as tmp:
        work = Path(tmp)
        own = [
            f"--plays={args.plays}",
            f"--days={args.days}",
            f"--library-songs={args.library_songs}",
            f"--other-songs={args.other_songs}",
            f"--seed={args.seed}",
        ]
        made = run_measured([sys.executable, "-m", "bench.report", *own, "--generate-into", tmp])
        if made.exit_code != 0:
            raise SystemExit(f"generating the history failed: {made.stderr.strip()}")
        db, home = str(work / "mirror.db"), work / "home"
        imported = run_measured(
            _amsync(db, home, "import", "apple-data", str(work / "Apple_Media_Services.zip"))
        )
        if imported.exit_code != 0:
            raise SystemExit(f"import failed: {imported.stderr.strip()}")
        thumbnails = _prepare_artwork(db, home, args.year)
        load_before = _load()
        text_runs, text_mb = _write(
            db, home, work / "text.html", "--year", args.year, "--no-artwork"
        )
        art_runs, art_mb = _write(db, home, work / "artwork.html", "--year", args.year)
        all_runs, all_mb = _write(db, home, work / "all.html", "--all")
        json_runs, json_mb = _write(
            db, home, work / "year.json", "--year", args.year, "--format", "json"
        )
        loads = load_events([work / "text.html", work / "artwork.html", work / "all.html"])
        shown = (work / "artwork.html").read_text(encoding="utf-8").count('<img class="art"')
        candidates = _candidates(db, args.year, work)
        load_after = _load()
    results: dict[str, Any] = {
        "machine": machine(),
        "parameters": {
            "plays": args.plays,
            "days": args.days,
            "library_songs": args.library_songs,
            "other_songs": args.other_songs,
            "seed": args.seed,
            "year": args.year,
            "thumbnails_cached": thumbnails,
            "thumbnail_bytes": THUMBNAIL_BYTES,
        },
        "targets": TARGETS,
        "year_text_only": _figures(text_runs, text_mb, loads[0]),
        "year_with_artwork": {**_figures(art_runs, art_mb, loads[1]), "images_shown": shown},
        "all_time": _figures(all_runs, all_mb, loads[2]),
        "year_json": _figures(json_runs, json_mb, {}),
        "charting_candidates": candidates,
        "load_average_before": load_before,
        "load_average_after": load_after,
    }
    write_results("report", results, _table(results))
    print(_table(results))


def _table(r: dict[str, Any]) -> str:
    m, p, t = r["machine"], r["parameters"], r["targets"]
    lines = [
        "# Report benchmark",
        "",
        f"A listening history of {p['plays']:,} plays over {p['days']:,} days "
        f"({p['library_songs']:,} library songs, {p['other_songs']:,} others; seed {p['seed']}), "
        f"`amsync report` of {p['year']} and of all time, each a real process (median of "
        f"{RUNS}); load event in headless Chromium with every request but the file's aborted "
        f"(median of {LOADS}). Machine: {m['cpu_model']}, {m['cpu_count']} cores, Python "
        f"{m['python']}, SQLite {m['sqlite']}, {m['date']}; load average before "
        f"{r['load_average_before']}, after {r['load_average_after']} (a shared machine: wall "
        "times include waiting for the CPU).",
        "",
        "| report | written (s) | CPU (s) | peak RSS (MB) | size (MB) | load event (ms) | "
        "requests | console errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    rows = (
        (f"{p['year']}, text only (`--no-artwork`)", r["year_text_only"], t["text_mb"]),
        (
            f"{p['year']}, {r['year_with_artwork']['images_shown']} thumbnails shown "
            f"({p['thumbnails_cached']} pictures, cached)",
            r["year_with_artwork"],
            t["artwork_mb"],
        ),
        ("all time, with artwork", r["all_time"], t["artwork_mb"]),
    )
    for name, f, size_target in rows:
        lines.append(
            f"| {name} | {f['median_s']} {mark(f['median_s'] <= t['written_s'])} | {f['cpu_s']} | "
            f"{f['peak_rss_mb']} | {f['size_mb']} {mark(f['size_mb'] <= size_target)} | "
            f"{f['load_ms']} {mark(f['load_ms'] / 1000 <= t['load_s'])} | "
            f"{f['requests_blocked']} | {f['console_errors']} |"
        )
    j = r["year_json"]
    lines += [
        "",
        f"Targets: written ≤ {t['written_s']} s, ≤ {t['text_mb']} MB without artwork, "
        f"≤ {t['artwork_mb']} MB with 50 thumbnails, load event ≤ {t['load_s'] * 1000:.0f} ms. "
        f"`--format json` of {p['year']}: {j['median_s']} s, {j['size_mb']} MB. The goals are "
        "a year's report (the default); all time is shown for scale. On a loaded machine the "
        "wall time is mostly waiting: the CPU time is the better guide.",
        "",
        "Charting candidates, the six charts of the year's report:",
        "",
        "| candidate | generated (s) | page (KB) | load event (ms) | charts drawn (ms) |",
        "|---|---|---|---|---|",
    ]
    for name, c in r["charting_candidates"].items():
        lines.append(
            f"| {name} | {c['generate_s']} | {c['size_kb']} | {c['load_ms']} | {c['drawn_ms']} |"
        )
    lines += [
        "",
        "The report draws its charts as SVG with vl-convert: no script in the page, a fraction "
        "of the inlined-JavaScript page's size, drawn by the load event; the SVG carries "
        "Vega's classes, so the page's CSS colours it for light and dark. (Times of the "
        "candidates include the first conversion's start of vl-convert's engine.)",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
