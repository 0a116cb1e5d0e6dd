"""The way to a host for ``amsync doctor``: proxy in effect, DNS, TCP and TLS, certificate issuer.

The checks go the way amsync's HTTP client goes (httpx with ``trust_env``): through the proxy
named by ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` unless ``NO_PROXY`` names the host
(an HTTP proxy is asked to ``CONNECT``, then TLS runs through the tunnel), trusting the
certificates httpx trusts (certifi's bundle, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``). So a
proxy, VPN or antivirus that intercepts TLS shows up as its certificate issuer: a WARN when the
interception is trusted (the issuer of an ``apple.com`` certificate is not Apple), a FAIL naming
the issuer when it is not. Assumption (no Apple document says it): Apple's API hosts present
certificates whose issuer organisation contains "Apple".
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
from cryptography import x509
from cryptography.x509.oid import NameOID

from amsync.domain.checks import Check, CheckStatus
from amsync.errors import EXIT_TEMPFAIL, EXIT_USAGE

OK, WARN, FAIL = CheckStatus.OK, CheckStatus.WARN, CheckStatus.FAIL
CONNECT_TIMEOUT_S: Final = 10.0
NETWORK_FIX: Final = "check the network connection, a firewall, VPN or proxy (HTTPS_PROXY)"
INTERCEPTION_FIX: Final = (
    "a proxy, VPN or antivirus intercepts TLS: let {host} through without inspection"
)
UNTRUSTED_FIX: Final = (
    "a proxy, VPN or antivirus intercepting TLS, or outdated CA certificates: let {host} through "
    "without inspection, update the system (ca-certificates), or point SSL_CERT_FILE at the "
    "proxy's CA certificate"
)


@dataclass(frozen=True, slots=True)
class Endpoint:
    host: str
    port: int
    tls: bool

    @classmethod
    def of(cls, url: str) -> Endpoint:
        parts = urlsplit(url)
        tls = parts.scheme == "https"
        return cls(parts.hostname or "", parts.port or (443 if tls else 80), tls)


@dataclass(frozen=True, slots=True)
class Proxy:
    """An HTTP(S) proxy in effect for a URL; ``shown`` has no password."""

    shown: str
    scheme: str
    host: str
    port: int
    authorization: str | None


def without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def proxy_variables(environ: Mapping[str, str]) -> dict[str, str]:
    """``{scheme: url}`` from ``*_proxy`` variables (the lower-case spelling wins, as in httpx)."""
    found: dict[str, str] = {}
    for name, value in sorted(environ.items(), key=lambda item: item[0].islower()):
        lower = name.lower()
        if lower.endswith("_proxy") and value and lower != "no_proxy":
            found[lower.removesuffix("_proxy")] = value
    return found


def _bypassed(host: str, environ: Mapping[str, str]) -> bool:
    no_proxy = environ.get("no_proxy") or environ.get("NO_PROXY") or ""
    for entry in (e.strip().lower().lstrip(".") for e in no_proxy.split(",")):
        if entry == "*" or (entry and (host == entry or host.endswith("." + entry))):
            return True
    return False


def proxy_for(url: str, environ: Mapping[str, str]) -> Proxy | None:
    """The proxy amsync's HTTP client uses for ``url``, or ``None`` for a direct connection."""
    endpoint = Endpoint.of(url)
    variables = proxy_variables(environ)
    raw = variables.get("https" if endpoint.tls else "http") or variables.get("all")
    if not raw or _bypassed(endpoint.host.lower(), environ):
        return None
    if "://" not in raw:
        raw = "http://" + raw
    parts = urlsplit(raw)
    authorization = None
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(pair.encode()).decode()
    default_port = 443 if parts.scheme == "https" else 1080 if "socks" in parts.scheme else 80
    return Proxy(
        without_password(raw),
        parts.scheme,
        parts.hostname or "",
        parts.port or default_port,
        authorization,
    )


def proxy_check(api_url: str, environ: Mapping[str, str]) -> Check:
    """Which proxy variables are set, and whether the API goes through one."""
    variables = proxy_variables(environ)
    host = Endpoint.of(api_url).host
    if not variables:
        return Check("proxy", OK, "no proxy variables set: direct connection")
    shown = ", ".join(f"{k}={without_password(v)}" for k, v in sorted(variables.items()))
    proxy = proxy_for(api_url, environ)
    way = f"{host} through {proxy.shown}" if proxy else f"{host} directly (NO_PROXY)"
    return Check(
        "proxy",
        OK,
        f"{way}; in effect: {shown}",
        fix=f"if connections fail, check the proxy or set NO_PROXY={host}",
    )


async def dns_check(url: str, environ: Mapping[str, str]) -> Check:
    endpoint = Endpoint.of(url)
    proxy = proxy_for(url, environ)
    host = proxy.host if proxy else endpoint.host
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, endpoint.port, type=socket.SOCK_STREAM
        )
    except (OSError, UnicodeError) as exc:
        return Check(
            "dns",
            FAIL,
            f"cannot resolve {host}: {exc.strerror if isinstance(exc, OSError) else exc}",
            fix="check the network connection, DNS settings or VPN",
            exit_code=EXIT_TEMPFAIL,
        )
    addresses = ", ".join(sorted({str(info[4][0]) for info in infos})[:4])
    if proxy:
        return Check("dns", OK, f"proxy {host} → {addresses} (the proxy resolves {endpoint.host})")
    return Check("dns", OK, f"{endpoint.host} → {addresses}")


class _ProxyRefused(Exception):
    def __init__(self, answer: str) -> None:
        super().__init__(answer)
        self.answer = answer


