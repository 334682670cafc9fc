"""The outbox and the delivery worker against a fake adapter that injects faults and checks limits."""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
import subprocess
import sys
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.util import await_only

from bot.adapters.base import (
    DeliveryError,
    Progress,
    RateLimited,
    TargetGone,
    TargetMoved,
    TransientError,
    post_in_order,
)
from bot.app import reviving_chats
from bot.clock import ManualClock
from bot.config import Config, DeliverySettings, PlatformLimits
from bot.delivery import tables
from bot.delivery.db import migrate
from bot.delivery.limits import RatePlan
from bot.delivery.outbox import (
    EXHAUSTED, GiveUp, Gone, Outbox, Retry, Sent, digest_key, move_chat, schedule_series, target_ids, waiting_digests,
)
from bot.delivery.service import start_delivery
from bot.delivery.worker import worker_name, worker_running
from bot.model import ArticleCard, Command, Reply, Target, burst_message
from bot.subscriptions.cadence import Cadence
from bot.subscriptions.store import SubscriptionStore
from content.model import NEWS_AGE, Article
from content.store import Store
from content.tagging import Tagger
from delivery_helpers import START, build, enqueue, enqueue_bundle, failing_first, migrated_engine

PART_BREAK = " | "  # the FakeAdapter posts each piece of a reply's text between these as its own message


class FakeAdapter:
    """Records every message sent with the clock's time; `faults[(chat, text)]` lists exceptions to raise first.

    A reply is one message per piece of its text split at PART_BREAK, posted in order like a long digest.
    """

    def __init__(self, clock: ManualClock, platform: str = "telegram"):
        self.platform = platform
        self.clock = clock
        self.faults: dict[tuple[str, str], list[BaseException]] = defaultdict(list)
        self.delivered: list[tuple[str, str, float]] = []
        self.attempts: dict[tuple[str, str], int] = defaultdict(int)
        self.gone: set[str] = set()

    async def send(self, target: Target, reply: Reply, *, skip: int = 0, progress: Progress | None = None) -> None:
        post = functools.partial(self._post, target.chat)
        await post_in_order(reply.text.split(PART_BREAK), skip, post, progress)

    async def _post(self, chat: str, text: str, sent: int) -> None:
        key = (chat, text)
        self.attempts[key] += 1
        await asyncio.sleep(0)
        if chat in self.gone:
            raise TargetGone("Forbidden: bot was blocked by the user", sent=sent)
        if self.faults[key]:
            error = self.faults[key].pop(0)
            if isinstance(error, DeliveryError):
                error.sent = sent
            raise error
        self.delivered.append((chat, text, self.clock.now().timestamp()))


@pytest.fixture
async def engine(database_url):
    async with migrated_engine(database_url) as engine:
        yield engine


@pytest.fixture
def clock():
    return ManualClock(START)


async def test_enqueue_is_idempotent_per_target_and_key(engine, clock):
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter)
    reply = Reply(text="hello", cards=[ArticleCard(title="T & <b>", url="https://e.org/1", summary="S", published=START)])
    assert await enqueue(outbox, Target("telegram", "1"), "article-1", reply) is True
    assert await enqueue(outbox, Target("telegram", "1"), "article-1", reply) is False
    assert await enqueue(outbox, Target("telegram", "2"), "article-1", reply) is True
    assert await outbox.counts() == {"pending": 2}
    await worker.run_until_idle()
    assert sorted(chat for chat, _, _ in adapter.delivered) == ["1", "2"]
    assert await outbox.counts() == {"sent": 2}
    assert await enqueue(outbox, Target("telegram", "1"), "article-1", reply) is False  # sent rows still count


async def test_payload_round_trips_through_the_outbox(engine, clock):
    received = []

    class Keeper(FakeAdapter):
        async def send(self, target, reply, *, skip=0, progress=None):
            received.append((target, reply))

    outbox, worker = build(engine, clock, Keeper(clock))
    card = ArticleCard(title="Grid", url=None, summary="Sum", sectors=("Energy",), countries=("Kenya",), source="Demo", published=START)
    reply = Reply(text="x", cards=[card], private=False)
    await enqueue(outbox, Target("telegram", "-100", thread="7"), "k", reply)
    await worker.run_until_idle()
    assert received == [(Target("telegram", "-100", "7"), reply)]


async def test_faults_still_deliver_every_message_exactly_once(engine, clock):
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter)
    chats = [str(n) for n in range(1, 11)] + ["-1001", "-1002"]
    expected = set()
    for chat in chats:
        for n in range(5):
            text = f"news {n}"
            await enqueue(outbox, Target("telegram", chat), f"article-{n}", Reply(text=text))
            expected.add((chat, text))
    adapter.faults[("1", "news 0")] = [RateLimited(12.0)]
    adapter.faults[("2", "news 1")] = [TransientError("502 Bad Gateway"), TransientError("500")]
    adapter.faults[("3", "news 2")] = [asyncio.TimeoutError()]
    adapter.faults[("4", "news 3")] = [ConnectionResetError("reset by peer")]
    adapter.faults[("-1001", "news 4")] = [RateLimited(30.0), TransientError("503")]
    adapter.gone.add("5")

    await worker.run_until_idle()

    delivered = [(chat, text) for chat, text, _ in adapter.delivered]
    assert len(delivered) == len(set(delivered))
    assert set(delivered) == {item for item in expected if item[0] != "5"}
    assert sum(count for (chat, _), count in adapter.attempts.items() if chat == "5") == 1  # no retry storm
    async with engine.connect() as connection:
        target = (await connection.execute(sa.select(tables.targets).where(tables.targets.c.chat == "5"))).one()
        dead = (await connection.execute(sa.select(sa.func.count()).where(tables.outbox.c.status == "dead"))).scalar()
        attempts = dict(
            (await connection.execute(
                sa.select(tables.targets.c.chat, tables.outbox.c.attempts)
                .join(tables.targets)
                .where(tables.outbox.c.key == "article-0")
            )).all()
        )
    assert target.active is False and "blocked" in target.inactive_reason
    assert dead == 5
    assert attempts["1"] == 1  # the 429 burned no attempt
    assert await outbox.counts() == {"sent": 55, "dead": 5}


async def test_a_gone_chat_that_writes_again_gets_what_is_new_not_the_backlog(engine, clock):
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter)
    chat = Target("telegram", "5")
    subscriptions = SubscriptionStore(engine)
    await subscriptions.add(chat, "sector", "energy", Cadence("instant"), START)
    revision = await subscriptions.revision()
    adapter.gone.add("5")
    await enqueue(outbox, chat, "blocked", Reply(text="while blocked"))
    await worker.run_until_idle()
    found_gone = await subscriptions.revision()
    assert found_gone > revision  # the fan-out stops matching its subscriptions
    await enqueue(outbox, chat, "piled-up", Reply(text="piled up while gone"))  # an index not yet reloaded
    adapter.gone.discard("5")  # the person unblocks the bot and sends a command

    await subscriptions.revive(chat, START)
    await enqueue(outbox, chat, "new", Reply(text="new"))
    await worker.run_until_idle()

    assert [text for _, text, _ in adapter.delivered] == ["new"]
    assert await subscriptions.revision() > found_gone  # its instant subscriptions are indexed again
    async with engine.connect() as connection:
        target = (await connection.execute(sa.select(tables.targets).where(tables.address_of(chat)))).one()
        piled_up = (await connection.execute(sa.select(tables.outbox.c.status).where(tables.outbox.c.key == "piled-up"))).scalar()
    assert target.active is True and target.inactive_reason is None and piled_up == "dead"


