"""A real `newsbot run` killed with SIGKILL in the middle of a fan-out through the fake Bot API, then
restarted: every queued message arrives, and only messages in flight at the kill arrive twice
(at most once more per chat and article)."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from fake_telegram import FakeTelegram
from run_helpers import (
    STORIES,
    deliveries,
    fake_token,
    outbox_counts,
    start_newsbot,
    subscribe_chats,
    wait_exit,
    wait_until,
    write_config,
    write_story,
)

CHATS = [str(7000 + n) for n in range(100)]
IN_FLIGHT = 20
ARTICLES = 3


async def test_sigkill_mid_fanout_then_restart_loses_nothing(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'newsbot.db'}"
    await subscribe_chats(database_url, CHATS)
    for number, (title, body) in enumerate(STORIES[:ARTICLES]):
        write_story(tmp_path / "stories", number, title, body)
    expected = {(chat, title) for chat in CHATS for title, _ in STORIES[:ARTICLES]}
    config, log = tmp_path / "config.yaml", tmp_path / "newsbot.log"

    async with FakeTelegram(fake_token()) as fake:
        write_config(config, database_url, fake.base_url, tmp_path / "stories", in_flight=IN_FLIGHT)
        first = start_newsbot(config, log)
        try:
            await wait_until(lambda: len(deliveries(fake)) >= len(expected) // 4, first, log, 30, "a quarter delivered")
            os.kill(first.pid, signal.SIGKILL)
            assert await wait_exit(first, 10) == -signal.SIGKILL
        finally:
            if first.poll() is None:
                first.kill()
        delivered_at_kill = len(deliveries(fake))
        assert delivered_at_kill < len(expected), "the kill came too late to test anything"

        second = start_newsbot(config, log)
        try:
            await wait_until(lambda: set(deliveries(fake)) >= expected, second, log, 40, "every message after the restart")
            await wait_until_all_sent(database_url, len(expected), second, log)
            second.send_signal(signal.SIGTERM)
            assert await wait_exit(second, 15) == 0
        finally:
            if second.poll() is None:
                second.kill()

    delivered = deliveries(fake)
    assert set(delivered) == expected  # none lost, nothing unexpected
    assert max(delivered.values()) <= 2
    assert sum(delivered.values()) - len(delivered) <= IN_FLIGHT
    assert await outbox_counts(database_url) == {"sent": len(expected)}


async def wait_until_all_sent(database_url: str, total: int, process, log, timeout: float = 30) -> None:
    """The fake may hold messages the killed process sent but never recorded; wait for their resend too."""
    deadline = time.monotonic() + timeout
    while await outbox_counts(database_url) != {"sent": total}:
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"outbox not all sent: {await outbox_counts(database_url)}\n{log.read_text()[-3000:]}")
        await asyncio.sleep(0.2)
