"""Database plumbing for the bot-side tables: an async engine from a storage URL, the
migrations, and the dialect-neutral "insert unless it exists".

The content store opens the same database; the bot's tables live beside its tables,
with their own Alembic version table so each side migrates on its own.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from content.store.migrate import run_migrations

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "newsbot_bot_version"


def async_url(url: str) -> str:
    """sqlite:///x and postgresql://… as their async-driver forms."""
    if url.startswith("sqlite:"):
        return "sqlite+aiosqlite:" + url.removeprefix("sqlite:")
    if url.startswith("postgresql:"):
        return "postgresql+asyncpg:" + url.removeprefix("postgresql:")
    return url


def open_engine(url: str) -> AsyncEngine:
    """An engine for tests and tools that need only the bot-side tables; the app shares the content store's."""
    url = async_url(url)
    if url.startswith("sqlite"):
        return create_async_engine(url, connect_args={"timeout": 30})
    return create_async_engine(url, pool_size=10, max_overflow=10)


async def migrate(engine: AsyncEngine) -> None:
    """Bring the bot-side tables up to date (idempotent; concurrent starters on PostgreSQL take turns)."""
    await run_migrations(engine, MIGRATIONS, VERSION_TABLE)


def insert_ignoring_duplicates(connection: AsyncConnection, table: sa.Table, keys: list[str]):
    """INSERT … ON CONFLICT (keys) DO NOTHING for the connection's dialect."""
    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    return dialect.insert(table).on_conflict_do_nothing(index_elements=keys)


async def insert_or_update(connection: AsyncConnection, table: sa.Table, keys: dict, values: dict) -> None:
    """Create the row with these key values unless it exists, then set `values` on it; `values` may
    refer to the row's columns (`number + 1`), which a single INSERT … ON CONFLICT could not."""
    await connection.execute(insert_ignoring_duplicates(connection, table, list(keys)), [keys])
    row = sa.and_(*(table.c[name] == value for name, value in keys.items()))
    await connection.execute(table.update().where(row).values(**values))