async def test_messages_that_waited_more_than_three_days_are_given_up_as_no_longer_news(engine, clock):
    """What piled up for a platform nothing sent to for days (no token, or its adapter down) is not
    posted all at once when it can go again: only what is still news, and a digest that no newer one
    replaced."""
    o = tables.outbox
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter)
    chat = Target("telegram", "5")
    cards = [ArticleCard(title=f"Story {n}", url=f"https://e.org/{n}", summary="S", published=START) for n in (1, 2)]
    await enqueue(outbox, chat, "a week ago", Reply(text="a week ago"))
    await enqueue_bundle(outbox, chat, Reply(text="a burst a week ago", cards=cards))
    await enqueue(outbox, chat, digest_key("energy", START), Reply(text="the only digest, a week ago"))
    clock.advance(4 * 86400)
    await enqueue(outbox, chat, "three days ago", Reply(text="three days ago"))
    clock.advance(3 * 86400 - 60)
    await enqueue(outbox, chat, "now", Reply(text="now"))
    await worker.run_until_idle()
    assert [text for _, text, _ in adapter.delivered] == ["the only digest, a week ago", "three days ago", "now"]
    async with engine.connect() as connection:
        rows = (await connection.execute(sa.select(o.c.key, o.c.status, o.c.last_error).order_by(o.c.id))).all()
    no_longer_news = "no longer news: it waited more than 3 days to be sent"
    assert rows == [
        ("a week ago", "dead", no_longer_news),
        ("https://e.org/1", "dead", no_longer_news),
        ("https://e.org/2", "bundled", None),
        ("digest:energy:20260301T1200Z", "sent", None),  # a weekly digest may well wait as long
        ("three days ago", "sent", None),
        ("now", "sent", None),
    ]


async def test_a_digest_no_later_one_carries_is_tried_again_at_the_longest_backoff_however_often_it_failed(engine, clock):
    """A digest without a period for a next one to follow on (its subscription turned instant while
    it was being sent) is tried again after its last attempt, for as long as it fails."""
    o = tables.outbox
    outbox, _ = build(engine, clock, FakeAdapter(clock))
    await enqueue(outbox, Target("telegram", "5"), digest_key("sub1", START), Reply(text="Friday's digest"))
    [claimed] = await outbox.claim("test-worker", "telegram", 10, 1.0)
    await outbox.record("test-worker", [GiveUp(claimed.id, EXHAUSTED, "502 Bad Gateway", attempts=5000)])
    async with engine.connect() as connection:
        status, retry_at = (await connection.execute(sa.select(o.c.status, o.c.next_attempt_at))).one()
    assert status == "pending"
    assert retry_at >= clock.now().timestamp() + DeliverySettings().backoff_max_seconds / 2


async def test_a_digest_no_later_one_carries_is_given_up_once_its_articles_are_no_longer_news(engine, clock, caplog):
    o = tables.outbox
    outbox, _ = build(engine, clock, FakeAdapter(clock))
    await enqueue(outbox, Target("telegram", "5"), digest_key("sub1", START), Reply(text="Friday's digest"))
    [claimed] = await outbox.claim("test-worker", "telegram", 10, 1.0)
    clock.advance(NEWS_AGE.total_seconds() + 3600)  # its platform failing it all that time
    await outbox.record("test-worker", [GiveUp(claimed.id, EXHAUSTED, "502 Bad Gateway", attempts=5000)])
    async with engine.connect() as connection:
        assert await connection.scalar(sa.select(o.c.status)) == EXHAUSTED
    [warning] = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert warning == f"gave up outbox row {claimed.id} after 5000 attempts: 502 Bad Gateway"


async def test_the_worker_gives_up_no_digest_for_a_newer_one_of_its_series(engine, clock):
    """A newer digest sums up the older ones waiting when it is queued, which are given up then: one
    left waiting (it was on its way then, or the newer one could not be sent at all) is sent."""
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter)
    chat = Target("telegram", "1")
    for hour in range(3):
        await enqueue(outbox, chat, digest_key("morning: energy", START + timedelta(hours=hour)), Reply(text=f"energy {hour}h"))
        clock.advance(3600)
    async with engine.begin() as connection:
        newest = tables.outbox.c.key == digest_key("morning: energy", START + timedelta(hours=2))
        await connection.execute(tables.outbox.update().where(newest).values(status="failed"))
    await worker.run_until_idle()
    assert [text for _, text, _ in adapter.delivered] == ["energy 0h", "energy 1h"]


async def test_a_digest_half_sent_before_a_newer_one_was_queued_is_finished(engine, clock):
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter)
    chat = Target("telegram", "7")
    await enqueue(outbox, chat, digest_key("energy", START), Reply(text=PART_BREAK.join(["older one", "older two"])))
    async with engine.begin() as connection:  # its first message went out before its worker died
        await connection.execute(tables.outbox.update().values(parts_sent=1))
    clock.advance(3600)
    await enqueue(outbox, chat, digest_key("energy", clock.now()), Reply(text="newer"))
    await worker.run_until_idle()
    assert [text for _, text, _ in adapter.delivered] == ["older two", "newer"]


async def test_any_command_from_a_gone_chat_revives_it_before_the_answer(engine):
    chat = Target("telegram", "5")
    subscriptions = SubscriptionStore(engine)
    await subscriptions.add(chat, "sector", "energy", Cadence("instant"), START)
    async with engine.begin() as connection:
        await connection.execute(tables.targets.update().values(active=False, inactive_reason="blocked"))
    answered = []

    async def handle(command: Command) -> Reply:
        async with engine.connect() as connection:
            answered.append((await connection.execute(sa.select(tables.targets.c.active))).scalar())
        return Reply(text="ok")

    await reviving_chats(handle, subscriptions, lambda: START)(Command("subscriptions", "", "u1", chat))
    assert answered == [True]  # so /subscriptions tells the truth


async def test_a_command_about_a_chat_the_bot_may_not_post_in_leaves_it_gone(engine):
    """A Telegram channel whose administrator lists its subscriptions after demoting the bot: posting
    there would only find it gone again."""
    channel = Target("telegram", "-1003000")
    subscriptions = SubscriptionStore(engine)
    await subscriptions.add(channel, "sector", "energy", Cadence("instant"), START)
    async with engine.begin() as connection:
        await connection.execute(tables.targets.update().values(active=False, inactive_reason="need administrator rights"))

    async def handle(command: Command) -> Reply:
        return Reply(text="ok")

    listing = Command("subscriptions", "", "u1", channel, chat_kind="channel", bot_can_post=False)
    await reviving_chats(handle, subscriptions, lambda: START)(listing)
    async with engine.connect() as connection:
        assert (await connection.execute(sa.select(tables.targets.c.active))).scalar() is False


async def test_the_channels_of_a_discord_guild_the_bot_may_post_in_again_are_revived_together_and_no_others(engine):
    subscriptions = SubscriptionStore(engine)
    channels = [Target("discord", chat) for chat in ("901", "902", "903")]
    for channel in channels:
        await subscriptions.add(channel, "sector", "energy", Cadence("instant"), START)
    async with engine.begin() as connection:
        await connection.execute(tables.targets.update().values(active=False, inactive_reason="403 Missing Permissions"))
    await subscriptions.revive_chats(channels[:2], START)
    async with engine.connect() as connection:
        rows = await connection.execute(sa.select(tables.targets.c.chat, tables.targets.c.active).order_by(tables.targets.c.chat))
        assert [tuple(row) for row in rows] == [("901", True), ("902", True), ("903", False)]


