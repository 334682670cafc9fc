"""Feed dates with another language's month names ("Seg, 24 Set 2018 19:42:40 -0300"), which
feedparser reads only in English: without this, such an entry would get its fetch time as its date.
Also time zone names beyond RFC 822's ("10:00 CET"), which would be read as UTC, and dates written
year/month/day ("2024/05/10 12:00:00 +0800", "2024年5月10日 下午2:30"), which feedparser reads as the first
of the current month, or day.month.year ("05.03.2024 14:30"), which it cannot read; offsets written
after GMT or UTC ("2024-05-10 12:00:00 GMT+0800", "UTC+08:00"), which it drops with the time; a
year-month-day date with an offset without a colon ("+0530"), whose minutes feedparser misreads, or
with a zone's name ("CET") or an offset in hours ("+08"), which it drops with the time (and which
parsedate_tz reads as minutes); fractions of a second ("10:00:00.250 +0200");
a 12-hour clock ("4:00 PM"), which it reads as the morning; the month before the day ("Jan 3, 2018 1:48
PM"), day, month and year joined by hyphens ("03-Jan-2018 13:48", RFC 850's "06-Nov-94") and no
space after the weekday's comma ("Wed,03 Jan 2018"), which it cannot read; and ISO 8601's compact
form ("20180103T134800Z"), which it reads as midnight. A date without a zone is UTC, as feedparser
reads it (a Chinese feed's, China's time: content.sources.feed)."""

from __future__ import annotations

import calendar
import re
import time
from email.utils import mktime_tz, parsedate_tz

from content.text import strip_accents

# Month names and abbreviations in English, and month names in Portuguese, Spanish, French, Italian,
# German, Dutch, Indonesian, Malay and Russian (accents removed, lower case: "déc" is "dec", "mär" is
# "mar", "май" is "маи"; Russian's as named and after a day: "март", "5 марта").
_ENGLISH_MONTH = {
    name: english
    for english, names in {
        "jan": "january ene enero janv janvier gen gennaio januar januari janeiro янв январь января",
        "feb": "february fev fevereiro febrero fevr fevrier febbraio februar februari фев февр февраль февраля",
        "mar": "march marco marzo mars marz mrz mrt maa maret maart mac мар март марта",
        "apr": "april abr abril avr avril aprile апр апрель апреля",
        "may": "mai maio mayo mei mag maggio май мая",
        "jun": "june junho junio juin giu giugno juni июн июнь июня",
        "jul": "july julho julio juil juillet lug luglio juli julai июл июль июля",
        "aug": "august ago agosto aout agu agt agustus augustus ogos ogo авг август августа",
        "sep": "september set setembro septiembre sept septembre settembre сен сент сентябрь сентября",
        "oct": "october out outubro octubre octobre ott ottobre okt oktober окт октябрь октября",
        "nov": "november novembro noviembre novembre ноя нояб ноябрь ноября",
        "dec": "december dez dezembro dic diciembre decembre dicembre dezember des desember dis disember "
        "дек декабрь декабря",
    }.items()
    for name in (english, *strip_accents(names).split())
}
# Offsets of the time zone names in RFC 822 and others common in feeds. Some names mean more than one
# zone: IST is India's (in feeds the most common, not Irish or Israel Standard Time), BST British
# Summer Time, and CST and AST are North American as in RFC 822 (not China's or Arabia's; a Chinese
# feed's CST is read as China's in content.sources.feed, which knows the feed's language). MEZ and MESZ
# are German for CET and CEST, OEZ and WEZ for EET and WET; GST is the Gulf's.
_ZONE_OFFSET = {
    name: offset
    for offset, names in {
        "-1000": "hst",
        "-0900": "akst",
        "-0800": "pst akdt",
        "-0700": "mst pdt",
        "-0600": "cst mdt",
        "-0500": "est cdt cot pet",
        "-0400": "edt ast",
        "-0300": "adt brt art",
        "+0000": "ut utc gmt z wet wez",
        "+0100": "cet met west bst wat mez wesz",
        "+0200": "cest mest eet sast cat mesz oez",
        "+0300": "eest msk eat oesz trt",
        "+0330": "irst",
        "+0400": "gst",
        "+0500": "pkt",
        "+0530": "ist",
        "+0545": "npt",
        "+0630": "mmt",
        "+0700": "ict wib",
        "+0800": "wita sgt hkt pht awst myt",
        "+0900": "wit jst kst",
        "+0930": "acst",
        "+1000": "aest",
        "+1030": "acdt",
        "+1100": "aedt",
        "+1200": "nzst",
        "+1300": "nzdt",
    }.items()
    for name in names.split()
}
_NAMED_ZONE = re.compile(r"(?<=\s)[^\W\d_]+$")
_COLON_OFFSET = re.compile(r"([+-]\d\d):(\d\d)$")  # "+07:00", which parsedate_tz ignores, reading the time as UTC
_HOURS_OFFSET = re.compile(r"(?<=\s)([+-]\d\d)$")  # "+08", which parsedate_tz reads as 8 minutes
# What feedparser misreads after a year-month-day date: an offset without a colon, or in hours after a
# space (it drops the time), a zone's name
_MISREAD_ZONE = re.compile(r"\d[+-]\d{4}$|\s[+-]\d\d$|\s[^\W\d_]+$")
_FRACTION_OF_SECOND = re.compile(r"(?<=:\d\d)[.,]\d+")  # which parsedate_tz refuses
_UTC_OFFSET = re.compile(r"\s*\b(?:GMT|UTC)([+-])(\d\d?)(?::?(\d\d))?$", re.IGNORECASE)  # "GMT+0800", "UTC+8"
_TWELVE_HOUR_TIME = re.compile(r"\b(1[0-2]|0?[1-9])(:\d\d(?::\d\d)?)\s*([ap])\.?m\b\.?", re.IGNORECASE)
_WEEKDAY = r"(?:[^\W\d]+\.?(?:,\s*|\s+))?"  # "Wed, ", "Wed,", "mar., ", "Wednesday "
# [weekday,] day month year time zone: what RFC 822 says, in other words, or with hyphens ("03-Jan-2018",
# RFC 850's "Sunday, 06-Nov-94", whose two-digit year parsedate_tz reads as 1969 to 2068)
_DATE = re.compile(rf"^\s*{_WEEKDAY}(\d{{1,2}})(?:\.?\s+|-)([^\W\d]+)\.?(?:\s+|-)((?:\d{{4}}\b|\d\d(?!\S)).*)$")
# [weekday,] month day[,] year time zone ("Jan 3, 2018 1:48 PM", "Wednesday, January 3rd, 2018")
_MONTH_FIRST_DATE = re.compile(rf"^\s*{_WEEKDAY}([^\W\d]+)\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}}\b.*)$")
# ISO 8601's basic format: 20180103T134800Z, 20180103T1348+0100
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d\d)(\d\d)[Tt](\d\d)(\d\d)(\d\d)?(?:[.,]\d+)?([Zz]|[+-]\d\d:?\d\d)?$")
# day.month.year [time [zone]], as German, Russian and others write it: "05.03.2024 14:30 MEZ"
_DOTTED_DATE = re.compile(rf"^\s*{_WEEKDAY}(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}})(?:,?\s+(\d.*))?$")
# year/month/day [time [zone]], also year.month.day, 2024年3月4日, and year-month-day (which feedparser
# reads, but for an offset after GMT or UTC)
_NUMERIC_DATE = re.compile(r"^\s*(\d{4})([/.年-])(\d{1,2})[/.月-](\d{1,2})日?(?:[\sT]*(\d.*))?$")

