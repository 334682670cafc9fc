"""Command name → handler, with the safety net every platform shares.

Adapters hand the router a neutral `Command` (name without "/" or "@botname"); the
router finds the handler, refuses over-long arguments, suggests close names for
unknown commands, and turns a crashing handler into a short apology (traceback to
the log, never to the user).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Awaitable, Callable

from rapidfuzz import fuzz, process

from bot.commands import help as getting_started
from bot.commands import news, subscriptions
from bot.context import Context
from bot.model import Action, Command, Reply, command_name_echoed
from content.text import GRAPHEME, clip, remove_bidi_overrides

log = logging.getLogger(__name__)

CommandHandler = Callable[[Command, Context], Awaitable[Reply]]

MAX_ARGUMENT_LENGTH = 200
_SUGGESTION_CUTOFF = 70
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))  # not the joiners, which emoji and scripts need
_LONGEST_CHARACTER = 16  # code points of the longest character people type: a family of four with skin tones has 11
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
COMMANDS_HINT = (
    "I answer commands, which start with a slash: /news energy thailand, /search smart grid, or /help for all of them."
)
NEWS_BUTTON = "News on “{words}”"
NEWS_BUTTON_WORDS = 100  # characters of plain words offered as /news behind a button: a subscription topic's most
NEWS_BUTTON_LABEL = 40  # characters of them shown on the button


@dataclass(frozen=True)
class CommandInfo:
    name: str
    handler: CommandHandler
    summary: str
    example: str
    aliases: tuple[str, ...] = ()
    hidden: bool = False  # works, but is not listed in /help or the platform's command menu


def as_typed(text: str) -> str:
    """Text as the person meant it: full-width and other compatibility forms folded (ＡＩ is AI),
    characters that show nothing (zero-width space, byte order mark, soft hyphen) or reorder the line
    removed, and control characters read as spaces, as Telegram's servers read them."""
    shown = remove_bidi_overrides(unicodedata.normalize("NFKC", text).translate(_INVISIBLE))
    return _CONTROL_CHARACTERS.sub(" ", shown).strip()


def _shown_length(text: str) -> int:
    """How many characters people see in the text: a flag, an emoji sequence or a letter with its
    accents is one, however many code points make it; but for marks piled on a letter past any
    character's ("Zalgo" text), each code point."""
    return sum(1 if len(shown) <= _LONGEST_CHARACTER else len(shown) for shown in GRAPHEME.findall(text))


def parse_command_line(line: str, bot_name: str | None = None) -> tuple[str, str] | None:
    """Split "/Sector@newsbot energy" into ("sector", "energy"); None when the line is no command.

    A command addressed to another bot ("/sector@otherbot") is not ours: None.
    """
    line = as_typed(line)
    if not line.startswith("/") or len(line) == 1 or line[1].isspace():
        return None
    head, *rest = line[1:].split(maxsplit=1)
    name, _, addressee = head.partition("@")
    if not name:
        return None
    if addressee and (bot_name is None or addressee.lower() != bot_name.lower()):
        return None
    return name.lower(), rest[0].strip() if rest else ""


def hint_for_words(text: str) -> Reply:
    """The answer to words sent without a command, as to a person: how to ask, with a button that
    looks them up as /news does, unless they are too long for one, more words than /news reads (it
    would refuse them), or begin with a slash that makes no command ("/news-energy", "/новости")."""
    words = text.strip()
    too_long = not 0 < len(words) <= NEWS_BUTTON_WORDS or news.word_count(words) > news.MAX_NEWS_WORDS
    if too_long or words.startswith("/"):
        return Reply(text=COMMANDS_HINT)
    return Reply(text=COMMANDS_HINT, actions=[Action(NEWS_BUTTON.format(words=_label_for(words)), f"/news {words}")])


def _label_for(words: str) -> str:
    """The words on one line, clipped to fit a button."""
    line = " ".join(words.split())
    shown = clip(line, NEWS_BUTTON_LABEL)
    return shown if shown == line else shown.rstrip() + "…"


