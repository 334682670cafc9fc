"""From new articles to queued messages: instant subscriptions per article, digests per period.

A persisted cursor, a store position (see `Store.stored_after`), moves forward in the same
transaction as the rows it queued, so a crash either queued a page of articles and moved past
it, or did neither; queueing twice is harmless anyway (the outbox is unique per target and key,
and an article sent in a message of several still has its own row, under its id, for that target).
Digests remember the position they covered the same way.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.clock import Clock
from bot.commands.results import article_card
from bot.delivery import tables
from bot.delivery.outbox import Outbox, WaitingDigests, digest_key, subscription_series, waiting_digests
from bot.failures import RetriedFailures
from bot.model import Reply, burst_message, new_articles
from bot.subscriptions.matching import SubscriptionIndex
from bot.subscriptions.store import FANOUT_CURSOR, Subscription, SubscriptionStore, topic_label
from bot.time_phrases import span_label
from content.model import NEWS_AGE, Article, Period, Query
from content.store import Store
from content.store.queries import position
from content.store.upsert import insert_ignoring_duplicates, insert_or_update
from content.tagging import Tagger, region_scope

log = logging.getLogger(__name__)

_PAGE = 200
_ROWS_PER_TRANSACTION = 10_000
DIGEST_SIZE = 10
BURST_THRESHOLD = 3  # more articles than this for one chat in one page go DIGEST_SIZE to a message


class FanOut:
    def __init__(
        self,
        store: Store,
        subscriptions: SubscriptionStore,
        outbox: Outbox,
        tagger: Tagger,
        clock: Clock,
        on_queued: Callable[[], None] = lambda: None,
    ):
        self._store = store
        self._subscriptions = subscriptions
        self._outbox = outbox
        self._tagger = tagger
        self._clock = clock
        self._on_queued = on_queued
        self._index: SubscriptionIndex | None = None
        self._index_revision: float | None = None
        self._failures = RetriedFailures(log, "subscription fan-out")

    async def run(self, stop: asyncio.Event, interval: float = 15.0) -> None:
        """Match new articles and send due digests every `interval` seconds until `stop` is set."""
        while not stop.is_set():
            try:
                queued = await self.run_once() + await self.run_digests()
                if queued:
                    self._on_queued()
            except Exception as error:
                self._failures.failed(error, f"retrying every {interval:g}s")
            else:
                self._failures.succeeded()
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except asyncio.TimeoutError:
                pass

    # ---- instant -------------------------------------------------------------------------

    async def index(self) -> SubscriptionIndex:
        """The instant-subscription index, rebuilt when any process changed a subscription."""
        revision = await self._subscriptions.revision()
        if self._index is None or revision != self._index_revision:
            return await self._rebuild(revision)
        return self._index

    async def _rebuild(self, revision: float, connection: AsyncConnection | None = None) -> SubscriptionIndex:
        rows = await self._subscriptions.instant_rows(connection)
        self._index, self._index_revision = SubscriptionIndex(rows, region_scope), revision
        return self._index

    async def run_once(self) -> int:
        """Queue the messages of new articles for the instant subscriptions they match; returns messages queued.

        Articles are read in the order they were stored, after the store position the cursor
        holds: an ingest that committed late is still read, and nothing is read twice. Each page
        is queued under the subscriptions revision's lock, with the index of that revision (rebuilt
        under the lock when a subscription changed): a change to subscriptions and a page take turns.
        A chat gets a message per article, or, when the page has more than BURST_THRESHOLD for it,
        messages of up to DIGEST_SIZE articles each (see `_queue_bursts`).
        """
        await self.index()
        after, queued = await self._load_cursor(), 0
        while batch := await self._store.stored_after(after, limit=_PAGE):
            messages, after = await self._queue_page(batch)
            queued += messages
        return queued

    async def _queue_page(self, batch: list[tuple[int, Article]]) -> tuple[int, int]:
        """Queue a page in one transaction; returns the messages queued and the position it goes up to.
        The revision lock makes a schedule's run, which queues articles too, wait for the page."""
        async with self._store.engine.begin() as connection:
            revision = await tables.locked_subscriptions_revision(connection)
            index = self._index if revision == self._index_revision else await self._rebuild(revision, connection)
            matches, after = self._matches(index, batch)
            queued = await self._queue(connection, matches)
            await self._save_cursor(connection, after)
        return queued, after

    @staticmethod
    def _matches(index: SubscriptionIndex, batch: list[tuple[int, Article]]) -> tuple[list[tuple[Article, list[int]]], int]:
        """The page's articles with the targets each reaches, and the position they go up to."""
        matches, rows = [], 0
        for seq, article in batch:
            targets = index.targets_for(article, seq) if article.was_news_when_fetched else []
            matches.append((article, targets))
            rows += len(targets)
            after = seq
            if rows >= _ROWS_PER_TRANSACTION:  # the lock is not held for long: the rest in the next one
                break
        return matches, after

    async def _queue(self, connection: AsyncConnection, matches: list[tuple[Article, list[int]]]) -> int:
        bursts = await self._bursts(connection, matches)
        queued = await self._queue_bursts(connection, bursts)
        for article, targets in matches:
            singles = [target_id for target_id in targets if target_id not in bursts]
            queued += await self._outbox.enqueue_for(connection, singles, article.id, self._instant(article))
        return queued

    async def _bursts(self, connection: AsyncConnection, matches: list[tuple[Article, list[int]]]) -> dict[int, list[Article]]:
        """The targets with more than BURST_THRESHOLD of these articles not queued for them yet, with
        those articles in store order."""
        # counted first: one article matching 100,000 chats must not build 100,000 lists
        counts = Counter(itertools.chain.from_iterable(targets for _, targets in matches))
        many = {target_id for target_id, count in counts.items() if count > BURST_THRESHOLD}
        if not many:
            return {}
        queued = await self._outbox.queued_keys(connection, list(many), [article.id for article, _ in matches])
        fresh: dict[int, list[Article]] = defaultdict(list)
        for article, targets in matches:
            for target_id in many.intersection(targets):
                if (target_id, article.id) not in queued:
                    fresh[target_id].append(article)
        return {target_id: articles for target_id, articles in fresh.items() if len(articles) > BURST_THRESHOLD}

    async def _queue_bursts(self, connection: AsyncConnection, bursts: dict[int, list[Article]]) -> int:
        """Queue each burst as messages of DIGEST_SIZE articles; chats given the same articles share payloads."""
        payloads: dict[tuple, int] = {}
        queued = 0
        for target_id, articles in bursts.items():
            parts = [articles[n : n + DIGEST_SIZE] for n in range(0, len(articles), DIGEST_SIZE)]
            for number, part in enumerate(parts, 1):
                keys = [article.id for article in part]
                message = (*keys, number, len(parts), len(articles))
                if message not in payloads:
                    cards = [article_card(article, self._tagger) for article in part]
                    reply = burst_message(cards, number, len(parts), len(articles))
                    payloads[message] = await self._outbox.add_payload(connection, reply)
                await self._outbox.enqueue_bundle(connection, target_id, keys, payloads[message])
            queued += len(parts)
        return queued

    @staticmethod
    async def _save_cursor(connection: AsyncConnection, after: int) -> None:
        """Move the cursor to `after`, never back (another process may have read further)."""
        number = tables.state.c.number
        forward = sa.case((number < after, after), else_=number)
        await insert_or_update(connection, tables.state, {"name": FANOUT_CURSOR}, {"number": forward}, {"number": after})

    def _instant(self, article: Article) -> Reply:
        # no buttons on deliveries: a button's answer replaces its message, and in a group this one is everyone's news
        return Reply(text="New for your subscriptions", cards=[article_card(article, self._tagger)])

    async def _load_cursor(self) -> int:
        """The store position read up to; the first run starts where the oldest instant
        subscription started, or from the current position when there is none."""
        st, s = tables.state, tables.subscriptions
        async with self._store.engine.connect() as connection:  # a read: the row exists after the first run
            number = (await connection.execute(sa.select(st.c.number).where(st.c.name == FANOUT_CURSOR))).scalar()
        if number is not None:
            return int(number)
        oldest = sa.select(sa.func.min(s.c.covered_seq)).where(s.c.cadence == "instant").scalar_subquery()
        async with self._store.engine.begin() as connection:
            start = {"name": FANOUT_CURSOR, "number": sa.select(sa.func.coalesce(oldest, position())).scalar_subquery()}
            await connection.execute(insert_ignoring_duplicates(connection, st, ["name"]).values(start))
            return int(await connection.scalar(sa.select(st.c.number).where(st.c.name == FANOUT_CURSOR)))

    # ---- digests -------------------------------------------------------------------------

    async def run_digests(self) -> int:
        """Queue one message per digest subscription whose local delivery time has come."""
        now, queued = self._clock.now(), 0
        for subscription, zone_name in await self._subscriptions.digests():
            since = subscription.last_digest_at or subscription.created_at
            try:
                zone = ZoneInfo(zone_name)
                due = subscription.cadence.latest_due(since, now, zone_name)
            except (KeyError, ValueError) as error:  # a zone this machine does not know: that chat's alone
                chat = subscription.target
                log.warning(
                    "digest of subscription %s (%s:%s) skipped: timezone %s: %r", subscription.id, chat.platform, chat.chat, zone_name, error
                )
                continue
            if due is not None:  # due at every digest time since: missed while newsbot was down, they are one
                queued += await self._send_digest(subscription, (subscription.cadence.next_after(since, zone_name), due), zone)
        return queued

    async def _send_digest(self, subscription: Subscription, dues: tuple[datetime, datetime], zone: ZoneInfo) -> int:
        """Queue the digest due at the digest times `dues` (the first and the last), headed in the chat's `zone`."""
        first_due, due = dues
        through = await self._store.position()
        async with self._store.engine.begin() as connection:
            if not await self._subscriptions.claim_digest(connection, subscription, due, through):
                return 0
            series, target_id = subscription_series(subscription.id), subscription.target_id
            waiting = await waiting_digests(connection, target_id, series)
            digest = await DigestArticles.read(
                self._store, waiting, subscription.query, (subscription.covered_seq, through), DIGEST_SIZE, first_due,
                self._clock.now(),
            )
            reply = self._digest(subscription, digest, digest.span(due, zone)) if digest.count else None
            key = digest_key(series, due)
            return await self._outbox.enqueue_digest(
                connection, target_id, key, reply, digest.covered_after, digest.waiting, digest.since
            )

    def _digest(self, subscription: Subscription, digest: DigestArticles, span: str) -> Reply:
        """One message: the newest articles of the period as cards."""
        label = topic_label(subscription.kind, subscription.value, self._tagger)
        top, total = digest.newest, digest.count
        more = f" (the newest {len(top)} of {total})" if total > len(top) else ""
        return Reply(
            text=f"Your {subscription.cadence.kind} digest for {label}{span}: {new_articles(total)}{more}",
            cards=[article_card(article, self._tagger) for article in top],
        )


