"""Database plumbing for the bot-side tables: the migrations, and dialect-neutral "insert unless
it exists" and "insert or update".

The content store opens the database (`content.store.engine`); the bot's tables live beside
its tables, with their own Alembic version table so each side migrates on its own.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from content.store.migrate import run_migrations

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "newsbot_bot_version"


async def migrate(engine: AsyncEngine) -> None:
    """Bring the bot-side tables up to date (idempotent; concurrent starters on PostgreSQL take turns)."""
    await run_migrations(engine, MIGRATIONS, VERSION_TABLE)


def insert_ignoring_duplicates(connection: AsyncConnection, table: sa.Table, keys: list[str]):
    """INSERT … ON CONFLICT (keys) DO NOTHING for the connection's dialect."""
    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    return dialect.insert(table).on_conflict_do_nothing(index_elements=keys)


async def insert_or_update(
    connection: AsyncConnection, table: sa.Table, keys: dict, values: dict, required: dict | None = None
) -> None:
    """Create the row with these key values (and the `required` columns a new row needs) unless it
    exists, then set `values` on it; `values` may refer to the row's columns (`number + 1`), which a
    single INSERT … ON CONFLICT could not."""
    new_row = {**keys, **(required or {})}
    await connection.execute(insert_ignoring_duplicates(connection, table, list(keys)), [new_row])
    row = sa.and_(*(table.c[name] == value for name, value in keys.items()))
    await connection.execute(table.update().where(row).values(**values))
