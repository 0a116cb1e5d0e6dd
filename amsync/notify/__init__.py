"""Notifications through Apprise — e-mail, ntfy, Gotify, Matrix, Telegram, Discord, Slack,
webhooks and about a hundred more, each named by a URL (``mailto://…``, ``json://…``).

The only module of amsync that imports Apprise, and only when a message is sent or a URL
checked (``amsync --version`` never pays for it). A message that cannot be delivered is
reported back (``Delivery``), never raised: a failing notification must not fail a run.
Apprise URLs carry passwords and tokens, so nothing here prints one: a target is described by
its scheme and host only (``shown_url``), and Apprise's own log lines are kept off the
terminal (they go to the ``amsync.notify`` logger at DEBUG, with the URL's secrets removed).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

from amsync.config.settings import shown_url

KINDS: Final = ("info", "success", "warning", "failure")
log = logging.getLogger("amsync.notify")


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    body: str
    kind: str = "info"  # info | success | warning | failure


@dataclass(slots=True)
class Delivery:
    """What became of one message: per target (scheme and host only)."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    """URLs Apprise does not understand (a typo in the scheme, a missing part)."""

    @property
    def delivered(self) -> bool:
        return bool(self.sent) and not self.failed and not self.unknown

    def problems(self) -> list[str]:
        return [f"{t}: not delivered" for t in self.failed] + [
            f"{t}: not a URL Apprise understands (check its spelling)" for t in self.unknown
        ]


def unknown_urls(urls: Sequence[str]) -> list[str]:
    """The URLs (shown by scheme and host) that Apprise cannot make a notifier of."""
    with _apprise_quiet(urls) as apprise:
        return [shown_url(u) for u in urls if apprise.Apprise.instantiate(u) is None]


def send(urls: Sequence[str], message: Message) -> Delivery:
    """Send ``message`` to every URL, one after the other; never raises for a target."""
    delivery = Delivery()
    with _apprise_quiet(urls) as apprise:
        kind = getattr(apprise.NotifyType, message.kind.upper(), apprise.NotifyType.INFO)
        for url in urls:
            target = shown_url(url)
            notifier = apprise.Apprise.instantiate(url)
            if notifier is None:
                delivery.unknown.append(target)
                continue
            try:
                ok = notifier.notify(body=message.body, title=message.title, notify_type=kind)
            except Exception as exc:  # a plugin's own failure is still only a failed delivery
                log.debug("%s: %s", target, type(exc).__name__)
                ok = False
            (delivery.sent if ok else delivery.failed).append(target)
    return delivery


class _Redacting(logging.Handler):
    """Passes Apprise's log records on to ``amsync.notify`` at DEBUG, with the URLs' secret
    parts (everything but scheme and host) replaced."""

    def __init__(self, urls: Sequence[str]) -> None:
        super().__init__(logging.DEBUG)
        parts: set[str] = set()
        for url in urls:
            rest = url.partition("://")[2]
            parts.update(p for p in re.split(r"[/:@?&=,]", rest) if len(p) >= 4)
        self.parts = sorted(parts, key=len, reverse=True)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:
            return
        host_safe = text
        for part in self.parts:
            host_safe = host_safe.replace(part, "***")
        log.debug("apprise: %s", host_safe[:500])


@contextmanager
def _apprise_quiet(urls: Sequence[str]) -> Iterator[Any]:
    import apprise

    logger = logging.getLogger("apprise")
    handler = _Redacting(urls)
    saved = (logger.handlers[:], logger.propagate, logger.level)
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.DEBUG if log.isEnabledFor(logging.DEBUG) else logging.WARNING)
    try:
        yield apprise
    finally:
        logger.handlers, logger.propagate = saved[0], saved[1]
        logger.setLevel(saved[2])
