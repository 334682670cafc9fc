"""The real python-telegram-bot Application against the fake Bot API: polling, groups, topics, buttons,
rate limits, delivery errors, webhook mode, escaping and splitting, failing handlers, and the token in logs."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import socket
from contextlib import asynccontextmanager
from datetime import datetime, timezone

import pytest

import bot.adapters.telegram as telegram_adapter
from bot.adapters.base import DeliveryError, RateLimited, TargetGone, TransientError
from bot.router import COMMANDS_HINT
from bot.adapters.telegram import (
    APOLOGY,
    CANNOT_POST_IN_CHANNEL,
    CHANNEL_ADMINS_ONLY,
    CHANNEL_NOT_FOUND,
    CHANNEL_UNCHECKED,
    EXPIRED_BUTTON,
    MAX_WAITING_PER_CHAT,
    NOT_ADMIN_OF_CHANNEL,
    TelegramAdapter,
    TelegramConnectError,
)
from bot.adapters.telegram.limits import ChatPacedRateLimiter
from bot.config import TelegramSettings, WebhookSettings, parse_config
from bot.model import Action, ArticleCard, Command, Reply, Target
from test_telegram_render import subscription_list
from fake_telegram import (  # noqa: F401 - fake and token are pytest fixtures
    BOT_ID,
    FakeTelegram,
    bot_status_update,
    callback_update,
    channel_post_update,
    fake,
    message,
    message_update,
    token,
    user,
    visible_text,
)

COMMANDS = [("help", "every command"), ("latest", "the newest articles"), ("more", "next page")]
GROUP = -1001000
CHANNEL = -1003000
STEP_TIMEOUT = 10.0


class Recorder:
    """A handler that records commands and answers from a function (default: an echo)."""

    def __init__(self, answer=None):
        self.commands: list[Command] = []
        self._answer = answer or (lambda command: Reply(text=f"echo /{command.name} {command.args}".strip()))

    async def __call__(self, command: Command) -> Reply:
        self.commands.append(command)
        return self._answer(command)


def settings_for(fake: FakeTelegram, webhook: WebhookSettings | None = None) -> TelegramSettings:
    return TelegramSettings(token=fake.token, base_url=fake.base_url, webhook=webhook or WebhookSettings())


@asynccontextmanager
async def running(fake: FakeTelegram, handle, *, webhook: WebhookSettings | None = None, **options):
    """A connected adapter listening with `handle`; `options` are the adapter's callbacks."""
    options.setdefault("rate_limiter", ChatPacedRateLimiter(chat_per_second=100, chat_burst=100))
    adapter = TelegramAdapter(settings_for(fake, webhook), commands=COMMANDS, poll_timeout=1, **options)
    async with asyncio.timeout(STEP_TIMEOUT):
        await adapter.connect()
        await adapter.listen(handle)
    try:
        yield adapter
    finally:
        async with asyncio.timeout(STEP_TIMEOUT):
            await adapter.disconnect()


async def sent_after(fake: FakeTelegram, update: dict, count: int = 1) -> list:
    """Push an update and wait until `count` more messages were sent successfully."""
    before = len(fake.calls_of("sendMessage"))
    await fake.push_update(update)
    calls = await fake.wait_for_calls("sendMessage", before + count, timeout=STEP_TIMEOUT)
    return calls[before:]


def sample_card(number: int, **fields) -> ArticleCard:
    values = dict(
        title=f"Story {number}",
        url=f"https://news.example/{number}",
        summary=f"Summary {number}.",
        sectors=("Energy",),
        countries=("Kenya",),
        source="Example Wire",
        published=datetime(2026, 11, 2, tzinfo=timezone.utc),
    )
    return ArticleCard(**(values | fields))


async def test_connect_registers_the_command_list(fake):
    async with running(fake, Recorder()):
        assert fake.commands == [{"command": name, "description": text} for name, text in COMMANDS]
        assert fake.calls_of("getMe") and fake.calls_of("deleteWebhook")


async def test_private_command_reaches_the_handler_and_the_reply_is_sent(fake):
    handler = Recorder()
    async with running(fake, handler):
        [sent] = await sent_after(fake, message_update("/Latest  5", chat_id=555, user_id=555))
    assert handler.commands == [
        Command("latest", "5", "555", Target("telegram", "555", None), chat_kind="private", is_admin=True)
    ]
    assert sent.params["chat_id"] == "555" and sent.params["parse_mode"] == "HTML"
    assert sent.params["text"] == "echo /latest 5"


