"""Subscriptions end to end through the router: subscribe, receive, digests, unsubscribe, admins only."""

from __future__ import annotations

import asyncio
import logging
import random
import re
from contextlib import asynccontextmanager
import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.util import await_only

from bot.adapters.base import TargetGone, TransientError
from bot.clock import ManualClock
from bot.commands.news import CHOICES_PER_PAGE, MAX_NEWS_WORDS
from bot.commands.subscriptions import MAX_SUBSCRIPTIONS, register, split_cadence
from bot.config import DeliverySettings
from bot.context import Context
from bot.delivery import tables
from bot.delivery.db import migrate
from bot.delivery.limits import RatePlan
from bot.delivery.outbox import Outbox, target_ids
from bot.delivery.worker import DeliveryWorker
from bot.model import Command, Reply, Target
from bot.router import Router
from bot.subscriptions.cadence import Cadence, CadenceError
from bot.subscriptions.fanout import FanOut
from bot.delivery.outbox import move_chat
from bot.subscriptions.matching import SubscriptionIndex
from bot.subscriptions.store import SubscriptionStore
import content.ingest
from content.ingest import ingest_once
from content.model import Article, Draft, Query
from content.settings import FeedSource
from content.sources import FetchResult
from content.sources.feed import parse_feed
from content.store import Store
from content.tagging import Tagger, countries_in_region, region_scope

START = datetime(2026, 3, 27, 6, 0, tzinfo=timezone.utc)  # a Friday, two days before Berlin's clocks go forward
ALICE = Target("console", "alice")
GROUP = Target("telegram", "-100200")


class Recorder:
    platform = "console"

    def __init__(self):
        self.sent = []
        self.failures: list[Exception] = []  # raised first, one a send

    async def send(self, target, reply, *, skip=0, progress=None):
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((target, reply))


class Harness:
    def __init__(self, store: Store, clock: ManualClock):
        self.store, self.clock = store, clock
        self.tagger = Tagger.from_settings()
        self.router = Router(Context(store=store, tagger=self.tagger, clock=clock.now))
        register(self.router)
        self.recorder = Recorder()
        self.deliver_as(DeliverySettings())
        self.fanout = FanOut(store, SubscriptionStore(store.engine), self.outbox, self.tagger, clock)
        self.count = 0

    def deliver_as(self, settings: DeliverySettings) -> None:
        """Send through an outbox and a worker with these settings, leases kept on the test's clock."""
        plan = RatePlan(settings, random.Random(1))
        self.outbox = Outbox(self.store.engine, self.clock, plan, database_clock=self.clock)
        adapters = {"console": self.recorder, "telegram": self.recorder}
        self.worker = DeliveryWorker(self.outbox, adapters, self.clock, settings, plan, owner="t")

    async def say(self, line: str, target: Target = ALICE, chat_kind="private", is_admin=True, chat_name=None):
        name, _, args = line.lstrip("/").partition(" ")
        command = Command(name, args.strip(), "someone", target, chat_kind, is_admin, chat_name=chat_name)
        return await self.router.handle(command)

    async def publish(
        self, title: str, sectors=(), countries=(), text="Body text.", fetched: datetime | None = None, age=timedelta(0)
    ):
        self.count += 1
        fetched = fetched or self.clock.now()
        article = Article(
            id=f"a{self.count:04d}",
            url=f"https://news.example/{self.count}",
            title=title,
            sources=("Example",),
            published=fetched - age,
            fetched=fetched,
            text=text,
            summary=text,
            sectors=tuple(sectors),
            countries=tuple(countries),
        )
        await self.store.add([article])
        return article

    async def delivered_titles(self) -> list[list[str]]:
        """The card titles of each message delivered now."""
        return [titles for _, titles, _ in await self.deliver()]

    async def deliver(self):
        await self.fanout.run_once()
        await self.fanout.run_digests()
        self.recorder.sent.clear()
        await self.worker.run_until_idle()
        return [(target, [card.title for card in reply.cards], reply.text) for target, reply in self.recorder.sent]


@pytest.fixture
async def bot(database_url):
    store = await Store.open(database_url)
    await migrate(store.engine)
    yield Harness(store, ManualClock(START))
    await store.close()


async def test_a_database_outage_is_logged_once_by_the_fan_out_and_its_end_too(bot, caplog):
    await bot.say("/subscribe energy")
    bot.clock.advance(60)
    await bot.publish("Solar farm opens", sectors=["energy"])
    run_once, outage, stop = bot.fanout.run_once, [ConnectionRefusedError(111, "Connect call failed")] * 5, asyncio.Event()

    async def run_once_the_database_is_back():
        if outage:
            raise outage.pop()
        stop.set()
        return await run_once()

    bot.fanout.run_once = run_once_the_database_is_back
    caplog.set_level(logging.INFO, logger="bot.subscriptions.fanout")
    await asyncio.wait_for(bot.fanout.run(stop, interval=0.001), 10)
    told = [(record.levelname, record.getMessage()) for record in caplog.records if record.name == "bot.subscriptions.fanout"]
    assert told == [
        ("ERROR", "subscription fan-out failed ([Errno 111] Connect call failed); retrying every 0.001s"),
        ("INFO", "subscription fan-out succeeded again, after 5 failed attempts"),
    ]
    bot.recorder.sent.clear()
    await bot.worker.run_until_idle()
    assert [[card.title for card in reply.cards] for _, reply in bot.recorder.sent] == [["Solar farm opens"]]


async def test_subscribe_offers_the_latest_three_and_then_delivers_only_new_articles(bot):
    for n in range(5):
        await bot.publish(f"Old energy story {n}", sectors=["energy"], fetched=START - timedelta(hours=n + 1))
    reply = await bot.say("/subscribe energy")
    assert "Subscribed to Energy" in reply.text
    assert [card.title for card in reply.cards] == [f"Old energy story {n}" for n in range(3)]
    assert await bot.deliver() == []  # no backlog

    bot.clock.advance(60)
    await bot.publish("Solar farm opens", sectors=["energy"])
    await bot.publish("New school curriculum", sectors=["education"])
    assert await bot.deliver() == [(ALICE, ["Solar farm opens"], "New for your subscriptions")]
    assert await bot.deliver() == []  # never twice

    reply = await bot.say("/unsubscribe energy")
    assert reply.text == "Unsubscribed from Energy."
    bot.clock.advance(60)
    await bot.publish("Wind farm opens", sectors=["energy"])
    assert await bot.deliver() == []


async def test_the_unsubscribe_button_removes_its_subscription_whatever_the_topics_length(bot):
    short = await bot.say("/subscribe smart grid")
    wide = "智能电网 " * 5  # 24 characters: 77 bytes as a command, more than a Telegram button holds
    long = await bot.say(f"/subscribe {wide}")
    for reply, topic in ((long, f"“{wide.strip()}”"), (short, "“smart grid”")):
        [button] = reply.actions
        assert len(button.command.encode()) <= 64
        assert (await bot.say(button.command)).text == f"Unsubscribed from {topic}."


@pytest.mark.parametrize(("subscribed", "unsubscribed"), [('"green hydrogen"', "green hydrogen"), ("smart grid", '"smart grid"')])
async def test_words_unsubscribe_with_or_without_their_quotes(bot, subscribed, unsubscribed):
    await bot.say(f"/subscribe {subscribed}")
    assert (await bot.say(f"/unsubscribe {unsubscribed}")).text.startswith("Unsubscribed from")
    assert await SubscriptionStore(bot.store.engine).for_target(ALICE) == []


@pytest.mark.parametrize(
    ("first", "again"),
    [("smart grid", "grid smart"), ("smart grid", "Smárt GRID"), ("smart grid", "smart grids"), ("energy smart grid", "grid, smart energy"),
     ("solar or wind -coal", "-coal wind or solar")],
)
async def test_the_same_words_in_another_order_or_case_are_the_same_subscription(bot, first, again):
    await bot.say(f"/subscribe {first}")
    reply = await bot.say(f"/subscribe {again} daily 08:00")
    assert reply.text.startswith("Updated your subscription to")
    [subscription] = await SubscriptionStore(bot.store.engine).for_target(ALICE)
    assert str(subscription.cadence) == "daily 08:00"
    assert (await bot.say(f"/unsubscribe {again}")).text.startswith("Unsubscribed from")
    assert await SubscriptionStore(bot.store.engine).for_target(ALICE) == []


async def test_unsubscribe_takes_the_topic_with_its_cadence_as_subscribe_did(bot):
    await bot.say("/subscribe kenya daily 08:00")
    await bot.say("/subscribe smart grid weekly mon 09:00")
    assert (await bot.say("/unsubscribe Kenya daily 08:00")).text == "Unsubscribed from Kenya."
    assert (await bot.say("/unsubscribe smart grid weekly mon 09:00")).text == "Unsubscribed from “smart grid”."
    assert (await bot.say("/unsubscribe energy instant")).text.startswith("This chat is not subscribed to Energy.\n")


async def test_a_topic_of_more_than_twenty_words_is_refused_before_they_are_read(bot):
    words = [f"w{number}" for number in range(MAX_NEWS_WORDS + 1)]  # short enough in characters
    refused = await bot.say("/subscribe " + " ".join(words))
    assert refused.private and refused.text.startswith(f"Please use at most {MAX_NEWS_WORDS} words")
    assert await SubscriptionStore(bot.store.engine).for_target(ALICE) == []
    assert (await bot.say("/subscribe " + " ".join(words[:MAX_NEWS_WORDS]))).text.startswith("Subscribed to")


async def test_a_chat_has_at_most_a_hundred_subscriptions_and_may_still_change_them(bot):
    subscriptions = SubscriptionStore(bot.store.engine)
    for number in range(MAX_SUBSCRIPTIONS):
        await subscriptions.add(ALICE, "query", f"topic{number}", Cadence("instant"), bot.clock.now())
    refused = await bot.say("/subscribe one more topic")
    assert refused.private and refused.text.startswith("This chat has 100 subscriptions, as many as it may have")
    assert len(await subscriptions.for_target(ALICE)) == MAX_SUBSCRIPTIONS
    assert (await bot.say("/subscribe topic7 daily 08:00")).text.startswith("Updated your subscription")
    await bot.say("/unsubscribe topic7")
    assert (await bot.say("/subscribe one more topic")).text.startswith("Subscribed to")


async def test_an_old_remove_button_never_removes_another_topic_that_got_its_id(bot):
    await bot.say("/subscribe kenya")
    [remove_kenya] = (await bot.say("/subscriptions")).actions
    await bot.say("/unsubscribe kenya")
    await bot.say("/subscribe energy")  # SQLite may give it the id Kenya had
    assert (await bot.say(remove_kenya.command)).text.startswith("That subscription was removed already.\n")
    assert [s.value for s in await SubscriptionStore(bot.store.engine).for_target(ALICE)] == ["energy"]
    assert (await bot.say("/unsubscribe KE")).text.startswith("This chat is not subscribed to Kenya.\n")


@pytest.mark.parametrize("words", ["#1.2", "#1", "#2"])
async def test_words_that_look_like_a_remove_button_are_unsubscribed_by_name_as_subscribed(bot, words):
    await bot.say("/subscribe kenya")
    assert (await bot.say(f"/subscribe {words}")).text.startswith(f"Subscribed to “{words}”:")
    assert (await bot.say(f"/unsubscribe {words}")).text == f"Unsubscribed from “{words}”."
    assert [s.value for s in await SubscriptionStore(bot.store.engine).for_target(ALICE)] == ["KE"]
    [remove_kenya] = (await bot.say("/subscriptions")).actions
    assert (await bot.say(remove_kenya.command)).text == "Unsubscribed from Kenya."


async def test_unsubscribing_from_a_topic_the_chat_lacks_names_the_words_and_lists_what_it_has(bot):
    assert (await bot.say("/unsubscribe children")).text.startswith(
        "This chat is not subscribed to “children”.\nThis chat has no subscriptions yet."
    )
    await bot.say("/subscribe chile")
    await bot.say("/subscribe kenya daily 08:00")
    reply = await bot.say("/unsubscribe children")  # near Chile, which the chat has, but no name of it
    assert reply.private and reply.text.splitlines() == [
        "This chat is not subscribed to “children”.",
        "This chat's subscriptions:",
        "• Chile — instant",
        "• Kenya — daily 08:00 (UTC)",
    ]
    assert [action.label for action in reply.actions] == ["Remove Chile", "Remove Kenya"]
    assert len(await SubscriptionStore(bot.store.engine).for_target(ALICE)) == 2
    assert (await bot.say("/unsubscribe chilean")).text == "Unsubscribed from Chile."


async def test_an_article_stored_long_after_it_was_fetched_still_reaches_instant_subscribers(bot):
    await bot.say("/subscribe energy")
    bot.clock.advance(3600)
    await bot.publish("Energy now", sectors=["energy"])
    assert await bot.delivered_titles() == [["Energy now"]]
    # a slow ingest fetched this 30 minutes ago and commits only now
    await bot.publish("Energy fetched earlier", sectors=["energy"], fetched=bot.clock.now() - timedelta(minutes=30))
    assert await bot.delivered_titles() == [["Energy fetched earlier"]]


def change_during_the_next_pass(bot, change) -> None:
    """Run `change` once, in the next fan-out pass, after it loaded its index and before it reads articles."""
    load_index = bot.fanout.index

    async def index_then_change():
        index = await load_index()
        bot.fanout.index = load_index
        await change()
        return index

    bot.fanout.index = index_then_change


def titles_of(messages: list[list[str]]) -> list[str]:
    return [title for titles in messages for title in titles]


async def subscribe_and_publish_energy(bot) -> None:
    await bot.say("/subscribe energy")
    await bot.publish("Energy while the pass ran", sectors=["energy"])


@pytest.mark.parametrize("restart", [False, True])
async def test_a_subscription_made_while_the_fan_out_runs_gets_what_that_pass_read(bot, restart):
    await bot.deliver()  # the fan-out has its index and cursor
    change_during_the_next_pass(bot, lambda: subscribe_and_publish_energy(bot))
    assert await bot.fanout.run_once() == 1  # the page waited for the change and was read with it
    if restart:  # a new process: nothing of the last pass is remembered
        bot.fanout = FanOut(bot.store, SubscriptionStore(bot.store.engine), bot.outbox, bot.tagger, bot.clock)
    assert await bot.delivered_titles() + await bot.delivered_titles() == [["Energy while the pass ran"]]


