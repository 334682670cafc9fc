"""Reply → Telegram HTML messages with inline keyboards. Pure: no I/O.

Every piece of article and user text is escaped; links are kept only for http(s) URLs; sectors and
countries become hashtags; a reply longer than one message (4,096 characters, more than the 100
formatted pieces and hashtags Telegram shows, dropping the links past them, or links whose addresses
add up to more than Telegram keeps with one message) is split at card boundaries, a plain text at
line or word boundaries, and a single over-long card is cut between tags and entities, never inside
one. Lengths are counted as Telegram counts them: in UTF-16 code units of the text after parsing,
where a tag counts nothing and an entity one character.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import MessageLimit

from bot.adapters.links import web_address
from bot.model import Action, ArticleCard, Reply
from content.text import grapheme_boundary

MESSAGE_LIMIT = 4096
MAX_BUTTONS = 100  # Telegram's limit per inline keyboard
# Bytes of a keyboard's JSON as PTB sends it (a non-ASCII letter escaped in six): Telegram refuses
# about 10 KB with "reply markup is too long", and the message with it.
MARKUP_LIMIT = 8 * 1024
BUTTONS_PER_ROW = 3
ROW_LABEL_BUDGET = 36  # characters of labels per row before wrapping, so labels stay readable on phones
ELLIPSIS = "…"
CARD_SEPARATOR = "\n\n"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
ACTIONS_ONLY_TEXT = "Choose:"
BUTTONS_LEFT_OUT = "The first {shown} of these {total} buttons fit in a Telegram message."
# Characters of the links' addresses in one message. Telegram refuses a message whose entities are too large
# in all (ENTITIES_TOO_LONG), about 9,500 characters of text and links as its maintainers put it: five
# articles of a feed with 2,000-character links would not go out together.
LINK_ADDRESSES_LIMIT = 6000

_HTML_TOKEN = re.compile(r"<[^>]*>|&[^;]*;|[^<&]+")
_MESSAGE_ENTITY = re.compile(r"<[^/]|(?<![\w&])#\w")  # a tag's formatting, or a hashtag Telegram finds in the text
_HASHTAG_PART = re.compile(r"[^\W_]+", re.UNICODE)
_LINK_ADDRESS = re.compile(r'<a href="([^"]*)">')
# "@name" at a word's start, as Telegram reads a mention (an e-mail address has a letter before its @), or a
# web address with a path, which Telegram links whole, an "@" in it included ("youtube.com/@channel"): no mention
_MENTION_OR_ADDRESS = re.compile(r"(https?://[\w.-]+\.[\w-]+(?::\d+)?/\S*)|(?<!\w)@(?=\w)", re.IGNORECASE)
WORD_JOINER = "\u2060"


@dataclass(frozen=True)
class OutgoingMessage:
    text: str  # Telegram HTML
    link_preview: LinkPreviewOptions
    keyboard: InlineKeyboardMarkup | None = None


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def shown_length(markup: str) -> int:
    """The length Telegram checks against its limit. escape() writes only entities of one character."""
    return sum(_token_length(token) for token in _HTML_TOKEN.findall(markup))


def _fits(markup: str, limit: int) -> bool:
    """Within the length limit, with no more entities than Telegram shows (it drops the formatting and
    links past them), and with no more of the links' addresses than it takes."""
    return (
        shown_length(markup) <= limit
        and len(_MESSAGE_ENTITY.findall(markup)) <= MessageLimit.MESSAGE_ENTITIES
        and sum(map(len, _LINK_ADDRESS.findall(markup))) <= LINK_ADDRESSES_LIMIT
    )


def _token_length(token: str) -> int:
    if token.startswith("<"):
        return 0
    return 1 if token.startswith("&") else utf16_length(token)


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def hashtag(name: str) -> str | None:
    """"Southeast Asia" → "#SoutheastAsia"; letters and digits only, so Telegram links all of it."""
    parts = _HASHTAG_PART.findall(name)
    tag = "".join(part[:1].upper() + part[1:] for part in parts)
    if not tag or tag.isdigit():
        return None
    return "#" + tag


def _article_text(text: str) -> str:
    """Escaped, and with every "@name" shown as written but read as no mention: Telegram notifies a
    group's members that a message mentions, and a feed could call any of them out by name. A web
    address stays as written: an invisible character in it would break the link."""
    return escape(_MENTION_OR_ADDRESS.sub(lambda found: found[1] or "@" + WORD_JOINER, text))


def render_card(card: ArticleCard) -> str:
    title = _article_text(card.title.strip() or "(untitled)")
    link = web_address(card.url)
    heading = f'<b><a href="{escape(link)}">{title}</a></b>' if link else f"<b>{title}</b>"
    lines = [heading]
    if card.summary.strip():
        lines.append(_article_text(card.summary.strip()))
    tags = [tag for tag in map(hashtag, (*card.sectors, *card.countries)) if tag]
    if tags:
        lines.append(" ".join(dict.fromkeys(tags)))
    byline = " · ".join(part for part in (card.source.strip(), _date(card)) if part)
    if byline:
        lines.append(f"<i>{_article_text(byline)}</i>")
    return "\n".join(lines)


