"""``amsync notify test``: send a test message to the ``notify`` setting's Apprise URLs.

Exit 0 when every URL took the message; 2 when no URL is configured or one is not a URL
Apprise understands (a typo); 75 when a target could not be reached (try again later). Each
target is shown by its scheme and host only: Apprise URLs carry passwords and tokens.
"""

from __future__ import annotations

import socket

import click

from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import info
from amsync.errors import ConfigError, NotificationUndelivered


@click.group("notify")
def notify() -> None:
    """Notifications through Apprise: send a test message."""


@notify.command("test")
@pass_app
def notify_test(app: AppContext) -> None:
    """Send a test message to every Apprise URL of the notify setting.

    The setting: AMSYNC_NOTIFY, notify in config.toml, or --notify; URLs separated by spaces
    or commas (mailto://, json://, ntfy://, gotify://, matrix://, tgram://, discord://, …).
    """
    from amsync.notify import Message, send

    settings = app.settings
    urls = [url.reveal() for url in settings.notify]
    if not urls:
        raise ConfigError(
            "no notify setting: nothing to send to",
            hint="set AMSYNC_NOTIFY, notify in config.toml, or pass --notify with Apprise URLs",
        )
    message = Message(
        "amsync: test message",
        f"This is a test message from amsync on {socket.gethostname()} (account "
        f"{settings.account!r}). Notifications arrive here when a scheduled run fails, when "
        "a sync finds lost songs, and when a token is about to expire.",
        "info",
    )
    delivery = send(urls, message)
    for target in delivery.sent:
        info(f"sent to {target}", quiet=app.quiet)
    if delivery.unknown:
        raise ConfigError(
            f"{delivery.unknown[0]} is not a URL Apprise understands",
            hint="check the spelling of its scheme and parts (https://appriseit.com lists them)",
        )
    if delivery.failed:
        raise NotificationUndelivered(
            f"the test message was not delivered to {', '.join(delivery.failed)}",
            hint="check that the server is reachable and the URL right, then try again",
        )
