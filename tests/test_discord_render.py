"""Discord rendering and translation, without a network: escaping, limits, splitting, custom_ids."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.adapters.discord.render import (
    BUTTON_LABEL_LIMIT,
    CONTENT_LIMIT,
    EMBED_TOTAL_LIMIT,
    card_embed,
    escape,
    fit,
    render_reply,
    split_text,
)
from bot.adapters.discord.translate import ActionIds, Origin, to_command
from bot.model import Action, ArticleCard, Reply, Target


def identity(line: str) -> str:
    return line


def card(number: int = 1, **changes) -> ArticleCard:
    fields = dict(title=f"Story {number}", url=f"https://news.example.org/{number}", summary="A summary.")
    fields.update(changes)
    return ArticleCard(**fields)


@pytest.mark.parametrize(
    "hostile, shown",
    [
        ("@everyone and @here", "@\u200beveryone and @\u200bhere"),
        ("<@123456789012345678> <@&55> <#77> <t:1:R>", "\\<@\u200b123456789012345678> \\<@&55> \\<#77> \\<t:1:R>"),
        ("**bold** __under__ ~~gone~~", "\\*\\*bold\\*\\* \\_\\_under\\_\\_ \\~\\~gone\\~\\~"),
        ("||spoiler||", "\\|\\|spoiler\\|\\|"),
        ("[click](http://evil.example/)", "\\[click\\](http://evil.example/)"),
        # discord.py's escape_markdown escapes only the start of the first span, leaving the second link live
        ("[a](b) [login](https://evil.example) **x**", "\\[a\\](b) \\[login\\](https://evil.example) \\*\\*x\\*\\*"),
        ("[x](y) ||hidden|| `code`", "\\[x\\](y) \\|\\|hidden\\|\\| \\`code\\`"),
        ("see https://example.org/a_b_c*d for more_info", "see https://example.org/a_b_c*d for more\\_info"),
        ("# Heading\n> quote\n- item", "\\# Heading\n\\> quote\n\\- item"),
        ("`code` and ```block```", "\\`code\\` and \\`\\`\\`block\\`\\`\\`"),
        ("No articles mention “\u202edrow”. Try other words.", "No articles mention “drow”. Try other words."),
        ("a\u2067b\u2069 \u202bc\u202c שלום\u200f", "ab c שלום\u200f"),
    ],
)
def test_escape_leaves_no_markup(hostile, shown):
    assert escape(hostile) == shown


def test_fit_cuts_at_a_word_within_the_limit_and_never_splits_an_escape():
    text = "alpha beta " * 40 + "*" * 100
    for limit in range(20, 300, 7):
        result = fit(text, limit)
        assert len(result) <= limit and result.endswith("…")
        assert not result[:-1].endswith("\\") or result[:-1].endswith("\\\\")
    assert fit("short *text*", 100) == "short \\*text\\*"
    assert fit("alpha beta gamma", 12) == "alpha beta…"


def test_split_text_keeps_every_line_in_order_within_the_limit():
    lines = [f"line {number} **" + "x" * 150 for number in range(40)]
    chunks = split_text("\n".join(lines))
    assert len(chunks) > 1 and all(len(chunk) <= CONTENT_LIMIT for chunk in chunks)
    assert "\n".join(chunks) == "\n".join(escape(line) for line in lines)


def test_split_text_cuts_a_single_huge_line_at_words_or_anywhere():
    words = "word " * 1000
    assert all(len(chunk) <= CONTENT_LIMIT for chunk in split_text(words))
    assert "".join(split_text(words)).replace(" ", "") == words.replace(" ", "")
    stars = "*" * 3000  # every character doubles when escaped
    chunks = split_text(stars)
    assert all(len(chunk) <= CONTENT_LIMIT for chunk in chunks)
    assert "".join(chunks) == escape(stars)


def test_a_card_becomes_an_embed_within_discords_limits():
    huge = card(
        title="T" * 400,
        summary="summary " * 1000,
        sectors=tuple(f"Sector {n}" for n in range(200)),
        countries=("Kenya", "Thailand"),
        source="Wire *service*",
        published=datetime(2026, 5, 1, tzinfo=timezone.utc),
    )
    embed = card_embed(huge)
    assert len(embed.title) <= 256 and len(embed.description) <= 4096
    assert len(embed) <= EMBED_TOTAL_LIMIT
    fields = {field.name: field.value for field in embed.fields}
    assert set(fields) == {"Sectors", "Places", "Source", "Published"}
    assert len(fields["Sectors"]) <= 1024 and fields["Places"] == "Kenya, Thailand"
    assert fields["Source"] == "Wire \\*service\\*" and fields["Published"].startswith("<t:")
    assert embed.url == "https://news.example.org/1"


def test_blank_sector_and_place_names_leave_no_empty_field():
    fields = {field.name: field.value for field in card_embed(card(sectors=("", " "), countries=("", "Kenya"))).fields}
    assert "Sectors" not in fields and fields["Places"] == "Kenya"


def test_a_source_that_shows_nothing_leaves_no_empty_field():
    # only the controls that turn text around, which escaping removes: Discord refuses an empty field
    fields = {field.name: field.value for field in card_embed(card(source="\u202e\u202c")).fields}
    assert "Source" not in fields


def test_a_bare_card_has_only_a_title():
    embed = card_embed(ArticleCard(title="", url=None, summary=""))
    assert embed.title == "(untitled)" and embed.url is None and embed.description is None and not embed.fields


def test_embeds_are_grouped_by_ten_and_by_six_thousand_characters():
    small = render_reply(Reply(cards=[card(n) for n in range(23)]), identity)
    assert [len(message.embeds) for message in small] == [10, 10, 3]
    big = render_reply(Reply(cards=[card(n, summary="word " * 900) for n in range(5)]), identity)
    assert all(sum(len(embed) for embed in message.embeds) <= 6000 for message in big)
    assert sum(len(message.embeds) for message in big) == 5 and len(big) >= 3


def test_text_goes_first_and_buttons_last():
    reply = Reply(text="x\n" * 1500, cards=[card(n) for n in range(12)], actions=[Action("More", "/more k1")])
    messages = render_reply(reply, identity)
    assert messages[0].content and not messages[0].buttons
    assert messages[-1].buttons and all(not message.buttons for message in messages[:-1])
    first_with_embeds = next(message for message in messages if message.embeds)
    assert first_with_embeds.content  # the last text chunk carries the first embeds


def test_buttons_are_unique_labelled_within_limits_and_25_to_a_message():
    actions = [Action("L" * 200, "/sector energy"), Action("Again", "/sector energy")]
    actions += [Action(f"Page {n}", f"/more {n}") for n in range(40)]
    message, more = render_reply(Reply(actions=actions), identity)
    custom_ids = [button.custom_id for button in message.buttons + more.buttons]
    assert len(message.buttons) == 25 and len(custom_ids) == len(set(custom_ids)) == 41  # none lost, none twice
    assert len(message.buttons[0].label) == BUTTON_LABEL_LIMIT
    assert message.content is None  # buttons alone make a valid message
    assert more.content == "More:" and not more.embeds


@pytest.mark.parametrize("cluster", ["\U0001F1F0\U0001F1EA", "👩\u200d👩\u200d👧\u200d👦", "e\u0301\u0302"])
def test_cuts_split_no_flag_emoji_sequence_or_accented_letter(cluster):
    text = "x" + cluster * 1500
    assert fit(text, 256)[1:-1].replace(cluster, "") == ""
    assert all(chunk.lstrip("x").replace(cluster, "") == "" for chunk in split_text(text))
    [message] = render_reply(Reply(actions=[Action(text, "/sector energy")]), identity)
    assert message.buttons[0].label[1:].replace(cluster, "") == ""


def test_an_empty_reply_still_says_something():
    (message,) = render_reply(Reply(), identity)
    assert message.content == "Nothing to show."


def test_a_guild_command_knows_whether_the_user_manages_the_channel():
    member = Origin(user_id=1, channel_id=2, guild_id=3, permissions=0)
    manager = Origin(user_id=1, channel_id=2, guild_id=3, permissions=1 << 4)
    administrator = Origin(user_id=1, channel_id=2, guild_id=3, permissions=1 << 3)
    direct = Origin(user_id=1, channel_id=9, guild_id=None)
    assert [to_command("x", "", o).is_admin for o in (member, manager, administrator, direct)] == [
        False,
        True,
        True,
        True,
    ]
    command = to_command("Sector", "  renewable   energy ", direct)
    assert (command.name, command.args, command.chat_kind) == ("sector", "renewable energy", "private")
    assert command.target == Target("discord", "9") and command.user == "1"


def test_action_ids_keep_short_lines_and_map_long_ones_with_a_bounded_memory():
    ids = ActionIds(capacity=2)
    assert ids.encode("/more k1") == "/more k1" and ids.decode("/more k1") == "/more k1"
    long_lines = ["/news " + f"{n} " * 60 for n in range(3)]
    tokens = [ids.encode(line) for line in long_lines]
    assert all(token.startswith("#") and len(token) <= 100 for token in tokens)
    assert ids.decode(tokens[0]) is None  # evicted: the oldest of three with room for two
    assert [ids.decode(token) for token in tokens[1:]] == long_lines[1:]
    assert ids.decode("#unknown") is None


VIEW, SEND, EMBED, SEND_IN_THREADS, ADMINISTRATOR = 1 << 10, 1 << 11, 1 << 14, 1 << 38, 1 << 3


@pytest.mark.parametrize(
    ("guild_id", "bot_permissions", "in_thread", "can_post"),
    [
        (None, 0, False, True),  # a direct message
        (1, None, False, True),  # not told: assume so, as before Discord sent it
        (1, VIEW | SEND | EMBED, False, True),
        (1, VIEW | SEND_IN_THREADS | EMBED, True, True),
        (1, VIEW | SEND_IN_THREADS | EMBED, False, False),  # the thread right is no help in the channel
        (1, VIEW | SEND | EMBED, True, False),  # nor the channel's in a thread
        (1, ADMINISTRATOR, False, True),
        (1, VIEW | SEND, False, False),  # no article cards
        (1, VIEW | EMBED, False, False),
        (1, SEND | EMBED, False, False),
    ],
)
def test_a_command_says_whether_the_bot_may_post_in_its_channel(guild_id, bot_permissions, in_thread, can_post):
    origin = Origin(user_id=1, channel_id=2, guild_id=guild_id, bot_permissions=bot_permissions, in_thread=in_thread)
    assert to_command("subscribe", "energy", origin).bot_can_post is can_post


def test_a_web_address_with_a_handle_like_a_mention_stays_a_working_link():
    # YouTube, Medium and TikTok addresses name people as /@handle: a zero-width space put in one
    # (as @everyone outside an address gets) becomes part of the link, which then leads nowhere
    text = "Watch https://www.youtube.com/@heretics/videos or https://medium.com/feed/@everyone-counts, @everyone"
    assert escape(text) == (
        "Watch https://www.youtube.com/@heretics/videos or https://medium.com/feed/@everyone-counts, @\u200beveryone"
    )
