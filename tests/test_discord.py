"""The Discord adapter with the real discord.py against the fake Discord (REST + gateway) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime, timedelta, timezone

import aiohttp
import pytest
from discord import VoiceClient
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.base import RateLimited, TargetDeleted, TargetGone, TransientError
from bot.adapters.discord import DiscordAdapter, DiscordConnectError, SlashCommand
from bot.clock import ManualClock
from bot.config import DiscordSettings
from bot.commands.news import MAX_LATEST
from bot.model import Action, ArticleCard, Command, Reply, Target
from fake_discord import EMBED_LINKS, EPHEMERAL, FakeDiscord, UnansweringFakeDiscord

TOKEN = ":".join(["123456", "TEST-TOKEN"])  # built at runtime; a fake token
DM = {"guild_id": None, "channel_id": 3_000_000_000_000_000_01, "user_id": 4_000_000_000_000_000_01}
MANAGE_CHANNELS = 1 << 4


class Recorder:
    """A handler that records commands and answers with what `answers` says for the command name."""

    def __init__(self, answers=None):
        self.commands: list[Command] = []
        self.answers = answers or {}

    async def __call__(self, command: Command) -> Reply:
        self.commands.append(command)
        answer = self.answers.get(command.name)
        if callable(answer):
            return await answer(command)
        return answer or Reply(text=f"ran /{command.name} {command.args}".strip())


def card(number: int, **changes) -> ArticleCard:
    fields = dict(
        title=f"Story {number}",
        url=f"https://news.example.org/{number}",
        summary=f"Summary of story {number}.",
        sectors=("Energy",),
        countries=("Kenya",),
        source="Example Wire",
        published=datetime(2026, 5, number % 28 + 1, tzinfo=timezone.utc),
    )
    fields.update(changes)
    return ArticleCard(**fields)


def settings(fake: FakeDiscord, **changes) -> DiscordSettings:
    return DiscordSettings(token=TOKEN, api_base=fake.api_base, gateway_url=fake.gateway_url, **changes)


@pytest.fixture
async def fake():
    async with FakeDiscord(TOKEN) as server:
        yield server


@pytest.fixture
async def start(fake):
    """Connect and listen an adapter against the fake; every adapter started is disconnected afterwards."""
    adapters: list[DiscordAdapter] = []

    async def started(handler, **options) -> DiscordAdapter:
        options.setdefault("guild_ready_timeout", 0.01)
        adapter = DiscordAdapter(options.pop("settings", None) or settings(fake), **options)
        adapters.append(adapter)
        await asyncio.wait_for(adapter.connect(), 10)
        await asyncio.wait_for(adapter.listen(handler), 10)
        return adapter

    yield started
    for adapter in adapters:
        await asyncio.wait_for(adapter.disconnect(), 10)
    # whatever a test did, every message the bot sent or edited pinged no one and stayed within the limits
    assert all(payload.get("allowed_mentions") == {"parse": []} for payload in fake.message_payloads)
    assert fake.rejected == []


async def eventually(predicate, timeout: float = 5.0) -> None:
    """Poll for something the fake is not told about (such as a log record)."""
    async def poll():
        while not predicate():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


async def answered(fake: FakeDiscord, log, count: int = 1):
    return await fake.wait_answered(log, count, timeout=5)


# --- slash commands --------------------------------------------------------------------------------


STANDARD = [
    ("latest", 5, "5"),
    ("sector", "energy", "energy"),
    ("country", "kenya", "kenya"),
    ("news", "AI education in Thailand", "AI education in Thailand"),
    ("search", "smart grid", "smart grid"),
    ("sectors", None, ""),
    ("countries", None, ""),
    ("about", None, ""),
    ("help", "news", "news"),
    ("start", None, ""),
]


async def test_every_slash_command_becomes_the_neutral_command(fake, start):
    handler = Recorder()
    await start(handler)
    for name, value, args in STANDARD:
        log = await answered(fake, await fake.slash(name, value))
        assert log.callback_types == [4]
        assert log.message_payloads()[0]["content"] == f"ran /{name} {args}".strip()
    assert [(command.name, command.args) for command in handler.commands] == [(n, a) for n, _, a in STANDARD]
    first = handler.commands[0]
    assert first.target == Target("discord", "100000000000000010")
    assert first.user == "100000000000000001"
    assert (first.chat_kind, first.is_admin) == ("group", False)


@pytest.mark.parametrize(
    ("value", "args"),
    [("solar <@123>", "solar"), ("<@!123456789012345678> smart grid <@&55>", "smart grid"), ("energy <#77> kenya", "energy kenya"),
     ("grid<@123>", "grid<@123>"), ("<@abc> solar", "<@abc> solar"),
     ("solar @everyone", "solar"), ("@here energy kenya", "energy kenya"), ("grid@here", "grid@here")],
)
async def test_a_mention_among_a_commands_words_is_no_word_of_them(fake, start, value, args):
    # "/search solar <@123>" looked for "solar" and "123", as Discord writes a member's mention into the option
    handler = Recorder()
    await start(handler)
    await answered(fake, await fake.slash("search", value))
    assert [command.args for command in handler.commands] == [args]


async def test_synced_commands_carry_options_and_autocomplete(fake, start):
    await start(Recorder())
    synced = {command["name"]: command for command in fake.synced_commands["global"]}
    assert set(synced) == {name for name, _, _ in STANDARD}
    count = synced["latest"]["options"][0]
    assert (count["name"], count["type"], count["min_value"], count["max_value"]) == ("count", 4, 1, MAX_LATEST)  # what /latest accepts
    assert synced["sector"]["options"][0]["autocomplete"] is True
    assert synced["news"]["options"][0]["required"] is True
    assert synced["help"]["options"][0]["required"] is False  # /help alone lists every command
    assert synced["start"]["options"] == []


def test_every_command_help_lists_is_a_slash_command():
    """/help on Discord lists the router's commands: each must be one a member can run there."""
    from unittest.mock import Mock

    from bot.adapters.discord.commands import STANDARD_COMMANDS, SUBSCRIPTION_COMMANDS
    from bot.context import Context
    from bot.router import build_router

    listed = {info.name for info in build_router(Mock(spec=Context)).commands()}
    assert listed == {command.name for command in (*STANDARD_COMMANDS, *SUBSCRIPTION_COMMANDS)}


