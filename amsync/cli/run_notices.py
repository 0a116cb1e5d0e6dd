"""Being told without asking: the messages amsync sends on its own (issue 24).

With the ``notify`` setting (``AMSYNC_NOTIFY``, ``notify`` in config.toml, ``--notify``), a run
that may run unattended — every command that writes the run log (``sync``, ``backup``,
``restore``, ``favourites push``, ``lost restore``) — is *armed* when it starts
(``arm``), and amsync sends:

- one message when the run ends with a non-zero exit code: what failed, the code, what to do
  (``run_ended``, called by ``amsync.cli.run``, the one place errors become exit codes);
- one when a sync finds newly lost songs: how many, the first names, the command to see them
  (``lost_songs``);
- one when a token comes within 30 days of expiry, at most once a day per account (the day is
  remembered in ``<home>/notify-state.json``).

A message that cannot be delivered is one warning, never a failed run. No message holds a
token: every text passes the run log's filter (the tokens in effect, and anything shaped like a
JWT), and the URLs themselves are never printed (only scheme and host).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from amsync.cli.output import warn

if TYPE_CHECKING:
    from amsync.cli.context import AppContext

STATE_FILE: Final = "notify-state.json"
FIRST_NAMES: Final = 5
ADVICE: Final = {
    1: "an unexpected error: run the same command with -vv to see the details, and report it",
    2: "a usage or configuration problem: check the command line, the settings (config.toml, "
    "AMSYNC_*) and the database path",
    3: "a person must act: run `amsync auth login` (`amsync doctor` says what is wrong)",
    4: "refused: the deletion guard tripped or another run holds the lock; read the log, then "
    "run `amsync sync` again (with --force if the removals are real)",
    75: "a temporary failure (network, Apple throttling): the next scheduled run tries again",
}


@dataclass(slots=True)
class _Armed:
    urls: tuple[str, ...]
    command: str
    account: str
    home: Path
    secrets: tuple[str, ...]


_armed: _Armed | None = None


def arm(app: AppContext, command: str, secrets: Sequence[str]) -> None:
    """Get ready to tell about this run; then warn of expiring tokens (once a day)."""
    global _armed
    urls = tuple(url.reveal() for url in app.settings.notify)
    if not urls:
        _armed = None
        return
    _armed = _Armed(urls, command, app.settings.account, app.settings.home, tuple(secrets))
    with contextlib.suppress(Exception):
        _token_expiry(app)


def disarm() -> None:
    global _armed
    _armed = None


def armed() -> bool:
    return _armed is not None


def send(title: str, body: str, kind: str = "info") -> bool:
    """Send one message to the configured URLs (when armed); a failure is a warning."""
    target = _armed
    if target is None:
        return False
    return _send_to(target, title, body, kind)


def _send_to(target: _Armed, title: str, body: str, kind: str) -> bool:
    from amsync.cli.logfile import SecretFilter
    from amsync.notify import Message
    from amsync.notify import send as deliver

    redact = SecretFilter(target.secrets).redact
    try:
        delivery = deliver(target.urls, Message(redact(title), redact(body), kind))
    except Exception as exc:  # Apprise itself broken: still only a warning
        warn(f"notification not sent: {type(exc).__name__}")
        return False
    for problem in delivery.problems():
        warn(f"notification {problem}")
    return bool(delivery.sent)


def run_ended(code: int, failure: str | None, signal_name: str | None) -> None:
    """Called once by ``amsync.cli.run``: a message when an armed run ended non-zero."""
    target = _armed
    disarm()  # one run, one ending
    if target is None or code == 0 or code == 141:  # 141: the reader of the output left
        return
    what = failure or (f"stopped by {signal_name}" if signal_name else "it failed")
    advice = ADVICE.get(code) or (
        "it was stopped by a signal; the next scheduled run starts afresh"
        if signal_name or code > 128
        else "see the log"
    )
    body = "\n".join(
        [
            f"`amsync {target.command}` for account {target.account!r} on "
            f"{socket.gethostname()} ended with exit code {code} at {_now()}.",
            f"What failed: {what}",
            f"What to do: {advice}",
            f"Log: {target.home / 'logs' / 'amsync.log'}",
        ]
    )
    _send_to(target, f"amsync {target.command} failed (exit {code})", body, "failure")


def lost_songs(count: int, songs: Sequence[tuple[str, str | None, str]], since: str) -> None:
    """A sync found ``count`` newly lost songs (``songs``: name, artist, cause; first ones)."""
    target = _armed
    if target is None or count <= 0:
        return
    lines = [
        f"amsync found {count} song(s) newly lost from the Apple Music library of account "
        f"{target.account!r}:"
    ]
    for name, artist, cause in songs[:FIRST_NAMES]:
        lines.append(f"- {name}" + (f" by {artist}" if artist else "") + f" ({cause})")
    if count > FIRST_NAMES:
        lines.append(f"… and {count - FIRST_NAMES} more")
    lines.append(f"See them: amsync lost --since {since}")
    lines.append("Put back playable replacements: amsync lost restore")
    send(f"amsync: {count} song(s) lost from your library", "\n".join(lines), "warning")


def _token_expiry(app: AppContext) -> None:
    from amsync.cli.client_factory import token_warnings

    target = _armed
    if target is None:
        return
    messages = token_warnings(app.tokens())
    if not messages:
        return
    today = datetime.now(UTC).date().isoformat()
    state = _read_state(target.home)
    sent = state.setdefault("token_expiry", {})
    if sent.get(target.account) == today:
        return
    body = "\n".join(
        [
            f"For account {target.account!r}:",
            *(f"- {m}" for m in messages),
            "`amsync auth status` shows the tokens' ages and days left.",
        ]
    )
    if send("amsync: a token expires soon", body, "warning"):
        sent[target.account] = today
        _write_state(target.home, state)


def _read_state(home: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads((home / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_state(home: Path, state: dict[str, dict[str, str]]) -> None:
    path = home / STATE_FILE
    temporary = path.with_name(f".{STATE_FILE}.{os.getpid()}")
    with contextlib.suppress(OSError):
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(state, handle)
        temporary.replace(path)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
