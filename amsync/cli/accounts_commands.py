"""``amsync accounts``: the mirrored libraries in this database."""

from __future__ import annotations

import sys

import click

from amsync.accounts import add_account, list_accounts, remove_account
from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import emit_json, info, safe_text
from amsync.config.settings import check_account_name
from amsync.domain.timestamps import iso_utc
from amsync.errors import ConfigError, UsageError


@click.group()
def accounts() -> None:
    """List, add and remove the accounts (mirrored libraries) in the database."""


@accounts.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--names", is_flag=True, help="Print only the names, one a line (for scripts).")
@pass_app
def accounts_list(app: AppContext, as_json: bool, names: bool) -> None:
    """List the accounts with their size and last sync."""
    found = list_accounts(app.store())
    if as_json:
        emit_json([a.as_dict() for a in found])
        return
    if names:
        for account in found:
            click.echo(account.name)
        return
    if not found:
        info("no accounts yet: `amsync sync` creates the first one", quiet=app.quiet)
        return
    for a in found:
        synced = iso_utc(a.last_synced_at) or "never"
        click.echo(
            f"{safe_text(a.name):<24} {a.songs:>8} songs {a.playlists:>6} playlists  "
            f"storefront {a.storefront or '-'}  last sync {synced}"
        )


@accounts.command("add")
@click.argument("name")
@pass_app
def accounts_add(app: AppContext, name: str) -> None:
    """Add an account NAME (its tokens: `amsync --account NAME auth set`)."""
    _check_name(app, name)
    if add_account(app.store(), name):
        info(f"account {name!r} added", quiet=app.quiet)
    else:
        info(f"account {name!r} already exists", quiet=app.quiet)


@accounts.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def accounts_remove(app: AppContext, name: str, yes: bool) -> None:
    """Remove account NAME: its mirror, history and stored tokens; nothing of other accounts."""
    _check_name(app, name)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(
                f"removing account {name!r} deletes its whole mirror",
                hint="run it on a terminal to confirm, or pass --yes",
            )
        click.confirm(
            f"Delete account {name!r}, its mirror and its history from {app.store().location}?",
            abort=True,
        )
    songs = remove_account(app.store(), name)
    forgot = app.credentials().clear(name)
    info(
        f"account {name!r} removed ({songs} songs" + (", stored tokens" if forgot else "") + ")",
        quiet=app.quiet,
    )


def _check_name(_app: AppContext, name: str) -> None:
    try:
        check_account_name(name)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
