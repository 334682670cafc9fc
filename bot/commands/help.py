"""Getting started: /start, /help (built from whatever the router has registered), /about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.context import Context
from bot.model import Action, Command, Reply

if TYPE_CHECKING:
    from bot.router import CommandHandler, Router

HOW_IT_WORKS = (
    "How it works: articles come from the configured sources (feeds, Markdown files and a bundled demo set). "
    "Each one is cleaned, and copies of the same story from different sources are merged. "
    "The summary is a few sentences picked from the article itself, nothing is written by a model. "
    "Sectors come from keyword lists per sector; countries and regions from place names, "
    "demonyms and cities found in the text."
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
        lines = ["What I understand:"]
        for info in router.commands():
            lines.append(f"/{info.name}: {info.summary}. Example: {info.example}")
        return Reply(text="\n".join(lines), private=True)

    return help_command


async def about(cmd: Command, ctx: Context) -> Reply:
    counts = await ctx.store.count_by_source()
    if counts:
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        sources = "Sources: " + ", ".join(f"{name} ({count})" for name, count in ranked) + "."
    else:
        sources = "No articles have been collected yet."
    return Reply(text=f"{ctx.bot_name} collects news about AI and technology collaboration.\n{sources}\n{HOW_IT_WORKS}")