async def test_direct_messages_are_private_and_channel_managers_are_admins(fake, start):
    handler = Recorder()
    await start(handler)
    await answered(fake, await fake.slash("latest", **DM))
    await answered(fake, await fake.slash("latest", permissions=MANAGE_CHANNELS))
    private, manager = handler.commands
    assert (private.chat_kind, private.is_admin, private.target.chat) == ("private", True, str(DM["channel_id"]))
    assert (manager.chat_kind, manager.is_admin) == ("group", True)


async def test_extra_commands_are_added_without_code_changes(fake, start):
    handler = Recorder()
    extra = [("subscribe", "Subscribe this chat", "topic"), ("subscriptions", "This chat's subscriptions", None)]
    await start(handler, extra_commands=extra)
    await answered(fake, await fake.slash("subscribe", "energy daily 08:00"))
    await answered(fake, await fake.slash("subscriptions"))
    assert [(c.name, c.args) for c in handler.commands] == [("subscribe", "energy daily 08:00"), ("subscriptions", "")]


# --- autocomplete ----------------------------------------------------------------------------------


async def test_autocomplete_offers_names_with_counts(fake, start):
    asked = []

    async def suggest(kind, partial, chat):
        asked.append((kind, partial))
        if kind == "sector":
            return [("Energy (3 articles)", "Energy")]
        return [(f"Place {number} (1 article)", f"Place {number}") for number in range(40)]

    topic = SlashCommand("subscribe", "Subscribe", "topic", kind="topic")
    await start(Recorder(), suggest=suggest, extra_commands=[topic])
    sector = await answered(fake, await fake.autocomplete("sector", "ene"))
    place = await answered(fake, await fake.autocomplete("country", "pl"))
    both = await answered(fake, await fake.autocomplete("subscribe", "e"))
    assert sector.choices == [{"name": "Energy (3 articles)", "value": "Energy"}]
    assert len(place.choices) == 25 and place.choices[0] == {"name": "Place 0 (1 article)", "value": "Place 0"}
    assert both.choices[0]["value"] == "Energy" and len(both.choices) == 25
    assert asked[:2] == [("sector", "ene"), ("place", "pl")]


async def test_topic_autocomplete_asks_for_sectors_and_places_at_once(fake, start):
    places_asked = asyncio.Event()

    async def suggest(kind, partial, chat):
        if kind == "sector":
            await places_asked.wait()  # answers only once places are being looked up too
            return [("Energy (3 articles)", "Energy")]
        places_asked.set()
        return [("Estonia (1 article)", "Estonia")]

    topic = SlashCommand("subscribe", "Subscribe", "topic", kind="topic")
    await start(Recorder(), suggest=suggest, extra_commands=[topic])
    both = await answered(fake, await fake.autocomplete("subscribe", "e"))
    assert [choice["value"] for choice in both.choices] == ["Energy", "Estonia"]


async def test_failing_autocomplete_answers_no_choices(fake, start):
    async def suggest(kind, partial, chat):
        raise RuntimeError("store is down")

    await start(Recorder(), suggest=suggest)
    log = await answered(fake, await fake.autocomplete("sector", "e"))
    assert log.choices == []


# --- buttons and pagination ------------------------------------------------------------------------


def paging_handler() -> Recorder:
    async def first_page(command):
        return Reply(text="Latest", cards=[card(1), card(2)], actions=[Action("More", "/more p2")])

    async def next_page(command):
        return Reply(text="Latest (page 2)", cards=[card(3)])

    return Recorder({"latest": first_page, "more": next_page})


async def test_more_button_shows_the_next_page_in_place(fake, start):
    handler = paging_handler()
    await start(handler)
    log = await answered(fake, await fake.slash("latest"))
    message = fake.messages_in(log.channel_id)[-1]
    assert [e["title"] for e in message["embeds"]] == ["Story 1", "Story 2"]
    assert message["components"][0]["components"][0]["custom_id"] == "/more p2"

    click = await answered(fake, await fake.click(message, "/more p2"))
    assert click.callback_types == [7]
    edited = fake.message(message["id"])
    assert [e["title"] for e in edited["embeds"]] == ["Story 3"]
    assert edited["content"] == "Latest (page 2)"
    assert edited["components"] == []
    assert (handler.commands[-1].name, handler.commands[-1].args) == ("more", "p2")


