"""A real Maloja server (``malojaserver`` from PyPI) for the ``listens push`` tests: started on
127.0.0.1 with a data folder of its own, nothing that reaches the internet, and an API key it
accepts; its ListenBrainz API at ``…/apis/listenbrainz``, its own API (``/apis/mlj_1``) to
read back what it stored.

Maloja's settings come from ``MALOJA_*`` environment variables (``maloja/pkg_global/conf.py``):

- ``MALOJA_DATA_DIRECTORY``: every file it writes (settings, database, logs, cache) goes there;
- ``MALOJA_SKIP_SETUP`` and ``MALOJA_FORCE_PASSWORD``: no questions on start;
- ``MALOJA_METADATA_PROVIDERS`` empty: no artwork or metadata look-ups (last.fm, Spotify,
  Deezer, TheAudioDB, MusicBrainz); ``MALOJA_PROXY_IMAGES=false``: no image downloads;
  ``MALOJA_SCROBBLE_LASTFM=false``: no scrobbles forwarded; ``MALOJA_SEND_STATS=false``;
  (Maloja 3.2 has no update check);
- the API key: ``apikeys.yml`` in the data folder (``maloja/apis/_apikeys.py``: a YAML map of
  client name to key), written before the start.

One server per test session and pytest-xdist worker (a port of its own, found free).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

START_TIMEOUT_S = 90.0


@dataclass
class Maloja:
    url: str  # the server, e.g. http://127.0.0.1:PORT
    key: str
    folder: Path
    process: subprocess.Popen[bytes]

    @property
    def listenbrainz(self) -> str:
        return f"{self.url}/apis/listenbrainz"

    def scrobbles(self, since: str, to: str) -> list[dict[str, Any]]:
        """Maloja's own API: the scrobbles from ``since`` to ``to`` (years or dates)."""
        reply = httpx.get(
            f"{self.url}/apis/mlj_1/scrobbles", params={"since": since, "to": to}, timeout=60
        )
        reply.raise_for_status()
        found: list[dict[str, Any]] = reply.json()["list"]
        return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(folder: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALOJA_")}
    env.update(
        {
            "HOME": str(folder),
            "MALOJA_DATA_DIRECTORY": str(folder / "data"),
            "MALOJA_SKIP_SETUP": "yes",
            "MALOJA_FORCE_PASSWORD": secrets.token_hex(8),
            "MALOJA_HOST": "127.0.0.1",
            "MALOJA_PORT": str(port),
            "MALOJA_METADATA_PROVIDERS": "",
            "MALOJA_PROXY_IMAGES": "false",
            "MALOJA_SCROBBLE_LASTFM": "false",
            "MALOJA_SEND_STATS": "false",
            "MALOJA_CLEAN_OUTPUT": "true",
            "NO_PROXY": "*",
        }
    )
    return env


def _ready(url: str, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        with contextlib.suppress(httpx.HTTPError, ValueError):
            reply = httpx.get(f"{url}/apis/mlj_1/serverinfo", timeout=5)
            if reply.status_code == 200 and reply.json().get("db_status", {}).get("complete"):
                return True
        time.sleep(0.3)
    return False


@contextlib.contextmanager
def running_maloja(folder: Path) -> Iterator[Maloja]:
    """Maloja on a free port of 127.0.0.1, stopped (its process, by pid) on the way out."""
    key = secrets.token_hex(16)
    for attempt in range(3):
        where = folder / f"run{attempt}"
        (where / "data").mkdir(parents=True)
        (where / "data" / "apikeys.yml").write_text(f"amsync-tests: {key}\n", encoding="utf-8")
        port = _free_port()
        log = (where / "maloja.out").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "maloja", "run"],
            cwd=where,
            env=_environment(where, port),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            if _ready(url, process):
                yield Maloja(url, key, where, process)
                return
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
            log.close()
    output = (folder / "run2" / "maloja.out").read_text(errors="replace")[-2000:]
    raise RuntimeError(f"Maloja did not start:\n{output}")
