"""`newsbot run`: every part of newsbot on one asyncio loop.

The adapters that have tokens (the console when none has), the ingest loop, the scheduler
and the delivery worker all run here, built from the config and passed what they need.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TextIO

from bot.adapters.base import Adapter
from bot.adapters.console import ConsoleAdapter
from bot.config import Config
from bot.context import Context, open_content
from bot.delivery.service import start_delivery
from bot.model import Reply
from bot.router import Router, build_router
from content.ingest import ingest_forever
from content.store import Store
from content.tagging import Tagger

log = logging.getLogger(__name__)

CONSOLE_GREETING = "newsbot is running. Type a command such as /help, a number to choose, or quit to stop."
DISCORD_SYNC_STATE = Path(".newsbot/discord-commands.json")


async def start_telegram(config: Config, router: Router, stack: AsyncExitStack) -> Adapter:
    from bot.adapters.telegram import TelegramAdapter

    telegram = TelegramAdapter(config.telegram, commands=router.command_menu())
    await telegram.connect()
    stack.push_async_callback(telegram.disconnect)
    await telegram.listen(router.handle)
    return telegram


async def start_discord(config: Config, router: Router, store: Store, tagger: Tagger, stack: AsyncExitStack) -> Adapter:
    from bot.adapters.discord import DiscordAdapter
    from bot.adapters.discord.suggest import build_suggest

    discord_adapter = DiscordAdapter(
        config.discord,
        suggest=build_suggest(store, tagger),
        sync_state=DISCORD_SYNC_STATE,
    )
    await discord_adapter.connect()
    stack.push_async_callback(discord_adapter.disconnect)
    await discord_adapter.listen(router.handle)
    return discord_adapter


async def run_newsbot(
    config: Config,
    stop: asyncio.Event,
    *,
    console_input: TextIO | None = None,
    console_output: TextIO | None = None,
) -> None:
    """Run until `stop` is set (or the console session ends), then shut down in order."""
    store, tagger = await open_content(config)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(store.close)
        router = build_router(Context(store=store, tagger=tagger))
        console = ConsoleAdapter(stdin=console_input, stdout=console_output)
        adapters: dict[str, Adapter] = {"console": console}
        delivery = await start_delivery(config, store, tagger, adapters, stop)  # before /subscribe can arrive
        try:
            await _start_platforms(config, router, store, tagger, adapters, stack)
        except BaseException:
            await delivery.close()
            raise
        stack.push_async_callback(delivery.close)  # pushed last, so it closes before the adapters it sends through
        background = [asyncio.create_task(ingest_forever(store, config.sources, tagger, stop), name="ingest")]
        if adapters.keys() == {"console"}:
            background.append(asyncio.create_task(_console_session(console, router, stop), name="console"))
        log.info("newsbot is running: %s", ", ".join(sorted(adapters)))
        await stop.wait()
        log.info("stopping")
        await _finish(background)


async def _start_platforms(
    config: Config, router: Router, store: Store, tagger: Tagger, adapters: dict[str, Adapter], stack: AsyncExitStack
) -> None:
    if config.telegram.token:
        adapters["telegram"] = await start_telegram(config, router, stack)
    if config.discord.token:
        adapters["discord"] = await start_discord(config, router, store, tagger, stack)


async def _console_session(console: ConsoleAdapter, router: Router, stop: asyncio.Event) -> None:
    await console.send(console.target, Reply(text=CONSOLE_GREETING))
    await console.listen(router.handle)
    stop.set()


async def _finish(tasks: list[asyncio.Task]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
