"""Button commands ↔ callback_data, which Telegram limits to 64 bytes.

Short commands travel as they are ("/more k3f9"); a longer one is kept here behind a short token, so a
button still works while the bot runs (and says it expired after a restart or eviction).
"""

from __future__ import annotations

import secrets
from collections import OrderedDict

CALLBACK_DATA_LIMIT = 64
TOKEN_PREFIX = "~"  # commands start with "/", so a token can never be mistaken for one


class ButtonCommands:
    def __init__(self, capacity: int = 4096):
        self._capacity = capacity
        self._by_token: OrderedDict[str, str] = OrderedDict()
        self._by_command: dict[str, str] = {}

    def data_for(self, command: str) -> str:
        if len(command.encode("utf-8")) <= CALLBACK_DATA_LIMIT and not command.startswith(TOKEN_PREFIX):
            return command
        token = self._by_command.get(command)
        if token is None:
            token = TOKEN_PREFIX + secrets.token_urlsafe(9)
            self._by_command[command] = token
        self._by_token[token] = command
        self._by_token.move_to_end(token)
        while len(self._by_token) > self._capacity:
            _, evicted = self._by_token.popitem(last=False)
            self._by_command.pop(evicted, None)
        return token

    def command_for(self, data: str | None) -> str | None:
        """The command a button runs, or None if its token is unknown (expired)."""
        if not data:
            return None
        if data.startswith(TOKEN_PREFIX):
            return self._by_token.get(data)
        return data
