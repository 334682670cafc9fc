"""A delivery process killed with SIGKILL in the middle of a fan-out, then restarted: every
message arrives, and only messages in flight at the kill may arrive twice."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone


from bot.delivery.db import migrate
from bot.model import Target
from bot.subscriptions.cadence import Cadence
from bot.subscriptions.store import SubscriptionStore
from content.model import Article
from content.store import Store

SUBSCRIBERS = 200
IN_FLIGHT = 20
# ten articles published at once reach each chat in one message; two published later, one message each
BURST_THEN_TWO_ALONE = [tuple(f"Energy story {n}" for n in range(10)), ("Energy story 10",), ("Energy story 11",)]


def write_config(path, database_url: str) -> None:
    path.write_text(
        f"storage: {{url: '{database_url}'}}\n"
        "sources: []\n"
        "delivery:\n"
        "  telegram: {per_chat_seconds: 0, per_group_seconds: 0, per_second: 400}\n"
        f"  max_in_flight: {IN_FLIGHT}\n"
        f"  batch_size: {IN_FLIGHT}\n"
        "  poll_seconds: 0.2\n"
        "  lease_seconds: 2\n"  # rows leased by the killed process return to the queue quickly
    )


async def publish(store: Store, first: int, count: int) -> None:
    now = datetime.now(timezone.utc)
    await store.add([
        Article(
            id=f"crash{n}", url=f"https://news.example/crash/{n}", title=f"Energy story {n}", sources=("Example",),
            published=now, fetched=now + timedelta(microseconds=n), text="Text.", summary="Text.", sectors=("energy",),
        )
        for n in range(first, first + count)
    ])


def start_worker(config, record) -> subprocess.Popen:
    command = [sys.executable, "-m", "bot.delivery", "--config", str(config), "--record", str(record),
               "--platform", "telegram", "--fanout", "--fanout-interval", "0.2", "--exit-when-idle", "1.0"]
    return subprocess.Popen(command)


def lines(record) -> list[dict]:
    """The complete lines: one being written while the file is read may show only in part."""
    if not record.exists():
        return []
    return [json.loads(line) for line in record.read_text().split("\n")[:-1]]


async def wait_for_lines(record, count: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(lines(record)) < count:
        assert process.poll() is None, "the worker exited early"
        assert time.monotonic() < deadline, "the worker delivered too little"
        await asyncio.sleep(0.05)


async def test_sigkill_mid_fanout_loses_nothing(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'newsbot.db'}"
    store = await Store.open(database_url)
    await migrate(store.engine)
    subscriptions = SubscriptionStore(store.engine)
    an_hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    for n in range(SUBSCRIBERS):
        await subscriptions.add(Target("telegram", str(5000 + n)), "sector", "energy", Cadence("instant"), an_hour_ago)
    await publish(store, 0, 10)
    config, record = tmp_path / "config.yaml", tmp_path / "delivered.jsonl"
    write_config(config, database_url)

    killed = 0
    try:
        first = start_worker(config, record)
        await wait_for_lines(record, SUBSCRIBERS // 2, first)  # half of the chats have their ten articles, in one message
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        killed += 1
        await publish(store, 10, 2)  # news arriving while it is down
        second = start_worker(config, record)
        await wait_for_lines(record, 2 * SUBSCRIBERS, second)  # of 3 * SUBSCRIBERS: the two later ones each come alone
        os.kill(second.pid, signal.SIGKILL)
        second.wait(10)
        killed += 1
        third = start_worker(config, record)
        assert await asyncio.to_thread(third.wait, 120) == 0
    finally:
        for process in (first, second, third) if killed == 2 else ():
            if process.poll() is None:
                process.kill()
        await store.close()

    messages = Counter((line["chat"], tuple(line["titles"])) for line in lines(record))
    expected = {(str(5000 + n), titles) for n in range(SUBSCRIBERS) for titles in BURST_THEN_TWO_ALONE}
    assert set(messages) == expected  # none lost, nothing unexpected
    duplicates = sum(messages.values()) - len(messages)
    assert duplicates <= killed * IN_FLIGHT
