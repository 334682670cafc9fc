"""Database plumbing for the bot-side tables: their migrations.

The content store opens and migrates the database (`content.store`); the bot's tables live
beside its tables, with their own Alembic version table so each side migrates on its own. They
refer to its articles by store position (`content.store.queries.position`).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from content.store.migrate import run_migrations

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "newsbot_bot_version"


async def migrate(engine: AsyncEngine) -> None:
    """Bring the bot-side tables up to date (idempotent; concurrent starters on PostgreSQL take turns)."""
    await run_migrations(engine, MIGRATIONS, VERSION_TABLE)
