"""What fetching one source returns, how long a failing source waits before the next attempt, and how
an address is kept in its state."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from content.model import Draft, SourceState

MAX_BACKOFF = timedelta(hours=6)


@dataclass
class FetchResult:
    """Drafts from one fetch, the source's updated state and, when it failed, one clear line saying why."""

    drafts: list[Draft]
    state: SourceState
    error: str | None = None
    not_modified: bool = False
    skipped: bool = False
    retry_after: timedelta | None = None  # the server's own request to wait before the next try


def backoff_delay(interval: int, failures: int) -> timedelta:
    """interval * 2**failures, capped at six hours."""
    doublings = min(failures, 64)  # a source failing for weeks must not overflow the arithmetic
    return timedelta(seconds=min(interval * 2**doublings, MAX_BACKOFF.total_seconds()))


def address_digest(address: str) -> str:
    """How a source's state keeps an address: a feed url may hold credentials, never stored."""
    return hashlib.sha256(address.encode("utf-8")).hexdigest()[:16]
