"""The delivery worker through the real Telegram adapter (python-telegram-bot) and the fake Bot API:
429s, 5xx and a blocked user, and every message still arrives exactly once."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from bot.adapters.telegram import TelegramAdapter
from bot.adapters.telegram.limits import ChatPacedRateLimiter
from bot.adapters.telegram.render import render_reply
from bot.clock import ManualClock
from bot.config import TelegramSettings
from bot.delivery import tables
from bot.model import ArticleCard, Reply, Target
from bot.subscriptions.cadence import Cadence
from bot.subscriptions.store import SubscriptionStore
from delivery_helpers import START, build, enqueue, enqueue_bundle, full_burst_message, migrated_engine
from fake_telegram import FakeTelegram


@pytest.fixture
async def telegram():
    token = "123456:" + "TEST-TOKEN"
    async with FakeTelegram(token) as fake:
        settings = TelegramSettings(token=SecretStr(token), base_url=fake.base_url)
        lifted = ChatPacedRateLimiter(overall_per_second=0, group_per_minute=0, chat_per_second=0)
        adapter = TelegramAdapter(settings, commands=[], rate_limiter=lifted)
        await adapter.connect()
        yield fake, adapter
        await adapter.disconnect()


@pytest.fixture
async def delivery(telegram, tmp_path):
    fake, adapter = telegram
    async with migrated_engine(f"sqlite:///{tmp_path / 'bot.db'}") as engine:
        yield fake, *build(engine, ManualClock(START), adapter)


def delivered(fake) -> Counter:
    return Counter((str(call.params["chat_id"]), call.params["text"]) for call in fake.calls_of("sendMessage"))


def long_digest() -> Reply:
    """About 11,000 characters of cards: three Telegram messages."""
    summary = "Batteries smooth the evening peak. " * 12
    cards = [ArticleCard(title=f"Grid storage report {n}", url=f"https://news.test/{n}", summary=summary) for n in range(24)]
    return Reply(text="Your morning digest", cards=cards)


async def test_429_and_5xx_still_deliver_each_message_once(delivery):
    fake, outbox, worker = delivery
    for chat in ("101", "102", "103"):
        for n in range(3):
            await enqueue(outbox, Target("telegram", chat), f"k{n}", Reply(text=f"news {n}"))
    fake.fail_next("sendMessage", status=429, retry_after=7)
    fake.fail_next("sendMessage", status=500)
    fake.fail_next("sendMessage", status=502)
    await worker.run_until_idle()
    assert delivered(fake) == Counter({(chat, f"news {n}"): 1 for chat in ("101", "102", "103") for n in range(3)})
    assert len(fake.calls_of("sendMessage", ok_only=False)) == 12
    assert await outbox.counts() == {"sent": 9}


async def test_a_blocked_user_deactivates_the_target_without_retries(delivery):
    fake, outbox, worker = delivery
    for n in range(3):
        await enqueue(outbox, Target("telegram", "777"), f"k{n}", Reply(text=f"news {n}"))
    fake.fail_next("sendMessage", status=403)
    await worker.run_until_idle()
    assert len(fake.calls_of("sendMessage", ok_only=False)) == 1
    assert await outbox.counts() == {"dead": 3}
    async with outbox.engine.connect() as connection:
        target = (await connection.execute(sa.select(tables.targets))).one()
    assert target.active is False and "blocked" in target.inactive_reason


async def test_a_group_upgraded_to_a_supergroup_keeps_its_subscriptions_under_the_new_id(delivery):
    fake, outbox, worker = delivery
    group, supergroup = Target("telegram", "-555"), Target("telegram", "-1009999")
    subscriptions = SubscriptionStore(outbox.engine)
    await subscriptions.add(group, "sector", "energy", Cadence("instant"), START)
    await subscriptions.set_timezone("telegram", "-555", "Asia/Bangkok")
    for n in range(2):
        await enqueue(outbox, group, f"k{n}", Reply(text=f"news {n}"))
    upgraded = "Bad Request: group chat was upgraded to a supergroup chat"
    fake.fail_next("sendMessage", status=400, description=upgraded, migrate_to_chat_id=-1009999)
    await worker.run_until_idle()
    assert delivered(fake) == Counter({("-1009999", "news 0"): 1, ("-1009999", "news 1"): 1})
    assert await outbox.counts() == {"sent": 2}
    assert [s.value for s in await subscriptions.for_target(supergroup)] == ["energy"]
    assert await subscriptions.timezone("telegram", "-1009999") == "Asia/Bangkok"


async def test_a_burst_of_ten_full_articles_is_posted_within_the_limits_with_each_article_once(delivery):
    fake, outbox, worker = delivery
    await enqueue_bundle(outbox, Target("telegram", "405"), full_burst_message())
    await worker.run_until_idle()
    posted = "".join(call.params["text"] for call in fake.calls_of("sendMessage"))
    assert posted.startswith("12 new articles for your subscriptions (1 of 2)")
    assert [posted.count(f"Burst story {n}:") for n in range(10)] == [1] * 10
    assert posted.count("Summary. ") == 10  # full: each with its summary
    assert await outbox.counts() == {"sent": 1, "bundled": 9}


async def test_a_digest_of_several_messages_resumes_after_a_429_without_repeating_one(delivery):
    fake, outbox, worker = delivery
    await enqueue(outbox, Target("telegram", "404"), "digest:morning", long_digest())
    fake.fail_next("sendMessage", status=429, retry_after=7, after=1)  # the second of three messages
    await worker.run_until_idle()
    messages = [message.text for message in render_reply(long_digest(), callback_data=str)]
    assert len(messages) == 3
    assert [call.params["text"] for call in fake.calls_of("sendMessage")] == messages  # each once, in order
    assert len(fake.calls_of("sendMessage", ok_only=False)) == 4
    assert await outbox.counts() == {"sent": 1}


async def test_a_digest_reports_its_progress_between_messages(telegram):
    fake, adapter = telegram
    progress = []

    async def note(sent):
        progress.append((sent, len(fake.calls_of("sendMessage"))))

    await adapter.send(Target("telegram", "404"), long_digest(), skip=1, progress=note)
    assert progress == [(2, 1)]  # after the second message, before the third; none after the last
    assert len(fake.calls_of("sendMessage")) == 2


async def test_a_digest_half_sent_when_its_chat_turns_compact_goes_on_as_it_began(delivery):
    fake, outbox, worker = delivery
    subscriptions = SubscriptionStore(outbox.engine)
    await enqueue(outbox, Target("telegram", "404"), "digest:morning", long_digest())
    fake.fail_next("sendMessage", status=429, retry_after=7, after=1)  # the second of three messages
    save_progress = outbox.save_progress

    async def progress_then_compact(*args):
        await save_progress(*args)
        await subscriptions.set_post_format("telegram", "404", "compact")  # an administrator, meanwhile

    outbox.save_progress = progress_then_compact
    await worker.run_until_idle()
    messages = [message.text for message in render_reply(long_digest(), callback_data=str)]
    assert [call.params["text"] for call in fake.calls_of("sendMessage")] == messages  # the rest of it, not lost