# A Chinese time of day: "下午2:30" (afternoon, a 12-hour clock), "14时30分" (hours and minutes), its
# weekday ("星期二", read past as other forms' weekdays are) and "北京时间" (Beijing time, UTC+8)
_CHINESE_HALF_DAY = re.compile(r"(上午|早上|凌晨|中午|下午|晚上)\s*(\d{1,2}(?::\d\d){1,2})")
_CHINESE_CLOCK = re.compile(r"(\d{1,2})[时時点點](\d{1,2})分(?:(\d{1,2})秒)?")
_CHINESE_MORNING = ("上午", "早上", "凌晨")
_CHINESE_WEEKDAY = re.compile(r"(?:星期|礼拜|禮拜|周|週)[一二三四五六日天]")
_BEIJING_TIME = re.compile(r"北京[时時]间")

# A note after the date, as RFC 822 allows and JavaScript's Date.toString() writes: "+0800 (CST)", "GMT+0800 (中国标准时间)"
_NOTE_AT_END = re.compile(r"\s*\([^()]*\)\s*$")
_CLOCK = re.compile(r"\d:\d\d|\d[时時点點]\d")
_HALF_DAY_AT_END = re.compile(r"\s*[ap]\.?m\.?$", re.IGNORECASE)
_ZONE_AT_END = re.compile(r"(?:[Zz]|[+-]\d\d?(?::?\d\d)?|[^\W\d_]{2,5})$")  # "Z", "+0800", "-03", "GMT", "CET"

# A Unix time: seconds (or milliseconds) since 1970, which feedparser reads as an ISO 8601 date (1709649000
# as the 96th day of 2017); nine or ten digits (or twelve or thirteen), not an eight-digit date ("20240305")
_UNIX_TIME = re.compile(r"^\s*(\d{9,10}|\d{12,13})(?:\.\d+)?\s*$")

