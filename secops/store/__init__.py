"""The workspace database: SQLAlchemy Core, SQLite (WAL) by default, PostgreSQL accepted."""

from secops.store.engine import Store, open_store, redact_url

__all__ = ["Store", "open_store", "redact_url"]
