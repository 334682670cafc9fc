"""Scheduled channel posts: local fire times across DST, missed runs posted once, no repeats."""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.util import await_only
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.adapters.base import TransientError
from bot.clock import ManualClock
from bot.config import DeliverySettings, ScheduleSettings
from bot.delivery.db import migrate
from bot.delivery.limits import RatePlan
from bot.delivery.outbox import Outbox, Retry, Sent, target_ids
from bot.delivery import tables
from bot.delivery.payload import reply_from_json
from bot.delivery.worker import DeliveryWorker
from bot.model import Target
from bot.schedule import ScheduleRunner, fire_times, trigger_for
from bot.subscriptions.cadence import Cadence
from bot.subscriptions.fanout import FanOut
from bot.subscriptions.store import SubscriptionStore
from content.model import Article
from content.store import Store
from content.tagging import Tagger
from delivery_helpers import failing_first

START = datetime(2026, 3, 27, 12, 0, tzinfo=timezone.utc)  # Friday; Berlin moves to summer time on Sunday 29 March


def schedule(**overrides) -> ScheduleSettings:
    values = {
        "name": "morning energy",
        "cron": "0 8 * * *",
        "timezone": "Europe/Berlin",
        "target": {"platform": "telegram", "chat": "@energy_channel"},
        "filter": {"sectors": ["energy"]},
        "mode": "new",
        "max_articles": 3,
    }
    return ScheduleSettings.model_validate({**values, **overrides})


DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_fire_times_follow_local_time_across_the_dst_change():
    trigger = trigger_for(schedule())
    times = fire_times(trigger, utc(2026, 3, 27, 12), utc(2026, 3, 31, 12))
    assert times == [utc(2026, 3, 28, 7), utc(2026, 3, 29, 6), utc(2026, 3, 30, 6), utc(2026, 3, 31, 6)]


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Berlin", [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]),
        ("America/New_York", [utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 30), utc(2026, 3, 9, 6, 30)]),
    ],
)
def test_a_time_the_clocks_skip_fires_as_much_later_as_they_skipped(zone, expected):
    trigger = trigger_for(schedule(cron="30 2 * * *", timezone=zone))  # 02:30 does not exist on the middle day
    assert fire_times(trigger, expected[0] - timedelta(hours=1), expected[-1]) == expected
    assert [moment.astimezone(ZoneInfo(zone)).strftime("%H:%M") for moment in expected] == ["02:30", "03:30", "02:30"]


@pytest.mark.parametrize(
    ("zone", "cron", "expected"),
    [
        # these clocks go forward at midnight, from 00:00 to 01:00: midnight's run comes at 01:00
        ("America/Santiago", "0 0 * * *", [utc(2026, 9, 5, 4), utc(2026, 9, 6, 4), utc(2026, 9, 7, 3)]),
        ("America/Santiago", "@weekly", [utc(2026, 8, 30, 4), utc(2026, 9, 6, 4), utc(2026, 9, 13, 3)]),
        ("America/Havana", "@daily", [utc(2026, 3, 7, 5), utc(2026, 3, 8, 5), utc(2026, 3, 9, 4)]),
        ("Atlantic/Azores", "0 0 * * *", [utc(2026, 3, 28, 1), utc(2026, 3, 29, 1), utc(2026, 3, 30, 0)]),
        ("Asia/Beirut", "30 0 * * *", [utc(2026, 3, 27, 22, 30), utc(2026, 3, 28, 22, 30), utc(2026, 3, 29, 21, 30)]),
        # an hourly run, as in crontab, comes at each hour there is: none for the hour that never comes
        ("America/Santiago", "30 * * * *", [utc(2026, 9, 6, 2, 30), utc(2026, 9, 6, 3, 30), utc(2026, 9, 6, 4, 30)]),
        ("America/Santiago", "0 */2 * * *", [utc(2026, 9, 6, 2), utc(2026, 9, 6, 5), utc(2026, 9, 6, 7)]),
    ],
)
def test_a_midnight_the_clocks_skip_fires_as_much_later_as_they_skipped(zone, cron, expected):
    trigger = trigger_for(schedule(cron=cron, timezone=zone))
    assert fire_times(trigger, expected[0] - timedelta(hours=1), expected[-1]) == expected


@pytest.mark.parametrize(
    ("cron", "expected"),
    [
        # 02:30 comes twice when the clocks go back: a daily run fires at the first one only, as crontab does
        ("30 2 * * *", [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]),
        ("30 2 * * 0", [utc(2026, 10, 25, 0, 30), utc(2026, 11, 1, 1, 30)]),
        ("*/30 2 * * *", [utc(2026, 10, 25, 0), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1)]),
        # an hourly run goes on through the repeated hour
        ("0 * * * *", [utc(2026, 10, 24, 23) + timedelta(hours=hours) for hours in range(1, 26)]),
    ],
)
def test_fire_times_go_on_through_the_hour_the_clocks_go_back(cron, expected):
    trigger = trigger_for(schedule(cron=cron))  # Europe/Berlin, back from 03:00 to 02:00 on 25 October 2026
    assert fire_times(trigger, utc(2026, 10, 24, 23), expected[-1]) == expected


