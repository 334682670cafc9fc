"""Time phrases in a lookup ("/news energy this week", "/search smart grid since Monday"): which
words say the time, and the period they stand for in the chat's timezone.

Only plain words are read: "today" in quotes or after "-" stays words to look for. A month's name
is a time only after "in" or "since" ("March for Science" and "AI may help" are words). A name known
to hold a time phrase ("USA Today") is words too, unless a comma parts it: "usa today today" is the
name, today.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from typing import Callable
from zoneinfo import ZoneInfo

from bot.subscriptions.cadence import FULL_DAYS
from content.model import Period
from content.store.fulltext import WORD_SEPARATORS, names_with_a_time, parted, plain_words

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december")
# Each name is read whole or by its first three letters ("nov", "mon"), and by these usual short forms
_SHORT_FORMS = {"sept": "september", "tues": "tuesday", "thur": "thursday", "thurs": "thursday"}
_MONTHS = {name: number for number, month in enumerate(_MONTH_NAMES, start=1) for name in (month, month[:3])}
_WEEKDAYS = {name: number for number, day in enumerate(FULL_DAYS) for name in (day, day[:3])}
_MONTHS.update((short, _MONTHS[name]) for short, name in _SHORT_FORMS.items() if name in _MONTHS)
_WEEKDAYS.update((short, _WEEKDAYS[name]) for short, name in _SHORT_FORMS.items() if name in _WEEKDAYS)
_MONTH = rf"(?P<month>{'|'.join(_MONTHS)})"
_WHOLE_MONTH = rf"(?P<month>{'|'.join(_MONTH_NAMES)})"  # after "in": "fishing in Jan Mayen" is no January
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?: (?P<year>\d{4}))?"
# Counts in words, read as their digits are: "past three days", "last twenty-four hours", "past a week"
_ONES = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
          "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_NUMBER_WORDS = {word: number for number, word in enumerate(_ONES + _TEENS, start=1)}
_NUMBER_WORDS.update((ten, 10 * tens) for tens, ten in enumerate(_TENS, start=2))
_NUMBER_WORDS.update(
    (f"{ten}{joint}{one}", 10 * tens + ones)
    for tens, ten in enumerate(_TENS, start=2) for ones, one in enumerate(_ONES, start=1) for joint in "- "
)
_COUNT_WORDS = {**_NUMBER_WORDS, "a": 1, "an": 1, "couple of": 2, "a couple of": 2, "few": 3, "a few": 3}
_COUNT = rf"(?P<count>[1-9]\d{{0,3}}|{'|'.join(_COUNT_WORDS)})"
_UNIT = "(?P<unit>hour|day|week|fortnight|month|year)"
# A unit written short, read only after a count and joined to its digits or not: "past 24h", "last 3 hrs"
_SHORT_UNITS = {"h": "hour", "hr": "hour", "hrs": "hour", "d": "day", "w": "week"}
_COUNTED = rf"{_COUNT}(?: |(?<=\d))(?:{_UNIT}s?|(?P<short>{'|'.join(_SHORT_UNITS)}))"
_RECENT_LEAD = "(?:(?:in|over|within|during) )?(?:the )?"  # "over the past week" is all time, no words
_EDGES = re.compile(r"^\W+|\W+$")  # "today?" and "(monday)" are the words themselves


class TimePhraseError(ValueError):
    """Words that read as a time but say none that can be: "since 31 February"."""


@dataclass(frozen=True)
class Window:
    """The period a time phrase stands for, how replies name it, and the phrase itself."""

    period: Period
    label: str  # "this week", "since Monday 23 November": reads after "Nothing …" and after "·"
    words: str  # the phrase in lower case, to say it again in a command: "since monday"
    zone: ZoneInfo
    to_come: bool = False  # it begins after now ("since 2027-01-01", "in December 2027"): no article is from then

    def day(self, moment: datetime) -> str:
        """The moment's date in the chat's timezone: "24 November 2026"."""
        local = moment.astimezone(self.zone)
        return f"{local.day} {_month_name(local.month)} {local.year}"


def span_label(first: datetime, last: datetime, zone: ZoneInfo) -> str:
    """The days from `first` to `last` in `zone`, as briefly as they read: "27–29 November",
    "30 November – 2 December", "30 December 2026 – 2 January 2027"; within a day, the times: "09:00–12:00"."""
    start, end = first.astimezone(zone), last.astimezone(zone)
    if start.date() == end.date():
        return f"{start:%H:%M}–{end:%H:%M}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {_month_name(end.month)}"
    if start.year == end.year:
        return f"{start.day} {_month_name(start.month)} – {end.day} {_month_name(end.month)}"
    return f"{start.day} {_month_name(start.month)} {start.year} – {end.day} {_month_name(end.month)} {end.year}"


# A reader turns the phrase's parts and the chat's local time into (start, end or None, label).
Reader = Callable[[dict[str, str], datetime], tuple[datetime, datetime | None, str]]


def _midnight(moment: datetime, days_back: int = 0) -> datetime:
    """The start of the day `days_back` days before the moment's, on its own clock."""
    day = moment.date() - timedelta(days=days_back)
    return datetime(day.year, day.month, day.day, tzinfo=moment.tzinfo)


