"""Dialect-neutral "insert unless it exists" and "insert or update", for SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


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
