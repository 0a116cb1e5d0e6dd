"""What each server accepted: ``listen_targets`` (a server per account, by normalised root URL)
and ``listen_submissions`` (per server and play key: ``accepted`` or ``refused``), written a
batch at a time in a transaction of its own, as soon as the server has answered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, update

from amsync.db import tables
from amsync.db.store import Store
from amsync.domain.listens import Listen
from amsync.listens.push_plan import ACCEPTED, REFUSED


def find_target(connection: Connection, account_id: int, url: str) -> int | None:
    t = tables.listen_targets
    found = connection.execute(
        select(t.c.id).where(t.c.account_id == account_id, t.c.url == url)
    ).scalar()
    return None if found is None else int(found)


def sent_before(connection: Connection, target_id: int | None) -> dict[str, str]:
    """``accepted`` / ``refused`` per play key, for the server."""
    if target_id is None:
        return {}
    table = tables.listen_submissions
    rows = connection.execute(
        select(table.c.event_key, table.c.status).where(table.c.target_id == target_id)
    )
    return {str(key): str(status) for key, status in rows.all()}


def ensure_target(store: Store, account_id: int, url: str, user_name: str | None) -> int:
    """The server's row (made on its first push; its user name and last push noted)."""
    t = tables.listen_targets
    now = datetime.now(UTC)
    with store.writing() as session:
        connection = session.connection()
        target_id = find_target(connection, account_id, url)
        if target_id is None:
            key = connection.execute(
                insert(t).values(
                    account_id=account_id,
                    url=url,
                    user_name=user_name,
                    first_push_at=now,
                    last_push_at=now,
                )
            ).inserted_primary_key
            assert key is not None
            return int(key[0])
        connection.execute(
            update(t).where(t.c.id == target_id).values(user_name=user_name, last_push_at=now)
        )
        return target_id


def record(
    store: Store,
    target_id: int,
    listens: Sequence[Listen],
    *,
    reason: str | None = None,
) -> None:
    """The server accepted ``listens`` (or, with ``reason``, refused them on their own)."""
    if not listens:
        return
    table = tables.listen_submissions
    now = datetime.now(UTC)
    status = REFUSED if reason is not None else ACCEPTED
    with store.writing() as session:
        session.connection().execute(
            insert(table),
            [
                {
                    "target_id": target_id,
                    "event_key": listen.key,
                    "status": status,
                    "reason": reason,
                    "sent_at": now,
                }
                for listen in listens
            ],
        )
