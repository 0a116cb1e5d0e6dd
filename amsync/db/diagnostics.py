"""Database checks for ``amsync doctor`` and ``amsync db check``."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from amsync.db.integrity import RECOVERY_HINT, damage_message, quick_check
from amsync.db.schema import schema_state
from amsync.db.store import Store
from amsync.domain.checks import Check, CheckStatus
from amsync.errors import EXIT_USAGE


def integrity_check(store: Store) -> Check:
    """SQLite: ``PRAGMA quick_check``; PostgreSQL: a connection and a trivial query."""
    try:
        if store.is_sqlite:
            problems = quick_check(store.engine)
        else:
            with store.engine.connect() as connection:
                connection.execute(text("SELECT 'ok'")).scalar_one()
            problems = []
    except DBAPIError as exc:
        return Check(
            "database integrity",
            CheckStatus.FAIL,
            f"{store.location}: {str(exc.orig).splitlines()[0] if exc.orig else exc}",
            fix=RECOVERY_HINT,
            exit_code=EXIT_USAGE,
        )
    if not problems:
        return Check("database integrity", CheckStatus.OK, f"{store.location}: ok")
    return Check(
        "database integrity",
        CheckStatus.FAIL,
        damage_message(store.location, problems).removesuffix("; nothing was written to it"),
        fix=RECOVERY_HINT,
        exit_code=EXIT_USAGE,  # as every writing command refuses it: exit 2
    )


def schema_check(store: Store) -> Check:
    state = schema_state(store.engine)
    if state.at_head:
        return Check("database schema", CheckStatus.OK, f"at revision {state.current} (head)")
    if not state.known:
        return Check(
            "database schema",
            CheckStatus.FAIL,
            f"revision {state.current} is newer than this amsync knows (head {state.head})",
            fix="upgrade amsync",
            exit_code=EXIT_USAGE,
        )
    return Check(
        "database schema",
        CheckStatus.FAIL,
        f"at revision {state.current}, head is {state.head}",
        fix="run `amsync db upgrade`",
        exit_code=EXIT_USAGE,
    )


def database_checks(store: Store) -> list[Check]:
    return [integrity_check(store), schema_check(store)]
