"""Checks of the way to Apple Music for ``amsync doctor`` (DESIGN §5).

Each check returns a ``Check`` (OK / WARN / FAIL with a one-line fix) and never raises: a check
that cannot run is itself the finding. No check shows a token; proxy URLs lose their password.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit

from amsync.api.client import AppleMusicClient, Probe
from amsync.api.tokens import describe_jwt
from amsync.config.secret import Secret
from amsync.domain.checks import Check, CheckStatus
from amsync.errors import AmsyncError

OK, WARN, FAIL = CheckStatus.OK, CheckStatus.WARN, CheckStatus.FAIL
WARN_DAYS = 30
USER_TOKEN_LIFETIME_DAYS = 180
CLOCK_SKEW_WARN_S = 60
CONNECT_TIMEOUT_S = 10.0
LOGIN_FIX = "run `amsync auth login`"
DEV_TOKEN_FIX = (
    "set AMSYNC_DEVELOPER_TOKEN or a key file (AMSYNC_KEY_FILE, AMSYNC_TEAM_ID, AMSYNC_KEY_ID)"  # noqa: S105
)


@dataclass(frozen=True, slots=True)
class TokenChoice:
    """A token in effect and where it came from. ``token`` is ``None`` for a developer token
    amsync signs itself; ``obtained_at`` is known for stored music user tokens."""

    source: str | None
    token: Secret | None
    obtained_at: datetime | None = None


def _host_port(base_url: str) -> tuple[str, int, bool]:
    parts = urlsplit(base_url)
    tls = parts.scheme == "https"
    return parts.hostname or "", parts.port or (443 if tls else 80), tls


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def proxy_check(environ: Mapping[str, str] | None = None) -> Check:
    """Which proxy variables are in effect (httpx honours them)."""
    proxies = urllib.request.getproxies() if environ is None else _proxies_from(environ)
    if not proxies:
        return Check("proxy", OK, "no proxy variables set: direct connection")
    shown = ", ".join(f"{k}={_without_password(v)}" for k, v in sorted(proxies.items()))
    return Check(
        "proxy",
        OK,
        f"in effect: {shown}",
        fix="if connections fail, check the proxy or set NO_PROXY=api.music.apple.com",
    )


def _proxies_from(environ: Mapping[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in environ.items():
        lower = name.lower()
        if lower.endswith("_proxy") and value:
            found[lower.removesuffix("_proxy")] = value
    return found


async def dns_check(base_url: str) -> Check:
    host, port, _ = _host_port(base_url)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        return Check(
            "dns",
            FAIL,
            f"cannot resolve {host}: {exc.strerror if isinstance(exc, OSError) else exc}",
            fix="check the network connection, DNS settings or VPN",
        )
    addresses = sorted({str(info[4][0]) for info in infos})
    return Check("dns", OK, f"{host} → {', '.join(addresses[:4])}")


async def connect_check(base_url: str) -> Check:
    """TCP (and TLS for https) straight to the API host: latency and certificate issuer."""
    host, port, tls = _host_port(base_url)
    context = ssl.create_default_context() if tls else None
    started = time.monotonic()
    try:
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=context, server_hostname=host if tls else None),
            CONNECT_TIMEOUT_S,
        )
    except ssl.SSLCertVerificationError as exc:
        return Check(
            "connect",
            FAIL,
            f"TLS certificate of {host} not trusted: {exc.verify_message}",
            fix="a proxy, VPN or antivirus may intercept TLS; allow api.music.apple.com",
        )
    except (OSError, TimeoutError, ssl.SSLError) as exc:
        return Check(
            "connect",
            FAIL,
            f"cannot connect to {host}:{port}: {type(exc).__name__}",
            fix="check the network, firewall or proxy (HTTPS_PROXY) settings",
        )
    elapsed_ms = (time.monotonic() - started) * 1000
    issuer = None
    ssl_object = writer.get_extra_info("ssl_object")
    if isinstance(ssl_object, ssl.SSLObject):
        issuer = _issuer(ssl_object.getpeercert())
    writer.close()
    with contextlib.suppress(OSError, ssl.SSLError):
        await writer.wait_closed()
    detail = f"{host}:{port} in {elapsed_ms:.0f} ms"
    if not tls:
        return Check("connect", OK, detail + " (no TLS)")
    detail += f", certificate issued by {issuer or 'unknown'}"
    if host.endswith("apple.com") and issuer is not None and "apple" not in issuer.lower():
        return Check(
            "connect",
            WARN,
            detail,
            fix="an unexpected certificate issuer suggests TLS interception by a proxy or VPN",
        )
    return Check("connect", OK, detail)


def _issuer(cert: object) -> str | None:
    if not isinstance(cert, dict):
        return None
    for rdn in cert.get("issuer", ()):
        for key, value in rdn:
            if key == "organizationName":
                return str(value)
    return None


def clock_check(probe: Probe | None, now: datetime | None = None) -> Check:
    if probe is None or probe.server_date is None:
        return Check("clock", WARN, "the server sent no Date header to compare with")
    try:
        server = parsedate_to_datetime(probe.server_date)
    except (TypeError, ValueError):
        return Check("clock", WARN, "the server's Date header could not be read")
    if server.tzinfo is None:
        server = server.replace(tzinfo=UTC)
    skew = ((now or datetime.now(UTC)) - server).total_seconds()
    if abs(skew) > CLOCK_SKEW_WARN_S:
        return Check(
            "clock",
            WARN,
            f"local clock is {skew:+.0f} s off the server's",
            fix="turn on automatic date and time (NTP); tokens depend on the clock",
        )
    return Check("clock", OK, f"local clock within {abs(skew):.0f} s of the server's")


def developer_token_decode_check(choice: TokenChoice, now: datetime | None = None) -> Check:
    name = "developer token"
    if choice.source is None:
        return Check(name, FAIL, "no developer token configured", fix=DEV_TOKEN_FIX)
    if choice.token is None:
        return Check(name, OK, f"signed by amsync from a {choice.source}")
    try:
        info = describe_jwt(choice.token)
    except AmsyncError:
        return Check(name, FAIL, f"the {choice.source} token is not a JWT", fix=DEV_TOKEN_FIX)
    days = info.days_left(now)
    detail = f"from {choice.source}: alg {info.alg}, kid {info.kid}, iss {info.iss}"
    if info.alg != "ES256":
        return Check(name, FAIL, detail + " (Apple needs ES256)", fix=DEV_TOKEN_FIX)
    if days is None:
        return Check(name, WARN, detail + ", no expiry claim", fix=DEV_TOKEN_FIX)
    detail += f", {days:.0f} days left"
    if days <= 0:
        return Check(name, FAIL, detail + " (expired)", fix=DEV_TOKEN_FIX, needs_reauth=True)
    if days <= WARN_DAYS:
        return Check(name, WARN, detail, fix=DEV_TOKEN_FIX)
    return Check(name, OK, detail)


def user_token_age_check(choice: TokenChoice, now: datetime | None = None) -> Check:
    name = "music user token age"
    if choice.source is None:
        return Check(name, FAIL, "no music user token configured", fix=LOGIN_FIX, needs_reauth=True)
    if choice.obtained_at is None:
        return Check(name, OK, f"from {choice.source}; its age is unknown")
    age = ((now or datetime.now(UTC)) - choice.obtained_at).total_seconds() / 86_400
    left = USER_TOKEN_LIFETIME_DAYS - age
    detail = f"obtained {age:.0f} days ago; about {max(left, 0):.0f} of ~180 days left"
    if left <= WARN_DAYS:
        return Check(name, WARN, detail, fix=LOGIN_FIX + " before it expires")
    return Check(name, OK, detail)


async def api_checks(client: AppleMusicClient, *, has_user_token: bool) -> list[Check]:
    """Developer token on ``/v1/test``, user token on ``/v1/me/storefront``, subscription and
    library on ``/v1/me/library/songs``, the clock, and throttling seen meanwhile."""
    checks: list[Check] = []
    test = await _probe(client, "/v1/test")
    if isinstance(test, Check):
        return [test]
    checks.append(clock_check(test))
    if test.status == 401:
        checks.append(
            Check(
                "developer token accepted",
                FAIL,
                "/v1/test answered 401",
                fix=DEV_TOKEN_FIX,
                needs_reauth=True,
            )
        )
        return checks
    checks.append(_status_check("developer token accepted", test, "/v1/test"))
    if has_user_token:
        me = await _probe(client, "/v1/me/storefront")
        if isinstance(me, Check):
            checks.append(me)
        elif me.status in (401, 403):
            checks.append(
                Check(
                    "music user token accepted",
                    FAIL,
                    f"/v1/me/storefront answered {me.status}",
                    fix=LOGIN_FIX,
                    needs_reauth=True,
                )
            )
        else:
            checks.append(_status_check("music user token accepted", me, "/v1/me/storefront"))
        library = await _probe(client, "/v1/me/library/songs", {"limit": "1"})
        if isinstance(library, Check):
            checks.append(library)
        elif library.status == 401 or (library.status == 400 and library.code == "40015"):
            checks.append(
                Check(
                    "subscription",
                    FAIL,
                    f"the library answered {library.status}: no (or an insufficient) "
                    "Apple Music subscription",
                    fix="renew the subscription, then " + LOGIN_FIX,
                    needs_reauth=True,
                )
            )
        elif library.status == 403:
            checks.append(
                Check(
                    "subscription",
                    FAIL,
                    "the library answered 403",
                    fix=LOGIN_FIX,
                    needs_reauth=True,
                )
            )
        else:
            checks.append(Check("subscription", OK, f"library readable (HTTP {library.status})"))
    throttled = client.stats.throttled
    checks.append(
        Check(
            "throttling",
            WARN,
            f"{throttled} request(s) answered 429",
            fix="another program may share the developer token; syncs will slow down",
        )
        if throttled
        else Check("throttling", OK, "no 429 answers")
    )
    return checks


def _status_check(name: str, probe: Probe, path: str) -> Check:
    if 200 <= probe.status < 300:
        return Check(name, OK, f"{path} answered {probe.status} in {probe.elapsed_s * 1000:.0f} ms")
    return Check(name, FAIL, f"{path} answered {probe.status}", fix="run `amsync doctor -vv`")


async def _probe(
    client: AppleMusicClient, path: str, params: Mapping[str, str] | None = None
) -> Probe | Check:
    try:
        return await client.probe(path, params)
    except AmsyncError as exc:
        return Check(
            f"request {path}", FAIL, exc.message, fix=exc.hint, needs_reauth=exc.exit_code == 3
        )