def _month_start(year: int, month: int, zone) -> datetime:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1  # month 0 is last December, 13 next January
    return datetime(year, month, 1, tzinfo=zone)


def _latest_month(month: int, now: datetime) -> int:
    """The year of the latest such month begun by now: "in December" in November is last year's."""
    return now.year if month <= now.month else now.year - 1


def _month_name(month: int) -> str:
    return _MONTH_NAMES[month - 1].title()  # not strftime's %B, which follows the process's locale


def _year_shown(year: int, now: datetime) -> str:
    return "" if year == now.year else f" {year}"


def _today(parts: dict[str, str], now: datetime):
    return _midnight(now), None, "today"


def _yesterday(parts: dict[str, str], now: datetime):
    return _midnight(now, 1), _midnight(now), "yesterday"


def _week(parts: dict[str, str], now: datetime):
    this_week = _midnight(now, now.weekday())  # weeks begin on Monday
    if parts["which"] == "this":
        return this_week, None, "this week"
    return _midnight(this_week, 7), this_week, "last week"


def _weekend(parts: dict[str, str], now: datetime):
    """This week's Saturday on (the weekend so far, or still to come on a weekday), or last week's
    Saturday and Sunday."""
    if parts["which"] == "this":
        return _midnight(now, now.weekday() - 5), None, "this weekend"
    this_week = _midnight(now, now.weekday())
    return _midnight(this_week, 2), this_week, "last weekend"


def _month(parts: dict[str, str], now: datetime):
    this_month = _month_start(now.year, now.month, now.tzinfo)
    if parts["which"] == "this":
        return this_month, None, "this month"
    return _month_start(now.year, now.month - 1, now.tzinfo), this_month, "last month"


def _year(parts: dict[str, str], now: datetime):
    this_year = datetime(now.year, 1, 1, tzinfo=now.tzinfo)
    if parts["which"] == "this":
        return this_year, None, "this year"
    return datetime(now.year - 1, 1, 1, tzinfo=now.tzinfo), this_year, "last year"


def _since_named(parts: dict[str, str], now: datetime):
    """"since yesterday", "since last week": from the start of the day, week, month or year it names until now."""
    readers = {"today": _today, "yesterday": _yesterday, "week": _week, "weekend": _weekend, "month": _month, "year": _year}
    reader = readers[parts.get("span", parts["named"])]
    start, _, label = reader(parts, now)
    return start, None, f"since {label}"


def _recent(parts: dict[str, str], now: datetime):
    """"past 3 days", "since 2 weeks ago": from that long before now until now."""
    count = _count(parts.get("count", "1"))
    unit = _SHORT_UNITS[parts["short"]] if "short" in parts else parts["unit"]
    if unit == "fortnight":
        count, unit = 2 * count, "week"
    counted = unit if count == 1 else f"{count} {unit}s"
    if unit in ("month", "year"):
        return _months_before(now, count * (12 if unit == "year" else 1)), None, f"in the last {counted}"
    span = timedelta(**{f"{unit}s": count})
    return now.astimezone(timezone.utc) - span, None, f"in the last {counted}"  # hours, not the clock's: DST


