"""Feed dates with another language's month names ("Seg, 24 Set 2018 19:42:40 -0300"), which
feedparser reads only in English: without this, such an entry would get its fetch time as its date.
Also time zone names beyond RFC 822's ("10:00 CET"), which would be read as UTC, and dates written
year/month/day ("2024/05/10 12:00:00 +0800", "2024年5月10日 12:00"), which feedparser reads as the first
of the current month; offsets written after GMT or UTC ("2024-05-10 12:00:00 GMT+0800", "UTC+08:00"),
which it drops with the time; a year-month-day date with an offset without a colon ("+0530"), whose
minutes feedparser misreads, or with a zone's name ("CET"), which it drops with the time; fractions of
a second ("10:00:00.250 +0200"); and a 12-hour clock ("4:00 PM"), which it reads as the morning."""

from __future__ import annotations

import calendar
import re
import time
from email.utils import mktime_tz, parsedate_tz

from content.text import strip_accents

# Month abbreviations in English, and month names in Portuguese, Spanish, French, Italian, German,
# Dutch, Indonesian and Malay (accents removed, lower case: "déc" is "dec", "mär" is "mar").
_ENGLISH_MONTH = {
    name: english
    for english, names in {
        "jan": "ene enero janv janvier gen gennaio januar januari janeiro",
        "feb": "fev fevereiro febrero fevr fevrier febbraio februar februari",
        "mar": "marco marzo mars marz mrz mrt maa maret maart mac",
        "apr": "abr abril avr avril aprile",
        "may": "mai maio mayo mei mag maggio",
        "jun": "junho junio juin giu giugno juni",
        "jul": "julho julio juil juillet lug luglio juli julai",
        "aug": "ago agosto aout agu agt agustus augustus ogos ogo",
        "sep": "set setembro septiembre sept septembre settembre",
        "oct": "out outubro octubre octobre ott ottobre okt oktober",
        "nov": "novembro noviembre novembre",
        "dec": "dez dezembro dic diciembre decembre dicembre dezember des desember dis disember",
    }.items()
    for name in (english, *names.split())
}
# Offsets of the time zone names in RFC 822 and others common in feeds. Some names mean more than one
# zone: IST is India's (in feeds the most common, not Irish or Israel Standard Time), BST British
# Summer Time, and CST and AST are North American as in RFC 822 (not China's or Arabia's).
_ZONE_OFFSET = {
    name: offset
    for offset, names in {
        "-1000": "hst",
        "-0900": "akst",
        "-0800": "pst akdt",
        "-0700": "mst pdt",
        "-0600": "cst mdt",
        "-0500": "est cdt",
        "-0400": "edt ast",
        "-0300": "adt brt art",
        "+0000": "ut utc gmt z wet",
        "+0100": "cet met west bst wat",
        "+0200": "cest mest eet sast cat",
        "+0300": "eest msk eat",
        "+0500": "pkt",
        "+0530": "ist",
        "+0700": "ict wib",
        "+0800": "wita sgt hkt pht awst",
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
# What feedparser misreads after a year-month-day date: an offset without a colon, a zone's name
_MISREAD_ZONE = re.compile(r"\d[+-]\d{4}$|\s[^\W\d_]+$")
_FRACTION_OF_SECOND = re.compile(r"(?<=:\d\d)[.,]\d+")  # which parsedate_tz refuses
_UTC_OFFSET = re.compile(r"\s*\b(?:GMT|UTC)([+-])(\d\d?)(?::?(\d\d))?$", re.IGNORECASE)  # "GMT+0800", "UTC+8"
_TWELVE_HOUR_TIME = re.compile(r"\b(1[0-2]|0?[1-9])(:\d\d(?::\d\d)?)\s*([ap])\.?m\b\.?", re.IGNORECASE)
# [weekday,] day month year time zone: what RFC 822 says, in other words
_DATE = re.compile(r"^\s*(?:[^\W\d]+\.?,?\s+)?(\d{1,2})\.?\s+([^\W\d]+)\.?\s+(\d{4}\b.*)$")
# year/month/day [time [zone]], also year.month.day, 2024年3月4日, and year-month-day (which feedparser
# reads, but for an offset after GMT or UTC)
_NUMERIC_DATE = re.compile(r"^\s*(\d{4})([/.年-])(\d{1,2})[/.月-](\d{1,2})日?(?:[\sT]*(\d.*))?$")


def parse_localized_date(value: str) -> time.struct_time | None:
    """A feedparser date handler: the UTC time of an RFC 822 date, its month named in any of those
    languages, or of a year/month/day date, else None (for feedparser's own handlers to try)."""
    value, utc_offsets = _UTC_OFFSET.subn(_offset, value.rstrip())
    if match := _DATE.match(value):
        day, month, rest = match[1], _ENGLISH_MONTH.get(strip_accents(match[2]).lower()), match[3]
    elif (match := _NUMERIC_DATE.match(value)) and (match[2] != "-" or utc_offsets or _MISREAD_ZONE.search(value)):
        year, _, number, day, time_and_zone = match.groups()
        month = calendar.month_abbr[int(number)] if 1 <= int(number) <= 12 else None
        rest = f"{year} {time_and_zone or '00:00'}"
    else:
        return None
    if month is None:
        return None
    rest = _TWELVE_HOUR_TIME.sub(_24_hour, _FRACTION_OF_SECOND.sub("", rest))
    rest = _NAMED_ZONE.sub(lambda zone: _ZONE_OFFSET.get(zone[0].lower(), zone[0]), rest.rstrip())
    rest = _COLON_OFFSET.sub(r"\1\2", rest)
    parsed = parsedate_tz(f"{day} {month} {rest}")
    if parsed is None or parsed[2] > calendar.monthrange(parsed[0], parsed[1])[1]:
        return None  # 31 Feb is no date (mktime_tz would make it 2 March), and feedparser's handlers refuse it too
    return time.gmtime(mktime_tz(parsed))


def _offset(zone: re.Match) -> str:
    sign, hours, minutes = zone.groups()
    return f" {sign}{int(hours):02d}{minutes or '00'}"


def _24_hour(clock: re.Match) -> str:
    hour, minutes_and_seconds, half = clock.groups()
    return f"{int(hour) % 12 + (12 if half.lower() == 'p' else 0):02d}{minutes_and_seconds}"
