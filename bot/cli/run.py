"""`newsbot run`: the main job, until SIGINT or SIGTERM (or the end of a console session)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from typing import Iterator

from bot import stop_signals
from bot.app import run_newsbot
from bot.cli import UsageError
from bot.config import Config


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "run",
        help="run the bots, the ingest loop, the scheduler and delivery",
        description="Run every configured part of newsbot in one process. With no Telegram or Discord "
        "token, the console opens instead. SIGINT/SIGTERM stop taking work, finish sends in flight, exit 0.",
    )
    parser.add_argument(
        "--deliver-only",
        action="store_true",
        help="an extra delivery worker (PostgreSQL): send queued messages, take no chat input, fetch no sources",
    )


def run(args: argparse.Namespace, config: Config) -> int:
    if args.deliver_only and config.storage.url.startswith("sqlite"):
        raise UsageError("--deliver-only needs PostgreSQL storage: on SQLite one process does everything")
    return asyncio.run(_run(config, deliver_only=args.deliver_only))


async def _run(config: Config, *, deliver_only: bool) -> int:
    stop = asyncio.Event()
    with _stopped_by_signals(stop):
        await run_newsbot(config, stop, deliver_only=deliver_only)
    return 0


@contextlib.contextmanager
def _stopped_by_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGINT or SIGTERM sets `stop` while the loop runs, and at once if one came while they were held
    (newsbot starting). One coming when newsbot is stopping already, in the loop or after it, acts as
    by default (KeyboardInterrupt, or the end of the process): a shutdown that hangs can be cut short."""
    loop = asyncio.get_running_loop()

    def stop_or_end_now(number: int) -> None:
        if stop.is_set():
            _act_by_default(loop)
            signal.raise_signal(number)
        else:
            stop.set()

    for number in stop_signals.STOP_SIGNALS:
        loop.add_signal_handler(number, stop_or_end_now, number)
    if stop_signals.received():
        stop.set()
    try:
        yield
    finally:
        _act_by_default(loop)


def _act_by_default(loop: asyncio.AbstractEventLoop) -> None:
    for number in stop_signals.STOP_SIGNALS:
        loop.remove_signal_handler(number)  # which gives them Python's default handlers back
