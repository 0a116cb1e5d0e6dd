"""Where a command's request rate starts, and what it leaves for the next run.

The rate memory (``amsync.config.rate_memory``) is read when the client is made and written when
the command ends; ``-v`` says where the rate started and what was remembered. The API adapter
never sees the file: it gets a ``LearnedRate`` to start from and gives one back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from amsync.api import AppleMusicClient, LearnedRate, RateSettings, describe_jwt
from amsync.api.tokens import DeveloperTokenProvider
from amsync.config.rate_memory import MAX_AGE, RateMemory, api_host
from amsync.errors import ConfigError

logger = logging.getLogger("amsync.cli")


@dataclass(frozen=True, slots=True)
class RateStart:
    """The start of one client's rate: for which API and issuer, from what, and why."""

    api: str
    issuer: str | None
    start: LearnedRate | None
    description: str


def token_issuer(developer: DeveloperTokenProvider) -> str | None:
    """The developer token's issuer (the JWT's ``iss``: the team id); ``None`` for a token that
    is not a JWT. Only the issuer leaves this function, never the token."""
    try:
        return describe_jwt(developer.token()).iss
    except ConfigError:
        return None


def recall_start(
    memory: Path,
    base_url: str,
    developer: DeveloperTokenProvider,
    settings: RateSettings,
    now: datetime | None = None,
) -> RateStart:
    """The rate remembered in the file ``memory`` for this API host and token issuer, if it is
    fresh (``MAX_AGE``)."""
    now = now or datetime.now(UTC)
    api = api_host(base_url)
    issuer = token_issuer(developer)
    remembered = RateMemory(memory).recall(api, issuer)
    whose = f"{api}, issuer {issuer}" if issuer else f"{api}, a developer token that is not a JWT"
    cold = f"cold start at {settings.initial_rate:g} requests/s"
    if remembered is None:
        return RateStart(api, issuer, None, f"{cold} (nothing remembered for {whose})")
    if not remembered.fresh(now):
        return RateStart(
            api,
            issuer,
            None,
            f"{cold} (the rate remembered for {whose} is from {_age(remembered.age(now))}; "
            f"older than {MAX_AGE.days} days is not trusted)",
        )
    start = LearnedRate(
        min(settings.max_rate, max(settings.min_rate, remembered.rate)), remembered.limited
    )
    how = "resuming at the limit it met" if start.limited else "probing upwards from there"
    return RateStart(
        api,
        issuer,
        start,
        f"starting at {start.rate:.1f} requests/s, where the run {_age(remembered.age(now))} "
        f"ended against {whose} ({how}; a 429 before it goes through halves it)",
    )


def remember_end(memory: Path, start: RateStart, client: AppleMusicClient) -> None:
    """Keep what the client found for the next run (nothing when it found nothing)."""
    learned = client.learned_rate()
    if learned is None:
        logger.debug("request rate: too few requests to learn from; the memory is unchanged")
        return
    if RateMemory(memory).remember(start.api, start.issuer, learned.rate, limited=learned.limited):
        kind = "met the limit" if learned.limited else "no limit met"
        logger.info(
            "request rate: %.1f requests/s went through (%s); the next run starts there",
            learned.rate,
            kind,
        )


def _age(age: timedelta) -> str:
    seconds = age.total_seconds()
    if seconds < 0:
        return "a date in the future"
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 2 * 86_400:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86_400:.0f} days ago"