async def test_an_over_long_action_command_is_mapped_to_a_short_custom_id(fake, start):
    long_line = "/news " + "solar " * 30
    handler = Recorder({"latest": Reply(text="x", actions=[Action("Go", long_line)])})
    await start(handler)
    log = await answered(fake, await fake.slash("latest"))
    message = fake.messages_in(log.channel_id)[-1]
    custom_id = message["components"][0]["components"][0]["custom_id"]
    assert len(custom_id) <= 100 and custom_id.startswith("#")
    await answered(fake, await fake.click(message, custom_id))
    assert handler.commands[-1].name == "news" and handler.commands[-1].args == long_line[6:].strip()


async def test_a_mapped_button_from_before_a_restart_gets_an_ephemeral_notice(fake, start):
    handler = Recorder({"latest": Reply(text="x", actions=[Action("Go", "/news " + "a" * 120)])})
    first = await start(handler)
    log = await answered(fake, await fake.slash("latest"))
    message = fake.messages_in(log.channel_id)[-1]
    custom_id = message["components"][0]["components"][0]["custom_id"]
    await first.disconnect()
    await start(handler)  # the restarted bot never saw that token
    click = await answered(fake, await fake.click(message, custom_id))
    payload = click.responses[0][1]
    assert payload["type"] == 4 and payload["data"]["flags"] & EPHEMERAL
    assert "expired" in payload["data"]["content"]
    assert [command.name for command in handler.commands] == ["latest"]


# --- timing: deferral -------------------------------------------------------------------------------


async def test_a_slow_command_is_deferred_then_answered(fake, start):
    fake.callback_window = 0.5

    async def slow(command):
        await asyncio.sleep(0.8)
        return Reply(text="done slowly", cards=[card(1)])

    await start(Recorder({"search": slow}), defer_after=0.05)
    log = await answered(fake, await fake.slash("search", "grid"), count=2)
    assert log.callback_types == [5]
    kind, payload = log.responses[1]
    assert kind == "edit_original" and payload["content"] == "done slowly"
    assert fake.message(log.original_message_id)["embeds"][0]["title"] == "Story 1"


async def test_without_deferral_discord_would_drop_the_answer_and_the_bot_carries_on(fake, start, caplog):
    fake.callback_window = 0.2

    async def slow(command):
        await asyncio.sleep(0.4)
        return Reply(text="too late")

    await start(Recorder({"search": slow}), defer_after=5)
    late = await fake.slash("search", "grid")
    await eventually(lambda: any("answering /search" in record.getMessage() for record in caplog.records))
    assert late.responses == []
    log = await answered(fake, await fake.slash("about"))
    assert log.callback_types == [4]


async def test_a_slow_private_reply_replaces_the_public_thinking_message(fake, start):
    async def slow_private(command):
        await asyncio.sleep(0.3)
        return Reply(text="only for you", private=True)

    await start(Recorder({"help": slow_private}), defer_after=0.05)
    log = await answered(fake, await fake.slash("help"), count=3)
    assert [kind for kind, _ in log.responses] == ["callback", "delete_original", "followup"]
    assert log.responses[2][1]["flags"] & EPHEMERAL


async def test_a_command_that_arrived_late_is_deferred_within_3_s_of_its_making(fake, start):
    release = asyncio.Event()

    async def slow(command):
        await release.wait()
        return Reply(text="done after a late arrival")

    await start(Recorder({"search": slow}))
    log = await fake.wait_answered(await fake.slash("search", "grid", late_by=1.5))  # 1.5 of the 3 s lost on the way
    release.set()
    log = await answered(fake, log, count=2)
    assert log.callback_types == [5]
    assert log.responses[1][1]["content"] == "done after a late arrival"


async def test_a_clock_ahead_of_discords_does_not_defer_a_quick_answer(fake, start):
    clock = ManualClock(datetime.now(timezone.utc) + timedelta(minutes=1))
    await start(Recorder({"about": Reply(text="about newsbot")}), clock=clock)
    log = await answered(fake, await fake.slash("about"))
    assert log.callback_types == [4]


async def test_a_clock_behind_discords_still_defers_a_slow_command(fake, start):
    release = asyncio.Event()

    async def slow(command):
        await release.wait()
        return Reply(text="done slowly")

    clock = ManualClock(datetime.now(timezone.utc) - timedelta(minutes=1))
    await start(Recorder({"search": slow}), defer_after=0.05, clock=clock)
    log = await fake.wait_answered(await fake.slash("search", "grid"))
    release.set()
    assert (await answered(fake, log, count=2)).callback_types == [5]


async def test_private_replies_are_ephemeral(fake, start):
    await start(Recorder({"help": Reply(text="Commands…", private=True)}))
    log = await answered(fake, await fake.slash("help"))
    assert log.responses[0][1]["data"]["flags"] & EPHEMERAL


