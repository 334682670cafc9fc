"""Crontab expressions read as crontab reads them, which APScheduler 3's `from_crontab` does not:
it counts the weekday field from Monday = 0 where crontab counts from Sunday = 0 (and 7), so
"0 9 * * 1" would fire on Tuesdays; it fires only on days that match both the day of the month
and the weekday, where crontab fires on days that match either (when both are given); and it
fires a fixed time twice when the clocks go back and the time comes twice, where crontab runs it once;
it skips the day whose midnight the clocks skip (Santiago, Havana, the Azores, Beirut and Cairo go
forward from 00:00 to 01:00), where crontab runs that day's job late; and it drops the step of a range
of month names ("feb-jun/2" fires every month from February to June)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # by crontab number; 7 is Sunday again
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_NICKNAMES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


def cron_trigger(expression: str, timezone: tzinfo) -> BaseTrigger:
    """A trigger for "minute hour day month weekday" or a nickname such as "@daily"; raises ValueError
    for an expression it cannot read."""
    fields = _NICKNAMES.get(expression.strip().lower(), expression).split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    minute, hour, day, written_month, written_weekday = fields
    crontab = (minute, hour, day, _month_numbers(written_month), written_weekday)
    trigger = _crontab_trigger(*crontab, timezone)
    if "*" in hour:  # as crontab runs such a job: at each hour that comes, none made up or repeated
        return trigger
    return _OnceAtRepeatedTimes(_SkippedTimes(trigger, _crontab_trigger(*crontab, UTC), timezone))


def _crontab_trigger(minute: str, hour: str, day: str, month: str, written_weekday: str, zone: tzinfo) -> BaseTrigger:
    weekday = _day_names(written_weekday)
    if not day.startswith("*") and not written_weekday.startswith("*"):  # both restricted: either may match
        by_date = CronTrigger.from_crontab(f"{minute} {hour} {day} {month} *", timezone=zone)
        by_weekday = CronTrigger.from_crontab(f"{minute} {hour} * {month} {weekday}", timezone=zone)
        return OrTrigger([by_date, by_weekday])
    return CronTrigger.from_crontab(f"{minute} {hour} {day} {month} {weekday}", timezone=zone)


class _SkippedTimes(BaseTrigger):
    """Fires a local time the clocks skip when they go forward as much later as they skipped, as
    `trigger` does but for a day's first time (APScheduler steps a day on in UTC from midnight, and
    so past a day that has no midnight). `wall_clock` is the same trigger in UTC, read as local time."""

    __slots__ = ("_trigger", "_wall_clock", "_zone")

    def __init__(self, trigger: BaseTrigger, wall_clock: BaseTrigger, zone: tzinfo) -> None:
        self._trigger, self._wall_clock, self._zone = trigger, wall_clock, zone

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        moment = self._trigger.get_next_fire_time(previous_fire_time, now)
        start = now if previous_fire_time is None else min(now, previous_fire_time + timedelta(microseconds=1))
        wall = self._wall_clock.get_next_fire_time(None, start.astimezone(self._zone).replace(tzinfo=UTC))
        if wall is None:
            return moment
        skipped = wall.replace(tzinfo=self._zone)  # fold 0 of a time that never comes: as much later as skipped
        real = skipped.astimezone(UTC)
        if real.astimezone(self._zone).replace(tzinfo=None) == wall.replace(tzinfo=None):
            return moment  # the clocks do not skip it: APScheduler found it
        if moment is not None and moment.astimezone(UTC) <= real:
            return moment
        return real.astimezone(self._zone)

    def __str__(self) -> str:
        return str(self._trigger)


class _OnceAtRepeatedTimes(BaseTrigger):
    """Fires a local time that comes twice (the hour the clocks go back) only the first time, as
    crontab does for a job at fixed hours; an hourly job goes on through that hour."""

    __slots__ = ("_trigger",)

    def __init__(self, trigger: BaseTrigger) -> None:
        self._trigger = trigger

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        moment = self._trigger.get_next_fire_time(previous_fire_time, now)
        while moment is not None and _comes_again(moment):
            # after it in UTC: aware arithmetic in local time would land back before it
            moment = self._trigger.get_next_fire_time(moment, moment.astimezone(UTC) + timedelta(microseconds=1))
        return moment

    def __str__(self) -> str:
        return str(self._trigger)


def _comes_again(moment: datetime) -> bool:
    """Whether this is the second time its local wall-clock time comes (fold=1 of an ambiguous time)."""
    return moment.fold == 1 and moment.replace(fold=0).utcoffset() != moment.utcoffset()


def _day_names(field: str) -> str:
    """"1-5" or "mon-fri" -> "mon,tue,wed,thu,fri", "0,6" -> "sun,sat", "1/2" -> "mon,wed,fri,sun"."""
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = 0, 6
        else:
            first, _, last_text = span.partition("-")
            first = _day_number(first)
            last = _day_number(last_text) if last_text else (7 if step else first)  # "1/2": from Monday on
        if step and not (step.isdigit() and int(step) > 0):
            raise ValueError(f'"/{step}" is no step')
        days.update(range(first, last + 1, int(step or 1)))
    return ",".join(_DAY_NAMES[day] for day in sorted({day % 7 for day in days}))


def _month_numbers(field: str) -> str:
    """"feb-jun/2" -> "2-6/2": APScheduler reads a step only after numbers."""

    def number(name: re.Match[str]) -> str:
        return str(_MONTH_NAMES.index(name[0]) + 1) if name[0] in _MONTH_NAMES else name[0]

    return re.sub("[a-z]+", number, field.lower())


def _day_number(text: str) -> int:
    if text.isdigit() and int(text) <= 7:
        return int(text)
    if text.lower() in _DAY_NAMES:
        return _DAY_NAMES.index(text.lower())
    raise ValueError(f'"{text}" is no day of the week (0-7 or sun-sat)')
