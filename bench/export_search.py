"""Export and search benchmark: ``amsync export json|csv`` against a plain ``sqlite3`` dump of
the same rows, and ``amsync search`` latency, on a generated mirror.

Run: ``.venv/bin/python -m bench.export_search --songs 100000``

The mirror is built at the current schema (``open_store``, so the search triggers are live)
and filled with fast bulk inserts (``executemany`` in one transaction): songs with catalog
rows, albums, artists, playlists with tracks, favourites. Each export is timed (best of
``--repeat``) through the library function the CLI calls, against a baseline that reads the
same joined rows with ``sqlite3`` and writes them with ``json.dumps`` / ``csv.writer`` — the
least any exporter must do. Target: amsync ≤ 1.5× the baseline. The two alternate, and every
run time is recorded with the load average (the spread shows the noise of a shared machine).
Search latency is the median over ``--queries`` varied terms (whole words, prefixes, two
words). Results go to
``bench/results/export_search.{json,md}`` and are printed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from amsync.db.store import Store, open_store
from amsync.export import ExportOptions, export_csv, export_json
from amsync.query.search import search
from bench.harness import machine

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "ti",
    "vo",
    "be",
    "da",
    "fe",
    "gi",
    "ho",
    "ju",
    "ly",
    "mo",
    "na",
    "pe",
    "qu",
    "re",
    "si",
    "to",
    "un",
    "ve",
    "wa",
    "xe",
    "yo",
    "ze",
]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def build_mirror(path: Path, songs: int, playlists: int, tracks: int, seed: int) -> float:
    """Fill a new mirror at ``path``; returns the seconds it took."""
    started = time.perf_counter()
    open_store(str(path)).close()
    rng = random.Random(seed)
    vocabulary = [_word(rng) for _ in range(5000)]
    artists = [f"{rng.choice(vocabulary)} {rng.choice(vocabulary)}" for _ in range(songs // 20)]
    albums = [(rng.choice(vocabulary), rng.choice(artists)) for _ in range(songs // 10)]
    now = datetime.now(UTC).isoformat(sep=" ")
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(
            "INSERT INTO accounts (name, storefront, created_at) VALUES ('default', 'us', ?)",
            (now,),
        )
        song_rows, catalog_rows = [], []
        for i in range(songs):
            title = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 4)))
            album, artist = albums[i % len(albums)]
            catalog = None if i % 50 == 0 else str(1_000_000 + i)
            song_rows.append(
                (
                    1,
                    f"i.{i}",
                    catalog,
                    title,
                    f"fp{i}",
                    now,
                    now,
                    "song",
                    artist,
                    album,
                    rng.randint(90_000, 400_000),
                    i % 12 + 1,
                    1,
                    '["Pop", "Music"]',
                    "2019",
                    "2021-01-01T00:00:00Z",
                    True,
                )
            )
            if catalog:
                catalog_rows.append(
                    (
                        1,
                        catalog,
                        "us",
                        title,
                        artist,
                        album,
                        f"USRC1{i:07d}",
                        200_000,
                        '["Pop"]',
                        "2019-05-01",
                        f"https://music.apple.com/us/song/{catalog}",
                        True,
                        f"fp{i}",
                        now,
                    )
                )
        connection.executemany(
            "INSERT INTO songs (account_id, library_id, catalog_id, name, fingerprint, "
            "first_seen_at, last_seen_at, kind, artist, album, duration_ms, track_number, "
            "disc_number, genres, release_date, date_added, playable) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            song_rows,
        )
        connection.executemany(
            "INSERT INTO catalog_songs (account_id, catalog_id, storefront, name, artist, album, "
            "isrc, duration_ms, genres, release_date, url, available, fingerprint, fetched_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            catalog_rows,
        )
        connection.executemany(
            "INSERT INTO albums (account_id, library_id, name, artist, fingerprint, "
            "first_seen_at, last_seen_at, track_count) VALUES (1, ?, ?, ?, 'fp', ?, ?, 10)",
            [(f"l.{i}", name, artist, now, now) for i, (name, artist) in enumerate(albums)],
        )
        connection.executemany(
            "INSERT INTO artists (account_id, library_id, name, fingerprint, first_seen_at, "
            "last_seen_at) VALUES (1, ?, ?, 'fp', ?, ?)",
            [(f"r.{i}", name, now, now) for i, name in enumerate(artists)],
        )
        for p in range(playlists):
            cursor = connection.execute(
                "INSERT INTO playlists (account_id, library_id, name, fingerprint, "
                "first_seen_at, last_seen_at, track_count, can_edit) "
                "VALUES (1, ?, ?, 'fp', ?, ?, ?, 1)",
                (f"p.{p}", f"{rng.choice(vocabulary)} mix {p}", now, now, tracks),
            )
            playlist_id = cursor.lastrowid
            cursor = connection.execute(
                "INSERT INTO playlist_revisions (account_id, playlist_id, name, track_count, "
                "tracks_fingerprint, valid_from) VALUES (1, ?, 'mix', ?, 'fp', ?)",
                (playlist_id, tracks, now),
            )
            revision = cursor.lastrowid
            chosen = [song_rows[rng.randrange(songs)] for _ in range(tracks)]
            connection.executemany(
                "INSERT INTO playlist_entries (revision_id, position, track_library_id, "
                "track_catalog_id, kind, name, artist, album, duration_ms) "
                "VALUES (?, ?, ?, ?, 'song', ?, ?, ?, ?)",
                [
                    (revision, pos, s[1], s[2], s[3], s[8], s[9], s[10])
                    for pos, s in enumerate(chosen)
                ],
            )
            connection.execute(
                "UPDATE playlists SET current_revision_id = ? WHERE id = ?",
                (revision, playlist_id),
            )
        connection.executemany(
            "INSERT INTO favourites (account_id, item_type, library_id, remote, base, local, "
            "updated_at) VALUES (1, 'song', ?, 'favourite', 'favourite', 'favourite', ?)",
            [(f"i.{i}", now) for i in range(0, songs, 20)],
        )
    connection.close()
    return time.perf_counter() - started


# --- the baseline: the same rows, plain sqlite3 + json/csv -------------------------------------

SONGS_SQL = """
SELECT s.library_id, s.catalog_id, s.name, s.artist, s.album,
       COALESCE(s.duration_ms, c.duration_ms), COALESCE(s.track_number, c.track_number),
       COALESCE(s.disc_number, c.disc_number), COALESCE(s.genres, c.genres),
       COALESCE(s.release_date, c.release_date), c.isrc, COALESCE(f.local = 'favourite', 0),
       s.date_added, s.kind, c.composer, COALESCE(s.content_rating, c.content_rating), c.url,
       c.available, CASE f.local WHEN 'favourite' THEN 1 WHEN 'disliked' THEN -1 END
