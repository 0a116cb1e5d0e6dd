"""From settings and stored credentials to an API client, and the token-expiry warnings.

Where each token comes from, in order: the environment (``AMSYNC_DEVELOPER_TOKEN``,
``AMSYNC_MUSIC_USER_TOKEN``), a MusicKit key that amsync signs developer tokens with
(``AMSYNC_KEY_FILE`` + ``AMSYNC_TEAM_ID`` + ``AMSYNC_KEY_ID``), then what ``amsync auth``
stored. A developer token given in the environment while a key file is configured is used
until it runs out (expired, within 30 days of its ``exp``, or answered 401); then the key file
signs fresh ones (DESIGN §5). Warnings: a developer token (JWT) that nothing will replace within
30 days of its ``exp``; a music user token within 30 days of ~180 days after it was obtained.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from amsync.api import (
    AppleMusicClient,
    ClientConfig,
    DeveloperTokenProvider,
    GivenOrSignedDeveloperToken,
    LearnedRate,
    RateSettings,
    SigningDeveloperToken,
    StaticDeveloperToken,
    describe_jwt,
)
from amsync.api.diagnostics import USER_TOKEN_LIFETIME_DAYS, WARN_DAYS
from amsync.config.credentials import CredentialStore, StoredCredentials
from amsync.config.secret import Secret
from amsync.config.settings import Settings
from amsync.errors import ConfigError, CredentialsMissing


@dataclass(frozen=True)
class ResolvedTokens:
    developer: DeveloperTokenProvider | None
    developer_source: str | None
    user: Secret | None
    user_source: str | None
    user_obtained_at: datetime | None
    stored: StoredCredentials


def resolve_tokens(settings: Settings, credentials: CredentialStore) -> ResolvedTokens:
    stored = credentials.load(settings.account)
    developer: DeveloperTokenProvider | None = None
    developer_source: str | None = None
    signer: SigningDeveloperToken | None = None
    if settings.key_file and settings.team_id and settings.key_id:
        origin = ", ".join(
            f"{name} from {settings.describe_source(setting)}"
            for name, setting in (
                ("key file", "key_file"),
                ("team id", "team_id"),
                ("key id", "key_id"),
            )
        )
        signer = SigningDeveloperToken(
            settings.key_file, settings.team_id, settings.key_id, origin=origin
        )
    if settings.developer_token and signer is not None:
        developer = GivenOrSignedDeveloperToken(settings.developer_token, signer)
        developer_source = "AMSYNC_DEVELOPER_TOKEN (the key file replaces it when it runs out)"
    elif settings.developer_token:
        developer, developer_source = (
            StaticDeveloperToken(settings.developer_token),
            "AMSYNC_DEVELOPER_TOKEN",
        )
    elif signer is not None:
        developer, developer_source = signer, "key file"
    elif stored.developer_token:
        developer, developer_source = StaticDeveloperToken(stored.developer_token), "stored"
    user: Secret | None = None
    user_source: str | None = None
    obtained: datetime | None = None
    if settings.music_user_token:
        user, user_source = settings.music_user_token, "AMSYNC_MUSIC_USER_TOKEN"
    elif stored.music_user_token:
        user, user_source = stored.music_user_token, "stored"
        obtained = stored.music_user_token_obtained_at
    return ResolvedTokens(developer, developer_source, user, user_source, obtained, stored)


def token_warnings(tokens: ResolvedTokens, now: datetime | None = None) -> list[str]:
    """Warnings for tokens that expire within 30 days (or already have)."""
    now = now or datetime.now(UTC)
    warnings: list[str] = []
    if isinstance(tokens.developer, StaticDeveloperToken):
        try:
            days = describe_jwt(tokens.developer.token()).days_left(now)
        except ConfigError:
            days = None
        if days is not None and days <= WARN_DAYS:
            warnings.append(_expiry_text("developer token", days, "set a new one or a key file"))
    if tokens.user_obtained_at is not None:
        expires = tokens.user_obtained_at + timedelta(days=USER_TOKEN_LIFETIME_DAYS)
        days = (expires - now).total_seconds() / 86_400
        if days <= WARN_DAYS:
            warnings.append(
                _expiry_text("music user token (about 180 days)", days, "run `amsync auth login`")
            )
    return warnings


def _expiry_text(what: str, days: float, fix: str) -> str:
    if days <= 0:
        return f"the {what} has probably expired ({-days:.0f} days ago): {fix}"
    return f"the {what} expires in {days:.0f} days: {fix}"


def client_config(
    settings: Settings,
    tokens: ResolvedTokens,
    *,
    rate: RateSettings | None = None,
    start_rate: LearnedRate | None = None,
    need_user_token: bool = True,
) -> ClientConfig:
    """The client's configuration from the settings and tokens in effect; ``doctor`` asks
    without ``need_user_token`` to check what it can with a developer token alone.
    ``start_rate``: where the rate memory says the last run ended (``amsync.cli.rate_start``)."""
    if tokens.developer is None:
        raise CredentialsMissing(
            "no developer token is configured",
            hint="set AMSYNC_DEVELOPER_TOKEN, or a key file (AMSYNC_KEY_FILE, AMSYNC_TEAM_ID, "
            "AMSYNC_KEY_ID), or run `amsync auth set`",
        )
    if tokens.user is None and need_user_token:
        raise CredentialsMissing(
            "no music user token is configured",
            hint="run `amsync auth login` (or `amsync auth set`), or set AMSYNC_MUSIC_USER_TOKEN",
        )
    return ClientConfig(
        base_url=settings.api_url,
        api_url_source=settings.describe_source("api_url"),
        developer_token=tokens.developer,
        music_user_token=tokens.user,
        storefront=settings.storefront,
        retry_budget_s=settings.retry_budget,
        retry_budget_source=settings.describe_source("retry_budget"),
        max_concurrency=settings.concurrency,
        rate=rate or RateSettings(),
        start_rate=start_rate,
    )


def make_client(
    config: ClientConfig, transport: httpx.AsyncBaseTransport | None = None
) -> AppleMusicClient:
    return AppleMusicClient(config, transport=transport)
