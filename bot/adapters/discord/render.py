"""Reply → Discord messages: escaped content, article embeds and buttons within Discord's limits. Pure: no I/O.

Article and user text is escaped for Discord markdown (including masked links and `<@…>`/`<#…>`/`<t:…>`
syntax) and mentions are defused; the adapter additionally sends every message with no allowed mentions.
Limits: content 2,000 characters; per embed a title of 256, a description of 4,096, 25 fields (name 256,
value 1,024) and 6,000 characters in all; 10 embeds and 6,000 embed characters per message; 25 buttons
(5 rows of 5) with labels of 80. What does not fit one message continues in the next; the buttons go on
the last one, and buttons past 25 on messages of their own. Escaping happens before cutting and a cut never splits an escape sequence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import discord
from discord.utils import escape_mentions, format_dt

from bot.adapters.links import web_address
from bot.model import Action, ArticleCard, Reply
from content.text import clip, grapheme_boundary, remove_bidi_overrides

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_VALUE_LIMIT = 1024
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
MESSAGE_EMBED_TOTAL_LIMIT = 6000
BUTTONS_PER_MESSAGE = 25
BUTTON_LABEL_LIMIT = 80
POST_NAME_LIMIT = 100  # a forum post's (a thread's) name
ELLIPSIS = "…"
EMPTY_REPLY = "Nothing to show."
UNTITLED = "(untitled)"
MORE_BUTTONS = "More:"
_INLINE_MARKUP = re.compile(r"[\\*_~`|\[\]<]")
_LINE_START_MARKUP = re.compile(r"^(\s*)([#>-])", re.MULTILINE)  # headings, quotes, lists, subtext
_WEB_ADDRESS = re.compile(r"https?://[^\s<]+[^<.,:;\"'\]\s]")  # as Discord finds one in text


@dataclass(frozen=True)
class Button:
    label: str
    custom_id: str


@dataclass
class OutgoingMessage:
    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)


def escape(text: str) -> str:
    """Text shown literally: no markdown, no masked links, no mentions, no `<…>` entities, nothing
    that turns the words after it around.

    Every markup character gets a backslash, brackets included: discord.py's
    escape_markdown puts one before a whole `[…](…)` span only, leaving the links after it live.
    Web addresses stay as written, so Discord links them showing the address itself; a mention's
    defusing space in one ("youtube.com/@here…") would become part of the link.
    """
    text = remove_bidi_overrides(text)
    shown, position = [], 0
    for address in _WEB_ADDRESS.finditer(text):
        shown += [_escape_words(text[position : address.start()]), address.group()]
        position = address.end()
    shown.append(_escape_words(text[position:]))
    return _LINE_START_MARKUP.sub(r"\1\\\2", "".join(shown))


def _escape_words(text: str) -> str:
    return _INLINE_MARKUP.sub(r"\\\g<0>", escape_mentions(text))


def _longest_fitting_prefix(text: str, limit: int, suffix: str = "") -> int:
    """The largest n such that escape(text[:n]) + suffix fits in limit characters, cutting no character
    as people see it (a flag, an emoji sequence, a letter and its accents) in two."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if len(escape(text[:middle]) + suffix) <= limit:
            low = middle
        else:
            high = middle - 1
    return grapheme_boundary(text, low)


def fit(text: str, limit: int) -> str:
    """Escaped text within limit characters, cut at a word boundary with an ellipsis when too long."""
    text = " ".join(text.split())
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    cut = _longest_fitting_prefix(text, limit, ELLIPSIS)
    space = text.rfind(" ", 0, cut)
    if space > cut // 2:
        cut = space
    return escape(text[:cut].rstrip()) + ELLIPSIS


def _raw_pieces(line: str, limit: int) -> list[str]:
    """Split one line into pieces whose escaped form fits in limit, preferring spaces as cut points."""
    pieces = []
    while len(escape(line)) > limit:
        cut = _longest_fitting_prefix(line, limit)
        space = line.rfind(" ", 0, cut)
        if space > cut // 2:
            cut = space + 1
        pieces.append(line[:cut])
        line = line[cut:]
    pieces.append(line)
    return pieces