def _months_before(moment: datetime, count: int) -> datetime:
    """The same time of day `count` months before, on the month's last day where it has no such day."""
    start = _month_start(moment.year, moment.month - count, moment.tzinfo)
    day = min(moment.day, monthrange(start.year, start.month)[1])
    return moment.replace(year=start.year, month=start.month, day=day)


def _count(words: str) -> int:
    return int(words) if words.isdecimal() else _COUNT_WORDS[words]


def number_in_words(word: str) -> int | None:
    """The number a word spells, from one to ninety-nine ("five", "Twenty-four"); None for any other word."""
    return _NUMBER_WORDS.get(word.lower())


def _since_weekday(parts: dict[str, str], now: datetime):
    days_back = (now.weekday() - _WEEKDAYS[parts["weekday"]]) % 7 or 7  # "since Friday" on a Friday: a week ago
    start = _midnight(now, days_back)
    weekday = FULL_DAYS[start.weekday()].title()
    return start, None, f"since {weekday} {start.day} {_month_name(start.month)}{_year_shown(start.year, now)}"


def _since_day(parts: dict[str, str], now: datetime):
    month = int(parts["month"]) if parts["month"].isdecimal() else _MONTHS[parts["month"]]
    day = int(parts["day"])
    year = int(parts["year"]) if parts.get("year") else None
    if year is None:  # the latest such day: "since 20 December" in November is last year's
        year = now.year if (month, day) <= (now.month, now.day) else now.year - 1
    start = datetime(year, month, day, tzinfo=now.tzinfo)
    return start, None, f"since {day} {_month_name(month)}{_year_shown(year, now)}"


def _since_month(parts: dict[str, str], now: datetime):
    start, year = _month_named(parts, now)
    return start, None, f"since {_month_name(start.month)}{_year_shown(year, now)}"


def _in_month(parts: dict[str, str], now: datetime):
    start, year = _month_named(parts, now)
    end = _month_start(year, start.month + 1, now.tzinfo)
    return start, end, f"in {_month_name(start.month)}{_year_shown(year, now)}"


def _month_named(parts: dict[str, str], now: datetime) -> tuple[datetime, int]:
    """The start of the month the words name, the latest begun by now unless they give a year; and its year."""
    month = _MONTHS[parts["month"]]
    year = int(parts["year"]) if parts.get("year") else _latest_month(month, now)
    return _month_start(year, month, now.tzinfo), year


# Each phrase as lower-case words, and how to read it. Where two match at the same place, the
# longer wins ("since november 20" over "since november").
_PHRASES: tuple[tuple[str, Reader], ...] = (
    ("today", _today),
    ("this (?:morning|afternoon|evening)|tonight", _today),  # read as the whole day, its articles since midnight
    ("yesterday", _yesterday),
    ("(?P<which>this|last) week", _week),  # "tomorrow", "next week" are words: "/search summit next week"
    ("(?P<which>this|last) weekend", _weekend),
    ("(?P<which>this|last) month", _month),
    ("(?P<which>this|last) year", _year),
    (rf"{_RECENT_LEAD}(?:past|last) {_COUNTED}", _recent),
    (rf"{_RECENT_LEAD}past {_UNIT}", _recent),  # "last week" is the calendar's, above
    (rf"{_RECENT_LEAD}last (?P<unit>fortnight)", _recent),
    (rf"(?:since )?{_COUNTED} ago", _recent),
    (r"since (?P<named>today|yesterday|(?P<which>this|last) (?P<span>week|weekend|month|year))", _since_named),
    (rf"since (?:last )?(?P<weekday>{'|'.join(_WEEKDAYS)})", _since_weekday),
    (r"since (?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})", _since_day),
    (rf"since {_DAY} {_MONTH}{_YEAR}", _since_day),
    (rf"since {_MONTH} {_DAY}{_YEAR}", _since_day),
    (rf"since {_MONTH}{_YEAR}", _since_month),
    (rf"in {_WHOLE_MONTH}{_YEAR}", _in_month),
)
_PATTERNS = [(re.compile(rf"(?<!\S)(?:{phrase})(?!\S)"), reader) for phrase, reader in _PHRASES]