@pytest.mark.parametrize(
    ("weekdays", "days"),
    [
        ("1", ["Monday"]),
        ("1-5", ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]),
        ("0", ["Sunday"]),
        ("7", ["Sunday"]),
        ("5-7", ["Friday", "Saturday", "Sunday"]),
        ("sat,sun", ["Saturday", "Sunday"]),
        ("sun-wed", ["Monday", "Tuesday", "Wednesday", "Sunday"]),
        ("1/2", ["Monday", "Wednesday", "Friday", "Sunday"]),
    ],
)
def test_weekdays_count_as_crontab_counts_them(weekdays, days):
    trigger = trigger_for(schedule(cron=f"0 9 * * {weekdays}", timezone="UTC"))
    week = fire_times(trigger, utc(2026, 11, 29), utc(2026, 12, 6))  # Sunday 29 November to Sunday 6 December
    assert sorted({moment.strftime("%A") for moment in week}, key=DAYS.index) == days


def test_a_day_of_the_month_and_a_weekday_fire_on_either_as_in_crontab():
    trigger = trigger_for(schedule(cron="0 9 1 * 1", timezone="UTC"))  # the 1st, and every Monday
    fired = fire_times(trigger, utc(2026, 6, 25), utc(2026, 7, 7))
    assert [moment.strftime("%a %d") for moment in fired] == ["Mon 29", "Wed 01", "Mon 06"]


@pytest.mark.parametrize("months", ["2-6/2", "feb-jun/2", "Feb-6/2", "jan,feb-jun/2"])
def test_months_named_in_a_range_keep_its_step(months):
    trigger = trigger_for(schedule(cron=f"0 9 1 {months} *", timezone="UTC"))
    fired = fire_times(trigger, utc(2027, 1, 15), utc(2027, 12, 31))
    assert [moment.strftime("%b") for moment in fired] == ["Feb", "Apr", "Jun"]


@pytest.mark.parametrize(
    "nickname, expected",
    [
        ("@daily", ["Sun 29 00:00", "Mon 30 00:00", "Tue 01 00:00", "Wed 02 00:00"]),
        ("@weekly", ["Sun 29 00:00"]),
        ("@Monthly", ["Tue 01 00:00"]),
        ("@yearly", []),
    ],
)
def test_crontab_nicknames_stand_for_their_expressions(nickname, expected):
    trigger = trigger_for(schedule(cron=nickname, timezone="UTC"))
    fired = fire_times(trigger, utc(2026, 11, 28, 12), utc(2026, 12, 2, 12))
    assert [moment.strftime("%a %d %H:%M") for moment in fired] == expected


def test_a_nickname_crontab_does_not_know_is_an_invalid_cron_expression():
    with pytest.raises(ValueError, match='invalid cron expression "@reboot"'):
        schedule(cron="@reboot")


async def test_apscheduler_jobs_fire_at_the_local_time():
    scheduler = AsyncIOScheduler(timezone=timezone.utc)
    runner = ScheduleRunner([schedule(timezone="Asia/Bangkok")], store=None, outbox=None, tagger=Tagger.from_settings(), clock=None, grace_seconds=60)
    runner.start(scheduler)
    scheduler.start(paused=True)
    try:
        job = scheduler.get_job("schedule:morning energy")
        now = datetime.now(timezone.utc)
        expected = trigger_for(schedule(timezone="Asia/Bangkok")).get_next_fire_time(None, now)
        assert job.next_run_time == expected
        assert job.next_run_time.astimezone(timezone.utc).hour == 1  # 08:00 in Bangkok (UTC+7)
    finally:
        scheduler.shutdown(wait=False)


