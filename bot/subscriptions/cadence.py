"""How often a subscription delivers: every article at once, or a digest at a local time.

Written as people type it: "instant" (or "instantly"), "daily 08:00", "weekly mon 18:30".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# last, after a space or after a comma, semicolon or slash as /news parts words by ("energy,kenya,daily 08:00")
PATTERN = re.compile(
    r"(?:^|[\s,;/])(?P<cadence>instant(?:ly)?|daily\s+\d{1,2}:\d{2}|weekly\s+[a-z]+\s+\d{1,2}:\d{2})\s*$", re.IGNORECASE
)


class CadenceError(ValueError):
    pass


@dataclass(frozen=True)
class Cadence:
    kind: str  # "instant" | "daily" | "weekly"
    at: time | None = None
    weekday: int | None = None  # Monday = 0

    @classmethod
    def parse(cls, text: str) -> "Cadence":
        words = text.lower().split()
        if words in (["instant"], ["instantly"]):
            return cls("instant")
        if len(words) == 2 and words[0] == "daily":
            return cls("daily", _clock_time(words[1]))
        if len(words) == 3 and words[0] == "weekly":
            return cls("weekly", _clock_time(words[2]), _weekday(words[1]))
        raise CadenceError(f"“{text}” is not a delivery time: use instant, daily HH:MM or weekly DAY HH:MM.")

    def __str__(self) -> str:
        if self.kind == "instant":
            return "instant"
        clock = self.at.strftime("%H:%M")
        return f"daily {clock}" if self.kind == "daily" else f"weekly {DAYS[self.weekday]} {clock}"

    @property
    def is_instant(self) -> bool:
        return self.kind == "instant"

    def next_after(self, moment: datetime, zone: str) -> datetime:
        """The first digest time strictly after `moment`, in UTC, at the local time in `zone`."""
        tz = ZoneInfo(zone)
        local = moment.astimezone(tz)
        day = local.date()
        for offset in range(0, 9):
            candidate_day = day + timedelta(days=offset)
            if self.kind == "weekly" and candidate_day.weekday() != self.weekday:
                continue
            candidate = datetime.combine(candidate_day, self.at, tzinfo=tz).astimezone(timezone.utc)
            if candidate > moment:
                return candidate
        raise AssertionError("a daily or weekly time always recurs within nine days")

    def latest_due(self, since: datetime, now: datetime, zone: str) -> datetime | None:
        """The last digest time in (since, now], or None: missed periods collapse into one digest."""
        due = None
        moment = self.next_after(since, zone)
        while moment <= now:
            due, moment = moment, self.next_after(moment, zone)
        return due


def _clock_time(text: str) -> time:
    hours, _, minutes = text.partition(":")
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        raise CadenceError(f"“{text}” is not a time of day: write it HH:MM, from 00:00 to 23:59.") from None


def _weekday(text: str) -> int:
    for names in (DAYS, FULL_DAYS):
        if text in names:
            return names.index(text)
    raise CadenceError(f"“{text}” is not a day of the week: use mon, tue, wed, thu, fri, sat or sun.")
