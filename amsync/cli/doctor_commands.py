"""``amsync doctor [--json]``: why authorization or sync fails, check by check."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path

import click

from amsync.api import AppleMusicClient
from amsync.api.diagnostics import (
    api_checks,
    connect_check,
    developer_token_decode_check,
    dns_check,
    proxy_check,
    user_token_age_check,
)
from amsync.api.from_settings import (
    client_config,
    developer_token_choice,
    music_user_token_choice,
)
from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import emit_json, safe_text, warn
from amsync.doctor import CheckSource, DoctorReport, run_doctor
from amsync.domain.checks import Check, CheckStatus


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
    report = asyncio.run(run_doctor(_sources(app, offline=offline)))
    if as_json:
        emit_json(report.as_dict())
    else:
        _render(report)
    ctx.exit(report.exit_code)


def _sources(app: AppContext, *, offline: bool) -> list[tuple[str, CheckSource]]:
    settings = app.settings
    stored = app.credentials().load(settings.account)
    developer = developer_token_choice(settings, stored)
    user = music_user_token_choice(settings, stored)

    async def local() -> Sequence[Check]:
        return [
            proxy_check(),
            developer_token_decode_check(developer),
            user_token_age_check(user),
        ]

    async def network() -> Sequence[Check]:
        return [await dns_check(settings.api_url), await connect_check(settings.api_url)]

    async def api() -> Sequence[Check]:
        async with AppleMusicClient(client_config(settings, stored)) as client:
            return await api_checks(client, has_user_token=user.token is not None)

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