class World:
    def __init__(self, store: Store, clock: ManualClock):
        self.store, self.clock, self.count = store, clock, 0
        self.runners = []
        settings = DeliverySettings()
        self.outbox = Outbox(store.engine, clock, RatePlan(settings, random.Random(2)))

    def runner(self, *schedules, grace=6 * 3600):
        runner = ScheduleRunner(list(schedules), self.store, self.outbox, Tagger.from_settings(), self.clock, grace)
        self.runners.append(runner)
        return runner

    async def publish(self, title, sectors=("energy",)):
        self.count += 1
        self.clock.advance(1)
        now = self.clock.now()
        await self.store.add([Article(
            id=f"s{self.count}", url=f"https://news.example/s{self.count}", title=title, sources=("Example",),
            published=now, fetched=now, text="Text.", summary="Text.", sectors=tuple(sectors),
        )])

    async def deliver(self, failures: list[Exception] | None = None) -> list[tuple[str, list[str]]]:
        """(text, card titles) of each message a delivery worker posts now, `failures` raised first, one a send."""
        posted, failures = [], list(failures or [])

        class Channel:
            platform = "telegram"

            async def send(self, target, reply, *, skip=0, progress=None):
                if failures:
                    raise failures.pop(0)
                posted.append((reply.text, [card.title for card in reply.cards]))

        settings = DeliverySettings()
        plan = RatePlan(settings, random.Random(3))
        await DeliveryWorker(self.outbox, {"telegram": Channel()}, self.clock, settings, plan, owner="t").run_until_idle()
        return posted

    async def queued(self):
        """(key, card titles, text) of every queued row, in queue order."""
        o, p = tables.outbox, tables.payloads
        async with self.store.engine.connect() as connection:
            rows = await connection.execute(sa.select(o.c.key, p.c.body).join(p, p.c.id == o.c.payload_id).order_by(o.c.id))
            result = []
            for key, body in rows:
                reply = reply_from_json(body)
                result.append((key, [card.title for card in reply.cards], reply.text))
            return result


@pytest.fixture
async def world(database_url):
    store = await Store.open(database_url)
    await migrate(store.engine)
    world = World(store, ManualClock(START))
    yield world
    for runner in world.runners:
        await runner.close()
    await store.close()


async def test_new_mode_posts_each_new_article_once_at_the_fire_time(world):
    runner = world.runner(schedule())
    assert await runner.run_due() == 0  # first sight: starts from now
    await world.publish("Before the run")
    await world.publish("Also before", sectors=("education",))
    world.clock.set(utc(2026, 3, 28, 6, 59))
    assert await runner.run_due() == 0
    world.clock.set(utc(2026, 3, 28, 7, 0))
    assert await runner.run_due() == 1
    assert await runner.run_due() == 0
    for n in range(5):
        world.clock.advance(60)
        await world.publish(f"Saturday {n}")
    world.clock.set(utc(2026, 3, 29, 6, 0))  # Sunday 08:00 CEST
    assert await runner.run_due() == 3  # capped at max_articles, the newest, oldest first
    queued = await world.queued()
    assert [titles for _, titles, _ in queued] == [["Before the run"], ["Saturday 2"], ["Saturday 3"], ["Saturday 4"]]
    assert len({key for key, _, _ in queued}) == 4


@pytest.mark.parametrize("mode", ["new", "digest"])
async def test_an_article_stored_just_after_a_run_it_was_fetched_before_comes_in_the_next(world, mode):
    runner = world.runner(schedule(cron="0 * * * *", mode=mode))
    await runner.run_due()
    await world.publish("Stored in time")
    world.clock.set(utc(2026, 3, 28, 7, 0))
    assert await runner.run_due() == 1
    await world.deliver()  # else the next digest sums this one up
    fetched = utc(2026, 3, 28, 6, 59, 50)  # fetched before the 07:00 run, stored after it
    await world.store.add([Article(
        id="late", url="https://news.example/late", title="Stored late", sources=("Example",),
        published=fetched, fetched=fetched, text="Text.", summary="Text.", sectors=("energy",),
    )])
    world.clock.set(utc(2026, 3, 28, 8, 0))
    assert await runner.run_due() == 1
    assert [titles for _, titles, _ in await world.queued()] == [["Stored in time"], ["Stored late"]]


async def test_a_digest_of_more_than_it_shows_says_it_shows_the_newest(world):
    runner = world.runner(schedule(mode="digest"))  # at most 3
    await runner.run_due()
    for n in range(5):
        await world.publish(f"Energy {n}")
    world.clock.set(utc(2026, 3, 28, 7, 0))
    assert await runner.run_due() == 1
    [(_, titles, text)] = await world.queued()
    assert titles == ["Energy 4", "Energy 3", "Energy 2"]
    assert text == "morning energy: 5 new articles, the newest 3"


async def test_articles_posted_at_the_last_run_do_not_crowd_out_new_ones(world):
    runner = world.runner(schedule(cron="0 * * * *", max_articles=2))
    await runner.run_due()

    async def stored(name, fetched, published):
        await world.store.add([Article(
            id=name, url=f"https://news.example/{name}", title=name, sources=("Example",), published=published,
            fetched=fetched, text="Text.", summary="Text.", sectors=("energy",),
        )])

    await stored("Old 0", utc(2026, 3, 28, 6, 58), utc(2026, 3, 28, 6, 58))
    await stored("Old 1", utc(2026, 3, 28, 6, 59), utc(2026, 3, 28, 6, 59))
    world.clock.set(utc(2026, 3, 28, 7, 0))
    assert await runner.run_due() == 2
    await stored("New 0", utc(2026, 3, 28, 7, 30), utc(2026, 3, 28, 5, 0))  # published earlier than the old ones
    await stored("New 1", utc(2026, 3, 28, 7, 31), utc(2026, 3, 28, 5, 1))
    world.clock.set(utc(2026, 3, 28, 8, 0))
    assert await runner.run_due() == 2
    assert [titles for _, titles, _ in await world.queued()] == [["Old 0"], ["Old 1"], ["New 0"], ["New 1"]]