async def test_a_page_of_many_messages_is_queued_in_several_transactions_without_losing_one(bot, monkeypatch):
    import bot.subscriptions.fanout as fanout

    monkeypatch.setattr(fanout, "_ROWS_PER_TRANSACTION", 2)
    await bot.say("/subscribe energy")
    await bot.say("/subscribe energy", target=GROUP)
    await bot.deliver()
    for n in range(3):
        await bot.publish(f"Energy {n}", sectors=["energy"])
    assert await bot.fanout.run_once() == 6
    assert await bot.fanout.run_once() == 0


async def publish_energy(bot, numbers, countries=()) -> list[Article]:
    return [await bot.publish(f"Energy {n}", sectors=["energy"], countries=countries) for n in numbers]


def energy(numbers) -> list[str]:
    return [f"Energy {n}" for n in numbers]


async def test_a_burst_for_one_chat_comes_ten_articles_a_message_and_a_chat_with_two_gets_two_messages(bot):
    await bot.say("/subscribe energy")
    await bot.say("/subscribe kenya", target=GROUP)
    await bot.deliver()
    for n in range(12):
        await publish_energy(bot, [n], countries=["KE"] if n in (3, 8) else [])
    messages = await bot.deliver()
    assert [(titles, text) for target, titles, text in messages if target == ALICE] == [
        (energy(range(10)), "12 new articles for your subscriptions (1 of 2)"),
        (energy([10, 11]), "12 new articles for your subscriptions (2 of 2)"),
    ]
    assert [(titles, text) for target, titles, text in messages if target == GROUP] == [
        (["Energy 3"], "New for your subscriptions"),
        (["Energy 8"], "New for your subscriptions"),
    ]
    assert await bot.deliver() == []


async def test_a_burst_comes_in_the_chats_post_format(bot):
    await bot.say("/subscribe energy")
    await bot.say("/settings format compact")
    await bot.deliver()
    await publish_energy(bot, range(4))
    [message] = await bot.deliver()
    assert message[1] == energy(range(4))
    async with bot.store.engine.connect() as connection:
        formats = (await connection.execute(sa.select(tables.outbox.c.post_format).where(tables.outbox.c.status == "sent"))).scalars()
        assert list(formats) == ["compact"]


async def rewind_fan_out(bot, position: int) -> None:
    """Put the fan-out cursor back, as a worker that read a page while another queued it sees it."""
    state = tables.state
    async with bot.store.engine.begin() as connection:
        await connection.execute(state.update().where(state.c.name == "fanout_cursor").values(number=position))


@pytest.mark.parametrize(("more", "again"), [(0, []), (1, [energy([12])]), (5, [energy(range(12, 17))])])
async def test_a_burst_read_again_after_a_crash_sends_only_what_it_had_not_queued(bot, more, again):
    await bot.say("/subscribe energy")
    await bot.deliver()
    before = await bot.store.position()
    await publish_energy(bot, range(12))
    assert await bot.delivered_titles() == [energy(range(10)), energy([10, 11])]
    await rewind_fan_out(bot, before)
    await publish_energy(bot, range(12, 12 + more))  # the page read again has grown meanwhile
    assert await bot.delivered_titles() == again


async def test_an_article_queued_for_the_chat_already_is_left_out_of_its_burst(bot):
    await bot.say("/subscribe energy")
    await bot.deliver()
    articles = await publish_energy(bot, range(5))
    async with bot.store.engine.begin() as connection:  # as a schedule's post of new articles queues it
        target_id = (await target_ids(connection, [ALICE]))[ALICE]
        await bot.outbox.enqueue_for(connection, [target_id], articles[2].id, Reply(text="Scheduled", cards=[]))
    messages = await bot.deliver()
    assert [(titles, text) for _, titles, text in messages] == [
        ([], "Scheduled"), (energy([0, 1, 3, 4]), "4 new articles for your subscriptions")
    ]


async def test_a_burst_cut_short_by_the_rows_of_a_transaction_still_sends_each_article_once(bot, monkeypatch):
    import bot.subscriptions.fanout as fanout

    monkeypatch.setattr(fanout, "_ROWS_PER_TRANSACTION", 5)
    await bot.say("/subscribe energy")
    await bot.deliver()
    await publish_energy(bot, range(12))
    assert await bot.delivered_titles() == [energy(range(5)), energy(range(5, 10)), ["Energy 10"], ["Energy 11"]]


async def test_the_fan_out_cursor_never_moves_back_and_the_revision_row_is_made_to_be_locked(bot):
    await bot.publish("Energy", sectors=["energy"])
    await bot.fanout.run_once()
    async with bot.store.engine.begin() as connection:
        await FanOut._save_cursor(connection, 0)  # a process that read less, later
        assert await tables.locked_subscriptions_revision(connection) == 0  # no subscription yet: the row is made
    async with bot.store.engine.connect() as connection:
        state = dict((await connection.execute(sa.select(tables.state.c.name, tables.state.c.number))).all())
    assert state == {"fanout_cursor": await bot.store.position(), "subscriptions_revision": 0}


@asynccontextmanager
async def another_process(bot):
    """A second connection pool on the same database, as another newsbot process has."""
    other = await Store.open(bot.store.engine.url.render_as_string(hide_password=False).replace("+aiosqlite", "").replace("+asyncpg", ""))
    try:
        yield SubscriptionStore(other.engine)
    finally:
        await other.close()