async def test_the_channels_of_every_guild_at_connect_are_revived_however_many_they_are(engine):
    """More channels than a statement takes parameters (32766 on SQLite, 32767 with asyncpg)."""
    subscriptions = SubscriptionStore(engine)
    for chat in ("901", "903"):
        await subscriptions.add(Target("discord", chat), "sector", "energy", Cadence("instant"), START)
    async with engine.begin() as connection:
        await connection.execute(tables.targets.update().values(active=False, inactive_reason="403 Missing Permissions"))
    await subscriptions.revive_chats([Target("discord", str(chat)) for chat in range(40_000, 0, -1)], START)
    async with engine.connect() as connection:
        rows = await connection.execute(sa.select(tables.targets.c.chat, tables.targets.c.active).order_by(tables.targets.c.chat))
        assert [tuple(row) for row in rows] == [("901", True), ("903", True)]


async def test_a_command_anywhere_in_a_forum_group_brings_back_all_its_topics(engine, clock):
    """The bot removed from a Telegram forum group and added back: each topic with subscriptions was
    found gone on its own delivery, and one command in any topic (or in General) brings the group back."""
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter)
    general, energy_topic, kenya_topic = (Target("telegram", "-1007", thread) for thread in (None, "5", "9"))
    subscriptions = SubscriptionStore(engine)
    await subscriptions.add(energy_topic, "sector", "energy", Cadence("instant"), START)
    await subscriptions.add(kenya_topic, "country", "KE", Cadence("instant"), START)
    adapter.gone.add("-1007")  # the bot was removed from the group
    for topic in (energy_topic, kenya_topic):
        await enqueue(outbox, topic, "while removed", Reply(text="while removed"))
    await worker.run_until_idle()
    adapter.gone.discard("-1007")  # added back; an admin types a command in General

    await subscriptions.revive(general, START)
    for topic in (energy_topic, kenya_topic):
        await enqueue(outbox, topic, "new", Reply(text=f"new in topic {topic.thread}"))
    await worker.run_until_idle()

    assert sorted(text for _, text, _ in adapter.delivered) == ["new in topic 5", "new in topic 9"]


async def test_a_message_the_platform_refuses_is_given_up_with_one_line_not_a_traceback(engine, clock, caplog):
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter)
    adapter.faults[("9", "news")] = [DeliveryError("Bad Request: can't parse entities")]
    await enqueue(outbox, Target("telegram", "9"), "k", Reply(text="news"))
    await worker.run_until_idle()
    assert await outbox.counts() == {"failed": 1}
    [record] = [record for record in caplog.records if "refused" in record.getMessage()]
    assert record.levelno == logging.WARNING and record.exc_info is None


async def test_a_chat_found_gone_by_several_messages_at_once_is_told_once(engine, clock, caplog):
    adapter = FakeAdapter(clock)
    lifted = PlatformLimits(per_chat_seconds=0, per_group_seconds=0, per_second=0)
    outbox, worker = build(engine, clock, adapter, telegram=lifted)  # its messages sent together
    adapter.gone.add("222")
    for key in ("a", "b", "c"):
        await enqueue(outbox, Target("telegram", "222"), key, Reply(text=key))
    await worker.run_until_idle()
    assert sum(adapter.attempts.values()) > 1  # more than one of its messages met the blocked chat
    [record] = [record for record in caplog.records if "222" in record.getMessage()]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        "telegram chat 222 is gone (Forbidden: bot was blocked by the user): its subscriptions are paused"
        " and its waiting messages given up until it comes back"
    )


async def test_a_message_given_up_after_its_last_attempt_says_so_in_one_line(engine, clock, caplog):
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter, max_attempts=3, backoff_seconds=10)
    await enqueue(outbox, Target("telegram", "8"), "a", Reply(text="a"))
    adapter.faults[("8", "a")] = [TransientError(f"502 Bad Gateway #{n}") for n in range(3)]
    await worker.run_until_idle()
    [record] = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert record.exc_info is None
    assert "telegram chat 8" in record.getMessage() and "gave up" in record.getMessage()
    assert "after 3 attempts" in record.getMessage() and "502 Bad Gateway #2" in record.getMessage()


async def test_a_digest_tried_again_after_its_last_attempt_is_told_given_up_once_not_at_each_failure(engine, clock, caplog):
    """A digest no later one carries goes on failing past its last attempt: one warning, not one each
    longest backoff for three days, each saying it was given up when it is tried again."""
    caplog.set_level(logging.INFO)
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter, max_attempts=3, backoff_seconds=10)
    await enqueue(outbox, Target("telegram", "8"), digest_key("sub1", START), Reply(text="Friday's digest"))
    adapter.faults[("8", "Friday's digest")] = [TransientError(f"502 Bad Gateway #{n}") for n in range(6)]
    await worker.run_until_idle()
    assert [text for _, text, _ in adapter.delivered] == ["Friday's digest"]
    warnings = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "after 3 attempts" in warnings[0]
    assert sum("tried again all the same" in record.getMessage() for record in caplog.records) == 1


async def test_a_message_failing_past_a_thousand_attempts_is_tried_again_at_the_longest_backoff(engine, clock):
    """max_attempts set high not to give up: the delay after the 1025th attempt doubled past a float's range."""
    o = tables.outbox
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter, max_attempts=5000)
    await enqueue(outbox, Target("telegram", "8"), "a", Reply(text="a"))
    async with engine.begin() as connection:
        await connection.execute(o.update().values(attempts=1024))  # its platform failing it for days
    adapter.faults[("8", "a")] = [TransientError("502 Bad Gateway")]
    await worker.run_until_idle()
    assert [text for _, text, _ in adapter.delivered] == ["a"]
    async with engine.connect() as connection:
        sent_after = await connection.scalar(sa.select(o.c.sent_at))
        assert await connection.scalar(sa.select(o.c.attempts)) == 1026  # the failure written down, then the send
    assert sent_after <= START.timestamp() + DeliverySettings().backoff_max_seconds


async def test_a_chat_moved_to_an_id_that_is_already_a_target_merges_into_it(engine, clock):
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter)
    subscriptions = SubscriptionStore(engine)
    old, new = Target("telegram", "-555"), Target("telegram", "-1009999")
    await subscriptions.add(old, "sector", "energy", Cadence("instant"), START)
    await subscriptions.add(old, "country", "KE", Cadence.parse("daily 08:00"), START)
    await subscriptions.add(new, "sector", "energy", Cadence("instant"), START)  # made in the upgraded group
    await subscriptions.add(new, "sector", "health", Cadence("instant"), START)
    await subscriptions.set_timezone("telegram", "-555", "Africa/Nairobi")
    for text in ("news", "queued for both"):
        adapter.faults[("-555", text)] = [TargetMoved("-1009999", "group chat was upgraded to a supergroup chat")]
    await enqueue(outbox, old, "k", Reply(text="news"))
    await enqueue(outbox, old, "twice", Reply(text="queued for both"))
    await enqueue(outbox, new, "twice", Reply(text="queued for both"))
    await worker.run_until_idle()

    assert sorted((chat, text) for chat, text, _ in adapter.delivered) == [("-1009999", "news"), ("-1009999", "queued for both")]
    topics = sorted((row.kind, row.value, row.cadence.kind) for row in await subscriptions.for_target(new))
    assert topics == [("country", "KE", "daily"), ("sector", "energy", "instant"), ("sector", "health", "instant")]
    assert await subscriptions.for_target(old) == []
    assert await subscriptions.timezone("telegram", "-1009999") == "Africa/Nairobi"
    async with engine.connect() as connection:
        rows = (await connection.execute(sa.select(tables.targets.c.chat, tables.targets.c.active))).all()
    assert sorted(rows) == [("-1009999", True), ("-555", False)]