async def test_a_run_missed_while_down_is_posted_once_and_never_twice(world):
    runner = world.runner(schedule(mode="digest"))
    await runner.run_due()
    await world.publish("Friday news")
    await runner.close()  # down from Friday noon until Saturday 09:30 UTC: the 07:00 UTC run was missed
    world.clock.set(utc(2026, 3, 28, 9, 30))
    restarted = world.runner(schedule(mode="digest"))
    assert await restarted.run_due() == 1
    assert await restarted.run_due() == 0
    await restarted.close()
    assert await world.runner(schedule(mode="digest")).run_due() == 0  # another restart: still once
    [(key, titles, text)] = await world.queued()
    assert key == "digest:schedule:morning energy:20260328T0700Z"
    assert titles == ["Friday news"] and text == "morning energy: 1 new article"


async def test_a_run_missed_beyond_the_grace_period_is_skipped(world):
    runner = world.runner(schedule(mode="digest"), grace=3600)
    await runner.run_due()
    await world.publish("Friday news")
    world.clock.set(utc(2026, 3, 28, 9, 30))  # 2.5 hours late
    assert await runner.run_due() == 0
    await world.publish("Saturday news")
    world.clock.set(utc(2026, 3, 29, 6, 0))
    assert await runner.run_due() == 1
    [(_, titles, _)] = await world.queued()
    assert titles == ["Saturday news"]


async def test_two_runners_sharing_the_database_post_once(world):
    first, second = world.runner(schedule()), world.runner(schedule())
    await first.run_due()
    await world.publish("Shared")
    world.clock.set(utc(2026, 3, 28, 7, 0))
    results = [await first.run_due(), await second.run_due()]
    assert sorted(results) == [0, 1]
    assert len(await world.queued()) == 1


async def test_a_restart_gives_a_channel_the_bot_could_not_post_to_another_try(world):
    t = tables.targets
    runner = world.runner(schedule())
    await runner.run_due()
    async with world.store.engine.begin() as connection:
        await target_ids(connection, [Target("telegram", "@energy_channel")])
        await connection.execute(t.update().values(active=False, inactive_reason="Forbidden: bot is not a member"))
    await world.runner(schedule()).revive_targets()  # what a restart does before the first run
    async with world.store.engine.connect() as connection:
        assert (await connection.execute(sa.select(t.c.active, t.c.inactive_reason))).all() == [(True, None)]


async def test_a_channel_the_bot_may_not_post_to_has_nothing_piled_up_for_it_meanwhile(world):
    """Its posts could never go: they would only fill the outbox until a restart gave them up."""
    runner = world.runner(schedule(cron="0 * * * *"))
    await runner.run_due()
    async with world.store.engine.begin() as connection:
        await target_ids(connection, [Target("telegram", "@energy_channel")])
        await connection.execute(tables.targets.update().values(active=False, inactive_reason="Forbidden: bot was kicked"))
    for hour in range(7, 10):
        await world.publish(f"While gone {hour}")
        world.clock.set(utc(2026, 3, 28, hour, 0))
        assert await runner.run_due() == 0
    assert await world.queued() == []
    await world.runner(schedule(cron="0 * * * *")).revive_targets()  # a restart
    await world.publish("Back")
    world.clock.set(utc(2026, 3, 28, 10, 0))
    assert await runner.run_due() == 1
    assert [titles for _, titles, _ in await world.queued()] == [["Back"]]


async def test_each_run_says_what_it_queued_where_or_why_it_posted_nothing(world, caplog):
    caplog.set_level(logging.INFO, logger="bot.schedule")
    runner = world.runner(schedule(cron="0 * * * *"))
    await runner.run_due()
    await world.publish("Before the run")
    world.clock.set(utc(2026, 3, 28, 7, 0))
    assert await runner.run_due() == 1
    async with world.store.engine.begin() as connection:
        await connection.execute(tables.targets.update().values(active=False, inactive_reason="Forbidden: bot was kicked"))
    await world.publish("While gone")
    world.clock.set(utc(2026, 3, 28, 8, 0))
    assert await runner.run_due() == 0
    assert [record.getMessage() for record in caplog.records] == [
        "schedule 'morning energy' queued 1 message for telegram chat @energy_channel",
        "schedule 'morning energy' posted nothing: telegram chat @energy_channel is gone (Forbidden: bot was kicked)"
        " until it comes back",
    ]


