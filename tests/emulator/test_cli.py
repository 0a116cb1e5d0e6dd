"""``amsync emulator serve``: first line is the URL, then tokens; SIGTERM exits 0."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
from click.testing import CliRunner

from amsync.cli.emulator_commands import emulator

ROOT = Path(__file__).resolve().parents[2]


def test_serve_prints_url_and_tokens_then_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "amsync.cli.emulator_commands",
            "serve",
            "--songs",
            "300",
            "--developer-token",
            "dev-x",
            "--seed",
            "4",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.rsplit(":", 1)[1].isdigit()
        assert process.stdout.readline().strip() == "developer token: dev-x"
        user_line = process.stdout.readline().strip()
        assert user_line.startswith("music user token: ")
        user = user_line.removeprefix("music user token: ")
        headers = {"Authorization": "Bearer dev-x", "Music-User-Token": user}
        body = httpx.get(f"{url}/v1/me/library/songs?limit=5", headers=headers).json()
        assert body["meta"]["total"] == 300
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_help_lists_options() -> None:
    result = CliRunner().invoke(emulator, ["serve", "--help"])
    assert result.exit_code == 0
    options = "--songs --seed --latency-ms --rate-limit --fault-rate --developer-token"
    options += " --music-user-token --public-key --awkward"
    for option in options.split():
        assert option in result.output


def test_public_key_needs_ids(tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_text("x")
    result = CliRunner().invoke(emulator, ["serve", "--public-key", str(key)])
    assert result.exit_code == 2
