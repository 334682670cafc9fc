"""An adapter that appends each delivery to a file as a JSON line, for load tests, crash tests
and benchmarks of the delivery machinery without a chat platform.

Each line is written with one `write` on a file opened for appending, so lines from several
processes never interleave and a line survives the writer being killed right after.
"""

from __future__ import annotations

import json
import os

from bot.adapters.base import Progress
from bot.model import Reply, Target


class RecordingAdapter:
    def __init__(self, platform: str, path: str):
        self.platform = platform
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    async def connect(self) -> None:
        pass

    async def listen(self, handle) -> None:
        pass

    async def send(self, target: Target, reply: Reply, *, skip: int = 0, progress: Progress | None = None) -> None:
        if skip:  # one line per reply, and an earlier attempt wrote it
            return
        line = {"chat": target.chat, "thread": target.thread, "text": reply.text, "titles": [c.title for c in reply.cards]}
        os.write(self._fd, (json.dumps(line) + "\n").encode())

    async def disconnect(self) -> None:
        os.close(self._fd)