def parse_localized_date(value: str) -> time.struct_time | None:
    """A feedparser date handler: the UTC time of an RFC 822 date, its month named in any of those
    languages (or before its day), of a year/month/day date, a compact ISO 8601 one or a Unix time, else None
    (for feedparser's own handlers to try)."""
    if match := _UNIX_TIME.match(value):
        return time.gmtime(int(match[1]) // (1000 if len(match[1]) > 10 else 1))
    written = _NOTE_AT_END.sub("", value).rstrip()
    latin = _with_latin_clock(written)
    misread = latin != written  # feedparser cannot read Chinese times of day, even in year-month-day dates
    value, utc_offsets = _UTC_OFFSET.subn(_offset, latin)
    day, month, rest = _day_month_rest(value, misread or utc_offsets > 0) or (None, None, "")
    if month is None:
        return None
    if rest.isdecimal():  # the year alone: the day's start, as feedparser reads "3 Jan 2018"
        rest += " 00:00"
    rest = _TWELVE_HOUR_TIME.sub(_24_hour, _FRACTION_OF_SECOND.sub("", rest))
    rest = _NAMED_ZONE.sub(lambda zone: _ZONE_OFFSET.get(zone[0].lower(), zone[0]), rest.rstrip())
    rest = _HOURS_OFFSET.sub(r"\g<1>00", _COLON_OFFSET.sub(r"\1\2", rest))
    parsed = parsedate_tz(f"{day} {month} {rest}")
    if parsed is None or parsed[2] > calendar.monthrange(parsed[0], parsed[1])[1]:
        return None  # 31 Feb is no date (mktime_tz would make it 2 March), and feedparser's handlers refuse it too
    return time.gmtime(mktime_tz(parsed))


def has_time_without_zone(value: str) -> bool:
    """Whether a date gives its time of day but no zone ("2024年3月5日 14:30", "Tue, 05 Mar 2024 2:30 PM"),
    which is read as UTC; a weekday or a note after the time is no zone ("14:30 星期二", "+0800 (CST)")."""
    if not _CLOCK.search(value) or _BEIJING_TIME.search(value):
        return False
    written = _CHINESE_WEEKDAY.sub("", _NOTE_AT_END.sub("", value)).rstrip()
    return not _ZONE_AT_END.search(_HALF_DAY_AT_END.sub("", written))


def _day_month_rest(value: str, misread: bool) -> tuple[str, str | None, str] | None:
    """The day, the English month's abbreviation (None for a name in no language known) and the year
    with the time and zone after it, of a date in one of the forms read here; a year-month-day date
    only when feedparser would misread it (`misread`: it held an offset after GMT or UTC, or Chinese)."""
    if match := _DATE.match(value):
        return match[1], _month_named(match[2]), match[3]
    if match := _MONTH_FIRST_DATE.match(value):
        return match[2], _month_named(match[1]), match[3]
    if match := _COMPACT_DATE.match(value):
        year, number, day, hours, minutes, seconds, zone = match.groups()
        return day, _month_numbered(number), f"{year} {hours}:{minutes}:{seconds or '00'} {zone or ''}"
    if match := _DOTTED_DATE.match(value):
        day, number, year, time_and_zone = match.groups()
        return day, _month_numbered(number), f"{year} {time_and_zone or '00:00'}"
    if (match := _NUMERIC_DATE.match(value)) and (match[2] != "-" or misread or _MISREAD_ZONE.search(value)):
        year, _, number, day, time_and_zone = match.groups()
        return day, _month_numbered(number), f"{year} {time_and_zone or '00:00'}"
    return None


def _with_latin_clock(value: str) -> str:
    """The date with a Chinese time of day, weekday and zone written as the other forms write them:
    "星期二 下午2:30" as "2:30 pm", "北京时间14:30" as "14:30 +0800"."""
    if value.isascii():
        return value
    rewritten, beijing_time = _BEIJING_TIME.subn("", _CHINESE_WEEKDAY.sub("", value))
    rewritten = _CHINESE_CLOCK.sub(lambda clock: ":".join(part.zfill(2) for part in clock.groups() if part), rewritten)
    rewritten = _CHINESE_HALF_DAY.sub(lambda at: f"{at[2]} {'am' if at[1] in _CHINESE_MORNING else 'pm'}", rewritten)
    if rewritten == value:
        return value
    return " ".join(rewritten.split()) + (" +0800" if beijing_time else "")


def _month_named(name: str) -> str | None:
    return _ENGLISH_MONTH.get(strip_accents(name).lower())


def _month_numbered(number: str) -> str | None:
    return calendar.month_abbr[int(number)] if 1 <= int(number) <= 12 else None


def _offset(zone: re.Match) -> str:
    sign, hours, minutes = zone.groups()
    return f" {sign}{int(hours):02d}{minutes or '00'}"


def _24_hour(clock: re.Match) -> str:
    hour, minutes_and_seconds, half = clock.groups()
    return f"{int(hour) % 12 + (12 if half.lower() == 'p' else 0):02d}{minutes_and_seconds}"
