"""Shared fixtures. Store tests run on SQLite, and on PostgreSQL when NEWSBOT_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest

POSTGRES_URL = os.environ.get("NEWSBOT_TEST_DATABASE_URL")
DATABASE_BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


async def _create_postgres_database() -> tuple[str, str]:
    import asyncpg

    name = f"newsbot_{uuid.uuid4().hex[:12]}"
    admin_dsn = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    parts = urlsplit(admin_dsn)
    return urlunsplit(parts._replace(path="/" + name)), name


async def _drop_postgres_database(name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@asynccontextmanager
async def _postgres_database():
    url, name = await _create_postgres_database()
    try:
        yield url
    finally:
        await _drop_postgres_database(name)


@pytest.fixture(params=DATABASE_BACKENDS)
async def database_url(request, tmp_path):
    """A fresh, empty database URL: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'newsbot.db'}"
        return
    async with _postgres_database() as url:
        yield url


@pytest.fixture
async def postgresql_url():
    """A new PostgreSQL database, dropped afterwards; without NEWSBOT_TEST_DATABASE_URL the test is skipped."""
    if not POSTGRES_URL:
        pytest.skip("NEWSBOT_TEST_DATABASE_URL is not set")
    async with _postgres_database() as url:
        yield url


@pytest.fixture(autouse=True)
def no_platform_tokens(monkeypatch):
    """A developer's own TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN never reaches a test: a config file that
    leaves the tokens out reads them from the environment, and a test must not talk to the real platforms."""
    for variable in ("TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