async def test_a_crashing_handler_gets_an_apology_and_the_bot_keeps_working(fake, start, caplog):
    async def crash(command):
        raise RuntimeError("boom")

    await start(Recorder({"search": crash}))
    log = await answered(fake, await fake.slash("search", "x"))
    data = log.responses[0][1]["data"]
    assert data["flags"] & EPHEMERAL and "Sorry" in data["content"]
    assert any(record.exc_info and "boom" in str(record.exc_info[1]) for record in caplog.records)
    assert (await answered(fake, await fake.slash("about"))).callback_types == [4]


async def test_a_command_discord_py_cannot_run_gets_an_apology(fake, start, caplog):
    handler = Recorder()
    await start(handler)
    stale = {"id": "1", "name": "stale", "type": 1, "options": []}  # still registered from an older version
    fake.synced_commands["global"].append(stale)
    log = await answered(fake, await fake.slash("stale"))
    data = log.responses[0][1]["data"]
    assert data["flags"] & EPHEMERAL and "Sorry" in data["content"]
    assert handler.commands == [] and "before reaching newsbot" in caplog.text


# --- escaping and limits ----------------------------------------------------------------------------

INJECTION = "@everyone <@123> **x** [x](http://evil.example/) `code` ||spoiler||"


async def test_markdown_and_mentions_are_escaped_and_never_ping(fake, start):
    async def echo(command):
        hostile = card(1, title=INJECTION, summary=INJECTION, source=INJECTION, sectors=(INJECTION,))  # a mention typed is dropped
        return Reply(text=INJECTION, cards=[hostile], actions=[Action("More", "/more p2")])

    await start(Recorder({"search": echo, "more": echo}))
    log = await answered(fake, await fake.slash("search", INJECTION))
    message = fake.messages_in(log.channel_id)[-1]
    await answered(fake, await fake.click(message, "/more p2"))
    payload = log.message_payloads()[0]
    embed = payload["embeds"][0]
    for shown in (payload["content"], embed["title"], embed["description"], embed["fields"][0]["value"]):
        assert "@\u200beveryone" in shown and "\\<@123>" in shown and "\\*\\*x\\*\\*" in shown
        assert "\\[x\\](http://evil.example/)" in shown and "\\`code\\`" in shown and "\\|\\|spoiler" in shown
    assert len(fake.message_payloads) >= 2
    assert all(p["allowed_mentions"]["parse"] == [] for p in fake.message_payloads if "allowed_mentions" in p)
    assert all("allowed_mentions" in p for p in fake.message_payloads if p.get("content") or p.get("embeds"))


async def test_a_reply_over_the_limits_is_split_across_followups(fake, start):
    cards = [card(number, summary="word " * 900) for number in range(23)]
    long_text = "\n".join(f"line {number} " + "x" * 90 for number in range(45))  # about 4,500 characters

    async def big(command):
        return Reply(text=long_text, cards=cards, actions=[Action("More", "/more p2")])

    await start(Recorder({"latest": big}))
    log = await fake.slash("latest")
    await fake.wait_until(lambda: sum(len(p.get("embeds") or []) for p in log.message_payloads()) == 23)
    payloads = log.message_payloads()
    assert fake.rejected == []
    assert [kind for kind, _ in log.responses][0] == "callback" and len(payloads) >= 6
    titles = [embed["title"] for payload in payloads for embed in payload.get("embeds") or []]
    assert titles == [f"Story {number}" for number in range(23)]
    assert all(len(p.get("embeds") or []) <= 10 and len(p.get("content") or "") <= 2000 for p in payloads)
    assert [bool(p.get("components")) for p in payloads] == [False] * (len(payloads) - 1) + [True]


async def test_buttons_past_25_come_on_a_message_of_their_own_and_work(fake, start):
    removes = [Action(f"Remove {n}", f"/unsubscribe #{n}") for n in range(30)]
    handler = Recorder({"sectors": Reply(text="Yours:", actions=removes)})
    await start(handler)
    log = await answered(fake, await fake.slash("sectors"), count=2)
    first, more = log.message_payloads()
    labels = [[button["label"] for row in p["components"] for button in row["components"]] for p in (first, more)]
    assert labels == [[f"Remove {n}" for n in range(25)], [f"Remove {n}" for n in range(25, 30)]]
    assert more["content"] == "More:" and fake.rejected == []
    message = fake.messages_in(log.channel_id)[-1]
    await answered(fake, await fake.click(message, "/unsubscribe #29"))
    assert (handler.commands[-1].name, handler.commands[-1].args) == ("unsubscribe", "#29")


# --- delivery: send() -------------------------------------------------------------------------------


async def test_send_posts_embeds_to_the_channel(fake, start):
    adapter = await start(Recorder())
    await adapter.send(Target("discord", "555"), Reply(text="Morning digest", cards=[card(1), card(2)]))
    (message,) = fake.messages_in("555")
    assert message["content"] == "Morning digest" and len(message["embeds"]) == 2
    assert fake.calls[-1].body["allowed_mentions"]["parse"] == []


async def test_send_posts_a_card_whose_source_shows_nothing_without_an_empty_field(fake, start):
    adapter = await start(Recorder())
    await adapter.send(Target("discord", "555"), Reply(cards=[card(1, source="\u202e")]))
    (message,) = fake.messages_in("555")
    assert [field["name"] for field in message["embeds"][0]["fields"]] == ["Sectors", "Places", "Published"]


