"""Run Alembic migrations from code, on an async engine, without an alembic.ini or env.py.

The content store uses it for its own scripts; bot-side modules call it with their own
script folder and version table to keep their tables on the same database.
"""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine


async def run_migrations(
    engine: AsyncEngine, script_location: Path, version_table: str, revision: str = "head"
) -> None:
    """Upgrade the database to `revision` with the scripts in `script_location/versions`."""
    async with engine.begin() as connection:
        # Two processes starting together (bot and CLI) must not migrate at the same time.
        if connection.dialect.name == "postgresql":
            # the store's statement timeout is for the loop's queries: a migration of a big table, or the
            # wait for another process's, takes what it takes
            await connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
            await connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": version_table})
        else:  # SQLite: take the write lock before reading the version, not at the first DDL
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        await connection.run_sync(_upgrade, Path(script_location), version_table, revision)


def _upgrade(connection: Connection, script_location: Path, version_table: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    script = ScriptDirectory.from_config(config)

    def upgrade_steps(current_revision, _context):
        return script._upgrade_revs(revision, current_revision)

    with EnvironmentContext(config, script, fn=upgrade_steps, destination_rev=revision) as environment:
        environment.configure(connection=connection, version_table=version_table)
        with environment.begin_transaction():
            environment.run_migrations()
