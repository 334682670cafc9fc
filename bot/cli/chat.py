"""`newsbot chat`: talk to newsbot in the terminal, or run one command and exit."""

from __future__ import annotations

import argparse
import asyncio
import shlex

from bot.adapters.console import ConsoleAdapter
from bot.cli import UsageError
from bot.config import Config
from bot.context import Context
from bot.model import Command, Reply
from bot.router import Router, build_router
from bot.startup import fill_if_empty, open_content

GREETING = "newsbot console: type a command such as /help, a number to choose, or quit to leave."


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "chat",
        help="talk to newsbot in this terminal",
        description="Chat with newsbot in the terminal over the configured store. An empty store is "
        "first filled from the configured sources.",
    )
    parser.add_argument(
        "line",
        nargs="?",
        metavar="COMMAND",
        help='run one command, print the reply and exit, e.g. "/sector energy"',
    )


def run(args: argparse.Namespace, config: Config) -> int:
    line = args.line
    if line is not None:
        line = line.strip()
        if not line:
            raise UsageError('the command is empty; try newsbot chat "/help"')
    return asyncio.run(_chat(config, line))


def _as_command(line: str, router: Router) -> str:
    """The line with its slash: one may be left out ("sector energy"), but words that begin with no
    command, nor a typo of one, are refused, naming the /news command that looks them up."""
    if line.startswith("/") or router.reads_as_command(line.split()[0]):
        return line if line.startswith("/") else "/" + line
    shown = line[:60]
    raise UsageError(f"not a command: “{shown}”; to look the words up, try newsbot chat {shlex.quote('/news ' + shown)}")


def _known_command(line: str, router: Router, console: ConsoleAdapter) -> Command:
    line = _as_command(line, router)
    command = console.command(line)
    if command is None:
        raise UsageError(f"not a command for this bot: {line[:60]}")
    if not router.knows(command.name):  # a script running it learns so from the exit status
        raise UsageError(router.unknown_command(command.name).text)
    return command


async def _chat(config: Config, line: str | None) -> int:
    store, tagger = await open_content(config)
    console = ConsoleAdapter()
    router = build_router(Context(store=store, tagger=tagger))
    try:
        command = None if line is None else _known_command(line, router, console)  # refused before any fetch
        await fill_if_empty(store, config, tagger)
        await console.connect()
        if command is None:
            await console.send(console.target, Reply(text=GREETING))
            await console.listen(router.handle)
        else:
            await console.send(console.target, await router.handle(command))
        await console.disconnect()
    finally:
        await store.close()
    return 0
