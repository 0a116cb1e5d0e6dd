"""``amsync accounts``: the mirrored libraries in this database."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from amsync.cli.confirmation import confirm, require_confirmation, yes_option
from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import info
from amsync.cli.tabular import chosen_format, emit_listing, listing_format_option
from amsync.config.settings import check_account_name
from amsync.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from amsync.accounts.listing import AccountSummary


@click.group()
def accounts() -> None:
    """List, add and remove the accounts (mirrored libraries) in the database."""


ACCOUNT_COLUMNS = (
    "name",
    "storefront",
    "created_at",
    "last_synced_at",
    "songs",
    "playlists",
    "runs",
)


@accounts.command("list")
@listing_format_option
@click.option("--names", is_flag=True, help="Print only the names, one a line (for scripts).")
@pass_app
def accounts_list(app: AppContext, fmt: str | None, as_json: bool, names: bool) -> None:
    """List the accounts with their size and last sync.

    Columns: name, storefront, created_at, last_synced_at, songs, playlists, runs.
    """
    found = _account_summaries(app)
    if names:
        for account in found:
            click.echo(account.name)
        return
    output = chosen_format(fmt, as_json)
    if not found and output == "table":
        info("no accounts yet: `amsync sync` creates the first one", quiet=app.quiet)
        return
    rows = ([a.as_dict()[c] for c in ACCOUNT_COLUMNS] for a in found)
    emit_listing(output, ACCOUNT_COLUMNS, rows)


def _account_summaries(app: AppContext) -> list[AccountSummary]:
    """The accounts; none when the SQLite database does not exist yet (a listing creates
    nothing)."""
    from amsync.accounts.listing import account_summaries
    from amsync.db.reading import sqlite_path_of

    path = sqlite_path_of(app.settings.db)
    if path is not None and not path.exists():
        return []
    with app.reading() as reader:
        return account_summaries(reader)


@accounts.command("add")
@click.argument("name")
@pass_app
def accounts_add(app: AppContext, name: str) -> None:
    """Add an account NAME (its tokens: `amsync --account NAME auth set`)."""
    from amsync.accounts.editing import add_account

    _check_name(app, name)
    if add_account(app.store(), name):
        info(f"account {name!r} added", quiet=app.quiet)
    else:
        info(f"account {name!r} already exists", quiet=app.quiet)


@accounts.command("remove")
@click.argument("name")
@yes_option
@pass_app
def accounts_remove(app: AppContext, name: str, yes: bool) -> None:
    """Remove account NAME: its mirror, history and stored tokens; nothing of other accounts.

    On a terminal it asks first; elsewhere it needs --yes.
    """
    from amsync.accounts.editing import remove_account

    _check_name(app, name)
    ask = require_confirmation(yes, f"removing account {name!r} deletes its whole mirror")
    if ask and not confirm(
        f"Delete account {name!r}, its mirror and its history from {app.store().location}?"
    ):
        info("cancelled: nothing was removed", quiet=app.quiet)
        return
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
