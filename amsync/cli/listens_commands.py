"""``amsync listens fill | push | export``: the listening history out to ListenBrainz and the
servers that speak its protocol (docs/how-to/listens-out.md). Everything heavy is imported
inside the commands, so that ``--help`` stays fast."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import click

from amsync.cli.context import AppContext, pass_app

if TYPE_CHECKING:
    from amsync.api import AppleMusicClient
    from amsync.config.secret import Secret
    from amsync.db.store import Store
    from amsync.listens.push import PushOptions

TOKEN_ENV: Final = "AMSYNC_LISTENBRAINZ_TOKEN"  # noqa: S105 - a variable name
TOKEN_MISSING_HINT: Final = (
    f"set {TOKEN_ENV} or pass --token-file FILE: ListenBrainz shows your user token at "
    "https://listenbrainz.org/settings/; a self-hosted server (Maloja, Koito, …) gives an API key"
)

_wait_option = click.option(
    "--wait",
    "wait_s",
    type=click.FloatRange(0, 86_400),
    default=0,
    metavar="SECONDS",
    help="Wait this long for a sync or an import of the account to finish (else exit 4).",
)


@click.group("listens")
def listens() -> None:
    """Listening history out: fill in artists, push to ListenBrainz-protocol servers, export."""


@listens.command("fill")
@click.option("--dry-run", is_flag=True, help="Look nothing up, write nothing: say what would be.")
@_wait_option
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON object.")
@pass_app
def fill(app: AppContext, dry_run: bool, wait_s: float, as_json: bool) -> None:
    """Fill in the artist (and album, ISRC, length) of plays Apple's export leaves without one.

    A play linked to a mirrored song has the song's; any other play is looked up by its song
    and album name in Apple's catalog (once per distinct pair, cached across runs; exact
    matches only, never a guess), with the daily history's "Artist - Title" as further
    evidence. `plays_v` then shows the artist and where it came from (artist_source).
    """
    from amsync.cli.json_outcome import ProgressTally, json_outcome
    from amsync.cli.listens_render import render_fill
    from amsync.cli.process_exit import run_async
    from amsync.cli.progress import ProgressDisplay
    from amsync.domain.progress import no_progress
    from amsync.listens.fill import fill_listens
    from amsync.listens.report import FillReport

    with json_outcome(as_json) as outcome:
        if not dry_run:
            _start_log(app, "listens fill")
        store = _reading_store(app) if dry_run else app.store()
        lazy = _LazyClient(app)
        tally = ProgressTally(no_progress)
        report = FillReport(account=app.settings.account, dry_run=dry_run)
        outcome.so_far = lambda: report.as_dict() | {"progress": tally.phases}

        async def go() -> FillReport:
            try:
                with ProgressDisplay(enabled=not (app.quiet or as_json), client=lazy) as display:
                    tally.then(display)
                    return await fill_listens(
                        store,
                        app.settings.account,
                        lazy.make,
                        dry_run=dry_run,
                        progress=tally,
                        wait_s=wait_s,
                    )
            finally:
                await lazy.close()

        report = run_async(go())
        _log_outcome(
            "dry-run" if dry_run else "succeeded",
            f"{report.with_artist} of {report.plays} plays with an artist, "
            f"{report.lookups_made} look-ups, {report.requests} requests",
        )
        outcome.emit(report.as_dict())
    if not as_json:
        render_fill(report, quiet=app.quiet)


def _start_log(app: AppContext, command: str, token: Secret | None = None) -> None:
    """The run's lines in ``<home>/logs/amsync.log`` (the token kept out of it)."""
    from amsync.cli.backup_commands import start_run_log
    from amsync.cli.logfile import attach_log_file

    start_run_log(app, command, warn_terminal=False)
    if token is not None:
        attach_log_file(app.writable_home(), [token.reveal()])


