"""`newsbot run` as a whole: SIGTERM while sends are in flight (a real subprocess), and subscribe →
receive → unsubscribe end to end through the fake Bot API and the fake Discord, in process via
`run_newsbot`, with a refusal for a non-admin in a Telegram group."""

from __future__ import annotations

import asyncio
import functools
import gc
import html
import inspect
import json
import signal
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from bot.adapters.base import ConnectError
from bot.app import run_newsbot
from bot.clock import SystemClock
from bot.config import Config, DeliverySettings, DiscordSettings, PlatformLimits, TelegramSettings
from bot.delivery import tables
from bot.delivery.db import migrate
from bot.delivery.service import start_delivery
from content.model import Article
from content.store import Store
from fake_discord import BOT_IN_A_CHANNEL, FakeDiscord, UnansweringFakeDiscord
from fake_telegram import FakeTelegram, message, message_update
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

STEP = 10.0  # seconds any one step may take
LIFTED = PlatformLimits(per_chat_seconds=0, per_group_seconds=0, per_second=0)
MANAGE_CHANNELS = 1 << 4
EMBED_LINKS = 1 << 14


class SlowFakeTelegram(FakeTelegram):
    """Takes a while over every sendMessage, so a shutdown finds sends in flight; counts them."""

    def __init__(self, token: str, delay: float):
        super().__init__(token)
        self.delay = delay
        self.sending = 0

    async def _api_sendMessage(self, params):
        self.sending += 1
        try:
            await asyncio.sleep(self.delay)
            return await super()._api_sendMessage(params)
        finally:
            self.sending -= 1


async def test_sigterm_finishes_sends_in_flight_exits_0_and_loses_nothing(tmp_path):
    chats = [str(8000 + n) for n in range(100)]
    database_url = f"sqlite:///{tmp_path / 'newsbot.db'}"
    await subscribe_chats(database_url, chats)
    for number, (title, body) in enumerate(STORIES[:2]):
        write_story(tmp_path / "stories", number, title, body)
    expected = {(chat, title) for chat in chats for title, _ in STORIES[:2]}
    config, log = tmp_path / "config.yaml", tmp_path / "newsbot.log"

    async with SlowFakeTelegram(fake_token(), delay=0.3) as fake:
        write_config(config, database_url, fake.base_url, tmp_path / "stories", in_flight=20)
        first = start_newsbot(config, log)
        try:
            await wait_until(lambda: len(deliveries(fake)) >= 40 and fake.sending, first, log, 30, "sends in flight")
            in_flight_at_signal = fake.sending
            first.send_signal(signal.SIGTERM)
            assert await wait_exit(first, 15) == 0
        finally:
            if first.poll() is None:
                first.kill()
        assert in_flight_at_signal > 0
        delivered_before_restart = deliveries(fake)
        counts = await outbox_counts(database_url)
        assert counts["sent"] == sum(delivered_before_restart.values())  # every finished send recorded, none extra
        assert counts.get("pending", 0) == len(expected) - counts["sent"] > 0

        second = start_newsbot(config, log)
        try:
            await wait_until(lambda: set(deliveries(fake)) >= expected, second, log, 30, "the rest after a restart")
            second.send_signal(signal.SIGTERM)
            assert await wait_exit(second, 15) == 0
        finally:
            if second.poll() is None:
                second.kill()

    delivered = deliveries(fake)
    assert set(delivered) == expected and set(delivered.values()) == {1}  # all of them, each once
    assert await outbox_counts(database_url) == {"sent": len(expected)}


# ---- in process -------------------------------------------------------------------------------------------


def app_config(tmp_path, **platforms) -> Config:
    delivery = DeliverySettings(telegram=LIFTED, discord=LIFTED, poll_seconds=0.2, fanout_seconds=0.2)
    return Config(storage={"url": f"sqlite:///{tmp_path / 'newsbot.db'}"}, sources=[], delivery=delivery, **platforms)


@asynccontextmanager
async def newsbot(config: Config):
    """`run_newsbot` on this loop, plus a second store on the same database for adding articles
    (opened and migrated first: two processes' first migrations of one SQLite file would race)."""
    store = await Store.open(config.storage.url)
    await migrate(store.engine)
    stop = asyncio.Event()
    running = asyncio.create_task(run_newsbot(config, stop))
    try:
        yield store, running
    finally:
        stop.set()
        await asyncio.wait_for(running, STEP)
        await store.close()


