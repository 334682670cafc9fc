"""`python -m bot.delivery`: a delivery worker, and optionally the subscription fan-out, on its own.

It drains the outbox of the configured database into a recording adapter (see record.py):
the harness for the multi-process and crash tests and the fan-out benchmark. Several can run
against one PostgreSQL database; SIGTERM or SIGINT stops claiming, finishes in-flight sends.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from bot.clock import SystemClock
from bot.config import load_config
from bot.delivery.db import migrate
from bot.delivery.limits import RatePlan
from bot.delivery.outbox import Outbox
from bot.delivery.record import RecordingAdapter
from bot.delivery.worker import DeliveryWorker
from bot.subscriptions.fanout import FanOut
from bot.subscriptions.store import SubscriptionStore
from content.store import Store
from content.tagging import Tagger


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.delivery", description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="newsbot config file (storage url and delivery settings)")
    parser.add_argument("--record", required=True, metavar="PATH", help="append deliveries to this file")
    parser.add_argument("--platform", action="append", default=[], help="platforms to deliver (default: all three)")
    parser.add_argument("--fanout", action="store_true", help="also turn new articles into subscription messages")
    parser.add_argument("--fanout-interval", type=float, default=5.0)
    parser.add_argument("--exit-when-idle", type=float, metavar="SECONDS", help="exit once nothing is pending this long")
    parser.add_argument("--owner", help="lease owner name (default: host:pid:random)")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> None:
    config = load_config(args.config)
    clock = SystemClock()
    store = await Store.from_settings(config.storage)
    await migrate(store.engine)
    plan = RatePlan(config.delivery)
    outbox = Outbox(store.engine, clock, plan, lease_seconds=config.delivery.lease_seconds)
    adapters = {name: RecordingAdapter(name, args.record) for name in args.platform or ["telegram", "discord", "console"]}
    worker = DeliveryWorker(outbox, adapters, clock, config.delivery, plan, owner=args.owner)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    tasks = [asyncio.create_task(worker.run())]
    if args.fanout:
        fanout = FanOut(store, SubscriptionStore(store.engine), outbox, Tagger.from_settings(config.taxonomy), clock, worker.notify)
        await fanout.run_once()  # catch up before the idle watch starts
        tasks.append(asyncio.create_task(fanout.run(stop, args.fanout_interval)))
    if args.exit_when_idle is not None:
        tasks.append(asyncio.create_task(_stop_when_idle(outbox, list(adapters), args.exit_when_idle, stop)))
    await stop.wait()
    worker.stop()
    await asyncio.gather(*tasks)
    for adapter in adapters.values():
        await adapter.disconnect()
    await store.close()


async def _stop_when_idle(outbox: Outbox, platforms: list[str], quiet_seconds: float, stop: asyncio.Event) -> None:
    idle_since = None
    while not stop.is_set():
        if await outbox.next_due(platforms) is None:
            idle_since = idle_since or asyncio.get_running_loop().time()
            if asyncio.get_running_loop().time() - idle_since >= quiet_seconds:
                stop.set()
        else:
            idle_since = None
        await asyncio.sleep(0.2)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(run(parse_args()))


if __name__ == "__main__":
    main()
