"""The contract every platform adapter keeps (after opsdroid's connectors).

An adapter owns one platform connection: `connect` logs in, `listen` feeds incoming
commands to the handler until `disconnect`, `send` posts a reply to a target. Adding a
platform means one new folder under `bot/adapters/` implementing this.

A reply may go out as several messages (a long digest). `send(target, reply, skip=n)` posts them
in order, leaving out the first `n`: an earlier attempt delivered those. A send that fails raises a
DeliveryError whose `sent` says how many of the reply's messages are delivered, the skipped ones
included; the delivery worker keeps the larger of that and what it knew, and passes it as `skip` on
the retry, so no message reaches the chat twice. An adapter that posts a reply as one message
treats any `skip` as "already delivered" and may leave `sent` at 0.
"""

from __future__ import annotations

from typing import Awaitable, Callable, Protocol

from bot.model import Command, Reply, Target

Handler = Callable[[Command], Awaitable[Reply]]


class DeliveryError(Exception):
    """A send failed; subclasses tell the delivery worker what to do next, `sent` how far it got."""

    def __init__(self, message: str = "", *, sent: int = 0):
        super().__init__(message)
        self.sent = sent


class RateLimited(DeliveryError):
    def __init__(self, retry_after: float, message: str = "rate limited", *, sent: int = 0):
        super().__init__(f"{message} (retry after {retry_after:g}s)", sent=sent)
        self.retry_after = retry_after


class TargetGone(DeliveryError):
    """Blocked, kicked, chat not found, channel deleted: stop sending to this target."""


class TransientError(DeliveryError):
    """5xx, timeout, connection reset: retry with backoff."""


class Adapter(Protocol):
    platform: str

    async def connect(self) -> None: ...

    async def listen(self, handle: Handler) -> None: ...

    async def send(self, target: Target, reply: Reply, *, skip: int = 0) -> None: ...

    async def disconnect(self) -> None: ...
