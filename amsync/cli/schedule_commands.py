"""``amsync schedule print``: the snippets (crontab line, systemd units, launchd agent) that run
``amsync sync --backup`` unattended with the current settings."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from amsync.backup.schedule import EVERY, KINDS, ScheduleSpec, command_arguments, render_schedule
from amsync.cli.context import AppContext, pass_app


@click.group("schedule")
def schedule() -> None:
    """Run amsync unattended: print a crontab line, systemd units or a launchd agent."""


@schedule.command("print")
@click.option(
    "--every",
    type=click.Choice(EVERY),
    default="daily",
    show_default=True,
    help="How often to sync and back up.",
)
@click.option(
    "--kind", type=click.Choice(KINDS), default="cron", show_default=True, help="Which scheduler."
)
@click.option(
    "--server-push",
    "server_urls",
    multiple=True,
    metavar="URL",
    help="After a successful sync, also `amsync server push URL` (repeatable).",
)
@click.option("--server-user", metavar="USER", help="The user of those pushes (--user).")
@click.option("--server-favourites", is_flag=True, help="Those pushes also star (--favourites).")
@click.option("--server-ratings", is_flag=True, help="Those pushes also rate (--ratings).")
@pass_app
def schedule_print(
    app: AppContext,
    every: str,
    kind: str,
    server_urls: tuple[str, ...],
    server_user: str | None,
    server_favourites: bool,
    server_ratings: bool,
) -> None:
    """Print a ready schedule that runs `amsync sync --backup` with the current settings.

    Uses the absolute path of this amsync and the --home, --db and --account in effect; the
    tokens stay in <home>/credentials.json (`amsync auth`), never in the snippet. With
    --server-push URL the sync is followed by a push to that Subsonic-compatible server; its
    password stays in the home too (`amsync server login URL`).
    """
    from amsync.backup.schedule import push_arguments
    from amsync.domain.media_server import canonical_server_url

    settings = app.settings
    home = settings.home.expanduser().absolute()
    arguments = command_arguments(
        home=home,
        db=_scheduled_db(settings.db) if settings.source_of("db") != "default" else None,
        account=settings.account if settings.source_of("account") != "default" else None,
        api_url=settings.api_url if settings.source_of("api_url") != "default" else None,
    )
    pushes = tuple(
        push_arguments(
            arguments,
            canonical_server_url(url),
            user=server_user,
            favourites=server_favourites,
            ratings=server_ratings,
        )
        for url in server_urls
    )
    spec = ScheduleSpec(
        program=_program(),
        arguments=arguments,
        account=settings.account,
        home=home,
        every=every,
        then=pushes,
        notes=_notify_notes(app),
    )
    click.echo(render_schedule(spec, kind), nl=False)


def _notify_notes(app: AppContext) -> tuple[str, ...]:
    """Where the scheduled runs' notifications go (issue 24): the URLs by scheme and host only
    — they may hold passwords — and, when they come from this shell, where to keep them."""
    from amsync.config.settings import shown_url

    settings = app.settings
    urls = [shown_url(url.reveal()) for url in settings.notify]
    if not urls:
        return ()
    targets = ", ".join(urls)
    config = settings.home.expanduser().absolute() / "config.toml"
    if settings.source_of("notify") == "config":
        return (
            f"Notifications (failures, lost songs, expiring tokens) go to {len(urls)} Apprise "
            f"URL(s) from {config}: {targets}",
        )
    return (
        f"Notifications: {settings.describe_source('notify')} names {len(urls)} Apprise URL(s) "
        f"({targets}), but a scheduled run does not see this shell: put them in {config} as "
        'notify = "URL …" (they may hold passwords, so they are not written here)',
    )


def _program() -> tuple[str, ...]:
    """The absolute command that runs this amsync."""
    beside = Path(sys.executable).parent / "amsync"
    if beside.is_file():
        return (str(beside.absolute()),)
    found = shutil.which("amsync")
    if found:
        return (str(Path(found).absolute()),)
    return (str(Path(sys.executable).absolute()), "-m", "amsync")


def _scheduled_db(db: str) -> str:
    """``--db`` for the schedule: an absolute path, or a URL without its password (PostgreSQL
    reads that from ``~/.pgpass`` or ``PGPASSWORD``)."""
    from amsync.backup.take import url_without_password
    from amsync.db.engine import database_url

    if "://" not in db:
        return str(Path(db).expanduser().absolute())
    return url_without_password(database_url(db))