async def test_send_waits_out_a_short_429_then_succeeds(fake, start):
    adapter = await start(Recorder())
    fake.rate_limit("POST", r"/channels/555/messages", retry_after=0.05)
    await adapter.send(Target("discord", "555"), Reply(text="hello"))
    posts = [call for call in fake.calls if call.path == "/channels/555/messages"]
    assert len(posts) == 2 and len(fake.messages_in("555")) == 1


@pytest.mark.parametrize("scope", ["channel", "global"])
async def test_send_raises_rate_limited_for_a_long_429_on_every_channel_when_global(fake, start, scope):
    adapter = await start(Recorder())
    limit = fake.global_rate_limit if scope == "global" else fake.rate_limit
    limit("POST", r"/channels/555/messages", retry_after=64.57)
    with pytest.raises(RateLimited) as raised:
        await asyncio.wait_for(adapter.send(Target("discord", "555"), Reply(text="hello")), 5)
    assert raised.value.retry_after == 64.57
    assert raised.value.platform_wide == (scope == "global")
    assert fake.messages_in("555") == []


async def test_a_channel_429_discord_py_retried_until_it_gave_up_holds_only_that_channel(fake, start):
    adapter = await start(Recorder())
    fake.rate_limit("POST", r"/channels/555/messages", retry_after=0.05, times=5)  # each short, all of discord.py's tries
    with pytest.raises(RateLimited) as raised:
        await asyncio.wait_for(adapter.send(Target("discord", "555"), Reply(text="hello")), 5)
    assert not raised.value.platform_wide and "Cloudflare" not in str(raised.value)
    assert fake.messages_in("555") == []


@pytest.mark.parametrize(
    "fault, error",
    [
        ("deleted", TargetDeleted),
        ("forbidden", TargetGone),
        (503, TransientError),
        (None, TransientError),  # connection dropped without an answer
        ("cloudflare", RateLimited),  # a 429 without Via: not Discord's limiter
    ],
)
async def test_send_maps_failures_for_the_delivery_worker(fake, start, fault, error):
    adapter = await start(Recorder())
    if fault == "deleted":
        fake.deleted_channels.add("555")
    elif fault == "forbidden":
        fake.forbidden_channels.add("555")
    elif fault == "cloudflare":
        fake.inject("POST", r"/channels/555/messages", 429, {"message": "blocked"})
    else:
        fake.inject("POST", r"/channels/555/messages", fault, {"message": "Service Unavailable", "code": 0})
    with pytest.raises(error):
        await asyncio.wait_for(adapter.send(Target("discord", "555"), Reply(text="hello")), 5)


async def test_a_channel_where_the_bot_may_not_embed_links_is_gone_not_sent_headings_without_articles(fake, start):
    fake.add_guild(900, 901)
    fake.guilds["900"].channels["901"]["permission_overwrites"] = [
        {"id": fake.bot_user_id, "type": 1, "allow": "0", "deny": str(EMBED_LINKS)}
    ]
    adapter = await start(Recorder())
    with pytest.raises(TargetGone) as raised:
        await adapter.send(Target("discord", "901"), Reply(text="New for your subscriptions", cards=[card(1)]))
    assert "embed links" in str(raised.value)
    assert [message["embeds"] for message in fake.messages_in("901")] == [[]]  # Discord posted the heading alone


async def test_a_reply_sent_to_a_forum_channel_goes_out_as_a_post_named_after_it(fake, start):
    fake.add_forum(900, 950)
    adapter = await start(Recorder())
    digest = Reply(text="morning digest: 4 new articles", cards=[card(n, summary="word " * 900) for n in range(4)])
    await adapter.send(Target("discord", "950"), digest)  # more than one message's 6,000 embed characters
    await adapter.send(Target("discord", "950"), Reply(cards=[card(5, title="Solar *pumps* reach [farms]")]))
    digest_post, article_post = fake.forum_posts["950"]
    assert (digest_post["name"], article_post["name"]) == ("morning digest: 4 new articles", "Solar *pumps* reach [farms]")
    messages = fake.messages_in(digest_post["id"])
    assert len(messages) > 1 and messages[0]["content"] == "morning digest: 4 new articles"
    assert [embed["title"] for message in messages for embed in message["embeds"]] == [f"Story {n}" for n in range(4)]
    assert [message["embeds"][0]["title"] for message in fake.messages_in(article_post["id"])] == ["Solar \\*pumps\\* reach \\[farms\\]"]


class ReachableRecorder:
    """A `reachable` callback that records the channels of each call."""

    def __init__(self):
        self.calls: list[list[str]] = []

    async def __call__(self, channels: list[Target]) -> None:
        self.calls.append(sorted(channel.chat for channel in channels))


async def test_the_channels_the_bot_may_post_in_are_told_reachable_when_a_guild_becomes_available(fake, start):
    fake.add_guild(900, 901, 902, 903)
    fake.guilds["900"].channels["902"]["permission_overwrites"] = [
        {"id": fake.bot_user_id, "type": 1, "allow": "0", "deny": str(1 << 11)}  # no Send Messages
    ]
    fake.guilds["900"].channels["903"]["permission_overwrites"] = [
        {"id": "900", "type": 0, "allow": "0", "deny": str(1 << 14)}  # no Embed Links for @everyone
    ]
    reachable = ReachableRecorder()
    await start(Recorder(), reachable=reachable)
    await eventually(lambda: reachable.calls)
    assert reachable.calls == [["9000", "901"]]


