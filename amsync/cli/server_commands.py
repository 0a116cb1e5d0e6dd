"""``amsync server push | status | login | logout``: playlists and favourites pushed into a
Subsonic-compatible server (Navidrome, gonic, Airsonic-Advanced, Ampache, LMS, Supysonic…).
Heavy imports happen inside the commands, so ``amsync server --help`` stays fast."""

from __future__ import annotations

import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import click

from amsync.cli.context import AppContext, pass_app
from amsync.cli.json_outcome import json_outcome
from amsync.cli.output import info, warn
from amsync.cli.server_report import render_push
from amsync.cli.tabular import chosen_format, emit_listing, emit_report, listing_format_option
from amsync.errors import CredentialsMissing, UsageError

if TYPE_CHECKING:
    from amsync.config.secret import Secret
    from amsync.servers.push import PushOptions
    from amsync.subsonic import SubsonicServer

F = TypeVar("F", bound=Callable[..., Any])
PASSWORD_ENV: Final = "AMSYNC_SUBSONIC_PASSWORD"  # noqa: S105  (a variable's name)


@click.group("server")
def server() -> None:
    """Push playlists and favourites into your own Subsonic-compatible server.

    Navidrome, gonic, Airsonic-Advanced, Ampache, LMS, Supysonic and other servers that speak
    the Subsonic API. URL is the server's address (https://music.example.com; amsync adds
    /rest/). The password comes from --password-file, AMSYNC_SUBSONIC_PASSWORD, or what
    `amsync server login URL` stored (0600 in the amsync home); it never appears in output,
    logs or the database.
    """


