"""Helpers for the tests that drive a real `newsbot run`: a config file, Markdown articles for its
`files` source, subscriptions made beforehand, and the process itself with its token in the environment."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.clock import SystemClock
from bot.config import DeliverySettings
from bot.delivery.db import migrate
from bot.delivery.limits import RatePlan
from bot.delivery.outbox import Outbox
from bot.model import Target
from bot.subscriptions.cadence import Cadence
from bot.subscriptions.store import SubscriptionStore
from content.store import Store

ROOT = Path(__file__).resolve().parents[1]
TOKEN_VARIABLE = "NEWSBOT_TEST_TELEGRAM_TOKEN"
STORIES = [
    ("Geothermal wells double output near Lake Naivasha", "Engineers drilled four new wells into the rift valley steam field."),
    ("Offshore wind auction draws record bids in the Baltic", "Seven consortia competed for turbine sites far from the coast."),
    ("Village minigrids switch from diesel to rooftop panels", "Cooperatives replaced noisy generators with panels and batteries."),
    ("Grid operator trials vehicle batteries as reserve power", "Parked electric buses fed the network during an evening peak."),
    ("Hydropower dam restarts turbines after drought season", "Reservoir levels recovered after heavy rains in the highlands."),
]


def fake_token() -> str:
    return ":".join(["123456", "TEST-TOKEN"])


def write_story(folder: Path, number: int, title: str, body: str, sector: str = "energy") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"story-{number}.md").write_text(
        "---\n"
        f"title: {title}\n"
        f"url: https://run-tests.newsbot.example/story/{number}\n"
        f"published: {(datetime.now(timezone.utc) - timedelta(hours=1)).isoformat(timespec='seconds')}\n"  # new: delivered
        "source: Run Test Wire\n"
        f"sectors: [{sector}]\n"
        "---\n"
        f"{body}\n",
        encoding="utf-8",
    )


def write_config(path: Path, database_url: str, telegram_base_url: str, stories: Path, *, in_flight: int) -> None:
    """Limits lifted, a short poll and fan-out, short leases so a killed process's rows return quickly.
    The token comes from the environment, so it is in no file."""
    path.write_text(
        f"storage: {{url: '{database_url}'}}\n"
        "sources:\n"
        f"  - {{name: run-test-notes, kind: files, path: '{stories}/*.md', interval: 3600}}\n"
        "telegram:\n"
        f"  token: ${{{TOKEN_VARIABLE}}}\n"
        f"  base_url: '{telegram_base_url}'\n"
        "delivery:\n"
        "  telegram: {per_chat_seconds: 0, per_group_seconds: 0, per_second: 0}\n"
        f"  max_in_flight: {in_flight}\n"
        f"  batch_size: {in_flight}\n"
        "  poll_seconds: 0.2\n"
        "  fanout_seconds: 0.2\n"
        "  lease_seconds: 2\n",
        encoding="utf-8",
    )


async def subscribe_chats(database_url: str, chats: list[str], sector: str = "energy") -> None:
    """Instant subscriptions made an hour ago, so every article fetched from now on matches them."""
    store = await Store.open(database_url)
    try:
        await migrate(store.engine)
        subscriptions = SubscriptionStore(store.engine)
        an_hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
        for chat in chats:
            await subscriptions.add(Target("telegram", chat), "sector", sector, Cadence("instant"), an_hour_ago)
    finally:
        await store.close()


async def outbox_counts(database_url: str) -> dict[str, int]:
    store = await Store.open(database_url)
    try:
        return await Outbox(store.engine, SystemClock(), RatePlan(DeliverySettings())).counts()
    finally:
        await store.close()


def start_newsbot(config: Path, log: Path, *extra: str) -> subprocess.Popen:
    environment = {**os.environ, TOKEN_VARIABLE: fake_token()}
    command = [sys.executable, "-m", "bot", "--config", str(config), "run", *extra]
    with log.open("ab") as output:
        return subprocess.Popen(command, cwd=ROOT, env=environment, stdin=subprocess.DEVNULL, stdout=output, stderr=output)


def deliveries(fake) -> Counter:
    """(chat, story title) → how many times the fake Bot API accepted that message."""
    counted: Counter = Counter()
    for call in fake.calls_of("sendMessage"):
        for title, _ in STORIES:
            if title in call.params["text"]:
                counted[(str(call.params["chat_id"]), title)] += 1
    return counted


async def wait_until(condition, process: subprocess.Popen, log: Path, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"newsbot run exited with {process.returncode} before {what}:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()[-3000:]}")
        await asyncio.sleep(0.02)


async def wait_exit(process: subprocess.Popen, timeout: float) -> int:
    try:
        return await asyncio.to_thread(process.wait, timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
