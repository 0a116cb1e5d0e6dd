"""Alembic environment: runs on the connection amsync hands over (``config.attributes``)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine

from amsync.db.models import Base
from amsync.db.unmodelled import include_object

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.connect() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("amsync migrations run online only: use `amsync db upgrade`")
run_migrations()