async def publish(store: Store, number: int, title: str) -> str:
    now = datetime.now(timezone.utc)
    article_id = f"run-app-{number}"
    await store.add([Article(
        id=article_id, url=f"https://run-tests.newsbot.example/app/{number}", title=title, sources=("Run Test Wire",),
        published=now, fetched=now, text=f"{title}. A story told in a few plain words.", summary=title, sectors=("energy",),
    )])
    return article_id


async def queued_for(store: Store, platform: str, chat: str, key: str) -> bool:
    o, t = tables.outbox, tables.targets
    query = sa.select(o.c.id).join(t, t.c.id == o.c.target_id).where(t.c.platform == platform, t.c.chat == chat, o.c.key == key)
    async with store.engine.connect() as connection:
        return (await connection.execute(query)).first() is not None


async def chat_known(store: Store, chat: str) -> bool:
    async with store.engine.connect() as connection:
        return (await connection.execute(sa.select(tables.targets.c.id).where(tables.targets.c.chat == chat))).first() is not None


async def until(condition, running: asyncio.Task, what: str) -> None:
    """Until `condition()` (a value, or a coroutine's) is true, while newsbot runs."""

    async def met() -> bool:
        result = condition()
        return await result if inspect.isawaitable(result) else result

    async def polled():
        while not await met():
            assert not running.done(), f"newsbot stopped before {what}: {running.exception()!r}"
            await asyncio.sleep(0.02)

    await asyncio.wait_for(polled(), STEP)


def texts_to(fake: FakeTelegram, chat: int) -> list[str]:
    return [html.unescape(call.params["text"]) for call in fake.calls_of("sendMessage") if int(call.params["chat_id"]) == chat]


async def test_telegram_subscribe_receive_unsubscribe_and_a_non_admin_refused(tmp_path):
    reader, witness, group = 111, 222, -100555
    async with FakeTelegram(fake_token()) as fake:
        config = app_config(tmp_path, telegram=TelegramSettings(token=SecretStr(fake_token()), base_url=fake.base_url))
        fake.chat_members[(group, 444)] = "administrator"
        async with newsbot(config) as (store, running):
            await fake.wait_for_calls("getUpdates", timeout=STEP)
            for chat in (reader, witness):
                await fake.push_update(message_update("/subscribe energy", chat_id=chat, user_id=chat))
                await until(lambda: any("Subscribed to Energy" in text for text in texts_to(fake, chat)), running, "subscribed")
            await fake.push_update(message_update("/subscribe energy", chat_id=group, kind="supergroup", user_id=333))
            await until(lambda: texts_to(fake, group), running, "the refusal")
            assert "Only this chat's administrators" in texts_to(fake, group)[0]
            await fake.push_update(message_update("/subscribe kenya", chat_id=group, kind="supergroup", user_id=444))
            await until(lambda: len(texts_to(fake, group)) == 2, running, "the admin's subscription")
            assert "Subscribed to Kenya" in texts_to(fake, group)[1]

            await publish(store, 1, "Tidal turbines power a fishing harbour")
            for chat in (reader, witness):
                await until(lambda: any("Tidal turbines" in text for text in texts_to(fake, chat)), running, "delivery")

            await fake.push_update(message_update("/unsubscribe energy", chat_id=reader, user_id=reader))
            await until(lambda: any("Unsubscribed from Energy" in text for text in texts_to(fake, reader)), running, "unsubscribed")
            later = await publish(store, 2, "Salt caverns store hydrogen for winter")
            await until(lambda: any("Salt caverns" in text for text in texts_to(fake, witness)), running, "the witness's copy")
            assert not await queued_for(store, "telegram", str(reader), later)
            assert await queued_for(store, "telegram", str(witness), later)
    assert not any("Salt caverns" in text for text in texts_to(fake, reader))
    assert not any("Tidal turbines" in text for text in texts_to(fake, group))  # the refused subscription never existed


async def test_telegram_revoking_the_token_stops_newsbot_saying_why(tmp_path):
    async with FakeTelegram(fake_token()) as fake:
        config = app_config(tmp_path, telegram=TelegramSettings(token=SecretStr(fake_token()), base_url=fake.base_url))
        running = asyncio.create_task(run_newsbot(config, asyncio.Event()))
        await fake.wait_for_calls("getUpdates", timeout=STEP)
        fake.token = "999:REVOKED"  # @BotFather's /revoke: the old token gets 401 Unauthorized
        with pytest.raises(ConnectError, match="no longer accepts the bot token") as stopped:
            await asyncio.wait_for(running, STEP)
    assert fake_token() not in str(stopped.value)