def story_cards(numbers) -> list[ArticleCard]:
    return [ArticleCard(title=f"Story {n}", url=f"https://news.test/{n}", summary="") for n in numbers]


async def queued_messages(outbox) -> list[tuple[str, str, list[str]]]:
    """(chat, text, card titles) of every message waiting to be sent."""
    claimed = await outbox.claim("test", "telegram", 100, lookahead=3600)
    return sorted((row.target.chat, row.reply.text, [card.title for card in row.reply.cards]) for row in claimed)


async def test_a_burst_of_a_chat_that_moved_goes_whole_to_its_new_id_with_each_article_kept_queued_there(engine, clock):
    outbox, _ = build(engine, clock, FakeAdapter(clock))
    old, new = Target("telegram", "-555"), Target("telegram", "-1009999")
    await enqueue(outbox, new, "other", Reply(text="made in the upgraded group"))
    await enqueue_bundle(outbox, old, burst_message(story_cards(range(4)), 1, 1, 4))
    await move_chat(engine, old, new.chat)
    assert await queued_messages(outbox) == [
        ("-1009999", "4 new articles for your subscriptions", [f"Story {n}" for n in range(4)]),
        ("-1009999", "made in the upgraded group", []),
    ]
    assert not await enqueue(outbox, new, "https://news.test/2", Reply(text="a schedule's post of it"))  # sent in the burst


async def test_a_burst_of_a_chat_that_moved_where_some_of_its_articles_wait_already_brings_only_the_others(engine, clock):
    outbox, _ = build(engine, clock, FakeAdapter(clock))
    old, new = Target("telegram", "-555"), Target("telegram", "-1009999")
    for n in (0, 2):  # the burst's first article among them
        await enqueue(outbox, new, f"https://news.test/{n}", Reply(text=f"Story {n} alone"))
    await enqueue_bundle(outbox, old, burst_message(story_cards(range(4)), 1, 1, 4))
    await move_chat(engine, old, new.chat)
    assert await queued_messages(outbox) == [
        ("-1009999", "2 new articles for your subscriptions", ["Story 1", "Story 3"]),
        ("-1009999", "Story 0 alone", []),
        ("-1009999", "Story 2 alone", []),
    ]


async def test_a_burst_of_a_chat_that_moved_where_all_its_articles_wait_already_is_not_sent_again(engine, clock):
    outbox, _ = build(engine, clock, FakeAdapter(clock))
    old, new = Target("telegram", "-555"), Target("telegram", "-1009999")
    await enqueue_bundle(outbox, new, burst_message(story_cards(range(4)), 1, 1, 4))
    await enqueue_bundle(outbox, old, burst_message(story_cards(range(4)), 1, 1, 4))
    await move_chat(engine, old, new.chat)
    assert await queued_messages(outbox) == [("-1009999", "4 new articles for your subscriptions", [f"Story {n}" for n in range(4)])]


async def enqueue_scheduled(outbox, target: Target, key: str, reply: Reply) -> None:
    """Queue a message as a config schedule does: `/unsubscribe all` leaves it."""
    async with outbox.engine.begin() as connection:
        target_id = (await target_ids(connection, [target]))[target]
        await outbox.enqueue_for(connection, [target_id], key, reply, scheduled=True)


async def test_a_schedules_post_merged_into_a_chat_that_has_its_article_queued_stays_when_it_unsubscribes_from_all(engine, clock):
    outbox, _ = build(engine, clock, FakeAdapter(clock))
    old, new = Target("telegram", "-555"), Target("telegram", "-1009999")
    await enqueue(outbox, new, "https://news.test/1", Reply(text="Story 1, for a subscription of the upgraded group"))
    await enqueue_scheduled(outbox, old, "https://news.test/1", Reply(text="Story 1, the schedule's post"))
    await move_chat(engine, old, new.chat)
    await SubscriptionStore(engine).remove(new)
    assert await queued_messages(outbox) == [("-1009999", "Story 1, for a subscription of the upgraded group", [])]


@pytest.mark.parametrize(
    ("burst", "sent"),
    [
        (False, ("Story 3, the schedule's post", [])),
        (True, ("4 new articles for your subscriptions", [f"Story {n}" for n in range(4)])),  # whole, the schedule's post in it
    ],
)
async def test_a_schedules_post_merged_into_a_chat_that_gave_up_its_article_unsubscribing_from_all_is_sent_there(
    engine, clock, burst, sent
):
    outbox, _ = build(engine, clock, FakeAdapter(clock))
    old, new = Target("telegram", "-555"), Target("telegram", "-1009999")
    await enqueue(outbox, new, "https://news.test/3", Reply(text="Story 3, for a subscription of the upgraded group"))
    await SubscriptionStore(engine).remove(new)
    if burst:
        await enqueue_bundle(outbox, old, burst_message(story_cards(range(4)), 1, 1, 4))
    await enqueue_scheduled(outbox, old, "https://news.test/3", Reply(text="Story 3, the schedule's post"))
    await move_chat(engine, old, new.chat)
    assert await queued_messages(outbox) == [("-1009999", *sent)]


async def test_a_burst_carrying_a_schedules_article_rebundled_in_a_merge_stays_when_the_chat_unsubscribes_from_all(engine, clock):
    outbox, _ = build(engine, clock, FakeAdapter(clock))
    old, new = Target("telegram", "-555"), Target("telegram", "-1009999")
    await enqueue(outbox, new, "https://news.test/0", Reply(text="Story 0 alone"))
    await enqueue_bundle(outbox, old, burst_message(story_cards(range(4)), 1, 1, 4))
    await enqueue_scheduled(outbox, old, "https://news.test/3", Reply(text="Story 3, the schedule's post"))
    await move_chat(engine, old, new.chat)
    await SubscriptionStore(engine).remove(new)
    assert await queued_messages(outbox) == [
        ("-1009999", "3 new articles for your subscriptions", ["Story 1", "Story 2", "Story 3"]),
    ]


class GatedClock(ManualClock):
    """A manual clock whose sleeps wait for the test to open the gate."""

    def __init__(self, start):
        super().__init__(start)
        self.gate = asyncio.Event()

    async def sleep(self, seconds):
        if seconds > 0:
            await self.gate.wait()
            self.advance(seconds)


async def test_a_row_still_waiting_when_its_chat_was_found_gone_does_not_undo_a_revival(engine):
    clock = GatedClock(START)
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter, telegram=PlatformLimits(per_chat_seconds=1.0, per_group_seconds=1.0))
    chat = Target("telegram", "5")
    subscriptions = SubscriptionStore(engine)
    await subscriptions.add(chat, "sector", "energy", Cadence("instant"), START)
    await enqueue(outbox, chat, "a", Reply(text="a"))
    await enqueue(outbox, chat, "b", Reply(text="b"))
    adapter.gone.add("5")
    assert await worker.step() == 2  # both claimed; b waits for its slot
    await asyncio.sleep(0.05)
    await worker.step()  # a's Gone is recorded: the chat is deactivated
    adapter.gone.discard("5")
    await subscriptions.revive(chat, START)  # the person unblocks the bot and writes /start
    clock.gate.set()  # b's slot comes
    await asyncio.sleep(0.05)
    await worker.step()
    async with engine.connect() as connection:
        assert (await connection.execute(sa.select(tables.targets.c.active))).scalar() is True


