"""Many accounts, one PostgreSQL database: N accounts synced in parallel processes against the
same N synced one after another.

Run: ``.venv/bin/python -m bench.accounts --postgres postgresql://user@127.0.0.1:5432/postgres``
(defaults: 8 accounts of 20,000 songs, 30 ms latency, 20 req/s per account — each account has
its own developer-token budget at Apple, so each gets its own emulator process and rate limit).
Each mode gets a fresh database (created and dropped here); the schema is created before the
clock starts. Results go to ``bench/results/accounts.{json,md}``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text

from bench.harness import DEV, USER, EmulatorProcess, machine, start_emulator, write_results


def fresh_database(server: str) -> tuple[str, str]:
    name = f"amsync_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        make_url(server).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(server).set(database=name, drivername="postgresql+psycopg")
    return name, url.render_as_string(hide_password=False)


def drop_database(server: str, name: str) -> None:
    admin = create_engine(
        make_url(server).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def sync_command(db: str, account: str, url: str, home: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "amsync",
        "--home",
        str(home),
        "--db",
        db,
        "--account",
        account,
        "--api-url",
        url,
        "-q",
        "sync",
    ]


def environment() -> dict[str, str]:
    return {**os.environ, "AMSYNC_DEVELOPER_TOKEN": DEV, "AMSYNC_MUSIC_USER_TOKEN": USER}


def run_mode(
    server: str, emulators: dict[str, EmulatorProcess], parallel: bool, home: Path
) -> dict[str, Any]:
    name, db = fresh_database(server)
    try:
        subprocess.run(
            [sys.executable, "-m", "amsync", "--home", str(home), "--db", db, "db", "upgrade"],
            check=True,
            capture_output=True,
        )
        started = time.monotonic()
        if parallel:
            processes = [
                subprocess.Popen(
                    sync_command(db, account, emulator.url, home),
                    env=environment(),
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for account, emulator in emulators.items()
            ]
            failures = [p.communicate()[1] for p in processes if p.wait() != 0]
        else:
            failures = []
            for account, emulator in emulators.items():
                done = subprocess.run(
                    sync_command(db, account, emulator.url, home),
                    env=environment(),
                    capture_output=True,
                    text=True,
                )
                if done.returncode != 0:
                    failures.append(done.stderr)
        wall = time.monotonic() - started
        if failures:
            raise RuntimeError(f"syncs failed: {failures[:2]}")
        engine = create_engine(db)
        with engine.connect() as connection:
            songs = connection.execute(
                text("SELECT count(*) FROM songs WHERE removed_at IS NULL")
            ).scalar_one()
        engine.dispose()
        return {"wall_s": round(wall, 2), "songs": songs, "songs_per_s": round(songs / wall, 1)}
    finally:
        drop_database(server, name)


def table(results: dict[str, Any]) -> str:
    p = results["parameters"]
    seq, par = results["sequential"], results["parallel"]
    return "\n".join(
        [
            "# Many accounts, one PostgreSQL database",
            "",
            f"{p['accounts']} accounts of {p['songs']} songs, each against its own emulator "
            f"process ({p['latency_ms']} ms latency, {p['rate_limit']} req/s each), into one "
            f"PostgreSQL database. Machine: {results['machine']['cpu_model']}, "
            f"{results['machine']['cpu_count']} cores, {results['machine']['date']}.",
            "",
            "| mode | wall (s) | songs mirrored | songs / s |",
            "|---|---|---|---|",
            f"| one after another | {seq['wall_s']} | {seq['songs']} | {seq['songs_per_s']} |",
            f"| in parallel | {par['wall_s']} | {par['songs']} | {par['songs_per_s']} |",
            "",
            f"Speed-up: **{results['speedup']} ×**.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("AMSYNC_TEST_POSTGRES_URL"),
        help="a PostgreSQL server URL (default $AMSYNC_TEST_POSTGRES_URL)",
    )
    parser.add_argument("--accounts", type=int, default=8)
    parser.add_argument("--songs", type=int, default=20_000)
    parser.add_argument("--latency-ms", type=float, default=30.0)
    parser.add_argument("--rate-limit", type=float, default=20.0)
    args = parser.parse_args()
    if not args.postgres:
        raise SystemExit("give --postgres URL (or set AMSYNC_TEST_POSTGRES_URL)")
    emulators = {
        f"account-{i}": start_emulator(
            [
                "--songs",
                str(args.songs),
                "--seed",
                str(100 + i),
                "--latency-ms",
                str(args.latency_ms),
                "--rate-limit",
                str(args.rate_limit),
            ]
        )
        for i in range(args.accounts)
    }
    try:
        with tempfile.TemporaryDirectory(prefix="amsync-bench-") as tmp:
            home = Path(tmp)
            sequential = run_mode(args.postgres, emulators, parallel=False, home=home)
            parallel = run_mode(args.postgres, emulators, parallel=True, home=home)
    finally:
        for emulator in emulators.values():
            emulator.stop()
    results = {
        "machine": machine(),
        "parameters": {
            "accounts": args.accounts,
            "songs": args.songs,
            "latency_ms": args.latency_ms,
            "rate_limit": args.rate_limit,
        },
        "sequential": sequential,
        "parallel": parallel,
        "speedup": round(sequential["wall_s"] / parallel["wall_s"], 2),
    }
    text_table = table(results)
    write_results("accounts", results, text_table)
    print(text_table)


if __name__ == "__main__":
    main()
