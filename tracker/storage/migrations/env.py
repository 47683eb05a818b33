"""Alembic environment: runs on the connection hiptrack hands it, or on HIPTRACK_DB for developers."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from tracker.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: object) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,  # type: ignore[arg-type]
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # developer use: `HIPTRACK_DB=sqlite:///dev.db alembic revision --autogenerate -m "..."`
    engine = create_engine(os.environ.get("HIPTRACK_DB", "sqlite:///hiptrack-dev.db"))
    with engine.begin() as conn:
        _run(conn)
