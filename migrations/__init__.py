"""Alembic migrations of the amsync database (imports the db models only)."""
