"""Pagination memory: a short token stands for "the next page of this query".

Buttons carry a command line, and Telegram caps callback data at 64 bytes, so the
"More" button says "/more k3f9Xa" and the query itself stays here, in a bounded LRU.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

from content.model import Query

PageKind = Literal["find", "search"]


@dataclass(frozen=True)
class PageRequest:
    """Everything needed to fetch one more page: which store call, its query, where to resume."""

    kind: PageKind
    query: Query
    cursor: str | None  # None: the first page
    heading: str
    page_size: int


class PageMemory:
    """Remembers the most recent `capacity` page requests; older tokens expire."""

    def __init__(self, capacity: int = 5000):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._requests: OrderedDict[str, PageRequest] = OrderedDict()

    def remember(self, request: PageRequest) -> str:
        token = self._new_token()
        self._requests[token] = request
        if len(self._requests) > self._capacity:
            self._requests.popitem(last=False)
        return token

    def recall(self, token: str) -> PageRequest | None:
        request = self._requests.get(token)
        if request is not None:
            self._requests.move_to_end(token)
        return request

    def __len__(self) -> int:
        return len(self._requests)

    def _new_token(self) -> str:
        # Random rather than a counter, so a token from before a restart never
        # silently names somebody else's query.
        while True:
            token = secrets.token_urlsafe(6)
            if token not in self._requests:
                return token
