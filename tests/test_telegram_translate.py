"""Telegram updates (JSON fixtures) → neutral commands, without a network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from telegram import Update

from bot.adapters.telegram.translate import (
    CommandLine,
    channel_named,
    chat_kind,
    is_addressed_to_us,
    parse_command_line,
    sender_id,
    sent_as_the_chat,
    target_of,
    to_command,
    without_mentions,
)
from bot.model import Target

FIXTURES = Path(__file__).parent / "fixtures" / "telegram"
KNOWN = frozenset({"help", "latest", "country", "news"})


def load(name: str) -> Update:
    return Update.de_json(json.loads((FIXTURES / name).read_text(encoding="utf-8")), None)


@pytest.mark.parametrize(
    "text, name, args, mention",
    [
        ("/help", "help", "", None),
        ("/Sector  energy  ", "sector", "energy", None),
        ("/news@NewsBot AI in Kenya", "news", "AI in Kenya", "NewsBot"),
        ("/search smart\ngrid", "search", "smart\ngrid", None),
    ],
)
def test_parse_command_line(text, name, args, mention):
    line = parse_command_line(text)
    assert (line.name, line.args, line.mention) == (name, args, mention)


@pytest.mark.parametrize("text", [None, "", "hello", "/", "/ help", "//x", "/na-me", "/" + "x" * 33])
def test_not_a_command(text):
    assert parse_command_line(text) is None


def test_group_command_addressed_to_us_by_name():
    message = load("group_command_with_mention.json").message
    line = parse_command_line(message.text)
    kind = chat_kind(message.chat)
    assert kind == "group"
    assert is_addressed_to_us(line, "newsbot_test_bot", kind, KNOWN)
    assert not is_addressed_to_us(line, "other_bot", kind, KNOWN)
    command = to_command(line, user=sender_id(message), target=target_of(message), kind=kind, is_admin=False)
    assert command.name == "country" and command.args == "southeast asia"
    assert command.user == "9001" and command.is_admin is False
    assert command.target == Target("telegram", "-1001234567890", None)


def test_bare_commands_in_groups_only_when_known():
    unknown, known = parse_command_line("/weather"), parse_command_line("/latest")
    assert not is_addressed_to_us(unknown, "newsbot_test_bot", "group", KNOWN)
    assert is_addressed_to_us(known, "newsbot_test_bot", "group", KNOWN)
    assert is_addressed_to_us(unknown, "newsbot_test_bot", "private", KNOWN)


def test_forum_topic_becomes_the_thread():
    message = load("forum_topic_command.json").message
    assert target_of(message) == Target("telegram", "-1009876543210", "42")


def test_reply_thread_outside_a_forum_is_not_a_topic():
    message = load("reply_thread_in_plain_group.json").message
    assert target_of(message) == Target("telegram", "-1004444444444", None)


def test_anonymous_admin_speaks_as_the_group():
    message = load("anonymous_admin_command.json").message
    assert sent_as_the_chat(message)
    assert sender_id(message) == "chat:-1005555555555"
    assert not sent_as_the_chat(load("group_command_with_mention.json").message)


def test_private_chats_are_always_administered_by_the_user():
    line = parse_command_line("/subscribe energy")
    command = to_command(line, user="5", target=Target("telegram", "5"), kind="private", is_admin=False)
    assert command.is_admin is True


@pytest.mark.parametrize(
    "name, args, expected",
    [
        ("subscribe", "@ai_news energy daily 08:00", ("@ai_news", "energy daily 08:00")),
        ("unsubscribe", "https://t.me/AI_News  all", ("@AI_News", "all")),
        ("settings", "t.me/ai_news timezone Asia/Bangkok", ("@ai_news", "timezone Asia/Bangkok")),
        ("subscriptions", "-1003000", ("-1003000", "")),
        ("subscribe", "https://t.me/ai_news/123 kenya", ("@ai_news", "kenya")),  # a link to one of its posts
        ("subscriptions", "telegram.me/ai_news/", ("@ai_news", "")),
        # as the app copies a post's link: one of an album, a private channel's (its id after -100)
        ("subscribe", "https://t.me/ai_news/123?single kenya", ("@ai_news", "kenya")),
        ("subscribe", "https://t.me/c/1234567890/45 energy", ("-1001234567890", "energy")),
        ("subscribe", "https://t.me/+AbCdEfGh energy", None),  # an invite link names no channel the bot can look up
        ("subscribe", "energy @ai_news", None),  # a channel is named first
        ("subscribe", "@ai energy", None),  # too short for a username: words to look for
        ("subscribe", "-42 energy", None),  # a group's id, not a channel's
        ("search", "@ai_news energy", None),  # not a command about what a chat receives
        ("subscriptions", "", None),
    ],
)
def test_a_channel_named_first_in_a_channel_command(name, args, expected):
    found = channel_named(CommandLine(name, args, None))
    assert (found and (found[0], found[1].args)) == expected


@pytest.mark.parametrize(
    ("words", "left"),
    [("solar @someone_else", "solar"), ("@Alice_W smart grid @bob_the_mod", "smart grid"),
     ("write to press@example.org", "write to press@example.org"), ("@ai energy", "@ai energy")],
)
def test_mentions_among_words_are_left_out_but_addresses_and_short_words(words, left):
    assert without_mentions(words) == left