def _log_outcome(status: str, counts: str) -> None:
    from amsync.cli.logfile import run_outcome

    run_outcome(status, counts)


def _reading_store(app: AppContext) -> Store:
    """The database for what only reads (a dry run, an export): opened read-only when it is at
    this amsync's schema (a read-only file works), brought up to it otherwise; no SQLite file
    yet: an empty throwaway one (nothing is created)."""
    from amsync.db.engine import database_url, is_sqlite
    from amsync.errors import SchemaOutdated

    url = database_url(app.settings.db)
    if is_sqlite(url) and not Path(str(url.database)).exists():
        return app.store_or_scratch()
    try:
        return app.store(create=False, readonly=True)
    except SchemaOutdated:
        return app.store(create=False)


class _LazyClient:
    """The Apple Music client, made only when a look-up is needed (a fill with everything
    cached, or a dry run, needs no credentials); its counters for the progress display."""

    def __init__(self, app: AppContext) -> None:
        self._app = app
        self.client: AppleMusicClient | None = None

    def make(self) -> AppleMusicClient:
        if self.client is None:
            self.client = self._app.client()
        return self.client

    @property
    def stats(self) -> Any:
        from amsync.api.stats import RequestStats

        return self.client.stats if self.client is not None else RequestStats()

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()


def _moment(value: str | None, option: str, *, end_of_day: bool = False) -> datetime | None:
    from amsync.domain.timestamps import parse_moment
    from amsync.errors import ConfigError

    if value is None:
        return None
    try:
        moment = parse_moment(value)
    except (ValueError, OverflowError):
        raise ConfigError(
            f"{option} {value[:40]!r}: not a date (2024-01-31) or time (2024-01-31T18:00:00Z)"
        ) from None
    if end_of_day and len(value.strip()) == 10:
        moment += timedelta(days=1)
    return moment


def _token(app: AppContext, token_file: Path | None) -> Secret:
    from amsync.config.secret import Secret
    from amsync.errors import ConfigError, CredentialsMissing

    if token_file is not None:
        try:
            text = token_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise ConfigError(f"cannot read the token file {token_file}: {reason}") from None
        return Secret(text.strip())
    value = app.env.get(TOKEN_ENV, "")
    if not value.strip():
        raise CredentialsMissing("no ListenBrainz token is configured", hint=TOKEN_MISSING_HINT)
    return Secret(value.strip())


def _options(
    target: str,
    since: str | None,
    until: str | None,
    min_listen: float | None,
    dry_run: bool,
    wait_s: float,
) -> PushOptions:
    import time

    from amsync.errors import ConfigError
    from amsync.listenbrainz import accepted_times
    from amsync.listens.push import PushOptions

    start = _moment(since, "--since")
    end = _moment(until, "--until", end_of_day=True)
    if start is not None and end is not None and end <= start:
        raise ConfigError("--until must be later than --since")
    earliest, latest = accepted_times(time.time())
    return PushOptions(target, earliest, latest, start, end, min_listen, dry_run, wait_s)


_period_options = [
    click.option("--since", metavar="DATE", help="Only plays from this date or time on (UTC)."),
    click.option(
        "--until", metavar="DATE", help="Only plays before this time, or up to this date's end."
    ),
    click.option(
        "--min-listen",
        type=click.FloatRange(0, 86_400),
        metavar="SECONDS",
        help="Count a play as a listen when at least SECONDS were played, instead of the "
        "scrobbling rule (half the track or 4 minutes, never under 30 s).",
    ),
]


def _with_period(func: Any) -> Any:
    for option in reversed(_period_options):
        func = option(func)
    return func


