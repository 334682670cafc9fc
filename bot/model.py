"""The platform-neutral conversation model: a command in, a reply out.

Handlers see only these types; adapters translate them to and from one platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

ChatKind = Literal["private", "group", "channel"]


@dataclass(frozen=True)
class Target:
    """Where a message goes: a chat on a platform, optionally a thread/forum topic in it."""

    platform: str
    chat: str
    thread: str | None = None

    def named(self) -> str:
        """The target as an operator looks it up in a log line: "telegram chat -1007 thread 5"."""
        thread = f" thread {self.thread}" if self.thread else ""
        return f"{self.platform} chat {self.chat}{thread}"


@dataclass(frozen=True)
class Command:
    name: str  # without the slash or @botname, lower case: "sector"
    args: str  # the rest of the line, stripped
    user: str
    target: Target
    chat_kind: ChatKind = "private"
    is_admin: bool | None = True  # does the user administer this chat (always true in private); None: unknown just now
    # Who `is_admin` stands for, in the platform's words ("members with the Manage Channels permission"),
    # for a refusal to name what is needed; None: the chat's administrators.
    admins: str | None = None
    bot_can_post: bool = True  # may the bot post here unasked (what a subscription sends); False: it lacks the rights
    # The chat the command is about when it was typed in another: a Telegram channel, which takes no
    # commands, managed from a private chat. Its name comes first in such a command ("/subscriptions @news").
    chat_name: str | None = None

    @property
    def platform(self) -> str:
        return self.target.platform


@dataclass(frozen=True)
class ArticleCard:
    title: str
    url: str | None
    summary: str
    sectors: tuple[str, ...] = ()  # display names
    countries: tuple[str, ...] = ()  # display names; the regions, where the article names no country
    source: str = ""
    published: datetime | None = None


@dataclass(frozen=True)
class Action:
    """A button. Pressing it runs `command` (a command line such as "/sector energy") as the user."""

    label: str
    command: str


@dataclass
class Reply:
    text: str = ""
    cards: list[ArticleCard] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    private: bool = False  # errors and help: ephemeral where the platform can


# How a chat's posts look, its choice in /settings format: what each holds
POST_FORMATS = {"full": "headline, summary, tags and link", "compact": "headline, tags and link, no summary"}
DEFAULT_POST_FORMAT = "full"  # a chat that chose none


def in_post_format(reply: Reply, post_format: str) -> Reply:
    """A post as a chat that chose this format gets it."""
    if post_format == "compact":
        return replace(reply, cards=[replace(card, summary="") for card in reply.cards])
    return reply


def new_articles(count: int) -> str:
    """"1 new article", "3 new articles": how digests and replies count the articles of a period."""
    return f"{count} new article{'' if count == 1 else 's'}"


def burst_message(cards: list[ArticleCard], part: int, parts: int, total: int) -> Reply:
    """Message `part` of `parts` carrying `total` new articles for a chat's instant subscriptions at once."""
    of = f" ({part} of {parts})" if parts > 1 else ""
    return Reply(text=f"{new_articles(total)} for your subscriptions{of}", cards=cards)


_MAX_ECHOED_NAME = 32
_QUOTE_MARKS = "\"'“”‘’«»„"


def quoted(words: str) -> str:
    """Words a person typed, set in quotes in a reply; words they quoted themselves keep only their own."""
    if len(words) > 1 and words[0] in _QUOTE_MARKS and words[-1] in _QUOTE_MARKS:
        return words
    return f"“{words}”"


def command_name_echoed(name: str) -> str:
    """A command name someone typed, as a reply echoes it: clipped, should it be a whole paragraph."""
    return name[:_MAX_ECHOED_NAME] + ("…" if len(name) > _MAX_ECHOED_NAME else "")


def one_of(names: list[str]) -> str:
    """Names as a choice reads: "A", "A or B", "A, B or C"."""
    *others, last = names
    return f"{', '.join(others)} or {last}" if others else last
