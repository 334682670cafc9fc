"""Engines for the store: a database URL made async, SQLite pragmas, one-line reasons for failures."""

from __future__ import annotations

import asyncio
import math
import os
import sqlite3

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from content.settings import STATEMENT_TIMEOUT_SECONDS
from content.store import words

_SQLITE_BUSY_TIMEOUT_MS = 10_000
_POSTGRESQL_CONNECT_TIMEOUT_S = 10
_SECRET_PARAMETERS = frozenset({"password", "sslpassword", "passfile", "sslkey"})  # libpq and asyncpg names


async def open_engine(url: str, statement_timeout_seconds: float = STATEMENT_TIMEOUT_SECONDS) -> AsyncEngine:
    """An engine for sqlite:///path or postgresql://…; raises ArgumentError, ValueError or sqlite3.Error."""
    database_url = async_url(url)
    if database_url.get_backend_name() == "sqlite":
        await asyncio.to_thread(_probe_sqlite_file, database_url.database)
    return create_engine(database_url, statement_timeout_seconds)


def async_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ValueError:  # SQLAlchemy reads the port with int()
        raise ArgumentError("the port must be a number") from None
    if "@" in (parsed.host or ""):  # the password's own @ taken for the end of user:password
        raise ArgumentError("an @ in the password must be written %40")
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+asyncpg")
    raise ArgumentError(f"unsupported database {backend!r} (use sqlite:/// or postgresql://)")


def create_engine(url: URL, statement_timeout_seconds: float = STATEMENT_TIMEOUT_SECONDS) -> AsyncEngine:
    """`statement_timeout_seconds`: PostgreSQL's statement_timeout on every connection (SQLite has none)."""
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(url)
        sa.event.listen(engine.sync_engine, "connect", _prepare_sqlite_connection)
        return engine
    engine = create_async_engine(url, pool_pre_ping=True, connect_args={"timeout": _POSTGRESQL_CONNECT_TIMEOUT_S})
    statement_timeout_ms = math.ceil(statement_timeout_seconds * 1000)  # 0 would be none at all
    sa.event.listen(engine.sync_engine, "connect", _statement_timeout_setter(statement_timeout_ms))
    return engine


def display_url(url: str) -> str:
    """The URL for messages: no password, whether after user: or as a query parameter."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is no number
        return "(unparseable url)"
    if "@" in (parsed.host or ""):
        return "(unparseable url)"
    query = {key: "***" if key.lower() in _SECRET_PARAMETERS else value for key, value in parsed.query.items()}
    return parsed.set(query=query).render_as_string(hide_password=True).replace("%2A%2A%2A", "***")


def failure_reason(error: BaseException) -> str:
    """The first line of what the driver said, or of the error itself."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    text = str(cause).strip() or type(cause).__name__
    return text.splitlines()[0]


def sqlite_folder_problem(url: str) -> str | None:
    """What is wrong with the folder of an SQLite file, if anything: SQLite says "unable to open
    database file" whether the folder is missing or read-only (it writes its journal there too)."""
    try:
        database_url = async_url(url)
    except ArgumentError:
        return None
    if database_url.get_backend_name() != "sqlite" or database_url.database in (None, "", ":memory:"):
        return None
    folder = os.path.dirname(database_url.database) or "."
    if not os.path.isdir(folder):
        return f"the folder {folder} does not exist"
    if not os.access(folder, os.W_OK):
        return f"newsbot cannot write in the folder {folder}"
    return None


def _probe_sqlite_file(path: str | None) -> None:
    """Open the file once with the plain driver: a failed aiosqlite connect leaves a worker
    thread that later complains on stderr, and the user should see one line."""
    if path and path != ":memory:":
        sqlite3.connect(path).close()


def _statement_timeout_setter(milliseconds: int):
    """Sets PostgreSQL's statement_timeout on a new connection. Set by a SET, not as a startup parameter,
    which a pooler (PgBouncer) refuses unless told to ignore it; outside a transaction, so the pool's
    rollback on checkin does not undo it."""

    def set_statement_timeout(dbapi_connection, _record) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET statement_timeout = {milliseconds}")
        cursor.close()
        dbapi_connection.autocommit = autocommit

    return set_statement_timeout


def _prepare_sqlite_connection(dbapi_connection, _record) -> None:
    dbapi_connection.create_function(words.SQL_FUNCTION, 1, words.english_stems, deterministic=True)
    cursor = dbapi_connection.cursor()
    # the search index's triggers write to an FTS5 table through that function: an SQLite built to trust
    # neither in a schema (SQLITE_TRUSTED_SCHEMA=0) would refuse every article
    cursor.execute("PRAGMA trusted_schema=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