async def test_a_command_in_a_photos_caption_is_answered_as_a_typed_one(fake):
    # no handler took a caption: a private chat sending "/search" with a picture got no answer at all
    photo = message_update("/search smart grid", chat_id=555, user_id=555)["message"]
    photo["caption"], photo["caption_entities"] = photo.pop("text"), photo.pop("entities")
    photo["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
    handler = Recorder()
    async with running(fake, handler):
        [sent] = await sent_after(fake, {"message": photo})
    assert [(command.name, command.args) for command in handler.commands] == [("search", "smart grid")]
    assert sent.params["text"] == "echo /search smart grid"


async def test_group_commands_only_for_this_bot(fake):
    fake.chat_members[(GROUP, 42)] = "administrator"
    handler = Recorder()
    async with running(fake, handler):
        await fake.push_update(message_update("/help@other_bot", chat_id=GROUP, kind="supergroup", user_id=42))
        await fake.push_update(message_update("/weather", chat_id=GROUP, kind="supergroup", user_id=42))
        await fake.push_update(channel_post_update("/latest"))
        await sent_after(fake, message_update(f"/help@{fake.username.upper()} me", chat_id=GROUP, kind="supergroup", user_id=42))
        await sent_after(fake, message_update("/latest", chat_id=GROUP, kind="supergroup", user_id=43))
    assert [(c.name, c.args, c.user, c.chat_kind, c.is_admin) for c in handler.commands] == [
        ("help", "me", "42", "group", True),
        ("latest", "", "43", "group", False),
    ]
    assert {call.params["chat_id"] for call in fake.calls_of("sendMessage")} == {str(GROUP)}


async def test_the_bots_mention_among_a_groups_command_words_is_no_word_of_them(fake):
    # "/search smart grid @newsbot" looked for "@newsbot" too, finding nothing, and echoed the mention back;
    # "/subscribe energy @newsbot" subscribed the group to articles mentioning "@newsbot", which none does
    fake.chat_members[(GROUP, 42)] = "administrator"
    handler = Recorder()
    in_the_group = {"chat_id": GROUP, "kind": "supergroup", "user_id": 42}
    async with running(fake, handler):
        await sent_after(fake, message_update(f"/help news @{fake.username}", **in_the_group))
        await sent_after(fake, message_update(f"/latest@{fake.username} @{fake.username.upper()} 5", **in_the_group))
        await sent_after(fake, message_update("/help me @other_person", **in_the_group))
    assert [(c.name, c.args) for c in handler.commands] == [("help", "news"), ("latest", "5"), ("help", "me")]


async def test_someone_elses_mention_among_a_commands_words_is_no_word_of_them_and_another_bots_command_is_ignored(fake):
    # "/search solar @someone_else" looked for “@someone_else” too, found nothing and echoed the mention back: a member
    # mentions someone to show them the answer, not to look them up
    fake.add_chat(CHANNEL, "ai_news")
    fake.chat_members[(CHANNEL, 42)] = "creator"
    fake.chat_members[(GROUP, 42)] = "administrator"
    handler = Recorder()
    in_the_group = {"chat_id": GROUP, "kind": "supergroup", "user_id": 42}
    async with running(fake, handler):
        await fake.push_update(message_update("/search@other_bot solar", **in_the_group))
        await fake.push_update(message_update("/search@other_bot solar", chat_id=42, user_id=42))
        await sent_after(fake, message_update(f"/search@{fake.username} solar @someone_else", **in_the_group))
        await sent_after(fake, message_update(f"/subscribe@{fake.username} energy @Other_Person", **in_the_group))
        await sent_after(fake, message_update("/subscribe @AI_news energy @someone_else", chat_id=42, user_id=42))
        [hint] = await sent_after(fake, message_update("@someone_else energy kenya", chat_id=42, user_id=42))
    assert [(c.name, c.args, c.chat_name) for c in handler.commands] == [
        ("search", "solar", None), ("subscribe", "energy", None), ("subscribe", "energy", "@ai_news")
    ]
    [[button]] = hint.params["reply_markup"]["inline_keyboard"]
    assert button["text"] == "News on “energy kenya”"


async def test_admin_rights_are_cached(fake):
    fake.chat_members[(GROUP, 42)] = "creator"
    handler = Recorder()
    async with running(fake, handler):
        for _ in range(3):
            await sent_after(fake, message_update("/latest", chat_id=GROUP, kind="supergroup", user_id=42))
    assert [command.is_admin for command in handler.commands] == [True, True, True]
    assert len(fake.calls_of("getChatMember")) == 1


async def test_rights_that_cannot_be_checked_are_unknown_and_the_command_still_answered(fake):
    fake.chat_members[(GROUP, 42)] = "administrator"
    fake.fail_next("getChatMember", status=502)
    handler = Recorder()
    async with running(fake, handler):
        [answered] = await sent_after(fake, message_update("/latest x", chat_id=GROUP, kind="supergroup", user_id=42))
        await sent_after(fake, message_update("/latest x", chat_id=GROUP, kind="supergroup", user_id=42))
    assert answered.params["text"] == "echo /latest x"  # /latest needs no rights
    assert [command.is_admin for command in handler.commands] == [None, True]  # the router asks admins' commands to retry
    assert [call.status for call in fake.calls_of("getChatMember", ok_only=False)] == [502, 200]


async def test_a_member_telegram_cannot_find_is_no_administrator(fake):
    fake.fail_next("getChatMember", status=400, description="Bad Request: user not found")
    handler = Recorder()
    async with running(fake, handler):
        await sent_after(fake, message_update("/latest x", chat_id=GROUP, kind="supergroup", user_id=45))
    assert [command.is_admin for command in handler.commands] == [False]


async def test_a_429_while_checking_rights_is_waited_out(fake):
    fake.chat_members[(GROUP, 42)] = "creator"
    fake.fail_next("getChatMember", status=429, retry_after=1)
    handler = Recorder()
    async with running(fake, handler):
        await sent_after(fake, message_update("/latest x", chat_id=GROUP, kind="supergroup", user_id=42))
    assert [command.is_admin for command in handler.commands] == [True]


async def test_a_member_promoted_after_a_refusal_is_an_admin_at_the_next_command(fake):
    handler = Recorder()
    async with running(fake, handler):
        await sent_after(fake, message_update("/latest x", chat_id=GROUP, kind="supergroup", user_id=43))
        fake.chat_members[(GROUP, 43)] = "administrator"
        await sent_after(fake, message_update("/latest x", chat_id=GROUP, kind="supergroup", user_id=43))
    assert [command.is_admin for command in handler.commands] == [False, True]


async def test_checking_a_members_rights_takes_none_of_the_groups_messages_a_minute(fake):
    handler = Recorder()
    async with running(fake, handler, rate_limiter=ChatPacedRateLimiter(group_per_minute=1, chat_per_second=100, chat_burst=100)):
        [answer] = await sent_after(fake, message_update("/latest x", chat_id=GROUP, kind="supergroup", user_id=43))
    assert answer.params["text"] == "echo /latest x"
    assert [command.is_admin for command in handler.commands] == [False]  # getChatMember was asked first


async def test_a_channel_named_in_a_private_chat_is_what_its_command_is_about(fake):
    fake.add_chat(CHANNEL, "ai_news")
    fake.chat_members[(CHANNEL, 42)] = "creator"
    handler = Recorder()
    async with running(fake, handler):
        [sent] = await sent_after(fake, message_update("/subscribe @AI_news energy daily 08:00", chat_id=42, user_id=42))
        await fake.push_update(callback_update("/subscriptions t.me/ai_news", message_id=7, chat_id=42, user_id=42))
        await fake.wait_for_calls("editMessageText", timeout=STEP_TIMEOUT)
        [refused] = await sent_after(fake, message_update(f"/subscriptions {CHANNEL}", chat_id=43, user_id=43))
    about_channel = Target("telegram", str(CHANNEL))
    assert [(c.name, c.args, c.target, c.chat_kind, c.is_admin, c.chat_name) for c in handler.commands] == [
        ("subscribe", "energy daily 08:00", about_channel, "channel", True, "@ai_news"),
        ("subscriptions", "", about_channel, "channel", True, "@ai_news"),
    ]
    assert visible_text(refused.params["text"]) == CHANNEL_ADMINS_ONLY.format(channel="@ai_news")  # 43 is no administrator
    assert sent.params["chat_id"] == "42"  # the answer goes where the command was typed
    answers = fake.calls_of("sendMessage") + fake.calls_of("editMessageText")
    assert {call.params["chat_id"] for call in answers} == {"42", "43"}
    assert {call.params["user_id"] for call in fake.calls_of("getChatMember")} == {str(BOT_ID), "42", "43"}


async def test_a_channel_named_by_its_username_is_told_as_its_chat_once(fake):
    fake.add_chat(CHANNEL, "AI_News")
    fake.chat_members[(CHANNEL, 42)] = "creator"
    told = []

    async def moved(chat: Target, new_chat: str) -> None:
        told.append((chat, new_chat))

    async with running(fake, Recorder(), moved=moved):
        for line in ("/subscriptions @ai_news", f"/subscriptions {CHANNEL}", "/settings @AI_NEWS"):
            await sent_after(fake, message_update(line, chat_id=42, user_id=42))
    assert told == [(Target("telegram", "@ai_news"), str(CHANNEL))]


async def test_a_command_about_a_channel_while_the_database_is_away_gets_an_apology_and_names_it_later(fake):
    fake.add_chat(CHANNEL, "ai_news")
    fake.chat_members[(CHANNEL, 42)] = "creator"
    told, outage = [], [ConnectionRefusedError(111, "Connect call failed")]

    async def moved(chat: Target, new_chat: str) -> None:
        if outage:
            raise outage.pop()
        told.append((chat, new_chat))

    def database_away(command: Command) -> Reply:
        if not told:
            raise ConnectionRefusedError(111, "Connect call failed")
        return Reply(text="Energy — instant")

    async with running(fake, Recorder(database_away), moved=moved):
        [apology] = await sent_after(fake, message_update("/subscriptions @ai_news", chat_id=42, user_id=42))
        [answer] = await sent_after(fake, message_update("/subscriptions @ai_news", chat_id=42, user_id=42))
    assert apology.params["text"] == APOLOGY
    assert answer.params["text"] == "Energy — instant"
    assert told == [(Target("telegram", "@ai_news"), str(CHANNEL))]


async def test_other_commands_and_other_chats_leave_a_named_channel_alone(fake):
    fake.add_chat(CHANNEL, "ai_news")
    fake.chat_members[(GROUP, 42)] = "administrator"
    handler = Recorder()
    async with running(fake, handler):
        await sent_after(fake, message_update("/search @ai_news energy", chat_id=42, user_id=42))
        in_the_group = message_update(f"/subscribe@{fake.username} @ai_news energy", chat_id=GROUP, kind="supergroup", user_id=42)
        [refused] = await sent_after(fake, in_the_group)
    # not about the channel; its name, a mention as any other, is no word to look for either
    assert [(c.args, c.target.chat, c.chat_name) for c in handler.commands] == [("energy", "42", None)]
    assert visible_text(refused.params["text"]).startswith("A channel is managed from a private chat with me")
    assert not fake.calls_of("getChat")


@pytest.mark.parametrize(
    "channel, fault, expected",
    [
        ("@nowhere", None, CHANNEL_NOT_FOUND.format(channel="@nowhere")),
        ("@ai_news", None, CANNOT_POST_IN_CHANNEL.format(channel="@ai_news")),  # an administrator who may not post
        ("@quiet_news", None, CANNOT_POST_IN_CHANNEL.format(channel="@quiet_news")),  # not in the channel at all
        ("@ai_news", ("getChat", 502), CHANNEL_UNCHECKED.format(channel="@ai_news")),
        ("@ai_news", ("getChatMember", 400), CHANNEL_NOT_FOUND.format(channel="@ai_news")),
        ("@ai_news", ("getChat", 403), CHANNEL_NOT_FOUND.format(channel="@ai_news")),  # a channel that banned the bot
    ],
)
async def test_a_channel_the_bot_cannot_post_in_is_refused_before_the_handler(fake, channel, fault, expected):
    fake.add_chat(CHANNEL, "ai_news", bot_may_post=fault is not None)
    fake.add_chat(CHANNEL - 1, "quiet_news", bot_may_post=None)
    if fault:
        description = "Forbidden: bot was kicked from the channel chat" if fault[1] == 403 else "Bad Request: member list is inaccessible"
        fake.fail_next(fault[0], status=fault[1], description=description)
    handler = Recorder()
    async with running(fake, handler):
        [sent] = await sent_after(fake, message_update(f"/subscribe {channel} energy", chat_id=42, user_id=42))
    assert visible_text(sent.params["text"]) == expected
    assert not handler.commands


async def test_an_admin_sees_and_changes_a_channel_the_bot_administers_without_the_right_to_post(fake):
    fake.add_chat(CHANNEL, "ai_news", bot_may_post=False)
    fake.chat_members[(CHANNEL, 42)] = "creator"
    handler = Recorder()
    async with running(fake, handler):
        for line in ("/subscriptions @ai_news", "/unsubscribe @ai_news all", "/settings @ai_news format compact"):
            await sent_after(fake, message_update(line, chat_id=42, user_id=42))
        [refused] = await sent_after(fake, message_update("/subscribe @ai_news energy", chat_id=42, user_id=42))
        [stranger] = await sent_after(fake, message_update("/subscriptions @ai_news", chat_id=43, user_id=43))
    assert [(c.name, c.target.chat, c.is_admin, c.bot_can_post) for c in handler.commands] == [
        (name, str(CHANNEL), True, False) for name in ("subscriptions", "unsubscribe", "settings")
    ]
    assert visible_text(refused.params["text"]) == CANNOT_POST_IN_CHANNEL.format(channel="@ai_news")
    assert visible_text(stranger.params["text"]) == CHANNEL_ADMINS_ONLY.format(channel="@ai_news")


@pytest.mark.parametrize("kicked", [False, True])
async def test_a_channel_the_bot_is_no_longer_in_is_not_shown_to_anyone(fake, kicked):
    fake.add_chat(CHANNEL, "ai_news")
    fake.set_bot_rights(CHANNEL, None, kicked=kicked)
    fake.add_chat(CHANNEL - 1, None)  # a private channel: Telegram no longer finds it for the bot
    fake.chats.pop(str(CHANNEL - 1))
    handler = Recorder()
    async with running(fake, handler):
        [left] = await sent_after(fake, message_update("/unsubscribe @ai_news all", chat_id=42, user_id=42))
        [gone] = await sent_after(fake, message_update(f"/subscriptions {CHANNEL - 1}", chat_id=42, user_id=42))
    assert visible_text(left.params["text"]) == NOT_ADMIN_OF_CHANNEL.format(channel="@ai_news")
    assert visible_text(gone.params["text"]) == NOT_ADMIN_OF_CHANNEL.format(channel=str(CHANNEL - 1))
    assert not handler.commands


async def test_a_chat_the_bot_may_post_in_again_is_told_reachable(fake):
    reachable: list[Target] = []

    async def record(chat: Target) -> None:
        reachable.append(chat)

    async with running(fake, Recorder(), reachable=record):
        for update in (
            bot_status_update(CHANNEL, "administrator", "administrator", may_post=False),  # demoted: no
            bot_status_update(CHANNEL, "administrator", "left"),  # removed: no
            bot_status_update(CHANNEL, "left", "administrator"),  # added back, may post: yes
            bot_status_update(GROUP, "left", "member", kind="supergroup"),  # added back to a group: yes
            bot_status_update(555, "member", "kicked", kind="private"),  # blocked: no
        ):
            await fake.push_update(update)
        await fake.wait_for(lambda _: len(reachable) == 2, timeout=STEP_TIMEOUT)
        await sent_after(fake, message_update("/help", chat_id=42, user_id=42))  # every update before it is handled
    assert reachable == [Target("telegram", str(CHANNEL)), Target("telegram", str(GROUP))]


async def test_a_group_named_in_a_private_chat_is_refused(fake):
    fake.add_chat(GROUP, "team_chat", "supergroup")
    handler = Recorder()
    async with running(fake, handler):
        [sent] = await sent_after(fake, message_update("/subscriptions @team_chat", chat_id=42, user_id=42))
    assert visible_text(sent.params["text"]) == telegram_adapter.NOT_A_CHANNEL.format(channel="@team_chat")
    assert not handler.commands


async def test_a_channel_named_in_a_group_is_sent_to_a_private_chat_not_read_as_words(fake):
    fake.chat_members[(GROUP, 42)] = "administrator"
    handler = Recorder()
    async with running(fake, handler):
        in_the_group = dict(chat_id=GROUP, kind="supergroup", user_id=42)
        command = f"/subscribe@{fake.username} @ai_news energy"
        [sent] = await sent_after(fake, message_update(command, message_id=51, **in_the_group))
        await sent_after(fake, message_update(f"/subscribe@{fake.username} energy", **in_the_group))
    assert visible_text(sent.params["text"]) == telegram_adapter.CHANNEL_FROM_A_GROUP.format(
        bot=fake.username, command="/subscribe @ai_news energy"
    )
    assert sent.params["reply_parameters"]["message_id"] == 51  # to its sender
    assert [(command.name, command.args) for command in handler.commands] == [("subscribe", "energy")]


async def test_forum_topic_reply_stays_in_the_topic(fake):
    handler = Recorder()
    async with running(fake, handler):
        [sent] = await sent_after(fake, message_update("/latest", chat_id=GROUP, kind="supergroup", thread_id=7))
    assert handler.commands[0].target == Target("telegram", str(GROUP), "7")
    assert sent.params["message_thread_id"] == "7"


def paged(command: Command) -> Reply:
    if command.name == "latest":
        return Reply(text="Latest", cards=[sample_card(1)], actions=[Action("More", "/more p2")])
    return Reply(text=f"Page 2 for {command.args}", cards=[sample_card(2)])


async def test_pagination_button_is_answered_and_edits_the_message(fake):
    fake.chat_members[(GROUP, 77)] = "administrator"
    handler = Recorder(paged)
    async with running(fake, handler):
        [first] = await sent_after(fake, message_update("/latest", chat_id=GROUP, kind="supergroup", user_id=5))
        [[button]] = first.params["reply_markup"]["inline_keyboard"]
        message_id = first.result["message_id"]
        await fake.push_update(
            callback_update(button["callback_data"], message_id=message_id, chat_id=GROUP, kind="supergroup", user_id=77)
        )
        [edit] = await fake.wait_for_calls("editMessageText", timeout=STEP_TIMEOUT)
    assert button["text"] == "More"
    assert [call.params["callback_query_id"] for call in fake.calls_of("answerCallbackQuery")] == ["cq1"]
    pressed = handler.commands[-1]
    assert (pressed.name, pressed.args, pressed.user, pressed.is_admin) == ("more", "p2", "77", True)
    assert edit.params["message_id"] == str(message_id) and edit.params["chat_id"] == str(GROUP)
    assert visible_text(edit.params["text"]).startswith("Page 2 for p2")
    assert len(fake.calls_of("sendMessage")) == 1


async def test_button_presses_and_rights_arrive_whatever_update_types_the_token_last_asked_for(fake):
    fake.allowed_updates = ["message"]  # left by another program that used the token
    reachable: list[Target] = []

    async def record(chat: Target) -> None:
        reachable.append(chat)

    async with running(fake, Recorder(paged), reachable=record):
        [first] = await sent_after(fake, message_update("/latest"))
        await fake.push_update(bot_status_update(CHANNEL, "left", "administrator"))
        await fake.push_update(callback_update("/more p2", message_id=first.result["message_id"]))
        await fake.wait_for_calls("editMessageText", timeout=STEP_TIMEOUT)
        await fake.wait_for(lambda _: reachable, timeout=STEP_TIMEOUT)
    assert reachable == [Target("telegram", str(CHANNEL))]
    assert fake.allowed_updates == ["message", "callback_query", "my_chat_member"]


@pytest.mark.parametrize("status, failures", [(502, 1), (429, telegram_adapter.REPLY_RETRIES + 1)])
async def test_a_failed_edit_sends_the_page_as_a_new_message(fake, status, failures):
    async with running(fake, Recorder(paged)):
        [first] = await sent_after(fake, message_update("/latest"))
        [[button]] = first.params["reply_markup"]["inline_keyboard"]
        for _ in range(failures):
            fake.fail_next("editMessageText", status=status, retry_after=1 if status == 429 else None)
        [page] = await sent_after(fake, callback_update(button["callback_data"], message_id=first.result["message_id"]))
    assert visible_text(page.params["text"]).startswith("Page 2 for p2")
    assert [call.status for call in fake.calls_of("editMessageText", ok_only=False)] == [status] * failures


async def test_long_button_commands_and_expired_buttons(fake):
    long_command = "/news " + "artificial intelligence in rural education " * 3
    handler = Recorder(lambda command: Reply(text="ok", actions=[Action("Related", long_command)]))
    async with running(fake, handler):
        [first] = await sent_after(fake, message_update("/latest"))
        data = first.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        assert len(data.encode()) <= 64
        await fake.push_update(callback_update(data, message_id=first.result["message_id"], query_id="q-long"))
        await fake.wait_for_calls("editMessageText", 1, timeout=STEP_TIMEOUT)
        await fake.push_update(callback_update("~unknown", message_id=first.result["message_id"], query_id="q-old"))
        await fake.wait_for_calls("answerCallbackQuery", 2, timeout=STEP_TIMEOUT)
    assert handler.commands[-1].name == "news"
    assert handler.commands[-1].args == long_command.removeprefix("/news ").strip()
    assert len(handler.commands) == 2
    expired = fake.calls_of("answerCallbackQuery")[-1].params
    assert (expired["callback_query_id"], expired["text"], expired["show_alert"]) == ("q-old", EXPIRED_BUTTON, "true")
    assert len(fake.calls_of("editMessageText")) == 1


async def test_a_list_with_more_buttons_than_telegram_takes_is_answered(fake):
    reply = subscription_list(100)
    async with running(fake, Recorder(lambda command: reply)):
        await fake.push_update(message_update("/subscriptions"))
        await fake.wait_for(lambda _: len(fake.calls_of("sendMessage", ok_only=False)) == 2, timeout=STEP_TIMEOUT)
    listing = fake.calls_of("sendMessage", ok_only=False)[:2]
    assert [call.status for call in listing] == [200, 200]
    keyboard = listing[-1].params["reply_markup"]["inline_keyboard"]
    shown = f"The first {sum(map(len, keyboard))} of these 100 buttons fit in a Telegram message."
    assert "\n".join(visible_text(call.params["text"]) for call in listing) == f"{reply.text}\n\n{shown}"
    assert keyboard[0][0]["text"] == reply.actions[0].label


async def test_a_private_error_from_a_button_pops_up_and_leaves_the_list(fake):
    def answer(command: Command) -> Reply:
        if command.name == "more":
            return Reply(text="That list has expired; send /latest again.", private=True)
        return Reply(text="list", actions=[Action("More", "/more gone")])

    async with running(fake, Recorder(answer)):
        [first] = await sent_after(fake, message_update("/latest"))
        await fake.push_update(callback_update("/more gone", message_id=first.result["message_id"]))
        [answered] = await fake.wait_for_calls("answerCallbackQuery", timeout=STEP_TIMEOUT)
    assert answered.params["text"] == "That list has expired; send /latest again."
    assert not fake.calls_of("editMessageText") and len(fake.calls_of("sendMessage")) == 1


async def test_a_429_is_waited_out_and_the_reply_sent_once(fake):
    fake.fail_next("sendMessage", status=429, retry_after=1)
    async with running(fake, Recorder()):
        [sent] = await sent_after(fake, message_update("/latest"))
    attempts = fake.calls_of("sendMessage", ok_only=False)
    assert [call.status for call in attempts] == [429, 200]
    assert sent.params["text"] == "echo /latest"


async def test_one_chats_429_holds_only_that_chat(fake, caplog):
    fake.fail_next("sendMessage", status=429, retry_after=3)
    async with running(fake, Recorder()):
        await fake.push_update(message_update("/latest", chat_id=-100777, kind="supergroup", user_id=5))
        await fake.wait_for(lambda server: server.calls_of("sendMessage", ok_only=False), timeout=STEP_TIMEOUT)
        await sent_after(fake, message_update("/about", chat_id=222, user_id=222, message_id=9))
        await fake.wait_for_calls("sendMessage", 2, timeout=STEP_TIMEOUT)
    chats = [(call.params["chat_id"], call.status) for call in fake.calls_of("sendMessage", ok_only=False)]
    assert chats == [("-100777", 429), ("222", 200), ("-100777", 200)]  # the other chat did not wait
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "status, description, retry_after, expected",
    [
        (429, None, 3, RateLimited),
        (403, "Forbidden: bot was blocked by the user", None, TargetGone),
        (403, "Forbidden: bot was kicked from the supergroup chat", None, TargetGone),
        (400, "Bad Request: chat not found", None, TargetGone),
        (400, "Bad Request: message thread not found", None, TargetGone),  # a deleted forum topic
        (400, "Bad Request: TOPIC_DELETED", None, TargetGone),  # a deleted forum topic, as Telegram also says it
        (400, "Bad Request: not enough rights to send text messages to the chat", None, TargetGone),
        (400, "Bad Request: need administrator rights in the channel chat", None, TargetGone),
        (403, "Forbidden: bot is not a member of the channel chat", None, TargetGone),
        (400, "Bad Request: group chat was deactivated", None, TargetGone),
        (400, "Bad Request: CHANNEL_PRIVATE", None, TargetGone),
        (500, "Internal Server Error", None, TransientError),
        (502, "Bad Gateway", None, TransientError),
        (401, "Unauthorized", None, TransientError),
        (400, "Bad Request: can't parse entities: unsupported start tag", None, DeliveryError),
    ],
)
async def test_delivery_errors_are_mapped_without_retrying(fake, status, description, retry_after, expected, caplog):
    adapter = TelegramAdapter(settings_for(fake), commands=COMMANDS)
    await adapter.connect()
    try:
        fake.fail_next("sendMessage", status=status, description=description, retry_after=retry_after)
        with pytest.raises(DeliveryError) as raised:
            await asyncio.wait_for(adapter.send(Target("telegram", "-100999"), Reply(text="hi")), STEP_TIMEOUT)
        await asyncio.wait_for(adapter.send(Target("telegram", "-100999", "5"), Reply(text="again")), STEP_TIMEOUT)
    finally:
        await adapter.disconnect()
    assert type(raised.value) is expected
    if expected is RateLimited:
        assert raised.value.retry_after == 3
        assert not [record for record in caplog.records if record.levelno >= logging.ERROR]  # the worker handles it
    assert fake.token not in str(raised.value)
    assert [call.status for call in fake.calls_of("sendMessage", ok_only=False)] == [status, 200]
    assert fake.calls_of("sendMessage")[0].params["message_thread_id"] == "5"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def local_webhook() -> WebhookSettings:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    secret = f"hook-{secrets.token_hex(8)}"
    return WebhookSettings(enabled=True, listen="127.0.0.1", port=port, path="telegram", url=url, secret_token=secret)


