"""A Discord server whose administrator takes the bot's rights in a channel away and gives them back, kicks
the bot and invites it again, and deletes a channel, walked through the whole of `newsbot run` in process
against the fake Discord: deliveries pause without retrying, resume as soon as the bot may post again
(without anyone running a command), and a deleted channel's subscriptions go."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager

import sqlalchemy as sa
from pydantic import SecretStr

from bot.config import DiscordSettings
from bot.delivery import tables
from content.store import Store
from fake_discord import BOT_IN_A_CHANNEL, SEND_MESSAGES, VIEW_CHANNEL, FakeDiscord
from run_helpers import fake_token
from test_run_app import MANAGE_CHANNELS, STEP, app_config, newsbot, publish, until

GUILD, NEWS, TALK = 900, 901, 902
BOT_ROLE = GUILD + 1  # the role Discord gives a bot it adds to a server


async def channel_active(store: Store, channel: int) -> bool | None:
    t = tables.targets
    async with store.engine.connect() as connection:
        return (await connection.execute(sa.select(t.c.active).where(t.c.chat == str(channel)))).scalar()


async def channel_paused(store: Store, channel: int) -> bool:
    return await channel_active(store, channel) is False


async def subscriptions_kept(store: Store, channel: int) -> int:
    s, t = tables.subscriptions, tables.targets
    query = sa.select(sa.func.count()).select_from(s.join(t)).where(t.c.chat == str(channel))
    async with store.engine.connect() as connection:
        return (await connection.execute(query)).scalar()


async def lost_its_subscriptions(store: Store, channel: int) -> bool:
    return await subscriptions_kept(store, channel) == 0


def posts_tried(fake: FakeDiscord, channel: int) -> int:
    return len([call for call in fake.calls if call.method == "POST" and call.path == f"/channels/{channel}/messages"])


def posted(fake: FakeDiscord, channel: int) -> str:
    return json.dumps(fake.messages_in(str(channel)))


async def run_in(fake: FakeDiscord, channel: int, name: str, value: str | None = None) -> str:
    """A member with Manage Channels runs a command in the channel, where the bot has the rights it has now."""
    origin = dict(guild_id=GUILD, channel_id=channel, permissions=MANAGE_CHANNELS, app_permissions=fake.bot_permissions(channel))
    answer = await fake.wait_answered(await fake.slash(name, value, **origin), timeout=STEP)
    return json.dumps(answer.message_payloads())


@asynccontextmanager
async def serving_a_guild(tmp_path, monkeypatch):
    """newsbot running in a guild with #news and #talk, each subscribed to Energy; (fake, store, running)."""
    monkeypatch.chdir(tmp_path)  # the app keeps its command-sync state under ./.newsbot
    async with FakeDiscord(fake_token()) as fake:
        fake.add_guild(GUILD, NEWS, TALK)
        discord = DiscordSettings(token=SecretStr(fake_token()), api_base=fake.api_base, gateway_url=fake.gateway_url)
        async with newsbot(app_config(tmp_path, discord=discord)) as (store, running):
            await fake.wait_until(lambda: fake.synced_commands and fake.identify_count, timeout=STEP)
            for channel in (NEWS, TALK):
                assert "Subscribed to Energy" in await run_in(fake, channel, "subscribe", "energy")
            yield fake, store, running


async def test_a_channel_the_bot_may_not_post_in_pauses_and_resumes_when_its_right_is_given_back(tmp_path, monkeypatch):
    async with serving_a_guild(tmp_path, monkeypatch) as (fake, store, running):
        await fake.set_bot_overwrite(NEWS, deny=SEND_MESSAGES)
        await publish(store, 1, "Tidal turbines power a fishing harbour")
        await until(lambda: channel_paused(store, NEWS), running, "#news paused")
        await until(lambda: "Tidal turbines" in posted(fake, TALK), running, "#talk's post")
        refused = await run_in(fake, NEWS, "subscribe", "kenya")
        listed = await run_in(fake, NEWS, "subscriptions")
        assert await channel_paused(store, NEWS)  # a command there does not undo the pause

        await fake.set_bot_overwrite(NEWS)  # the administrator lifts the deny
        await until(lambda: channel_active(store, NEWS), running, "#news resumed")
        await publish(store, 2, "Salt caverns store hydrogen for winter")
        await until(lambda: "Salt caverns" in posted(fake, NEWS), running, "#news's post after the fix")
    assert "send messages and embed links" in refused
    assert "Energy" in listed and "paused" in listed
    assert posts_tried(fake, NEWS) == 2  # the refused post was given up, not retried
    assert "Tidal turbines" not in posted(fake, NEWS)  # what came while it was paused is not sent in a burst


async def test_a_role_that_gets_its_permissions_back_resumes_the_channels_it_lets_the_bot_post_in(tmp_path, monkeypatch):
    async with serving_a_guild(tmp_path, monkeypatch) as (fake, store, running):
        await fake.set_bot_overwrite(TALK, deny=VIEW_CHANNEL)  # #talk stays closed to the bot throughout
        await fake.set_role_permissions(GUILD, BOT_ROLE, BOT_IN_A_CHANNEL & ~SEND_MESSAGES)
        await publish(store, 1, "Tidal turbines power a fishing harbour")
        for channel in (NEWS, TALK):
            await until(lambda: channel_paused(store, channel), running, "both channels paused")

        await fake.set_role_permissions(GUILD, BOT_ROLE, BOT_IN_A_CHANNEL)
        await until(lambda: channel_active(store, NEWS), running, "#news resumed")
        await publish(store, 2, "Salt caverns store hydrogen for winter")
        await until(lambda: "Salt caverns" in posted(fake, NEWS), running, "#news's post")
        talk_paused = await channel_paused(store, TALK)
    assert talk_paused  # resuming it would only find it refused again
    assert posts_tried(fake, TALK) == 1


async def test_a_kicked_bot_keeps_the_subscriptions_paused_and_resumes_them_when_invited_back(tmp_path, monkeypatch):
    async with serving_a_guild(tmp_path, monkeypatch) as (fake, store, running):
        await fake.remove_bot(GUILD)
        await publish(store, 1, "Tidal turbines power a fishing harbour")
        for channel in (NEWS, TALK):
            await until(lambda: channel_paused(store, channel), running, "both channels paused")
        kept = [await subscriptions_kept(store, channel) for channel in (NEWS, TALK)]

        await fake.set_bot_overwrite(TALK, deny=VIEW_CHANNEL)  # changed while the bot was out
        await fake.add_bot(GUILD)
        await until(lambda: channel_active(store, NEWS), running, "#news resumed")
        await publish(store, 2, "Salt caverns store hydrogen for winter")
        await until(lambda: "Salt caverns" in posted(fake, NEWS), running, "#news's post")
        talk_paused = await channel_paused(store, TALK)
    assert kept == [1, 1]
    assert talk_paused
    assert [posts_tried(fake, channel) for channel in (NEWS, TALK)] == [2, 1]


async def test_a_deleted_channel_loses_its_subscriptions_and_the_others_keep_theirs(tmp_path, monkeypatch):
    async with serving_a_guild(tmp_path, monkeypatch) as (fake, store, running):
        await fake.delete_channel(NEWS)
        await until(lambda: lost_its_subscriptions(store, NEWS), running, "#news's subscriptions dropped")
        await publish(store, 1, "Tidal turbines power a fishing harbour")
        await until(lambda: "Tidal turbines" in posted(fake, TALK), running, "#talk's post")
        kept = await subscriptions_kept(store, TALK)
    assert kept == 1
    assert posts_tried(fake, NEWS) == 0
