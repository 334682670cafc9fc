"""Discord interactions ↔ neutral commands. Pure: no I/O.

A slash command or a button click becomes a `Command`; an `Action` becomes a button custom_id and back.
Discord caps a custom_id at 100 characters: a longer command line is replaced by a short "#" token that
`ActionIds` remembers (bounded, newest kept), so old buttons expire instead of growing memory forever.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass

from bot.model import Command, Target

PLATFORM = "discord"
CUSTOM_ID_LIMIT = 100
TOKEN_PREFIX = "#"
_ADMINISTRATOR = 1 << 3
_MANAGE_CHANNELS = 1 << 4
_VIEW_CHANNEL = 1 << 10
_SEND_MESSAGES = 1 << 11
_EMBED_LINKS = 1 << 14  # without it, Discord drops a message's article cards
_SEND_MESSAGES_IN_THREADS = 1 << 38
# A member's, role's or channel's mention as Discord writes it into a command's text: "<@123>", "<@!123>", "<@&123>",
# "<#123>", and the mentions of a whole server or channel, "@everyone" and "@here"
_MENTION = re.compile(r"(?<!\S)(?:<(?:@[!&]?|#)\d+>|@everyone|@here)(?!\S)")


@dataclass(frozen=True)
class Origin:
    """Who invoked an interaction, and where."""

    user_id: int
    channel_id: int
    guild_id: int | None = None  # None in a direct message
    permissions: int = 0  # the member's permission bits in that channel (Discord's "member.permissions")
    bot_permissions: int | None = None  # the bot's there ("app_permissions"); None: not told
    in_thread: bool = False


CHAT_ADMINS = "members with the Manage Channels permission"  # what is_chat_admin checks, as Discord names it


def is_chat_admin(origin: Origin) -> bool:
    """Manage Channels (or Administrator, which grants every permission) in a guild, for the server or
    this channel; always true in a direct message."""
    if origin.guild_id is None:
        return True
    return bool(origin.permissions & (_ADMINISTRATOR | _MANAGE_CHANNELS))


def bot_can_post(origin: Origin) -> bool:
    """Whether the bot may post article cards in the channel unasked: an answer to a slash command
    needs no rights there, a subscription's messages do."""
    if origin.guild_id is None or origin.bot_permissions is None:
        return True
    return may_post(origin.bot_permissions, in_thread=origin.in_thread)


def may_post(granted: int, *, in_thread: bool) -> bool:
    """Whether these permission bits (the bot's in a channel or thread) let it post article cards there."""
    if granted & _ADMINISTRATOR:
        return True
    may_send = granted & (_SEND_MESSAGES_IN_THREADS if in_thread else _SEND_MESSAGES)
    return bool(granted & _VIEW_CHANNEL and granted & _EMBED_LINKS and may_send)


def to_command(name: str, args: str, origin: Origin) -> Command:
    return Command(
        name=name.lower(),
        args=" ".join(without_mentions(args).split()),
        user=str(origin.user_id),
        target=Target(PLATFORM, str(origin.channel_id)),
        chat_kind="private" if origin.guild_id is None else "group",
        is_admin=is_chat_admin(origin),
        admins=CHAT_ADMINS,
        bot_can_post=bot_can_post(origin),
    )


def without_mentions(words: str) -> str:
    """The words less every mention among them: a member mentions someone beside a command ("/search
    solar <@123>", "/search solar @here") to show them the answer, not to look for the digits of their id."""
    return _MENTION.sub(" ", words)


def argument_text(value: object) -> str:
    """A slash-command option value (text, number or absent) as the neutral argument string."""
    return "" if value is None else str(value).strip()


class ActionIds:
    """Action command lines ↔ button custom_ids (the line itself when it fits, else a remembered token)."""

    def __init__(self, capacity: int = 10_000):
        self._capacity = capacity
        self._lines: OrderedDict[str, str] = OrderedDict()

    def encode(self, line: str) -> str:
        if len(line) <= CUSTOM_ID_LIMIT and line.startswith("/"):
            return line
        token = TOKEN_PREFIX + hashlib.sha256(line.encode("utf-8")).hexdigest()[:32]
        self._lines[token] = line
        self._lines.move_to_end(token)
        while len(self._lines) > self._capacity:
            self._lines.popitem(last=False)
        return token

    def decode(self, custom_id: str) -> str | None:
        """The command line behind a custom_id; None when its token has expired or it is not ours."""
        if custom_id.startswith("/"):
            return custom_id
        return self._lines.get(custom_id)
