"""``amsync emulator serve``: the Apple Music API emulator on a real socket.

The first line printed is exactly the URL (``http://127.0.0.1:PORT``), then
``developer token: …`` (the given one, or an ES256 JWT signed with a key the emulator makes,
valid 180 days), ``music user token: …`` (the given one or a random one) and ``musickit: URL``
(the MusicKit stand-in for ``AMSYNC_MUSICKIT_JS_URL``), flushed at once. Serves until SIGINT or
SIGTERM and exits 0. Imports only :mod:`amsync.emulator` (and the error tree). A busy or
unusable port is one line and exit 2; negative or absurd sizes, latencies and rates are usage
errors (exit 2).
"""

from __future__ import annotations

import contextlib
import errno
import secrets
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Final

import click

from amsync.errors import ConfigError

MAX_ITEMS: Final = 2_000_000
MAX_PLAYLISTS: Final = 100_000
MAX_LATENCY_MS: Final = 600_000.0
MAX_RATE: Final = 1_000_000.0


@click.group("emulator")
def emulator() -> None:
    """Run the bundled Apple Music API emulator."""


@emulator.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=0, type=click.IntRange(0, 65535), help="0 picks a free port.")
@click.option("--songs", default=2000, type=click.IntRange(0, MAX_ITEMS), show_default=True)
@click.option("--albums", default=None, type=click.IntRange(0, MAX_ITEMS))
@click.option("--artists", default=None, type=click.IntRange(0, MAX_ITEMS))
@click.option("--playlists", default=None, type=click.IntRange(0, MAX_PLAYLISTS))
@click.option("--seed", default=0, type=int, show_default=True)
@click.option(
    "--latency-ms", default=0.0, type=click.FloatRange(0, MAX_LATENCY_MS), show_default=True
)
@click.option(
    "--rate-limit",
    "rate_limit",
    default=None,
    type=click.FloatRange(0, MAX_RATE, min_open=True),
    help="Requests/s.",
)
@click.option("--fault-rate", default=0.0, type=click.FloatRange(0.0, 1.0))
@click.option(
    "--developer-token",
    default=None,
    help="Also accept this developer token as is (default: print a signed ES256 JWT).",
)
@click.option("--music-user-token", default=None, help="Accepted Music-User-Token.")
@click.option(
    "--public-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="PEM public key for verifying ES256 developer tokens.",
)
@click.option("--key-id", default=None)
@click.option("--team-id", default=None)
@click.option("--awkward", is_flag=True, help="Serve the awkward ~600-song library.")
@click.option(
    "--withdraw",
    default=0,
    type=click.IntRange(0, MAX_ITEMS),
    help="Apple withdraws this many library songs at start (greyed out, most with a "
    "replacement); POST /_emulator/withdraw?count=N withdraws more while serving.",
)
@click.option(
    "--unplayable",
    default=0,
    type=click.IntRange(0, MAX_ITEMS),
    help="This many library songs are not playable in the storefront (no playParams).",
)
def serve(
    host: str,
    port: int,
    songs: int,
    albums: int | None,
    artists: int | None,
    playlists: int | None,
    seed: int,
    latency_ms: float,
    rate_limit: float | None,
    fault_rate: float,
    developer_token: str | None,
    music_user_token: str | None,
    public_key: Path | None,
    key_id: str | None,
    team_id: str | None,
    awkward: bool,
    withdraw: int = 0,
    unplayable: int = 0,
) -> None:
    """Serve a generated library until SIGINT/SIGTERM."""
    from amsync.emulator import Emulator, FaultConfig, LibrarySpec, awkward_spec, generate_library
    from amsync.emulator.musickit import SCRIPT_PATH as MUSICKIT_SCRIPT_PATH

    if public_key is not None and not (key_id and team_id):
        raise click.UsageError("--public-key needs --key-id and --team-id")
    if awkward:
        spec = awkward_spec(seed)
    else:
        spec = LibrarySpec(
            songs=songs, albums=albums, artists=artists, playlists=playlists, seed=seed
        )
    library = generate_library(spec)
    if withdraw or unplayable:
        from amsync.emulator.lost_music import make_songs_unplayable, withdraw_songs

        withdraw_songs(library, withdraw, seed=seed)
        make_songs_unplayable(library, unplayable, seed=seed)
    user = music_user_token or f"mut-{secrets.token_urlsafe(24)}"
    faults = FaultConfig(
        seed=seed,
        latency_ms=latency_ms,
        rate_limit_rps=rate_limit,
        fault_rate=fault_rate or None,
    )
    emu = Emulator(
        library,
        developer_tokens={developer_token} if developer_token else set(),
        music_user_tokens={user},
        faults=faults,
        jwt_public_key_pem=public_key.read_bytes() if public_key else None,
        jwt_key_id=key_id,
        jwt_team_id=team_id,
    )
    dev = developer_token or emu.issue_developer_token()
    emu.warm()
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(emu.serve(host=host, port=port))
        except OSError as exc:
            raise ConfigError(
                f"cannot serve on {host}:{port}: {exc.strerror or exc}",
                hint="choose another --port (0 picks a free one)"
                if exc.errno == errno.EADDRINUSE
                else "check --host and --port",
            ) from None
        click.echo(server.url)
        click.echo(f"developer token: {dev}")
        click.echo(f"music user token: {user}")
        click.echo(f"musickit: {server.url}{MUSICKIT_SCRIPT_PATH}")
        sys.stdout.flush()
        while not stop.is_set():
            stop.wait(0.5)


if __name__ == "__main__":
    emulator()
