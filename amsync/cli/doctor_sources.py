"""What ``amsync doctor`` checks, in order, from the settings and tokens in effect; and how its
report is shown. Kept apart from the command so that ``amsync doctor --help`` imports nothing
heavy."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import click

from amsync.api import AppleMusicClient, GivenOrSignedDeveloperToken
from amsync.api.diagnostics import (
    TokenChoice,
    api_checks,
    developer_token_decode_check,
    software_check,
    user_token_age_check,
)
from amsync.api.network_checks import connect_check, dns_check, musickit_check, proxy_check
from amsync.cli.client_factory import ResolvedTokens, client_config
from amsync.cli.context import AppContext
from amsync.cli.output import safe_text, warn
from amsync.doctor import CheckSource, DoctorReport
from amsync.domain.checks import Check, CheckStatus
from amsync.errors import AmsyncError


def _choices(tokens: ResolvedTokens) -> tuple[TokenChoice, TokenChoice]:
    developer = tokens.developer
    if developer is None:
        dev = TokenChoice(None, None)
    elif isinstance(developer, GivenOrSignedDeveloperToken):
        dev = TokenChoice(tokens.developer_source, developer.given, key_file_fallback=True)
    elif developer.can_renew:
        dev = TokenChoice(tokens.developer_source, None)
    else:
        dev = TokenChoice(tokens.developer_source, developer.token())
    user = TokenChoice(tokens.user_source, tokens.user, tokens.user_obtained_at)
    return dev, user


def sources(app: AppContext, *, offline: bool) -> list[tuple[str, CheckSource]]:
    settings = app.settings
    environ = app.env
    try:
        tokens: ResolvedTokens | None = app.tokens()
    except AmsyncError as exc:  # e.g. a key file that cannot be used
        tokens = None
        problem = Check(
            "developer token",
            CheckStatus.FAIL,
            exc.message,
            fix=exc.hint,
            exit_code=exc.exit_code,
        )
    if tokens is not None:
        developer, user = _choices(tokens)

    async def local() -> Sequence[Check]:
        first = [software_check(), proxy_check(settings.api_url, environ)]
        if tokens is None:
            return [*first, problem]
        return [*first, developer_token_decode_check(developer), user_token_age_check(user)]

    async def network() -> Sequence[Check]:
        return [
            await dns_check(settings.api_url, environ),
            await connect_check(settings.api_url, environ),
            await musickit_check(settings.musickit_js_url, environ),
        ]

    async def api() -> Sequence[Check]:
        if tokens is None or tokens.developer is None:
            return []
        config = client_config(settings, tokens, need_user_token=False)
        async with AppleMusicClient(config) as client:
            return await api_checks(client, has_user_token=tokens.user is not None)

    async def database() -> Sequence[Check]:
        return _database_checks(app)

    sources: list[tuple[str, CheckSource]] = [("configuration", local)]
    if not offline:
        sources += [("network", network), ("apple music", api)]
    sources.append(("database", database))
    return sources


def _database_checks(app: AppContext) -> list[Check]:
    try:
        from amsync.db.diagnostics import database_checks
    except ImportError:  # pragma: no cover - the database layer ships with amsync
        return []
    db = app.settings.db
    if "://" not in db and not Path(os.path.expanduser(db)).exists():  # noqa: PTH111
        return [Check("database", CheckStatus.OK, f"{db}: not created yet (the first sync will)")]
    return list(database_checks(app.store(create=False, readonly=True)))


_LABEL = {CheckStatus.OK: "OK  ", CheckStatus.WARN: "WARN", CheckStatus.FAIL: "FAIL"}


def render(report: DoctorReport) -> None:
    for check in report.checks:
        click.echo(f"{_LABEL[check.status]}  {check.name}: {safe_text(check.detail)}")
        if check.fix and check.status is not CheckStatus.OK:
            click.echo(f"      fix: {safe_text(check.fix)}")
    for check in report.checks:
        if check.status is CheckStatus.WARN:
            warn(f"{check.name}: {safe_text(check.detail)}")
