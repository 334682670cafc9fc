"""Every command end to end: fake Discord → real discord.py → adapter → router → real Store (sample articles)."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import pytest

from bot.adapters.discord import DiscordAdapter
from bot.adapters.discord.commands import SUBSCRIPTION_COMMANDS
from bot.adapters.discord.suggest import build_suggest
from bot.config import DiscordSettings
from bot.model import Target
from bot.subscriptions.cadence import Cadence
from bot.subscriptions.store import SubscriptionStore
from bot.router import build_router
from fake_discord import EPHEMERAL, FakeDiscord
from helpers_content import FIXED_NOW, open_sample_store, sample_context

TOKEN = ":".join(["123456", "TEST-TOKEN"])
STEP_TIMEOUT = 10.0
MANAGE_CHANNELS = 1 << 4
SEND_MESSAGES = 1 << 11
CHANNEL = Target("discord", "42")

EVERY_COMMAND = [
    ("latest", None, "Kenyan dairy cooperative forecasts milk prices with AI"),
    ("sector", "energy", "Thai utility pilots a smart grid in Chiang Mai"),
    ("sector", None, "Agriculture"),
    ("country", "kenya", "Kenyan schools try an AI reading tutor"),
    ("country", "southeast asia", "Vietnamese electronics plant adds machine vision inspection"),
    ("news", "AI education in Kenya", "Kenyan schools try an AI reading tutor"),
    ("search", "smart grid", "Thai utility pilots a smart grid in Chiang Mai"),
    ("sectors", None, "Education"),
    ("countries", None, "Kenya"),
    ("about", None, "Example Wire"),
    ("help", None, "/search smart grid"),
]


def visible(payloads: list[dict]) -> str:
    """Everything a user would read: contents, embed titles, descriptions, fields and button labels."""
    parts = []
    for payload in payloads:
        parts.append(payload.get("content") or "")
        for embed in payload.get("embeds") or []:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [f"{field['name']}: {field['value']}" for field in embed.get("fields", [])]
        for row in payload.get("components") or []:
            parts += [button.get("label", "") for button in row["components"]]
    return "\n".join(parts).replace("\\", "")


@asynccontextmanager
async def discord_newsbot(database_url: str):
    store = await open_sample_store(database_url)
    context = sample_context(store)
    async with FakeDiscord(TOKEN) as fake:
        settings = DiscordSettings(token=TOKEN, api_base=fake.api_base, gateway_url=fake.gateway_url)
        adapter = DiscordAdapter(
            settings, suggest=build_suggest(store, context.tagger), guild_ready_timeout=0.01,
            extra_commands=SUBSCRIPTION_COMMANDS,
        )
        try:
            await asyncio.wait_for(adapter.connect(), STEP_TIMEOUT)
            await asyncio.wait_for(adapter.listen(build_router(context).handle), STEP_TIMEOUT)
            yield fake, store, context
        finally:
            await asyncio.wait_for(adapter.disconnect(), STEP_TIMEOUT)
            await store.close()


async def test_every_command_answers_with_the_sample_articles(database_url):
    async with discord_newsbot(database_url) as (fake, _, _):
        for name, value, expected in EVERY_COMMAND:
            log = await fake.wait_answered(await fake.slash(name, value), timeout=STEP_TIMEOUT)
            assert expected in visible(log.message_payloads()), (name, value)
        assert fake.rejected == []


async def test_more_pages_through_every_article_once(database_url):
    async with discord_newsbot(database_url) as (fake, _, _):
        log = await fake.wait_answered(await fake.slash("latest"), timeout=STEP_TIMEOUT)
        message = fake.messages_in(log.channel_id)[-1]
        titles = [embed["title"] for embed in message["embeds"]]
        while message["components"]:
            more = message["components"][0]["components"][-1]
            assert more["label"] == "More"
            await fake.wait_answered(await fake.click(message, more["custom_id"]), timeout=STEP_TIMEOUT)
            message = fake.message(message["id"])
            titles += [embed["title"] for embed in message["embeds"]]
        assert len(titles) == 12 and len(set(titles)) == 12


async def test_the_sector_list_buttons_open_a_sector(database_url):
    async with discord_newsbot(database_url) as (fake, _, _):
        log = await fake.wait_answered(await fake.slash("sector"), timeout=STEP_TIMEOUT)
        message = fake.messages_in(log.channel_id)[-1]
        buttons = [button for row in message["components"] for button in row["components"]]
        energy = next(button for button in buttons if button["label"].startswith("Energy"))
        click = await fake.wait_answered(await fake.click(message, energy["custom_id"]), timeout=STEP_TIMEOUT)
        assert "Thai utility pilots a smart grid in Chiang Mai" in visible(click.message_payloads())


async def test_help_is_ephemeral(database_url):
    async with discord_newsbot(database_url) as (fake, _, _):
        log = await fake.wait_answered(await fake.slash("help"), timeout=STEP_TIMEOUT)
        assert log.responses[0][1]["data"]["flags"] & EPHEMERAL


async def test_autocomplete_lists_names_with_article_counts(database_url):
    async with discord_newsbot(database_url) as (fake, _, _):
        place = await fake.wait_answered(await fake.autocomplete("country", "ken"), timeout=STEP_TIMEOUT)
        sector = await fake.wait_answered(await fake.autocomplete("sector", "ener"), timeout=STEP_TIMEOUT)
        everything = await fake.wait_answered(await fake.autocomplete("sector", ""), timeout=STEP_TIMEOUT)
    assert place.choices[0] == {"name": "Kenya (3 articles)", "value": "Kenya"}
    assert sector.choices[0] == {"name": "Energy (2 articles)", "value": "Energy"}
    assert len(everything.choices) >= 11
    assert everything.choices[0]["name"] in ("Education (3 articles)", "Agriculture (3 articles)")


async def test_unsubscribe_autocomplete_offers_the_channels_own_subscriptions(database_url):
    manager = {"permissions": MANAGE_CHANNELS}
    async with discord_newsbot(database_url) as (fake, _, _):
        for topic in ("energy", "kenya daily 08:00"):
            await fake.wait_answered(await fake.slash("subscribe", topic, **manager), timeout=STEP_TIMEOUT)
        elsewhere = await fake.wait_answered(await fake.autocomplete("unsubscribe", "", channel_id=42), timeout=STEP_TIMEOUT)
        offered = await fake.wait_answered(await fake.autocomplete("unsubscribe", ""), timeout=STEP_TIMEOUT)
        typed = await fake.wait_answered(await fake.autocomplete("unsubscribe", "ken"), timeout=STEP_TIMEOUT)
        [kenya] = typed.choices
        removed = await fake.wait_answered(await fake.slash("unsubscribe", kenya["value"], **manager), timeout=STEP_TIMEOUT)
        left = await fake.wait_answered(await fake.autocomplete("unsubscribe", ""), timeout=STEP_TIMEOUT)
    assert elsewhere.choices == []
    assert [choice["name"] for choice in offered.choices] == ["Energy (instant)", "Kenya (daily 08:00)", "All of them"]
    assert kenya["name"] == "Kenya (daily 08:00)" and kenya["value"].startswith("#")
    assert "Unsubscribed from Kenya." in visible(removed.message_payloads())
    assert [choice["name"] for choice in left.choices] == ["Energy (instant)"]


async def test_a_member_without_manage_channels_is_told_that_is_the_permission_needed(database_url):
    async with discord_newsbot(database_url) as (fake, _, _):
        refusals = [
            await fake.wait_answered(await fake.slash(name, args, permissions=SEND_MESSAGES), timeout=STEP_TIMEOUT)
            for name, args in (("subscribe", "energy"), ("unsubscribe", "energy"), ("settings", "format compact"))
        ]
        allowed = await fake.wait_answered(await fake.slash("subscribe", "energy", permissions=MANAGE_CHANNELS), timeout=STEP_TIMEOUT)
    for refusal in refusals:
        assert visible(refusal.message_payloads()) == (
            "Only members with the Manage Channels permission can change what this chat receives."
        )
        assert refusal.responses[0][1]["data"]["flags"] & EPHEMERAL
    assert visible(allowed.message_payloads()).startswith("Subscribed to Energy")


async def test_typing_all_offers_to_remove_all_of_the_channels_subscriptions(database_url):
    store = await open_sample_store(database_url)
    try:
        subscriptions = SubscriptionStore(store.engine)
        for sector in ("energy", "health", "finance"):
            await subscriptions.add(CHANNEL, "sector", sector, Cadence("instant"), FIXED_NOW)
        suggest = build_suggest(store, sample_context(store).tagger)
        for typed in ("a", "al", "all", "All"):  # whether or not a label holds what was typed
            assert ("All of them", "all") in await suggest("subscription", typed, CHANNEL), typed
        fewer = build_suggest(store, sample_context(store).tagger, limit=3)
        offered = await fewer("subscription", "", CHANNEL)
        assert len(offered) == 3 and offered[-1] == ("All of them", "all")  # a long list does not push it out
    finally:
        await store.close()


async def test_suggest_ranks_prefixes_then_words_then_the_resolver(database_url):
    store = await open_sample_store(database_url)
    try:
        suggest = build_suggest(store, sample_context(store).tagger)
        places = await suggest("place", "", CHANNEL)
        counts = [int(label.rsplit("(", 1)[1].split()[0]) for label, _ in places]
        assert counts == sorted(counts, reverse=True) and ("Kenya (3 articles)", "Kenya") in places
        assert {"Thailand", "Brazil", "Egypt"} <= {value for _, value in places}
        assert [value for _, value in await suggest("place", "thai", CHANNEL)][:1] == ["Thailand"]
        assert "Kenya" in [value for _, value in await suggest("place", "kenyan", CHANNEL)]  # a demonym, via the resolver
        assert [value for _, value in await suggest("sector", "manu", CHANNEL)] == ["Manufacturing"]
        with pytest.raises(ValueError):
            await suggest("planet", "x", CHANNEL)
    finally:
        await store.close()


async def test_settings_alone_shows_the_channels_settings(database_url):
    manager = {"permissions": MANAGE_CHANNELS}
    async with discord_newsbot(database_url) as (fake, _, _):
        await fake.wait_answered(await fake.slash("settings", "format compact", **manager), timeout=STEP_TIMEOUT)
        shown = await fake.wait_answered(await fake.slash("settings"), timeout=STEP_TIMEOUT)
    assert "This chat's digests follow UTC; its posts are compact" in visible(shown.message_payloads())


async def test_subscribe_autocomplete_offers_what_was_typed_before_a_name_it_only_comes_near(database_url):
    async with discord_newsbot(database_url) as (fake, _, _):
        answers = {}
        for typed in ("energy kenya daily 08:00", "oil", "ener", "x" * 101):
            answers[typed] = await fake.wait_answered(await fake.autocomplete("subscribe", typed), timeout=STEP_TIMEOUT)
    both, oil, name, too_long = (answers[typed].choices for typed in answers)
    assert both[:1] == [{"name": "energy kenya daily 08:00", "value": "energy kenya daily 08:00"}]
    assert [choice["value"] for choice in oil] == ["oil", "Energy"]  # /subscribe oil follows the word, as /news oil
    assert name[0]["value"] == "Energy"  # the start of a name: the name first
    assert all(len(choice["value"]) <= 100 for choice in too_long)
