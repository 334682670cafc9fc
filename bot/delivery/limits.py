"""Send-rate limits and retry delays.

The worker turns limits into reserved send times: each message gets a slot no earlier than
its chat's next free slot and its platform's next free slot, both kept in the database, so
the limits hold however many worker processes share it.
"""

from __future__ import annotations

import math
import random

from bot.config import DeliverySettings, PlatformLimits

_UNLIMITED = PlatformLimits(per_chat_seconds=0, per_group_seconds=0, per_second=0)


def is_group_chat(platform: str, chat: str) -> bool:
    """Telegram groups and channels have negative ids or @names; every Discord target is a channel."""
    if platform == "telegram":
        return chat.startswith(("-", "@"))
    return platform == "discord"


class RatePlan:
    def __init__(self, settings: DeliverySettings, rng: random.Random | None = None):
        self._settings = settings
        self._stretch = 1.0 + settings.safety_margin
        self._rng = rng or random.Random()

    def _limits(self, platform: str) -> PlatformLimits:
        return getattr(self._settings, platform, None) if platform in ("telegram", "discord") else _UNLIMITED

    def chat_gap(self, platform: str, chat: str) -> float:
        limits = self._limits(platform)
        gap = limits.per_group_seconds if is_group_chat(platform, chat) else limits.per_chat_seconds
        return gap * self._stretch

    def limits_chats(self, platform: str) -> bool:
        limits = self._limits(platform)
        return bool(limits.per_chat_seconds or limits.per_group_seconds)

    def platform_gap(self, platform: str) -> float:
        per_second = self._limits(platform).per_second
        return self._stretch / per_second if per_second else 0.0

    @property
    def max_attempts(self) -> int:
        return self._settings.max_attempts

    def backoff(self, attempts: int) -> float:
        """Delay after the n-th failed attempt: doubling, capped, with jitter so retries do not arrive in step.
        No doubling past the cap: of a thousand attempts and more (a high max_attempts) it would overflow a float."""
        settings = self._settings
        if attempts - 1 >= math.log2(settings.backoff_max_seconds / settings.backoff_seconds):
            return self.longest_backoff()
        return self._jittered(settings.backoff_seconds * 2 ** (attempts - 1))

    def longest_backoff(self) -> float:
        """The delay once doubling has reached the cap, for a row retried past its last attempt too."""
        return self._jittered(self._settings.backoff_max_seconds)

    def _jittered(self, ceiling: float) -> float:
        return ceiling * self._rng.uniform(0.5, 1.0)