async def test_reviving_a_chat_that_is_not_gone_changes_nothing(engine, clock):
    subscriptions = SubscriptionStore(engine)
    await subscriptions.add(Target("telegram", "7"), "sector", "energy", Cadence("instant"), START)
    revision = await subscriptions.revision()
    await subscriptions.revive(Target("telegram", "7"), START)
    await subscriptions.revive(Target("telegram", "never-seen"), START)
    assert await subscriptions.revision() == revision
    async with engine.connect() as connection:
        assert (await connection.execute(sa.select(sa.func.count()).select_from(tables.targets))).scalar() == 1


async def test_rate_limited_message_waits_for_retry_after(engine, clock):
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter)
    await enqueue(outbox, Target("telegram", "9"), "a", Reply(text="a"))
    await enqueue(outbox, Target("telegram", "9"), "b", Reply(text="b"))
    adapter.faults[("9", "a")] = [RateLimited(40.0)]
    await worker.run_until_idle()
    times = {text: at for _, text, at in adapter.delivered}
    # the 429 pushed back the whole chat, not just the one message
    assert times["a"] >= START.timestamp() + 40 and times["b"] >= START.timestamp() + 40


async def test_a_rate_limit_is_told_once_naming_the_chat_and_the_wait(engine, clock, caplog):
    caplog.set_level(logging.INFO)
    import bot.adapters.telegram.limits  # noqa: F401  (installs the filter on python-telegram-bot's logger)

    logging.getLogger("telegram.ext.AIORateLimiter").info("Rate limit hit after maximum of 0 retries")  # names no chat
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter)
    await enqueue(outbox, Target("telegram", "9"), "a", Reply(text="a"))
    adapter.faults[("9", "a")] = [RateLimited(40.0, "Too Many Requests: retry after 40")]
    await worker.run_until_idle()
    assert [record.getMessage() for record in caplog.records] == [
        "telegram chat 9 is rate limited: its messages wait 40 s"
    ]


async def test_transient_failures_back_off_then_give_up(engine, clock):
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter, max_attempts=4, backoff_seconds=10)
    await enqueue(outbox, Target("telegram", "8"), "a", Reply(text="a"))
    adapter.faults[("8", "a")] = [TransientError(f"500 #{n}") for n in range(10)]
    await worker.run_until_idle()
    assert adapter.attempts[("8", "a")] == 4
    assert adapter.delivered == []
    async with engine.connect() as connection:
        row = (await connection.execute(sa.select(tables.outbox))).one()
    assert (row.status, row.attempts, row.last_error) == ("exhausted", 4, "500 #3")
    # three backoffs of at least half of 10, 20 and 40 seconds
    assert clock.now().timestamp() - START.timestamp() >= 35


async def test_an_unexpected_error_fails_the_message_without_retrying(engine, clock):
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter)
    await enqueue(outbox, Target("telegram", "8"), "a", Reply(text="a"))
    adapter.faults[("8", "a")] = [ValueError("message too long")]
    await worker.run_until_idle()
    assert adapter.attempts[("8", "a")] == 1
    assert await outbox.counts() == {"failed": 1}


async def queue_digest(outbox: Outbox, chat: Target, series: str, text: str) -> int:
    """Queue the digest of `series` due now, whose period starts after store position 1; returns its target's id."""
    async with outbox.engine.begin() as connection:
        target_id = (await target_ids(connection, [chat]))[chat]
        key = digest_key(series, outbox._clock.now())
        await outbox.enqueue_for(connection, [target_id], key, Reply(text=text), covered_after=1)
    return target_id


async def waiting_ids(outbox: Outbox, target_id: int, series: str) -> list[int]:
    async with outbox.engine.begin() as connection:
        return (await waiting_digests(connection, target_id, series)).ids


async def test_a_digest_given_up_after_its_last_attempt_half_sent_is_not_summed_up_again(engine, clock):
    """Its first message reached the chat: summed up by the next digest, its articles would come twice."""
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter, max_attempts=2)
    target_id = await queue_digest(outbox, Target("telegram", "7"), schedule_series("morning"), PART_BREAK.join(["one", "two"]))
    adapter.faults[("7", "two")] = [TransientError("500"), TransientError("503")]
    await worker.run_until_idle()
    assert [text for _, text, _ in adapter.delivered] == ["one"]
    assert await waiting_ids(outbox, target_id, schedule_series("morning")) == []


async def test_schedules_whose_names_differ_only_in_case_have_digests_of_their_own(engine, clock):
    outbox, _ = build(engine, clock, FakeAdapter(clock))
    target_id = await queue_digest(outbox, Target("telegram", "7"), schedule_series("Morning"), "Morning's")
    assert len(await waiting_ids(outbox, target_id, schedule_series("Morning"))) == 1
    assert await waiting_ids(outbox, target_id, schedule_series("morning")) == []


async def test_a_reply_of_several_messages_is_retried_from_the_message_that_failed(engine, clock):
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter)
    await enqueue(outbox, Target("telegram", "7"), "digest", Reply(text=PART_BREAK.join(["one", "two", "three"])))
    adapter.faults[("7", "two")] = [RateLimited(20.0)]
    adapter.faults[("7", "three")] = [TransientError("502 Bad Gateway")]  # the retry fails again, further on
    await worker.run_until_idle()
    assert [text for _, text, _ in adapter.delivered] == ["one", "two", "three"]
    assert adapter.attempts == {("7", "one"): 1, ("7", "two"): 2, ("7", "three"): 2}
    assert await outbox.counts() == {"sent": 1}


async def test_a_dead_reply_keeps_the_count_of_its_messages_delivered(engine, clock):
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter, max_attempts=2)
    await enqueue(outbox, Target("telegram", "7"), "digest", Reply(text=PART_BREAK.join(["one", "two", "three"])))
    adapter.faults[("7", "two")] = [TransientError("500"), TransientError("503")]
    await worker.run_until_idle()
    assert [text for _, text, _ in adapter.delivered] == ["one"]
    async with engine.connect() as connection:
        row = (await connection.execute(sa.select(tables.outbox))).one()
    assert (row.status, row.parts_sent) == ("exhausted", 1)


async def test_after_a_crash_mid_reply_only_the_message_on_its_way_is_sent_again(engine, clock):
    on_its_way = asyncio.Event()

    class DiesOnThree(FakeAdapter):
        async def _post(self, chat, text, sent):
            await super()._post(chat, text, sent)
            if text == "three":  # posted, and the process dies before anything more is written
                on_its_way.set()
                await asyncio.Event().wait()

    lifted = PlatformLimits(per_chat_seconds=0, per_group_seconds=0, per_second=0)
    dying = DiesOnThree(clock)
    outbox, worker = build(engine, clock, dying, telegram=lifted)
    await enqueue(outbox, Target("telegram", "7"), "digest", Reply(text=PART_BREAK.join(["one", "two", "three", "four"])))
    assert await worker.step() == 1
    await asyncio.wait_for(on_its_way.wait(), 5)
    for task in list(worker._in_flight):
        task.cancel()
    await outbox.release_leases(lambda owner: False)  # what a restart on SQLite does first, its process gone

    survivor = FakeAdapter(clock)
    _, restarted = build(engine, clock, survivor, telegram=lifted)
    await restarted.run_until_idle()
    assert [text for _, text, _ in dying.delivered] == ["one", "two", "three"]
    assert [text for _, text, _ in survivor.delivered] == ["three", "four"]
    assert await outbox.counts() == {"sent": 1}


async def test_a_reply_is_delivered_when_its_progress_cannot_be_written(engine, clock):
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter)

    async def database_gone(*args):
        raise ConnectionError("database went away")

    outbox.save_progress = database_gone
    await enqueue(outbox, Target("telegram", "7"), "digest", Reply(text=PART_BREAK.join(["one", "two"])))
    await worker.run_until_idle()
    assert [text for _, text, _ in adapter.delivered] == ["one", "two"]
    assert await outbox.counts() == {"sent": 1}