FROM songs s LEFT JOIN catalog_songs c
     ON c.account_id = s.account_id AND c.catalog_id = s.catalog_id
LEFT JOIN favourites f ON f.account_id = s.account_id AND f.item_type = 'song'
     AND f.library_id = s.library_id
WHERE s.account_id = 1 AND s.removed_at IS NULL ORDER BY s.id"""
ENTRIES_SQL = """
SELECT p.library_id, p.name, e.position, e.track_library_id,
       COALESCE(e.track_catalog_id, s.catalog_id), e.name, e.artist, e.album,
       COALESCE(e.duration_ms, c.duration_ms), c.isrc, e.kind
FROM playlists p JOIN playlist_entries e ON e.revision_id = p.current_revision_id
LEFT JOIN songs s ON s.account_id = p.account_id AND s.library_id = e.track_library_id
LEFT JOIN catalog_songs c ON c.account_id = p.account_id
     AND c.catalog_id = COALESCE(e.track_catalog_id, s.catalog_id)
WHERE p.account_id = 1 AND p.removed_at IS NULL ORDER BY p.id, e.position"""
ALBUMS_SQL = """
SELECT a.library_id, a.catalog_id, a.name, a.artist, COALESCE(a.track_count, c.track_count),
       COALESCE(a.release_date, c.release_date), COALESCE(f.local = 'favourite', 0),
       COALESCE(a.genres, c.genres), a.date_added, c.record_label, c.upc,
       CASE f.local WHEN 'favourite' THEN 1 WHEN 'disliked' THEN -1 END
