"""What command handlers may use, passed in explicitly (no globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from typing import Callable

from bot.pages import PageMemory
from bot.subscriptions.store import SubscriptionStore
from content.store import Store
from content.tagging import Tagger


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Context:
    store: Store
    tagger: Tagger
    clock: Callable[[], datetime] = utc_now
    pages: PageMemory = field(default_factory=PageMemory)
    bot_name: str = "newsbot"

    @cached_property
    def subscriptions(self) -> SubscriptionStore:
        return SubscriptionStore(self.store.engine)