async def test_webhook_mode_accepts_only_the_secret(fake):
    webhook = local_webhook()
    url, secret = webhook.url, webhook.secret_token.get_secret_value()
    handler = Recorder()
    fake.fail_next("setWebhook", status=502)  # tried again
    async with running(fake, handler, webhook=webhook):
        assert (fake.webhook_url, fake.webhook_secret) == (url, secret)
        assert await fake.post_to_webhook(message_update("/latest wrong"), secret="not-" + secret) == 403
        assert await fake.post_to_webhook(message_update("/latest none"), secret=None) == 403
        assert await fake.post_to_webhook(message_update("/latest right"), secret=secret) == 200
        [sent] = await fake.wait_for_calls("sendMessage", timeout=STEP_TIMEOUT)
    assert [command.args for command in handler.commands] == ["right"]
    assert sent.params["text"] == "echo /latest right"
    assert not fake.calls_of("getUpdates")


async def post_raw(webhook: WebhookSettings, body: bytes, *, length: int, headers: dict[str, str]) -> int:
    """POST `body` to the local webhook, telling `length` as its Content-Length (more than is sent, for a
    body still on its way), and return the status of the answer, which must come without the rest of it."""
    reader, writer = await asyncio.open_connection(webhook.listen, webhook.port)
    try:
        head = [f"POST /{webhook.path} HTTP/1.1", f"Host: {webhook.listen}", f"Content-Length: {length}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("utf-8", "surrogateescape") + body)  # "\udcff": byte 0xff
        await writer.drain()
        async with asyncio.timeout(STEP_TIMEOUT):  # a guard: the server waiting for the rest would never answer
            status_line = await reader.readline()
        return int(status_line.split()[1])
    finally:
        writer.close()


JSON = {"Content-Type": "application/json"}


async def test_the_webhook_refuses_a_request_without_the_secret_before_reading_its_body(fake):
    """A body of up to 100 MB was read into memory before the secret was checked."""
    webhook = local_webhook()
    async with running(fake, Recorder(), webhook=webhook):
        wrong = {**JSON, "X-Telegram-Bot-Api-Secret-Token": "not-the-secret-at-all"}
        assert await post_raw(webhook, b'{"update_id": 1', length=50_000_000, headers=JSON) == 403
        assert await post_raw(webhook, b'{"update_id": 1', length=50_000_000, headers=wrong) == 403


async def test_the_webhook_refuses_a_secret_header_that_is_no_text_as_any_wrong_secret(fake, caplog):
    """Bytes that are no UTF-8 in the header were answered 500 with an error's traceback, for anyone to send."""
    webhook = local_webhook()
    async with running(fake, Recorder(), webhook=webhook):
        not_text = {**JSON, "X-Telegram-Bot-Api-Secret-Token": "\udcff\udcfe"}
        assert await post_raw(webhook, b'{"update_id": 1}', length=16, headers=not_text) == 403
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR or record.exc_info]