@dataclass(frozen=True)
class TimePhrase:
    """A time phrase found in a lookup's words, read once the chat's clock is known."""

    words: str  # in lower case: "since monday"
    parts: dict[str, str]
    reader: Reader

    def window(self, now: datetime, zone: str) -> Window:
        """The period the phrase stands for at `now` on the clock of the timezone `zone`, and whether
        it is still to come."""
        local_zone = ZoneInfo(zone)
        try:
            start, end, label = self.reader(self.parts, now.astimezone(local_zone))
            _in_utc(start, end)
        except (ValueError, OverflowError):  # datetime() refused the day: "since 31 february"
            raise TimePhraseError(
                f"“{self.words}” is no date I know: write it as since 2026-11-20 or since 20 November."
            ) from None
        return Window(Period(start, end), label, self.words, local_zone, to_come=start > now)


def _in_utc(*moments: datetime | None) -> None:
    """Raise OverflowError for a moment no UTC time holds, as the store would on reading it: midnight
    of 1 January of year 1 on a clock ahead of UTC is in year 0 there."""
    for moment in moments:
        if moment is not None:
            moment.astimezone(timezone.utc)


def take_time_phrase(text: str) -> tuple[str, TimePhrase | None]:
    """The text without its time phrase, and the phrase; (text, None) without one. Two phrases
    are an error: which one is meant cannot be told."""
    found = _first_phrase(text)
    if found is None:
        return text, None
    phrase, (start, end) = found
    # a comma that joined the phrase to a word goes with it: "energy,today" and "energy, today" leave "energy"
    before, after = text[:start].rstrip().rstrip(WORD_SEPARATORS), text[end:].lstrip().lstrip(WORD_SEPARATORS)
    rest = " ".join(f"{before} {after}".split())
    if second := _first_phrase(rest):
        raise TimePhraseError(f"Give one time, please: “{phrase.words}” or “{second[0].words}”.")
    return rest, phrase


def _parts(word: str, span: tuple[int, int]) -> list[tuple[str, tuple[int, int]]]:
    """The words, less their edges, a plain word at `span` in the text stands for, each with where it
    stands: those a comma joins are apart, as /news reads them ("energy,today"; see `parted`)."""
    trimmed = _EDGES.sub("", word)
    pieces = parted(trimmed)
    if len(pieces) == 1:
        return [(trimmed, span)]
    starts = accumulate((len(piece) + 1 for piece in pieces[:-1]), initial=span[0] + word.index(trimmed))
    return [(piece, (start, start + len(piece))) for piece, start in zip(pieces, starts)]


def _first_phrase(text: str) -> tuple[TimePhrase, tuple[int, int]] | None:
    """The first time phrase among the plain words, and where it stands in the text."""
    pieces = [part for word, span in plain_words(text) for part in _parts(word, span)]
    words = [word.lower() for word, _ in pieces]
    starts = list(accumulate((len(word) + 1 for word in words[:-1]), initial=0))
    joined = " ".join(words)
    in_names = {
        position for name in names_with_a_time(words) if _spaced_apart(text, pieces[name.start : name.stop]) for position in name
    }

    def words_of(found: re.Match) -> range:
        return range(starts.index(found.start()), joined.count(" ", 0, found.end()) + 1)

    matches = [
        (found, reader) for pattern, reader in _PATTERNS for found in pattern.finditer(joined) if not in_names.intersection(words_of(found))
    ]
    if not matches:
        return None
    found, reader = min(matches, key=lambda match: (match[0].start(), -match[0].end()))
    where = words_of(found)
    parts = {name: value for name, value in found.groupdict().items() if value}
    return TimePhrase(found.group(0), parts, reader), (pieces[where.start][1][0], pieces[where.stop - 1][1][1])


def _spaced_apart(text: str, pieces: list[tuple[str, tuple[int, int]]]) -> bool:
    """Whether only spaces stand between the pieces in the text: "usa, today" is no name."""
    starts = [text.index(word, span[0]) for word, span in pieces]  # a piece's span may hold the edges it lost
    ends = [start + len(word) for start, (word, _) in zip(starts, pieces)]
    return all(not text[end:start].strip() for end, start in zip(ends, starts[1:]))
