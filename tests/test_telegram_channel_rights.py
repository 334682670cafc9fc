"""A Telegram channel whose bot an administrator demotes, removes and adds back, walked through the whole
of `newsbot run` in process against the fake Bot API: deliveries pause without retrying, the channel's
administrators still see and remove its subscriptions from a private chat, and a bot that may post again
resumes them."""

from __future__ import annotations

from contextlib import asynccontextmanager

import sqlalchemy as sa
from pydantic import SecretStr

from bot.adapters.telegram import CANNOT_POST_IN_CHANNEL, CHANNEL_ADMINS_ONLY, NOT_ADMIN_OF_CHANNEL
from bot.config import TelegramSettings
from bot.delivery import tables
from content.store import Store
from fake_telegram import FakeTelegram, bot_status_update, message_update
from run_helpers import fake_token
from test_run_app import STEP, app_config, newsbot, publish, texts_to, until

CHANNEL, OWNER, STRANGER = -1003100, 111, 222


async def channel_active(store: Store) -> bool | None:
    t = tables.targets
    async with store.engine.connect() as connection:
        return (await connection.execute(sa.select(t.c.active).where(t.c.chat == str(CHANNEL)))).scalar()


async def channel_paused(store: Store) -> bool:
    return await channel_active(store) is False


async def subscriptions_kept(store: Store) -> int:
    s, t = tables.subscriptions, tables.targets
    query = sa.select(sa.func.count()).select_from(s.join(t)).where(t.c.chat == str(CHANNEL))
    async with store.engine.connect() as connection:
        return (await connection.execute(query)).scalar()


def posts_tried(fake: FakeTelegram) -> list[int]:
    """The statuses of the sends to the channel."""
    return [call.status for call in fake.calls_of("sendMessage", ok_only=False) if call.params["chat_id"] == str(CHANNEL)]


async def ask(fake: FakeTelegram, running, line: str, user_id: int = OWNER) -> str:
    """Send a command in the user's private chat; the answer."""
    before = len(texts_to(fake, user_id))
    await fake.push_update(message_update(line, chat_id=user_id, user_id=user_id))
    await until(lambda: len(texts_to(fake, user_id)) > before, running, f"the answer to {line}")
    return texts_to(fake, user_id)[before]


@asynccontextmanager
async def managing_a_channel(tmp_path):
    """newsbot running with @ai_news, which the bot administers and the owner created; (fake, store, running)."""
    async with FakeTelegram(fake_token()) as fake:
        fake.add_chat(CHANNEL, "ai_news")
        fake.chat_members[(CHANNEL, OWNER)] = "creator"
        config = app_config(tmp_path, telegram=TelegramSettings(token=SecretStr(fake_token()), base_url=fake.base_url))
        async with newsbot(config) as (store, running):
            await fake.wait_for_calls("getUpdates", timeout=STEP)
            yield fake, store, running


async def test_a_demoted_bot_pauses_the_channel_lists_its_subscriptions_to_admins_and_resumes_when_promoted(tmp_path):
    async with managing_a_channel(tmp_path) as (fake, store, running):
        assert (await ask(fake, running, "/subscribe @ai_news energy")).startswith("Subscribed @ai_news to Energy")

        fake.set_bot_rights(CHANNEL, may_post=False)  # still an administrator, no longer allowed to post
        await publish(store, 1, "Tidal turbines power a fishing harbour")
        await until(lambda: posts_tried(fake) == [400], running, "the refused post")
        await until(lambda: channel_paused(store), running, "the channel paused")

        listed = await ask(fake, running, "/subscriptions @ai_news")
        refused = await ask(fake, running, "/subscriptions @ai_news", user_id=STRANGER)
        not_subscribed = await ask(fake, running, "/subscribe @ai_news kenya")
        assert await channel_active(store) is False  # an answer about it does not undo the pause

        fake.set_bot_rights(CHANNEL, may_post=True)
        await fake.push_update(bot_status_update(CHANNEL, "administrator", "administrator", by=OWNER))
        await until(lambda: channel_active(store), running, "the channel resumed")
        await publish(store, 2, "Salt caverns store hydrogen for winter")
        await until(lambda: 200 in posts_tried(fake), running, "the post after the promotion")
    assert listed.startswith("@ai_news's subscriptions:\n• Energy — instant")
    assert "paused" in listed
    assert refused == CHANNEL_ADMINS_ONLY.format(channel="@ai_news")
    assert not_subscribed == CANNOT_POST_IN_CHANNEL.format(channel="@ai_news")
    assert posts_tried(fake) == [400, 200]  # the refused post was given up, not retried
    assert [text for text in texts_to(fake, CHANNEL) if "Salt caverns" in text] == texts_to(fake, CHANNEL)


async def test_a_removed_bot_keeps_the_subscriptions_until_an_admin_removes_them_once_it_is_back(tmp_path):
    async with managing_a_channel(tmp_path) as (fake, store, running):
        await ask(fake, running, "/subscribe @ai_news energy")
        await ask(fake, running, "/subscribe @ai_news kenya daily 08:00")

        fake.set_bot_rights(CHANNEL, may_post=None)  # removed from the channel
        await publish(store, 1, "Tidal turbines power a fishing harbour")
        await until(lambda: posts_tried(fake) == [403], running, "the refused post")
        await until(lambda: channel_paused(store), running, "the channel paused")
        while_out = await ask(fake, running, "/unsubscribe @ai_news all")
        kept_while_out = await subscriptions_kept(store)

        fake.set_bot_rights(CHANNEL, may_post=False)  # back as an administrator, not allowed to post
        await fake.push_update(bot_status_update(CHANNEL, "left", "administrator", by=OWNER, may_post=False))
        removed = await ask(fake, running, "/unsubscribe @ai_news all")
        still_paused = await channel_active(store)
    assert while_out == NOT_ADMIN_OF_CHANNEL.format(channel="@ai_news")
    assert kept_while_out == 2
    assert removed == "Removed 2 subscriptions: @ai_news gets nothing now."
    assert still_paused is False
    assert posts_tried(fake) == [403]
