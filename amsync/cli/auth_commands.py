"""``amsync auth login | set | status | logout``: the tokens amsync uses, and their ages.

Tokens never travel through argv (visible in process lists) and are never printed: ``set``
reads them from a hidden prompt or stdin, ``login`` receives the music user token from a
MusicKit sign-in page served on 127.0.0.1 and guarded by a one-time state value.
"""

from __future__ import annotations

import http.server
import json
import secrets
import sys
import threading
import webbrowser
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import click

from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import emit_json, info, warn
from amsync.config.secret import Secret
from amsync.errors import AmsyncError, ConfigError, CredentialsMissing

LOGIN_TIMEOUT_S = 300


@click.group()
def auth() -> None:
    """Sign in, store tokens, see their ages, sign out."""


# --- set -------------------------------------------------------------------------------------


@auth.command("set")
@click.option(
    "--stdin",
    "from_stdin",
    is_flag=True,
    help="Read two lines: the developer token, then the music user token (empty keeps).",
)
@pass_app
def set_tokens(app: AppContext, from_stdin: bool) -> None:
    """Store tokens by hand (hidden prompt, or --stdin). An empty answer keeps what is stored."""
    from amsync.api.tokens import describe_jwt

    if from_stdin:
        lines = sys.stdin.read().splitlines()
        developer, user = [*lines, "", ""][:2]
    else:
        developer = click.prompt(
            "Developer token (empty keeps)", default="", hide_input=True, show_default=False
        )
        user = click.prompt(
            "Music user token (empty keeps)", default="", hide_input=True, show_default=False
        )
    developer, user = developer.strip(), user.strip()
    if developer:
        describe_jwt(developer)  # ConfigError when it is not a JWT; the value is never shown
    if not developer and not user:
        info("nothing changed", quiet=app.quiet)
        return
    app.credentials().save(
        app.settings.account,
        developer_token=Secret(developer) if developer else None,
        music_user_token=Secret(user) if user else None,
    )
    stored = [n for n, v in (("developer token", developer), ("music user token", user)) if v]
    info(
        f"stored the {' and the '.join(stored)} for account {app.settings.account}", quiet=app.quiet
    )


# --- status ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenStatus:
    name: str
    status: str  # ok | warn | missing | expired
    source: str | None
    obtained_at: datetime | None = None
    expires_at: datetime | None = None
    days_left: float | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "token": self.name,
            "status": self.status,
            "source": self.source,
            "obtained_at": self.obtained_at.isoformat() if self.obtained_at else None,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "days_left": round(self.days_left, 1) if self.days_left is not None else None,
            "note": self.note,
        }


def _grade(days_left: float | None) -> str:
    from amsync.api.diagnostics import WARN_DAYS

    if days_left is None:
        return "ok"
    if days_left <= 0:
        return "expired"
    return "warn" if days_left <= WARN_DAYS else "ok"


def token_statuses(app: AppContext, now: datetime | None = None) -> list[TokenStatus]:
    from amsync.api.diagnostics import USER_TOKEN_LIFETIME_DAYS
    from amsync.api.tokens import describe_jwt

    now = now or datetime.now(UTC)
    tokens = app.tokens()
    developer = tokens.developer
    out: list[TokenStatus] = []
    if developer is None:
        out.append(TokenStatus("developer token", "missing", None, note="run `amsync auth set`"))
    elif developer.can_renew:
        out.append(
            TokenStatus(
                "developer token", "ok", tokens.developer_source, note="signed fresh for each run"
            )
        )
    else:
        try:
            jwt_info = describe_jwt(developer.token())
        except ConfigError:
            out.append(
                TokenStatus("developer token", "expired", tokens.developer_source, note="not a JWT")
            )
        else:
            days = jwt_info.days_left(now)
            out.append(
                TokenStatus(
                    "developer token",
                    _grade(days),
                    tokens.developer_source,
                    obtained_at=jwt_info.issued_at,
                    expires_at=jwt_info.expires_at,
                    days_left=days,
                )
            )
    if tokens.user is None:
        out.append(TokenStatus("music user token", "missing", None, note="run `amsync auth login`"))
    elif tokens.user_obtained_at is None:
        out.append(TokenStatus("music user token", "ok", tokens.user_source, note="age unknown"))
    else:
        obtained = tokens.user_obtained_at
        expires = obtained.timestamp() + USER_TOKEN_LIFETIME_DAYS * 86_400
        days = (expires - now.timestamp()) / 86_400
        out.append(
            TokenStatus(
                "music user token",
                _grade(days),
                tokens.user_source,
                obtained_at=obtained,
                expires_at=datetime.fromtimestamp(expires, UTC),
                days_left=days,
                note="Apple does not publish its lifetime: ~180 days",
            )
        )
    return out


