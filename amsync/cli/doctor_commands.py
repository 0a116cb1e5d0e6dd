"""``amsync doctor [--json]``: why authorization or sync fails, check by check."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import emit_json, safe_text, warn
from amsync.doctor import CheckSource, DoctorReport, run_doctor
from amsync.domain.checks import Check, CheckStatus
from amsync.errors import AmsyncError

if TYPE_CHECKING:  # imported when the doctor runs: `amsync doctor --help` must stay quick
    from amsync.api.diagnostics import TokenChoice
    from amsync.cli.client_factory import ResolvedTokens


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as one JSON document.")
@click.option("--offline", is_flag=True, help="Skip the checks that need the network.")
@pass_app
@click.pass_context
def doctor(ctx: click.Context, app: AppContext, as_json: bool, offline: bool) -> None:
    """Diagnose why authorization or a sync fails.

    Checks the proxy settings, DNS, the connection and TLS certificate, the clock, both tokens,
    the subscription, throttling and the database; each says OK, WARN or FAIL with a fix.
    Exit 0 without FAIL, 3 when a FAIL needs a new sign-in, 1 otherwise.
    """
    import asyncio

    report = asyncio.run(run_doctor(_sources(app, offline=offline)))
    if as_json:
        emit_json(report.as_dict())
    else:
        _render(report)
    ctx.exit(report.exit_code)


def _choices(tokens: ResolvedTokens) -> tuple[TokenChoice, TokenChoice]:
    from amsync.api.diagnostics import TokenChoice

    developer = tokens.developer
    if developer is None:
        dev = TokenChoice(None, None)
    elif developer.can_renew:
        dev = TokenChoice(tokens.developer_source, None)
    else:
        dev = TokenChoice(tokens.developer_source, developer.token())
    user = TokenChoice(tokens.user_source, tokens.user, tokens.user_obtained_at)
    return dev, user


def _sources(app: AppContext, *, offline: bool) -> list[tuple[str, CheckSource]]:
    from amsync.api import AppleMusicClient, ClientConfig
    from amsync.api.diagnostics import (
        api_checks,
        connect_check,
        developer_token_decode_check,
        dns_check,
        proxy_check,
        user_token_age_check,
    )

    settings = app.settings
    try:
        tokens: ResolvedTokens | None = app.tokens()
    except AmsyncError as exc:  # e.g. a key file that cannot be used
        tokens = None
        problem = Check("developer token", CheckStatus.FAIL, exc.message, fix=exc.hint)
    if tokens is not None:
        developer, user = _choices(tokens)

    async def local() -> Sequence[Check]:
        if tokens is None:
            return [proxy_check(), problem]
        return [
            proxy_check(),
            developer_token_decode_check(developer),
            user_token_age_check(user),
        ]

    async def network() -> Sequence[Check]:
        return [await dns_check(settings.api_url), await connect_check(settings.api_url)]

    async def api() -> Sequence[Check]:
        if tokens is None or tokens.developer is None:
            return []
        config = ClientConfig(
            base_url=settings.api_url,
            developer_token=tokens.developer,
            music_user_token=tokens.user,
            storefront=settings.storefront,
            retry_budget_s=settings.retry_budget,
            max_concurrency=settings.concurrency,
        )
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


def _render(report: DoctorReport) -> None:
    for check in report.checks:
        click.echo(f"{_LABEL[check.status]}  {check.name}: {safe_text(check.detail)}")
        if check.fix and check.status is not CheckStatus.OK:
            click.echo(f"      fix: {safe_text(check.fix)}")
    for check in report.checks:
        if check.status is CheckStatus.WARN:
            warn(f"{check.name}: {safe_text(check.detail)}")