async def test_a_delivery_only_process_posts_in_a_forum_channel_it_has_not_seen(fake):
    fake.add_forum(900, 950)
    adapter = DiscordAdapter(settings(fake))
    await asyncio.wait_for(adapter.connect(), 10)  # as `newsbot run --deliver-only` does: no gateway, no channels known
    try:
        await adapter.send(Target("discord", "950"), Reply(text="morning digest: 1 new article", cards=[card(1)]))
    finally:
        await adapter.disconnect()
    (post,) = fake.forum_posts["950"]
    assert post["name"] == "morning digest: 1 new article"
    assert [message["embeds"][0]["title"] for message in fake.messages_in(post["id"])] == ["Story 1"]
    assert fake.rejected == []


async def test_a_forum_channel_the_bot_may_post_in_is_told_reachable_too(fake, start):
    fake.add_forum(900, 950)
    reachable = ReachableRecorder()
    await start(Recorder(), reachable=reachable)
    await eventually(lambda: reachable.calls)
    assert reachable.calls == [["9000", "950"]]


class GatedReachable(ReachableRecorder):
    """A `reachable` that waits, as a database read does, until `gate` opens; counts the calls waiting at once."""

    def __init__(self):
        super().__init__()
        self.gate = asyncio.Event()
        self.waiting = self.most_waiting = 0

    async def __call__(self, channels: list[Target]) -> None:
        self.waiting += 1
        self.most_waiting = max(self.most_waiting, self.waiting)
        await self.gate.wait()
        self.waiting -= 1
        await super().__call__(channels)


async def test_many_guilds_available_at_connect_are_told_reachable_one_call_at_a_time(fake, start):
    guilds = [1000 + 10 * n for n in range(30)]
    for guild in guilds:
        fake.add_guild(guild)
    reachable = GatedReachable()
    await start(Recorder(), reachable=reachable)  # ready: every guild's GUILD_AVAILABLE has been dispatched
    await eventually(lambda: reachable.waiting)
    for _ in range(20):  # the other guilds' events run as far as they go
        await asyncio.sleep(0)
    reachable.gate.set()
    await eventually(lambda: sum(map(len, reachable.calls)) == len(guilds))
    assert reachable.most_waiting == 1  # not a database read per guild at once, contending for the pool
    assert sorted(chat for call in reachable.calls for chat in call) == sorted(f"{guild}0" for guild in guilds)
    assert len(reachable.calls) <= 2  # those told while the first call waited, together


async def test_a_role_given_to_the_bot_that_lets_it_post_makes_the_guild_s_channels_reachable(fake, start):
    fake.add_guild(900, 901).roles["901"]["permissions"] = "0"  # the bot's own role has lost every permission
    reachable = ReachableRecorder()
    await start(Recorder(), reachable=reachable)
    await fake.give_bot_role(900, 905, 1 << 3)  # an administrator role is given to the bot
    await eventually(lambda: reachable.calls)
    assert reachable.calls == [["9000", "901"]]


async def test_a_deleted_channel_or_thread_is_told_as_discord_says_so(fake, start):
    deleted: list[Target] = []

    async def record(channel: Target) -> None:
        deleted.append(channel)

    fake.add_guild(900, 901)
    await start(Recorder(), deleted=record)
    await fake.delete_channel(901)
    await fake.dispatch("THREAD_DELETE", {"id": "903", "guild_id": "900", "parent_id": "902", "type": 11})
    await eventually(lambda: len(deleted) == 2)
    assert deleted == [Target("discord", "901"), Target("discord", "903")]


async def test_send_to_a_target_that_is_no_channel_id_is_gone(fake, start):
    adapter = await start(Recorder())
    with pytest.raises(TargetGone):
        await adapter.send(Target("discord", "#general"), Reply(text="hello"))


# --- gateway ----------------------------------------------------------------------------------------


async def test_gateway_loss_is_resumed_and_missed_events_are_replayed(fake, start):
    handler = Recorder()
    await start(handler)
    assert fake.heartbeats >= 1
    await fake.drop_gateway()
    missed = await fake.slash("about")  # dispatched while the bot is away
    await fake.wait_until(lambda: fake.resume_count == 1)
    await answered(fake, missed)
    assert fake.identify_count == 1
    assert (await answered(fake, await fake.slash("sectors"))).callback_types == [4]
    assert [command.name for command in handler.commands] == ["about", "sectors"]


async def test_an_invalidated_session_identifies_again_at_the_configured_gateway(fake, start):
    handler = Recorder()
    await start(handler)
    fake.expire_sessions()
    await fake.drop_gateway()
    # discord.py waits 5 s before identifying again; it reconnects to DEFAULT_GATEWAY, which must be ours
    await fake.wait_until(lambda: fake.identify_count == 2, timeout=20)
    assert fake.resume_count == 0
    assert (await answered(fake, await fake.slash("sectors"))).callback_types == [4]
    assert [command.name for command in handler.commands] == ["sectors"]


# --- command sync -----------------------------------------------------------------------------------