async def test_a_telegram_group_upgraded_to_a_supergroup_keeps_its_subscriptions(tmp_path):
    group, supergroup, admin = -555, -1000555, 444
    async with FakeTelegram(fake_token()) as fake:
        config = app_config(tmp_path, telegram=TelegramSettings(token=SecretStr(fake_token()), base_url=fake.base_url))
        for chat in (group, supergroup):
            fake.chat_members[(chat, admin)] = "administrator"
        async with newsbot(config) as (store, running):
            await fake.wait_for_calls("getUpdates", timeout=STEP)
            await fake.push_update(message_update("/subscribe kenya", chat_id=group, kind="group", user_id=admin))
            await until(lambda: texts_to(fake, group), running, "the subscription")
            upgraded = message("", chat_id=group, kind="group", user_id=admin, message_id=2)
            del upgraded["text"]
            upgraded["migrate_to_chat_id"] = supergroup  # what Telegram posts in the group as it goes
            await fake.push_update({"message": upgraded})
            await until(lambda: chat_known(store, str(supergroup)), running, "the move")
            await fake.push_update(message_update("/subscriptions", chat_id=supergroup, kind="supergroup", user_id=admin))
            await until(lambda: texts_to(fake, supergroup), running, "the list in the supergroup")
    assert "Kenya" in texts_to(fake, supergroup)[0]


class LaterClock(SystemClock):
    """The system clock, moved ahead as far as a test says: a restart an hour later, without the hour."""

    ahead = timedelta(0)

    def now(self) -> datetime:
        return super().now() + self.ahead


async def last_fire(store: Store, schedule: str) -> float | None:
    runs = tables.schedule_runs
    async with store.engine.connect() as connection:
        return (await connection.execute(sa.select(runs.c.last_fire_at).where(runs.c.name == schedule))).scalar()


async def nothing_pending(store: Store) -> bool:
    async with store.engine.connect() as connection:
        return not (await connection.execute(sa.select(tables.outbox.c.id).where(tables.outbox.c.status == "pending"))).first()


async def test_a_channel_a_schedule_names_by_its_username_gets_an_article_its_subscription_brought_once(tmp_path, monkeypatch):
    channel, owner = -1001234, 111
    clock = LaterClock()
    monkeypatch.setattr("bot.app.start_delivery", functools.partial(start_delivery, clock=clock))
    schedule = {
        "name": "hourly energy", "cron": "0 * * * *", "target": {"platform": "telegram", "chat": "@my_channel"},
        "filter": {"sectors": ["energy"]},
    }
    async with FakeTelegram(fake_token()) as fake:
        fake.add_chat(channel, "My_Channel")  # the config spells it in lower case, as Telegram allows
        fake.chat_members[(channel, owner)] = "creator"
        telegram = TelegramSettings(token=SecretStr(fake_token()), base_url=fake.base_url)
        config = app_config(tmp_path, telegram=telegram, schedules=[schedule])

        def in_the_channel() -> list[str]:
            return [call.params["text"] for call in fake.calls_of("sendMessage") if call.params["chat_id"] in (str(channel), "@my_channel")]

        async with newsbot(config) as (store, running):
            await fake.wait_for_calls("getUpdates", timeout=STEP)
            await until(lambda: last_fire(store, "hourly energy"), running, "the schedule's first look")
            await fake.push_update(message_update("/subscribe @my_channel energy", chat_id=owner, user_id=owner))
            await until(lambda: texts_to(fake, owner), running, "the subscription")
            await publish(store, 1, "Tidal turbines power a fishing harbour")
            await until(in_the_channel, running, "the subscription's post")
            first_run = await last_fire(store, "hourly energy")
        clock.ahead = timedelta(hours=1)  # the schedule's hourly run came while newsbot was down
        async with newsbot(config) as (store, running):
            async def ran_again() -> bool:  # claimed in the transaction that queued its posts
                return await last_fire(store, "hourly energy") != first_run

            await until(ran_again, running, "the missed run")
            await until(lambda: nothing_pending(store), running, "the run's posts")
    assert [text for text in in_the_channel() if "Tidal turbines" in text] == in_the_channel()
    assert len(in_the_channel()) == 1


def posted_in(fake: FakeDiscord, channel: int) -> str:
    return "\n".join(json.dumps(message) for message in fake.messages_in(str(channel)))


