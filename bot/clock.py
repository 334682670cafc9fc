"""Time as the scheduler and the delivery worker see it, so tests can drive it without waiting.

`SystemClock` is the real thing. `ManualClock` starts at a given instant and moves only when
told to, or when every runnable task is waiting on it: then it jumps to the earliest sleeper's
wake-up time and wakes that sleeper alone, so sleepers wake in time order, never early, and a
test of an hour of retries runs in milliseconds.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from datetime import datetime, timedelta, timezone
from typing import Protocol

_SETTLE_YIELDS = 20  # loop turns that let woken tasks run before time moves again


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ManualClock:
    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start.astimezone(timezone.utc)
        self._sleepers: list[tuple[datetime, int, asyncio.Future]] = []
        self._order = itertools.count()
        self._driver: asyncio.Task | None = None

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        # round up: a sleeper must never wake a microsecond before the instant it waited for
        self._now += timedelta(microseconds=math.ceil(max(0.0, seconds) * 1_000_000))

    def set(self, moment: datetime) -> None:
        moment = moment.astimezone(timezone.utc)
        if moment < self._now:
            raise ValueError("a clock does not run backwards")
        self._now = moment

    async def sleep(self, seconds: float) -> None:
        wake = self._now + timedelta(microseconds=math.ceil(max(0.0, seconds) * 1_000_000))
        waiter = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (wake, next(self._order), waiter))
        if self._driver is None or self._driver.done():
            self._driver = asyncio.create_task(self._drive())
        await waiter

    async def _drive(self) -> None:
        while self._sleepers:
            for _ in range(_SETTLE_YIELDS):
                await asyncio.sleep(0)
            wake, _, waiter = heapq.heappop(self._sleepers)
            if waiter.done():  # cancelled: the sleeper stopped waiting, time need not move for it
                continue
            self._now = max(self._now, wake)
            waiter.set_result(None)
