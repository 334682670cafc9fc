"""The slash commands newsbot registers on Discord: each one becomes the neutral Command of the same name,
its one option (if any) the arguments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from bot.commands.news import MAX_LATEST

ArgumentKind = Literal["text", "count", "sector", "place", "topic", "subscription"]


@dataclass(frozen=True)
class SlashCommand:
    """A slash command that becomes the neutral Command `name` with its one option as the arguments."""

    name: str
    description: str
    argument: str | None = None
    argument_description: str = ""
    required: bool = False
    kind: ArgumentKind = "text"  # count: a number 1–MAX_LATEST; sector/place/topic/subscription: with autocomplete


STANDARD_COMMANDS = (
    SlashCommand("latest", "The latest articles", "count", f"How many articles (1–{MAX_LATEST})", kind="count"),
    SlashCommand("sector", "Articles in a sector, or all sectors", "name", "A sector, e.g. energy", kind="sector"),
    SlashCommand(
        "country", "Articles about a country or region, or all of them", "name", "e.g. Kenya", kind="place"
    ),
    SlashCommand("news", "News matching your words", "words", "e.g. AI education in Thailand", required=True),
    SlashCommand("search", "Full-text search", "text", "Words to look for, e.g. smart grid", required=True),
    SlashCommand("sectors", "Sectors with article counts"),
    SlashCommand("countries", "Countries and regions with article counts"),
    SlashCommand("about", "Sources, and how summaries and tags are made"),
    SlashCommand("help", "Every command with an example, or one command's", "command", "A command, e.g. news"),
    SlashCommand("start", "What this bot does"),
)

SUBSCRIPTION_COMMANDS = (
    SlashCommand(
        "subscribe",
        "Get new articles on a topic here",
        "topic",
        "A sector, country, region or words, then instant | daily HH:MM | weekly DAY HH:MM",
        required=True,
        kind="topic",
    ),
    SlashCommand(
        "unsubscribe", "Stop a subscription, or all", "topic", "A topic, or all", required=True, kind="subscription"
    ),
    SlashCommand("subscriptions", "This channel's subscriptions"),
    SlashCommand(
        "settings",
        "Show this channel's settings, or change one",
        "setting",
        "e.g. timezone Asia/Bangkok, or format compact",
    ),
)

CommandSpec = SlashCommand | tuple[str, str, Optional[str]]


def as_slash_command(spec: CommandSpec) -> SlashCommand:
    if isinstance(spec, SlashCommand):
        return spec
    name, description, argument = spec
    return SlashCommand(name, description, argument)
