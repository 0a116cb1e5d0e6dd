"""A real Supysonic server for the tests (issue 27), started on 127.0.0.1 with everything in a
temporary folder, its music folder scanned by Supysonic's own scanner (``supysonic-cli folder
scan``).

Supysonic's defaults, and what the tests set instead (all of ``[base]``, ``[webapp]`` and
``[daemon]`` that touch the disk or the network): the database (default
``$TMPDIR/supysonic/supysonic.db``, shared by every instance) and the cache folder (default
``$TMPDIR/supysonic``) go into the instance's own folder; the daemon's socket too, and its
folder watcher is off (no daemon runs: scans are run by hand); the web UI is not mounted;
``online_lyrics`` stays off and no Last.fm key is set, so nothing leaves the machine. Its own
launcher binds 0.0.0.0:5722; ``supysonic_app`` binds 127.0.0.1 on a free port. The CLI reads
``supysonic.conf`` from its working folder — the instance's folder — with ``HOME`` pointed
there too, so no configuration of the machine is read.

Supysonic reports Subsonic API 1.12.0: amsync signs in with the hex-encoded password.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ADMIN = "admin"
ADMIN_PASSWORD = "admin-secret-password"
_APP = Path(__file__).with_name("supysonic_app.py")


def _cli() -> str:
    beside = Path(sys.executable).parent / "supysonic-cli"
    return str(beside)


def _config(folder: Path) -> str:
    data = folder / "data"
    return "\n".join(
        [
            "[base]",
            f"database_uri = sqlite:///{data / 'supysonic.db'}",
            "follow_symlinks = no",
            "[webapp]",
            f"cache_dir = {data / 'cache'}",
            "mount_webui = no",
            "mount_api = yes",
            "online_lyrics = no",
            "log_level = WARNING",
            "[daemon]",
            f"socket = {data / 'daemon.sock'}",
            "run_watcher = no",
            "log_level = WARNING",
            "",
        ]
    )


@dataclass
class Supysonic:
    folder: Path
    music: Path
    url: str = ""
    process: subprocess.Popen[str] | None = None
    users: dict[str, str] = field(default_factory=dict)

    def cli(self, *args: str) -> str:
        env = {**os.environ, "HOME": str(self.folder)}
        done = subprocess.run(
            [_cli(), *args],
            cwd=self.folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def scan(self) -> str:
        """Supysonic's own scanner over the music folder (changes and removals included)."""
        return self.cli("folder", "scan", "music")

    def call(self, endpoint: str, user: str = ADMIN, **params: Any) -> dict[str, Any]:
        """One API call as ``user`` (read-back helper: GET, hex password), its envelope."""
        password = self.users.get(user, ADMIN_PASSWORD)
        query: list[tuple[str, str]] = [
            ("u", user),
            ("p", "enc:" + password.encode().hex()),
            ("v", "1.12.0"),
            ("c", "tests"),
            ("f", "json"),
        ]
        for name, value in params.items():
            values = value if isinstance(value, list | tuple) else [value]
            query += [(name, str(v)) for v in values]
        response = httpx.get(f"{self.url}/rest/{endpoint}", params=query, timeout=60)
        body: dict[str, Any] = response.json()["subsonic-response"]
        return body

    def add_user(self, name: str, password: str) -> None:
        body = self.call(
            "createUser", username=name, password=password, email=f"{name}@example.invalid"
        )
        assert body["status"] == "ok", body
        self.users[name] = password

    # --- reading back what amsync wrote ----------------------------------------------------

    def playlists(self, user: str) -> list[dict[str, Any]]:
        body = self.call("getPlaylists", user)
        assert body["status"] == "ok", body
        return [p for p in body.get("playlists", {}).get("playlist", []) if p["owner"] == user]

    def playlist_songs(self, user: str, playlist_id: str) -> list[dict[str, Any]]:
        body = self.call("getPlaylist", user, id=playlist_id)
        assert body["status"] == "ok", body
        return list(body["playlist"].get("entry", []))

    def starred(self, user: str) -> dict[str, set[str]]:
        body = self.call("getStarred2", user)["starred2"]
        return {
            kind: {item["id"] for item in body.get(kind, [])}
            for kind in ("song", "album", "artist")
        }

    def songs(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            body = self.call(
                "search3",
                query="",
                songCount=500,
                songOffset=len(found),
                artistCount=0,
                albumCount=0,
            )
            page = body["searchResult3"].get("song", [])
            if not page:
                return found
            found += page

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)


def start_supysonic(folder: Path, music: Path) -> Supysonic:
    """Configure, scan ``music`` and start a Supysonic in ``folder`` (stop it when done)."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "supysonic.conf").write_text(_config(folder), encoding="utf-8")
    instance = Supysonic(folder, music)
    instance.cli("user", "add", ADMIN, "-p", ADMIN_PASSWORD)
    instance.cli("user", "setroles", "-A", ADMIN)
    instance.cli("folder", "add", "music", str(music))
    instance.scan()
    env = {**os.environ, "HOME": str(folder)}
    instance.process = subprocess.Popen(
        [sys.executable, str(_APP), str(folder / "supysonic.conf")],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert instance.process.stdout is not None
    port = instance.process.stdout.readline().strip()
    if not port.isdigit():
        instance.stop()
        raise RuntimeError(f"Supysonic did not start (said {port!r})")
    instance.url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if instance.call("ping")["status"] == "ok":
                return instance
        time.sleep(0.1)
    instance.stop()
    raise RuntimeError("Supysonic does not answer ping")


@contextlib.contextmanager
def running_supysonic(folder: Path, music: Path) -> Iterator[Supysonic]:
    instance = start_supysonic(folder, music)
    try:
        yield instance
    finally:
        instance.stop()
