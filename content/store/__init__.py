"""Stored articles: `Store` (add, find, search, counts, source state) on SQLite or PostgreSQL."""

from content.store.cursor import InvalidCursor
from content.store.migrate import run_migrations
from content.store.store import AddResult, Store, StorageError, StoredEntry, StoredText

__all__ = ["AddResult", "InvalidCursor", "Store", "StorageError", "StoredEntry", "StoredText", "run_migrations"]