@auth.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the statuses as JSON.")
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Each token: where it comes from, its age, expiry and days left."""
    from amsync.api.diagnostics import WARN_DAYS

    statuses = token_statuses(app)
    if as_json:
        emit_json({"account": app.settings.account, "tokens": [s.as_dict() for s in statuses]})
    else:
        for item in statuses:
            parts = [f"{item.name}: {item.status}"]
            if item.source:
                parts.append(f"from {item.source}")
            if item.obtained_at:
                parts.append(f"obtained {item.obtained_at:%Y-%m-%d}")
            if item.expires_at:
                parts.append(f"expires {item.expires_at:%Y-%m-%d}")
            if item.days_left is not None:
                parts.append(f"{item.days_left:.0f} days left")
            if item.note:
                parts.append(item.note)
            click.echo(", ".join(parts))
    for item in statuses:
        if item.status in ("warn", "expired"):
            fix = "run `amsync auth login`" if item.name == "music user token" else "renew it"
            warn(f"the {item.name} expires within {WARN_DAYS} days or has expired: {fix}")


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


class _LoginServer(http.server.ThreadingHTTPServer):
    page: bytes
    state: str
    token: str | None = None
    done: threading.Event


class _LoginHandler(http.server.BaseHTTPRequestHandler):
    server: _LoginServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the library and CLI never print request lines (they would hold no token,
        but keep the terminal clean)."""

    def _refuse(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _local(self) -> bool:
        host = self.headers.get("Host", "")
        port = self.server.server_address[1]
        return self.client_address[0] == "127.0.0.1" and host == f"127.0.0.1:{port}"

    def do_GET(self) -> None:
        if not self._local() or self.path != "/":
            self._refuse(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(self.server.page)))
        self.end_headers()
        self.wfile.write(self.server.page)

    def do_POST(self) -> None:
        if not self._local() or self.path != "/callback":
            self._refuse(404)
            return
        length = min(int(self.headers.get("Content-Length", "0") or 0), 64_000)
        try:
            body = json.loads(self.rfile.read(length))
        except ValueError:
            self._refuse(400)
            return
        state = body.get("state") if isinstance(body, dict) else None
        token = body.get("music_user_token") if isinstance(body, dict) else None
        if not isinstance(state, str) or not secrets.compare_digest(state, self.server.state):
            self._refuse(403)
            return
        if not isinstance(token, str) or not token.strip() or self.server.done.is_set():
            self._refuse(400)
            return
        self.server.token = token.strip()
        self.server.done.set()
        self._refuse(204)


def login_page(developer_token: Secret, state: str) -> bytes:
    template = resources.files("amsync.cli").joinpath("auth_login.html").read_text("utf-8")
    token_js = json.dumps(developer_token.reveal())[1:-1].replace("<", "\\u003c")
    return template.replace("__STATE__", state).replace("__DEVELOPER_TOKEN__", token_js).encode()


def start_login_server(developer_token: Secret, port: int = 0) -> _LoginServer:
    server = _LoginServer(("127.0.0.1", port), _LoginHandler)
    server.state = secrets.token_urlsafe(32)
    server.page = login_page(developer_token, server.state)
    server.done = threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@auth.command("login")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Local port (0: any).")
@click.option(
    "--timeout",
    type=click.IntRange(10, 3600),
    default=LOGIN_TIMEOUT_S,
    show_default=True,
    help="Seconds to wait for the sign-in.",
)
@click.option("--no-browser", is_flag=True, help="Print the URL instead of opening a browser.")
@pass_app
def login(app: AppContext, port: int, timeout: int, no_browser: bool) -> None:
    """Sign in with MusicKit on the Web in a browser; stores the music user token."""
    settings = app.settings
    provider = app.tokens().developer
    if provider is None:
        raise CredentialsMissing(
            "signing in needs a developer token to give MusicKit",
            hint="set AMSYNC_DEVELOPER_TOKEN, a key file (AMSYNC_KEY_FILE, AMSYNC_TEAM_ID, "
            "AMSYNC_KEY_ID), or store one with `amsync auth set`",
        )
    developer_token = provider.token()
    server = start_login_server(developer_token, port)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        click.echo(f"Sign in at {url} (waiting up to {timeout} s)", err=True)
        if not no_browser:
            webbrowser.open(url)
        if not server.done.wait(timeout) or server.token is None:
            raise AmsyncError(
                f"no sign-in arrived within {timeout} s", hint="run `amsync auth login` again"
            )
        app.credentials().save(settings.account, music_user_token=Secret(server.token))
    finally:
        server.shutdown()
        server.server_close()
    info(f"signed in: stored the music user token for account {settings.account}", quiet=app.quiet)
