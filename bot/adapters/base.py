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

Between the messages of a reply, `send` awaits `progress(n)` with the count delivered so far, so
the worker can write it down before the next message goes out: a crash then resends at most the
message that was on its way, not the ones before it.
"""

from __future__ import annotations

from typing import Awaitable, Callable, Protocol, Sequence, TypeVar

from bot.model import Command, Reply, Target

Message = TypeVar("Message")  # a platform's rendered message
Handler = Callable[[Command], Awaitable[Reply]]
Progress = Callable[[int], Awaitable[None]]  # messages of a reply delivered so far
NOT_CONNECTED_RETRY = 5.0  # seconds a send waits when its adapter is not connected (yet)


class ConnectError(Exception):
    """A platform refused the login (a wrong token) or could not be reached; the message says why,
    never showing the token."""


class DeliveryError(Exception):
    """A send failed; subclasses tell the delivery worker what to do next, `sent` how far it got."""

    def __init__(self, message: str = "", *, sent: int = 0):
        super().__init__(message)
        self.sent = sent


class RateLimited(DeliveryError):
    """Try again after `retry_after` seconds, without counting an attempt; `platform_wide` holds every
    target of the platform (a limit on the whole bot, or the adapter not connected yet), else this one."""

    def __init__(self, retry_after: float, message: str = "rate limited", *, sent: int = 0, platform_wide: bool = False):
        super().__init__(f"{message} (retry after {retry_after:g}s)", sent=sent)
        self.retry_after = retry_after
        self.platform_wide = platform_wide


class TargetGone(DeliveryError):
    """Blocked, kicked, chat not found, no right to post: stop sending to this target until it comes back."""


class TargetDeleted(TargetGone):
    """The chat no longer exists and never will again (a deleted Discord channel): its subscriptions go too."""


class TargetMoved(DeliveryError):
    """The chat lives on under another id (a Telegram group upgraded to a supergroup): send there."""

    def __init__(self, new_chat: str, message: str = "", *, sent: int = 0):
        super().__init__(message, sent=sent)
        self.new_chat = new_chat


class TransientError(DeliveryError):
    """5xx, timeout, connection reset: retry with backoff."""


class Adapter(Protocol):
    platform: str

    async def connect(self) -> None: ...

    async def listen(self, handle: Handler) -> None: ...

    async def send(self, target: Target, reply: Reply, *, skip: int = 0, progress: Progress | None = None) -> None: ...

    async def disconnect(self) -> None: ...


async def post_in_order(
    messages: Sequence[Message], skip: int, post: Callable[[Message, int], Awaitable[None]], progress: Progress | None
) -> None:
    """Post `messages[skip:]` one by one with `post(message, sent_before_it)`, reporting progress between them."""
    for sent in range(skip, len(messages)):
        await post(messages[sent], sent)
        if progress is not None and sent + 1 < len(messages):
            await progress(sent + 1)
