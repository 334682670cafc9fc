"""The delivery worker through the real Discord adapter (discord.py) and the fake Discord API:
long 429s (a channel's, the bot's global limit, Cloudflare's), 503s and a deleted channel, and every message
still arrives exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.adapters.discord import DiscordAdapter
from bot.clock import ManualClock
from bot.config import DiscordSettings
from bot.delivery import tables
from bot.model import ArticleCard, Reply, Target
from bot.subscriptions.cadence import Cadence
from bot.subscriptions.store import SubscriptionStore
from delivery_helpers import START, build, enqueue, enqueue_bundle, full_burst_message, migrated_engine
from fake_discord import FakeDiscord

STEP_TIMEOUT = 10.0


async def ignore(command):
    raise AssertionError("no commands in these tests")


@pytest.fixture
async def discord_client():
    token = ":".join(["123456", "TEST-TOKEN"])
    async with FakeDiscord(token) as fake:
        settings = DiscordSettings(token=token, api_base=fake.api_base, gateway_url=fake.gateway_url)
        adapter = DiscordAdapter(settings, guild_ready_timeout=0.01)
        await asyncio.wait_for(adapter.connect(), STEP_TIMEOUT)
        await asyncio.wait_for(adapter.listen(ignore), STEP_TIMEOUT)
        try:
            yield fake, adapter
        finally:
            await asyncio.wait_for(adapter.disconnect(), STEP_TIMEOUT)


@pytest.fixture
async def delivery(discord_client, tmp_path):
    fake, adapter = discord_client
    async with migrated_engine(f"sqlite:///{tmp_path / 'bot.db'}") as engine:
        yield fake, *build(engine, ManualClock(START), adapter)


async def test_faults_still_deliver_each_message_once_and_a_deleted_channel_is_dropped(delivery):
    fake, outbox, worker = delivery
    for channel in ("501", "502", "503"):
        for n in range(3):
            await enqueue(outbox, Target("discord", channel), f"k{n}", Reply(text=f"news {n} from {channel}"))
    fake.rate_limit("POST", r"/channels/501/messages", retry_after=90)  # too long for discord.py to wait out
    fake.inject("POST", r"/channels/502/messages", 503, {"message": "Service Unavailable", "code": 0}, times=2)
    fake.deleted_channels.add("503")
    await asyncio.wait_for(worker.run_until_idle(), 60)

    contents = Counter(message["content"] for channel in ("501", "502", "503") for message in fake.messages_in(channel))
    assert contents == Counter({f"news {n} from {channel}": 1 for channel in ("501", "502") for n in range(3)})
    assert await outbox.counts() == {"sent": 6, "dead": 3}
    assert len([call for call in fake.calls if call.path == "/channels/503/messages"]) == 1  # no retry storm


async def test_a_channel_found_deleted_loses_its_subscriptions_and_one_found_forbidden_keeps_them(delivery):
    fake, outbox, worker = delivery
    subscriptions = SubscriptionStore(outbox.engine)
    deleted, forbidden = Target("discord", "505"), Target("discord", "506")
    for channel in (deleted, forbidden):
        await subscriptions.add(channel, "sector", "energy", Cadence("instant"), START)
        await enqueue(outbox, channel, "k", Reply(text=f"news for {channel.chat}"))
    fake.deleted_channels.add("505")  # deleted while newsbot was not connected to hear it
    fake.forbidden_channels.add("506")
    await asyncio.wait_for(worker.run_until_idle(), 60)

    assert [len(await subscriptions.for_target(channel)) for channel in (deleted, forbidden)] == [0, 1]
    assert await outbox.counts() == {"dead": 2}


async def test_a_burst_of_ten_full_articles_is_posted_within_the_limits_with_each_article_once(delivery):
    fake, outbox, worker = delivery
    await enqueue_bundle(outbox, Target("discord", "603"), full_burst_message())
    await asyncio.wait_for(worker.run_until_idle(), 60)
    messages = fake.messages_in("603")
    assert messages[0]["content"].startswith("12 new articles for your subscriptions (1 of 2)")
    embeds = [embed for message in messages for embed in message["embeds"]]
    assert [embed["title"].split(":")[0] for embed in embeds] == [f"Burst story {n}" for n in range(10)]
    assert all("Summary. " in embed["description"] for embed in embeds)  # full: each with its summary
    assert await outbox.counts() == {"sent": 1, "bundled": 9}


async def test_a_digest_of_several_messages_resumes_after_a_429_without_repeating_one(delivery):
    fake, outbox, worker = delivery
    cards = [ArticleCard(title=f"Grid storage report {n}", url=f"https://news.test/{n}", summary="Batteries.") for n in range(25)]
    await enqueue(outbox, Target("discord", "601"), "digest:morning", Reply(text="Your morning digest", cards=cards))
    fake.rate_limit("POST", r"/channels/601/messages", retry_after=90, after=1)  # the second of three messages
    await asyncio.wait_for(worker.run_until_idle(), 60)

    titles = [[embed["title"] for embed in message["embeds"]] for message in fake.messages_in("601")]
    assert titles == [[card.title for card in cards[start : start + 10]] for start in (0, 10, 20)]  # each once, in order
    assert len([call for call in fake.calls if call.path == "/channels/601/messages"]) == 4
    assert await outbox.counts() == {"sent": 1}


async def test_a_digest_reports_its_progress_between_messages(discord_client):
    fake, adapter = discord_client
    cards = [ArticleCard(title=f"Grid storage report {n}", url=f"https://news.test/{n}", summary="Batteries.") for n in range(25)]
    progress = []

    async def note(sent):
        progress.append((sent, len(fake.messages_in("602"))))

    await adapter.send(Target("discord", "602"), Reply(text="Your morning digest", cards=cards), progress=note)
    assert progress == [(1, 1), (2, 2)]  # each after its message, none after the last
    assert len(fake.messages_in("602")) == 3


async def test_a_resend_after_an_answer_lost_on_the_way_is_not_posted_twice(delivery):
    fake, outbox, worker = delivery
    await enqueue(outbox, Target("discord", "611"), "k", Reply(text="news that went through"))
    fake.inject("POST", r"/channels/611/messages", None, after_handling=True)  # posted, then the connection dropped
    await asyncio.wait_for(worker.run_until_idle(), 60)

    assert [message["content"] for message in fake.messages_in("611")] == ["news that went through"]
    assert len([call for call in fake.calls if call.path == "/channels/611/messages"]) == 2
    assert await outbox.counts() == {"sent": 1}


async def test_a_message_discord_refuses_is_given_up_at_once_and_the_channel_kept(delivery):
    fake, outbox, worker = delivery
    await enqueue(outbox, Target("discord", "612"), "k1", Reply(text="into a forum channel"))
    await enqueue(outbox, Target("discord", "612"), "k2", Reply(text="the next one"))
    refusal = {"message": "Cannot send messages in a non-text channel", "code": 50008}
    fake.inject("POST", r"/channels/612/messages", 400, refusal)
    await asyncio.wait_for(worker.run_until_idle(), 60)

    assert [message["content"] for message in fake.messages_in("612")] == ["the next one"]
    assert len([call for call in fake.calls if call.path == "/channels/612/messages"]) == 2  # no retries
    assert await outbox.counts() == {"sent": 1, "failed": 1}


async def test_articles_whose_links_discord_refuses_are_delivered_with_the_links_it_takes(delivery):
    fake, outbox, worker = delivery
    cards = [
        ArticleCard("Staging site story", "http://localhost:8080/post", "A careless publisher's link."),
        ArticleCard("Spaced story", "https://news.example.org/My Story.html", "A link with a space."),
    ]
    await enqueue(outbox, Target("discord", "613"), "k1", Reply(cards=cards))
    await asyncio.wait_for(worker.run_until_idle(), 60)

    [message] = fake.messages_in("613")
    assert [(embed["title"], embed.get("url")) for embed in message["embeds"]] == [
        ("Staging site story", None),
        ("Spaced story", "https://news.example.org/My%20Story.html"),
    ]
    assert await outbox.counts() == {"sent": 1}


def noted_sends(adapter: DiscordAdapter, clock: ManualClock) -> list[tuple[str, object]]:
    """From now on, each send's channel and the clock's time when it began, in order."""
    sends = []
    send = adapter.send

    async def timed_send(target, reply, **options):
        sends.append((target.chat, clock.now()))
        return await send(target, reply, **options)

    adapter.send = timed_send
    return sends


async def test_a_cloudflare_block_holds_back_every_channel(discord_client, tmp_path):
    fake, adapter = discord_client
    clock = ManualClock(START)
    sends = noted_sends(adapter, clock)
    async with migrated_engine(f"sqlite:///{tmp_path / 'bot.db'}") as engine:
        outbox, worker = build(engine, clock, adapter, max_in_flight=1, batch_size=1)
        await enqueue(outbox, Target("discord", "621"), "k", Reply(text="first"))
        await enqueue(outbox, Target("discord", "622"), "k", Reply(text="second"))
        fake.inject("POST", r"/channels/621/messages", 429, "error code: 1015")  # no Via header: Cloudflare
        await asyncio.wait_for(worker.run_until_idle(), 60)

        assert sends[0] == ("621", START)
        assert all(at >= START + timedelta(seconds=30) for _, at in sends[1:])
        assert sorted(chat for chat, _ in sends[1:]) == ["621", "622"]
        assert await outbox.counts() == {"sent": 2}


async def test_a_long_global_429_holds_back_every_channel_without_using_an_attempt(discord_client, database_url):
    fake, adapter = discord_client
    clock = ManualClock(START)
    sends = noted_sends(adapter, clock)
    async with migrated_engine(database_url) as engine:
        # one row in flight at a time: what holds back the other channels is the hold in the database
        outbox, worker = build(engine, clock, adapter, max_in_flight=1, batch_size=1)
        for channel in ("641", "642", "643"):
            await enqueue(outbox, Target("discord", channel), "k", Reply(text=f"news for {channel}"))
        fake.global_rate_limit("POST", r"/channels/\d+/messages", retry_after=64.57)
        await asyncio.wait_for(worker.run_until_idle(), 60)

        assert sends[0] == ("641", START)
        assert all(at >= START + timedelta(seconds=64.57) for _, at in sends[1:])
        assert sorted(chat for chat, _ in sends[1:]) == ["641", "642", "643"]
        assert len([call for call in fake.calls if call.path.startswith("/channels/64")]) == 4  # one 429
        async with engine.connect() as connection:
            rows = (await connection.execute(sa.select(tables.outbox.c.status, tables.outbox.c.attempts))).all()
        assert sorted(map(tuple, rows)) == [("sent", 1)] * 3


async def test_messages_wait_without_using_attempts_while_the_adapter_logs_in(tmp_path):
    adapter = DiscordAdapter(DiscordSettings(token="123456:TEST-TOKEN"))  # never connected
    async with migrated_engine(f"sqlite:///{tmp_path / 'bot.db'}") as engine:
        outbox, worker = build(engine, ManualClock(START), adapter)
        await enqueue(outbox, Target("discord", "631"), "k", Reply(text="waits for the login"))
        with pytest.raises(RuntimeError, match="did not settle"):
            await worker.run_until_idle(max_steps=20)
        async with engine.connect() as connection:
            row = (await connection.execute(sa.select(tables.outbox.c.status, tables.outbox.c.attempts))).one()
        assert tuple(row) == ("pending", 0)