def _date(card: ArticleCard) -> str:
    return card.published.strftime("%Y-%m-%d") if card.published else ""


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Escape plain text into chunks of at most `limit`, breaking at a newline, else a space, else anywhere."""
    chunks: list[str] = []
    rest = text.strip()
    while rest:
        if utf16_length(rest) <= limit:
            chunks.append(escape(rest))
            break
        fits = len(_utf16_prefix(rest, limit)) or 1
        cut = rest.rfind("\n", 0, fits + 1)
        if cut <= fits // 2:
            cut = rest.rfind(" ", 0, fits + 1)
        if cut <= fits // 2:
            cut = fits
        piece = rest[:cut].rstrip()
        if piece:
            chunks.append(escape(piece))
        rest = rest[cut:].lstrip()
    return chunks


def truncate_html(markup: str, limit: int = MESSAGE_LIMIT) -> str:
    """Cut well-formed HTML to `limit`, ending with an ellipsis and the closing tags still open."""
    if shown_length(markup) <= limit:
        return markup
    budget = limit - utf16_length(ELLIPSIS)
    kept: list[str] = []
    open_tags: list[str] = []
    used = 0
    for token in _HTML_TOKEN.findall(markup):
        size = _token_length(token)
        if token.startswith("</"):
            open_tags.pop()
        elif token.startswith("<"):
            open_tags.append(token[1:].split(None, 1)[0].rstrip(">").lower())
        elif used + size > budget:
            if not token.startswith("&"):
                kept.append(_utf16_prefix(token, budget - used))
            break
        kept.append(token)
        used += size
    closing = "".join(f"</{name}>" for name in reversed(open_tags))
    return "".join(kept).rstrip() + ELLIPSIS + closing


def _utf16_prefix(text: str, units: int) -> str:
    prefix: list[str] = []
    for character in text:
        units -= utf16_length(character)
        if units < 0:
            break
        prefix.append(character)
    return text[: grapheme_boundary(text, len(prefix))]


def keyboard(actions: list[Action], callback_data: Callable[[str], str]) -> InlineKeyboardMarkup | None:
    """The actions' buttons, as many of the first as Telegram takes: a list of many long-labelled buttons
    (/subscriptions) keeps those that fit, the reply's text naming the rest and render_reply how many fit."""
    buttons = [
        InlineKeyboardButton(action.label, callback_data=callback_data(action.command)) for action in actions[:MAX_BUTTONS]
    ]
    while buttons:
        markup = InlineKeyboardMarkup(_rows(buttons))
        if len(json.dumps(markup.to_dict())) <= MARKUP_LIMIT:
            return markup
        buttons.pop()
    return None


def _rows(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    rows: list[list[InlineKeyboardButton]] = []
    row_width = 0
    for button in buttons:
        width = len(button.text)
        if rows and len(rows[-1]) < BUTTONS_PER_ROW and row_width + width <= ROW_LABEL_BUDGET:
            rows[-1].append(button)
            row_width += width
        else:
            rows.append([button])
            row_width = width
    return rows


def render_reply(
    reply: Reply, callback_data: Callable[[str], str] = lambda command: command, limit: int = MESSAGE_LIMIT
) -> list[OutgoingMessage]:
    """The messages to send for a reply, in order; the keyboard goes on the last one, and a line after
    the last block says so when it holds fewer buttons than the reply has."""
    markup = keyboard(reply.actions, callback_data)
    blocks = split_text(reply.text, limit)
    card_blocks = [truncate_html(render_card(card), limit) for card in reply.cards]
    first_card_block = len(blocks)
    blocks += card_blocks
    if markup and (shown := sum(map(len, markup.inline_keyboard))) < len(reply.actions):
        blocks += split_text(BUTTONS_LEFT_OUT.format(shown=shown, total=len(reply.actions)), limit)
    if not blocks and reply.actions:
        blocks = [ACTIONS_ONLY_TEXT]
    preview_url = web_address(reply.cards[0].url) if reply.cards else None

    texts: list[str] = []
    preview_message = None
    for index, block in enumerate(blocks):
        if texts and _fits(texts[-1] + CARD_SEPARATOR + block, limit):
            texts[-1] += CARD_SEPARATOR + block
        else:
            texts.append(block)
        if index == first_card_block:
            preview_message = len(texts) - 1

    messages = [
        OutgoingMessage(
            text,
            LinkPreviewOptions(url=preview_url) if preview_url and number == preview_message else NO_PREVIEW,
        )
        for number, text in enumerate(texts)
    ]
    if messages and markup:
        last = messages[-1]
        messages[-1] = OutgoingMessage(last.text, last.link_preview, markup)
    return messages