@listens.command("push")
@click.argument("url")
@_with_period
@click.option("--dry-run", is_flag=True, help="Contact no server: say what would be sent.")
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Read the token from this file (instead of {TOKEN_ENV}).",
)
@_wait_option
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON object.")
@pass_app
def push(
    app: AppContext,
    url: str,
    since: str | None,
    until: str | None,
    min_listen: float | None,
    dry_run: bool,
    token_file: Path | None,
    wait_s: float,
    as_json: bool,
) -> None:
    """Send the listening history to a ListenBrainz API at URL, each play once per server.

    URL is the API root: https://api.listenbrainz.org, or e.g. Maloja's
    http://HOST:42010/apis/listenbrainz. The token (AMSYNC_LISTENBRAINZ_TOKEN or --token-file)
    is checked first. Only real listens go (half the track or 4 minutes, never under 30 s;
    --min-listen changes it); plays without an artist are skipped and listed (run `amsync
    listens fill` first). What the server accepts is recorded batch by batch: a stopped push
    resumes, a second one sends nothing.
    """
    from amsync.cli.json_outcome import ProgressTally, json_outcome
    from amsync.cli.listens_render import render_push
    from amsync.cli.process_exit import run_async
    from amsync.cli.progress import ProgressDisplay
    from amsync.domain.progress import no_progress
    from amsync.listenbrainz import ListenBrainzClient, api_root
    from amsync.listens.push import push_listens
    from amsync.listens.report import PushReport

    with json_outcome(as_json) as outcome:
        target = api_root(url)
        options = _options(target, since, until, min_listen, dry_run, wait_s)
        report = PushReport(account=app.settings.account, target=target, dry_run=dry_run)
        tally = ProgressTally(no_progress)
        outcome.so_far = lambda: report.as_dict() | {"progress": tally.phases}
        store = _reading_store(app) if dry_run else app.store()
        sink = None
        if not dry_run:
            settings = app.settings
            token = _token(app, token_file)
            _start_log(app, "listens push", token)
            sink = ListenBrainzClient(
                target,
                token,
                client_version=_version(),
                retry_budget_s=settings.retry_budget,
                budget_source=settings.describe_source("retry_budget"),
            )

        async def go() -> PushReport:
            async with contextlib.AsyncExitStack() as stack:
                if sink is not None:
                    await stack.enter_async_context(sink)
                shown = not (app.quiet or as_json or dry_run)
                with ProgressDisplay(enabled=shown, client=sink) as display:
                    tally.then(display)
                    try:
                        return await push_listens(
                            store, app.settings.account, sink, options, report, tally
                        )
                    finally:
                        if sink is not None:
                            report.requests = sink.requests

        run_async(go())
        _log_outcome(
            report.status,
            f"{report.accepted} listens accepted, {len(report.refused)} refused, "
            f"{report.requests} requests",
        )
        outcome.emit(report.as_dict())
    if not as_json:
        render_push(report, quiet=app.quiet)


def _version() -> str:
    from amsync import __version__

    return __version__


@listens.command("export")
@click.option(
    "-o", "--output", metavar="FILE", help="Write to FILE instead of stdout ('-': stdout)."
)
@_with_period
@pass_app
def export(
    app: AppContext,
    output: str | None,
    since: str | None,
    until: str | None,
    min_listen: float | None,
) -> None:
    """Write the listens as JSON Lines in ListenBrainz's listen format, one listen a line.

    The same listens a push would send (real listens with an artist, in time order), for
    ListenBrainz's "import listens" page or any other tool. Plays without an artist are
    skipped and counted on stderr.
    """
    from amsync.cli.listens_render import export_summary, write_lines
    from amsync.listenbrainz import json_line
    from amsync.listens.push import plan_for

    options = _options("", since, until, min_listen, False, 0.0)
    store = _reading_store(app)
    account_id = store.find_account_id(app.settings.account)
    if account_id is None:
        from amsync.listens.push_plan import PushPlan

        plan = PushPlan()
    else:
        plan = plan_for(store, account_id, options)
    version = _version()
    written = write_lines(output, (json_line(listen, version) for listen in plan.to_send))
    export_summary(plan, written, output, quiet=app.quiet)
