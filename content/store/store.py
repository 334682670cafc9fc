"""The article store: SQLAlchemy 2 async on SQLite (WAL) or PostgreSQL, schema kept by Alembic.

`Store` opens the database (see `engine`), adds batches (the work is in `adding`), reads pages
of articles, counts them and keeps each source's fetch state.

Tags live in `article_tags(kind, value, published, article_seq)`, so a newest-first page of
a sector, a country or a region with its members is a short walk of one index (see
`queries`). `articles.seq` is the internal integer key (FTS rowid, keyset tie-breaker);
`Article.id` is the public one. A syndicated copy merged into an article keeps its own id as
an alias (`article_sources.copy_id`), so `get` finds the article by either.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Awaitable, Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.exc import ArgumentError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

import content.tagging.places as places
from content.dedupe import Fingerprint, fingerprint
from content.model import Article, Page, Query, SourceState, entry_key, text_hash
from content.settings import STATEMENT_TIMEOUT_SECONDS, StorageSettings
from content.store import adding, fulltext, queries
from content.store import cursor as cursors
from content.store.bulk import rows_where_in, stored_time
from content.store.engine import display_url, failure_reason, open_engine, sqlite_folder_problem
from content.store.migrate import run_migrations
from content.store.schema import article_sources, article_tags, articles, source_states
from content.store.upsert import insert_or_update

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "content_alembic_version"
MAX_LIMIT = 1000
COUNTS_TTL = 60.0  # seconds; another process (`newsbot ingest`) may add articles meanwhile
# A text's match count only picks the join plan (never the results), and moves slowly: it is kept
# this long, for this many texts, sparing the count (a scan of up to 20,000 matches) on repeats.
_MATCH_COUNT_TTL = 600.0  # seconds
_MATCH_COUNTS = 1024
_ADD_LOCK = 0x6E626164  # PostgreSQL advisory lock key of a transaction adding articles


class StorageError(Exception):
    """The store cannot be opened or migrated. The message is one line without secrets."""


@dataclass(frozen=True)
class StoredText:
    """What ingest compares a feed's entry seen again against."""

    source: str  # the source that stored the article: the only one whose edits it takes
    guid: str | None  # of the entry it was stored from
    text_hash: str  # of its title, text and code (content.model.text_hash)
    url: str | None


@dataclass(frozen=True)
class StoredEntry:
    """An article by the entry it was stored from: what ingest compares that entry met at another
    link against, to tell a moved story from another one under the same guid."""

    id: str
    source: str
    guid: str
    title: str
    published: datetime
    url: str | None


@dataclass(frozen=True)
class AddResult:
    new: int
    duplicates: int
    new_ids: list[str] = field(default_factory=list)