async def test_a_gone_channel_is_warned_about_once_while_it_stays_gone_and_told_when_back(world, caplog):
    caplog.set_level(logging.INFO, logger="bot.schedule")
    runner = world.runner(schedule(cron="0 * * * *"))
    await runner.run_due()

    async def gone() -> None:
        async with world.store.engine.begin() as connection:
            await target_ids(connection, [Target("telegram", "@energy_channel")])
            await connection.execute(tables.targets.update().values(active=False, inactive_reason="Forbidden: bot was kicked"))

    await gone()
    for hour in (7, 8):
        world.clock.set(utc(2026, 3, 28, hour, 0))
        assert await runner.run_due() == 0
    await world.runner(schedule(cron="0 * * * *")).revive_targets()  # a restart of another process
    await world.publish("Back")
    world.clock.set(utc(2026, 3, 28, 9, 0))
    assert await runner.run_due() == 1
    await gone()
    world.clock.set(utc(2026, 3, 28, 10, 0))
    assert await runner.run_due() == 0
    warned = (
        "WARNING",
        "schedule 'morning energy' posted nothing: telegram chat @energy_channel is gone (Forbidden: bot was kicked)"
        " until it comes back",
    )
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        warned,
        ("INFO", "schedule 'morning energy' posts again: telegram chat @energy_channel is back"),
        ("INFO", "schedule 'morning energy' queued 1 message for telegram chat @energy_channel"),
        warned,
    ]


async def test_a_week_of_hourly_digests_waiting_for_a_token_comes_as_one_digest_of_its_last_three_days(world):
    """The schedule ran all week while Telegram had no token; the token is added, and the channel
    gets one digest, not 168 of them, summing up the articles that are still news."""
    runner = world.runner(schedule(cron="0 * * * *", mode="digest"))
    await runner.run_due()
    for hour in range(1, 7 * 24 + 1):
        await world.publish(f"Energy {hour}")
        world.clock.set(START + timedelta(hours=hour))
        assert await runner.run_due() == 1
    assert len(await world.queued()) == 168
    # Energy 97 was published 71 hours and some seconds before the last run, Energy 96 an hour earlier
    # headed with the days of the digests whose articles are still news: from 72 hours before the last on
    assert await world.deliver() == [
        ("morning energy, 31 March – 3 April: 72 new articles, the newest 3", ["Energy 168", "Energy 167", "Energy 166"])
    ]
    assert await world.outbox.counts() == {"dead": 167, "sent": 1}


async def test_a_digest_on_its_way_when_the_next_was_queued_goes_on_its_own_and_none_carries_it_again(world):
    runner = world.runner(schedule(cron="0 * * * *", mode="digest"))
    await runner.run_due()
    await world.publish("Energy 1")
    world.clock.set(START + timedelta(hours=1))
    await runner.run_due()
    [on_its_way] = await world.outbox.claim("w", "telegram", limit=10, lookahead=60)
    await world.publish("Energy 2")
    world.clock.set(START + timedelta(hours=2))
    await runner.run_due()
    later = (world.clock.now() + timedelta(hours=2)).timestamp()
    await world.outbox.record("w", [Retry(on_its_way.id, at=later, error="timed out", attempts=1, parts_sent=0)])
    [newer] = await world.outbox.claim("w", "telegram", limit=10, lookahead=60)
    assert [card.title for card in newer.reply.cards] == ["Energy 2"]
    await world.outbox.record("w", [Sent(newer.id)])
    await world.publish("Energy 3")
    world.clock.set(START + timedelta(hours=3))
    await runner.run_due()
    posted = await world.deliver()
    assert sorted(posted) == [("morning energy: 1 new article", ["Energy 1"]), ("morning energy: 1 new article", ["Energy 3"])]


async def test_a_digest_given_up_after_its_last_attempt_is_carried_by_the_next_run(world):
    runner = world.runner(schedule(mode="digest"))
    await runner.run_due()
    await world.publish("Energy Friday")
    world.clock.set(utc(2026, 3, 28, 7, 0))  # Saturday 08:00 in Berlin
    assert await runner.run_due() == 1
    assert await world.deliver([TransientError("502 Bad Gateway")] * DeliverySettings().max_attempts) == []
    await world.publish("Energy Saturday")
    world.clock.set(utc(2026, 3, 29, 6, 0))  # Sunday 08:00, summer time
    assert await runner.run_due() == 1
    assert await world.deliver() == [("morning energy, 28–29 March: 2 new articles", ["Energy Saturday", "Energy Friday"])]