@asynccontextmanager
async def meanwhile(bot, statement_start: str, change):
    """Run `change` to its end while the first statement starting with `statement_start` waits to run."""
    started: list[asyncio.Task] = []

    def before(connection, cursor, statement, parameters, context, executemany):
        if not started and statement.lstrip().upper().startswith(statement_start):
            started.append(asyncio.ensure_future(change()))
            await_only(asyncio.sleep(0.3))  # the other process gets as far as it can meanwhile

    sa.event.listen(bot.store.engine.sync_engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        sa.event.remove(bot.store.engine.sync_engine, "before_cursor_execute", before)
        if started:
            await started[0]


@pytest.mark.parametrize(("statement", "change_of_mine"), [
    ("DELETE FROM BOT_SUBSCRIPTIONS", lambda store: store.remove(ALICE, "sector", "energy")),
    ("UPDATE BOT_SUBSCRIPTIONS", lambda store: store.add(ALICE, "sector", "energy", Cadence.parse("weekly mon 09:00"), START)),
    ("INSERT INTO BOT_SUBSCRIPTIONS", lambda store: store.add(ALICE, "sector", "energy", Cadence.parse("daily 09:00"), START)),
], ids=["unsubscribe", "switch to weekly", "subscribe to a digest"])
async def test_changes_to_one_subscription_from_two_processes_take_turns(bot, statement, change_of_mine):
    if statement.startswith("INSERT"):
        await bot.say("/subscribe kenya")  # the chat is known; energy is new to both processes
    else:
        await bot.say("/subscribe energy daily 09:00")
    await bot.deliver()
    async with another_process(bot) as theirs:
        async def switch_to_instant_and_fan_out():
            await theirs.add(ALICE, "sector", "energy", Cadence("instant"), START)
            await bot.fanout.run_once()

        async with meanwhile(bot, statement, switch_to_instant_and_fan_out):
            await change_of_mine(SubscriptionStore(bot.store.engine))
    bot.clock.advance(60)
    await bot.publish("Energy afterwards", sectors=["energy"])
    instant = any(subscription.cadence.is_instant for subscription in await SubscriptionStore(bot.store.engine).for_target(ALICE))
    assert (await bot.delivered_titles() == [["Energy afterwards"]]) == instant


async def test_a_switch_to_a_digest_right_after_such_a_pass_keeps_the_article_for_the_digest(bot):
    await bot.deliver()
    change_during_the_next_pass(bot, lambda: subscribe_and_publish_energy(bot))
    await bot.fanout.run_once()
    await bot.say("/subscribe energy daily 09:00")
    delivered = await bot.delivered_titles()
    bot.clock.advance(86400)
    assert titles_of(delivered + await bot.delivered_titles()) == ["Energy while the pass ran"]


async def test_a_switch_to_a_digest_during_a_pass_sends_the_article_once(bot):
    await bot.say("/subscribe energy")
    await bot.deliver()
    bot.clock.advance(60)
    await bot.publish("Energy before the switch", sectors=["energy"])
    change_during_the_next_pass(bot, lambda: bot.say("/subscribe energy daily 09:00"))
    delivered = await bot.delivered_titles()
    bot.clock.advance(86400)
    assert titles_of(delivered + await bot.delivered_titles()) == ["Energy before the switch"]


async def test_a_switch_to_a_digest_before_the_fan_out_caught_up_leaves_out_what_came_before_subscribing(bot):
    await bot.deliver()
    for n in range(3):
        await bot.publish(f"Energy before subscribing {n}", sectors=["energy"])
    await bot.say("/subscribe energy")  # its reply shows these three; the subscription starts after them
    await bot.say("/subscribe energy daily 09:00")  # before the fan-out ran again
    bot.clock.advance(86400)
    assert await bot.delivered_titles() == []


async def test_a_chat_revived_during_a_pass_gets_nothing_of_what_piled_up(bot):
    await bot.say("/subscribe energy")
    await bot.deliver()
    async with bot.store.engine.begin() as connection:
        await connection.execute(tables.targets.update().values(active=False, inactive_reason="blocked"))
    for n in range(3):
        bot.clock.advance(3600)
        await bot.publish(f"Energy while blocked {n}", sectors=["energy"])
    change_during_the_next_pass(bot, lambda: SubscriptionStore(bot.store.engine).revive(ALICE, bot.clock.now()))
    assert await bot.delivered_titles() == []
    await bot.publish("Energy after coming back", sectors=["energy"])
    assert await bot.delivered_titles() == [["Energy after coming back"]]


async def test_a_chat_on_a_platform_without_a_token_for_a_week_gets_its_last_three_days_and_one_digest_of_them(bot):
    await bot.say("/subscribe energy", target=GROUP)
    await bot.say("/subscribe kenya daily 09:00", target=GROUP)
    for hour in range(1, 7 * 24 + 1):  # only the fan-out runs: no process sends to Telegram
        bot.clock.set(START + timedelta(hours=hour))
        await bot.publish(f"Energy {hour}", sectors=["energy"])
        await bot.publish(f"Kenya {hour}", countries=["KE"])
        await bot.fanout.run_once()
        await bot.fanout.run_digests()
    bot.clock.advance(1800)  # the token is added
    messages = await bot.deliver()
    assert [titles for _, titles, _ in messages if len(titles) == 1] == [[f"Energy {hour}"] for hour in range(97, 169)]
    [digest] = [(titles, text) for _, titles, text in messages if len(titles) > 1]
    assert digest == (
        [f"Kenya {hour}" for hour in range(147, 137, -1)],  # Thursday 09:00 is hour 147
        # its own day's 24, and the 49 before them still news then: published from hour 75 (147 less 72) on
        # headed with the days of the digests whose articles are still news: from 72 hours before the last on
        "Your daily digest for Kenya, 30 March – 2 April: 73 new articles (the newest 10 of 73)",
    )


async def test_digests_that_waited_for_an_unreachable_platform_come_as_one_carrying_every_day(bot):
    """Telegram could not be sent to for two days: the chat gets one digest with both days' articles
    in it, not Saturday's alone (Friday's digest, given up for it, carried the others)."""
    await bot.say("/subscribe kenya daily 09:00", target=GROUP)
    for day, name in ((0, "Friday"), (1, "Saturday")):
        bot.clock.set(START + timedelta(days=day, hours=1))
        await bot.publish(f"Kenya {name} one", countries=["KE"])
        await bot.publish(f"Kenya {name} two", countries=["KE"])
        bot.clock.set(START + timedelta(days=day, hours=3))  # 09:00
        await bot.fanout.run_digests()  # no process sends to Telegram
    bot.clock.advance(1800)  # it can be sent to again
    assert await bot.deliver() == [(
        GROUP,
        ["Kenya Saturday two", "Kenya Saturday one", "Kenya Friday two", "Kenya Friday one"],
        "Your daily digest for Kenya, 27–28 March: 4 new articles",
    )]
    assert await bot.deliver() == []


async def a_digest_given_up_after_its_last_attempt(bot: Harness, title: str, **tags) -> None:
    """A daily 09:00 digest of Kenya for GROUP, Friday's carrying an article with these tags, which
    Telegram failed on every attempt."""
    await bot.say("/subscribe kenya daily 09:00", target=GROUP)
    bot.clock.set(START + timedelta(hours=1))
    await bot.publish(title, **tags)
    bot.clock.set(START + timedelta(hours=3))  # 09:00
    bot.recorder.failures = [TransientError("502 Bad Gateway")] * DeliverySettings().max_attempts
    assert await bot.deliver() == []


CARRYING_FRIDAY = "Your daily digest for Kenya, 27–28 March: 2 new articles"


async def saturdays_digest(bot: Harness):
    """What is delivered at Saturday 09:00, "Kenya Saturday" published an hour before."""
    bot.clock.set(START + timedelta(days=1, hours=1))
    await bot.publish("Kenya Saturday", countries=["KE"])
    bot.clock.set(START + timedelta(days=1, hours=3))
    return await bot.deliver()


async def test_a_digest_given_up_after_its_last_attempt_is_carried_by_the_next_one(bot):
    """Telegram failed Friday's digest on every attempt: the chat never saw it, so Saturday's digest
    brings its articles, headed with the days it stands for."""
    await a_digest_given_up_after_its_last_attempt(bot, "Kenya Friday", countries=["KE"])
    assert await saturdays_digest(bot) == [(GROUP, ["Kenya Saturday", "Kenya Friday"], CARRYING_FRIDAY)]
    bot.clock.set(START + timedelta(days=2, hours=1))
    await bot.publish("Kenya Sunday", countries=["KE"])
    bot.clock.set(START + timedelta(days=2, hours=3))
    assert await bot.deliver() == [(GROUP, ["Kenya Sunday"], "Your daily digest for Kenya: 1 new article")]


async def test_a_digest_given_up_after_its_last_attempt_keeps_the_missed_days_it_stood_for(bot):
    """Saturday's digest stood for Friday's too (newsbot was down then): the digest carrying it is
    headed from Friday, as its articles are."""
    await bot.say("/subscribe kenya daily 09:00", target=GROUP)
    bot.clock.set(START + timedelta(hours=1))
    await bot.publish("Kenya Friday", countries=["KE"])
    bot.clock.set(START + timedelta(days=1, hours=3))  # Saturday 09:00, newsbot down since before Friday's
    bot.recorder.failures = [TransientError("502 Bad Gateway")] * DeliverySettings().max_attempts
    assert await bot.deliver() == []
    bot.clock.set(START + timedelta(days=2, hours=1))
    await bot.publish("Kenya Sunday", countries=["KE"])
    bot.clock.set(START + timedelta(days=2, hours=3))
    assert await bot.deliver() == [
        (GROUP, ["Kenya Sunday", "Kenya Friday"], "Your daily digest for Kenya, 27–29 March: 2 new articles")
    ]


async def test_a_digest_given_up_after_its_last_attempt_is_carried_however_soon_given_up_rows_are_deleted(bot):
    """Rows given up are deleted after delivery.keep_days, here half a day: Friday's digest still waits
    for Saturday's to carry it."""
    bot.deliver_as(DeliverySettings(keep_days=0.5))
    await a_digest_given_up_after_its_last_attempt(bot, "Kenya Friday", countries=["KE"])
    bot.clock.set(START + timedelta(hours=16))  # Friday 22:00: the worker deletes what it may
    await bot.worker.run_until_idle()
    assert await saturdays_digest(bot) == [(GROUP, ["Kenya Saturday", "Kenya Friday"], CARRYING_FRIDAY)]


@pytest.mark.parametrize("keep_days, kept", [(3, 0), (30, 1)])
async def test_a_weekly_digest_given_up_and_deleted_before_the_next_is_due_had_nothing_still_news_for_it(bot, keep_days, kept):
    """keep_days 3 deletes last week's digest, given up, before this week's is due: by then its
    articles are no longer news, so this week's does not carry them, as when it is kept."""
    bot.deliver_as(DeliverySettings(keep_days=keep_days))
    await bot.say("/subscribe kenya weekly fri 09:00", target=GROUP)
    bot.clock.set(START + timedelta(hours=1))
    await bot.publish("Kenya last week", countries=["KE"])
    bot.clock.set(START + timedelta(hours=3))  # Friday 09:00
    bot.recorder.failures = [TransientError("502 Bad Gateway")] * DeliverySettings().max_attempts
    assert await bot.deliver() == []
    bot.clock.set(START + timedelta(days=4))
    await bot.worker.run_until_idle()  # deletes what it may
    async with bot.store.engine.connect() as connection:
        assert await connection.scalar(sa.select(sa.func.count()).select_from(tables.outbox)) == kept
    await bot.publish("Kenya this week", countries=["KE"])
    bot.clock.set(START + timedelta(days=7, hours=3))
    assert await bot.deliver() == [(GROUP, ["Kenya this week"], "Your weekly digest for Kenya: 1 new article")]


@pytest.mark.parametrize("subscribed_there", [False, True])
async def test_a_digest_given_up_after_its_last_attempt_is_carried_in_the_supergroup_its_group_became(bot, subscribed_there):
    """The group became a supergroup, where someone may have subscribed before Telegram said so (the
    two chats' subscriptions then merge): Friday's digest, given up, is carried by Saturday's there."""
    await a_digest_given_up_after_its_last_attempt(bot, "Kenya Friday", countries=["KE"])
    supergroup = Target("telegram", "-100999")
    if subscribed_there:
        await bot.say("/subscribe energy", target=supergroup)
    await move_chat(bot.store.engine, GROUP, supergroup.chat)
    assert await saturdays_digest(bot) == [(supergroup, ["Kenya Saturday", "Kenya Friday"], CARRYING_FRIDAY)]


async def test_a_digest_given_up_for_a_subscription_its_new_chat_had_already_is_carried_by_no_other(bot):
    """The supergroup had the group's subscription to Kenya: the group's goes, with its digest given
    up, which a later subscription there (given the id of the one that went, on SQLite) does not carry."""
    supergroup = Target("telegram", "-100999")
    await bot.say("/subscribe kenya daily 09:00", target=supergroup)
    await bot.say("/subscribe kenya daily 09:00", target=GROUP)
    bot.clock.set(START + timedelta(hours=1))
    await bot.publish("Kenya Friday", countries=["KE"])
    bot.clock.set(START + timedelta(hours=3))  # 09:00: both chats' digests fail on every attempt
    bot.recorder.failures = [TransientError("502 Bad Gateway")] * DeliverySettings().max_attempts * 2
    assert await bot.deliver() == []
    await move_chat(bot.store.engine, GROUP, supergroup.chat)
    await bot.say("/subscribe energy daily 09:00", target=supergroup)
    bot.clock.set(START + timedelta(days=1, hours=1))
    await bot.publish("Energy Saturday", sectors=["energy"])
    bot.clock.set(START + timedelta(days=1, hours=3))
    assert sorted(await bot.deliver()) == [
        (supergroup, ["Energy Saturday"], "Your daily digest for Energy: 1 new article"),
        (supergroup, ["Kenya Friday"], "Your daily digest for Kenya, 27–28 March: 1 new article"),
    ]


async def test_a_digest_falling_due_as_its_group_merges_into_its_supergroup_reaches_the_supergroup(bot):
    """The group becomes a supergroup, where someone had subscribed already, while a pass of the digests
    runs (after it read the digest subscriptions): the digest goes to the supergroup the subscription
    moved to, not to the group, which gets nothing more."""
    supergroup = Target("telegram", "-100999")
    await bot.say("/subscribe energy", target=supergroup)
    await bot.say("/subscribe kenya daily 09:00", target=GROUP)
    bot.clock.set(START + timedelta(hours=1))
    await bot.publish("Kenya Friday", countries=["KE"])
    bot.clock.set(START + timedelta(hours=3))
    subscriptions = bot.fanout._subscriptions
    read_digests = subscriptions.digests

    async def digests_then_the_group_moves():
        subscriptions.digests = read_digests
        due = await read_digests()
        await move_chat(bot.store.engine, GROUP, supergroup.chat)
        return due

    subscriptions.digests = digests_then_the_group_moves
    delivered = await bot.deliver() + await bot.deliver()  # the pass after, if not this one
    assert delivered == [(supergroup, ["Kenya Friday"], "Your daily digest for Kenya: 1 new article")]


async def test_a_pass_of_the_digests_reads_as_much_however_many_chats_have_them(bot):
    """Every 15 seconds a pass looks for digests due: one read of the database for all of them, not one
    more a chat (for its timezone), which took 16 to 23 s a pass for 20,000 chats and held up the
    instant messages the same loop queues."""
    statements = []

    def count(connection, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    async def statements_of_a_pass() -> int:
        statements.clear()
        sa.event.listen(bot.store.engine.sync_engine, "before_cursor_execute", count)
        try:
            assert await bot.fanout.run_digests() == 0
        finally:
            sa.event.remove(bot.store.engine.sync_engine, "before_cursor_execute", count)
        return len(statements)

    await bot.say("/subscribe kenya daily 09:00")
    one_chat = await statements_of_a_pass()
    for chat in ("1", "2", "3"):
        await bot.say("/subscribe energy weekly mon 08:00", target=Target("telegram", chat))
        await bot.say("/settings timezone Asia/Bangkok", target=Target("telegram", chat))
    assert await statements_of_a_pass() == one_chat


async def fridays_digest_on_its_way(bot: Harness) -> None:
    """GROUP's daily 09:00 digest of Kenya, Friday's carrying "Kenya Friday", is claimed by another worker."""
    await bot.say("/subscribe kenya daily 09:00", target=GROUP)
    bot.clock.set(START + timedelta(hours=1))
    await bot.publish("Kenya Friday", countries=["KE"])
    bot.clock.set(START + timedelta(hours=3))
    await bot.fanout.run_digests()
    assert len(await bot.outbox.claim("another worker", "telegram", 10, 1.0)) == 1


async def a_digest_given_up_after_the_next_was_queued(bot: Harness) -> None:
    """Friday's digest was on its way (another worker's) when Saturday's fell due, so Saturday's does not
    carry it; then Telegram failed Friday's on its last attempt, and Saturday's went out."""
    await fridays_digest_on_its_way(bot)
    bot.recorder.failures = [TransientError("502 Bad Gateway")]
    assert await saturdays_digest(bot) == [(GROUP, ["Kenya Saturday"], "Your daily digest for Kenya: 1 new article")]


async def sundays_digest(bot: Harness):
    """What is delivered at Sunday 09:00, "Kenya Sunday" published an hour before."""
    bot.clock.set(START + timedelta(days=2, hours=1))
    await bot.publish("Kenya Sunday", countries=["KE"])
    bot.clock.set(START + timedelta(days=2, hours=3))
    return await bot.deliver()


@pytest.mark.parametrize("keep_days", [0.5, 30])
async def test_a_digest_given_up_after_the_next_went_out_is_not_carried_however_soon_sent_rows_are_deleted(bot, keep_days):
    """Saturday's digest is deleted on Saturday evening with keep_days 0.5: Sunday's still does not
    carry Friday's, which would bring Saturday's articles again (Friday's are given up with it)."""
    bot.deliver_as(DeliverySettings(max_attempts=1, keep_days=keep_days))
    await a_digest_given_up_after_the_next_was_queued(bot)
    bot.clock.set(START + timedelta(days=1, hours=16))  # Saturday 22:00: the worker deletes what it may
    await bot.worker.run_until_idle()
    assert await sundays_digest(bot) == [(GROUP, ["Kenya Sunday"], "Your daily digest for Kenya: 1 new article")]


async def test_a_digest_given_up_after_the_next_went_out_is_not_carried_in_the_supergroup_its_group_merged_into(bot):
    """Saturday's digest, sent, stays with the group; Friday's, given up, must not be carried in the
    supergroup as if no digest had gone out after it."""
    bot.deliver_as(DeliverySettings(max_attempts=1))
    await a_digest_given_up_after_the_next_was_queued(bot)
    supergroup = Target("telegram", "-100999")
    await bot.say("/subscribe energy", target=supergroup)
    await move_chat(bot.store.engine, GROUP, supergroup.chat)
    assert await sundays_digest(bot) == [(supergroup, ["Kenya Sunday"], "Your daily digest for Kenya: 1 new article")]


async def test_a_digest_given_up_before_its_chat_went_gone_is_not_carried_after_it_comes_back(bot):
    await bot.say("/subscribe energy", target=GROUP)
    await a_digest_given_up_after_its_last_attempt(bot, "Kenya before", countries=["KE"])
    await bot.publish("Energy", sectors=["energy"])
    bot.recorder.failures = [TargetGone("Forbidden: bot was kicked from the group chat")]
    assert await bot.deliver() == []
    bot.clock.set(START + timedelta(days=1, hours=6))
    await SubscriptionStore(bot.store.engine).revive(GROUP, bot.clock.now())
    await bot.publish("Kenya after coming back", countries=["KE"])
    bot.clock.set(START + timedelta(days=2, hours=3))
    assert await bot.deliver() == [(GROUP, ["Kenya after coming back"], "Your daily digest for Kenya: 1 new article")]


async def test_a_digest_given_up_for_a_removed_subscription_is_not_carried_by_a_new_one(bot):
    """SQLite may give a new subscription the id of one just removed: the series is the new one's."""
    await a_digest_given_up_after_its_last_attempt(bot, "Kenyan energy", sectors=["energy"], countries=["KE"])
    await bot.say("/unsubscribe kenya", target=GROUP)
    await bot.say("/subscribe energy daily 09:00", target=GROUP)
    await bot.publish("Energy", sectors=["energy"])
    bot.clock.set(START + timedelta(days=1, hours=3))
    assert await bot.deliver() == [(GROUP, ["Energy"], "Your daily digest for Energy: 1 new article")]


async def test_a_digest_given_up_before_its_subscription_turned_instant_is_handed_over_by_the_reply_not_by_a_digest_after(bot):
    await a_digest_given_up_after_its_last_attempt(bot, "Kenya in the digest", countries=["KE"])
    reply = await bot.say("/subscribe kenya instant", target=GROUP)
    assert [card.title for card in reply.cards] == ["Kenya in the digest"]
    bot.clock.advance(60)
    await bot.publish("Kenya instantly", countries=["KE"])
    assert await bot.delivered_titles() == [["Kenya instantly"]]
    await bot.say("/subscribe kenya daily 09:00", target=GROUP)
    await bot.publish("Kenya in the next digest", countries=["KE"])
    bot.clock.set(START + timedelta(days=1, hours=3))
    assert await bot.delivered_titles() == [["Kenya in the next digest"]]


async def turned_instant(bot: Harness) -> list[str]:
    """GROUP's Kenya subscription turns instant at Friday 09:05; returns the titles the reply hands over."""
    bot.clock.set(START + timedelta(hours=3, minutes=5))
    reply = await bot.say("/subscribe kenya instant", target=GROUP)
    return [card.title for card in reply.cards]


async def a_digest_again(bot: Harness) -> None:
    """GROUP's Kenya subscription, instant, has "Kenya instantly" queued so, then is a daily 09:00 digest again."""
    bot.clock.advance(60)
    await bot.publish("Kenya instantly", countries=["KE"])
    await bot.fanout.run_once()
    bot.clock.advance(60)
    await bot.say("/subscribe kenya daily 09:00", target=GROUP)


async def test_a_digest_turned_instant_names_what_it_hands_over_as_the_digests_it_stands_for(bot):
    await a_digest_given_up_after_its_last_attempt(bot, "Kenya Friday", countries=["KE"])
    bot.clock.set(START + timedelta(days=1, hours=1))
    await bot.publish("Kenya Saturday", countries=["KE"])
    bot.clock.set(START + timedelta(days=1, hours=2))  # Saturday 08:00, before its digest
    reply = await bot.say("/subscribe kenya instant", target=GROUP)
    assert reply.text.splitlines()[1] == "What your next digest would have held, 27–28 March: 2 new articles"
    assert [card.title for card in reply.cards] == ["Kenya Saturday", "Kenya Friday"]


async def test_a_digest_turned_instant_after_a_digest_the_chat_got_counts_from_that_digest(bot):
    await bot.say("/subscribe kenya daily 09:00", target=GROUP)
    bot.clock.set(START + timedelta(hours=1))
    await bot.publish("Kenya Friday", countries=["KE"])
    bot.clock.set(START + timedelta(hours=3))
    assert await bot.delivered_titles() == [["Kenya Friday"]]
    bot.clock.set(START + timedelta(days=1, hours=1))
    await bot.publish("Kenya Saturday", countries=["KE"])
    reply = await bot.say("/subscribe kenya instant", target=GROUP)
    assert reply.text.splitlines()[1] == "Since your last digest: 1 new article"
    assert [card.title for card in reply.cards] == ["Kenya Saturday"]


async def test_a_subscription_made_a_digest_and_instant_again_before_any_digest_names_no_last_digest(bot):
    await bot.say("/subscribe kenya", target=GROUP)
    bot.clock.advance(60)
    await bot.say("/subscribe kenya daily 09:00", target=GROUP)
    bot.clock.advance(60)
    await bot.publish("Kenya while a digest", countries=["KE"])
    reply = await bot.say("/subscribe kenya instant", target=GROUP)
    assert reply.text.splitlines()[1] == "What your next digest would have held: 1 new article"
    assert [card.title for card in reply.cards] == ["Kenya while a digest"]


async def test_a_digest_waiting_when_its_subscription_turned_instant_and_back_brings_each_article_once(bot):
    """Telegram could not be sent to from Friday 09:00 to Saturday's digest."""
    await bot.say("/subscribe kenya daily 09:00", target=GROUP)
    bot.clock.set(START + timedelta(hours=1))
    await bot.publish("Kenya Friday", countries=["KE"])
    bot.clock.set(START + timedelta(hours=3))
    await bot.fanout.run_digests()
    handed_over = await turned_instant(bot)
    await a_digest_again(bot)
    assert sorted(await saturdays_digest(bot)) == [
        (GROUP, ["Kenya Saturday"], "Your daily digest for Kenya: 1 new article"),
        (GROUP, ["Kenya instantly"], "New for your subscriptions"),
    ]
    assert handed_over == ["Kenya Friday"]


async def test_a_digest_on_its_way_when_its_subscription_turned_instant_goes_on_its_own_past_its_last_attempt(bot):
    """Friday's digest was being sent at the switch: it goes on its own, tried again after its last
    attempt as no later digest carries it; once a digest again, the next does not carry it either, as
    the period after it would come with it, instant articles included."""
    await fridays_digest_on_its_way(bot)
    assert await turned_instant(bot) == []
    bot.recorder.failures = [TransientError("502 Bad Gateway")] * DeliverySettings().max_attempts
    assert await bot.deliver() == [(GROUP, ["Kenya Friday"], "Your daily digest for Kenya: 1 new article")]
    await a_digest_again(bot)
    assert sorted(await saturdays_digest(bot)) == [
        (GROUP, ["Kenya Saturday"], "Your daily digest for Kenya: 1 new article"),
        (GROUP, ["Kenya instantly"], "New for your subscriptions"),
    ]


class HeldSends(Recorder):
    """A recorder whose sends wait, once started, until the test lets them go on."""

    def __init__(self):
        super().__init__()
        self.started, self.go_on = asyncio.Event(), asyncio.Event()

    async def send(self, target, reply, *, skip=0, progress=None):
        self.started.set()
        await self.go_on.wait()
        await super().send(target, reply, skip=skip, progress=progress)


@pytest.mark.parametrize("failures", [[], [TransientError("502 Bad Gateway")]], ids=["sent", "failed-on-its-last-attempt"])
async def test_a_digest_being_sent_when_its_subscription_turns_instant_brings_its_articles_once(bot, failures):
    """The reply leaves out Friday's digest, which the worker is sending; Telegram then takes it, or
    fails it on its last attempt: no later digest carrying its articles, it is tried again."""
    bot.recorder = HeldSends()
    bot.deliver_as(DeliverySettings(max_attempts=1))
    await bot.say("/subscribe kenya daily 09:00", target=GROUP)
    bot.clock.set(START + timedelta(hours=1))
    await bot.publish("Kenya Friday", countries=["KE"])
    bot.clock.set(START + timedelta(hours=3))
    await bot.fanout.run_digests()
    delivering = asyncio.create_task(bot.worker.run_until_idle())
    await asyncio.wait_for(bot.recorder.started.wait(), 10)
    assert await turned_instant(bot) == []
    bot.recorder.failures = failures
    bot.recorder.go_on.set()
    await delivering
    assert [[card.title for card in reply.cards] for _, reply in bot.recorder.sent] == [["Kenya Friday"]]
    bot.clock.advance(60)
    await bot.publish("Kenya instantly", countries=["KE"])
    assert await bot.delivered_titles() == [["Kenya instantly"]]


async def test_a_new_feeds_archive_is_not_delivered_but_its_news_is(bot):
    await bot.say("/subscribe energy")
    await bot.say("/subscribe kenya daily 09:00")
    bot.clock.advance(60)
    for title, age in [("Energy last month", timedelta(days=30)), ("Energy this week", timedelta(days=2))]:
        await bot.publish(title, sectors=["energy"], countries=["KE"], age=age)
    assert await bot.delivered_titles() == [["Energy this week"]]
    bot.clock.set(START.replace(hour=9))
    [(_, titles, text)] = await bot.deliver()
    assert titles == ["Energy this week"] and "1 new article" in text
    assert [article.title for article in (await bot.store.find(Query(countries=("KE",)))).articles] == [
        "Energy this week", "Energy last month"  # both still found
    ]


async def test_country_region_and_words_subscriptions_match(bot):
    await bot.say("/subscribe kenya")
    await bot.say("/subscribe asean", target=Target("console", "bob"))
    await bot.say("/subscribe smart grid", target=Target("console", "carol"))
    bot.clock.advance(60)
    await bot.publish("Nairobi startups", countries=["KE"])
    member = sorted(countries_in_region("asean"))[0]
    await bot.publish("Regional trade pact", countries=[member])
    await bot.publish("Utilities build smart grids", text="Cities are upgrading the grid with smart meters.")
    delivered = sorted((target.chat, titles) for target, titles, _ in await bot.deliver())
    assert delivered == [
        ("alice", ["Nairobi startups"]),
        ("bob", ["Regional trade pact"]),
        ("carol", ["Utilities build smart grids"]),
    ]


async def test_words_subscription_to_a_place_of_several_words_gets_only_articles_naming_it(bot):
    # "/subscribe new york" brought a new museum in York, as its words stood anywhere
    await bot.say("/subscribe new york")
    bot.clock.advance(60)
    await bot.publish("A new museum opens in York", text="Visitors queue in England.")
    await bot.publish("New York adds bus lanes", text="The city paints the lanes red.")
    assert await bot.delivered_titles() == [["New York adds bus lanes"]]


async def test_subscribe_and_unsubscribe_read_except_or_without_as_not(bot):
    # "/subscribe solar except china" was a subscription to articles mentioning solar, "except" and China
    reply = await bot.say("/subscribe solar except china")
    assert reply.text.startswith("Subscribed to “solar”, without “china”:")
    bot.clock.advance(60)
    await bot.publish("Solar farms in China grow", text="Panels cover the hills.")
    await bot.publish("Solar farms in Chile grow", text="Panels cover the desert.")
    assert await bot.delivered_titles() == [["Solar farms in Chile grow"]]
    assert (await bot.say("/unsubscribe solar without china")).text == "Unsubscribed from “solar”, without “china”."


@pytest.mark.parametrize("typed", ["weekly energy", "daily energy", "energy weekly", "energy daily", "energy weekly mon",
                                   "energy every day at 9"])
async def test_unsubscribe_reads_how_often_as_subscribe_does_and_removes_the_topic(bot, typed):
    # "/unsubscribe weekly energy" looked for a subscription to the words "weekly" and Energy
    await bot.say("/subscribe energy weekly mon 08:00")
    assert (await bot.say(f"/unsubscribe {typed}")).text == "Unsubscribed from Energy."


@pytest.mark.parametrize("typed", ["weekly news", "daily news", "daily 08:00", "at 9"])
async def test_unsubscribe_with_how_often_and_no_topic_asks_which_as_subscribe_does(bot, typed):
    # "/unsubscribe weekly news" answered "This chat is not subscribed to “weekly”."
    await bot.say("/subscribe energy weekly mon 08:00")
    reply = await bot.say(f"/unsubscribe {typed}")
    assert reply.text.startswith("Unsubscribe from what? e.g. /unsubscribe energy, or /unsubscribe all.\n")
    assert "Energy" in reply.text and [action.label for action in reply.actions] == ["Remove Energy"]
    assert (await bot.say("/subscriptions")).text.count("Energy") == 1  # nothing removed


async def test_words_subscribed_to_with_a_cadence_name_in_them_unsubscribe_as_written(bot):
    await bot.say('/subscribe "daily mail"')
    assert (await bot.say("/unsubscribe daily mail")).text == 'Unsubscribed from "daily mail".'


@pytest.mark.parametrize("name", ["doctors without borders", "energy not coal"])
async def test_words_subscribed_to_in_quotes_with_a_not_word_in_them_unsubscribe_as_written(bot, name):
    # README says to quote a name that holds "without"; unquoted, /unsubscribe read it as "doctors" without "borders"
    await bot.say("/subscribe energy")
    await bot.say(f'/subscribe "{name}"')
    assert (await bot.say(f"/unsubscribe {name}")).text == f'Unsubscribed from "{name}".'
    assert (await bot.say("/subscriptions")).text.count("Energy") == 1


async def test_one_message_per_article_even_when_several_subscriptions_match(bot):
    await bot.say("/subscribe energy")
    await bot.say("/subscribe kenya")
    bot.clock.advance(60)
    await bot.publish("Geothermal power in Kenya", sectors=["energy"], countries=["KE"])
    assert await bot.delivered_titles() == [["Geothermal power in Kenya"]]


async def test_daily_digest_arrives_once_at_local_time_across_the_dst_change(bot):
    await bot.say("/settings timezone Europe/Berlin")
    reply = await bot.say("/subscribe energy daily 08:00")  # Friday 07:00 in Berlin
    assert "daily 08:00 digest (Europe/Berlin" in reply.text
    for n in range(12):
        await bot.publish(f"Energy news {n}", sectors=["energy"], fetched=START + timedelta(minutes=n + 1))
    bot.clock.set(datetime(2026, 3, 27, 6, 59, tzinfo=timezone.utc))  # 07:59 in Berlin (CET, UTC+1)
    assert await bot.deliver() == []
    bot.clock.set(datetime(2026, 3, 27, 7, 0, tzinfo=timezone.utc))  # 08:00 CET
    digest = await bot.deliver()
    assert len(digest) == 1
    target, titles, text = digest[0]
    assert titles == [f"Energy news {n}" for n in range(11, 1, -1)]  # the newest ten
    assert text.startswith("Your daily digest for Energy: 12 new articles")
    assert await bot.deliver() == []
    # Saturday's digest (07:00 UTC) passes empty; Sunday is CEST (UTC+2): 08:00 local is 06:00 UTC
    bot.clock.set(datetime(2026, 3, 28, 12, 0, tzinfo=timezone.utc))
    assert await bot.deliver() == []
    await bot.publish("Weekend energy", sectors=["energy"])
    bot.clock.set(datetime(2026, 3, 29, 5, 59, tzinfo=timezone.utc))
    assert await bot.deliver() == []
    bot.clock.set(datetime(2026, 3, 29, 6, 0, tzinfo=timezone.utc))
    assert await bot.delivered_titles() == [["Weekend energy"]]


async def test_missed_digests_collapse_into_one(bot):
    await bot.say("/subscribe energy daily 09:00")
    bot.clock.advance(60)
    await bot.publish("Energy one", sectors=["energy"])
    bot.clock.advance(3 * 86400)  # newsbot was down: Friday's to Sunday's digest times
    assert await bot.deliver() == [(ALICE, ["Energy one"], "Your daily digest for Energy, 27–29 March: 1 new article")]
    assert await bot.deliver() == []


async def test_an_article_fetched_before_a_digest_and_stored_after_it_comes_in_the_next(bot):
    await bot.say("/subscribe energy daily 09:00")
    await bot.publish("Energy on time", sectors=["energy"], fetched=START + timedelta(hours=2))
    bot.clock.set(START.replace(hour=9))
    assert await bot.delivered_titles() == [["Energy on time"]]
    # an ingest that fetched at 08:59:30 commits after the digest went out
    await bot.publish("Energy committed late", sectors=["energy"], fetched=START.replace(hour=8, minute=59, second=30))
    bot.clock.advance(86400)
    assert await bot.delivered_titles() == [["Energy committed late"]]


async def test_a_digest_of_thousands_counts_them_all_and_shows_the_newest(bot):
    await bot.say("/subscribe energy weekly mon 09:00")
    start = bot.clock.now()
    await bot.store.add([
        Article(
            id=f"e{n:05d}", url=f"https://news.example/e{n}", title=f"Energy {n}", sources=("Example",),
            published=start + timedelta(seconds=n + 1), fetched=start + timedelta(seconds=n + 1),
            text="Grid.", summary="Grid.", sectors=("energy",),
        )
        for n in range(2300)
    ])
    bot.clock.advance(7 * 86400)
    [(_, titles, text)] = await bot.deliver()
    assert "2300 new articles" in text
    assert titles == [f"Energy {n}" for n in range(2299, 2289, -1)]


async def test_a_switch_from_instant_to_a_digest_does_not_send_again_what_came_instantly(bot):
    await bot.say("/subscribe energy")
    bot.clock.advance(60)
    await bot.publish("Energy sent at once", sectors=["energy"])
    assert await bot.delivered_titles() == [["Energy sent at once"]]
    await bot.say("/subscribe energy daily 09:00")
    bot.clock.advance(60)
    await bot.publish("Energy for the digest", sectors=["energy"])
    bot.clock.advance(86400)
    assert await bot.delivered_titles() == [["Energy for the digest"]]


async def test_a_switch_from_instant_to_a_digest_before_the_fan_out_ran_keeps_the_article_for_the_digest(bot):
    await bot.say("/subscribe energy")
    assert await bot.deliver() == []  # the fan-out has read everything so far
    await bot.publish("Energy not fanned out yet", sectors=["energy"])
    await bot.say("/subscribe energy daily 09:00")
    bot.clock.set(START.replace(hour=9))
    assert await bot.delivered_titles() == [["Energy not fanned out yet"]]
    assert "daily digest" in bot.recorder.sent[0][1].text


async def test_a_chat_that_comes_back_gets_a_digest_of_what_is_new_not_what_piled_up(bot):
    await bot.say("/subscribe energy daily 09:00")
    async with bot.store.engine.begin() as connection:
        await connection.execute(tables.targets.update().values(active=False, inactive_reason="blocked"))
    for day in range(3):
        bot.clock.advance(86400)
        await bot.publish(f"Energy while blocked {day}", sectors=["energy"])
        assert await bot.deliver() == []
    await SubscriptionStore(bot.store.engine).revive(ALICE, bot.clock.now())  # the chat writes again
    bot.clock.advance(60)
    await bot.publish("Energy after coming back", sectors=["energy"])
    bot.clock.advance(86400)
    assert await bot.delivered_titles() == [["Energy after coming back"]]


async def test_nothing_queued_is_sent_after_unsubscribing(bot):
    await bot.say("/subscribe energy daily 09:00")
    await bot.say("/subscribe kenya")
    bot.clock.advance(60)
    await bot.publish("Energy for the digest", sectors=["energy"])
    await bot.publish("Kenyan news", countries=["KE"])
    await bot.fanout.run_once()
    bot.clock.advance(86400)
    await bot.fanout.run_digests()  # both queued, and held back (say, by a rate limit)
    await bot.say("/unsubscribe energy")
    assert await bot.delivered_titles() == [["Kenyan news"]]
    bot.clock.advance(60)
    await bot.publish("More Kenyan news", countries=["KE"])
    await bot.fanout.run_once()
    await bot.say("/unsubscribe all")
    assert await bot.deliver() == []


async def test_a_switch_from_a_digest_to_instant_hands_over_what_the_digest_would_have_held(bot):
    await bot.say("/subscribe energy daily 20:00")
    bot.clock.advance(60)
    await bot.publish("Morning energy", sectors=["energy"])
    await bot.fanout.run_once()  # the morning article is seen while the subscription is a digest
    reply = await bot.say("/subscribe energy")
    assert "Since you subscribed: 1 new article" in reply.text  # no digest was sent yet
    assert [card.title for card in reply.cards] == ["Morning energy"]
    bot.clock.advance(60)
    await bot.publish("Later energy", sectors=["energy"])
    assert await bot.delivered_titles() == [["Later energy"]]


async def test_a_switch_to_instant_while_its_digest_falls_due_brings_the_article_once(bot):
    await bot.say("/subscribe energy daily 09:00")
    bot.clock.advance(60)
    await bot.publish("Morning energy", sectors=["energy"])
    bot.clock.set(START.replace(hour=9))
    subscriptions, replies = bot.fanout._subscriptions, []
    read_digests = subscriptions.digests

    async def digests_then_switch():
        due = await read_digests()
        replies.append(await bot.say("/subscribe energy"))  # after the fan-out read the digest as due
        return due

    subscriptions.digests = digests_then_switch
    assert await bot.deliver() == []
    assert [card.title for card in replies[0].cards] == ["Morning energy"]


async def test_a_switch_to_instant_before_the_fan_out_ran_brings_the_article_once(bot):
    await bot.say("/subscribe energy daily 20:00")
    bot.clock.advance(60)
    await bot.publish("Morning energy", sectors=["energy"])
    reply = await bot.say("/subscribe energy")  # the fan-out has not seen the article yet
    assert [card.title for card in reply.cards] == ["Morning energy"]
    assert await bot.deliver() == []


async def test_deliveries_carry_no_button_that_would_replace_them_and_one_article_reads_well(bot):
    await bot.publish("Ghana news", countries=["GH"])
    reply = await bot.say("/subscribe ghana")
    assert reply.text.endswith("\nThe latest article now:") and len(reply.cards) == 1
    await bot.say("/subscribe energy")
    bot.clock.advance(60)
    await bot.publish("Energy news", sectors=["energy"])
    assert await bot.delivered_titles() == [["Energy news"]]
    assert [reply.actions for _, reply in bot.recorder.sent] == [[]]


async def test_non_admins_are_refused_in_groups(bot):
    reply = await bot.say("/subscribe energy", target=GROUP, chat_kind="group", is_admin=False)
    assert "administrators" in reply.text and reply.private
    assert (await bot.say("/subscriptions", target=GROUP, chat_kind="group", is_admin=False)).text.startswith(
        "This chat has no subscriptions"
    )
    reply = await bot.say("/subscribe energy", target=GROUP, chat_kind="group", is_admin=True)
    assert reply.text.startswith("Subscribed to Energy")
    reply = await bot.say("/unsubscribe all", target=GROUP, chat_kind="group", is_admin=False)
    assert "administrators" in reply.text
    assert "Energy" in (await bot.say("/subscriptions", target=GROUP, chat_kind="group")).text


async def test_rights_not_known_just_now_ask_to_try_again_and_change_nothing(bot):
    reply = await bot.say("/subscribe energy", target=GROUP, chat_kind="group", is_admin=None)
    assert reply.text.startswith("Sorry, your rights in this chat could not be checked") and reply.private
    assert (await bot.say("/subscriptions", target=GROUP, chat_kind="group", is_admin=None)).text.startswith(
        "This chat has no subscriptions"
    )


async def test_subscriptions_list_with_remove_buttons(bot):
    await bot.say("/subscribe energy")
    await bot.say("/subscribe kenya weekly fri 18:30")
    await bot.say("/settings timezone Africa/Nairobi")
    reply = await bot.say("/subscriptions")
    assert reply.text.splitlines()[1:] == ["• Energy — instant", "• Kenya — weekly fri 18:30 (Africa/Nairobi)"]
    assert [action.label for action in reply.actions] == ["Remove Energy", "Remove Kenya"]
    pressed = await bot.say(reply.actions[1].command)
    assert pressed.text == "Unsubscribed from Kenya."
    assert (await bot.say("/unsubscribe all")).text.startswith("Removed 1 subscription:")


async def test_unsubscribe_all_with_more_words_in_a_chat_without_subscriptions_names_all_it_was_sent(bot):
    reply = await bot.say("/unsubscribe all extra")
    assert reply.private and reply.text.startswith("This chat is not subscribed to “all extra”.\n")
    assert "Remove all" not in [action.label for action in reply.actions]
    assert (await bot.say("/unsubscribe energy")).text.startswith("This chat is not subscribed")


async def test_bad_input_gets_a_clear_error(bot):
    assert (await bot.say("/subscribe energy daily 25:00")).text == "“25:00” is not a time of day: write it HH:MM, from 00:00 to 23:59."
    assert (await bot.say("/subscribe energy weekly funday 08:00")).text == (
        "“funday” is not a day of the week: use mon, tue, wed, thu, fri, sat or sun."
    )
    assert (await bot.say("/subscribe energy daily")).text == "daily needs a time, e.g. daily 08:00."
    for no_time in ("weekly", "weekly mon", "weekly Monday"):
        assert (await bot.say(f"/subscribe energy {no_time}")).text == "weekly needs a day and a time, e.g. weekly mon 08:00."
    for other_clock in ("08.00", "8h", "0800", "8"):
        assert (await bot.say(f"/subscribe smart grid daily {other_clock}")).text == (
            f"“{other_clock}”: write the time as HH:MM, e.g. daily 08:00."
        )
    assert (await bot.say("/subscribe smart grid weekly mon 9.30")).text == "“9.30”: write the time as HH:MM, e.g. weekly mon 09:30."
    for after in ("09:00 mon", "09:00 Monday", "9.00 mon"):
        assert (await bot.say(f"/subscribe smart grid weekly {after}")).text == (
            "Put the day before the time, written HH:MM: weekly mon 09:00."
        ), after
    assert (await bot.say("/subscribe energy weekly 08:00")).text.startswith("weekly needs a day and a time")
    assert (await bot.say("/subscribe energy daily 8am")).text == "“8am”: write the time as HH:MM, e.g. daily 08:00."
    assert (await bot.say("/subscribe energy weekly mon 8:30pm")).text == "“8:30pm”: write the time as HH:MM, e.g. weekly mon 20:30."
    assert (await bot.say("/subscribe energy daily 12am")).text == "“12am”: write the time as HH:MM, e.g. daily 00:00."
    assert "write the time as HH:MM on a 24-hour clock" in (await bot.say("/subscribe energy 8am")).text
    # written apart from its time, am or pm is read as it is joined, not subscribed to as words
    assert (await bot.say("/subscribe energy daily 8 pm")).text == "“8 pm”: write the time as HH:MM, e.g. daily 20:00."
    assert (await bot.say("/subscribe energy weekly mon 8 p.m.")).text == "“8 p.m.”: write the time as HH:MM, e.g. weekly mon 20:00."
    assert "write the time as HH:MM on a 24-hour clock" in (await bot.say("/subscribe energy 8 PM")).text
    for unreadable in ("energy 08:00", "daily 08:00 energy"):
        assert (await bot.say(f"/subscribe {unreadable}")).text.startswith("Put how often last"), unreadable
    assert (await bot.say("/subscribe covid 19", target=Target("console", "dave"))).text.startswith("Subscribed to “covid 19”")
    assert "Subscribe to a sector" in (await bot.say("/subscribe")).text
    assert (await bot.say("/subscribe -coal")).text == "Add a topic: “-” or “not” only leaves articles out, e.g. /subscribe energy -coal."
    quoted = await bot.say('/subscribe "solar power"', target=Target("console", "erin"))
    assert quoted.text.startswith("Subscribed to \"solar power\":")  # words as written, not the sector
    assert "not a timezone" in (await bot.say("/settings timezone Mars/Olympus")).text
    assert "not a timezone" in (await bot.say("/settings timezone localtime")).text  # the server's, not a place
    assert (await bot.say("/settings timezone europe/berlin")).text.startswith("Timezone set to Europe/Berlin")
    assert (await bot.say("/subscriptions")).text.startswith("This chat has no subscriptions")  # none made above


async def test_an_offset_with_no_zone_is_refused_and_a_zone_this_machine_lacks_holds_up_no_other_digest(bot):
    assert "not a timezone" in (await bot.say("/settings timezone UTC-13")).text  # Etc/GMT+13 does not exist
    mallory = Target("console", "mallory")
    await bot.say("/subscribe energy daily 08:00", target=mallory)
    await SubscriptionStore(bot.store.engine).set_timezone("console", "mallory", "Mars/Olympus")  # say, a zone removed
    await bot.say("/subscribe energy daily 08:00")
    await bot.publish("Energy news", sectors=["energy"])
    bot.clock.set(START + timedelta(days=1))
    assert [(target.chat, titles) for target, titles, _ in await bot.deliver()] == [("alice", ["Energy news"])]


async def test_an_unknown_timezone_is_named_as_typed_and_a_near_one_is_offered(bot):
    reply = await bot.say("/settings timezone ' OR 1=1 --")
    assert reply.text.startswith("“' OR 1=1 --” is not a timezone I know:") and not reply.actions
    for typed, meant in (("Asia/Bangkk", "Asia/Bangkok"), ("nairobbi", "Africa/Nairobi"), ("Europe/Berln", "Europe/Berlin")):
        reply = await bot.say(f"/settings timezone {typed}")
        assert reply.text.startswith(f"“{typed}” is not a timezone I know. Did you mean {meant}?"), typed
        assert [(action.label, action.command) for action in reply.actions] == [(meant, f"/settings timezone {meant}")]
    assert (await bot.say("/settings")).text.startswith("This chat's digests follow UTC;")  # nothing was set


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("EAT", "Africa/Nairobi"), ("ict", "Asia/Bangkok"), ("PKT", "Asia/Karachi"), ("PDT", "America/Los_Angeles"),
        ("MSK", "Europe/Moscow"), ("ACST", "Australia/Adelaide"), ("ChST", "Pacific/Guam"),  # not Omsk, Canberra, Hawaii
    ],
)
async def test_a_zone_abbreviation_is_offered_the_zone_of_the_places_that_use_it(bot, typed, meant):
    reply = await bot.say(f"/settings timezone {typed}")
    assert reply.text == f"“{typed}” is not a timezone I know. Did you mean {meant}? /settings timezone {meant}"
    assert [(action.label, action.command) for action in reply.actions] == [(meant, f"/settings timezone {meant}")]
    assert (await bot.say("/settings")).text.startswith("This chat's digests follow UTC;")  # nothing was set


