"""The contract every platform adapter keeps (after opsdroid's connectors).

An adapter owns one platform connection: `connect` logs in, `listen` feeds incoming
commands to the handler until `disconnect`, `send` posts a reply to a target. Adding a
platform means one new folder under `bot/adapters/` implementing this.
"""

from __future__ import annotations

from typing import Awaitable, Callable, Protocol

from bot.model import Command, Reply, Target

Handler = Callable[[Command], Awaitable[Reply]]


class DeliveryError(Exception):
    """A send failed; subclasses tell the delivery worker what to do next."""


class RateLimited(DeliveryError):
    def __init__(self, retry_after: float, message: str = "rate limited"):
        super().__init__(f"{message} (retry after {retry_after:g}s)")
        self.retry_after = retry_after


class TargetGone(DeliveryError):
    """Blocked, kicked, chat not found, channel deleted: stop sending to this target."""


class TransientError(DeliveryError):
    """5xx, timeout, connection reset: retry with backoff."""


class Adapter(Protocol):
    platform: str

    async def connect(self) -> None: ...

    async def listen(self, handle: Handler) -> None: ...

    async def send(self, target: Target, reply: Reply) -> None: ...

    async def disconnect(self) -> None: ...