async def test_discord_subscribe_receive_unsubscribe_by_slash_commands(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the app keeps its command-sync state under ./.newsbot
    reader, witness, refused = 1_000_000_000_000_000_11, 1_000_000_000_000_000_12, 1_000_000_000_000_000_13
    async with FakeDiscord(fake_token()) as fake:
        discord = DiscordSettings(token=SecretStr(fake_token()), api_base=fake.api_base, gateway_url=fake.gateway_url)
        async with newsbot(app_config(tmp_path, discord=discord)) as (store, running):
            await fake.wait_until(lambda: fake.synced_commands and fake.identify_count, timeout=STEP)
            for channel in (reader, witness):
                answer = await fake.slash("subscribe", "energy", channel_id=channel, permissions=MANAGE_CHANNELS)
                await fake.wait_answered(answer, timeout=STEP)
                assert "Subscribed to Energy" in json.dumps(answer.message_payloads())
            answer = await fake.wait_answered(await fake.slash("subscribe", "energy", channel_id=refused), timeout=STEP)
            assert "Only members with the Manage Channels permission" in json.dumps(answer.message_payloads())
            no_cards = BOT_IN_A_CHANNEL & ~EMBED_LINKS  # the bot may post text but not article cards there
            answer = await fake.slash("subscribe", "energy", channel_id=refused, permissions=MANAGE_CHANNELS, app_permissions=no_cards)
            await fake.wait_answered(answer, timeout=STEP)
            assert "send messages and embed links" in json.dumps(answer.message_payloads())

            await publish(store, 1, "Tidal turbines power a fishing harbour")
            for channel in (reader, witness):
                await until(lambda: "Tidal turbines" in posted_in(fake, channel), running, "delivery")

            answer = await fake.slash("unsubscribe", "energy", channel_id=reader, permissions=MANAGE_CHANNELS)
            await fake.wait_answered(answer, timeout=STEP)
            assert "Unsubscribed from Energy" in json.dumps(answer.message_payloads())
            later = await publish(store, 2, "Salt caverns store hydrogen for winter")
            await until(lambda: "Salt caverns" in posted_in(fake, witness), running, "the witness's copy")
            assert not await queued_for(store, "discord", str(reader), later)
    assert "Salt caverns" not in posted_in(fake, reader)
    assert "Tidal turbines" not in posted_in(fake, refused)


async def test_discord_ending_the_gateway_for_good_stops_newsbot_saying_why(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    async with FakeDiscord(fake_token()) as fake:
        discord = DiscordSettings(token=SecretStr(fake_token()), api_base=fake.api_base, gateway_url=fake.gateway_url)
        config = app_config(tmp_path, discord=discord)
        stop = asyncio.Event()
        running = asyncio.create_task(run_newsbot(config, stop))
        await fake.wait_until(lambda: fake.synced_commands and fake.identify_count, timeout=STEP)
        await fake.wait_answered(await fake.slash("latest"), timeout=STEP)  # running, past start-up
        await fake.drop_gateway(code=4004)  # "Authentication failed": the token was reset
        with pytest.raises(ConnectError, match="4004"):
            await asyncio.wait_for(running, STEP)
    assert fake_token() not in str(running.exception())


class UnansweringFakeTelegram(FakeTelegram):
    """Takes getMe, the first call of a connect, and never answers it: Telegram out of reach mid-connect."""

    def __init__(self, token: str):
        super().__init__(token)
        self.asked, self.answer = False, asyncio.Event()  # answered once the test is done, so the server can close

    async def _api_getMe(self, params):
        self.asked = True
        await self.answer.wait()


@pytest.mark.parametrize("platform", ["telegram", "discord"])
async def test_a_stop_while_a_platform_connects_stops_newsbot_at_once(tmp_path, monkeypatch, caplog, platform):
    monkeypatch.chdir(tmp_path)
    async with (UnansweringFakeTelegram if platform == "telegram" else UnansweringFakeDiscord)(fake_token()) as fake:
        if platform == "telegram":
            config = app_config(tmp_path, telegram=TelegramSettings(token=SecretStr(fake_token()), base_url=fake.base_url))
        else:
            config = app_config(tmp_path, discord=DiscordSettings(token=SecretStr(fake_token()), api_base=fake.api_base))
        stop = asyncio.Event()
        running = asyncio.create_task(run_newsbot(config, stop))
        await until(lambda: fake.asked, running, "the login's request")
        stop.set()  # SIGINT
        await asyncio.wait_for(running, STEP)  # no ConnectError: stopped on request, not refused
        gc.collect()
        fake.answer.set()
    assert not [record for record in caplog.records if "Unclosed" in record.getMessage()]
