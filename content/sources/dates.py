"""Feed dates with another language's month names ("Seg, 24 Set 2018 19:42:40 -0300"), which
feedparser reads only in English: without this, such an entry would get its fetch time as its date."""

from __future__ import annotations

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
# [weekday,] day month year time zone: what RFC 822 says, in other words
_DATE = re.compile(r"^\s*(?:[^\W\d]+\.?,?\s+)?(\d{1,2})\.?\s+([^\W\d]+)\.?\s+(\d{4}\b.*)$")


def parse_localized_date(value: str) -> time.struct_time | None:
    """A feedparser date handler: the UTC time of an RFC 822 date, its month named in any of those
    languages, else None (for feedparser's own handlers to try)."""
    match = _DATE.match(value)
    if not match:
        return None
    month = _ENGLISH_MONTH.get(strip_accents(match[2]).lower())
    if month is None:
        return None
    parsed = parsedate_tz(f"{match[1]} {month} {match[3]}")
    if parsed is None:
        return None
    return time.gmtime(mktime_tz(parsed))