async def test_the_bot_stops_without_waiting_for_an_update_whose_body_stalls(fake):
    """A request with the secret whose body stopped coming held the stop for aiohttp's 60 seconds (`running`
    gives disconnect STEP_TIMEOUT)."""
    webhook = local_webhook()
    secret = webhook.secret_token.get_secret_value()
    async with running(fake, Recorder(), webhook=webhook):
        reader, writer = await asyncio.open_connection(webhook.listen, webhook.port)
        head = f"POST /{webhook.path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nX-Telegram-Bot-Api-Secret-Token: {secret}\r\n\r\n"
        writer.write(head.encode() + b'{"update_id": 1')
        await writer.drain()
        await fake.post_to_webhook(message_update("/latest"), secret=secret)  # the stalled one read by now, most likely
    writer.close()


async def test_the_webhook_refuses_a_body_larger_than_an_update_before_reading_it(fake):
    webhook = local_webhook()
    secret = {**JSON, "X-Telegram-Bot-Api-Secret-Token": webhook.secret_token.get_secret_value()}
    async with running(fake, Recorder(), webhook=webhook):
        assert await post_raw(webhook, b'{"update_id": 1', length=2 * 1024 * 1024, headers=secret) == 413


@pytest.mark.parametrize("body", [b'{"update_id": 1, "message": {"message_id": 2}}', b'{"update_id": 1,', b"[]"])
async def test_a_malformed_update_with_the_secret_is_refused_in_a_warning_line_and_the_bot_goes_on(fake, caplog, body):
    """python-telegram-bot logged a CRITICAL traceback with the update, for anyone who has the secret to send."""
    webhook = local_webhook()
    secret = {**JSON, "X-Telegram-Bot-Api-Secret-Token": webhook.secret_token.get_secret_value()}
    async with running(fake, Recorder(), webhook=webhook):
        assert await post_raw(webhook, body, length=len(body), headers=secret) == 400
        assert await fake.post_to_webhook(message_update("/latest"), secret=webhook.secret_token.get_secret_value()) == 200
        await fake.wait_for_calls("sendMessage", timeout=STEP_TIMEOUT)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR or record.exc_info]
    [told] = [record for record in caplog.records if "update" in record.getMessage() and record.levelno == logging.WARNING]
    assert told.getMessage().startswith("Telegram: the webhook refused a request that is no update")


