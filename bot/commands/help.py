"""Getting started: /start, /help (built from whatever the router has registered), /about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.context import Context
from bot.model import Action, Command, Reply, command_name_echoed
from content.sources.bundled import demo_sources

if TYPE_CHECKING:
    from bot.router import CommandHandler, CommandInfo, Router

HOW_IT_WORKS = (
    "How it works: articles come from the configured sources (feeds, Markdown files and a bundled demo set). "
    "Each one is cleaned, and copies of the same story from different sources are merged. "
    "The summary is a few sentences picked from the article itself, nothing is written by a model. "
    "Sectors come from keyword lists per sector; countries and regions from place names, "
    "demonyms and cities found in the text."
)

TIMED_COMMANDS = ("news", "search", "sector", "country")  # those that read a time among their words
TIME_PHRASES = (
    f"Add a time to {', '.join(f'/{name}' for name in TIMED_COMMANDS[:-1])} or /{TIMED_COMMANDS[-1]} "
    "for that time's articles only: today, yesterday, "
    "this week, last week, last weekend, past 3 days, last two weeks, last 24 hours, this month, last month, past 3 months, "
    "2 weeks ago, since Monday, since yesterday, since 20 November, in November. Example: /news AI health last month"
)


async def start(cmd: Command, ctx: Context) -> Reply:
    return Reply(
        text=(
            f"Hi, I am {ctx.bot_name}: news about AI and technology collaboration, by sector and by country.\n"
            "Try /latest, /sector energy, /country kenya, /news AI education in Thailand or /search smart grid. "
            "/help lists everything."
        ),
        actions=[
            Action("Latest", "/latest"),
            Action("Sectors", "/sectors"),
            Action("Countries", "/countries"),
            Action("Help", "/help"),
        ],
    )


def help_for(router: Router) -> CommandHandler:
    """A /help handler listing the router's commands at the time it is asked, so late registrations show."""

    async def help_command(cmd: Command, ctx: Context) -> Reply:
        if name := _command_asked(cmd.args):  # "/help news": that command's lines of the full help
            return _help_for_one(router, name)
        return _full_help(router)

    return help_command


def _full_help(router: Router) -> Reply:
    lines = ["What I understand:", *map(_help_line, router.commands()), TIME_PHRASES]
    return Reply(text="\n".join(lines), private=True)


def _command_asked(args: str) -> str:
    """The command named first: "news", "/news", or "/news@newsbot" as a Telegram group writes it;
    none in "@newsbot", the bot's name alone."""
    first = next(iter(args.split()), "")
    return first.removeprefix("/").partition("@")[0].lower()


def _help_for_one(router: Router, name: str) -> Reply:
    every_command = Action("All commands", "/help")
    info = router.listed_command(name)
    if info is None:
        return _no_such_command(router, name)
    lines = [_help_line(info), *([TIME_PHRASES] if info.name in TIMED_COMMANDS else [])]
    return Reply(text="\n".join(lines), actions=[every_command], private=True)


def _no_such_command(router: Router, name: str) -> Reply:
    """"/help more" or "/help me": the person asked for help, so gets all of it, told that no command
    is called so; a command's name misspelt ("/help sectr") gets that command's help offered too."""
    nearest = router.nearest_command(name)
    meant = f" Did you mean /{nearest}?" if nearest else ""
    reply = _full_help(router)
    reply.text = f"I have no command called /{command_name_echoed(name)}.{meant}\n{reply.text}"
    if nearest:
        reply.actions.append(Action(f"/{nearest}", f"/help {nearest}"))
    return reply


def _help_line(info: CommandInfo) -> str:
    return f"/{info.name}: {info.summary}. Example: {info.example}"


async def about(cmd: Command, ctx: Context) -> Reply:
    counts = await ctx.store.count_by_source()
    demo = {name: count for name, count in counts.items() if name in demo_sources()}
    real = {name: count for name, count in counts.items() if name not in demo}
    lines = [f"{ctx.bot_name} collects news about AI and technology collaboration."]
    if real:
        lines.append(f"Sources: {_with_counts(real)}.")
    if demo:  # an operator who added feeds may have kept the demo: its outlets are not real ones
        lines.append(f"Fictional demo stories, bundled with newsbot to show what it does: {_with_counts(demo)}.")
    if not counts:
        lines.append("No articles have been collected yet.")
    return Reply(text="\n".join([*lines, HOW_IT_WORKS]))


def _with_counts(counts: dict[str, int]) -> str:
    """"Nairobi Tech Wire (3), ASEAN Digital Monitor (1)": the most articles first, then by name."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))
    return ", ".join(f"{name} ({count})" for name, count in ranked)
