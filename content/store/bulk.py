"""Bulk lookups and inserts that cost one statement on SQLite however many values they carry.

On SQLite the values travel as one JSON parameter and rows come back as one JSON row: each
statement is several hops to the driver's thread, and during an ingest each hop waits for the
event loop's current step (a feed's parse, an analysis chunk). Elsewhere values go in chunks
through plain `IN (...)` lists and executemany.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

_CHUNK = 500  # values per IN (...) list, well under every driver's parameter limit


def chunks(values: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def lists(dialect: str, values: list) -> Iterable[list]:
    """`values` cut into lists for `among`: on SQLite all in one, elsewhere in chunks."""
    if dialect == "sqlite":
        return [values] if values else []
    return chunks(values)


def among(dialect: str, column: sa.ColumnElement, values: list) -> sa.ColumnElement:
    """`column IN values`; on SQLite the values are one JSON parameter."""
    if dialect != "sqlite":
        return column.in_(values)
    listed = sa.func.json_each(sa.bindparam(None, json.dumps(values), type_=sa.Text)).table_valued("value")
    return column.in_(sa.select(listed.c.value))


async def all_rows(connection: AsyncConnection, statement: sa.Select) -> list[tuple]:
    """The rows of a SELECT of plain values (text, numbers). On SQLite they come as one JSON row,
    for the reason in `insert_rows`: the driver's thread takes the GIL again for every row it steps through."""
    if connection.dialect.name != "sqlite":
        return [tuple(row) for row in await connection.execute(statement)]
    found = statement.subquery()
    as_json = sa.select(sa.func.json_group_array(sa.func.json_array(*found.c)))
    return [tuple(row) for row in json.loads(await connection.scalar(as_json))]


def stored_time(value: datetime | str) -> datetime:
    """A stored time as `all_rows` returns it (on SQLite, naive UTC text), aware."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


async def insert_rows(connection: AsyncConnection, table: sa.Table, rows: list[dict]) -> None:
    """INSERT the rows (all with the same keys). On SQLite, one statement reads them from a JSON
    array: the writer thread takes the GIL once, not once per row, so it runs beside the analysis
    of the next source instead of queueing for the GIL behind it, and SQLAlchemy converts no row.
    The values are first converted by the columns' own types, so they are stored exactly as an
    executemany stores them."""
    if connection.dialect.name != "sqlite":
        await connection.execute(sa.insert(table), rows)
        return
    names = list(rows[0])
    dialect = connection.dialect
    converters = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    values = [
        [convert(row[name]) if convert else row[name] for name, convert in zip(names, converters)] for row in rows
    ]
    columns = ", ".join(f'"{name}"' for name in names)
    fields = ", ".join(f"json_extract(value, '$[{index}]')" for index in range(len(names)))
    statement = f'INSERT INTO "{table.name}" ({columns}) SELECT {fields} FROM json_each(?) ORDER BY key'
    # ensure_ascii=False: text a row cannot store (a lone surrogate) still fails as in an executemany
    await connection.exec_driver_sql(statement, (json.dumps(values, ensure_ascii=False),))


async def rows_where_in(
    connection: AsyncConnection, columns: Sequence[sa.ColumnElement], key: sa.ColumnElement, values: list
) -> list[tuple]:
    """`columns` of the rows whose `key` is one of `values`: `all_rows` of each of `lists`."""
    dialect = connection.dialect.name
    found: list[tuple] = []
    for listed in lists(dialect, values):
        found += await all_rows(connection, sa.select(*columns).where(among(dialect, key, listed)))
    return found