@pytest.mark.parametrize("typed", ["AST", "cst"])  # Atlantic or Arabia, Central or China
async def test_an_abbreviation_of_zones_on_different_clocks_is_offered_no_city_it_only_looks_like(bot, typed):
    reply = await bot.say(f"/settings timezone {typed}")
    assert (reply.text, reply.actions) == (f"“{typed}” is not a timezone I know: use an IANA name like Europe/Berlin or America/New_York.", [])


async def test_an_offset_off_the_hour_is_refused_saying_why_and_names_the_zone_of_its_places(bot):
    reply = await bot.say("/settings timezone UTC+5:30")
    assert reply.private and "an offset works only in whole hours" in reply.text
    assert [(action.label, action.command) for action in reply.actions] == [("Asia/Kolkata", "/settings timezone Asia/Kolkata")]
    assert (await bot.say(reply.actions[0].command)).text.startswith("Timezone set to Asia/Kolkata:")
    other = await bot.say("/settings timezone -03:30")
    assert "an offset works only in whole hours" in other.text and not other.actions


@pytest.mark.parametrize(
    ("written", "answer"),
    [
        ("Asia/Ho Chi Minh", "Timezone set to Asia/Ho_Chi_Minh:"),
        ("bangkok", "Timezone set to Asia/Bangkok:"),
        ("UTC+7", "Timezone set to Etc/GMT-7 (UTC+7: names like Etc/GMT-7 count the other way):"),
        ("+03:00", "Timezone set to Etc/GMT-3 (UTC+3: names like Etc/GMT-3 count the other way):"),
        ("Etc/GMT+7", "Timezone set to Etc/GMT+7 (UTC−7: names like Etc/GMT+7 count the other way):"),
        # an offset with spaces in it was no timezone at all
        ("UTC +7", "Timezone set to Etc/GMT-7 (UTC+7: names like Etc/GMT-7 count the other way):"),
        ("GMT - 5", "Timezone set to Etc/GMT+5 (UTC−5: names like Etc/GMT+5 count the other way):"),
        ("UTC+ 5:30", "“UTC+ 5:30”: an offset works only in whole hours"),
    ],
)
async def test_a_timezone_may_be_a_city_or_an_offset_and_a_reversed_sign_is_told(bot, written, answer):
    assert (await bot.say(f"/settings timezone {written}")).text.startswith(answer)


