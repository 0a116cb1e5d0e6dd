"""``amsync accounts``: the mirrored libraries in this database."""

from __future__ import annotations

from pathlib import Path
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
    """The accounts; none when the SQLite database does not exist yet or is an empty file (a
    listing creates nothing)."""
    from amsync.accounts.listing import account_summaries
    from amsync.db.reading import sqlite_path_of

    path = sqlite_path_of(app.settings.db)
    if path is not None and (not path.exists() or (path.is_file() and path.stat().st_size == 0)):
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
@click.option(
    "--forget-tokens",
    is_flag=True,
    help="Also delete the account's stored tokens from <home>/credentials.json. They belong to "
    "the home, not to this database: every database used with this home (a copy, a second "
    "mirror) loses them too. Without it they are kept.",
)
@yes_option
@pass_app
def accounts_remove(app: AppContext, name: str, forget_tokens: bool, yes: bool) -> None:
    """Remove account NAME from this database: its mirror, change and listening history, and
    local-file matches; nothing of other accounts.

    The account's stored tokens stay in the home (other databases of the home use them)
    unless --forget-tokens. On a terminal it asks first, saying what goes; elsewhere it needs
    --yes.
    """
    from amsync.accounts.editing import account_contents, remove_account

    _check_name(app, name)
    ask = require_confirmation(yes, f"removing account {name!r} deletes its whole mirror")
    store = app.store(create=False)
    contents = account_contents(store, name)
    credentials = app.credentials()
    try:
        has_tokens = not credentials.load(name).empty
    except ConfigError:  # a credentials file it cannot read: untouched, unless asked to
        if forget_tokens:
            raise
        has_tokens = False
    question = _question(
        name,
        store.location,
        contents.describe(),
        credentials.path,
        has_tokens=has_tokens,
        forget_tokens=forget_tokens,
    )
    if ask and not confirm(question):
        info("cancelled: nothing was removed", quiet=app.quiet)
        return
    songs = remove_account(store, name)
    done = f"account {name!r} removed from {store.location} ({songs} songs)"
    if forget_tokens:
        forgot = credentials.clear(name)
        done += "; its stored tokens deleted" if forgot else "; it had no stored tokens"
    elif has_tokens:
        done += (
            f"; its stored tokens are kept in {credentials.path} "
            f"(`amsync --account {name} auth logout` deletes them)"
        )
    info(done, quiet=app.quiet)


def _question(
    name: str,
    location: str,
    contents: str,
    credentials: Path,
    *,
    has_tokens: bool,
    forget_tokens: bool,
) -> str:
    """The confirmation question: exactly what goes, and what stays."""
    question = (
        f"Delete account {name!r} from {location}: its mirror ({contents}), its change history "
        "and its local-file matches"
    )
    if forget_tokens and has_tokens:
        return (
            f"{question}, and its stored tokens in {credentials}, which every database used "
            "with this home will lose?"
        )
    if has_tokens:
        return f"{question} (its stored tokens in {credentials} are kept)?"
    return f"{question}?"


def _check_name(_app: AppContext, name: str) -> None:
    try:
        check_account_name(name)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
