"""``amsync doctor [--json]``: why authorization or sync fails, check by check (the checks and
their rendering: ``doctor_sources.py``)."""

from __future__ import annotations

import click

from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import emit_json


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as one JSON document.")
@click.option("--offline", is_flag=True, help="Skip the checks that need the network.")
@pass_app
@click.pass_context
def doctor(ctx: click.Context, app: AppContext, as_json: bool, offline: bool) -> None:
    """Diagnose why authorization or a sync fails.

    Checks the proxy settings, DNS, the connection and TLS certificate (through the proxy, with
    its issuer), the MusicKit script host, the clock, both tokens, the subscription, throttling
    and the database; each says OK, WARN or FAIL with a fix. Exit 0 without FAIL; else 3 when a
    person must sign in or renew a token, 2 for the configuration, 75 for the network, 1
    otherwise.
    """
    from amsync.cli.doctor_sources import render, sources
    from amsync.cli.process_exit import run_async
    from amsync.doctor import run_doctor

    report = run_async(run_doctor(sources(app, offline=offline)))
    if as_json:
        emit_json(report.as_dict())
    else:
        render(report)
    ctx.exit(report.exit_code)