FROM albums a LEFT JOIN catalog_albums c ON c.account_id = a.account_id
     AND c.catalog_id = a.catalog_id
LEFT JOIN favourites f ON f.account_id = a.account_id AND f.item_type = 'album'
     AND f.library_id = a.library_id
WHERE a.account_id = 1 AND a.removed_at IS NULL ORDER BY a.id"""
ARTISTS_SQL = """
SELECT r.library_id, r.catalog_id, r.name, COALESCE(f.local = 'favourite', 0),
       CASE f.local WHEN 'favourite' THEN 1 WHEN 'disliked' THEN -1 END
FROM artists r LEFT JOIN favourites f ON f.account_id = r.account_id
     AND f.item_type = 'artist' AND f.library_id = r.library_id
WHERE r.account_id = 1 AND r.removed_at IS NULL ORDER BY r.id"""
FAVOURITES_SQL = """
SELECT f.item_type, f.library_id, COALESCE(f.catalog_id, s.catalog_id), s.name, f.local,
       CASE WHEN EXISTS (SELECT 1 FROM favourite_pushes p WHERE p.account_id = f.account_id
            AND p.item_type = f.item_type AND p.library_id = f.library_id)
            THEN 'pending' ELSE 'synced' END
FROM favourites f LEFT JOIN songs s ON s.account_id = f.account_id
     AND s.library_id = f.library_id
WHERE f.account_id = 1 AND f.item_type = 'song' AND f.local IN ('favourite', 'disliked')
ORDER BY f.id"""
ALBUM_KEYS = (
    "library_id",
    "catalog_id",
    "name",
    "artist",
    "track_count",
    "release_date",
    "favourite",
    "genres",
    "date_added",
    "record_label",
    "upc",
    "rating",
)
ARTIST_KEYS = ("library_id", "catalog_id", "name", "favourite", "rating")
SONG_KEYS = (
    "library_id",
    "catalog_id",
    "name",
    "artist",
    "album",
    "duration_ms",
    "track_number",
    "disc_number",
    "genres",
    "release_date",
    "isrc",
    "favourite",
    "date_added",
    "kind",
    "composer",
    "content_rating",
    "catalog_url",
    "catalog_available",
    "rating",
)
TRACK_KEYS = (
    "position",
    "library_id",
    "catalog_id",
    "name",
    "artist",
    "album",
    "duration_ms",
    "isrc",
    "kind",
)


def baseline_json(db: Path, target: Path) -> None:
    connection = sqlite3.connect(db)
    with target.open("w", encoding="utf-8") as out:
        out.write('{"format": "amsync.library", "version": 1,\n"songs": [\n')
        first = True
        for row in connection.execute(SONGS_SQL):
            item = dict(zip(SONG_KEYS, row, strict=True))
            item["genres"] = json.loads(item["genres"]) if item["genres"] else None
            item["favourite"] = bool(item["favourite"])
            out.write(("" if first else ",\n") + json.dumps(item, ensure_ascii=False))
            first = False
        for key, sql, keys in (
            ("albums", ALBUMS_SQL, ALBUM_KEYS),
            ("artists", ARTISTS_SQL, ARTIST_KEYS),
        ):
            out.write(f'\n],\n"{key}": [\n')
            first = True
            for row in connection.execute(sql):
                item = dict(zip(keys, row, strict=True))
                item["favourite"] = bool(item["favourite"])
                out.write(("" if first else ",\n") + json.dumps(item, ensure_ascii=False))
                first = False
        out.write('\n],\n"playlists": [\n')
        current = None
        for row in connection.execute(ENTRIES_SQL):
            if row[0] != current:
                out.write(
                    ("" if current is None else "]},\n")
                    + json.dumps({"library_id": row[0], "name": row[1]}, ensure_ascii=False)[:-1]
                    + ', "tracks": [\n'
                )
                current = row[0]
            else:
                out.write(",\n")
            out.write(json.dumps(dict(zip(TRACK_KEYS, row[2:], strict=True)), ensure_ascii=False))
        out.write("]}\n]}\n")
    connection.close()


def baseline_csv(db: Path, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    connection = sqlite3.connect(db)
    for name, sql in (
        ("songs", SONGS_SQL),
        ("albums", ALBUMS_SQL),
        ("artists", ARTISTS_SQL),
        ("playlist_tracks", ENTRIES_SQL),
        ("favourites", FAVOURITES_SQL),
    ):
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            for row in connection.execute(sql):
                writer.writerow(row)
    connection.close()


# --- measuring ---------------------------------------------------------------------------------


def timed_pairs(
    repeat: int, ours: Callable[[], object], baseline: Callable[[], object]
) -> tuple[list[float], list[float]]:
    """Run ``ours`` and ``baseline`` alternately ``repeat`` times each; all the run times.
    Alternating keeps a change in the machine's load from favouring one side."""
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(repeat):
        for action, times in ((ours, mine), (baseline, theirs)):
            started = time.perf_counter()
            action()
            times.append(time.perf_counter() - started)
    return mine, theirs