async def test_a_schedule_named_like_a_subscriptions_digests_has_digests_of_its_own(world):
    """A schedule's name is the operator's: "sub1" is no other digest's series, subscription 1's included."""
    channel = Target("telegram", "@energy_channel")
    subscriptions = SubscriptionStore(world.store.engine)
    await subscriptions.set_timezone("telegram", "@energy_channel", "Europe/Berlin")
    await subscriptions.add(channel, "sector", "health", Cadence.parse("daily 08:00"), world.clock.now())
    [subscription] = await subscriptions.for_target(channel)
    fanout = FanOut(world.store, subscriptions, world.outbox, Tagger.from_settings(), world.clock)
    runner = world.runner(schedule(name=f"sub{subscription.id}", mode="digest"))
    await runner.run_due()
    await world.publish("Energy one")
    await world.publish("Health one", sectors=("health",))
    world.clock.set(utc(2026, 3, 28, 7, 0))  # Saturday 08:00 in Berlin, for both
    assert await runner.run_due() == 1
    assert await fanout.run_digests() == 1
    assert sorted(await world.deliver()) == [
        ("Your daily digest for Health: 1 new article", ["Health one"]),
        (f"sub{subscription.id}: 1 new article", ["Energy one"]),
    ]
    await world.publish("Energy two")
    world.clock.set(utc(2026, 3, 29, 6, 0))
    assert await runner.run_due() == 1
    await subscriptions.remove(channel, "sector", "health")  # goes with what it queued, not with the schedule's
    assert await world.deliver() == [(f"sub{subscription.id}: 1 new article", ["Energy two"])]


async def test_a_leader_whose_database_session_ended_gives_way_and_still_stops_cleanly(world):
    if world.store.dialect != "postgresql":
        pytest.skip("the schedule lock is PostgreSQL's")
    first = world.runner(schedule())
    await first.run_due()  # takes the schedule lock
    async with world.store.engine.begin() as connection:  # its session ends: a database restart, a dropped idle connection
        holder = (
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = :key AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        [pid] = (await connection.execute(sa.text(holder), {"key": 0x6E627363})).scalars().all()
        await connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    second = world.runner(schedule())
    await second.run_due()  # the lock was free: the second process runs the schedules now
    await world.publish("Shared")
    world.clock.set(utc(2026, 3, 28, 7, 0))
    assert await first.run_due() == 0  # no longer the leader, and knows it
    assert await second.run_due() == 1
    await first.close()  # no error from the session that ended


async def test_a_run_the_leader_stopped_just_after_is_posted_by_another_process_within_a_minute(world):
    if world.store.dialect != "postgresql":
        pytest.skip("the schedule lock is PostgreSQL's")
    leader, follower = world.runner(schedule(mode="digest")), world.runner(schedule(mode="digest"))
    await leader.run_due()  # takes the schedule lock
    await world.publish("Friday news")
    world.clock.set(utc(2026, 3, 28, 7, 0))
    assert await follower.run_due() == 0  # its job fires too, but the leader runs the schedules
    await leader.close()  # the leader stops before its own job ran
    assert await first_run_while_following(follower, world.clock) == (utc(2026, 3, 28, 7, 1), 1)  # not at Sunday's
    [(key, titles, _)] = await world.queued()
    assert key == "digest:schedule:morning energy:20260328T0700Z" and titles == ["Friday news"]


async def first_run_while_following(runner: ScheduleRunner, clock: ManualClock) -> tuple[datetime, int]:
    """When `runner.follow()` first runs the schedules, and the rows that run queued."""
    runs = asyncio.Queue()
    run_due = runner.run_due

    async def run_and_tell():
        queued = await run_due()
        runs.put_nowait((clock.now(), queued))
        return queued

    runner.run_due = run_and_tell
    following = asyncio.create_task(runner.follow())
    try:
        return await asyncio.wait_for(runs.get(), 10)
    finally:
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)


async def test_a_run_the_database_failed_midway_is_posted_within_a_minute_not_at_the_next_fire_time(world):
    """The database went away while the daily digest was being queued (on PostgreSQL, every session of
    newsbot's ended, the one holding the schedule lock too): it is posted once the database is back,
    not merged into tomorrow's."""
    runner = world.runner(schedule(mode="digest"))
    await runner.run_due()
    await world.publish("Friday news")
    enqueue_for = world.outbox.enqueue_for
    failures = [the_database_goes_away]

    async def failing_once(connection, *args, **kwargs):
        if failures:
            await failures.pop()(connection)
        return await enqueue_for(connection, *args, **kwargs)

    world.outbox.enqueue_for = failing_once
    world.clock.set(utc(2026, 3, 28, 7, 0))
    assert await runner.run_due() == 0
    assert await world.queued() == []
    assert await first_run_while_following(runner, world.clock) == (utc(2026, 3, 28, 7, 1), 1)
    [(key, titles, _)] = await world.queued()
    assert key == "digest:schedule:morning energy:20260328T0700Z" and titles == ["Friday news"]


