"""Telegram's flood limits: 30 messages/s overall, 20/min per group, about 1/s per chat.

PTB's AIORateLimiter covers the first two; this adds the per-chat pace for message sends and edits
by wrapping the request it forwards, so the shared limiter stays untouched. The limits count messages:
other calls (getChatMember before a member's command in a group) go at once, where AIORateLimiter
would count them against the group's 20 a minute too. Retries after a 429 are
this class's own: AIORateLimiter's would hold every chat's requests, long polling included, while
one busy group waits out its retry_after. A retry_after longer than MAX_RETRY_WAIT is not waited out:
the person who asked has given up by then, and stopping newsbot would wait for the sleep (PTB's stop
waits for every update's handler), as Discord's adapter gives up past its own limit.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import warnings
from collections import OrderedDict
from datetime import timedelta
from typing import Any, Callable, Coroutine

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.config import PlatformLimits

PACED_METHODS = frozenset({"sendMessage", "editMessageText", "sendPhoto", "sendDocument"})
MAX_TRACKED_CHATS = 1024
MAX_RETRY_WAIT = 30.0  # seconds


Request = Callable[..., Coroutine[Any, Any, Any]]


async def _paced(limiter: AsyncLimiter, callback: Request, *args: Any, **kwargs: Any) -> Any:
    async with limiter:
        return await callback(*args, **kwargs)


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that retry_after becomes a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        period = error.retry_after
    return period.total_seconds() if isinstance(period, timedelta) else float(period)


class _PassedOnRateLimit(logging.Filter):
    """AIORateLimiter logs every 429 it passes on as an ERROR with a traceback, naming no chat; here
    each one is handled and told with its chat (a reply that cannot wait says it failed, the delivery
    worker that its chat's messages wait), so the line is left out."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Rate limit hit after maximum")


logging.getLogger("telegram.ext.AIORateLimiter").addFilter(_PassedOnRateLimit())


class ChatPacedRateLimiter(BaseRateLimiter[int]):
    """AIORateLimiter plus a per-chat limiter. `rate_limit_args` is the number of 429 retries for one call.

    `max_retries` (default 0) applies when a call gives none: the delivery path sends without retries so
    the worker sees the 429, while interactive replies pass a small retry count.
    """

    def __init__(
        self,
        *,
        overall_per_second: float = 30,
        group_per_minute: float = 20,
        chat_per_second: float = 1,
        chat_burst: int = 3,
        max_retries: int = 0,
    ):
        self._shared = AIORateLimiter(
            overall_max_rate=overall_per_second,
            overall_time_period=1,
            group_max_rate=group_per_minute,
            group_time_period=60,
            max_retries=0,
        )
        self._max_retries = max_retries
        self._chat_burst = chat_burst
        self._chat_period = chat_burst / chat_per_second if chat_per_second else 0
        self._chats: OrderedDict[str, AsyncLimiter] = OrderedDict()

    @classmethod
    def from_limits(cls, limits: PlatformLimits) -> "ChatPacedRateLimiter":
        """The pace a config's `delivery.telegram` asks for; 0 on an axis lifts that limit."""
        return cls(
            overall_per_second=limits.per_second,
            group_per_minute=60 / limits.per_group_seconds if limits.per_group_seconds else 0,
            chat_per_second=1 / limits.per_chat_seconds if limits.per_chat_seconds else 0,
        )

    async def initialize(self) -> None:
        await self._shared.initialize()

    async def shutdown(self) -> None:
        await self._shared.shutdown()

    def _chat_limiter(self, chat_id: object) -> AsyncLimiter:
        key = str(chat_id)
        limiter = self._chats.pop(key, None) or AsyncLimiter(self._chat_burst, self._chat_period)
        self._chats[key] = limiter
        while len(self._chats) > MAX_TRACKED_CHATS:
            self._chats.popitem(last=False)
        return limiter

    async def process_request(
        self,
        callback: Request,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """A message at its chat's pace and within the overall and group limits (other calls, such as
        getChatMember, are no messages and go at once), tried again after each 429 up to the call's
        number of retries (`rate_limit_args`); only this call waits."""
        if endpoint not in PACED_METHODS:
            call = functools.partial(callback, *args, **kwargs)
        else:
            request, chat_id = callback, data.get("chat_id")
            if chat_id is not None and self._chat_period:
                request = functools.partial(_paced, self._chat_limiter(chat_id), callback)
            call = functools.partial(self._shared.process_request, request, args, kwargs, endpoint, data, 0)
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            try:
                return await call()
            except RetryAfter as error:
                if attempt == retries or retry_after_seconds(error) > MAX_RETRY_WAIT:
                    raise
                await asyncio.sleep(retry_after_seconds(error) + 0.1)