async def test_sends_respect_per_chat_group_and_global_limits(engine, clock):
    adapter = FakeAdapter(clock)
    limits = PlatformLimits(per_chat_seconds=1.0, per_group_seconds=3.0, per_second=30)
    outbox, worker = build(engine, clock, adapter, telegram=limits)
    for chat in [str(n) for n in range(40)] + ["-500", "@channel"]:
        for n in range(4):
            await enqueue(outbox, Target("telegram", chat), f"k{n}", Reply(text=f"m{n}"))
    await worker.run_until_idle()
    assert len(adapter.delivered) == 42 * 4
    by_chat = defaultdict(list)
    for chat, _, at in adapter.delivered:
        by_chat[chat].append(at)
    # Slots are reserved exactly `gap` apart. The clock has microsecond resolution, so a send starts up
    # to 1 µs after its slot, and a float epoch timestamp near 2026 is only good to about 0.25 µs:
    # two recorded sends may stand up to 1.5 µs closer than their slots.
    resolution = 2e-6
    for chat, times in by_chat.items():
        gap = 3.0 if chat.startswith(("-", "@")) else 1.0
        assert all(b - a >= gap - resolution for a, b in zip(times, times[1:])), chat
    times = sorted(at for _, _, at in adapter.delivered)
    assert all(b - a >= 1 / 30 - resolution for a, b in zip(times, times[1:]))


async def test_an_expired_lease_is_taken_over(engine, clock):
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter, lease_seconds=60)
    await enqueue(outbox, Target("telegram", "3"), "a", Reply(text="a"))
    claimed = await outbox.claim("crashed-worker", "telegram", 10, 1.0)
    assert len(claimed) == 1
    assert await outbox.claim("another", "telegram", 10, 1.0) == []  # leased
    clock.advance(61)
    await worker.run_until_idle()
    assert [text for _, text, _ in adapter.delivered] == ["a"]


async def test_leases_run_on_the_database_clock_whatever_the_workers_clocks_say(engine, clock):
    behind, ahead = ManualClock(START - timedelta(minutes=10)), ManualClock(START + timedelta(minutes=10))
    late, _ = build(engine, behind, FakeAdapter(behind), database_clock=clock, lease_seconds=60)
    early, _ = build(engine, ahead, FakeAdapter(ahead), database_clock=clock, lease_seconds=60)
    await enqueue(late, Target("telegram", "3"), "a", Reply(text="a"))
    [item] = await late.claim("worker-behind", "telegram", 10, 1.0)
    assert await early.claim("worker-ahead", "telegram", 10, 1.0) == []
    for moment in (behind, ahead, clock):
        moment.advance(50)
    await late.renew_leases("worker-behind", [item.id])
    for moment in (behind, ahead, clock):
        moment.advance(50)
    assert await early.claim("worker-ahead", "telegram", 10, 1.0) == []
    clock.advance(11)  # the renewed lease has run out on the database's clock
    assert [taken.id for taken in await early.claim("worker-ahead", "telegram", 10, 1.0)] == [item.id]


async def test_on_postgresql_a_worker_a_day_ahead_does_not_take_over_a_lease_the_database_clock_keeps(engine, clock):
    if engine.dialect.name != "postgresql":
        pytest.skip("one process delivers from SQLite: its leases run on its own clock")
    plan, ahead = RatePlan(DeliverySettings()), ManualClock(START + timedelta(days=1))
    outbox, early = Outbox(engine, clock, plan, lease_seconds=60), Outbox(engine, ahead, plan, lease_seconds=60)
    await enqueue(outbox, Target("telegram", "3"), "a", Reply(text="a"))
    assert len(await outbox.claim("worker", "telegram", 10, 1.0)) == 1
    assert await early.claim("worker-ahead", "telegram", 10, 1.0) == []


async def test_a_late_outcome_of_a_worker_whose_lease_was_taken_over_counts_only_if_sent(engine, clock):
    o = tables.outbox
    outbox, _ = build(engine, clock, FakeAdapter(clock), lease_seconds=60)
    for chat, key in [("1", "retried"), ("2", "given up"), ("3", "sent")]:
        await enqueue(outbox, Target("telegram", chat), key, Reply(text=key))
    late = {item.reply.text: item.id for item in await outbox.claim("slow-worker", "telegram", 10, 1.0)}
    clock.advance(61)
    assert len(await outbox.claim("next-worker", "telegram", 10, 1.0)) == 3
    await outbox.record("slow-worker", [
        Retry(late["retried"], clock.now().timestamp(), "timed out", 1, 0),
        GiveUp(late["given up"], "dead", "timed out", 5),
        Sent(late["sent"]),  # its message went out: the next worker need not send it
    ])
    async with engine.connect() as connection:
        rows = (await connection.execute(sa.select(o.c.key, o.c.status, o.c.lease_owner).order_by(o.c.key))).all()
    assert rows == [("given up", "pending", "next-worker"), ("retried", "pending", "next-worker"), ("sent", "sent", None)]
    assert await outbox.claim("third-worker", "telegram", 10, 1.0) == []


async def test_a_send_outlasting_its_lease_is_not_taken_over_while_its_worker_is_still_at_it(engine, clock):
    release = asyncio.Event()

    class Slow(FakeAdapter):
        async def send(self, target, reply, *, skip=0, progress=None):
            await release.wait()  # a 429 waited out inside the adapter, a long digest paced message by message
            await super().send(target, reply, skip=skip, progress=progress)

    adapter = Slow(clock)
    outbox, worker = build(engine, clock, adapter, lease_seconds=60)
    await enqueue(outbox, Target("telegram", "3"), "a", Reply(text="a"))
    assert await worker.step() == 1
    for _ in range(4):  # the worker's polls go on meanwhile
        clock.advance(40)
        await worker.step()
    assert await outbox.claim("another", "telegram", 10, 1.0) == []
    release.set()
    await worker.run_until_idle()
    assert [text for _, text, _ in adapter.delivered] == ["a"]
    assert await outbox.counts() == {"sent": 1}


async def test_messages_sent_or_given_up_are_deleted_after_keep_days_with_their_payloads(engine, clock):
    o, t = tables.outbox, tables.targets
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter, keep_days=30)
    cards = [ArticleCard(title=f"Story {n}", url=f"https://e.org/{n}", summary="S", published=START) for n in (1, 2)]
    await enqueue(outbox, Target("telegram", "1"), "a", Reply(text="a"))
    await enqueue_bundle(outbox, Target("telegram", "2"), Reply(text="two", cards=cards))
    adapter.faults[("5", "failed")].append(ValueError("a bug"))
    await enqueue(outbox, Target("telegram", "5"), "f", Reply(text="failed"))
    await worker.run_until_idle()
    later = clock.now().timestamp() + 40 * 86400
    await enqueue(outbox, Target("telegram", "3"), "c", Reply(text="c"), not_before=later)  # still to be sent
    await enqueue_bundle(outbox, Target("telegram", "4"), Reply(text="two", cards=cards))
    async with engine.begin() as connection:  # the chat held back by a long 429: its bundle waits
        await connection.execute(t.update().where(t.c.chat == "4").values(next_send_at=later))
    clock.advance(31 * 86400)
    assert await worker.step() == 0
    async with engine.connect() as connection:
        kept = (await connection.execute(sa.select(t.c.chat, o.c.key, o.c.status).join(t).order_by(o.c.id))).all()
        payloads = await connection.scalar(sa.select(sa.func.count()).select_from(tables.payloads))
    assert kept == [("3", "c", "pending"), ("4", "https://e.org/1", "pending"), ("4", "https://e.org/2", "bundled")]
    assert payloads == 2


