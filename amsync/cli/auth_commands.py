"""``amsync auth login | set | status | logout``: the tokens amsync uses, and their ages.

Tokens never travel through argv (visible in process lists) and are never printed: ``set``
reads them from a hidden prompt, stdin or a file (``token_input.py`` cleans up what people paste
and refuses mix-ups), ``login`` receives the music user token from a MusicKit sign-in page
served on 127.0.0.1 (``login_server.py``), ``status`` says where each token comes from and when it
expires (``token_status.py``) and exits 3 when a person must act.

Heavy modules are imported inside the commands: ``amsync auth --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

import click

from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import emit_json, error, info, safe_text, warn
from amsync.cli.process_exit import prompting
from amsync.errors import ConfigError, CredentialsMissing, SignInIncomplete

if TYPE_CHECKING:
    from amsync.cli.client_factory import ResolvedTokens
    from amsync.cli.login_server import LoginOutcome

LOGIN_TIMEOUT_S: Final = 300
TOKEN_FILE_MAX_BYTES: Final = 64 * 1024
STDIN_HINT: Final = (
    "pipe them in with `amsync auth set --stdin` (two lines: the developer token, then the music "
    "user token; an empty line keeps what is stored)"
)
COOKIE_HINT: Final = (
    "or copy the media-user-token cookie from music.apple.com and store it with `amsync auth set`"
)


@click.group()
def auth() -> None:
    """Sign in, store tokens, see their ages, sign out."""


# --- set -------------------------------------------------------------------------------------


def _read_token_file(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            raw = handle.read(TOKEN_FILE_MAX_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(f"developer token file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read the developer token file {path}: {exc.strerror or type(exc).__name__}"
        ) from None
    if len(raw) > TOKEN_FILE_MAX_BYTES:
        raise ConfigError(f"{path} is too large to hold a developer token")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not a text file holding a developer token") from None


def _ask(label: str, clean: Callable[[str], str]) -> str:
    """A hidden prompt on the terminal (stderr), whose answer is checked as it is given: a
    wrong one is said in one line and asked again (an empty answer keeps what is stored)."""

    def checked(text: str) -> str:
        try:
            return clean(text)
        except ConfigError as exc:
            said = str(exc).replace(" (nothing was stored)", "")
            raise click.UsageError(f"{said} — try again, or leave it empty") from None

    with prompting():
        answer = click.prompt(
            label,
            default="",
            hide_input=True,
            show_default=False,
            value_proc=checked,
            err=True,
        )
    return str(answer)


def _answers(from_stdin: bool, token_file: Path | None) -> tuple[str, str]:
    """(developer, music user), cleaned (``token_input``): typed at prompts that check each
    as it is given, piped or read; no token is echoed."""
    from amsync.cli.token_input import clean_developer_token, clean_music_user_token

    developer = ""
    if token_file is not None:
        developer = clean_developer_token(_read_token_file(token_file))
        if not developer:
            raise ConfigError(
                f"the developer token file {token_file} is empty",
                hint="put the developer token (the JWT) in it, or leave --developer-token-file out",
            )
    if from_stdin:
        lines = sys.stdin.read(2 * TOKEN_FILE_MAX_BYTES).splitlines()
        if token_file is not None:
            return developer, clean_music_user_token(lines[0] if lines else "")
        first, second = [*lines, "", ""][:2]
        return clean_developer_token(first), clean_music_user_token(second)
    if not sys.stdin.isatty():
        if token_file is not None:
            return developer, ""  # nothing left to ask
        raise ConfigError(
            "amsync auth set has no terminal to ask for the tokens on", hint=STDIN_HINT
        )
    if token_file is None:
        developer = _ask("Developer token (empty keeps)", clean_developer_token)
    return developer, _ask("Music user token (empty keeps)", clean_music_user_token)


@auth.command("set")
@click.option(
    "--stdin",
    "from_stdin",
    is_flag=True,
    help="Read two lines: the developer token, then the music user token (empty keeps); "
    "with --developer-token-file, one line: the music user token.",
)
@click.option(
    "--developer-token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read the developer token (the JWT) from this file.",
)
@pass_app
def set_tokens(app: AppContext, from_stdin: bool, developer_token_file: Path | None) -> None:
    """Store tokens by hand (hidden prompt, --stdin or a file). An empty answer keeps what is
    stored.

    The music user token may be pasted as the media-user-token cookie's value, as
    `media-user-token=VALUE`, quoted, or with spaces around it. A JWT in its place, or a .p8 key
    in the developer token's place, is refused. No token is ever shown.
    """
    from amsync.config.secret import Secret

    developer, user = _answers(from_stdin, developer_token_file)
    account = app.settings.account
    store = app.credentials()
    if not developer and not user:
        if store.load(account).empty:
            raise ConfigError(
                f"no token was given and none is stored for account {account}",
                hint="paste the tokens at the prompts, or " + STDIN_HINT,
            )
        info("nothing changed", quiet=app.quiet)
        return
    store.save(
        account,
        developer_token=Secret(developer) if developer else None,
        music_user_token=Secret(user) if user else None,
    )
    stored = [n for n, v in (("developer token", developer), ("music user token", user)) if v]
    info(f"stored the {' and the '.join(stored)} for account {account}", quiet=app.quiet)
    _say_what_is_still_missing(app)


def _say_what_is_still_missing(app: AppContext) -> None:
    from amsync.errors import AmsyncError

    try:
        tokens = app.tokens()
    except AmsyncError:  # e.g. a key file that cannot be read: `auth status` will say so
        return
    if tokens.developer is None:
        info(
            "no developer token yet: set AMSYNC_KEY_FILE (with AMSYNC_TEAM_ID, AMSYNC_KEY_ID) "
            "or AMSYNC_DEVELOPER_TOKEN, or store one with `amsync auth set`",
            quiet=app.quiet,
        )
    if tokens.user is None:
        info("no music user token yet: run `amsync auth login` " + COOKIE_HINT, quiet=app.quiet)


# --- status ----------------------------------------------------------------------------------


@auth.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the statuses as JSON.")
@pass_app
@click.pass_context
def status(ctx: click.Context, app: AppContext, as_json: bool) -> None:
    """Each token: where it comes from, its age, expiry and days left.

    Exit 0 when both tokens are usable, 3 when one is missing or expired (a person must act).
    """
    from amsync.cli.token_status import statuses_exit_code, token_statuses

    statuses = token_statuses(app.tokens())
    code = statuses_exit_code(statuses)
    if as_json:
        emit_json(
            {
                "account": app.settings.account,
                "exit_code": code,
                "tokens": [s.as_dict() for s in statuses],
            }
        )
    else:
        for item in statuses:
            click.echo(item.line())
    for item in statuses:
        if item.status in ("missing", "expired"):
            error(f"the {item.name} is {item.status} — {item.fix}")
        elif item.status == "warn":
            warn(f"the {item.name} expires within 30 days: {item.fix}")
        elif item.status == "unknown":
            warn(f"the {item.name}'s expiry is unknown: {item.note}")
    ctx.exit(code)


# --- logout ----------------------------------------------------------------------------------


@auth.command("logout")
@pass_app
def logout(app: AppContext) -> None:
    """Remove the stored tokens of this account (environment variables are not touched)."""
    removed = app.credentials().clear(app.settings.account)
    info(
        f"removed the stored tokens of account {app.settings.account}"
        if removed
        else f"no stored tokens for account {app.settings.account}",
        quiet=app.quiet,
    )


# --- login -----------------------------------------------------------------------------------


def _developer_token_for_login(tokens: ResolvedTokens) -> str:
    provider = tokens.developer
    if provider is None:
        raise CredentialsMissing(
            "signing in needs a developer token to give MusicKit",
            hint="set AMSYNC_DEVELOPER_TOKEN, a key file (AMSYNC_KEY_FILE, AMSYNC_TEAM_ID, "
            "AMSYNC_KEY_ID), or store one with `amsync auth set`",
        )
    return provider.token().reveal()


def _failure(outcome: LoginOutcome | None, timeout: int, script_url: str) -> SignInIncomplete:
    host = urlsplit(script_url).netloc or script_url
    if outcome is None:
        return SignInIncomplete(
            f"no sign-in arrived within {timeout} s (the page was not opened, or the sign-in "
            "was cancelled)",
            hint="run `amsync auth login` again, " + COOKIE_HINT,
        )
    detail = safe_text(outcome.detail or "")[:120]
    if outcome.error == "musickit-unavailable":
        return SignInIncomplete(
            f"Apple's MusicKit script could not be loaded from {host}"
            + (f" ({detail})" if detail else ""),
            hint=f"a firewall, VPN, proxy or content blocker commonly blocks it: allow {host} "
            "and run `amsync auth login` again, " + COOKIE_HINT,
        )
    return SignInIncomplete(
        "MusicKit could not start with the developer token" + (f" ({detail})" if detail else ""),
        hint="check the developer token with `amsync doctor`, " + COOKIE_HINT,
    )


@auth.command("login")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Local port (0: any).")
@click.option(
    "--timeout",
    type=click.IntRange(1, 3600),
    default=LOGIN_TIMEOUT_S,
    show_default=True,
    help="Seconds to wait for the sign-in.",
)
@click.option("--no-browser", is_flag=True, help="Print the URL instead of opening a browser.")
@pass_app
def login(app: AppContext, port: int, timeout: int, no_browser: bool) -> None:
    """Sign in with MusicKit on the Web in a browser; stores the music user token.

    Exit 3 when no sign-in arrives in time, the person declines, or Apple's MusicKit script
    cannot be loaded (the page says what commonly blocks it).
    """
    import webbrowser

    from amsync.cli.login_server import start_login_server
    from amsync.config.secret import Secret

    settings = app.settings
    developer_token = _developer_token_for_login(app.tokens())
    try:
        server = start_login_server(
            Secret(developer_token), port, musickit_js_url=settings.musickit_js_url
        )
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or type(exc).__name__}",
            hint="choose another --port, or 0 for any free port",
        ) from None
    try:
        click.echo(f"Sign in at {server.url} (waiting up to {timeout} s)", err=True)
        if not no_browser and not webbrowser.open(server.url):
            click.echo("No browser could be opened: open the address above yourself.", err=True)
        server.done.wait(timeout)
        outcome = server.outcome
        if outcome is None or outcome.token is None:
            raise _failure(outcome, timeout, settings.musickit_js_url)
        app.credentials().save(settings.account, music_user_token=Secret(outcome.token))
    finally:
        server.close()
    info(f"signed in: stored the music user token for account {settings.account}", quiet=app.quiet)