def comparison(mine: list[float], theirs: list[float]) -> dict[str, Any]:
    """Best-of figures (the headline), plus every run and the median ratio (the variance)."""
    return {
        "amsync_s": round(min(mine), 3),
        "baseline_s": round(min(theirs), 3),
        "ratio": round(min(mine) / min(theirs), 2),
        "ratio_median": round(statistics.median(mine) / statistics.median(theirs), 2),
        "amsync_runs_s": [round(t, 3) for t in mine],
        "baseline_runs_s": [round(t, 3) for t in theirs],
    }


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):  # pragma: no cover - not on every platform
        return None


def search_terms(db: Path, count: int, seed: int) -> list[str]:
    rng = random.Random(seed + 1)
    connection = sqlite3.connect(db)
    names = [r[0] for r in connection.execute("SELECT name FROM songs ORDER BY random() LIMIT 500")]
    artists = [r[0] for r in connection.execute("SELECT name FROM artists LIMIT 200")]
    connection.close()
    terms: list[str] = []
    while len(terms) < count:
        word = rng.choice(rng.choice(names).split())
        kind = len(terms) % 4
        if kind == 0:
            terms.append(word)  # one whole word
        elif kind == 1:
            terms.append(word[: max(2, len(word) // 2)])  # a prefix
        elif kind == 2:
            terms.append(f"{word} {rng.choice(rng.choice(names).split())[:3]}")  # two words
        else:
            terms.append(rng.choice(artists))  # an artist's name
    return terms


def measure_search(store: Store, account_id: int, terms: list[str]) -> dict[str, Any]:
    for term in terms[:5]:  # warm the page cache
        search(store, account_id, term)
    latencies, hits = [], []
    for term in terms:
        started = time.perf_counter()
        found = search(store, account_id, term, limit=20)
        latencies.append((time.perf_counter() - started) * 1000)
        hits.append(len(found))
    latencies.sort()
    return {
        "queries": len(terms),
        "median_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 2),
        "max_ms": round(latencies[-1], 2),
        "mean_hits": round(statistics.mean(hits), 1),
        "examples": terms[:8],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--songs", type=int, default=100_000)
    parser.add_argument("--playlists", type=int, default=200)
    parser.add_argument("--tracks", type=int, default=100, help="tracks per playlist")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(args.keep or scratch)
        work.mkdir(parents=True, exist_ok=True)
        db = work / "mirror.db"
        if db.exists():
            db.unlink()
        build_seconds = build_mirror(db, args.songs, args.playlists, args.tracks, args.seed)
        store = open_store(str(db))
        try:
            account_id = store.account_id("default")
            options = ExportOptions()
            load_before = load_average()
            json_runs = timed_pairs(
                args.repeat,
                lambda: export_json(store, account_id, work / "a.json", options),
                lambda: baseline_json(db, work / "b.json"),
            )
            csv_runs = timed_pairs(
                args.repeat,
                lambda: export_csv(store, account_id, work / "a_csv", options),
                lambda: baseline_csv(db, work / "b_csv"),
            )
            load_after = load_average()
            terms = search_terms(db, args.queries, args.seed)
            search_result = measure_search(store, account_id, terms)
        finally:
            store.close()
        sizes = {
            "database_bytes": db.stat().st_size,
            "json_bytes": (work / "a.json").stat().st_size,
        }
    result = {
        "benchmark": "export_search",
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "parameters": {
            "songs": args.songs,
            "playlists": args.playlists,
            "tracks_per_playlist": args.tracks,
            "repeat": args.repeat,
            "seed": args.seed,
        },
        "build_seconds": round(build_seconds, 2),
        "sizes": sizes,
        "load_average_1_5_15": {"before": load_before, "after": load_after},
        "export_json": comparison(*json_runs),
        "export_csv": {
            **comparison(*csv_runs),
            "note": "both write the five files (songs, albums, artists, playlist tracks, "
            "favourites) from the same joined rows; the baseline writes cells as the driver "
            "returns them, amsync also turns booleans into true/false, neutralises formula "
            "cells (both in SQL; folder paths cached in Python) and fsyncs each file before "
            "renaming it into place; genres are the JSON text both read from the database",
        },
        "search": search_result,
        "targets": {"export_ratio_max": 1.5, "search_median_ms_max": 20},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "export_search.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "export_search.md").write_text(render_markdown(result))
    print(render_markdown(result))
    return 0


def render_markdown(r: dict[str, Any]) -> str:
    m, p = r["machine"], r["parameters"]
    ej, ec, s = r["export_json"], r["export_csv"], r["search"]
    load = r["load_average_1_5_15"]
    return f"""# Export and search benchmark

Measured {r["measured_at"]} on {m["cpu_model"]} ({m["cpu_count"]} CPUs), {m["platform"]},
Python {m["python"]}, SQLite {m["sqlite"]}.

Mirror: {p["songs"]:,} songs, {p["playlists"]} playlists × {p["tracks_per_playlist"]} tracks
(built in {r["build_seconds"]} s; database {r["sizes"]["database_bytes"] / 1e6:.1f} MB, JSON export
{r["sizes"]["json_bytes"] / 1e6:.1f} MB). Times are the best of {p["repeat"]}.

| measurement | amsync | plain sqlite3 baseline | ratio (target ≤ 1.5) | ratio of medians |
|---|---|---|---|---|
| `export json` | {ej["amsync_s"]} s | {ej["baseline_s"]} s | {ej["ratio"]} | {ej["ratio_median"]} |
| `export csv` | {ec["amsync_s"]} s | {ec["baseline_s"]} s | {ec["ratio"]} | {ec["ratio_median"]} |

Every run (amsync and baseline alternate), in seconds — json: amsync {ej["amsync_runs_s"]},
baseline {ej["baseline_runs_s"]}; csv: amsync {ec["amsync_runs_s"]}, baseline
{ec["baseline_runs_s"]}. Load average (1/5/15 min) before the export runs {load["before"]},
after {load["after"]} (the machine is shared: compare runs taken at low load).

CSV: {ec["note"]}.

Search over {s["queries"]} varied terms (words, prefixes, two words, artist names; mean
{s["mean_hits"]} hits, limit 20): median **{s["median_ms"]} ms**, p95 {s["p95_ms"]} ms, max
{s["max_ms"]} ms (target: median < 20 ms).

Run: `.venv/bin/python -m bench.export_search --songs {p["songs"]}`
"""


if __name__ == "__main__":
    sys.exit(main())