async def test_a_schedule_failing_on_every_try_is_logged_once_and_its_end_too(world, caplog):
    runner = world.runner(schedule(mode="digest"))
    await runner.run_due()
    await world.publish("Friday news")
    outage = [sa.exc.OperationalError("SELECT", {}, sqlite3.OperationalError("disk I/O error"))] * 3
    runner._run_one = failing_first(runner._run_one, outage)
    caplog.set_level(logging.INFO, logger="bot.schedule")
    world.clock.set(utc(2026, 3, 28, 7, 0))
    for minute in range(1, 4):
        assert await runner.run_due() == 0
        world.clock.set(utc(2026, 3, 28, 7, minute))
    assert await runner.run_due() == 1
    told = [(record.levelname, record.getMessage()) for record in caplog.records if record.name == "bot.schedule"]
    assert told == [
        ("ERROR", "running the schedules failed (disk I/O error); 'morning energy' runs again within a minute"),
        ("INFO", "schedule 'morning energy' queued 1 message for telegram chat @energy_channel"),
        ("INFO", "running the schedules succeeded again, after 3 failed attempts"),
    ]


async def the_database_goes_away(connection) -> None:
    """On PostgreSQL, end every other session of this test's database (as a restart does), then this one; on SQLite, fail."""
    if connection.dialect.name != "postgresql":
        raise sa.exc.OperationalError("INSERT", {}, sqlite3.OperationalError("disk I/O error"))
    others = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    await connection.execute(sa.text(others))
    await connection.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))


async def test_schedules_firing_together_share_the_lock_without_losing_it(world, caplog):
    """Two schedules with the same fire time are two APScheduler jobs, each calling run_due at once:
    both check the one session holding the lock, which must not be taken for ended."""
    if world.store.dialect != "postgresql":
        pytest.skip("the schedule lock is PostgreSQL's")
    other = {"name": "evening energy", "target": {"platform": "telegram", "chat": "@other_channel"}}
    runner = world.runner(schedule(), schedule(**other))
    await runner.run_due()  # takes the schedule lock
    leader = runner._leader_connection
    for _ in range(5):
        results = await asyncio.gather(*(runner.run_due() for _ in range(3)), return_exceptions=True)
        assert results == [0, 0, 0]
    assert runner._leader_connection is leader
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


