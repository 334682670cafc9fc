"""From new articles to queued messages: instant subscriptions per article, digests per period.

A persisted cursor over `store.fetched_since` moves forward in the same transaction as the
rows it queued, so a crash either queued a page of articles and moved past it, or did
neither; queueing twice is harmless anyway (the outbox is unique per target and key).
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.clock import Clock
from bot.commands.results import article_card, new_articles
from bot.delivery import tables
from bot.delivery.outbox import Outbox
from bot.model import Reply
from bot.subscriptions.matching import SubscriptionIndex
from bot.subscriptions.store import Subscription, SubscriptionStore, topic_label
from content.model import Article, Query
from content.store import Store
from content.store.upsert import insert_or_update
from content.tagging import Tagger, region_scope

log = logging.getLogger(__name__)

_CURSOR = "fanout_cursor"
_PAGE = 200
LOOKBACK = timedelta(minutes=5)  # longer than any ingest takes between fetching and committing
DIGEST_SIZE = 10


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

    async def run(self, stop: asyncio.Event, interval: float = 15.0) -> None:
        """Match new articles and send due digests every `interval` seconds until `stop` is set."""
        while not stop.is_set():
            try:
                queued = await self.run_once() + await self.run_digests()
                if queued:
                    self._on_queued()
            except Exception:
                log.exception("subscription fan-out failed; retrying in %gs", interval)
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except asyncio.TimeoutError:
                pass

    # ---- instant -------------------------------------------------------------------------

    async def index(self) -> SubscriptionIndex:
        """The instant-subscription index, rebuilt when any process changed a subscription."""
        revision = await self._subscriptions.revision()
        if self._index is None or revision != self._index_revision:
            rows = await self._subscriptions.instant_rows()
            self._index, self._index_revision = SubscriptionIndex(rows, region_scope), revision
        return self._index

    async def run_once(self) -> int:
        """Queue a message per new article for every instant subscription it matches; returns rows queued.

        Reads from `LOOKBACK` before the newest fetch time seen, skipping articles already handled:
        an ingest that committed late, with an older fetch time, is still picked up.
        """
        index = await self.index()
        newest, handled = await self._load_cursor()
        since, queued = newest - LOOKBACK, 0
        while True:
            batch = await self._store.fetched_since(since, limit=_PAGE)
            fresh = [article for article in batch if article.id not in handled]
            if fresh:
                async with self._store.engine.begin() as connection:
                    for article in fresh:
                        targets = index.targets_for(article)
                        queued += await self._outbox.enqueue_for(connection, targets, article.id, self._instant(article))
                    newest = max(newest, *(article.fetched for article in fresh))
                    handled.update((article.id, article.fetched.timestamp()) for article in fresh)
                    horizon = (newest - LOOKBACK).timestamp()
                    handled = {key: at for key, at in handled.items() if at > horizon}
                    await self._save_cursor(connection, newest, handled)
            if len(batch) < _PAGE:
                return queued
            since = batch[-1].fetched

    def _instant(self, article: Article) -> Reply:
        # no buttons on deliveries: a button's answer replaces its message, and in a group this one is everyone's news
        return Reply(text="New for your subscriptions", cards=[article_card(article, self._tagger)])

    async def _load_cursor(self) -> tuple[datetime, dict[str, float]]:
        st = tables.state
        async with self._store.engine.connect() as connection:
            row = (await connection.execute(sa.select(st.c.number, st.c.text).where(st.c.name == _CURSOR))).first()
        if row is None:  # first run: subscriptions only get articles fetched after they were made anyway
            return self._clock.now(), {}
        return datetime.fromtimestamp(row.number, timezone.utc), json.loads(row.text or "{}")

    @staticmethod
    async def _save_cursor(connection: AsyncConnection, newest: datetime, handled: dict[str, float]) -> None:
        values = {"number": newest.timestamp(), "text": json.dumps(handled)}
        await insert_or_update(connection, tables.state, {"name": _CURSOR}, values)

    # ---- digests -------------------------------------------------------------------------

    async def run_digests(self) -> int:
        """Queue one message per digest subscription whose local delivery time has come."""
        now, queued, zones = self._clock.now(), 0, {}
        for subscription in await self._subscriptions.digests():
            chat = (subscription.target.platform, subscription.target.chat)
            if chat not in zones:
                zones[chat] = await self._subscriptions.timezone(*chat)
            since = subscription.last_digest_at or subscription.created_at
            due = subscription.cadence.latest_due(since, now, zones[chat])
            if due is not None:
                queued += await self._send_digest(subscription, since, due)
        return queued

    async def _send_digest(self, subscription: Subscription, since: datetime, due: datetime) -> int:
        found = await period_articles(self._store, subscription.query, since, due)
        async with self._store.engine.begin() as connection:
            queued = 0
            if found:
                key = f"digest:sub{subscription.id}:{due:%Y%m%dT%H%MZ}"
                queued = await self._outbox.enqueue_for(connection, [subscription.target_id], key, self._digest(subscription, *found))
            await self._subscriptions.mark_digest(connection, subscription.id, due)
        return queued

    def _digest(self, subscription: Subscription, top: list[Article], total: int) -> Reply:
        """One message: the newest articles of the period as cards."""
        label = topic_label(subscription.kind, subscription.value, self._tagger)
        more = f" (the newest {len(top)} of {total})" if total > len(top) else ""
        return Reply(
            text=f"Your {subscription.cadence.kind} digest for {label}: {new_articles(total)}{more}",
            cards=[article_card(article, self._tagger) for article in top],
        )


async def period_articles(
    store: Store, query: Query, since: datetime, until: datetime, size: int = DIGEST_SIZE
) -> tuple[list[Article], int] | None:
    """(the newest `size` articles fetched in (since, until], how many there were), or None when none."""
    newest, count = await store.fetched_within(since, until, query, newest=size)
    return (newest, count) if count else None