async def test_pruning_asks_whether_a_waiting_message_names_a_payload_in_one_look_however_many_wait(engine, clock):
    """Old rows are pruned beside a backlog (a million messages waiting on a busy bot) and beside the
    rows of an article sent to 100,000 chats: whether a waiting message names an old row's payload is
    one look in an index, not a pass over the backlog for each old row (PostgreSQL's NOT IN, once the
    backlog outgrows work_mem), nor over every row naming that payload. Those ran past the statement
    timeout and, failing every step, held up every delivery."""
    now = clock.now().timestamp()
    outbox, _ = build(engine, clock, FakeAdapter(clock), keep_days=30)
    async with engine.begin() as connection:
        await connection.execute(tables.targets.insert().values(platform="telegram", chat="1"))
        await connection.execute(tables.payloads.insert(), [{"body": "{}"}] * 21)  # the 21st the old rows'
        rows = sa.text(
            "WITH RECURSIVE n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < 20000)"
            " INSERT INTO bot_outbox (target_id, platform, key, payload_id, status, created_at, next_attempt_at)"
            " SELECT 1, 'telegram', 'k' || n, CASE WHEN n <= 10 THEN 21 ELSE 1 + n % 20 END,"
            " CASE WHEN n <= 10 THEN 'sent' ELSE 'pending' END, CASE WHEN n <= 10 THEN :old ELSE :now END, :now FROM n"
        ).bindparams(sa.bindparam("old", type_=sa.Double), sa.bindparam("now", type_=sa.Double))
        await connection.execute(rows, {"old": now - 40 * 86400, "now": now})
        await connection.execute(sa.text("ANALYZE"))
    statements = []

    def before(connection, cursor, statement, parameters, context, executemany):
        if statement.startswith("SELECT bot_outbox.id, bot_outbox.payload_id"):
            statements.append((statement, parameters))

    sa.event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        assert await outbox.prune(now - 30 * 86400) == 10
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", before)
    [(statement, parameters)] = statements
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.exec_driver_sql("SET LOCAL work_mem = '64kB'")
            plan = "\n".join((await connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)).scalars())
            assert "SubPlan" not in plan, plan
        else:
            plan = "\n".join(row[-1] for row in await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
            assert "(payload_id=? AND status=?)" in plan, plan


async def test_a_chat_found_gone_while_another_worker_claims_its_messages_is_recorded_and_the_claim_made(engine, clock):
    """A claim locks the chat's rows, then the chat's slot; finding the chat gone must lock them in that order too."""
    outbox, _ = build(engine, clock, FakeAdapter(clock))
    group = Target("telegram", "-100")
    for key in ("a", "b"):
        await enqueue(outbox, group, key, Reply(text=key))
    async with engine.connect() as connection:
        target_id = await connection.scalar(sa.select(tables.targets.c.id))
    recorded = []

    def before(connection, cursor, statement, parameters, context, executemany):
        if not recorded and statement.lstrip().upper().startswith("UPDATE BOT_TARGETS SET NEXT_SEND_AT"):
            # the claim holds the chat's rows: another worker records the chat gone meanwhile
            recorded.append(asyncio.ensure_future(outbox.record("another-worker", [Gone(target_id, "Forbidden: bot was kicked")])))
            await_only(asyncio.sleep(0.3))

    sa.event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        claimed = await outbox.claim("claiming-worker", "telegram", 10, 1.0)
        await recorded[0]
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", before)
    assert [item.id for item in claimed] and await outbox.counts() == {"dead": 2}


async def test_released_leases_are_claimable_at_once(engine, clock):
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter, lease_seconds=60)
    for key in ("a", "b"):
        await enqueue(outbox, Target("telegram", "3"), key, Reply(text=key))
    assert len(await outbox.claim("crashed-worker", "telegram", 10, 1.0)) == 2
    assert await outbox.release_leases(worker_running) == 2
    await worker.run_until_idle()
    assert sorted(text for _, text, _ in adapter.delivered) == ["a", "b"]
    assert await outbox.release_leases(worker_running) == 0  # sent rows are not touched


async def test_a_newsbot_started_beside_a_running_one_leaves_its_leases(engine, clock):
    """On SQLite a start releases the leases a crash left; a second `newsbot run` started by mistake on
    the same file must not release those of the running one, which would send its messages again."""
    lifted = PlatformLimits(per_chat_seconds=0, per_group_seconds=0, per_second=0)
    outbox, _ = build(engine, clock, FakeAdapter(clock), lease_seconds=60, telegram=lifted)
    for chat in ("3", "4"):
        await enqueue(outbox, Target("telegram", chat), "news", Reply(text=chat))
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as running:
        try:
            [sending] = await outbox.claim(f"{socket.gethostname()}:{running.pid}:3d4e5f", "telegram", 1, 1.0)
            [orphaned] = await outbox.claim(f"{socket.gethostname()}:{ended.stdout.strip()}:0a1b2c", "telegram", 1, 1.0)
            assert await outbox.release_leases(worker_running) == 1
        finally:
            running.kill()
    assert [claimed.id for claimed in await outbox.claim("restarted", "telegram", 10, 1.0)] == [orphaned.id]


async def test_a_lease_naming_this_processs_own_pid_is_an_earlier_processs_and_released(engine, clock):
    """A container starts newsbot as the same pid each time: the lease a crash left names the pid the
    restarted newsbot has, and is still released at once, not after its lease runs out."""
    outbox, _ = build(engine, clock, FakeAdapter(clock), lease_seconds=60)
    await enqueue(outbox, Target("telegram", "3"), "news", Reply(text="3"))
    await outbox.claim(worker_name(), "telegram", 1, 1.0)
    assert await outbox.release_leases(worker_running) == 1


class HeldSends(FakeAdapter):
    """Each send starts (setting `started`) and waits for `release`."""

    def __init__(self, clock: ManualClock):
        super().__init__(clock)
        self.started, self.release = asyncio.Event(), asyncio.Event()

    async def send(self, target, reply, *, skip=0, progress=None):
        self.started.set()
        await self.release.wait()
        await super().send(target, reply, skip=skip, progress=progress)


async def test_stop_finishes_sends_in_flight(engine, clock):
    adapter = HeldSends(clock)
    outbox, worker = build(engine, clock, adapter)
    await enqueue(outbox, Target("telegram", "1"), "a", Reply(text="a"))
    running = asyncio.create_task(worker.run())
    await asyncio.wait_for(adapter.started.wait(), 5)
    worker.stop()
    adapter.release.set()
    await asyncio.wait_for(running, 5)
    assert [text for _, text, _ in adapter.delivered] == ["a"]
    assert await outbox.counts() == {"sent": 1}


