"""Three worker processes share one PostgreSQL outbox: 5,000 messages, none lost, none twice,
and the rate-limit slots they reserved keep every chat's and the platform's gap."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections import Counter, defaultdict

import pytest
import sqlalchemy as sa

from bot.clock import SystemClock
from bot.config import DeliverySettings
from bot.delivery import tables
from bot.delivery.db import migrate
from bot.delivery.limits import RatePlan
from bot.delivery.outbox import Outbox, target_ids
from bot.model import Reply, Target
from content.store.engine import open_engine

CHATS = 250
MESSAGES_PER_CHAT = 20
CHAT_GAP = 0.01
PER_SECOND = 2500
MARGIN = 0.03


def write_config(path, database_url: str) -> None:
    path.write_text(
        f"storage: {{url: '{database_url}'}}\n"
        "sources: []\n"
        "delivery:\n"
        f"  telegram: {{per_chat_seconds: {CHAT_GAP}, per_group_seconds: {CHAT_GAP}, per_second: {PER_SECOND}}}\n"
        f"  safety_margin: {MARGIN}\n"
        "  poll_seconds: 0.2\n"
        "  batch_size: 100\n"
    )


async def fill_outbox(database_url: str) -> None:
    engine = await open_engine(database_url)
    await migrate(engine)
    outbox = Outbox(engine, SystemClock(), RatePlan(DeliverySettings()))
    async with engine.begin() as connection:
        ids = await target_ids(connection, [Target("telegram", str(1000 + n)) for n in range(CHATS)])
        for n in range(MESSAGES_PER_CHAT):
            await outbox.enqueue_for(connection, list(ids.values()), f"key-{n}", Reply(text=f"message {n}"))
    await engine.dispose()


async def reserved_slots(database_url: str) -> list[tuple[str, float]]:
    engine = await open_engine(database_url)
    o, t = tables.outbox, tables.targets
    async with engine.connect() as connection:
        rows = await connection.execute(sa.select(t.c.chat, o.c.send_at).join(t).where(o.c.status == "sent"))
        slots = [(chat, send_at) for chat, send_at in rows]
    await engine.dispose()
    return slots


async def test_three_workers_deliver_5000_messages_exactly_once(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("several worker processes need PostgreSQL (set NEWSBOT_TEST_DATABASE_URL)")
    await fill_outbox(database_url)
    config, record = tmp_path / "config.yaml", tmp_path / "delivered.jsonl"
    write_config(config, database_url)
    command = [sys.executable, "-m", "bot.delivery", "--config", str(config), "--record", str(record),
               "--platform", "telegram", "--exit-when-idle", "1.0"]
    workers = [subprocess.Popen(command + ["--owner", f"w{n}"]) for n in range(3)]
    try:
        for worker in workers:
            assert await asyncio.to_thread(worker.wait, 120) == 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()

    delivered = [json.loads(line) for line in record.read_text().splitlines()]
    counts = Counter((line["chat"], line["text"]) for line in delivered)
    assert len(counts) == CHATS * MESSAGES_PER_CHAT  # none lost
    assert max(counts.values()) == 1  # none twice

    slots = await reserved_slots(database_url)
    by_chat = defaultdict(list)
    for chat, send_at in slots:
        by_chat[chat].append(send_at)
    for times in by_chat.values():
        times.sort()
        assert min(b - a for a, b in zip(times, times[1:])) >= CHAT_GAP * (1 + MARGIN) - 1e-6
    everything = sorted(send_at for _, send_at in slots)
    assert min(b - a for a, b in zip(everything, everything[1:])) >= (1 + MARGIN) / PER_SECOND - 1e-6  # epoch seconds in doubles: microsecond precision
