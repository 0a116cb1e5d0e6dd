"""Where each token comes from, when it expires, and what that means (``amsync auth status``).

Statuses: ``ok``; ``warn`` (expires within 30 days); ``unknown`` (a developer token amsync
cannot decode: its expiry is unknown, never taken for expired); ``missing`` and ``expired``
(a person must act: ``auth status`` exits 3). A music user token's lifetime is not published
by Apple; amsync counts ~180 days from when it was stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from amsync.api import GivenOrSignedDeveloperToken, StaticDeveloperToken, describe_jwt
from amsync.api.diagnostics import USER_TOKEN_LIFETIME_DAYS, WARN_DAYS
from amsync.cli.client_factory import ResolvedTokens
from amsync.domain.timestamps import iso_utc
from amsync.errors import EXIT_OK, ConfigError, CredentialsMissing

NEEDS_A_PERSON: Final = frozenset({"missing", "expired"})


@dataclass(frozen=True, slots=True)
class TokenStatus:
    name: str
    status: str  # ok | warn | unknown | missing | expired
    source: str | None
    obtained_at: datetime | None = None
    expires_at: datetime | None = None
    days_left: float | None = None
    note: str | None = None
    fix: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "token": self.name,
            "status": self.status,
            "source": self.source,
            "obtained_at": iso_utc(self.obtained_at),
            "expires_at": iso_utc(self.expires_at),
            "days_left": round(self.days_left, 1) if self.days_left is not None else None,
            "note": self.note,
            "fix": self.fix,
        }

    def line(self) -> str:
        parts = [f"{self.name}: {self.status}"]
        if self.source:
            parts.append(f"from {self.source}")
        if self.obtained_at:
            parts.append(f"obtained {iso_utc(self.obtained_at)}")
        if self.expires_at:
            parts.append(f"expires {iso_utc(self.expires_at)}")
        if self.days_left is not None:
            parts.append(f"{self.days_left:.0f} days left")
        if self.note:
            parts.append(self.note)
        return ", ".join(parts)


def statuses_exit_code(statuses: list[TokenStatus]) -> int:
    """0 when amsync can run; when a token is missing or expired, the code every command gives
    for it (``CredentialsMissing``: 3, a person must act)."""
    needs_a_person = any(s.status in NEEDS_A_PERSON for s in statuses)
    return CredentialsMissing.exit_code if needs_a_person else EXIT_OK


def _grade(days_left: float | None) -> str:
    if days_left is None:
        return "ok"
    if days_left <= 0:
        return "expired"
    return "warn" if days_left <= WARN_DAYS else "ok"


DEVELOPER_FIX: Final = (
    "set AMSYNC_DEVELOPER_TOKEN, a key file (AMSYNC_KEY_FILE, AMSYNC_TEAM_ID, AMSYNC_KEY_ID), "
    "or store one with `amsync auth set`"
)
LOGIN_FIX: Final = "run `amsync auth login`, or `amsync auth set` with the media-user-token cookie"


def developer_status(tokens: ResolvedTokens, now: datetime) -> TokenStatus:
    name, provider, source = "developer token", tokens.developer, tokens.developer_source
    if provider is None:
        return TokenStatus(name, "missing", None, note="none configured", fix=DEVELOPER_FIX)
    if isinstance(provider, GivenOrSignedDeveloperToken):
        if provider.signing:
            return TokenStatus(
                name,
                "ok",
                "key file",
                note="the given AMSYNC_DEVELOPER_TOKEN has run out; amsync signs fresh ones",
            )
        given = _static_status(name, provider.given.reveal(), source, now)
        return TokenStatus(
            name,
            "ok",
            source,
            obtained_at=given.obtained_at,
            expires_at=given.expires_at,
            days_left=given.days_left,
            note="the key file takes over 30 days before it expires",
        )
    if not isinstance(provider, StaticDeveloperToken):
        return TokenStatus(name, "ok", source, note="signed fresh for each run (180 days)")
    return _static_status(name, provider.token().reveal(), source, now)


def _static_status(name: str, token: str, source: str | None, now: datetime) -> TokenStatus:
    try:
        info = describe_jwt(token)
    except ConfigError:
        return TokenStatus(
            name,
            "unknown",
            source,
            note="not a JWT: its expiry is unknown (Apple's developer tokens are JWTs)",
            fix=DEVELOPER_FIX,
        )
    if info.expires_at is None:
        return TokenStatus(
            name, "unknown", source, obtained_at=info.issued_at, note="the JWT has no expiry"
        )
    days = info.days_left(now)
    grade = _grade(days)
    return TokenStatus(
        name,
        grade,
        source,
        obtained_at=info.issued_at,
        expires_at=info.expires_at,
        days_left=days,
        fix=DEVELOPER_FIX if grade != "ok" else None,
    )


def user_status(tokens: ResolvedTokens, now: datetime) -> TokenStatus:
    name = "music user token"
    if tokens.user is None:
        return TokenStatus(name, "missing", None, note="none configured", fix=LOGIN_FIX)
    if tokens.user_obtained_at is None:
        return TokenStatus(name, "ok", tokens.user_source, note="age unknown")
    obtained = tokens.user_obtained_at
    expires = datetime.fromtimestamp(obtained.timestamp() + USER_TOKEN_LIFETIME_DAYS * 86_400, UTC)
    days = (expires - now).total_seconds() / 86_400
    grade = _grade(days)
    return TokenStatus(
        name,
        grade,
        tokens.user_source,
        obtained_at=obtained,
        expires_at=expires,
        days_left=days,
        note="Apple does not publish its lifetime: ~180 days",
        fix=LOGIN_FIX if grade != "ok" else None,
    )


def token_statuses(tokens: ResolvedTokens, now: datetime | None = None) -> list[TokenStatus]:
    moment = now or datetime.now(UTC)
    return [developer_status(tokens, moment), user_status(tokens, moment)]
