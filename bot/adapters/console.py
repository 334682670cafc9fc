"""The console adapter: newsbot in a terminal, over the same router as every platform.

Replies render as plain text: cards numbered, buttons as numbered choices ("[1] More")
that run when you type their number. Terminal control characters from articles and
users are removed, so nothing shown can move the cursor, recolour or retitle the terminal.
"""

from __future__ import annotations

import asyncio
import io
import logging
import sys
import threading
from typing import TextIO

from bot.adapters.base import Handler, Progress
from bot.model import Action, ArticleCard, Command, Reply, Target
from bot.router import hint_for_words, parse_command_line
from bot.terminal import LONE_SURROGATE, terminal_safe

log = logging.getLogger(__name__)

QUIT_WORDS = frozenset({"quit", "exit", "/quit", "/exit"})
INPUT_ENDED = "Input ended: newsbot stops."
_LONGEST_CHOICE = 6  # digits; int() refuses strings over 4,300 of them


def render(reply: Reply) -> str:
    """A reply as terminal text; user- and article-provided text is made terminal-safe."""
    blocks = []
    if reply.text:
        blocks.append(terminal_safe(reply.text, multiline=True))
    blocks.extend(_render_card(number, card) for number, card in enumerate(reply.cards, start=1))
    if reply.actions:
        choices = enumerate(reply.actions, start=1)
        blocks.append("\n".join(f"[{number}] {terminal_safe(action.label)}" for number, action in choices))
    return "\n\n".join(blocks) + "\n"


def _render_card(number: int, card: ArticleCard) -> str:
    heading = f"{number}. "
    indent = " " * len(heading)  # "10. " takes one more column than "9. "
    lines = [heading + terminal_safe(card.title)]
    if card.summary:
        lines.append(indent + terminal_safe(card.summary))
    details = [", ".join(terminal_safe(name) for name in names) for names in (card.sectors, card.countries) if names]
    if card.source:
        details.append(terminal_safe(card.source))
    if card.published:
        details.append(card.published.strftime("%Y-%m-%d"))
    if details:
        lines.append(indent + " · ".join(details))
    if card.url:
        lines.append(indent + terminal_safe(card.url))
    return "\n".join(lines)


def _standard_input() -> TextIO:
    """sys.stdin, reading bytes that are no text in its encoding (a paste from a Latin-1 file) as "�":
    a UTF-8 locale's standard input raises on them, which ended the reading thread, and C.UTF-8's
    passes them on as lone surrogates, which no store can keep. Empty when the process was started
    without one (some supervisors close it)."""
    if sys.stdin is None:
        return io.StringIO()
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")
    return sys.stdin


class _Nowhere(io.TextIOBase):
    """Standard output for a process started without one (some supervisors close it)."""

    def write(self, text: str) -> int:
        return len(text)


class ConsoleAdapter:
    """One person at a terminal. `send` also serves the delivery worker's "console" targets."""

    platform = "console"

    def __init__(
        self,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        chat: str = "console",
        user: str = "console",
        bot_name: str = "newsbot",
        prompt: str | None = None,
    ):
        self._input = stdin if stdin is not None else _standard_input()
        self._output = stdout if stdout is not None else sys.stdout or _Nowhere()
        self.target = Target(self.platform, chat)
        self._user = user
        self._bot_name = bot_name
        self._prompt = prompt if prompt is not None else ("> " if self._input.isatty() else "")
        self._choices: list[Action] = []
        self.input_ended = False  # rather than "quit" typed

    async def connect(self) -> None:
        """Nothing to log in to; present for the adapter contract."""

    async def disconnect(self) -> None:
        self._output.flush()

    def command(self, line: str) -> Command | None:
        """The command a typed line means, or None when it is not a command."""
        parsed = parse_command_line(LONE_SURROGATE.sub("\ufffd", line), self._bot_name)
        if parsed is None:
            return None
        name, args = parsed
        return Command(name=name, args=args, user=self._user, target=self.target)

    async def send(self, target: Target, reply: Reply, *, skip: int = 0, progress: Progress | None = None) -> None:
        if skip:  # the reply is one message, and an earlier attempt delivered it
            return
        if target != self.target:
            self._write(f"── to {terminal_safe(target.chat)} ──\n")
        else:  # a typed number picks from the buttons just shown, if any
            self._choices = list(reply.actions)
        self._write(render(reply))

    async def listen(self, handle: Handler) -> None:
        """Answer typed lines until end of input, which it says, or "quit"."""
        lines = self._read_lines_in_background()
        while True:
            self._write(self._prompt)
            line = await lines.get()
            if line is None:  # Ctrl-D, or the last line of a pipe: the prompt it ends stays on a line of its own
                self.input_ended = True
                self._write(("\n" if self._prompt else "") + INPUT_ENDED + "\n")
                return
            if line.strip().lower() in QUIT_WORDS:
                return
            await self._answer(line.strip(), handle)

    async def _answer(self, line: str, handle: Handler) -> None:
        if not line:
            return
        if line.isdecimal() and len(line) < _LONGEST_CHOICE:  # not isdigit(): "²" is a digit that int() refuses
            line = self._chosen_command(int(line))
            if line is None:
                return
        command = self.command(line)
        if command is None:
            reply = hint_for_words(line)
        else:
            reply = await self._reply(command, handle)
        self._choices = list(reply.actions)
        self._write(render(reply) + "\n")

    async def _reply(self, command: Command, handle: Handler) -> Reply:
        try:
            return await handle(command)
        except Exception:
            log.exception("the console handler failed on /%s", command.name)
            return Reply(text="Sorry, something went wrong. Please try again.")

    def _chosen_command(self, number: int) -> str | None:
        if 1 <= number <= len(self._choices):
            return self._choices[number - 1].command
        if self._choices:
            self._write(f"Choose a number from 1 to {len(self._choices)}, or type a command.\n")
        else:
            self._write("There is nothing to choose here; type a command such as /help.\n")
        return None

    def _read_lines_in_background(self) -> asyncio.Queue[str | None]:
        # A daemon thread rather than the loop's executor: a blocked read of the
        # terminal must not keep the process alive when the bot shuts down.
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str | None] = asyncio.Queue()

        def read() -> None:
            try:
                for line in iter(self._input.readline, ""):
                    loop.call_soon_threadsafe(lines.put_nowait, line)
                loop.call_soon_threadsafe(lines.put_nowait, None)
            except RuntimeError:  # the loop closed while we waited for a line
                return

        threading.Thread(target=read, name="console-input", daemon=True).start()
        return lines

    def _write(self, text: str) -> None:
        self._output.write(text)
        self._output.flush()
