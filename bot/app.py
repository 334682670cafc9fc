"""`newsbot run`: every part of newsbot on one asyncio loop.

The adapters that have tokens (the console when none has), the ingest loop, the scheduler
and the delivery worker all run here, built from the config and passed what they need.
A `deliver_only` process (an extra worker beside a full one, on PostgreSQL) connects the
adapters for sending but takes no chat input and fetches no sources.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from contextlib import AsyncExitStack
from datetime import datetime
from pathlib import Path
from typing import Callable, TextIO

from bot.adapters.base import Adapter, ConnectError, Handler
from bot.adapters.console import ConsoleAdapter
from bot.config import Config
from bot.context import Context
from bot.delivery.outbox import move_chat
from bot.delivery.service import start_delivery
from bot.model import Command, Reply
from bot.router import Router, build_router
from bot.startup import fill_if_empty, open_content
from bot.subscriptions.store import SubscriptionStore
from content.ingest import ingest_forever
from content.store import Store
from content.store.engine import display_url

log = logging.getLogger(__name__)

CONSOLE_GREETING = "newsbot is running. Type a command such as /help, a number to choose, or quit to stop."
DISCORD_SYNC_STATE = Path(".newsbot/discord-commands.json")


def platform_adapters(
    config: Config, router: Router, context: Context, lost: Callable[[str], None] | None = None
) -> dict[str, Adapter]:
    """The chat platforms that have a token; each library is imported only when configured. `lost(reason)`:
    a platform ended its connection for good."""
    store, tagger = context.store, context.tagger
    adapters: dict[str, Adapter] = {}
    if config.telegram.token:
        from bot.adapters.telegram import TelegramAdapter

        adapters["telegram"] = TelegramAdapter(
            config.telegram,
            commands=router.command_menu(),
            limits=config.delivery.telegram,
            moved=functools.partial(move_chat, store.engine),
            reachable=lambda chat: context.subscriptions.revive(chat, context.clock()),
            lost=lost,
        )
    if config.discord.token:
        from bot.adapters.discord import DiscordAdapter
        from bot.adapters.discord.commands import SUBSCRIPTION_COMMANDS
        from bot.adapters.discord.suggest import build_suggest

        adapters["discord"] = DiscordAdapter(
            config.discord,
            suggest=build_suggest(store, tagger),
            sync_state=DISCORD_SYNC_STATE,
            extra_commands=SUBSCRIPTION_COMMANDS,
            lost=lost,
            reachable=lambda channels: context.subscriptions.revive_chats(channels, context.clock()),
            deleted=context.subscriptions.forget_deleted,
        )
    return adapters


async def run_newsbot(
    config: Config,
    stop: asyncio.Event,
    *,
    deliver_only: bool = False,
    console_input: TextIO | None = None,
    console_output: TextIO | None = None,
) -> None:
    """Run until `stop` is set (or the console session ends), then shut down in order. A platform
    that ends its connection for good stops newsbot too, which then raises ConnectError saying why:
    a supervisor restarts it, or tells someone, rather than it running on deaf."""
    lost: list[str] = []

    def connection_lost(reason: str) -> None:
        lost.append(reason)
        stop.set()

    await _run(config, stop, connection_lost, deliver_only, console_input, console_output)
    log.info("newsbot stopped")
    if lost:
        raise ConnectError("; ".join(lost))


async def _run(
    config: Config,
    stop: asyncio.Event,
    connection_lost: Callable[[str], None],
    deliver_only: bool,
    console_input: TextIO | None,
    console_output: TextIO | None,
) -> None:
    store, tagger = await open_content(config)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(store.close)
        just_fetched: list[str] = []
        if not deliver_only:  # feeds are left to the ingest loop, which starts with them
            filling = asyncio.create_task(fill_if_empty(store, config, tagger, local_only=True))
            if not await _finished_unless_stopped(filling, stop):
                return
            just_fetched = filling.result()
            await _warn_of_nothing_to_find(config, store)
        context = Context(store=store, tagger=tagger)
        router = build_router(context)
        handle = reviving_chats(router.handle, context.subscriptions, context.clock)
        console = ConsoleAdapter(stdin=console_input, stdout=console_output)
        platforms = platform_adapters(config, router, context, connection_lost)
        adapters: dict[str, Adapter] = {"console": console, **platforms}
        _warn_of_schedules_without_their_platform(config, adapters)
        delivery = await start_delivery(config, store, tagger, adapters, stop)  # before /subscribe can arrive
        connecting = asyncio.create_task(_connect(platforms.values(), handle, stack, listen=not deliver_only))
        try:  # a platform out of reach may take minutes to say so: a stop meanwhile ends the connecting
            connected = await _finished_unless_stopped(connecting, stop)
            if connected:
                connecting.result()  # a platform's refusal, if any
        except BaseException:
            await delivery.close()
            raise
        if not connected:
            await delivery.close()
            return
        stack.push_async_callback(delivery.close)  # pushed last, so it closes before the adapters it sends through
        background = []
        if not deliver_only:
            ingest = ingest_forever(store, config.sources, tagger, stop, fetched_just_now=just_fetched)
            background.append(asyncio.create_task(ingest, name="ingest"))
            if not platforms:
                background.append(asyncio.create_task(_console_session(console, handle, stop), name="console"))
        log.info("%s", running_summary(config, list(platforms), deliver_only=deliver_only))
        await stop.wait()
        log.info("stopping")
        await _finish(background)


def running_summary(config: Config, platforms: list[str], *, deliver_only: bool = False) -> str:
    """The first line an operator looks for: what takes commands and posts, what is read, where it is kept."""
    parts = [", ".join(sorted(platforms) or ["console"]) + (", delivery only" if deliver_only else "")]
    counts = [] if deliver_only else [_counted(len(config.sources), "source")]
    parts.append(", ".join([*counts, _counted(len(config.schedules), "schedule")]))
    parts.append(f"storage {display_url(config.storage.url)}")
    return "newsbot is running: " + "; ".join(parts)


def _counted(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


async def _warn_of_nothing_to_find(config: Config, store: Store) -> None:
    """No sources and no articles: every lookup would answer "no articles", saying nothing of why.
    A store another process fills (a chat-only setup on a shared database) has articles, so no warning."""
    if not config.sources and not await store.count_by_source():
        log.warning(
            "no sources are configured and the store is empty, so no command will find an article"
            " until sources are added under `sources` in the config"
        )


def _warn_of_schedules_without_their_platform(config: Config, adapters: dict[str, Adapter]) -> None:
    for position, schedule in enumerate(config.schedules):
        if schedule.target.platform not in adapters:
            log.warning(
                "schedules[%d] (%r) posts to %s, which has no token: its posts wait until a newsbot process has one"
                " (by then, its digests come as one, of their articles of the last three days, and its other posts"
                " of the last three days go out)",
                position, schedule.name, schedule.target.platform,
            )


async def _finished_unless_stopped(task: asyncio.Task, stop: asyncio.Event) -> bool:
    """Wait for the task; cancel it if `stop` is set first (SIGINT during the first fill). Whether it finished."""
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if task.done():
        return True
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return False


def reviving_chats(handle: Handler, subscriptions: SubscriptionStore, clock: Callable[[], datetime]) -> Handler:
    """`handle`, after marking the command's chat reachable: a chat that writes to the bot again
    (unblocked it, added it back to a group) gets its deliveries again. Not a chat the bot may answer
    about but not post in (a channel it administers without the right to post): it would only be
    found gone again."""

    async def handle_command(command: Command) -> Reply:
        if command.bot_can_post:
            await subscriptions.revive(command.target, clock())
        return await handle(command)

    return handle_command


async def _connect(adapters, handle: Handler, stack: AsyncExitStack, *, listen: bool) -> None:
    for adapter in adapters:
        await adapter.connect()
        stack.push_async_callback(adapter.disconnect)
        if listen:
            await adapter.listen(handle)


async def _console_session(console: ConsoleAdapter, handle: Handler, stop: asyncio.Event) -> None:
    try:
        await console.send(console.target, Reply(text=CONSOLE_GREETING))
        await console.listen(handle)
        if console.input_ended:
            log.info("the console's input ended, so newsbot stops (with a Telegram or Discord token it runs without one)")
    finally:  # however the session ends, newsbot stops rather than run on without its only input
        stop.set()


async def _finish(tasks: list[asyncio.Task]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