async def test_command_sync_is_skipped_when_the_command_set_is_unchanged(fake, start, tmp_path):
    state = tmp_path / "discord-sync.json"
    first = await start(Recorder(), sync_state=state)
    await first.disconnect()
    second = await start(Recorder(), sync_state=state)
    await second.disconnect()
    await start(Recorder(), sync_state=state, extra_commands=[("subscribe", "Subscribe", "topic")])
    assert fake.sync_requests == ["global", "global"]
    assert "subscribe" in {command["name"] for command in fake.synced_commands["global"]}


async def test_a_sync_state_that_cannot_be_written_is_warned_of_and_the_bot_starts(fake, start, tmp_path, caplog):
    """newsbot run from a folder it may not write in (a service's working directory /): the commands are
    synced all the same, and synced again at the next start."""
    (tmp_path / "read-only").write_text("")  # a file where the state's folder would be: no folder can be made there
    state = tmp_path / "read-only" / "discord-sync.json"
    await start(Recorder(), sync_state=state)
    assert fake.sync_requests == ["global"]
    assert any("cannot keep the Discord command sync state" in record.getMessage() for record in caplog.records)


async def test_commands_sync_to_configured_guilds(fake, start, caplog):
    fake.guild_ids = ["111", "222"]  # the bot is in two guilds: READY lists them, GUILD_CREATE follows
    handler = Recorder()
    await start(handler, settings=settings(fake, guild_ids=[111, 222]))
    assert fake.sync_requests == ["111", "222"] and "global" not in fake.synced_commands
    assert len(fake.synced_commands["222"]) == len(STANDARD)
    await answered(fake, await fake.slash("latest", 3, guild_id=222, channel_id=2220))
    assert (handler.commands[-1].args, handler.commands[-1].target.chat) == ("3", "2220")
    assert "intent" not in caplog.text.lower()


async def test_a_guild_that_refuses_the_sync_keeps_neither_the_bot_nor_the_other_guilds_from_starting(
    fake, start, tmp_path, caplog
):
    fake.guild_ids = ["111", "222", "333"]
    fake.inject("PUT", r"/applications/\d+/guilds/222/commands", 403, {"message": "Missing Access", "code": 50001})
    state = tmp_path / "discord-sync.json"
    adapter = await start(Recorder(), settings=settings(fake, guild_ids=[111, 222, 333]), sync_state=state)
    assert fake.sync_requests == ["111", "333"]
    assert "222" in caplog.text and "Missing Access" in caplog.text
    await adapter.disconnect()

    await start(Recorder(), settings=settings(fake, guild_ids=[111, 222, 333]), sync_state=state)
    assert fake.sync_requests == ["111", "333", "222"]  # the synced guilds are written down, the refused one tried again



async def test_a_scope_no_longer_configured_loses_its_commands_so_none_shows_twice(fake, start, tmp_path):
    fake.guild_ids = ["111"]
    state = tmp_path / "discord-sync.json"
    in_the_guild = settings(fake, guild_ids=[111])
    await (await start(Recorder(), settings=in_the_guild, sync_state=state)).disconnect()
    await (await start(Recorder(), sync_state=state)).disconnect()  # guild_ids taken out: global commands now
    assert fake.synced_commands["111"] == [] and len(fake.synced_commands["global"]) == len(STANDARD)
    await start(Recorder(), settings=in_the_guild, sync_state=state)  # and back
    assert fake.synced_commands["global"] == [] and len(fake.synced_commands["111"]) == len(STANDARD)
    assert fake.sync_requests == ["111", "global", "111", "111", "global"]


async def test_a_scope_left_that_refuses_its_removal_is_tried_again_unless_the_bot_left_it(fake, start, tmp_path):
    fake.guild_ids = ["111", "222"]
    state = tmp_path / "discord-sync.json"
    await (await start(Recorder(), settings=settings(fake, guild_ids=[111, 222]), sync_state=state)).disconnect()
    fake.rate_limit("PUT", r"/applications/\d+/guilds/111/commands", retry_after=120)
    fake.inject("PUT", r"/applications/\d+/guilds/222/commands", 403, {"message": "Missing Access", "code": 50001})
    await (await start(Recorder(), sync_state=state)).disconnect()
    await start(Recorder(), sync_state=state)
    assert fake.sync_requests == ["111", "222", "global", "111"]  # 222 is not asked again

# --- secrets and endpoints ------------------------------------------------------------------------


async def test_connecting_warns_of_nothing_about_voice_which_newsbot_never_uses(start, caplog, monkeypatch):
    monkeypatch.setattr(VoiceClient, "warn_nacl", True)  # as in a fresh process without PyNaCl
    monkeypatch.setattr(VoiceClient, "warn_dave", True)
    await start(Recorder())
    assert not [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]


async def test_the_token_never_appears_in_logs(fake, start, caplog):
    caplog.set_level(logging.DEBUG)

    async def crash(command):
        raise RuntimeError("boom")

    adapter = await start(Recorder({"search": crash}), defer_after=0.05)
    await answered(fake, await fake.slash("search", "x"))
    await fake.drop_gateway()
    await fake.wait_until(lambda: fake.resume_count == 1)
    fake.deleted_channels.add("555")
    with pytest.raises(TargetGone) as gone:
        await adapter.send(Target("discord", "555"), Reply(text="hello"))
    await adapter.disconnect()
    bad = DiscordAdapter(DiscordSettings(token="999:WRONG", api_base=fake.api_base, gateway_url=fake.gateway_url))
    with pytest.raises(DiscordConnectError, match="Improper token") as refused:
        await bad.connect()
    texts = [caplog.text, str(gone.value), str(refused.value), repr(adapter._settings)]
    assert len(caplog.records) > 20
    assert all(TOKEN not in text and "999:WRONG" not in text for text in texts)


