"""Checks of the tokens and of Apple Music's answers for ``amsync doctor`` (DESIGN §5); the
network checks (proxy, DNS, connect, MusicKit host) are in ``network_checks.py``.

Each check returns a ``Check`` (OK / WARN / FAIL with a one-line fix) and never raises: a check
that cannot run is itself the finding. No check shows a token.
"""

from __future__ import annotations

import platform
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from amsync import __version__
from amsync.api.client import AppleMusicClient, Probe
from amsync.api.tokens import describe_jwt
from amsync.config.secret import Secret
from amsync.domain.checks import Check, CheckStatus
from amsync.errors import EXIT_USAGE, AmsyncError, CredentialsMissing

OK, WARN, FAIL = CheckStatus.OK, CheckStatus.WARN, CheckStatus.FAIL
WARN_DAYS = 30
USER_TOKEN_LIFETIME_DAYS = 180
CLOCK_SKEW_WARN_S = 60
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
    key_file_fallback: bool = False  # a key file replaces the given token when it runs out


def clock_skew_s(probe: Probe | None, now: datetime | None = None) -> float | None:
    """Local clock minus the server's (from its ``Date`` header), in seconds; None unknown."""
    if probe is None or probe.server_date is None:
        return None
    try:
        server = parsedate_to_datetime(probe.server_date)
    except (TypeError, ValueError):
        return None
    if server.tzinfo is None:
        server = server.replace(tzinfo=UTC)
    return ((now or datetime.now(UTC)) - server).total_seconds()


def clock_check(probe: Probe | None, now: datetime | None = None) -> Check:
    if probe is None or probe.server_date is None:
        return Check("clock", WARN, "the server sent no Date header to compare with")
    skew = clock_skew_s(probe, now)
    if skew is None:
        return Check("clock", WARN, "the server's Date header could not be read")
    if abs(skew) > CLOCK_SKEW_WARN_S:
        return Check(
            "clock",
            WARN,
            f"local clock is {skew:+.0f} s off the server's",
            fix="turn on automatic date and time (NTP); developer tokens are signed with the "
            "local time and Apple checks it",
        )
    return Check("clock", OK, f"local clock within {abs(skew):.0f} s of the server's")


def developer_token_decode_check(choice: TokenChoice, now: datetime | None = None) -> Check:
    """The developer token in effect, decoded (alg, kid, iss, days left). A token amsync cannot
    decode has an unknown expiry (WARN: Apple's answer on ``/v1/test`` decides), never taken
    for expired; a given token that a key file replaces is never a FAIL."""
    name = "developer token"
    if choice.source is None:
        return Check(  # the code of every command that meets a missing token: 3
            name,
            FAIL,
            "no developer token configured",
            fix=DEV_TOKEN_FIX,
            exit_code=CredentialsMissing.exit_code,
        )
    if choice.token is None:
        return Check(name, OK, f"signed by amsync from a {choice.source} (180 days, renewed)")
    try:
        info = describe_jwt(choice.token)
    except AmsyncError:
        return Check(
            name,
            WARN,
            f"from {choice.source}: not a JWT, so its expiry is unknown "
            "(Apple's developer tokens are ES256 JWTs)",
            fix=DEV_TOKEN_FIX,
        )
    days = info.days_left(now)
    detail = f"from {choice.source}: alg {info.alg}, kid {info.kid}, iss {info.iss}"
    if info.alg != "ES256":
        if choice.key_file_fallback:
            return Check(name, WARN, detail + " (not ES256: the key file signs instead)")
        return Check(
            name, FAIL, detail + " (Apple needs ES256)", fix=DEV_TOKEN_FIX, exit_code=EXIT_USAGE
        )
    if days is None:
        return Check(name, WARN, detail + ", no expiry claim: expiry unknown", fix=DEV_TOKEN_FIX)
    detail += f", {days:.0f} days left"
    if choice.key_file_fallback and days <= WARN_DAYS:
        return Check(name, OK, detail + "; the key file signs fresh ones instead")
    if days <= 0:
        return Check(name, FAIL, detail + " (expired)", fix=DEV_TOKEN_FIX, needs_reauth=True)
    if days <= WARN_DAYS:
        return Check(name, WARN, detail, fix=DEV_TOKEN_FIX)
    return Check(name, OK, detail)


def software_check() -> Check:
    """The versions in play: an outdated OpenSSL or amsync is a cause the guide names."""
    return Check(
        "software",
        OK,
        f"amsync {__version__}, Python {platform.python_version()}, {ssl.OPENSSL_VERSION}",
    )


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
    renewed = False
    if test.status == 401 and client.config.developer_token.can_renew:
        client.config.developer_token.renew()  # as a sync would: sign a fresh one, ask again
        again = await _probe(client, "/v1/test")
        if isinstance(again, Check):
            return [*checks, again]
        test, renewed = again, True
    if test.status == 401:
        skew = clock_skew_s(test)
        fix = DEV_TOKEN_FIX
        if skew is not None and abs(skew) > CLOCK_SKEW_WARN_S:
            fix = (
                f"the local clock is {skew:+.0f} s off: correct it (automatic date and time), "
                "then try again; else " + DEV_TOKEN_FIX
            )
        checks.append(
            Check(
                "developer token accepted",
                FAIL,
                "/v1/test answered 401 (the developer token is expired, invalid or not yet valid)",
                fix=fix,
                needs_reauth=True,
            )
        )
        return checks
    accepted = _status_check("developer token accepted", test, "/v1/test")
    if renewed and accepted.status is OK:
        accepted = Check(
            accepted.name, OK, accepted.detail + " (with a fresh token signed from the key file)"
        )
    checks.append(accepted)
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
            f"request {path}",
            FAIL,
            exc.message,
            fix=exc.hint,
            needs_reauth=exc.exit_code == 3,
            exit_code=exc.exit_code,
        )
