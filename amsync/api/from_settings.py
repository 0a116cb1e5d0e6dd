"""Building a ``ClientConfig`` from ``Settings`` and the stored credentials.

Where each token comes from, first match wins: the developer token from ``--``/environment
(``AMSYNC_DEVELOPER_TOKEN``), else signed from a key file (``AMSYNC_KEY_FILE`` + team + key id),
else stored by ``amsync auth``; the music user token from the environment, else stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from amsync.api.config import ClientConfig
from amsync.api.tokens import DeveloperTokenProvider, SigningDeveloperToken, StaticDeveloperToken
from amsync.config.credentials import StoredCredentials
from amsync.config.secret import Secret
from amsync.config.settings import Settings
from amsync.errors import CredentialsMissing

SOURCE_ENVIRONMENT = "environment"
SOURCE_KEY_FILE = "key file"
SOURCE_STORED = "stored"


@dataclass(frozen=True, slots=True)
class TokenChoice:
    """A token and where it came from; ``obtained_at`` is known for stored tokens."""

    source: str | None
    token: Secret | None
    obtained_at: datetime | None = None


def developer_token_choice(settings: Settings, stored: StoredCredentials) -> TokenChoice:
    if settings.developer_token:
        return TokenChoice(settings.source_of("developer_token"), settings.developer_token)
    if settings.key_file is not None:
        return TokenChoice(SOURCE_KEY_FILE, None)
    if stored.developer_token:
        return TokenChoice(SOURCE_STORED, stored.developer_token, stored.developer_token_saved_at)
    return TokenChoice(None, None)


def music_user_token_choice(settings: Settings, stored: StoredCredentials) -> TokenChoice:
    if settings.music_user_token:
        return TokenChoice(settings.source_of("music_user_token"), settings.music_user_token)
    if stored.music_user_token:
        return TokenChoice(
            SOURCE_STORED, stored.music_user_token, stored.music_user_token_obtained_at
        )
    return TokenChoice(None, None)


def developer_token_provider(
    settings: Settings, stored: StoredCredentials
) -> DeveloperTokenProvider:
    """The provider to use, or ``CredentialsMissing`` saying how to configure one."""
    choice = developer_token_choice(settings, stored)
    if choice.source == SOURCE_KEY_FILE and settings.key_file is not None:
        if not settings.team_id or not settings.key_id:
            raise CredentialsMissing(
                "a key file is set but the team id or key id is missing",
                hint="set AMSYNC_TEAM_ID and AMSYNC_KEY_ID",
            )
        return SigningDeveloperToken(settings.key_file, settings.team_id, settings.key_id)
    if choice.token:
        return StaticDeveloperToken(choice.token)
    raise CredentialsMissing(
        "no developer token is configured",
        hint="set AMSYNC_DEVELOPER_TOKEN, a key file (AMSYNC_KEY_FILE, AMSYNC_TEAM_ID, "
        "AMSYNC_KEY_ID), or run `amsync auth set`",
    )


def client_config(settings: Settings, stored: StoredCredentials) -> ClientConfig:
    return ClientConfig(
        base_url=settings.api_url,
        developer_token=developer_token_provider(settings, stored),
        music_user_token=music_user_token_choice(settings, stored).token,
        storefront=settings.storefront,
        retry_budget_s=settings.retry_budget,
        max_concurrency=settings.concurrency,
    )