async def _tunnel(
    proxy: Proxy, endpoint: Endpoint
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection(proxy.host, proxy.port)
    target = f"{endpoint.host}:{endpoint.port}"
    lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
    if proxy.authorization:
        lines.append(f"Proxy-Authorization: {proxy.authorization}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1", "replace")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or parts[1] != "200":
        writer.close()
        raise _ProxyRefused(status_line[:80])
    return reader, writer


async def _open(
    endpoint: Endpoint, proxy: Proxy | None, context: ssl.SSLContext | None
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    server_hostname = endpoint.host if context is not None else None
    if proxy is None or proxy.scheme != "http":
        return await asyncio.open_connection(
            endpoint.host, endpoint.port, ssl=context, server_hostname=server_hostname
        )
    if not endpoint.tls:  # plain HTTP through a proxy: the proxy is the peer
        return await asyncio.open_connection(proxy.host, proxy.port)
    reader, writer = await _tunnel(proxy, endpoint)
    if context is not None:
        await writer.start_tls(context, server_hostname=server_hostname)
    return reader, writer


def _issuer_of(der: bytes | None) -> str | None:
    if not der:
        return None
    try:
        name = x509.load_der_x509_certificate(der).issuer
    except ValueError:
        return None
    for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
        values = name.get_attributes_for_oid(oid)
        if values:
            return str(values[0].value)
    return None


async def _peer_issuer(writer: asyncio.StreamWriter) -> str | None:
    ssl_object = writer.get_extra_info("ssl_object")
    if not isinstance(ssl_object, ssl.SSLObject):
        return None
    return _issuer_of(ssl_object.getpeercert(binary_form=True))


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError, ssl.SSLError, asyncio.TimeoutError):
        await asyncio.wait_for(writer.wait_closed(), 2)


async def _unverified_issuer(endpoint: Endpoint, proxy: Proxy | None) -> str | None:
    """The issuer of a certificate that failed verification (a second, unverified handshake)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        _reader, writer = await asyncio.wait_for(_open(endpoint, proxy, context), CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ssl.SSLError, _ProxyRefused, asyncio.IncompleteReadError):
        return None
    issuer = await _peer_issuer(writer)
    await _close(writer)
    return issuer


async def connect_check(
    url: str,
    environ: Mapping[str, str],
    *,
    name: str = "connect",
    context: ssl.SSLContext | None = None,
) -> Check:
    """TCP (and TLS for https) to the host the way amsync goes: latency and certificate issuer."""
    endpoint = Endpoint.of(url)
    proxy = proxy_for(url, environ)
    host = endpoint.host
    via = f" through proxy {proxy.shown}" if proxy else ""
    if proxy is not None and proxy.scheme not in ("http",):
        return Check(
            name, OK, f"{host}: through a {proxy.scheme} proxy ({proxy.shown}), not probed"
        )
    tls_context = (context or httpx.create_ssl_context(trust_env=True)) if endpoint.tls else None
    started = time.monotonic()
    try:
        _reader, writer = await asyncio.wait_for(
            _open(endpoint, proxy, tls_context), CONNECT_TIMEOUT_S
        )
    except ssl.SSLCertVerificationError as exc:
        issuer = await _unverified_issuer(endpoint, proxy)
        return Check(
            name,
            FAIL,
            f"the TLS certificate of {host}{via} is not trusted ({exc.verify_message}); "
            f"issued by {issuer or 'an unknown issuer'}",
            fix=UNTRUSTED_FIX.format(host=host),
            exit_code=EXIT_USAGE,
        )
    except _ProxyRefused as exc:
        return Check(
            name,
            FAIL,
            f"proxy {proxy.shown if proxy else ''} refused to connect to {host}: {exc.answer}",
            fix="check the proxy's address and credentials, or set NO_PROXY=" + host,
            exit_code=EXIT_USAGE,
        )
    except (OSError, TimeoutError, ssl.SSLError, asyncio.IncompleteReadError) as exc:
        target = f"proxy {proxy.shown}" if proxy else f"{host}:{endpoint.port}"
        reason = "no answer" if isinstance(exc, TimeoutError) else type(exc).__name__
        return Check(
            name,
            FAIL,
            f"cannot connect to {target}: {reason}",
            fix=NETWORK_FIX,
            exit_code=EXIT_TEMPFAIL,
        )
    elapsed_ms = (time.monotonic() - started) * 1000
    issuer = await _peer_issuer(writer)
    await _close(writer)
    detail = f"{host}:{endpoint.port}{via} in {elapsed_ms:.0f} ms"
    if not endpoint.tls:
        return Check(name, OK, detail + " (no TLS)")
    detail += f", certificate issued by {issuer or 'an unknown issuer'}"
    if host.endswith("apple.com") and issuer is not None and "apple" not in issuer.lower():
        return Check(
            name,
            WARN,
            detail + " (not Apple: TLS is intercepted)",
            fix=INTERCEPTION_FIX.format(host=host),
        )
    return Check(name, OK, detail)


async def musickit_check(script_url: str, environ: Mapping[str, str]) -> Check:
    """Can the browser sign-in load Apple's MusicKit script from here? Only a WARN: syncs
    do not need it, and the music user token can be copied from a cookie instead."""
    check = await connect_check(script_url, environ, name="musickit script")
    endpoint = Endpoint.of(script_url)
    host = endpoint.host
    if check.status is OK:
        return Check(
            check.name,
            OK,
            f"{host}:{endpoint.port} reachable: `amsync auth login` can load MusicKit",
        )
    if check.status is WARN:
        return Check(check.name, WARN, f"reachable, but {check.detail}", fix=check.fix)
    return Check(
        check.name,
        WARN,
        f"`amsync auth login` will not load MusicKit here: {check.detail}",
        fix=f"allow {host} (firewall, VPN, proxy, content blocker), or copy the "
        "media-user-token cookie from music.apple.com into `amsync auth set`",
    )