async def test_a_webhook_without_a_secret_takes_any_post_and_says_so_at_its_start(fake, caplog):
    webhook = local_webhook().model_copy(update={"secret_token": None})
    async with running(fake, Recorder(), webhook=webhook):
        assert await fake.post_to_webhook(message_update("/latest"), secret=None) == 200
        await fake.wait_for_calls("sendMessage", timeout=STEP_TIMEOUT)
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert any("telegram.webhook.secret_token" in warning for warning in warnings), warnings


async def test_the_webhook_gets_button_presses_whatever_the_token_last_asked_for(fake):
    fake.allowed_updates = ["message"]  # left by another program that used the token
    webhook = local_webhook()
    async with running(fake, Recorder(), webhook=webhook):
        press = callback_update("/more gone", message_id=7)
        assert await fake.post_to_webhook(press, secret=webhook.secret_token.get_secret_value()) == 200
        await fake.wait_for_calls("answerCallbackQuery", timeout=STEP_TIMEOUT)
    assert fake.allowed_updates == ["message", "callback_query", "my_chat_member"]


async def test_a_webhook_url_with_the_token_inside_is_set_without_its_line_break_and_masked_in_the_logs(fake, caplog):
    """The token read from a secrets file ends in a line break: in the middle of the url and path, Telegram was
    told of ".../<token>\\n/hook"."""
    caplog.set_level(logging.DEBUG)
    port = free_port()
    written = (
        f"telegram:\n  webhook: {{enabled: true, listen: 127.0.0.1, port: {port}, path: '${{TT}}/hook',"
        f" url: 'http://127.0.0.1:{port}/${{TT}}/hook', secret_token: made-up-hook-secret}}\n"
    )
    webhook = parse_config(written, environ={"TT": fake.token + "\n"}).telegram.webhook
    async with running(fake, Recorder(), webhook=webhook):
        assert fake.webhook_url == f"http://127.0.0.1:{port}/{fake.token}/hook"
        assert await fake.post_to_webhook(message_update("/latest"), secret="made-up-hook-secret") == 200
        await fake.wait_for_calls("sendMessage", timeout=STEP_TIMEOUT)
    logged = [logging.Formatter("%(name)s %(message)s").format(record) for record in caplog.records]
    assert f"bot.adapters.telegram Telegram: webhook listening on 127.0.0.1:{port}/[REDACTED]/hook" in logged
    assert not [line for line in logged if fake.token in line]