@pytest.mark.parametrize(
    ("typed", "note", "meant"),
    [
        ("EST", "EST keeps UTC−5 all year, with no daylight saving time: for New York's time, EDT in summer", "America/New_York"),
        ("mst", "MST keeps UTC−7 all year, with no daylight saving time, as Arizona does (America/Phoenix, where MST is right): "
         "for Denver's time, MDT in summer", "America/Denver"),
    ],
)
async def test_est_or_mst_is_set_as_asked_saying_it_has_no_summer_time_and_offering_the_zone_that_has(bot, typed, note, meant):
    reply = await bot.say(f"/settings timezone {typed}")
    assert reply.text == (
        f"Timezone set to {typed.upper()}: digests now arrive at that local time. {note}, /settings timezone {meant}"
    )
    assert [(action.label, action.command) for action in reply.actions] == [(meant, f"/settings timezone {meant}")]
    assert (await bot.say("/settings")).text.startswith(f"This chat's digests follow {typed.upper()};")


async def test_hst_is_set_as_asked_as_honolulu_keeps_it_all_year(bot):
    reply = await bot.say("/settings timezone HST")
    assert (reply.text, reply.actions) == ("Timezone set to HST: digests now arrive at that local time.", [])


async def test_a_zone_set_as_an_offset_is_shown_as_that_offset_not_its_reversed_name(bot):
    await bot.say("/settings timezone UTC+7")
    assert "a daily 08:00 digest (UTC+7;" in (await bot.say("/subscribe energy daily 08:00")).text
    assert "Energy — daily 08:00 (UTC+7)" in (await bot.say("/subscriptions")).text
    assert (await bot.say("/settings")).text.startswith("This chat's digests follow UTC+7;")


