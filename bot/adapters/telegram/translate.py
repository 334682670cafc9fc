"""Telegram updates → the neutral model. Pure: reads PTB objects, does no I/O.

A command line is "/name[@botname] args". In groups a command addressed to another bot is not ours, and
a bare command we do not know may be meant for another bot, so only addressed or known ones are taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from telegram import Chat, ChatMember, Message, MaybeInaccessibleMessage
from telegram.constants import ChatMemberStatus

from bot.model import ChatKind, Command, Target

PLATFORM = "telegram"
# Commands that change or show what a chat receives: in a private chat, they may name a channel first
# ("/subscribe @news energy"), as a channel takes no commands of its own.
CHANNEL_COMMANDS = frozenset({"subscribe", "unsubscribe", "subscriptions", "settings"})
# "@news", "t.me/news" (a link to the channel, or to one of its posts: "t.me/news/123?single"), a link
# to a private channel's post ("t.me/c/3000/5" is -1003000), or a channel's id
_CHANNEL_REFERENCE = re.compile(
    r"(?:@|(?:https?://)?(?:t|telegram)\.me/)([A-Za-z][A-Za-z0-9_]{3,31})(?:/\d+(?:\?\S*)?)?/?"
    r"|(?:https?://)?(?:t|telegram)\.me/c/(\d{1,13})(?:/\d+(?:\?\S*)?)?/?|(-100\d{1,13})",
    re.IGNORECASE,
)
_MENTION = re.compile(r"(?<!\S)@[A-Za-z][A-Za-z0-9_]{3,31}(?!\S)\s*")  # as Telegram's usernames are written
_COMMAND_LINE = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+(.*))?\s*\Z", re.DOTALL)
_CHAT_KINDS: dict[str, ChatKind] = {
    Chat.PRIVATE: "private",
    Chat.GROUP: "group",
    Chat.SUPERGROUP: "group",
    Chat.CHANNEL: "channel",
}


@dataclass(frozen=True)
class CommandLine:
    name: str  # lower case, without "/" or "@botname"
    args: str
    mention: str | None  # the bot name after "@", if any


def parse_command_line(text: str | None) -> CommandLine | None:
    """'/Sector@NewsBot  energy ' → CommandLine("sector", "energy", "NewsBot"); None if not a command."""
    match = _COMMAND_LINE.match((text or "").strip())
    if not match:
        return None
    name, mention, args = match.groups()
    return CommandLine(name.lower(), (args or "").strip(), mention)


def without_our_mention(words: str, bot_username: str) -> str:
    """The words less "@botname" among them: people mention the bot beside a command ("/search smart
    grid @newsbot") or words, which names the bot, not what to look for."""
    mention = re.compile(rf"(?<!\S)@{re.escape(bot_username)}(?!\S)\s*", re.IGNORECASE)
    return mention.sub("", words).strip()


def without_mentions(words: str) -> str:
    """The words less every "@username" among them: a member mentions someone beside a command
    ("/search solar @alice") to show them the answer, not to look them up."""
    return _MENTION.sub("", words).strip()


def channel_named(line: CommandLine) -> tuple[str, CommandLine] | None:
    """("@news", the line without it) when a channel command names a channel first; the reference is
    "@username" or the channel's id, as Telegram's getChat takes it."""
    if line.name not in CHANNEL_COMMANDS:
        return None
    first, *rest = line.args.split(maxsplit=1) or [""]
    found = _CHANNEL_REFERENCE.fullmatch(first)
    if found is None:
        return None
    reference = f"@{found[1]}" if found[1] else found[3] or f"-100{found[2]}"
    return reference, replace(line, args=rest[0] if rest else "")


def bot_may_post(bot: ChatMember, chat: Chat) -> bool:
    """Whether the bot, a member of the chat as `bot` says, may post there unasked."""
    if chat.type == Chat.CHANNEL:
        return bot.status == ChatMemberStatus.ADMINISTRATOR and bool(bot.can_post_messages)
    if bot.status == ChatMemberStatus.RESTRICTED:
        return bot.is_member and bot.can_send_messages
    return bot.status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR)


def chat_kind(chat: Chat) -> ChatKind:
    return _CHAT_KINDS.get(chat.type, "group")


def is_addressed_to_us(line: CommandLine, bot_username: str, kind: ChatKind, known: frozenset[str]) -> bool:
    if line.mention is not None:
        return line.mention.lower() == bot_username.lower()
    return kind == "private" or line.name in known


def target_of(message: Message | MaybeInaccessibleMessage) -> Target:
    """The chat, and the forum topic when the message is in one (replies must stay in that topic)."""
    thread = None
    if isinstance(message, Message) and message.is_topic_message and message.message_thread_id:
        thread = str(message.message_thread_id)
    return Target(PLATFORM, str(message.chat.id), thread)


def sender_id(message: Message) -> str:
    """The user who sent it; for an anonymous group admin or a linked channel, the chat it was sent as."""
    if message.sender_chat is not None:
        return f"chat:{message.sender_chat.id}"
    return str(message.from_user.id) if message.from_user else "unknown"


def sent_as_the_chat(message: Message) -> bool:
    """Anonymous admins post as the group itself; only admins can."""
    return message.sender_chat is not None and message.sender_chat.id == message.chat.id


def to_command(
    line: CommandLine,
    *,
    user: str,
    target: Target,
    kind: ChatKind,
    is_admin: bool | None,
    chat_name: str | None = None,
    bot_can_post: bool = True,
) -> Command:
    return Command(
        name=line.name,
        args=line.args,
        user=user,
        target=target,
        chat_kind=kind,
        is_admin=True if kind == "private" else is_admin,
        bot_can_post=bot_can_post,
        chat_name=chat_name,
    )