async def test_a_webhook_that_cannot_start_is_a_connect_error(fake):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        webhook = WebhookSettings(enabled=True, listen="127.0.0.1", port=port, path="telegram", url=f"http://127.0.0.1:{port}/telegram")
        adapter = TelegramAdapter(settings_for(fake, webhook), commands=COMMANDS, poll_timeout=1)
        await adapter.connect()
        try:
            with pytest.raises(TelegramConnectError, match=f"cannot start the Telegram webhook on 127.0.0.1:{port}"):
                await adapter.listen(Recorder())
        finally:
            await adapter.disconnect()


async def test_a_webhook_telegram_refuses_is_a_connect_error_and_frees_its_port(fake):
    webhook = local_webhook()
    fake.fail_next("setWebhook", status=400, description="Bad Request: bad webhook: HTTPS url must be provided")
    adapter = TelegramAdapter(settings_for(fake, webhook), commands=COMMANDS, poll_timeout=1)
    await adapter.connect()
    try:
        with pytest.raises(TelegramConnectError, match="(?i)bad webhook: https url must be provided"):
            await adapter.listen(Recorder())
        with socket.socket() as again:
            again.bind((webhook.listen, webhook.port))
    finally:
        await adapter.disconnect()


async def test_polling_starts_after_a_transient_failure_and_a_lasting_one_is_a_connect_error(fake, monkeypatch):
    fake.fail_next("deleteWebhook", status=502)  # the first call long polling makes
    async with running(fake, Recorder()):
        [sent] = await sent_after(fake, message_update("/latest"))
    assert sent.params["text"] == "echo /latest"
    monkeypatch.setattr(telegram_adapter, "START_RETRIES", 0)
    fake.fail_next("deleteWebhook", status=502)
    adapter = TelegramAdapter(settings_for(fake), commands=COMMANDS, poll_timeout=1)
    await adapter.connect()
    try:
        with pytest.raises(TelegramConnectError, match="cannot start Telegram long polling: Bad Gateway"):
            await asyncio.wait_for(adapter.listen(Recorder()), STEP_TIMEOUT)
    finally:
        await adapter.disconnect()


INJECTIONS = '<b>bold</b> <a href="javascript:alert(1)">click</a> & </i> <i>open &amp; <tg-spoiler>'


def hostile(command: Command) -> Reply:
    return Reply(
        text=f"You asked: {command.args}",
        cards=[
            sample_card(
                1,
                title=command.args,
                url="javascript:alert(1)",
                summary="w" * 5000,
                sectors=("<b>Energy</b>",),
                source="<Src & Co>",
            ),
            sample_card(2, title="x</b><b>", summary="a < b > c &"),
        ],
    )


async def test_injection_attempts_come_back_escaped_and_valid(fake):
    async with running(fake, Recorder(hostile)):
        sent = await sent_after(fake, message_update("/search " + INJECTIONS), count=3)
    assert len(sent) == 3  # the header, the first card cut to fit, the second card
    assert all(call.status == 200 for call in fake.calls_of("sendMessage", ok_only=False))
    shown = "\n".join(visible_text(call.params["text"]) for call in sent)
    assert f"You asked: {INJECTIONS}" in shown
    assert "x</b><b>" in shown and "a < b > c &" in shown
    links = [link for call in sent for link in re.findall(r'<a href="([^"]*)"', call.params["text"])]
    assert links == ["https://news.example/2"]


async def test_ten_thousand_characters_arrive_as_valid_messages(fake):
    words = [f"word{index}" for index in range(1300)]
    async with running(fake, Recorder(lambda command: Reply(text=" ".join(words)))):
        sent = await sent_after(fake, message_update("/latest"), count=3)
    assert len(" ".join(words)) > 10_000
    assert all(call.status == 200 for call in fake.calls_of("sendMessage", ok_only=False))
    assert " ".join(visible_text(call.params["text"]) for call in sent).split() == words


async def test_a_failing_handler_gets_an_apology_and_the_bot_keeps_answering(fake, caplog):
    def flaky(command: Command) -> Reply:
        if command.name == "boom":
            raise RuntimeError("handler exploded")
        return Reply(text="still here")

    async with running(fake, Recorder(flaky)):
        [apology] = await sent_after(fake, message_update("/boom"))
        [after] = await sent_after(fake, message_update("/latest"))
    assert apology.params["text"] == APOLOGY
    assert after.params["text"] == "still here"
    assert any(record.exc_info and "handler exploded" in str(record.exc_info[1]) for record in caplog.records)


