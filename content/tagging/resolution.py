"""What resolving a person's words gives back: one confident match, or ranked suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Match:
    kind: Literal["sector", "country", "region"]
    id: str  # sector id, ISO 3166-1 alpha-2 code, or region id
    name: str  # display name
    score: float = 100.0


@dataclass(frozen=True)
class Resolution:
    """`match` when the words name one thing confidently; else ranked `suggestions`."""

    match: Match | None
    suggestions: tuple[Match, ...] = ()
