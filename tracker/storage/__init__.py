"""Persistence: SQLAlchemy models, Alembic migrations, the raw-sample codec and repositories."""