class Router:
    def __init__(self, context: Context):
        self.context = context
        self._commands: dict[str, CommandInfo] = {}
        self._names: dict[str, str] = {}  # name or alias → command name

    def register(
        self,
        name: str,
        handler: CommandHandler,
        summary: str,
        example: str,
        aliases: tuple[str, ...] = (),
        *,
        hidden: bool = False,
    ) -> None:
        for key in (name, *aliases):
            if key in self._names:
                raise ValueError(f"command /{key} is already registered")
        info = CommandInfo(name, handler, summary, example, tuple(aliases), hidden)
        self._commands[name] = info
        for key in (name, *aliases):
            self._names[key] = name

    def commands(self) -> list[CommandInfo]:
        """The listed commands, in registration order (for /help and setMyCommands)."""
        return [info for info in self._commands.values() if not info.hidden]

    def listed_command(self, name: str) -> CommandInfo | None:
        """The listed command called `name` or by an alias of it."""
        info = self._commands.get(self._names.get(name, ""))
        return None if info is None or info.hidden else info

    def command_menu(self) -> list[tuple[str, str]]:
        """(name, summary) pairs, the shape platform command menus take."""
        return [(info.name, info.summary) for info in self.commands()]

    async def handle(self, command: Command) -> Reply:
        command = replace(command, args=as_typed(command.args))
        info = self._commands.get(self._names.get(command.name, ""))
        if info is None:
            return self.unknown_command(command.name)
        if (length := _shown_length(command.args)) > MAX_ARGUMENT_LENGTH:
            return Reply(
                text=f"That is too long: /{info.name} takes at most {MAX_ARGUMENT_LENGTH} characters "
                f"(you sent {length}). Try something shorter, e.g. {info.example}",
                private=True,
            )
        try:
            return await info.handler(command, self.context)
        except Exception:
            log.exception("the /%s handler failed (platform %s)", info.name, command.platform)
            return Reply(
                text=f"Sorry, something went wrong while answering /{info.name}. Please try again in a moment.",
                private=True,
            )

    def knows(self, name: str) -> bool:
        """Whether `name` is a command's name or alias, as a Command carries it."""
        return name in self._names

    def reads_as_command(self, name: str) -> bool:
        """Whether a word names a command, or comes near enough a listed one to be a typo of it ("sectr")."""
        return name.lower() in self._names or self.nearest_command(name) is not None

    def nearest_command(self, name: str) -> str | None:
        """The listed command whose name or alias comes nearest `name`, if one comes near enough."""
        listed = {key: key for key, target in self._names.items() if not self._commands[target].hidden}
        best = process.extractOne(name, listed, scorer=fuzz.ratio, score_cutoff=_SUGGESTION_CUTOFF)
        return self._names[best[2]] if best else None

    def unknown_command(self, name: str) -> Reply:
        shown = command_name_echoed(name)
        nearest = self.nearest_command(name)
        hint = f" Did you mean /{nearest}?" if nearest else ""
        return Reply(text=f"Unknown command /{shown}.{hint} Try /help.", private=True)


def build_router(context: Context) -> Router:
    """Every command, wired in one place."""
    router = Router(context)
    router.register("start", getting_started.start, "what this bot does", "/start")
    router.register("help", getting_started.help_for(router), "every command with an example", "/help")
    router.register("latest", news.latest, "the newest articles", "/latest 10")
    router.register("sector", news.sector, "the latest in a sector", "/sector energy")
    router.register("country", news.country, "the latest from a country or region", "/country kenya")
    router.register("news", news.news, "combine sectors, places and words", "/news AI education in Thailand")
    router.register("search", news.search, "full-text search", "/search smart grid")
    router.register("sectors", news.sectors, "sectors with article counts", "/sectors")
    router.register("countries", news.countries, "countries and regions with article counts", "/countries")
    subscriptions.register(router)
    router.register("about", getting_started.about, "sources, and how summaries and tags are made", "/about")
    router.register("more", news.more, "the next page of a list", "/more", hidden=True)
    return router
