"""The database adapter: SQLAlchemy models, Alembic schema management, the store, and the
standard-library read path of the offline commands (``reading``)."""