@pytest.mark.parametrize(
    "line", ["/subscribe weekly news", "/subscribe daily news", "/subscribe news weekly", "/subscribe news daily", "/subscribe weekly"]
)
async def test_how_often_with_no_topic_but_news_asks_for_one_as_news_alone_does(bot, line):
    # "/subscribe weekly news" subscribed to the word “weekly”, instantly; "/subscribe news weekly" said weekly needs
    # a day and a time, and once given one asked for a topic
    assert (await bot.say(line)).text == (await bot.say("/subscribe news")).text
    assert (await bot.say("/subscriptions")).text.startswith("This chat has no subscriptions")


@pytest.mark.parametrize(
    ("first", "last"), [("weekly energy", "energy weekly"), ("Daily kenya", "kenya daily"), ("weekly smart grid", "smart grid weekly")]
)
async def test_how_often_said_first_is_read_as_said_last_not_as_a_word_to_look_for(bot, first, last):
    # "/subscribe weekly energy" subscribed to Energy + “weekly”, instantly
    reply = await bot.say(f"/subscribe {first}")
    told = (await bot.say(f"/subscribe {last}")).text
    assert reply.text == f"{told} To follow the words as written, quote them: /subscribe “{first}”"
    assert (await bot.say("/subscriptions")).text.startswith("This chat has no subscriptions")
    assert (await bot.say("/subscribe weekly mon 09:00 energy")).text.startswith("Put how often last")


async def test_not_before_a_word_in_a_topic_leaves_it_out_as_a_minus_does(bot):
    # "/subscribe ai not energy" subscribed to Energy + “ai”: the articles the person meant to leave out
    minus = await bot.say("/subscribe ai -energy daily 08:00", target=Target("console", "bob"))
    reply = await bot.say("/subscribe ai not energy daily 08:00")
    assert reply.text == minus.text and "without “energy”" in reply.text
    assert (await bot.say("/unsubscribe ai not energy")).text == "Unsubscribed from “AI”, without “energy”."


async def test_a_cadence_newsbot_lacks_is_told_the_ones_it_has_and_a_misspelt_one_is_offered(bot):
    for line in ("/subscribe energy hourly", "/subscribe kenya monthly", "/subscribe energy hourly kenya"):
        reply = await bot.say(line)
        assert reply.text == (
            f"“{line.split()[2]}” is no cadence of mine: I send instant (each new article as it arrives), "
            "daily HH:MM or weekly DAY HH:MM, e.g. /subscribe energy instant or /subscribe kenya daily 08:00."
        ), line
    for typed, meant in (("dialy 08:00", "daily 08:00"), ("wekly mon 09:00", "weekly mon 09:00")):
        assert (await bot.say(f"/subscribe energy {typed}")).text == f"“{typed}”: did you mean {meant}?"
    assert (await bot.say("/subscriptions")).text.startswith("This chat has no subscriptions")
    assert (await bot.say("/subscribe energy instantly")).text == "Subscribed to Energy: each new article as it arrives."
    assert (await bot.say("/subscribe kenya dairy")).text.startswith("Subscribed to Kenya + “dairy”:")
    assert (await bot.say("/unsubscribe energy instantly")).text == "Unsubscribed from Energy."
    assert (await bot.say("/subscribe energy,kenya,daily 08:00")).text.startswith("Subscribed to Energy + Kenya: a daily 08:00")
    assert (await bot.say("/unsubscribe energy,kenya,daily 08:00")).text == "Unsubscribed from Energy + Kenya."


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("every day", "daily 08:00"),
        ("each day", "daily 08:00"),
        ("every day at 7:30", "daily 07:30"),
        ("every week", "weekly mon 08:00"),
        ("every Friday at 18.00", "weekly fri 18:00"),
        ("at 9", "daily 09:00"),
        ("daily at 08:00", "daily 08:00"),
        ("weekly Monday at 9", "weekly mon 09:00"),
        ("every day at 8pm", "daily 20:00"),
        ("every day at 9 pm", "daily 21:00"),
        ("at 9 a.m.", "daily 09:00"),
        ("each friday at 6.30 P.M.", "weekly fri 18:30"),
        ("every day at 2030", "daily 20:30"),
    ],
)
async def test_how_often_said_in_words_is_offered_as_a_cadence_not_subscribed_to_as_words(bot, typed, meant):
    reply = await bot.say(f"/subscribe energy {typed}")
    assert reply.text == f"“{typed}”: did you mean {meant}?"
    assert [(action.label, action.command) for action in reply.actions] == [(meant, f"/subscribe energy {meant}")]
    assert (await bot.say("/subscriptions")).text.startswith("This chat has no subscriptions")
    assert (await bot.say(reply.actions[0].command)).text.startswith(f"Subscribed to Energy: a {meant} digest")
    reply = await bot.say("/subscribe ai at 2024 every day")  # four digits there are a year, as without "every day"
    assert [action.command for action in reply.actions] == ["/subscribe ai at 2024 daily 08:00"]


@pytest.mark.parametrize("typed", ["at 9", "every day", "every Friday at 18:00", "daily at 08:00"])
async def test_how_often_said_in_words_without_a_topic_asks_for_one_as_a_cadence_alone_does(bot, typed):
    assert (await bot.say(f"/subscribe {typed}")).text == (await bot.say("/subscribe daily 08:00")).text
    assert (await bot.say("/subscriptions")).text.startswith("This chat has no subscriptions")


async def test_at_a_time_after_weekly_with_no_day_is_not_offered_as_daily(bot):
    reply = await bot.say("/subscribe energy weekly at 9")
    assert reply.actions == []  # not "/subscribe energy weekly daily 09:00"
    assert reply.text.startswith("Put how often last")


@pytest.mark.parametrize(
    "typed",
    [
        "every weekday at 9",
        "every other day at 9",
        "each morning at 7:30",
        "every monday and friday at 9",  # only two words before "at" were looked at: daily 09:00 was offered
        "every weekday",  # without "at", an instant subscription to Energy + “every weekday” was made
        "every other day",
        "each morning",
        "every Monday and Friday",
        "twice a day",
        "every hour",
        "every 2 hours",
    ],
)
async def test_how_often_in_words_newsbot_does_not_read_is_told_how_to_write_it_not_offered_as_words_daily(bot, typed):
    reply = await bot.say(f"/subscribe energy {typed}")  # "/subscribe energy every weekday daily 09:00" was offered
    assert reply.text.startswith(f"“{typed}”: Put how often last") and reply.actions == []
    assert (await bot.say("/subscriptions")).text.startswith("This chat has no subscriptions")


@pytest.mark.parametrize("typed", ["every weekday at 2030", "twice a day at 25", "each morning at noon"])
async def test_how_often_newsbot_does_not_read_at_what_is_no_time_alone_is_told_how_to_write_it_not_subscribed_to(bot, typed):
    reply = await bot.say(f"/subscribe energy {typed}")  # Energy + “every weekday at 2030” was subscribed to, instantly
    assert reply.text.startswith(f"“{typed}”: Put how often last") and reply.actions == []
    assert (await bot.say("/subscriptions")).text.startswith("This chat has no subscriptions")
    with pytest.raises(CadenceError, match="Give one cadence"):
        split_cadence(f"energy {typed} daily 08:00")  # the topic was Energy + those words


def test_every_among_a_topics_words_stays_words():
    assert split_cadence("water every drop counts") == ("water every drop counts", Cadence("instant"))
    assert split_cadence("every child matters daily 08:00") == ("every child matters", Cadence.parse("daily 08:00"))
    with pytest.raises(CadenceError, match="Give one cadence"):
        split_cadence("energy every weekday daily 08:00")  # the topic was Energy + “every weekday”


def test_how_often_in_words_before_a_cadence_is_a_second_cadence_not_words():
    with pytest.raises(CadenceError, match="Give one cadence"):
        split_cadence("kenya every day at 9pm daily 08:00")  # the words "every day 9pm" were subscribed to
    assert split_cadence("ai at 2024 daily 08:00") == ("ai at 2024", Cadence.parse("daily 08:00"))


@pytest.mark.parametrize("typed, meant", [("at 9 every day", "daily 09:00"), ("at 6 pm each friday", "weekly fri 18:00")])
async def test_a_time_before_how_often_in_words_is_its_time_not_left_in_the_topic(bot, typed, meant):
    reply = await bot.say(f"/subscribe energy {typed}")  # "/subscribe energy at 9 daily 08:00" was offered: "Give one cadence"
    assert reply.text == f"“{typed}”: did you mean {meant}?"
    assert [action.command for action in reply.actions] == [f"/subscribe energy {meant}"]
    assert (await bot.say(reply.actions[0].command)).text.startswith(f"Subscribed to Energy: a {meant} digest")
    reply = await bot.say("/subscribe ai at 2024 every day")  # four digits there are a year, as without "every day"
    assert [action.command for action in reply.actions] == ["/subscribe ai at 2024 daily 08:00"]


async def test_a_number_after_at_that_is_no_time_of_day_stays_words(bot):
    assert (await bot.say("/subscribe kenya at 50")).text.startswith("Subscribed to Kenya + “50”:")


async def test_four_digits_after_at_with_no_word_of_how_often_are_a_year_not_a_time(bot):
    reply = await bot.say("/subscribe kenya at 2024")  # "daily 20:24" was offered
    assert reply.text.startswith("Subscribed to Kenya + “2024”: each new article as it arrives.")
    assert (await bot.say("/subscribe energy at 1230")).text.startswith("Subscribed to Energy + “1230”:")


@pytest.mark.parametrize(
    ("typed", "example"),
    [("every day at 25", "daily 08:00"), ("each friday at 2460", "weekly fri 08:00"), ("daily at 9.75", "daily 08:00")],
)
async def test_how_often_said_in_words_at_no_time_of_day_is_said_to_be_none_not_subscribed_to_as_words(bot, typed, example):
    reply = await bot.say(f"/subscribe energy {typed}")  # the words "every day 25" were subscribed to
    clock = typed.rsplit(" ", 1)[1]
    assert reply.text == f"“{typed}”: “{clock}” is no time of day. Give one from 00:00 to 23:59, e.g. {example}."
    assert reply.actions == []
    assert (await bot.say("/subscriptions")).text.startswith("This chat has no subscriptions")


async def test_names_or_joins_are_offered_one_subscription_each_words_it_joins_read_either(bot):
    reply = await bot.say("/subscribe energy or agriculture daily 08:00")
    assert reply.text == (
        "A subscription brings articles on every sector and place it names, so not on Energy or Agriculture: "
        "one subscription each?"
    )
    assert [(action.label, action.command) for action in reply.actions] == [
        ("Energy", "/subscribe energy daily 08:00"), ("Agriculture", "/subscribe agriculture daily 08:00")
    ]
    assert (await bot.say("/subscriptions")).text.startswith("This chat has no subscriptions")
    reply = await bot.say("/subscribe energy or solar daily 08:00")  # a name or a word
    assert reply.text == (
        "A subscription brings articles on every sector and place it names that mention every word, "
        "so not on Energy or “solar”: one subscription each?"
    )
    assert [action.command for action in reply.actions] == ["/subscribe energy daily 08:00", "/subscribe solar daily 08:00"]
    assert (await bot.say("/subscriptions")).text.startswith("This chat has no subscriptions")
    assert (await bot.say("/subscribe solar or the wind")).text.startswith("Subscribed to “solar or wind”:")
    bot.clock.advance(60)
    await bot.publish("Wind farm opens")
    await bot.publish("Coal plant closes")
    assert await bot.deliver() == [(ALICE, ["Wind farm opens"], "New for your subscriptions")]


