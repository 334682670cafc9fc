"""The article store: SQLAlchemy 2 async on SQLite (WAL) or PostgreSQL, schema kept by Alembic.

Tags live in `article_tags(kind, value, published, article_seq)`, so a newest-first page of
a sector, a country or a region with its member countries is a short walk of one index (see
`queries`). `articles.seq` is the internal integer key (FTS rowid, keyset tie-breaker);
`Article.id` is the public one. A syndicated copy merged into an article keeps its own id as
an alias (`article_sources.copy_id`), so `get` finds the article by either.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Awaitable, Callable, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

import content.tagging.places as places
from content.dedupe import LEAD_CHARS, MAX_KEY_HITS, Fingerprint, fingerprint, same_story
from content.model import Article, Page, Query, SourceState
from content.store import cursor as cursors
from content.store import fulltext, queries
from content.store.migrate import run_migrations
from content.store.schema import article_sources, article_tags, articles, dedupe_keys, source_states

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "content_alembic_version"
MAX_LIMIT = 1000
COUNTS_TTL = 60.0  # seconds; another process (`newsbot ingest`) may add articles meanwhile
_CHUNK = 500  # values per IN (...) list, well under every driver's parameter limit
_RECENT_PRINTS = 4096  # fingerprints of articles this store added, kept to compare later batches against
# A text's match count only picks the join plan (never the results), and moves slowly: it is kept
# this long, for this many texts, sparing the count (a scan of up to 20,000 matches) on repeats.
_MATCH_COUNT_TTL = 600.0  # seconds
_MATCH_COUNTS = 1024
_SQLITE_BUSY_TIMEOUT_MS = 10_000
_POSTGRESQL_CONNECT_TIMEOUT_S = 10


class StorageError(Exception):
    """The store cannot be opened or migrated. The message is one line without secrets."""


@dataclass(frozen=True)
class AddResult:
    new: int
    duplicates: int
    new_ids: list[str] = field(default_factory=list)


def _async_url(url: str) -> URL:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+asyncpg")
    raise ArgumentError(f"unsupported database {backend!r} (use sqlite:/// or postgresql://)")


def _display_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparseable url)"


def _reason(error: BaseException) -> str:
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    text = str(cause).strip() or type(cause).__name__
    return text.splitlines()[0]


def _probe_sqlite_file(path: str | None) -> None:
    """Open the file once with the plain driver: a failed aiosqlite connect leaves a worker
    thread that later complains on stderr, and the user should see one line."""
    if path and path != ":memory:":
        sqlite3.connect(path).close()


def _enable_sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _create_engine(url: URL) -> AsyncEngine:
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(url)
        sa.event.listen(engine.sync_engine, "connect", _enable_sqlite_pragmas)
        return engine
    return create_async_engine(
        url, pool_pre_ping=True, connect_args={"timeout": _POSTGRESQL_CONNECT_TIMEOUT_S}
    )


def _chunks(values: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment.isoformat()}")
    return moment.astimezone(timezone.utc)


@dataclass
class _Pending:
    """A new article of the batch being added, before it has a seq."""

    article: Article
    fingerprint: Fingerprint
    seq: int | None = None


@dataclass
class _Known:
    """What the database already holds that a batch could duplicate."""

    seq_by_id: dict[str, int]
    copies: set[tuple[str, str]]  # (copy id, source) already recorded
    seqs_by_key: dict[str, list[int]]  # only keys that still tell articles apart
    fingerprints: dict[int, Fingerprint]
    common_keys: set[str]  # carried by too many articles to mean anything: not stored again


class Store:
    """Articles in, pages of articles out. Open with `await Store.open(url)`; close when done."""

    def __init__(self, engine: AsyncEngine):
        self.engine = engine
        self.dialect: str = engine.dialect.name
        self._write_lock = asyncio.Lock()
        self._counts: dict[str, tuple[float, dict[str, int]]] = {}
        # Syndicated copies arrive soon after the original: its fingerprint is often still here,
        # sparing a read of its text and a second fingerprint. Seqs are never reused (no deletes).
        self._recent_prints: OrderedDict[int, Fingerprint] = OrderedDict()
        self._match_counts: OrderedDict[tuple[str, ...], tuple[float, int]] = OrderedDict()  # terms -> (expiry, count)

    @classmethod
    async def open(cls, url: str) -> "Store":
        """Connect (sqlite:///path or postgresql://…) and migrate the schema to the newest version."""
        try:
            database_url = _async_url(url)
            if database_url.get_backend_name() == "sqlite":
                await asyncio.to_thread(_probe_sqlite_file, database_url.database)
            engine = _create_engine(database_url)
        except (ArgumentError, ValueError, sqlite3.Error) as error:
            raise StorageError(f"cannot open storage {_display_url(url)}: {_reason(error)}") from None
        try:
            await run_migrations(engine, MIGRATIONS, VERSION_TABLE)
        except Exception as error:
            await engine.dispose()
            raise StorageError(f"cannot open storage {_display_url(url)}: {_reason(error)}") from None
        return cls(engine)

    async def close(self) -> None:
        await self.engine.dispose()

    # -- adding -----------------------------------------------------------------------------

    async def add(self, batch: Sequence[Article]) -> AddResult:
        """Store new articles; an article seen before (same id, or the same story under another
        URL) is a duplicate whose source is recorded on the stored one."""
        batch = list(batch)
        for article in batch:
            _aware(article.published, f"article {article.id}: published")
            _aware(article.fetched, f"article {article.id}: fetched")
        async with self._write_lock:
            try:
                result = await self._add_in_transaction(batch)
            except IntegrityError:
                # Another process stored one of these between our check and our insert: check again.
                result = await self._add_in_transaction(batch)
        self._counts.clear()
        return result

    async def _add_in_transaction(self, batch: list[Article]) -> AddResult:
        fingerprints = [fingerprint(article.title, article.text) for article in batch]
        async with self.engine.begin() as connection:
            known = await self._known(connection, batch, fingerprints)
            pending, copies, duplicates = _sort_batch(batch, fingerprints, known)
            await self._insert_new(connection, pending, known.common_keys)
            await self._record_copies(connection, copies)
        self._remember_prints((entry.seq, entry.fingerprint) for entry in pending)  # committed: seqs are final
        return AddResult(
            new=len(pending), duplicates=duplicates, new_ids=[entry.article.id for entry in pending]
        )

    async def _known(
        self, connection: AsyncConnection, batch: list[Article], fingerprints: list[Fingerprint]
    ) -> _Known:
        ids = list({article.id for article in batch})
        seq_by_id: dict[str, int] = {}
        copies: set[tuple[str, str]] = set()
        for chunk in self._lists(ids):
            statement = sa.select(articles.c.id, articles.c.seq).where(self._among(articles.c.id, chunk))
            seq_by_id.update(await _all_rows(connection, statement))
            statement = sa.select(
                article_sources.c.copy_id, article_sources.c.source, article_sources.c.article_seq
            ).where(self._among(article_sources.c.copy_id, chunk))
            for copy_id, source, seq in await _all_rows(connection, statement):
                seq_by_id.setdefault(copy_id, seq)
                copies.add((copy_id, source))
        keys = list({key for print_ in fingerprints for key in print_.keys})
        seqs_by_key: dict[str, list[int]] = {}
        for chunk in self._lists(keys):
            statement = sa.select(dedupe_keys.c.key, dedupe_keys.c.article_seq).where(
                self._among(dedupe_keys.c.key, chunk)
            )
            for key, seq in await _all_rows(connection, statement):
                seqs_by_key.setdefault(key, []).append(seq)
        common_keys = {key for key, seqs in seqs_by_key.items() if len(seqs) >= MAX_KEY_HITS}
        seqs_by_key = {key: seqs for key, seqs in seqs_by_key.items() if key not in common_keys}
        candidates = {seq for seqs in seqs_by_key.values() for seq in seqs}
        stored_prints = {seq: self._recent_prints[seq] for seq in candidates if seq in self._recent_prints}
        for chunk in self._lists([seq for seq in candidates if seq not in stored_prints]):
            statement = sa.select(
                articles.c.seq, articles.c.title, sa.func.substr(articles.c.text, 1, LEAD_CHARS * 2)
            ).where(self._among(articles.c.seq, chunk))
            rows = await _all_rows(connection, statement)
            stored_prints.update({seq: fingerprint(title, lead, with_keys=False) for seq, title, lead in rows})
        return _Known(seq_by_id, copies, seqs_by_key, stored_prints, common_keys)

    def _lists(self, values: list) -> Iterable[list]:
        """`values` cut into lists for `_among`: on SQLite all in one, elsewhere in chunks."""
        if self.dialect == "sqlite":
            return [values] if values else []
        return _chunks(values)

    def _among(self, column: sa.ColumnElement, values: list) -> sa.ColumnElement:
        """`column IN values`. On SQLite the values travel as one JSON parameter, so a lookup is one
        statement however many values: each statement is several hops to the driver's thread, and
        during an ingest each hop waits for the event loop's current step (a feed's parse, an analysis chunk)."""
        if self.dialect != "sqlite":
            return column.in_(values)
        listed = sa.func.json_each(sa.bindparam(None, json.dumps(values), type_=sa.Text)).table_valued("value")
        return column.in_(sa.select(listed.c.value))

    def _remember_prints(self, prints: Iterable[tuple[int, Fingerprint]]) -> None:
        recent = self._recent_prints
        recent.update(prints)
        while len(recent) > _RECENT_PRINTS:
            recent.popitem(last=False)

    async def _insert_new(self, connection: AsyncConnection, pending: list[_Pending], common_keys: set[str]) -> None:
        if not pending:
            return
        # A bulk insert and one SELECT for the new seqs is several times faster than RETURNING per row.
        await _insert_rows(connection, articles, [_article_row(entry.article) for entry in pending])
        by_id = {entry.article.id: entry for entry in pending}
        for article_id, seq in await _seqs_of(connection, list(by_id)):
            by_id[article_id].seq = seq
        tag_rows = [row for entry in pending for row in _tag_rows(entry.article, entry.seq)]
        if tag_rows:
            await _insert_rows(connection, article_tags, tag_rows)
        key_rows = [
            {"key": key, "article_seq": entry.seq}
            for entry in pending
            for key in entry.fingerprint.keys
            if key not in common_keys
        ]
        if key_rows:
            await _insert_rows(connection, dedupe_keys, key_rows)

    async def _record_copies(self, connection: AsyncConnection, copies: list[tuple[int | _Pending, Article, str]]) -> None:
        now = datetime.now(timezone.utc)
        rows = [
            {
                "article_seq": target.seq if isinstance(target, _Pending) else target,
                "copy_id": article.id,
                "source": source,
                "url": article.url,
                "added": now,
            }
            for target, article, source in copies
        ]
        if not rows:
            return
        await _insert_rows(connection, article_sources, rows)
        merged_into = {
            row["article_seq"]
            for row, (target, article, _source) in zip(rows, copies)
            if not isinstance(target, _Pending) or article is not target.article
        }
        await _refresh_source_lists(connection, sorted(merged_into))

    # -- reading ----------------------------------------------------------------------------

    async def known_ids(self, ids: Sequence[str]) -> set[str]:
        """Those of `ids` already stored, as an article or as a copy merged into one."""
        found: set[str] = set()
        async with self.engine.connect() as connection:
            for chunk in self._lists(list(set(ids))):
                stored = sa.select(articles.c.id).where(self._among(articles.c.id, chunk))
                found.update(await connection.scalars(stored))
                copies = sa.select(article_sources.c.copy_id).where(self._among(article_sources.c.copy_id, chunk))
                found.update(await connection.scalars(copies))
        return found

    async def get(self, article_id: str) -> Article | None:
        """The article with this id, or the one a syndicated copy with this id was merged into."""
        async with self.engine.connect() as connection:
            seq = await connection.scalar(sa.select(articles.c.seq).where(articles.c.id == article_id))
            if seq is None:
                seq = await connection.scalar(
                    sa.select(article_sources.c.article_seq).where(article_sources.c.copy_id == article_id).limit(1)
                )
            if seq is None:
                return None
            return (await _load(connection, [seq]))[0]

    async def find(self, query: Query = Query(), limit: int = 10, cursor: str | None = None) -> Page:
        """Matching articles, newest first (published, then insertion order, descending)."""
        _check_limit(limit)
        after = cursors.decode_newest(cursor) if cursor else None
        terms = fulltext.search_terms(query.text) if query.text else []
        if query.text and not terms:
            return Page([])
        async with self.engine.connect() as connection:
            text_mode = await self._text_mode(connection, terms, bool(query.sectors or query.countries or query.regions))
            positions = queries.newest_first(self.dialect, query, terms, text_mode, after, limit + 1)
            rows = (await connection.execute(queries.with_articles(positions, "published", "seq"))).all()
        next_cursor = None
        if len(rows) > limit:
            next_cursor = cursors.newest_cursor(rows[limit - 1].published, rows[limit - 1].seq)
        return Page([_article(row) for row in rows[:limit]], next_cursor)

    async def search(
        self, text: str, query: Query = Query(), limit: int = 10, cursor: str | None = None
    ) -> Page:
        """Articles matching every word of `text`, most relevant first, within `query`'s filters.

        Without sector or place filters, SQLite ranks the newest 2,000 matches (news: recent first)."""
        _check_limit(limit)
        after = cursors.decode_ranked(cursor) if cursor else None
        terms = fulltext.search_terms(text) + (fulltext.search_terms(query.text) if query.text else [])
        if not terms:
            return Page([])
        positions = queries.ranked_first(self.dialect, query, terms, after, limit + 1)
        async with self.engine.connect() as connection:
            rows = (await connection.execute(queries.with_articles(positions, "score", "seq"))).all()
        next_cursor = None
        if len(rows) > limit:
            next_cursor = cursors.ranked_cursor(float(rows[limit - 1].score), rows[limit - 1].seq)
        return Page([_article(row) for row in rows[:limit]], next_cursor)

    async def fetched_since(self, since: datetime, query: Query = Query(), limit: int = 100) -> list[Article]:
        """Articles fetched strictly after `since`, oldest fetch first (for schedules and subscriptions)."""
        _check_limit(limit)
        since = _aware(since, "since")
        terms = fulltext.search_terms(query.text) if query.text else []
        if query.text and not terms:
            return []
        statement = queries.fetched_after(self.dialect, since, query, terms, limit)
        async with self.engine.connect() as connection:
            return [_article(row) for row in await connection.execute(statement)]

    async def _text_mode(self, connection: AsyncConnection, terms: list[fulltext.Term], tag_filtered: bool) -> str:
        if not terms or self.dialect != "sqlite":
            return fulltext.join_mode(self.dialect, None)
        key = tuple(terms)
        cached = self._match_counts.pop(key, None)
        if cached is None or cached[0] < time.monotonic():
            cached = (time.monotonic() + _MATCH_COUNT_TTL, await connection.scalar(fulltext.match_count_probe(terms)))
        self._match_counts[key] = cached  # now the most recently used
        if len(self._match_counts) > _MATCH_COUNTS:
            self._match_counts.popitem(last=False)
        return fulltext.join_mode(self.dialect, cached[1], tag_filtered)

    async def count_by_sector(self) -> dict[str, int]:
        return await self._cached_count("sector", lambda: self._count_tags("sector"))

    async def count_by_country(self) -> dict[str, int]:
        return await self._cached_count("country", lambda: self._count_tags("country"))

    async def count_by_region(self) -> dict[str, int]:
        """Articles per known region: tagged with the region or with one of its member countries."""
        return await self._cached_count("region", self._count_regions)

    async def count_by_source(self) -> dict[str, int]:
        return await self._cached_count("source", self._count_sources)

    async def _cached_count(self, name: str, count: Callable[[], Awaitable[dict[str, int]]]) -> dict[str, int]:
        """Counts feed menus and autocomplete, called often and costly on a large store: they are
        kept for COUNTS_TTL seconds, or until this store adds something."""
        cached = self._counts.get(name)
        if cached is None or cached[0] < time.monotonic():
            cached = (time.monotonic() + COUNTS_TTL, await count())
            self._counts[name] = cached
        return dict(cached[1])

    async def _count_tags(self, kind: str) -> dict[str, int]:
        statement = (
            sa.select(article_tags.c.value, sa.func.count())
            .where(article_tags.c.kind == kind)
            .group_by(article_tags.c.value)
        )
        async with self.engine.connect() as connection:
            return {value: count for value, count in await connection.execute(statement)}

    async def _count_regions(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        async with self.engine.connect() as connection:
            for region in sorted(places.known_regions()):
                condition = queries.place_condition(article_tags, (), (region,))
                statement = sa.select(sa.func.count(sa.distinct(article_tags.c.article_seq))).where(condition)
                count = await connection.scalar(statement)
                if count:
                    counts[region] = count
        return counts

    async def _count_sources(self) -> dict[str, int]:
        statement = sa.select(
            article_sources.c.source, sa.func.count(sa.distinct(article_sources.c.article_seq))
        ).group_by(article_sources.c.source)
        async with self.engine.connect() as connection:
            return {source: count for source, count in await connection.execute(statement)}

    # -- source state -----------------------------------------------------------------------

    async def source_state(self, name: str) -> SourceState:
        async with self.engine.connect() as connection:
            row = (await connection.execute(sa.select(source_states).where(source_states.c.name == name))).first()
        if row is None:
            return SourceState(name=name)
        return SourceState(
            name=row.name,
            etag=row.etag,
            last_modified=row.last_modified,
            failures=row.failures,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
            extra=dict(row.extra or {}),
        )

    async def save_source_state(self, state: SourceState) -> None:
        values = {
            "name": state.name,
            "etag": state.etag,
            "last_modified": state.last_modified,
            "failures": state.failures,
            "next_attempt_at": state.next_attempt_at,
            "last_error": state.last_error,
            "extra": state.extra,
        }
        insert = (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(source_states).values(values)
        upsert = insert.on_conflict_do_update(
            index_elements=[source_states.c.name], set_={key: insert.excluded[key] for key in values if key != "name"}
        )
        async with self.engine.begin() as connection:
            await connection.execute(upsert)


# -- helpers: batches ---------------------------------------------------------------------------


def _sort_batch(
    batch: list[Article], fingerprints: list[Fingerprint], known: _Known
) -> tuple[list[_Pending], list[tuple[int | _Pending, Article, str]], int]:
    """Split a batch into new articles and duplicates; list the (target, copy, source) rows to record."""
    pending: list[_Pending] = []
    pending_by_id: dict[str, _Pending] = {}
    pending_by_key: dict[str, list[_Pending]] = {}
    copies: list[tuple[int | _Pending, Article, str]] = []
    recorded = set(known.copies)
    duplicates = 0
    for article, print_ in zip(batch, fingerprints):
        target = known.seq_by_id.get(article.id, pending_by_id.get(article.id))
        if target is None:
            target = _near_duplicate(print_, known, pending_by_key)
        if target is None:
            target = _Pending(article, print_)
            pending.append(target)
            pending_by_id[article.id] = target
            for key in print_.keys:
                pending_by_key.setdefault(key, []).append(target)
        else:
            duplicates += 1
        for source in dict.fromkeys(article.sources):
            if (article.id, source) not in recorded:
                recorded.add((article.id, source))
                copies.append((target, article, source))
    return pending, copies, duplicates


async def _insert_rows(connection: AsyncConnection, table: sa.Table, rows: list[dict]) -> None:
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


async def _all_rows(connection: AsyncConnection, statement: sa.Select) -> list[tuple]:
    """The rows of a SELECT of plain values (text, numbers). On SQLite they come as one JSON row,
    for the reason in `_insert_rows`: the driver's thread takes the GIL again for every row it steps through."""
    if connection.dialect.name != "sqlite":
        return [tuple(row) for row in await connection.execute(statement)]
    found = statement.subquery()
    as_json = sa.select(sa.func.json_group_array(sa.func.json_array(*found.c)))
    return [tuple(row) for row in json.loads(await connection.scalar(as_json))]


async def _seqs_of(connection: AsyncConnection, ids: list[str]) -> list[tuple[str, int]]:
    """(id, seq) of these stored articles; on SQLite as one JSON row, for the reason in `_insert_rows`."""
    if connection.dialect.name != "sqlite":
        found = []
        for chunk in _chunks(ids):
            statement = sa.select(articles.c.id, articles.c.seq).where(articles.c.id.in_(chunk))
            found += [(article_id, seq) for article_id, seq in await connection.execute(statement)]
        return found
    statement = (
        "SELECT json_group_array(json_array(id, seq)) FROM articles WHERE id IN (SELECT value FROM json_each(?))"
    )
    result = await connection.exec_driver_sql(statement, (json.dumps(ids),))
    return [(article_id, seq) for article_id, seq in json.loads(result.scalar_one())]


async def _refresh_source_lists(connection: AsyncConnection, seqs: list[int]) -> None:
    """Rewrite `articles.sources` from the copies recorded for these articles, first source first."""
    names_by_seq: dict[int, list[str]] = {}
    for chunk in _chunks(seqs):
        statement = (
            sa.select(article_sources.c.article_seq, article_sources.c.source)
            .where(article_sources.c.article_seq.in_(chunk))
            .order_by(article_sources.c.id)
        )
        for seq, source in await connection.execute(statement):
            names = names_by_seq.setdefault(seq, [])
            if source not in names:
                names.append(source)
    if names_by_seq:
        update = articles.update().where(articles.c.seq == sa.bindparam("target")).values(sources=sa.bindparam("names"))
        await connection.execute(update, [{"target": seq, "names": names} for seq, names in names_by_seq.items()])


def _near_duplicate(
    print_: Fingerprint, known: _Known, pending_by_key: dict[str, list[_Pending]]
) -> int | _Pending | None:
    for key in print_.keys:
        for seq in known.seqs_by_key.get(key, ()):
            if same_story(print_, known.fingerprints[seq]):
                return seq
        pending = pending_by_key.get(key, ())
        for entry in pending if len(pending) <= MAX_KEY_HITS else ():
            if same_story(print_, entry.fingerprint):
                return entry
    return None


def _article_row(article: Article) -> dict:
    return {
        "id": article.id,
        "url": article.url,
        "guid": article.guid,
        "title": article.title,
        "author": article.author,
        "language": article.language,
        "published": article.published,
        "fetched": article.fetched,
        "text": article.text,
        "summary": article.summary,
        "sectors": list(dict.fromkeys(article.sectors)),
        "countries": list(dict.fromkeys(code.upper() for code in article.countries)),
        "regions": list(dict.fromkeys(article.regions)),
        "sources": list(dict.fromkeys(article.sources)),
    }


def _tag_rows(article: Article, seq: int) -> list[dict]:
    tags = {("sector", sector) for sector in article.sectors}
    tags |= {("country", code.upper()) for code in article.countries}
    tags |= {("region", region) for region in article.regions}
    return [
        {"article_seq": seq, "kind": kind, "value": value, "published": article.published}
        for kind, value in sorted(tags)
    ]


# -- helpers: queries ---------------------------------------------------------------------------


async def _load(connection: AsyncConnection, seqs: Sequence[int]) -> list[Article]:
    """Full articles for `seqs`, in that order."""
    if not seqs:
        return []
    rows = {row.seq: row for row in await connection.execute(sa.select(articles).where(articles.c.seq.in_(seqs)))}
    return [_article(rows[seq]) for seq in seqs if seq in rows]


def _article(row) -> Article:
    return Article(
        id=row.id,
        url=row.url,
        title=row.title,
        sources=tuple(row.sources),
        published=row.published,
        fetched=row.fetched,
        text=row.text,
        summary=row.summary,
        author=row.author,
        guid=row.guid,
        sectors=tuple(row.sectors),
        countries=tuple(row.countries),
        regions=tuple(row.regions),
        language=row.language,
    )