async def test_the_token_never_reaches_the_logs(fake, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # the CLI quiets it; here its request lines are the point
    fake.fail_next("sendMessage", status=403)
    async with running(fake, Recorder()) as adapter:
        await fake.push_update(message_update("/latest"))
        await fake.wait_for(lambda server: server.calls_of("sendMessage", ok_only=False))
        await sent_after(fake, message_update("/help"))
        with pytest.raises(TargetGone):
            fake.fail_next("sendMessage", status=403)
            await adapter.send(Target("telegram", "1"), Reply(text="x"))
    formatter = logging.Formatter("%(name)s %(message)s")
    logged = [formatter.format(record) for record in caplog.records]
    assert any("HTTP Request" in line and "[REDACTED]" in line for line in logged), "httpx request lines were checked"
    assert not [line for line in logged if fake.token in line]
    assert fake.token not in repr(adapter)


async def test_a_rejected_token_fails_connect_without_showing_it(fake, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = TelegramSettings(token=fake.token + "x", base_url=fake.base_url)
    adapter = TelegramAdapter(wrong, commands=COMMANDS)
    with pytest.raises(TelegramConnectError) as raised:
        await asyncio.wait_for(adapter.connect(), STEP_TIMEOUT)
    await adapter.disconnect()
    assert "rejected" in str(raised.value)
    assert fake.token not in str(raised.value) and raised.value.__suppress_context__
    formatter = logging.Formatter("%(name)s %(message)s")
    assert not [record for record in caplog.records if fake.token in formatter.format(record)]


async def test_a_base_url_written_with_a_slash_at_its_end_connects(fake):
    """The token follows base_url: "https://api.telegram.org/bot/" would send it as /bot/<token>, which Telegram
    answers as a rejected token, sending the operator after the wrong setting."""
    adapter = TelegramAdapter(TelegramSettings(token=fake.token, base_url=fake.base_url + "/"), commands=COMMANDS)
    await asyncio.wait_for(adapter.connect(), STEP_TIMEOUT)
    await adapter.disconnect()
    assert fake.calls_of("getMe")


def inject(fake: FakeTelegram, method: str, fault: int | str) -> None:
    """A transient failure of the next call of `method`: an HTTP status, or "dropped" for a lost connection."""
    if fault == "dropped":
        fake.drop_next(method)
    else:
        fake.fail_next(method, status=fault, retry_after=30 if fault == 429 else None)


@pytest.mark.parametrize("fault", [502, 500, 429, "dropped"])
async def test_a_transient_failure_to_set_the_command_menu_is_logged_and_the_bot_starts(fake, fault, caplog):
    inject(fake, "setMyCommands", fault)
    async with running(fake, Recorder()):
        [sent] = await sent_after(fake, message_update("/latest"))
    assert sent.params["text"] == "echo /latest"
    assert fake.commands == []  # set at the next start
    warnings = [record.levelname for record in caplog.records if "command menu not set" in record.getMessage()]
    assert warnings == ["WARNING"]


async def test_a_refused_command_menu_fails_connect_and_stops_the_application(fake):
    fake.fail_next("setMyCommands", status=401, description="Unauthorized")
    adapter = TelegramAdapter(settings_for(fake), commands=COMMANDS)
    with pytest.raises(TelegramConnectError) as raised:
        await asyncio.wait_for(adapter.connect(), STEP_TIMEOUT)
    assert "Unauthorized" in str(raised.value) and fake.token not in str(raised.value)
    assert not [task for task in asyncio.all_tasks() if task.get_name().endswith(":update_fetcher")]
    await adapter.disconnect()  # still safe to call


@pytest.mark.parametrize(
    "menu, description",
    [([("Latest", "the newest")], "BOT_COMMAND_INVALID"), ([("latest", "x" * 257)], "BOT_COMMAND_DESCRIPTION_INVALID")],
)
async def test_the_fake_refuses_a_command_menu_telegram_refuses(fake, menu, description):
    adapter = TelegramAdapter(settings_for(fake), commands=menu)
    with pytest.raises(TelegramConnectError, match=f"(?i){description}"):  # PTB capitalizes it
        await asyncio.wait_for(adapter.connect(), STEP_TIMEOUT)
    await adapter.disconnect()


@pytest.mark.parametrize("fault", [502, 500, "dropped"])
async def test_a_reply_is_sent_again_after_a_transient_failure(fake, fault):
    inject(fake, "sendMessage", fault)
    async with running(fake, Recorder()):
        [sent] = await sent_after(fake, message_update("/latest"))
    assert sent.params["text"] == "echo /latest"
    assert len(fake.calls_of("sendMessage", ok_only=False)) == 2


async def test_a_reply_to_a_group_that_just_became_a_supergroup_goes_to_the_supergroup(fake):
    group, supergroup = -4242, -1004242
    fake.fail_next(
        "sendMessage",
        status=400,
        description="Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=supergroup,
    )
    usage = Reply(text="usage " * 1000, private=True)  # two messages, the first quoting the command in a group
    async with running(fake, Recorder(lambda command: usage)):
        sent = await sent_after(fake, message_update("/latest x", chat_id=group, kind="group", user_id=5), count=2)
    [refused] = [call for call in fake.calls_of("sendMessage", ok_only=False) if call.status != 200]
    assert (refused.params["chat_id"], refused.params["reply_parameters"]["message_id"]) == (str(group), 1)
    assert [call.params["chat_id"] for call in sent] == [str(supergroup)] * 2
    assert [call.params.get("reply_parameters") for call in sent] == [None, None]
    assert " ".join(visible_text(call.params["text"]) for call in sent) == usage.text.strip()


async def test_a_reply_failing_three_times_is_given_up_and_logged(fake, caplog, monkeypatch):
    monkeypatch.setattr(telegram_adapter, "REPLY_RETRY_PAUSES", (0, 0))
    for _ in range(3):
        fake.fail_next("sendMessage", status=502)
    async with running(fake, Recorder()):
        await fake.push_update(message_update("/latest"))
        await fake.wait_for(lambda server: len(server.calls_of("sendMessage", ok_only=False)) == 3, STEP_TIMEOUT)
    assert [call.status for call in fake.calls_of("sendMessage", ok_only=False)] == [502, 502, 502]  # no fourth try
    assert [record.levelname for record in caplog.records if "could not reply" in record.getMessage()] == ["WARNING"]


async def test_messages_to_one_chat_are_paced_while_other_chats_go_on(fake):
    limiter = ChatPacedRateLimiter(chat_per_second=0.001, chat_burst=1)
    adapter = TelegramAdapter(settings_for(fake), commands=COMMANDS, rate_limiter=limiter)
    await adapter.connect()
    try:
        await asyncio.wait_for(adapter.send(Target("telegram", "1"), Reply(text="first")), STEP_TIMEOUT)
        paced = asyncio.create_task(adapter.send(Target("telegram", "1"), Reply(text="second")))
        await asyncio.wait_for(adapter.send(Target("telegram", "2"), Reply(text="other chat")), STEP_TIMEOUT)
        assert not paced.done()
        paced.cancel()
    finally:
        await adapter.disconnect()
    assert fake.sent_texts() == ["first", "other chat"]


async def test_a_private_reply_in_a_group_quotes_the_command_it_answers(fake):
    def answer(command: Command) -> Reply:
        return Reply(text="Usage: /latest 5", private=command.name == "latest")

    async with running(fake, Recorder(answer)):
        [private] = await sent_after(fake, message_update("/latest x", chat_id=GROUP, kind="supergroup", message_id=31))
        [public] = await sent_after(fake, message_update("/help", chat_id=GROUP, kind="supergroup", message_id=32))
        [direct] = await sent_after(fake, message_update("/latest x", message_id=33))
    assert private.params["reply_parameters"] == {"message_id": 31, "allow_sending_without_reply": True}
    assert "reply_parameters" not in public.params
    assert "reply_parameters" not in direct.params  # in a private chat every reply is private already


async def test_a_chat_flooding_commands_gets_a_few_answered_and_keeps_no_one_else_waiting(fake):
    release, seen = asyncio.Event(), []

    async def handle(command: Command) -> Reply:
        seen.append(command.target.chat)
        if command.target.chat == "555":
            await release.wait()  # as an answer waiting for its chat's rate limit
        return Reply(text=f"answer for {command.target.chat}")

    async with running(fake, handle):
        for number in range(10):
            await fake.push_update(message_update(f"/latest {number + 1}", chat_id=555, user_id=555, message_id=number + 1))
        other = message_update("/latest", chat_id=777, user_id=777)
        [answer] = await sent_after(fake, other)
        assert int(answer.params["chat_id"]) == 777
        assert seen.count("555") == MAX_WAITING_PER_CHAT  # the rest were let go, not queued
        release.set()
        await fake.wait_for_calls("sendMessage", 1 + MAX_WAITING_PER_CHAT, timeout=STEP_TIMEOUT)
    assert seen.count("555") == MAX_WAITING_PER_CHAT


async def test_words_without_a_command_in_a_private_chat_get_a_hint_with_a_news_button(fake):
    handler = Recorder()
    async with running(fake, handler):
        await fake.push_update(message_update("energy kenya", chat_id=GROUP, kind="supergroup", user_id=8))  # group chatter
        [hint] = await sent_after(fake, message_update("energy kenya"))
        [[button]] = hint.params["reply_markup"]["inline_keyboard"]
        await fake.push_update(callback_update(button["callback_data"], message_id=hint.result["message_id"]))
        await fake.wait_for_calls("editMessageText", timeout=STEP_TIMEOUT)
    assert hint.params["chat_id"] == "111"
    assert visible_text(hint.params["text"]) == COMMANDS_HINT
    assert button["text"] == "News on “energy kenya”"
    assert [(command.name, command.args) for command in handler.commands] == [("news", "energy kenya")]
    assert len(fake.calls_of("sendMessage")) == 1  # nothing in the group


async def test_words_mentioning_the_bot_get_a_news_button_on_the_words_alone(fake):
    # "@newsbot energy kenya" offered a button looking up "@newsbot energy kenya", which finds nothing
    async with running(fake, Recorder()):
        [hint] = await sent_after(fake, message_update(f"@{fake.username.upper()} energy kenya"))
        [alone] = await sent_after(fake, message_update(f"@{fake.username}"))
    [[button]] = hint.params["reply_markup"]["inline_keyboard"]
    assert button["text"] == "News on “energy kenya”"
    assert visible_text(alone.params["text"]) == COMMANDS_HINT and "reply_markup" not in alone.params


async def test_a_slash_that_makes_no_command_in_a_private_chat_gets_the_hint(fake):
    unmarked = message_update("/новости")
    del unmarked["message"]["entities"]  # Telegram marks only Latin letters, digits and _ as a command
    handler = Recorder()
    async with running(fake, handler):
        hints = [*await sent_after(fake, message_update("/news-energy")), *await sent_after(fake, unmarked)]
    assert [visible_text(hint.params["text"]) for hint in hints] == [COMMANDS_HINT] * 2
    assert not any("reply_markup" in hint.params for hint in hints) and not handler.commands


async def test_long_words_are_clipped_on_the_news_button_and_kept_whole_in_its_command(fake):
    words = "AI tutors in rural\nschools across Kenya and Uganda"
    handler = Recorder()
    async with running(fake, handler):
        [hint] = await sent_after(fake, message_update(words))
        [[button]] = hint.params["reply_markup"]["inline_keyboard"]
        await fake.push_update(callback_update(button["callback_data"], message_id=hint.result["message_id"]))
        await fake.wait_for_calls("editMessageText", timeout=STEP_TIMEOUT)
    assert button["text"] == "News on “AI tutors in rural schools across Kenya…”"
    assert handler.commands[0].args == words


def joined_update(*members: int, chat_id: int = GROUP, created: bool = False) -> dict:
    """The service message Telegram posts when members are added to a group, or a group is created with them."""
    joined = message("(service)", chat_id=chat_id, kind="group" if created else "supergroup", user_id=42)
    del joined["text"]
    if created:
        joined["group_chat_created"] = True
    else:
        joined["new_chat_members"] = [user(member) | {"is_bot": member == BOT_ID} for member in members]
    return {"message": joined}


async def test_the_bot_added_to_a_group_says_what_it_does_and_other_arrivals_are_not_greeted(fake):
    handler = Recorder(lambda command: Reply(text=f"welcome from /{command.name}"))
    async with running(fake, handler):
        await fake.push_update(joined_update(77))  # a person joins: the group's business
        [added] = await sent_after(fake, joined_update(77, BOT_ID))
        [created] = await sent_after(fake, joined_update(chat_id=-4005, created=True))
    assert [(command.name, command.chat_kind, command.target.chat) for command in handler.commands] == [
        ("start", "group", str(GROUP)),
        ("start", "group", "-4005"),
    ]
    assert visible_text(added.params["text"]) == f"welcome from /start\n\n{telegram_adapter.GROUP_HELP}"
    assert created.params["chat_id"] == "-4005"
    assert len(fake.calls_of("sendMessage")) == 2


def startgroup_join(fake: FakeTelegram, *, by: int = 42, payload: str = "from-site") -> list[dict]:
    """The updates a t.me/<bot>?startgroup=<payload> link brings, in Telegram's order: the bot's new
    membership, the service message that it was added, then the /start the link sends in the adder's name."""
    start = message(f"/start@{fake.username} {payload}".strip(), chat_id=GROUP, kind="supergroup", user_id=by)
    return [bot_status_update(GROUP, "left", "member", kind="supergroup", by=by), joined_update(BOT_ID), {"message": start}]


async def test_a_group_joined_through_a_startgroup_link_is_greeted_once(fake):
    handler = Recorder(lambda command: Reply(text=f"welcome from /{command.name}"))
    async with running(fake, handler):
        for update in startgroup_join(fake):
            await fake.push_update(update)
        # a later command from another member shows the link's updates were all read
        await sent_after(fake, message_update("/latest", chat_id=GROUP, kind="supergroup", user_id=43))
    # stopping waited for every update read to be answered
    greetings = [text for text in map(visible_text, fake.sent_texts()) if "/start" in text]
    assert greetings == [f"welcome from /start\n\n{telegram_adapter.GROUP_HELP}"]
    assert [command.name for command in handler.commands] == ["start", "latest"]


async def test_a_start_that_is_no_links_own_is_answered_after_a_join(fake):
    handler = Recorder(lambda command: Reply(text=f"welcome from /{command.name}"))
    _, joined, start = startgroup_join(fake, payload="")
    later = message(start["message"]["text"], chat_id=GROUP, kind="supergroup", user_id=42)
    later["date"] = joined["message"]["date"] + 3600  # the adder asks again an hour later
    async with running(fake, handler):
        await sent_after(fake, joined)
        await sent_after(fake, message_update(f"/start@{fake.username}", chat_id=GROUP, kind="supergroup", user_id=43))
        await sent_after(fake, {"message": later})
    assert [command.user for command in handler.commands] == ["42", "43", "42"]


async def test_a_press_too_old_to_answer_is_logged_in_a_line_and_the_bot_goes_on(fake, caplog):
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    fake.fail_next("answerCallbackQuery", status=400, description=too_old)
    async with running(fake, Recorder(paged)):
        await fake.push_update(callback_update("~from-before-a-restart", message_id=3, query_id="q-stale"))
        await fake.wait_for(lambda _: fake.calls_of("answerCallbackQuery", ok_only=False), timeout=STEP_TIMEOUT)
        [after] = await sent_after(fake, message_update("/latest"))
    assert [call.status for call in fake.calls_of("answerCallbackQuery", ok_only=False)] == [400]
    assert visible_text(after.params["text"]).startswith("Latest")
    assert not [record for record in caplog.records if record.exc_info or record.levelno >= logging.ERROR]


async def test_a_reply_told_to_wait_longer_than_a_user_would_is_given_up_and_the_bot_stops_at_once(fake, caplog):
    fake.fail_next("sendMessage", status=429, retry_after=600)  # a flood wait of ten minutes
    async with running(fake, Recorder()):
        await fake.push_update(message_update("/latest"))
        await fake.wait_for(lambda server: server.calls_of("sendMessage", ok_only=False), timeout=STEP_TIMEOUT)
        await fake.wait_for(lambda _: any("could not reply" in r.getMessage() for r in caplog.records), timeout=STEP_TIMEOUT)
    assert [call.status for call in fake.calls_of("sendMessage", ok_only=False)] == [429]


async def test_a_send_before_connecting_waits_for_the_connection_without_using_an_attempt(fake):
    adapter = TelegramAdapter(settings_for(fake), commands=COMMANDS)  # the delivery worker starts before connect()
    with pytest.raises(DeliveryError) as raised:
        await asyncio.wait_for(adapter.send(Target("telegram", "555"), Reply(text="hi")), STEP_TIMEOUT)
    assert type(raised.value) is RateLimited and raised.value.platform_wide
    await adapter.connect()
    try:
        await asyncio.wait_for(adapter.send(Target("telegram", "555"), Reply(text="hi")), STEP_TIMEOUT)
    finally:
        await adapter.disconnect()
    with pytest.raises(RateLimited):
        await asyncio.wait_for(adapter.send(Target("telegram", "555"), Reply(text="hi")), STEP_TIMEOUT)
    assert fake.sent_texts() == ["hi"]
