"""An outbox and a delivery worker over one adapter, built the same way for every delivery test."""

from __future__ import annotations

import random
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.base import Adapter
from bot.clock import ManualClock
from bot.config import DeliverySettings
from bot.delivery.db import migrate
from bot.delivery.limits import RatePlan
from bot.delivery.outbox import Outbox, target_ids
from bot.delivery.worker import DeliveryWorker
from bot.model import ArticleCard, Reply, Target, burst_message
from bot.subscriptions.fanout import DIGEST_SIZE
from content.store import run_migrations, store
from content.store.engine import open_engine

START = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


@asynccontextmanager
async def migrated_engine(url: str) -> AsyncIterator[AsyncEngine]:
    """A database with the bot's tables beside the article store's, as newsbot runs them."""
    engine = await open_engine(url)
    await run_migrations(engine, store.MIGRATIONS, store.VERSION_TABLE)
    await migrate(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


def build(
    engine: AsyncEngine, clock: ManualClock, adapter: Adapter, database_clock: ManualClock | None = None, **overrides
) -> tuple[Outbox, DeliveryWorker]:
    """An outbox and its worker; `database_clock` stands in for the database's (`clock` unless given),
    `overrides` are DeliverySettings fields (no safety margin unless given)."""
    config = DeliverySettings(**{"safety_margin": 0.0, **overrides})
    plan = RatePlan(config, random.Random(7))
    outbox = Outbox(engine, clock, plan, lease_seconds=config.lease_seconds, database_clock=database_clock or clock)
    return outbox, DeliveryWorker(outbox, {adapter.platform: adapter}, clock, config, plan, owner="test-worker")


def failing_first(call, failures: list[BaseException]):
    """`call`, raising each of `failures` first, one a call: the database away for that many tries."""

    async def failing(*args):
        if failures:
            raise failures.pop()
        return await call(*args)

    return failing


async def enqueue(outbox: Outbox, target: Target, key: str, reply: Reply, not_before: float | None = None) -> bool:
    """Queue one message for one target; False when this key was already queued for it."""
    async with outbox.engine.begin() as connection:
        target_id = (await target_ids(connection, [target]))[target]
        return await outbox.enqueue_for(connection, [target_id], key, reply, not_before) == 1


def full_burst_message() -> Reply:
    """The first message of a 12-article burst, as the fan-out writes it: ten cards as long as articles get."""
    summary = ("Summary. " + "Batteries smooth the evening peak & <grid> operators say " * 11)[:600]  # an ingested summary's most
    cards = [
        ArticleCard(
            title=f"Burst story {n}: " + "regulators approve a long-awaited transmission line " * 3,
            url=f"https://news.test/{n}/" + "section/" * 20 + "story.html",
            summary=summary,
            sectors=("Energy", "Transport", "Technology"),
            countries=("Kenya", "Thailand", "Germany"),
            source="A publisher with a rather long name",
        )
        for n in range(DIGEST_SIZE)
    ]
    return burst_message(cards, 1, 2, 12)


async def enqueue_bundle(outbox: Outbox, target: Target, reply: Reply) -> None:
    """Queue a reply as one message carrying an article per card, as the fan-out queues a burst."""
    async with outbox.engine.begin() as connection:
        target_id = (await target_ids(connection, [target]))[target]
        payload_id = await outbox.add_payload(connection, reply)
        await outbox.enqueue_bundle(connection, target_id, [card.url for card in reply.cards], payload_id)