def split_text(text: str, limit: int = CONTENT_LIMIT) -> list[str]:
    """Escaped message contents of at most limit characters, split at line (then word) boundaries."""
    if not text.strip():
        return []
    chunks: list[str] = []
    current = ""
    for line in text.strip().split("\n"):
        for piece in _raw_pieces(line, limit):
            escaped = escape(piece)
            candidate = f"{current}\n{escaped}" if current else escaped
            if len(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = escaped
    if current:
        chunks.append(current)
    return chunks


def card_embed(card: ArticleCard) -> discord.Embed:
    embed = discord.Embed(title=fit(card.title, TITLE_LIMIT) or UNTITLED, url=web_address(card.url))
    for name, values in (("Sectors", card.sectors), ("Places", card.countries)):
        _add_field(embed, name, ", ".join(value for value in values if value.strip()))
    _add_field(embed, "Source", card.source)
    if card.published is not None:
        embed.add_field(name="Published", value=format_dt(card.published, style="D"), inline=True)
    budget = min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - len(embed))
    summary = fit(card.summary, budget)
    if summary:
        embed.description = summary
    return embed


def _add_field(embed: discord.Embed, name: str, text: str) -> None:
    """A field showing the text, unless none of it shows once escaped (blank, or only controls that turn
    text around): Discord refuses an empty field, and the whole message with it."""
    if value := fit(text, FIELD_VALUE_LIMIT):
        embed.add_field(name=name, value=value, inline=True)


def post_name(reply: Reply) -> str:
    """The name of the forum post that carries a reply, shown as written: the first line of its text, else
    its first article's title."""
    for line in (reply.text.strip().split("\n")[0], *(card.title for card in reply.cards)):
        if name := clip(" ".join(remove_bidi_overrides(line).split()), POST_NAME_LIMIT):
            return name
    return UNTITLED


def _embed_groups(embeds: list[discord.Embed]) -> list[list[discord.Embed]]:
    groups: list[list[discord.Embed]] = []
    size = 0
    for embed in embeds:
        fits = groups and len(groups[-1]) < EMBEDS_PER_MESSAGE and size + len(embed) <= MESSAGE_EMBED_TOTAL_LIMIT
        if fits:
            groups[-1].append(embed)
            size += len(embed)
        else:
            groups.append([embed])
            size = len(embed)
    return groups


def buttons(actions: list[Action], encode) -> list[Button]:
    """Buttons for actions: unique custom_ids (Discord rejects duplicates), labels cut to 80."""
    seen: set[str] = set()
    result = []
    for action in actions:
        custom_id = encode(action.command)
        label = clip(" ".join(action.label.split()), BUTTON_LABEL_LIMIT) or clip(action.command, BUTTON_LABEL_LIMIT)
        if custom_id in seen:
            continue
        seen.add(custom_id)
        result.append(Button(label, custom_id))
    return result


def render_reply(reply: Reply, encode) -> list[OutgoingMessage]:
    """The messages that carry a reply, in order. `encode` maps an action's command line to a custom_id."""
    texts = split_text(reply.text)
    groups = _embed_groups([card_embed(card) for card in reply.cards])
    messages = [OutgoingMessage(content=text) for text in texts]
    for index, group in enumerate(groups):
        if index == 0 and messages:
            messages[-1].embeds = group
        else:
            messages.append(OutgoingMessage(embeds=group))
    action_buttons = buttons(reply.actions, encode)
    if not messages:
        messages.append(OutgoingMessage(content=None if action_buttons else EMPTY_REPLY))
    messages[-1].buttons = action_buttons[:BUTTONS_PER_MESSAGE]
    for start in range(BUTTONS_PER_MESSAGE, len(action_buttons), BUTTONS_PER_MESSAGE):
        more = action_buttons[start : start + BUTTONS_PER_MESSAGE]
        messages.append(OutgoingMessage(content=MORE_BUTTONS, buttons=more))
    return messages