@pytest.mark.parametrize("echo", [str.strip, str.lower], ids=["as sent", "lower case"])
async def test_a_server_echoing_the_token_in_an_error_does_not_show_it(fake, caplog, echo):
    caplog.set_level(logging.DEBUG)
    fake.inject("GET", r"/users/@me", 403, {"message": f"bad auth {echo('Bot ' + TOKEN)}", "code": 0})
    adapter = DiscordAdapter(DiscordSettings(token=TOKEN, api_base=fake.api_base, gateway_url=fake.gateway_url))
    with pytest.raises(DiscordConnectError, match="bad auth") as refused:
        await adapter.connect()
    assert TOKEN.lower() not in str(refused.value).lower()
    assert TOKEN.lower() not in caplog.text.lower()


async def test_a_token_written_with_a_line_break_after_it_is_hidden_as_discord_gets_it(fake, caplog):
    caplog.set_level(logging.DEBUG)
    sent = ":".join(["97531", "LINE-BREAK-TOKEN"])  # no other test's, which the log redactor would know already
    fake.inject("GET", r"/users/@me", 403, {"message": f"bad auth Bot {sent}", "code": 0})
    adapter = DiscordAdapter(DiscordSettings(token=f"{sent}\n", api_base=fake.api_base, gateway_url=fake.gateway_url))
    with pytest.raises(DiscordConnectError, match="bad auth") as refused:
        await adapter.connect()
    assert sent not in str(refused.value)
    assert sent not in caplog.text


async def test_endpoints_are_restored_after_disconnect(fake, start):
    before = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    adapter = await start(Recorder())
    assert Route.BASE == fake.api_base
    await adapter.disconnect()
    assert (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY) == before


async def test_an_unreachable_discord_is_a_clear_connect_error():
    unreachable = DiscordSettings(token=TOKEN, api_base="http://127.0.0.1:9/api/v10")
    with pytest.raises(DiscordConnectError, match="cannot connect to Discord at http://127.0.0.1:9/api/v10"):
        await asyncio.wait_for(DiscordAdapter(unreachable).connect(), 10)
    assert Route.BASE == "https://discord.com/api/v10"


async def test_a_discord_that_takes_the_login_and_never_answers_is_a_connect_error_saying_so(monkeypatch):
    monkeypatch.setattr(aiohttp.client, "DEFAULT_TIMEOUT", aiohttp.ClientTimeout(total=0.5))  # discord.py's: 300 s
    async with UnansweringFakeDiscord(TOKEN) as fake:
        adapter = DiscordAdapter(DiscordSettings(token=TOKEN, api_base=fake.api_base, gateway_url=fake.gateway_url))
        with pytest.raises(DiscordConnectError) as refused:
            await asyncio.wait_for(adapter.connect(), 10)
        fake.answer.set()
    assert str(refused.value) == f"cannot connect to Discord at {fake.api_base}: TimeoutError"


@pytest.mark.parametrize(("status", "told"), [(200, "its answer is not the Discord API's JSON"), (404, "404 Not Found")])
async def test_a_web_page_where_the_api_should_be_is_one_short_connect_error(fake, status, told):
    page = "<html><body>" + "<p>Welcome to our proxy</p>" * 200 + "</body></html>"
    fake.inject("GET", r"/users/@me", status, page, times=10)
    adapter = DiscordAdapter(DiscordSettings(token=TOKEN, api_base=fake.api_base, gateway_url=fake.gateway_url))
    with pytest.raises(DiscordConnectError, match=re.escape(told)) as refused:
        await asyncio.wait_for(adapter.connect(), 30)
    assert "Welcome" not in str(refused.value) and len(str(refused.value)) < 200


async def test_an_adapter_without_a_token_is_a_clear_error():
    with pytest.raises(ValueError, match="discord.token"):
        DiscordAdapter(DiscordSettings())


async def test_the_fake_answers_with_discords_headers_and_error_shapes(fake):
    fake.rate_limit("GET", r"/users/@me", retry_after=0.25)
    authorized = {"Authorization": f"Bot {TOKEN}"}
    timeout = aiohttp.ClientTimeout(total=5)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(f"{fake.api_base}/users/@me", headers=authorized) as limited:
            assert limited.status == 429 and limited.headers["Content-Type"] == "application/json"
            assert limited.headers["Via"] and limited.headers["X-RateLimit-Remaining"] == "0"
            body = await limited.json()
            assert (body["retry_after"], body["global"]) == (0.25, False)
        async with session.get(f"{fake.api_base}/users/@me", headers=authorized) as ok:
            assert ok.status == 200 and ok.headers["Content-Type"] == "application/json"
            assert "X-RateLimit-Bucket" in ok.headers and (await ok.json())["bot"] is True
        async with session.get(f"{fake.api_base}/users/@me") as refused:
            assert refused.status == 401
