"""``amsync db``: the database schema — upgrade, show, check."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import emit_json, info
from amsync.config.home import ensure_home
from amsync.domain.checks import CheckStatus
from amsync.errors import SchemaTooNew, StoreUnavailable

if TYPE_CHECKING:  # imported when used: `amsync db --help` must stay quick
    from amsync.db.store import Store


@click.group()
def db() -> None:
    """Show, check and upgrade the database schema."""


@db.command("upgrade")
@pass_app
def db_upgrade(app: AppContext) -> None:
    """Create the database, or bring it to this amsync's schema.

    An SQLite file is copied beside itself first (NAME.pre-REVISION-TIME.bak).
    """
    from amsync.db.engine import create_database_engine, database_url, describe, is_sqlite
    from amsync.db.schema import keep_sqlite_copy, schema_state, upgrade

    url = database_url(app.settings.db)
    if is_sqlite(url):
        ensure_home(app.settings.home, writable=False)
    engine = create_database_engine(url, create=True)
    try:
        state = schema_state(engine)
        if not state.known:
            raise SchemaTooNew(
                f"{describe(url)} was written by a newer amsync (schema {state.current}); "
                "it was left untouched",
                hint="upgrade amsync",
            )
        if state.foreign:
            raise StoreUnavailable(
                f"{describe(url)} holds tables of another program; it was left untouched"
            )
        if state.at_head:
            info(f"{describe(url)} is already at revision {state.head} (head)", quiet=app.quiet)
            return
        if state.current is not None and is_sqlite(url):
            copy = keep_sqlite_copy(engine, state.current)
            info(f"kept a copy of the old database at {copy}", quiet=app.quiet)
        upgrade(engine)
        info(
            f"{describe(url)} upgraded from {state.current or 'nothing'} to {state.head}",
            quiet=app.quiet,
        )
    finally:
        engine.dispose()


@db.command("current")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_app
def db_current(app: AppContext, as_json: bool) -> None:
    """Show the database's schema revision and this amsync's."""
    from amsync.db.engine import create_database_engine, database_url, describe, is_sqlite
    from amsync.db.schema import schema_state

    url = database_url(app.settings.db)
    engine = create_database_engine(url, create=False, readonly=is_sqlite(url))
    try:
        state = schema_state(engine)
    finally:
        engine.dispose()
    if state.foreign:
        raise StoreUnavailable(f"{describe(url)} is not an amsync database; it was left untouched")
    status = "head" if state.at_head else ("newer" if not state.known else "outdated")
    if state.empty:
        status = "empty"
    if as_json:
        emit_json(
            {
                "database": describe(url),
                "current": state.current,
                "head": state.head,
                "status": status,
            }
        )
    else:
        click.echo(f"database: {describe(url)}")
        click.echo(f"revision: {state.current or '(none)'} ({status})")
        click.echo(f"amsync head: {state.head}")
    if not state.known:  # reported, and the cause's code, as every other command gives it
        raise SchemaTooNew(
            f"{describe(url)} was written by a newer amsync (schema {state.current})",
            hint="upgrade amsync",
        )


@db.command("check")
@pass_app
def db_check(app: AppContext) -> None:
    """Check integrity, schema revision and that the schema matches this amsync's models."""
    from sqlalchemy.orm import sessionmaker

    from amsync.db.engine import create_database_engine, database_url, is_sqlite
    from amsync.db.store import Store

    url = database_url(app.settings.db)  # read-only: a damaged file is examined, never written
    engine = create_database_engine(url, create=False, readonly=is_sqlite(url))
    try:
        _check(Store(engine=engine, sessions=sessionmaker(engine), readonly=True))
    finally:
        engine.dispose()


def _check(store: Store) -> None:
    from amsync.db.diagnostics import integrity_check, schema_check
    from amsync.db.schema import schema_drift

    problems = 0
    integrity = integrity_check(store)
    click.echo(f"{integrity.status.value.upper():4}  integrity: {integrity.detail}")
    problems += integrity.status is CheckStatus.FAIL
    schema = schema_check(store)
    click.echo(f"{schema.status.value.upper():4}  schema: {schema.detail}")
    problems += schema.status is CheckStatus.FAIL
    try:
        drift = schema_drift(store.engine)
    except StoreUnavailable as exc:  # a damaged file may not even show its schema
        problems += 1
        click.echo(f"FAIL  schema drift: cannot be compared: {exc}")
    else:
        if drift:
            problems += 1
            click.echo(f"FAIL  schema drift: {len(drift)} difference(s), first: {drift[0]}")
        else:
            click.echo("OK    schema: matches amsync's models")
    if problems:  # each is the database being unusable as it is: exit 2, as writers refuse it
        raise StoreUnavailable(f"{problems} problem(s) found in {store.location}")