def _cannot_open(url: str, error: BaseException) -> StorageError:
    folder_problem = sqlite_folder_problem(url)
    because = f" ({folder_problem})" if folder_problem else ""
    return StorageError(f"cannot open storage {display_url(url)}: {failure_reason(error)}{because}")


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment.isoformat()}")
    return moment.astimezone(timezone.utc)


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
        self._match_counts: OrderedDict[fulltext.Terms, tuple[float, int]] = OrderedDict()  # terms -> (expiry, count)

    @classmethod
    async def open(cls, url: str, *, statement_timeout_seconds: float = STATEMENT_TIMEOUT_SECONDS) -> "Store":
        """Connect (sqlite:///path or postgresql://…) and migrate the schema to the newest version."""
        try:
            engine = await open_engine(url, statement_timeout_seconds)
        except (ArgumentError, ValueError, sqlite3.Error) as error:
            raise _cannot_open(url, error) from None
        try:
            await run_migrations(engine, MIGRATIONS, VERSION_TABLE)
        except Exception as error:
            await engine.dispose()
            raise _cannot_open(url, error) from None
        return cls(engine)

    @classmethod
    async def from_settings(cls, settings: StorageSettings) -> "Store":
        return await cls.open(settings.url, statement_timeout_seconds=settings.statement_timeout_seconds)

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
        fingerprints = [fingerprint(article.title, article.text, published=article.published) for article in batch]
        async with self.engine.begin() as connection:
            await self._take_turn_to_write(connection)
            known = await adding.find_known(connection, batch, fingerprints, self._recent_prints)
            pending, copies, duplicates = adding.sort_batch(batch, fingerprints, known)
            await adding.insert_new(connection, pending, known.common_keys)
            await adding.record_copies(connection, copies)
        adding.remember_prints(self._recent_prints, pending)
        return AddResult(
            new=len(pending), duplicates=duplicates, new_ids=[entry.article.id for entry in pending]
        )

    async def revise(self, revised: Sequence[Article]) -> int:
        """Give stored articles (by id) the link, title, text, code, summary and tags of these edited versions,
        keeping everything else (dates, sources, their place in the store, so no one is sent them
        again). Returns how many were stored."""
        async with self._write_lock, self.engine.begin() as connection:
            await self._take_turn_to_write(connection)
            seqs = await adding.revise(connection, list(revised))
        for seq in seqs:
            self._recent_prints.pop(seq, None)
        self._counts.clear()
        return len(seqs)

    async def stored_texts(self, ids: Sequence[str]) -> dict[str, StoredText]:
        """The source, guid, text hash and link of those of `ids` stored as articles (not as copies
        merged into one). An article stored before hashes were kept gets one now, of its stored title
        and text."""
        columns = (articles.c.id, articles.c.sources[0].as_string(), articles.c.guid, articles.c.text_hash, articles.c.url)
        async with self.engine.connect() as connection:
            rows = await rows_where_in(connection, columns, articles.c.id, list(set(ids)))
        hashes = {article_id: stored_hash for article_id, _source, _guid, stored_hash, _url in rows}
        missing = [article_id for article_id, stored_hash in hashes.items() if stored_hash is None]
        if missing:
            hashes.update(await self._hash_stored_texts(missing))
        return {
            article_id: StoredText(source, guid, hashes[article_id], url)
            for article_id, source, guid, _hash, url in rows
            if source
        }

    async def stored_entries(self, entries: Sequence[tuple[str, str]]) -> list[StoredEntry]:
        """The articles first stored from these (source, guid) entries: none, one, or several for a
        guid its feed gave to several stories."""
        by_key = {entry_key(source, guid): (source, guid) for source, guid in entries}
        columns = (articles.c.id, articles.c.entry_key, articles.c.title, articles.c.published, articles.c.url)
        async with self.engine.connect() as connection:
            rows = await rows_where_in(connection, columns, articles.c.entry_key, list(by_key))
        return [
            StoredEntry(article_id, *by_key[key], title, stored_time(published), url)
            for article_id, key, title, published, url in rows
        ]

    async def _hash_stored_texts(self, ids: list[str]) -> dict[str, str]:
        async with self._write_lock, self.engine.begin() as connection:
            await self._take_turn_to_write(connection)
            columns = (articles.c.id, articles.c.title, articles.c.text, articles.c.code)
            hashes = {
                article_id: text_hash(title, text, code)
                for article_id, title, text, code in await rows_where_in(connection, columns, articles.c.id, ids)
            }
            unhashed = articles.update().where(articles.c.id == sa.bindparam("target"), articles.c.text_hash.is_(None))
            await connection.execute(
                unhashed.values(text_hash=sa.bindparam("hash")),
                [{"target": article_id, "hash": value} for article_id, value in hashes.items()],
            )
        return hashes

    async def _take_turn_to_write(self, connection: AsyncConnection) -> None:
        """One writer at a time from before it reads what is stored, so a copy another process is
        adding is merged, not stored beside it, and articles become visible in seq order (a reader
        of `position()` has seen every article up to it)."""
        if self.dialect == "postgresql":
            await connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADD_LOCK})
        else:  # SQLite takes its write lock at the first write otherwise, refused if another wrote since the read
            await connection.exec_driver_sql("BEGIN IMMEDIATE")

    # -- reading ----------------------------------------------------------------------------

    async def known_ids(self, ids: Sequence[str]) -> set[str]:
        """Those of `ids` already stored, as an article or as a copy merged into one."""
        unique = list(set(ids))
        async with self.engine.connect() as connection:
            stored = await rows_where_in(connection, (articles.c.id,), articles.c.id, unique)
            copies = await rows_where_in(connection, (article_sources.c.copy_id,), article_sources.c.copy_id, unique)
        return {found_id for (found_id,) in stored + copies}

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
        terms = fulltext.search_terms(query.text) if query.text else fulltext.Terms()
        if query.text and not terms:
            return Page([])
        async with self.engine.connect() as connection:
            text_mode = await self._text_mode(connection, terms, query.has_tags)
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

        Without sector, place or date filters, SQLite ranks the newest 2,000 matches (news: recent first)."""
        _check_limit(limit)
        through, shown = cursors.decode_ranked(cursor) if cursor else (None, ())
        terms = fulltext.search_terms(text) + (fulltext.search_terms(query.text) if query.text else fulltext.Terms())
        if not terms.required:
            return Page([])
        # the first page ranks what is stored now; later pages the same articles, nothing newer
        bound = queries.position() if through is None else sa.literal(through, sa.Integer)
        positions = queries.ranked_page(self.dialect, query, terms, bound, shown, limit + 1)
        async with self.engine.connect() as connection:
            rows = (await connection.execute(queries.with_articles(positions, "score", "seq"))).all()
        page = rows[:limit]
        now_shown = (*shown, *(row.seq for row in page))
        more = len(rows) > limit and len(now_shown) < cursors.MAX_SHOWN
        next_cursor = cursors.ranked_cursor(rows[0].through, now_shown) if more else None
        return Page([_article(row) for row in page], next_cursor)

    async def stored_after(self, after: int, limit: int = 100) -> list[tuple[int, Article]]:
        """The first `limit` articles stored after position `after`, each with its position, in the
        order they were stored."""
        _check_limit(limit)
        statement = sa.select(articles).where(articles.c.seq > after).order_by(articles.c.seq).limit(limit)
        async with self.engine.connect() as connection:
            return [(row.seq, _article(row)) for row in await connection.execute(statement)]

    async def position(self) -> int:
        """The seq of the newest stored article (0 when empty): what is added later comes after it."""
        async with self.engine.connect() as connection:
            return await connection.scalar(sa.select(queries.position()))

    async def stored_between(
        self, after: int, through: int, query: Query = Query(), newest: int = 10
    ) -> tuple[list[Article], int]:
        """The `newest` articles (by publication) of those stored after position `after` up to
        `through` that match the query (its period included), and how many those are (for digests:
        the count of a period and its newest few)."""
        _check_limit(newest)
        terms = fulltext.search_terms(query.text) if query.text else fulltext.Terms()
        if query.text and not terms:
            return [], 0
        statement = queries.stored_between(self.dialect, after, through, query, terms)
        newest_first = statement.order_by(articles.c.published.desc(), articles.c.seq.desc()).limit(newest)
        async with self.engine.connect() as connection:
            count = await connection.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))
            return [_article(row) for row in await connection.execute(newest_first)], count

    async def _text_mode(self, connection: AsyncConnection, terms: fulltext.Terms, tag_filtered: bool) -> str:
        if not terms.required or self.dialect != "sqlite":
            return fulltext.join_mode(self.dialect, None)
        cached = self._match_counts.pop(terms, None)
        if cached is None or cached[0] < time.monotonic():
            cached = (time.monotonic() + _MATCH_COUNT_TTL, await connection.scalar(fulltext.match_count_probe(terms)))
        self._match_counts[terms] = cached  # now the most recently used
        if len(self._match_counts) > _MATCH_COUNTS:
            self._match_counts.popitem(last=False)
        return fulltext.join_mode(self.dialect, cached[1], tag_filtered)

    async def count_by_sector(self) -> dict[str, int]:
        return await self._cached_count("sector", lambda: self._count_tags("sector"))

    async def count_by_country(self) -> dict[str, int]:
        return await self._cached_count("country", lambda: self._count_tags("country"))

    async def count_by_region(self) -> dict[str, int]:
        """Articles per known region: tagged with the region, a region inside it or a member country."""
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
        return SourceState(name=name) if row is None else _source_state(row)

    async def source_states(self) -> list[SourceState]:
        """The state of every source saved so far, by name, those no longer configured too."""
        async with self.engine.connect() as connection:
            rows = (await connection.execute(sa.select(source_states).order_by(source_states.c.name))).all()
        return [_source_state(row) for row in rows]

    async def save_source_state(self, state: SourceState) -> None:
        values = {
            "etag": state.etag,
            "last_modified": state.last_modified,
            "failures": state.failures,
            "next_attempt_at": state.next_attempt_at,
            "last_error": state.last_error,
            "extra": state.extra,
        }
        # in turn with the articles other sources store meanwhile, not polling SQLite until its busy timeout
        async with self._write_lock, self.engine.begin() as connection:
            await self._take_turn_to_write(connection)
            await insert_or_update(connection, source_states, {"name": state.name}, values, required=values)


# -- helpers: queries ---------------------------------------------------------------------------


async def _load(connection: AsyncConnection, seqs: Sequence[int]) -> list[Article]:
    """Full articles for `seqs`, in that order."""
    if not seqs:
        return []
    rows = {row.seq: row for row in await connection.execute(sa.select(articles).where(articles.c.seq.in_(seqs)))}
    return [_article(rows[seq]) for seq in seqs if seq in rows]


def _source_state(row) -> SourceState:
    return SourceState(**{**row._mapping, "extra": dict(row.extra or {})})  # the table's columns are its fields


def _article(row) -> Article:
    return Article(
        id=row.id,
        url=row.url,
        title=row.title,
        sources=tuple(row.sources),
        published=row.published,
        fetched=row.fetched,
        text=row.text,
        code=row.code,
        summary=row.summary,
        author=row.author,
        guid=row.guid,
        sectors=tuple(row.sectors),
        countries=tuple(row.countries),
        regions=tuple(row.regions),
        language=row.language,
    )