@dataclass(frozen=True)
class DigestArticles:
    """What a digest of a schedule or subscription carries: its period's articles, and those of the
    digests of its series the target did not get (their platform was unreachable, or failed them on
    every attempt), which it sums up; of theirs only the ones published less than NEWS_AGE before it
    are still news."""

    newest: list[Article]  # the newest few, by publication
    count: int
    covered_after: int  # the store position its period starts after, the periods it sums up included
    waiting: WaitingDigests
    since: datetime  # when the earliest digest it stands for was due, its own or one it sums up

    @classmethod
    async def read(
        cls, store: Store, waiting: WaitingDigests, query: Query, period: tuple[int, int], size: int, first_due: datetime,
        now: datetime,
    ) -> "DigestArticles":
        """The articles of a digest covering the store positions of `period` (after its first, up to its
        second) and summing up the `waiting` digests of its series. Its period is that of the digests
        due from `first_due` on (several, when runs were missed while newsbot was down)."""
        after, through = period
        newest, count = await store.stored_between(after, through, query, size)
        if waiting.covered_after is None:
            return cls(newest, count, after, waiting, first_due)
        still_news = now - NEWS_AGE
        older, more = await store.stored_between(waiting.covered_after, after, replace(query, period=Period(still_news)), size)
        newest = sorted(newest + older, key=lambda article: article.published, reverse=True)[:size]  # stable: ties keep store order
        # the digests it sums up that were due before their articles could still be news bring none
        since = max(waiting.earliest_due, still_news) if waiting.latest_due > still_news else first_due
        return cls(newest, count + more, waiting.covered_after, waiting, since)

    def span(self, due: datetime, zone: ZoneInfo) -> str:
        """For its heading, when it stands for more digests than the one due at `due`, the days they
        were due in `zone` (", 27–29 November"); else nothing."""
        return f", {span_label(self.since, due, zone)}" if self.since < due else ""