def _connection_options(func: F) -> F:
    func = click.option(
        "--timeout",
        type=click.FloatRange(1, 3600),
        default=30.0,
        show_default=True,
        metavar="SECONDS",
        help="How long to wait for one answer of the server.",
    )(func)
    func = click.option(
        "--password-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"Read the password (or API key) from the first line of FILE [else {PASSWORD_ENV},"
        " else what `amsync server login` stored].",
    )(func)
    func = click.option(
        "--user",
        metavar="USER",
        help="The user on the server [default: the one `amsync server login` stored; none "
        "with an OpenSubsonic API key].",
    )(func)
    return click.argument("url")(func)


def _selection_options(func: F) -> F:
    func = click.option(
        "--folders/--no-folders",
        "folders",
        default=False,
        help="Put the Apple folder path before each server playlist's name ('Folder/Name') "
        "[default: the playlist's name alone].",
    )(func)
    func = click.option(
        "--path-prefix",
        "path_prefixes",
        multiple=True,
        metavar="LOCAL=SERVER",
        help="Where your music folder is as the server sees it, e.g. /home/me/Music=/music "
        "(/home/me/Music= when the server reports paths relative to it) [default: inferred].",
    )(func)
    func = click.option("--ratings", is_flag=True, help="Also rate the songs you disliked 1 star.")(
        func
    )
    func = click.option(
        "--favourites",
        is_flag=True,
        help="Also star your favourite songs, albums and artists.",
    )(func)
    func = click.option(
        "--no-playlists", is_flag=True, help="Push no playlists (only --favourites/--ratings)."
    )(func)
    return click.option(
        "--playlist",
        "playlists",
        multiple=True,
        metavar="NAME_OR_ID",
        help="Only this playlist (repeatable) [default: every playlist].",
    )(func)


# --- credentials ---------------------------------------------------------------------------------


def _read_password_file(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise UsageError(f"--password-file: no file at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise UsageError(f"--password-file: cannot read {path}: {reason}") from None
    password = text.splitlines()[0].strip() if text.strip() else ""
    if not password:
        raise UsageError(f"--password-file: {path} is empty")
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        warn(f"{path} can be read by other users: `chmod 600 {path}`")
    return password


def _credentials(
    app: AppContext, url: str, user: str | None, password_file: Path | None
) -> tuple[str | None, Secret]:
    from amsync.config.secret import Secret
    from amsync.config.server_credentials import ServerCredentialStore

    if password_file is not None:
        return user, Secret(_read_password_file(password_file))
    from_env = app.env.get(PASSWORD_ENV, "")
    if from_env:
        return user, Secret(from_env)
    stored = ServerCredentialStore(app.settings.home).find(url, user)
    if stored is not None:
        return stored.user, stored.password
    who = f" for {user}" if user else ""
    raise CredentialsMissing(
        f"no password{who} at {url}",
        hint=f"set {PASSWORD_ENV}, pass --password-file FILE, or store it once with "
        f"`amsync server login {url}{' --user ' + user if user else ' --user USER'}`",
    )


def _connect(
    app: AppContext,
    url: str,
    user: str | None,
    password_file: Path | None,
    timeout: float,
    *,
    run_log: str | None = None,
) -> SubsonicServer:
    """Sign in; with ``run_log``, the run is logged to ``<home>/logs/amsync.log`` under that
    name (the password blanked in it, whatever a server says)."""
    from amsync.subsonic import connect

    user, secret = _credentials(app, url, user, password_file)
    if run_log is not None:
        from amsync.cli.logfile import attach_log_file, begin_run

        value = secret.reveal()
        attach_log_file(app.writable_home(), [value, value.encode("utf-8").hex()])
        begin_run(run_log, app.settings.account)
    return connect(url, user, secret, timeout_s=timeout, retry_budget_s=app.settings.retry_budget)


def _url(url: str) -> str:
    from amsync.domain.media_server import canonical_server_url

    return canonical_server_url(url)


# --- push ----------------------------------------------------------------------------------------


def _options(
    app: AppContext,
    *,
    playlists: tuple[str, ...],
    no_playlists: bool,
    favourites: bool,
    ratings: bool,
    path_prefixes: tuple[str, ...],
    folders: bool,
    prune: bool = False,
    dry_run: bool = False,
    wait_s: float = 0.0,
) -> PushOptions:
    from amsync.servers.paths import parse_path_prefixes
    from amsync.servers.push import PushOptions

    if no_playlists and playlists:
        raise UsageError("--playlist and --no-playlists do not go together")
    if no_playlists and not (favourites or ratings):
        raise UsageError("--no-playlists leaves nothing to push: add --favourites or --ratings")
    return PushOptions(
        playlists=playlists or None,
        include_playlists=not no_playlists,
        favourites=favourites,
        ratings=ratings,
        prefixes=parse_path_prefixes(path_prefixes) or None,
        folders=folders,
        prune=prune,
        dry_run=dry_run,
        wait_s=wait_s,
    )


@server.command("push")
@_connection_options
@_selection_options
@click.option(
    "--prune",
    is_flag=True,
    help="Delete the server playlists amsync made for Apple playlists that are gone.",
)
@click.option("--dry-run", is_flag=True, help="Read both sides and print the plan; write nothing.")
@click.option(
    "--wait",
    "wait_s",
    type=click.FloatRange(0),
    default=0,
    metavar="SECONDS",
    help="Wait this long for another run of the account instead of exiting 4.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@pass_app
def push_command(
    app: AppContext,
    url: str,
    user: str | None,
    password_file: Path | None,
    timeout: float,
    playlists: tuple[str, ...],
    no_playlists: bool,
    favourites: bool,
    ratings: bool,
    path_prefixes: tuple[str, ...],
    folders: bool,
    prune: bool,
    dry_run: bool,
    wait_s: float,
    as_json: bool,
) -> None:
    """Make the server's playlists (and stars) match the mirror's Apple Music library.

    Each chosen Apple playlist becomes a server playlist of the same name (with its folder
    path as a prefix), tracks in Apple's order, duplicates kept; songs the server lacks are
    skipped and reported. Songs are found by file path (after `amsync local match`), ISRC, or
    tags. A second push with nothing changed writes nothing. Playlists amsync did not make are
    never touched. Exit 3: the server refused the credentials; 2: URL is not a Subsonic API;
    75: the server kept failing.
    """
    from amsync.cli.logfile import run_outcome
    from amsync.servers.push import push_to_server
    from amsync.servers.report import PushReport

    url = _url(url)
    options = _options(
        app,
        playlists=playlists,
        no_playlists=no_playlists,
        favourites=favourites,
        ratings=ratings,
        path_prefixes=path_prefixes,
        folders=folders,
        prune=prune,
        dry_run=dry_run,
        wait_s=wait_s,
    )
    with json_outcome(as_json) as outcome:
        store = app.store(create=False) if not dry_run else app.store_or_scratch()
        partial = PushReport(app.settings.account, url, dry_run)
        outcome.so_far = partial.as_dict
        run_log = None if dry_run else "server push"
        with _connect(app, url, user, password_file, timeout, run_log=run_log) as session:
            report = push_to_server(
                store,
                app.settings.account,
                session,
                options,
                report=partial,
                progress=_progress(app, as_json),
            )
        counts = report.counts()
        run_outcome(
            report.status,
            f"{counts['playlists']} playlists, {counts['written']} tracks written, "
            f"{counts['missing']} missing, {report.writes} writes",
        )
        if as_json:
            outcome.emit(report.as_dict())
        else:
            render_push(report, quiet=app.quiet)
    for message in report.warnings:
        warn(message)


def _progress(app: AppContext, as_json: bool) -> Callable[[str], None] | None:
    if as_json or app.quiet or not sys.stderr.isatty():
        return None

    def show(message: str) -> None:
        click.echo(f"\r\033[K{message}", err=True, nl=False)

    return show


# --- status --------------------------------------------------------------------------------------


@server.command("status")
@_connection_options
@_selection_options
@click.option(
    "--missing", is_flag=True, help="List the tracks not on the server (or ambiguous), and why."
)
@listing_format_option
@pass_app
def status_command(
    app: AppContext,
    url: str,
    user: str | None,
    password_file: Path | None,
    timeout: float,
    playlists: tuple[str, ...],
    no_playlists: bool,
    favourites: bool,
    ratings: bool,
    path_prefixes: tuple[str, ...],
    folders: bool,
    missing: bool,
    fmt: str | None,
    as_json: bool,
) -> None:
    """The match report: per playlist what a push would write, how many tracks each method
    found, what is missing and what is ambiguous. Writes nothing.

    Columns: playlist, library_id, server_name, server_playlist_id, action, tracks, written,
    path, isrc, mbid, tags, missing, ambiguous. With --missing: one row per track not written
    (playlist, position, name, artist, album, reason).
    """
    from amsync.servers.push import push_to_server
    from amsync.servers.report import MISSING_COLUMNS, PLAYLIST_COLUMNS

    url = _url(url)
    options = _options(
        app,
        playlists=playlists,
        no_playlists=no_playlists,
        favourites=favourites,
        ratings=ratings,
        path_prefixes=path_prefixes,
        folders=folders,
        dry_run=True,
    )
    chosen = chosen_format(fmt, as_json)
    store = app.store(create=False, readonly=True)
    with _connect(app, url, user, password_file, timeout) as session:
        report = push_to_server(store, app.settings.account, session, options)
    if missing:
        emit_listing(chosen, MISSING_COLUMNS, report.missing_rows())
    elif chosen == "json":  # the same answer every time: no timing in it
        emit_report("json", report.as_dict() | {"elapsed_s": None}, lambda: None)
    elif chosen == "table":
        render_push(report, quiet=False)
    else:
        emit_listing(chosen, PLAYLIST_COLUMNS, [line.row() for line in report.playlists])
    for message in report.warnings:
        warn(message)


# --- login / logout ------------------------------------------------------------------------------


@server.command("login")
@click.argument("url")
@click.option("--user", metavar="USER", help="The user on the server (none for an API key).")
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the password from the first line of FILE.",
)
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the password from stdin.")
@click.option("--no-check", is_flag=True, help="Store it without signing in to the server first.")
@click.option("--timeout", type=click.FloatRange(1, 3600), default=30.0, metavar="SECONDS",
              help="How long to wait for the server's answer.")  # fmt: skip
@pass_app
def login_command(
    app: AppContext,
    url: str,
    user: str | None,
    password_file: Path | None,
    from_stdin: bool,
    no_check: bool,
    timeout: float,
) -> None:
    """Store the password (or OpenSubsonic API key) for URL, after signing in with it.

    Kept in <home>/server-credentials.json, readable only by you (0600), so scheduled pushes
    need no password in their command line or environment. Without --password-file or
    --stdin, asks for it with hidden input.
    """
    from amsync.config.secret import Secret
    from amsync.config.server_credentials import ServerCredentialStore
    from amsync.subsonic import connect

    url = _url(url)
    if password_file is not None and from_stdin:
        raise UsageError("--password-file and --stdin do not go together")
    if password_file is not None:
        password = _read_password_file(password_file)
    elif from_stdin:
        password = (sys.stdin.readline() or "").strip()
    elif sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, default="", show_default=False)
    else:
        raise UsageError("no terminal to ask for the password: pass --stdin or --password-file")
    if not password:
        raise UsageError("the password is empty (nothing was stored)")
    secret = Secret(password)
    store = ServerCredentialStore(app.writable_home())
    if not no_check:
        with connect(url, user, secret, timeout_s=timeout,
                     retry_budget_s=app.settings.retry_budget) as session:  # fmt: skip
            identity = session.identity
        info(
            f"signed in to {url}{' as ' + user if user else ''} "
            f"(Subsonic API {identity.api_version}"
            f"{', ' + identity.server_type if identity.server_type else ''}; "
            f"{identity.auth.value} authentication)",
            quiet=app.quiet,
        )
    store.save(url, user, secret)
    info(f"stored in {store.path} (readable only by you)", quiet=app.quiet)


@server.command("logout")
@click.argument("url")
@click.option("--user", metavar="USER", help="Only this user's password [default: every user].")
@pass_app
def logout_command(app: AppContext, url: str, user: str | None) -> None:
    """Forget the passwords `amsync server login` stored for URL."""
    from amsync.config.server_credentials import ServerCredentialStore

    url = _url(url)
    store = ServerCredentialStore(app.settings.home)
    removed = store.remove(url, user) if store.path.exists() else 0
    info(
        f"forgot {removed} stored password(s) for {url}"
        if removed
        else f"nothing stored for {url}",
        quiet=app.quiet,
    )


__all__ = ["server"]
