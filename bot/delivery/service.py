"""Everything behind subscriptions and scheduled posts, started in one call for `newsbot run`:
the bot-side tables, the delivery worker, the subscription fan-out loop and the schedules
(APScheduler's AsyncIOScheduler, plus one catch-up pass for runs missed while down, and on
PostgreSQL a watch for the process running the schedules stopping).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Mapping

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.adapters.base import Adapter
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.delivery.limits import RatePlan
from bot.delivery.outbox import Outbox
from bot.delivery.worker import DeliveryWorker, worker_running
from bot.schedule import ScheduleRunner
from bot.subscriptions.fanout import FanOut
from bot.subscriptions.store import SubscriptionStore
from content.store import Store
from content.tagging import Tagger


@dataclass
class DeliveryService:
    outbox: Outbox
    worker: DeliveryWorker
    schedules: ScheduleRunner
    _scheduler: AsyncIOScheduler
    _tasks: list[asyncio.Task]

    async def close(self) -> None:
        """Stop the schedules and the fan-out, let the worker finish its sends in flight, release the lock."""
        self._scheduler.shutdown(wait=False)
        self.worker.stop()
        worker_task, *others = self._tasks
        await worker_task
        for task in others:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.schedules.close()


async def start_delivery(
    config: Config,
    store: Store,
    tagger: Tagger,
    adapters: Mapping[str, Adapter],
    stop: asyncio.Event,
    *,
    clock: Clock | None = None,
    fanout_interval: float | None = None,
) -> DeliveryService:
    """Start delivering from a store whose bot-side tables are migrated. `adapters` is read on every
    claim, so the caller may pass its dict before all adapters are connected. `fanout_interval`
    defaults to `delivery.fanout_seconds`. Schedules' filters were checked when the config was loaded
    (`bot.filters.FilterError`)."""
    clock = clock or SystemClock()
    plan = RatePlan(config.delivery)
    outbox = Outbox(store.engine, clock, plan, lease_seconds=config.delivery.lease_seconds)
    if store.dialect == "sqlite":  # one process delivers: leases left over are from a crash
        await outbox.release_leases(worker_running)
    worker = DeliveryWorker(outbox, adapters, clock, config.delivery, plan)
    schedules = ScheduleRunner(
        config.schedules, store, outbox, tagger, clock, grace_seconds=config.delivery.missed_run_grace_seconds
    )
    fanout = FanOut(store, SubscriptionStore(store.engine), outbox, tagger, clock, on_queued=worker.notify)
    scheduler = AsyncIOScheduler(timezone="UTC")
    await schedules.revive_targets()
    schedules.start(scheduler)
    scheduler.start()
    tasks = [
        asyncio.create_task(worker.run(), name="delivery"),
        asyncio.create_task(fanout.run(stop, fanout_interval or config.delivery.fanout_seconds), name="subscriptions"),
        asyncio.create_task(schedules.run_due(), name="missed schedule runs"),
        asyncio.create_task(schedules.follow(), name="schedule leadership"),
    ]
    return DeliveryService(outbox, worker, schedules, scheduler, tasks)