async def test_subscribe_reads_or_past_another_or_and_an_exclusion_as_search_does(bot):
    reply = await bot.say("/subscribe energy -coal or agriculture")  # was a subscription to Energy + Agriculture
    assert [action.command for action in reply.actions] == ["/subscribe energy -coal", "/subscribe agriculture -coal"]
    assert (await bot.say("/subscriptions")).text.startswith("This chat has no subscriptions")
    assert (await bot.say("/subscribe solar or or wind")).text.startswith("Subscribed to “solar or wind”:")


async def test_ways_to_choose_past_a_page_are_counted_not_offered_as_buttons_no_platform_shows(bot):
    words = "energy or agriculture or health technology or trade or finance kenya or thailand or pakistan"
    reply = await bot.say(f"/subscribe {words} daily 08:00")  # 27 ways
    assert len(reply.actions) == CHOICES_PER_PAGE
    assert reply.actions[0].command == "/subscribe energy technology Kenya daily 08:00"
    assert reply.text.endswith(
        f"\nThe first {CHOICES_PER_PAGE} of the 27 ways to choose are below: name fewer at a time for the others."
    )


def test_cadence_parsing_and_local_times():
    assert split_cadence("smart grid weekly Mon 07:05") == ("smart grid", Cadence("weekly", Cadence.parse("daily 07:05").at, 0))
    assert str(Cadence.parse("WEEKLY sunday 9:30")) == "weekly sun 09:30"
    with pytest.raises(CadenceError):
        Cadence.parse("hourly")
    with pytest.raises(CadenceError, match="Give one cadence"):
        split_cadence("kenya daily 08:00 daily 09:00")
    with pytest.raises(CadenceError, match="Give one cadence"):
        split_cadence("kenya instant daily 09:00")
    assert split_cadence("kenya instant payments") == ("kenya instant payments", Cadence("instant"))
    assert split_cadence("instant payments instant") == ("instant payments", Cadence("instant"))
    assert split_cadence("energy,kenya,daily 08:00") == ("energy,kenya", Cadence.parse("daily 08:00"))
    assert split_cadence("energy;instantly") == ("energy", Cadence("instant"))
    daily = Cadence.parse("daily 08:00")
    before = datetime(2026, 3, 28, 12, 0, tzinfo=timezone.utc)
    assert daily.next_after(before, "Europe/Berlin") == datetime(2026, 3, 29, 6, 0, tzinfo=timezone.utc)
    assert daily.next_after(before, "Asia/Bangkok") == datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc)


def test_index_matches_by_tag_region_and_words_and_respects_when_each_subscription_started():
    rows = [
        (1, "sector", "energy", 0),
        (2, "country", "KE", 0),
        (3, "query", "smart grid", 0),
        (4, "sector", "energy", 9),  # made after the article was stored
        (5, "region", "africa", 0),
        (6, "query", "smart toaster", 0),
        (7, "region", "asia", 0),
    ]
    index = SubscriptionIndex(rows, region_scope)
    fetched = datetime(2026, 1, 1, tzinfo=timezone.utc)
    article = Article(
        id="x", url=None, title="Smart grids in Nigeria", sources=("s",), published=fetched, fetched=fetched,
        text="", summary="", sectors=("energy",), countries=("NG",),
    )
    assert sorted(index.targets_for(article, 5)) == [1, 3, 5]
    named_only_by_region = replace(article, title="Customs agencies test AI", sectors=(), countries=(), regions=("asean",))
    assert index.targets_for(named_only_by_region, 5) == [7]


def test_index_matches_a_combined_subscription_only_where_the_article_has_all_it_names():
    rows = [
        (1, "news", "region:south-eastern-asia+sector:energy", 0),
        (2, "news", "sector:energy+region:south-eastern-asia solar", 0),
        (3, "news", "country:KE+country:CN", 0),
        (4, "news", "sector:energy -coal", 0),
    ]
    index = SubscriptionIndex(rows, region_scope)
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    solar = Article(
        id="x", url=None, title="Thai solar auction", sources=("s",), published=moment, fetched=moment,
        text="Solar power.", summary="", sectors=("energy",), countries=("TH",),
    )
    assert sorted(index.targets_for(solar, 5)) == [1, 2, 4]
    assert sorted(index.targets_for(replace(solar, title="Thai grid", text="Coal and gas."), 5)) == [1]
    assert index.targets_for(replace(solar, countries=("CL",)), 5) == [4]
    assert index.targets_for(replace(solar, sectors=(), countries=("KE", "CN")), 5) == [3]
    assert index.targets_for(replace(solar, sectors=(), countries=("KE",)), 5) == []


def titled(title: str) -> Article:
    """An article of just a title, for matching."""
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return Article(id=title, url=None, title=title, sources=("s",), published=moment, fetched=moment, text="", summary="")


def test_a_words_subscription_matches_an_article_that_uses_an_equivalent_name():
    rows = [(1, "query", "artificial intelligence farming", 0), (2, "query", "AI", 0), (3, "query", "artificial sweetener", 0)]
    index = SubscriptionIndex(rows, region_scope)
    assert sorted(index.targets_for(titled("AI pest alerts help farming families"), 5)) == [1, 2]
    assert sorted(index.targets_for(titled("Artificial intelligence reads X-rays"), 5)) == [2]
    assert index.targets_for(titled("Intelligence services study an artificial lake"), 5) == []


def test_a_words_subscription_reads_quoted_phrases_and_excluded_words_as_a_search_does():
    rows = [
        (1, "query", '"smart grid"', 0),
        (2, "query", "grid -solar", 0),
        (3, "query", "“bank of england” rates", 0),
        (4, "query", "grid -AI", 0),
    ]
    index = SubscriptionIndex(rows, region_scope)
    assert sorted(index.targets_for(titled("Smart grids balance rooftop solar"), 5)) == [1, 4]
    assert sorted(index.targets_for(titled("A smart city redraws its street grid"), 5)) == [2, 4]
    assert sorted(index.targets_for(titled("Artificial intelligence runs the grid"), 5)) == [2]
    assert index.targets_for(titled("The Bank of England holds rates"), 5) == [3]
    assert index.targets_for(titled("England's bank raises rates"), 5) == []


def test_a_words_subscription_stems_as_the_search_does_and_reads_joined_words_whole():
    rows = [
        (1, "query", "drone policies", 0), (2, "query", "library", 0), (3, "query", "COVID-19", 0), (4, "query", "covid", 0),
        (5, "query", "sao paulo", 0), (6, "query", "Việt Nam", 0), (7, "query", "İstanbul", 0),
    ]
    index = SubscriptionIndex(rows, region_scope)
    assert index.targets_for(titled("The new drone policy takes effect"), 5) == [1]
    assert index.targets_for(titled("Libraries lend tablets"), 5) == [2]
    assert sorted(index.targets_for(titled("COVID-19 clinics reopen"), 5)) == [3, 4]
    assert index.targets_for(titled("Covid clinics: 19 reopen"), 5) == [4]
    assert index.targets_for(titled("São Paulo tests AI buses"), 5) == [5]
    assert index.targets_for(titled("Viet Nam tests AI buses"), 5) == [6]
    assert index.targets_for(titled(unicodedata.normalize("NFD", "Việt Nam tests AI buses")), 5) == [6]
    assert index.targets_for(titled("İstanbul tests AI buses"), 5) == [7]


def test_a_words_subscription_keeps_short_words_apart_from_longer_ones():
    rows = [(1, "query", "US", 0), (2, "query", "new", 0), (3, "query", "EV", 0)]
    index = SubscriptionIndex(rows, region_scope)
    assert index.targets_for(titled("Farmers use drones, and more uses are planned"), 5) == []
    assert index.targets_for(titled("US farmers use drones"), 5) == [1]
    assert index.targets_for(titled("News of the election eve"), 5) == []
    assert sorted(index.targets_for(titled("New EVs reach Nairobi"), 5)) == [2, 3]


def test_a_words_subscription_to_who_in_capitals_matches_an_article_that_writes_only_who():
    index = SubscriptionIndex([(1, "query", "WHO", 0), (2, "query", "world health", 0), (3, "query", "who", 0)], region_scope)
    assert index.targets_for(titled("WHO warns on measles"), 5) == [1, 2]
    assert index.targets_for(titled("Voters who stayed home"), 5) == []
    assert index.targets_for(titled("WHO WILL PAY FOR VACCINES?"), 5) == []


async def test_replies_about_a_channel_managed_elsewhere_name_it_in_texts_and_buttons(bot):
    channel = {"target": Target("telegram", "-1003000"), "chat_kind": "channel", "chat_name": "@ai_news"}
    await bot.publish("Kenyan grid story", sectors=["energy"], countries=["KE"])
    usage = await bot.say("/subscribe", **channel)
    subscribed = await bot.say("/subscribe kenya", **channel)
    zone = await bot.say("/settings timezone nairobi", **channel)
    shown = await bot.say("/settings", **channel)
    missing = await bot.say("/unsubscribe energy", **channel)
    unchecked = await bot.say("/unsubscribe all", is_admin=None, **channel)
    assert "e.g. /subscribe @ai_news energy, /subscribe @ai_news kenya daily 08:00" in usage.text
    assert subscribed.text.startswith("Subscribed @ai_news to Kenya: each new article as it arrives.")
    [unsubscribe] = subscribed.actions
    assert re.fullmatch(r"/unsubscribe @ai_news #\d+\.\d+", unsubscribe.command)
    assert zone.text == "Timezone set to Africa/Nairobi: @ai_news's digests now arrive at that local time."
    assert shown.text.startswith("@ai_news's digests follow Africa/Nairobi; its posts are full")
    assert shown.text.endswith("Change them with /settings @ai_news timezone Asia/Bangkok or /settings @ai_news format compact.")
    assert missing.text.startswith("@ai_news is not subscribed to Energy.\n@ai_news's subscriptions:\n• Kenya — instant")
    assert [action.command for action in missing.actions] == [unsubscribe.command]
    assert unchecked.text.startswith("Sorry, your rights in @ai_news could not be checked just now.")
    assert (await bot.say("/subscriptions")).text.startswith("This chat has no subscriptions yet.")


async def test_a_chat_chooses_compact_posts_and_its_deliveries_leave_the_summaries_out(bot):
    group = Target("telegram", "-100777")
    assert (await bot.say("/settings format compact", group, "group", is_admin=False)).text.startswith("Only this chat's")
    tiny = await bot.say("/settings format tiny", group, "group")
    assert tiny.text == (
        "“tiny” is not a format. Choose full (headline, summary, tags and link) or compact (headline, tags and link, "
        "no summary), e.g. /settings format compact."
    )
    assert [(action.label, action.command) for action in tiny.actions] == [
        ("Full", "/settings format full"), ("Compact", "/settings format compact")
    ]
    assert (await bot.say("/settings format Compact", group, "group")).text == (
        "Posts here are now compact: headline, tags and link, no summary."
    )
    assert "its posts are compact" in (await bot.say("/settings", group, "group")).text
    await bot.say("/subscribe energy", group, "group")
    await bot.say("/subscribe energy")  # another chat, with full posts
    await bot.publish("Grid story", sectors=["energy"], text="The grid grew. It grew a lot.")
    await bot.deliver()
    summaries = {target.chat: [card.summary for card in reply.cards] for target, reply in bot.recorder.sent}
    assert summaries == {"-100777": [""], ALICE.chat: ["The grid grew. It grew a lot."]}


async def test_words_naming_several_sectors_and_places_subscribe_to_all_of_them_as_news_reads_them(bot):
    reply = await bot.say("/subscribe AI education in Thailand")
    assert reply.text.startswith("Subscribed to Education + Thailand + “AI”: each new article as it arrives.")
    await bot.say("/subscribe energy in kenya -coal daily 09:00")
    bot.clock.advance(60)
    await bot.publish("Thai schools try AI tutors", sectors=["education"], countries=["TH"], text="An AI tutor.")
    await bot.publish("Thai schools add libraries", sectors=["education"], countries=["TH"], text="Books.")
    await bot.publish("Kenyan AI tutors", sectors=["education"], countries=["KE"], text="An AI tutor.")
    await bot.publish("Kenyan solar farm", sectors=["energy"], countries=["KE"], text="Solar power.")
    await bot.publish("Kenyan coal plant", sectors=["energy"], countries=["KE"], text="A coal plant.")
    await bot.publish("Solar farm in Chile", sectors=["energy"], countries=["CL"], text="Solar power.")
    assert await bot.delivered_titles() == [["Thai schools try AI tutors"]]
    bot.clock.set(START.replace(hour=9))
    [(_, titles, text)] = await bot.deliver()
    assert titles == ["Kenyan solar farm"]
    assert text.startswith("Your daily digest for Energy + Kenya, without “coal”: 1 new article")
    listed = (await bot.say("/subscriptions")).text
    assert "• Education + Thailand + “AI” — instant" in listed and "• Energy + Kenya, without “coal” — daily 09:00" in listed
    assert (await bot.say("/unsubscribe ai education in thailand")).text == "Unsubscribed from Education + Thailand + “AI”."


@pytest.mark.parametrize(
    "words, topic",
    [
        ("smart grid", "“smart grid”"),  # "grid" hints at Energy, but names no sector: words, as before
        ("energy kenya", "Energy + Kenya"),
        ("solar nigeria", "Nigeria + “solar”"),
        ("transport & logistics in vietnam", "Transport & logistics + Vietnam"),  # "logistics" only repeats the sector
        ("in kenya", "Kenya"),
        # a word that only stands for a sector is looked for as written, as /news looks for it
        ("oil", "“oil”"),
        ("sugar", "“sugar”"),
        ("power plant", "“power plant”"),
        ("AI", "“AI”"),  # not Anguilla's code either
        # a country's code in lower case is a word ("pm", "tv", "can"); in capitals alone, the country
        ("pm", "“pm”"),
        ("the pm", "“pm”"),
        ("tv", "“tv”"),
        ("arm", "“arm”"),  # Armenia's alpha-3 code
        ("the ai", "“AI”"),
        ("the AI", "“AI”"),
        ("PM", "Saint Pierre and Miquelon"),
        ("KE", "Kenya"),
        ("uk", "United Kingdom"),  # a name of its own, not only a code
        ("grid -solar", "“grid”, without “solar”"),
        ("kenya instant payments", "Kenya + “instant payments”"),  # a word, not a misplaced cadence
        ("enrgy", "Energy"),  # a typo of a sector's name is still the sector
        # words that only join a request, and punctuation around words, are not looked for, as in /news
        ("latest fintech news", "“fintech”"),
        ("fintech?", "“fintech”"),
        ("what's new in smart grids?", "“smart grids”"),
        ("Kenya's health sector", "Health + Kenya"),
        # a comma, semicolon or slash between two words parts them as a space does
        ("energy,kenya", "Energy + Kenya"),
        ("solar;wind", "“solar wind”"),
        ("1,000 jobs", "“1,000 jobs”"),
    ],
)
async def test_what_a_subscription_is_to(bot, words, topic):
    assert (await bot.say(f"/subscribe {words}")).text.startswith(f"Subscribed to {topic}:")


