"""Crontab expressions read as crontab reads them. APScheduler 3's `from_crontab` counts the weekday
field from Monday = 0, where crontab counts from Sunday = 0 (and 7), so "0 9 * * 1" would fire on
Tuesdays; numbers in that field become day names first."""

from __future__ import annotations

from datetime import tzinfo

from apscheduler.triggers.cron import CronTrigger

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # by crontab number; 7 is Sunday again


def cron_trigger(expression: str, timezone: tzinfo | str | None = None) -> CronTrigger:
    """A trigger for "minute hour day month weekday"; raises ValueError for an expression it cannot read."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    fields[4] = _day_names(fields[4])
    return CronTrigger.from_crontab(" ".join(fields), timezone=timezone)


def _day_names(field: str) -> str:
    """"1-5" -> "mon,tue,wed,thu,fri", "0,6" -> "sun,sat"; names and "*" stay as written."""
    if not any(character.isdigit() for character in field):
        return field
    days: set[int] = set()
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = 0, 6
        else:
            first, _, last_text = span.partition("-")
            first, last = _day_number(first), _day_number(last_text or first)
        if step and not (step.isdigit() and int(step) > 0):
            raise ValueError(f'"/{step}" is no step')
        days.update(range(first, last + 1, int(step or 1)))
    return ",".join(_DAY_NAMES[day] for day in sorted({day % 7 for day in days}))


def _day_number(text: str) -> int:
    if text.isdigit() and int(text) <= 7:
        return int(text)
    if text.lower() in _DAY_NAMES:
        return _DAY_NAMES.index(text.lower())
    raise ValueError(f'"{text}" is no day of the week (0-7 or sun-sat)')