async def test_a_run_queueing_articles_the_fan_out_queues_for_the_same_channel_meanwhile_posts_them_once(world, caplog):
    """The fan-out queues a page's articles in the order they were stored, a schedule in the order
    they were published: both at once for one channel must take turns, not lock each other's rows."""
    channel = Target("telegram", "@energy_channel")
    runner = world.runner(schedule())
    await runner.run_due()
    subscriptions = SubscriptionStore(world.store.engine)
    await subscriptions.add(channel, "sector", "energy", Cadence("instant"), world.clock.now())
    fanout = FanOut(world.store, subscriptions, world.outbox, Tagger.from_settings(), world.clock)
    await fanout.run_once()
    world.clock.set(utc(2026, 3, 28, 6, 0))
    for name, published in [("Stored first", utc(2026, 3, 28, 5, 0)), ("Stored second", utc(2026, 3, 28, 4, 0))]:
        await world.store.add([Article(
            id=name, url=f"https://news.example/{name}", title=name, sources=("Example",), published=published,
            fetched=world.clock.now(), text="Text.", summary="Text.", sectors=("energy",),
        )])
    world.clock.set(utc(2026, 3, 28, 7, 0))
    inserts, scheduled = [], []

    def before(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO BOT_OUTBOX"):
            inserts.append(statement)
            if len(inserts) == 2:  # the fan-out's second article: the schedule runs meanwhile
                scheduled.append(asyncio.ensure_future(runner.run_due()))
                await_only(asyncio.sleep(0.3))

    sa.event.listen(world.store.engine.sync_engine, "before_cursor_execute", before)
    try:
        assert await fanout.run_once() == 2
        await scheduled[0]
    finally:
        sa.event.remove(world.store.engine.sync_engine, "before_cursor_execute", before)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert sorted(key for key, _, _ in await world.queued()) == ["Stored first", "Stored second"]
    async with world.store.engine.connect() as connection:
        fired = await connection.scalar(sa.select(tables.schedule_runs.c.last_fire_at))
    assert fired == utc(2026, 3, 28, 7, 0).timestamp()  # the run is done, not left for tomorrow's


@pytest.mark.parametrize("mode", ["new", "digest"])
async def test_unsubscribing_a_channel_from_all_leaves_what_its_schedule_queued(world, mode):
    """/unsubscribe all in a channel a schedule posts to gives up what its subscriptions queued, not the schedule's posts."""
    channel = Target("telegram", "@energy_channel")
    runner = world.runner(schedule(mode=mode))
    await runner.run_due()
    subscriptions, fanout = await caught_up_subscriptions(world, channel, "energy", "education")
    await world.publish("Energy, the fan-out first")
    await world.publish("School news", sectors=("education",))  # the education subscription's alone
    await fanout.run_once()
    await world.publish("Energy, the schedule first")
    world.clock.set(utc(2026, 3, 28, 7, 0))
    await runner.run_due()
    await fanout.run_once()
    assert await subscriptions.remove(channel) == 2
    posted = sorted(title for _, titles in await world.deliver() for title in titles)
    assert posted == ["Energy, the fan-out first", "Energy, the schedule first"]


async def test_unsubscribing_a_channel_from_all_leaves_a_message_bundling_an_article_of_its_schedule(world):
    channel = Target("telegram", "@energy_channel")
    runner = world.runner(schedule(max_articles=1))
    await runner.run_due()
    subscriptions, fanout = await caught_up_subscriptions(world, channel, "energy")
    titles = [f"Energy {n}" for n in range(4)]
    for title in titles:
        await world.publish(title)
    await fanout.run_once()  # more than a few at once: one message bundles them
    world.clock.set(utc(2026, 3, 28, 7, 0))
    await runner.run_due()  # the schedule's article is the newest, bundled in the message
    await subscriptions.remove(channel)
    assert [sorted(posted) for _, posted in await world.deliver()] == [titles]



@pytest.mark.parametrize(("articles", "posts"), [(1, 1), (4, 1), (4, 4)])  # in a message of its own, or in a burst bundling them
async def test_a_schedule_posts_articles_whose_subscriptions_message_the_channel_gave_up_unsubscribing_from_all(world, articles, posts):
    """The fan-out queued the articles first; /unsubscribe all gave their message up before it went out."""
    channel = Target("telegram", "@energy_channel")
    runner = world.runner(schedule(max_articles=posts))
    await runner.run_due()
    subscriptions, fanout = await caught_up_subscriptions(world, channel, "energy")
    for n in range(articles):
        await world.publish(f"Energy {n}")
    await fanout.run_once()
    await subscriptions.remove(channel)
    world.clock.set(utc(2026, 3, 28, 7, 0))
    await runner.run_due()  # the schedule's articles are the newest
    assert [titles for _, titles in await world.deliver()] == [[f"Energy {n}"] for n in range(articles - posts, articles)]


async def caught_up_subscriptions(world, channel: Target, *sectors: str) -> tuple[SubscriptionStore, FanOut]:
    """The channel subscribed to the sectors, instant, from now on: its fan-out has read what came before."""
    subscriptions = SubscriptionStore(world.store.engine)
    for sector in sectors:
        await subscriptions.add(channel, "sector", sector, Cadence("instant"), world.clock.now())
    fanout = FanOut(world.store, subscriptions, world.outbox, Tagger.from_settings(), world.clock)
    await fanout.run_once()
    return subscriptions, fanout


async def test_a_schedule_does_not_post_again_an_article_whose_message_was_on_its_way_when_the_channel_unsubscribed(world):
    channel = Target("telegram", "@energy_channel")
    runner = world.runner(schedule(max_articles=1))
    await runner.run_due()
    subscriptions, fanout = await caught_up_subscriptions(world, channel, "energy")
    await world.publish("Energy, being sent")
    await fanout.run_once()
    assert len(await world.outbox.claim("worker", "telegram", 10, lookahead=3600)) == 1  # a worker sends it now
    await subscriptions.remove(channel)
    world.clock.set(utc(2026, 3, 28, 7, 0))
    await runner.run_due()
    async with world.store.engine.connect() as connection:
        statuses = (await connection.execute(sa.select(tables.outbox.c.status))).scalars().all()
    assert statuses == ["dead"]  # given up as unsubscribed, not queued again


async def test_a_schedule_does_not_post_again_an_article_of_a_burst_a_worker_claimed_while_the_channel_unsubscribed(world):
    """A worker leases the burst's message between /unsubscribe all's statements: it goes out, its articles with it."""
    if world.store.dialect != "postgresql":
        pytest.skip("SQLite has one writer: a claim cannot come between the statements")
    channel = Target("telegram", "@energy_channel")
    runner = world.runner(schedule(max_articles=1))
    await runner.run_due()
    subscriptions, fanout = await caught_up_subscriptions(world, channel, "energy")
    for n in range(4):
        await world.publish(f"Energy {n}")
    await fanout.run_once()
    claimed: list[list] = []

    def after(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE BOT_OUTBOX") and "AS MESSAGE" in statement.upper() and not claimed:
            claimed.append([])  # the claim's own updates come here too
            claimed[0] = await_only(world.outbox.claim("worker", "telegram", 10, lookahead=3600))

    sa.event.listen(world.store.engine.sync_engine, "after_cursor_execute", after)
    try:
        await subscriptions.remove(channel)
    finally:
        sa.event.remove(world.store.engine.sync_engine, "after_cursor_execute", after)
    world.clock.set(utc(2026, 3, 28, 7, 0))
    await runner.run_due()
    async with world.store.engine.connect() as connection:
        waiting = await connection.scalar(sa.select(sa.func.count()).where(tables.outbox.c.status == "pending"))
    assert len(claimed[0]) + waiting == 1  # the newest article goes in the claimed burst or as the schedule's post
