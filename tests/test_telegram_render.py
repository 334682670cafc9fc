"""Reply → Telegram HTML: escaping, hashtags, links, splitting and keyboards, checked by the fake's validator."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from bot.adapters.telegram.buttons import CALLBACK_DATA_LIMIT, ButtonCommands
from bot.adapters.telegram.render import (
    MESSAGE_LIMIT,
    NO_PREVIEW,
    WORD_JOINER,
    hashtag,
    render_card,
    render_reply,
    split_text,
    truncate_html,
    utf16_length,
)
from bot.model import Action, ArticleCard, Reply
from fake_telegram import MESSAGE_ENTITIES, BadRequestError, HtmlRejected, entity_count, validate_message, visible_text


def card(number: int = 1, **fields) -> ArticleCard:
    values = dict(
        title=f"Story {number}",
        url=f"https://news.example/{number}",
        summary=f"Summary of story {number}.",
        sectors=("Energy",),
        countries=("Kenya",),
        source="Example Wire",
        published=datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc),
    )
    values.update(fields)
    return ArticleCard(**values)


def test_card_layout():
    markup = render_card(card(sectors=("Energy", "AI & Data"), countries=("Southeast Asia",)))
    assert markup.splitlines() == [
        '<b><a href="https://news.example/1">Story 1</a></b>',
        "Summary of story 1.",
        "#Energy #AIData #SoutheastAsia",
        "<i>Example Wire · 2026-11-02</i>",
    ]


def test_injection_is_escaped_and_still_valid_html():
    hostile = card(
        title='<b>bold</b> <a href="javascript:alert(1)">x</a>',
        url="javascript:alert(1)",
        summary="a & b </i> <i>unbalanced <script>alert(1)</script> &amp;",
        sectors=("<b>Energy</b>",),
        countries=("Côte d'Ivoire",),
        source='"Quotes" & <Co>',
    )
    markup = render_card(hostile)
    shown = visible_text(markup)
    assert "<a " not in markup
    assert '<b>bold</b> <a href="javascript:alert(1)">x</a>' in shown
    assert "a & b </i> <i>unbalanced <script>alert(1)</script> &amp;" in shown
    assert "#BEnergyB #CôteDIvoire" in shown


def test_a_feed_cannot_mention_a_groups_members():
    telegram_mention = re.compile(r"(?<!\w)@\w{5,32}")  # what Telegram turns into a mention, and notifies
    shown = visible_text(
        render_card(card(title="Thanks @alice_admin", summary="Ask @bob_the_mod, or write to news@wire.example.", source="@wire_desk"))
    )
    assert telegram_mention.findall(shown) == []
    assert f"Thanks @{WORD_JOINER}alice_admin" in shown and f"Ask @{WORD_JOINER}bob_the_mod" in shown
    assert "news@wire.example" in shown  # an e-mail address is no mention, and stays as written


def test_a_web_address_in_an_article_keeps_its_at_sign_as_written():
    summary = "Watch https://www.youtube.com/@newsdesk/videos and read https://medium.com/@alice_w/grid-storage-1a2b, thanks @bob_the_mod."
    shown = visible_text(render_card(card(summary=summary)))
    # Telegram links the whole address (a mention inside it is none); an invisible character would break it
    assert "https://www.youtube.com/@newsdesk/videos" in shown and "https://medium.com/@alice_w/grid-storage-1a2b" in shown
    assert f"thanks @{WORD_JOINER}bob_the_mod" in shown
    assert f"https://@{WORD_JOINER}alice" in visible_text(render_card(card(summary="https://@alice")))  # no host: a mention


def test_link_href_is_escaped():
    markup = render_card(card(url="https://a.example/?q='x'&r=1"))
    assert 'href="https://a.example/?q=&#x27;x&#x27;&amp;r=1"' in markup
    visible_text(markup)
    markup = render_card(card(url='https://a.example/?q="><b>x</b>'))
    assert 'href="https://a.example/?q=%22%3E%3Cb%3Ex%3C/b%3E"' in markup
    visible_text(markup)


@pytest.mark.parametrize("name, expected", [("Energy", "#Energy"), ("south-east asia", "#SouthEastAsia"), ("2030", None), ("!!", None)])
def test_hashtag(name, expected):
    assert hashtag(name) == expected


def test_ten_thousand_characters_split_into_valid_messages():
    words = [f"w{index}&<" for index in range(1400)]
    text = " ".join(words)
    assert len(text) > 10_000
    messages = render_reply(Reply(text=text))
    assert len(messages) >= 3
    shown = [visible_text(message.text) for message in messages]
    assert all(utf16_length(visible_text(message.text)) <= MESSAGE_LIMIT for message in messages)
    assert " ".join(shown).split() == words


def test_a_five_thousand_character_word_is_cut_not_lost_across_messages():
    word = "x" * 5000
    chunks = split_text(word)
    assert [len(chunk) for chunk in chunks] == [MESSAGE_LIMIT, 5000 - MESSAGE_LIMIT]


def test_cards_are_never_split_between_messages():
    cards = [card(number, summary=f"Story {number} in detail. " + "word " * 120) for number in range(30)]
    messages = render_reply(Reply(text="Latest", cards=cards))
    assert len(messages) > 1
    for message in messages:
        assert utf16_length(visible_text(message.text)) <= MESSAGE_LIMIT
    for number, item in enumerate(cards):
        rendered = render_card(item)
        holders = [message for message in messages if rendered in message.text]
        assert len(holders) == 1, f"card {number} must be whole in exactly one message"


def test_an_over_long_card_is_cut_between_tags_and_entities():
    long_card = card(title="T&" * 1500, summary="<&>" * 3000)
    markup = truncate_html(render_card(long_card))
    shown = visible_text(markup)
    assert MESSAGE_LIMIT - 2 <= utf16_length(shown) <= MESSAGE_LIMIT
    assert shown.endswith("…")
    assert shown.startswith("T&T&")


@pytest.mark.parametrize("limit", range(20, 90, 7))
def test_truncation_is_valid_html_at_every_limit(limit):
    markup = render_card(card(title="A&B <C>", summary="x&y " * 40))
    cut = truncate_html(markup, limit)
    assert utf16_length(visible_text(cut)) <= limit


def test_escapes_and_the_link_do_not_count_against_the_limit():
    summary = ('AT&T said "Q&A" <soon>. ' * 100).strip()  # 2,399 characters; escaped, twice as many
    markup = render_card(card(summary=summary))
    assert utf16_length(markup) > MESSAGE_LIMIT
    [message] = render_reply(Reply(cards=[card(summary=summary)]))
    assert summary in visible_text(message.text)


def test_an_absurdly_long_link_is_dropped_not_the_title():
    [message] = render_reply(Reply(cards=[card(title="Kept", url="https://e.example/" + "a" * 5000)]))
    assert "href" not in message.text and visible_text(message.text).startswith("Kept")


def test_lengths_count_utf16_units():
    emoji_text = "📰" * 3000  # 6,000 UTF-16 units
    messages = render_reply(Reply(text=emoji_text))
    assert len(messages) == 2
    assert all(utf16_length(visible_text(message.text)) <= MESSAGE_LIMIT for message in messages)
    assert "".join(visible_text(message.text) for message in messages) == emoji_text


@pytest.mark.parametrize("cluster", ["\U0001F1F0\U0001F1EA", "👩\u200d👩\u200d👧\u200d👦", "e\u0301\u0302"])
def test_a_cut_splits_no_flag_emoji_sequence_or_accented_letter(cluster):
    text = "x" + cluster * 3000  # no space or line break to cut at
    chunks = [visible_text(message.text) for message in render_reply(Reply(text=text))]
    assert all(chunk.lstrip("x").replace(cluster, "") == "" for chunk in chunks)
    card_text = visible_text(truncate_html(render_card(card(title="x" + cluster * 3000))))
    assert card_text.startswith("x") and card_text.split("\n")[0][1:-1].replace(cluster, "") == ""


def test_no_message_has_more_entities_than_telegram_shows():
    cards = [card(number, summary="", sectors=("Energy", "Finance")) for number in range(50)]  # a compact digest of 50
    messages = render_reply(Reply(text="Morning energy digest", cards=cards))
    assert max(entity_count(message.text) for message in messages) <= MESSAGE_ENTITIES
    assert sum(message.text.count("<a href=") for message in messages) == 50


def test_long_links_are_spread_over_messages_telegram_takes():
    # a page of five from a feed whose links run to 2,000 characters: in one message Telegram refuses them all
    cards = [card(number, url="https://news.example/" + "a" * 1980 + str(number)) for number in range(5)]
    messages = render_reply(Reply(text="Latest", cards=cards))
    for message in messages:
        validate_message({"text": message.text, "parse_mode": "HTML"})
    assert sum(message.text.count("<a href=") for message in messages) == 5


def test_link_preview_only_for_the_first_article():
    cards = [card(number, summary="long " * 300) for number in range(1, 12)]
    messages = render_reply(Reply(text="Header", cards=cards))
    assert messages[0].link_preview.url == "https://news.example/1"
    assert all(message.link_preview.is_disabled for message in messages[1:])


def test_no_preview_when_the_first_article_has_no_web_link():
    messages = render_reply(Reply(cards=[card(url="javascript:x"), card(2)]))
    assert [message.link_preview for message in messages] == [NO_PREVIEW]


def test_keyboard_on_the_last_message_only():
    actions = [Action("More", "/more k3f9"), Action("Energy (12)", "/sector energy")]
    messages = render_reply(Reply(text="x " * 3000, actions=actions))
    assert len(messages) == 2
    assert messages[0].keyboard is None
    buttons = [button for row in messages[-1].keyboard.inline_keyboard for button in row]
    assert [(button.text, button.callback_data) for button in buttons] == [
        ("More", "/more k3f9"),
        ("Energy (12)", "/sector energy"),
    ]


def subscription_list(count: int) -> Reply:
    """A /subscriptions reply of `count` long topics, each with its remove button."""
    topics = [f"Energy + Côte d’Ivoire + “solar mini-grids” {number}" for number in range(count)]
    return Reply(
        text="\n".join(f"• {topic} — instant" for topic in topics),
        actions=[
            Action(f"Remove {topic}", f"/unsubscribe @a_long_channel_name #{number}.1234567")
            for number, topic in enumerate(topics)
        ],
    )


def test_a_keyboard_too_long_for_telegram_keeps_the_first_buttons_that_fit():
    reply = subscription_list(100)
    message = render_reply(reply)[-1]
    validate_message({"text": message.text, "parse_mode": "HTML", "reply_markup": message.keyboard.to_dict()})
    labels = [button.text for row in message.keyboard.inline_keyboard for button in row]
    assert 20 < len(labels) < 100
    assert labels == [action.label for action in reply.actions[: len(labels)]]


def test_a_keyboard_cut_short_says_how_many_buttons_it_left_out():
    messages = render_reply(subscription_list(100))
    shown = sum(len(row) for row in messages[-1].keyboard.inline_keyboard)
    assert visible_text(messages[-1].text).endswith(f"\n\nThe first {shown} of these 100 buttons fit in a Telegram message.")
    whole = render_reply(subscription_list(3))
    assert visible_text(whole[-1].text).endswith("— instant")


def test_actions_without_text_still_make_a_message():
    messages = render_reply(Reply(actions=[Action("Energy", "/sector energy")]))
    assert len(messages) == 1 and messages[0].keyboard is not None
    visible_text(messages[0].text)


def test_empty_reply_sends_nothing():
    assert render_reply(Reply()) == []


def test_long_button_commands_travel_as_short_tokens():
    buttons = ButtonCommands(capacity=2)
    long_command = "/news " + "artificial intelligence in education " * 3
    data = buttons.data_for(long_command)
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT and data != long_command
    assert buttons.data_for(long_command) == data
    assert buttons.command_for(data) == long_command
    assert buttons.data_for("/more k3f9") == "/more k3f9"
    buttons.data_for(long_command + " a")
    buttons.data_for(long_command + " b")
    assert buttons.command_for(data) is None  # evicted: the adapter says the button expired


def test_validator_rejects_what_telegram_rejects():
    for bad in ["<b>x", "a < b", "a & b", "<script>x</script>", '<a href="javascript:x">y</a>', "<b><i>x</b></i>"]:
        with pytest.raises(HtmlRejected):
            visible_text(bad)
    links = "\n".join(f'<a href="https://news.example/{"a" * 2000}">{number}</a>' for number in range(5))
    with pytest.raises(BadRequestError, match="ENTITIES_TOO_LONG"):
        validate_message({"text": links, "parse_mode": "HTML"})