@pytest.mark.parametrize(
    "words, guess",
    [("kenia", "Kenya"), ("children", "Chile"), ("plan", "Poland"), ("man", "Manufacturing"), ("agri", "Agriculture"),
     # the button carried the code, and "/subscribe IT" is Technology, "/subscribe IN" a stop word
     ("itlay", "Italy"), ("indai", "India")],
)
async def test_words_only_near_a_name_ask_did_you_mean_and_subscribe_to_nothing_yet(bot, words, guess):
    reply = await bot.say(f"/subscribe {words} daily 08:00")
    assert reply.text.startswith(f"Did you mean {guess}?") and f"/subscribe “{words}” daily 08:00" in reply.text
    assert reply.private and [action.label for action in reply.actions] == [guess]
    assert (await bot.say("/subscriptions")).text.startswith("This chat has no subscriptions")
    assert (await bot.say(reply.actions[0].command)).text.startswith(f"Subscribed to {guess}: a daily 08:00 digest")
    assert (await bot.say(f"/subscribe “{words}”")).text.startswith(f"Subscribed to “{words}”:")


async def test_a_word_that_only_stands_for_a_sector_subscribes_to_articles_mentioning_it(bot):
    await bot.say("/subscribe sugar")
    bot.clock.advance(60)
    await bot.publish("Cane growers see better yields", text="Sugar content in the cane rose this year.")
    await bot.publish("Dairy farmers adopt sensors", sectors=["agriculture"], text="Milk yields rose.")
    assert await bot.delivered_titles() == [["Cane growers see better yields"]]


async def test_subscribing_to_several_topics_shows_and_hands_over_the_articles_on_all_of_them(bot):
    await bot.publish("Kenyan hospital", sectors=["health"], countries=["KE"], fetched=START - timedelta(hours=3))
    await bot.publish("Kenyan wind farm", sectors=["energy"], countries=["KE"], fetched=START - timedelta(hours=2))
    await bot.publish("Chilean solar farm", sectors=["energy"], countries=["CL"], fetched=START - timedelta(hours=1))
    reply = await bot.say("/subscribe energy kenya")
    assert reply.text.endswith("The latest article now:") and [card.title for card in reply.cards] == ["Kenyan wind farm"]
    await bot.say("/subscribe energy kenya daily 09:00")
    bot.clock.advance(60)
    await bot.publish("Kenyan solar farm", sectors=["energy"], countries=["KE"])
    await bot.publish("Thai solar farm", sectors=["energy"], countries=["TH"])
    reply = await bot.say("/subscribe energy kenya")  # back to instant: the digest so far comes now
    assert "1 new article" in reply.text and [card.title for card in reply.cards] == ["Kenyan solar farm"]


async def test_the_same_topics_in_another_order_are_the_same_subscription(bot):
    assert (await bot.say("/subscribe energy kenya")).text.startswith("Subscribed to Energy + Kenya:")
    assert (await bot.say("/subscribe kenya energy daily 08:00")).text.startswith("Updated your subscription to Energy + Kenya:")
    assert (await bot.say("/subscriptions")).text.count("•") == 1
    assert (await bot.say("/unsubscribe kenya energy")).text == "Unsubscribed from Energy + Kenya."


async def test_subscribing_again_as_before_says_the_chat_is_already_subscribed(bot):
    await bot.say("/subscribe kenya daily 08:00")
    again = await bot.say("/subscribe Kenya daily 8:00")
    assert again.text.startswith("This chat is already subscribed to Kenya: a daily 08:00 digest")
    channel = await bot.say("/subscribe kenya daily 08:00", target=GROUP, chat_name="@news")
    assert channel.text.startswith("Subscribed @news to Kenya")
    again = await bot.say("/subscribe kenya daily 08:00", target=GROUP, chat_name="@news")
    assert again.text.startswith("@news is already subscribed to Kenya: a daily 08:00 digest")


async def test_a_subscription_naming_more_topics_than_its_column_holds_is_refused(bot):
    flags = " ".join(chr(0x1F1E6 + ord(a) - 65) + chr(0x1F1E6 + ord(b) - 65) for a, b in (
        "KE UG TZ RW BI ET SO SD EG LY TD NE ML NG GH SN CM ZA ZM ZW".split()
    ))
    reply = await bot.say(f"/subscribe {flags}")  # twenty countries: 219 characters as stored, in a column of 200
    assert reply.private and reply.text.startswith("That names too many sectors and places for one subscription")
    assert (await bot.say("/subscriptions")).text.startswith("This chat has no subscriptions yet.")


async def test_compact_posts_chosen_for_a_channel_by_its_name_reach_the_schedule_that_names_it_so(bot):
    from bot.config import ScheduleSettings
    from bot.schedule import ScheduleRunner

    channel = Target("telegram", "-1001234")  # the adapter's target for "/settings @ai_news …" typed in a private chat
    await move_chat(bot.store.engine, Target("telegram", "@ai_news"), channel.chat)  # as the adapter records it
    reply = await bot.say("/settings format compact", channel, "channel", chat_name="@ai_news")
    assert reply.text == "@ai_news's posts are now compact: headline, tags and link, no summary."
    schedule = ScheduleSettings.model_validate({
        "name": "energy", "cron": "0 8 * * *", "timezone": "UTC", "target": {"platform": "telegram", "chat": "@ai_news"},
        "filter": {"sectors": ["energy"]}, "mode": "new", "max_articles": 3,
    })
    runner = ScheduleRunner([schedule], bot.store, bot.outbox, bot.tagger, bot.clock, 3600)
    try:
        await runner.run_due()  # first sight: from now on
        bot.clock.advance(60)
        await bot.publish("Grid story", sectors=["energy"], text="The grid grew.")
        bot.clock.set(START.replace(hour=8))
        assert await runner.run_due() == 1
        await bot.worker.run_until_idle()
    finally:
        await runner.close()
    assert [(target.chat, [card.summary for card in reply.cards]) for target, reply in bot.recorder.sent] == [("-1001234", [""])]


async def test_a_combined_subscription_is_unsubscribed_with_or_without_its_quotes(bot):
    await bot.say('/subscribe kenya "solar farms"')
    reply = await bot.say("/unsubscribe kenya solar farms")
    assert reply.text == 'Unsubscribed from Kenya + "solar farms".'


async def test_an_article_corrected_at_its_source_is_not_sent_again_and_a_later_digest_shows_the_correction(
    bot, monkeypatch
):
    bob = Target("console", "bob")
    await bot.say("/subscribe solar")
    await bot.say("/subscribe solar daily 09:00", target=bob)

    async def ingest_entry(title: str):
        entry = Draft(source="wire", title=title, text="Solar panels now power the clinic in Lodwar.",
                      url="https://wire.test/turkana", published=bot.clock.now())
        monkeypatch.setattr(content.ingest, "fetch_source", lambda source, state, client, now: _fetched(entry, state))
        wire = FeedSource(name="wire", kind="feed", url="https://wire.test/rss")
        return await ingest_once(bot.store, [wire], bot.tagger, client=object(), now=bot.clock.now())

    bot.clock.advance(60)
    await ingest_entry("Solar clinic opens in Turkana")
    delivered = await bot.deliver()
    assert [(target, titles) for target, titles, _text in delivered] == [(ALICE, ["Solar clinic opens in Turkana"])]
    bot.clock.advance(60)
    assert (await ingest_entry("CORRECTED: Solar clinic opens in Lodwar, Turkana")).updated == 1
    assert await bot.deliver() == []  # the correction is no new article
    bot.clock.set(START.replace(hour=9))
    [(target, titles, _text)] = await bot.deliver()
    assert (target, titles) == (bob, ["CORRECTED: Solar clinic opens in Lodwar, Turkana"])


async def _fetched(entry: Draft, state) -> FetchResult:
    return FetchResult([entry], state)


async def test_a_setting_named_without_a_value_shows_it_and_how_to_change_it(bot):
    zone = await bot.say("/settings timezone")
    assert zone.text == (
        "This chat's timezone is UTC, for digests and times such as today: change it with "
        "/settings timezone <zone>, e.g. /settings timezone Asia/Bangkok or /settings timezone UTC+7."
    )
    await bot.say("/settings timezone nairobi")
    assert (await bot.say("/settings timezone")).text.startswith("This chat's timezone is Africa/Nairobi,")
    shown = await bot.say("/settings format", target=Target("telegram", "-1003000"), chat_name="@ai_news")
    assert shown.text == (
        "@ai_news's posts are full (headline, summary, tags and link): change it with /settings @ai_news format compact."
    )
    assert [(action.label, action.command) for action in shown.actions] == [("Compact", "/settings @ai_news format compact")]


@pytest.mark.parametrize(("line", "meant"), [("/settings tz", "/settings timezone"), ("/settings Time Zone", "/settings timezone"),
                                           ("/settings TZ", "/settings timezone"), ("/settings fmt", "/settings format")])
async def test_a_setting_goes_by_its_short_names_too(bot, line, meant):
    assert (await bot.say(line)).text == (await bot.say(meant)).text


async def test_a_setting_by_a_short_name_is_changed(bot):
    assert (await bot.say("/settings tz nairobi")).text.startswith("Timezone set to Africa/Nairobi")
    assert (await bot.say("/settings time zone Asia/Bangkok")).text.startswith("Timezone set to Asia/Bangkok")
    assert (await bot.say("/settings fmt compact")).text == "Posts here are now compact: headline, tags and link, no summary."


@pytest.mark.parametrize(("line", "offered"), [("/settings Asia/Bangkok", "/settings timezone Asia/Bangkok"),
                                              ("/settings nairobi", "/settings timezone Africa/Nairobi"),
                                              ("/settings UTC+7", "/settings timezone UTC+7"),
                                              ("/settings Compact", "/settings format compact")])
async def test_a_setting_given_without_its_name_is_offered_with_it(bot, line, offered):
    reply = await bot.say(line)
    assert reply.private and reply.text.startswith(f"Did you mean {offered}?")
    assert [action.command for action in reply.actions] == [offered]
    assert (await bot.say("/settings")).text.startswith("This chat's digests follow UTC; its posts are full")


async def test_unsubscribe_all_with_more_words_removes_nothing_and_says_how_to_remove_all(bot):
    await bot.say("/subscribe energy")
    reply = await bot.say("/unsubscribe all extra")
    assert reply.private and reply.text.startswith(
        "This chat is not subscribed to “all extra”. To remove every subscription, send /unsubscribe all alone.\n"
        "This chat's subscriptions:\n• Energy — instant"
    )
    assert [(action.label, action.command) for action in reply.actions][:1] == [("Remove all", "/unsubscribe all")]
    assert [action.label for action in reply.actions][1:] == ["Remove Energy"]
    assert (await bot.say("/unsubscribe all")).text.startswith("Removed 1 subscription:")


async def test_a_subscription_to_an_energy_in_electronvolts_finds_and_names_it_as_written_not_as_electric_vehicles(bot):
    # subscribed to in lower case, "5 eV" was "5 EV": Electric vehicles and the number 5, anywhere
    reply = await bot.say("/subscribe 5 eV band gap")
    assert reply.text.startswith("Subscribed to “5 eV band gap”")
    bot.clock.advance(60)
    await bot.publish("Sales band gap widens among 5 carmakers", text="Electric vehicles sold best.")
    await bot.publish("A 5 eV band gap", text="The new crystal has a band gap of 5 eV.")
    assert await bot.delivered_titles() == [["A 5 eV band gap"]]
    assert "“5 eV band gap”" in (await bot.say("/subscriptions")).text


def test_a_words_subscriptions_quoted_phrase_does_not_run_from_the_title_into_the_summary_as_in_a_search():
    article = replace(titled("Farmers buy solar"), summary="Grid boost for villages.", text="Grid boost for villages.")
    index = SubscriptionIndex([(1, "query", '"solar grid"', 0), (2, "query", "solar grid", 0)], region_scope)
    assert index.targets_for(article, 5) == [2]


async def test_words_subscriptions_get_an_article_whose_code_block_alone_has_the_words_as_search_finds_it(
    bot, monkeypatch
):
    bob = Target("console", "bob")
    await bot.say("/subscribe run_now_fast")
    await bot.say("/subscribe run_now_fast daily 09:00", target=bob)
    rss = (
        "<rss version='2.0'><channel><title>Dev wire</title><item><title>Scheduler release speeds up batch jobs</title>"
        "<link>https://wire.test/scheduler</link><description>&lt;p&gt;The scheduler runs batch jobs at once.&lt;/p&gt;"
        "&lt;pre&gt;&lt;code&gt;run_now_fast()&lt;/code&gt;&lt;/pre&gt;</description></item></channel></rss>"
    )
    [entry] = parse_feed(rss.encode(), "wire")
    monkeypatch.setattr(content.ingest, "fetch_source", lambda source, state, client, now: _fetched(entry, state))
    bot.clock.advance(60)
    wire = FeedSource(name="wire", kind="feed", url="https://wire.test/rss")
    assert (await ingest_once(bot.store, [wire], bot.tagger, client=object(), now=bot.clock.now())).new == 1
    delivered = await bot.deliver()
    assert [(target, titles) for target, titles, _text in delivered] == [(ALICE, ["Scheduler release speeds up batch jobs"])]
    bot.clock.set(START.replace(hour=9))
    assert [(target, titles) for target, titles, _text in await bot.deliver()] == [
        (bob, ["Scheduler release speeds up batch jobs"])
    ]