async def test_a_database_outage_is_logged_once_and_its_end_too_not_on_every_poll(engine, clock, caplog):
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter)
    await enqueue(outbox, Target("telegram", "1"), "a", Reply(text="a"))
    outage = [ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")] * 30
    outbox.claim = failing_first(outbox.claim, outage)
    caplog.set_level(logging.INFO, logger="bot.delivery.worker")
    running = asyncio.create_task(worker.run())
    await until(lambda: adapter.delivered)
    worker.stop()
    await asyncio.wait_for(running, 5)
    told = [(record.levelname, record.getMessage()) for record in caplog.records if record.name == "bot.delivery.worker"]
    assert told == [
        ("ERROR", "delivery worker: claiming or recording failed ([Errno 111] Connect call failed ('127.0.0.1', 5432)); retrying every 1s"),
        ("INFO", "delivery worker: claiming or recording succeeded again, after 30 failed attempts"),
    ]
    assert [text for _, text, _ in adapter.delivered] == ["a"]


async def test_stopping_while_the_database_is_away_finishes_the_sends_and_says_what_may_go_again(engine, clock, caplog):
    """The machine shutting down stops the database and newsbot at once: the sends on their way still
    finish, and newsbot stops without a traceback; what it could not write down is sent again, as after a crash."""
    adapter = HeldSends(clock)
    outbox, worker = build(engine, clock, adapter)
    await enqueue(outbox, Target("telegram", "1"), "a", Reply(text="a"))
    running = asyncio.create_task(worker.run())
    await asyncio.wait_for(adapter.started.wait(), 5)
    outbox.record = failing_first(outbox.record, [ConnectionRefusedError(111, "Connect call failed")] * 1000)
    worker.stop()
    adapter.release.set()
    await asyncio.wait_for(running, 5)
    assert [text for _, text, _ in adapter.delivered] == ["a"]
    assert (
        "delivery worker: stopping with 1 sends not written down ([Errno 111] Connect call failed):"
        " their messages may go again at the next start" in caplog.messages
    )


async def until(condition) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


async def test_a_send_finishing_while_outcomes_are_written_is_still_recorded(engine, clock):
    release = asyncio.Event()

    class OneSlowChat(FakeAdapter):
        async def send(self, target, reply, *, skip=0, progress=None):
            if target.chat == "slow":
                await release.wait()
            await super().send(target, reply, skip=skip, progress=progress)

    adapter = OneSlowChat(clock)
    lifted = PlatformLimits(per_chat_seconds=0, per_group_seconds=0, per_second=0)
    outbox, worker = build(engine, clock, adapter, telegram=lifted)
    await enqueue(outbox, Target("telegram", "slow"), "a", Reply(text="slow"))
    for n in range(3):
        await enqueue(outbox, Target("telegram", f"fast{n}"), "a", Reply(text="fast"))
    assert await worker.step() == 4
    await until(lambda: len(adapter.delivered) == 3)
    await worker.step()  # records the three fast sends while the slow one is under way
    assert await outbox.counts() == {"sent": 3, "pending": 1}
    release.set()
    await until(lambda: len(adapter.delivered) == 4)
    await worker.run_until_idle()
    assert await outbox.counts() == {"sent": 4}
    assert len(adapter.delivered) == 4  # recorded at once, not re-sent after its lease ran out


async def test_sends_not_yet_recorded_count_against_the_in_flight_limit(engine, clock):
    """A crash resends what was sent but not recorded, so that is what max_in_flight must bound."""
    released: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
    writing, write = asyncio.Event(), asyncio.Event()

    class Gated(FakeAdapter):
        async def send(self, target, reply, *, skip=0, progress=None):
            await released[target.chat].wait()
            await super().send(target, reply, skip=skip, progress=progress)

    adapter = Gated(clock)
    lifted = PlatformLimits(per_chat_seconds=0, per_group_seconds=0, per_second=0)
    outbox, worker = build(engine, clock, adapter, telegram=lifted, max_in_flight=4)
    record = outbox.record

    async def slow_record(owner, outcomes):
        if outcomes:
            writing.set()
            await write.wait()
        await record(owner, outcomes)

    outbox.record = slow_record
    for n in range(8):
        await enqueue(outbox, Target("telegram", str(n)), "a", Reply(text="news"))
    assert await worker.step() == 4
    for chat in "012":
        released[chat].set()
    await until(lambda: len(adapter.delivered) == 3)
    stepping = asyncio.create_task(worker.step())
    await asyncio.wait_for(writing.wait(), 5)  # recording the first three
    released["3"].set()
    await until(lambda: len(adapter.delivered) == 4)  # sent while the others are written
    write.set()
    assert await stepping == 3  # not 4: the fourth send is not recorded yet
    for chat in "4567":
        released[chat].set()
    await worker.run_until_idle()
    assert await outbox.counts() == {"sent": 8}


async def test_the_service_turns_a_subscription_and_an_article_into_a_message(tmp_path):
    class Console:
        platform = "console"

        def __init__(self):
            self.sent = []
            self.arrived = asyncio.Event()

        async def send(self, target, reply, *, skip=0, progress=None):
            self.sent.append((target, [card.title for card in reply.cards]))
            self.arrived.set()

    config = Config.model_validate({"storage": {"url": f"sqlite:///{tmp_path / 'newsbot.db'}"}, "sources": []})
    store = await Store.open(config.storage.url)
    await migrate(store.engine)
    console, stop = Console(), asyncio.Event()
    service = await start_delivery(config, store, Tagger.from_settings(), {"console": console}, stop, fanout_interval=0.05)
    try:
        await SubscriptionStore(store.engine).add(
            Target("console", "me"), "sector", "energy", Cadence("instant"), datetime.now(timezone.utc)
        )
        fetched = datetime.now(timezone.utc)
        await store.add([Article(
            id="svc1", url="https://news.example/svc1", title="Grid news", sources=("Example",), published=fetched,
            fetched=fetched, text="Text.", summary="Text.", sectors=("energy",),
        )])
        await asyncio.wait_for(console.arrived.wait(), 10)
    finally:
        stop.set()
        await service.close()
        await store.close()
    assert console.sent == [(Target("console", "me"), ["Grid news"])]


async def test_a_schedule_naming_a_group_that_became_a_supergroup_posts_to_the_supergroup(engine, clock):
    """A schedule's target comes from the config, which still names the old group after the upgrade:
    every run posts to the supergroup, not just the one that found out."""
    adapter = FakeAdapter(clock)
    outbox, worker = build(engine, clock, adapter)
    old = Target("telegram", "-555")
    for run in (1, 2, 3):  # Telegram refuses every message to the old id
        adapter.faults[("-555", f"run {run}")] = [TargetMoved("-1009999", "group chat was upgraded to a supergroup chat")]
    for run in (1, 2, 3):
        await enqueue(outbox, old, f"run {run}", Reply(text=f"run {run}"))
        await worker.run_until_idle()

    assert [(chat, text) for chat, text, _ in adapter.delivered] == [("-1009999", f"run {run}") for run in (1, 2, 3)]


async def test_a_chat_moved_before_it_had_a_target_is_found_under_its_new_id(engine, clock):
    await move_chat(engine, Target("telegram", "-555"), "-1009999")  # Telegram's migrate message, nothing subscribed yet
    await move_chat(engine, Target("telegram", "-1009999"), "-1007777")  # and once more, for the sake of the chain
    async with engine.begin() as connection:
        ids = await target_ids(connection, [Target("telegram", "-555"), Target("telegram", "-1007777")])
        chats = (await connection.execute(sa.select(tables.targets.c.chat))).scalars().all()
    assert len(set(ids.values())) == 1 and chats == ["-1007777"]


async def test_a_channel_name_given_to_another_channel_is_that_channel(engine, clock):
    await move_chat(engine, Target("telegram", "@kenya_news"), "-1001111")  # the name, told as its channel's chat
    await move_chat(engine, Target("telegram", "@kenya_news"), "-1002222")  # the name now belongs to another channel
    async with engine.begin() as connection:
        ids = await target_ids(connection, [Target("telegram", "@kenya_news")])
        chats = dict((await connection.execute(sa.select(tables.targets.c.id, tables.targets.c.chat))).all())
    assert chats[ids[Target("telegram", "@kenya_news")]] == "-1002222"
