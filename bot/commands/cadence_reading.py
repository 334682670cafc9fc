"""What /subscribe's last words say of how often: a cadence as newsbot writes it ("daily 08:00"), one
written almost so ("daily 8pm", "dialy 08:00"), or how often said in words ("every friday at 6 pm"),
each told apart from the words of the topic before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.subscriptions.cadence import DAYS, FULL_DAYS, PATTERN, Cadence, CadenceError

# not "instant", which last is the cadence and before a word a word ("instant payments")
_CADENCE_WORDS = frozenset({"instantly", "daily", "weekly"})
_CADENCES_LACKED = frozenset({"hourly", "monthly"})
_DIGEST_NAMES = ("daily", "weekly")
_NEAR_CADENCE_SCORE = 75  # "dialy" and "wekly" come near, read only before a time; "weekend" does not
_TWELVE_HOUR_TIME = re.compile(r"\d{1,2}(?::\d{2})? ?[ap]\.?m\.?")  # "8am", "8 pm", "8:30 p.m."
_CLOCK_TIME = re.compile(rf"{_TWELVE_HOUR_TIME.pattern}|\d{{1,2}}:\d{{2}}")  # and "08:00"; not a bare "19"
_HALF_DAY = re.compile(r"[ap]\.?m\.?")  # the "pm" of "8 pm", a word of its own
# A time of day written otherwise, read as one only where a cadence's time stands: "08.00", "8h", "0800", "8", "8pm",
# "8 p.m."
_OTHER_CLOCK = re.compile(r"(?P<hours>\d{1,2})(?:[.:h]?(?P<minutes>\d{2}))?(?:h| ?(?P<half>[ap])\.?m\.?)?")
_SHORT_DAY = {name: DAYS[index % 7] for index, name in enumerate(DAYS + FULL_DAYS)}  # "friday" and "fri": fri
# How often said in words, last in the topic ("every day", "each friday at 18:00", "daily at 9", "at 9"): a cadence,
# not words to look for. Each word that says how often after "every", "each" or "weekly", and the cadence it means
# but for the time
_EVERY_WHAT = {"day": "daily", "week": "weekly mon", **{name: f"weekly {day}" for name, day in _SHORT_DAY.items()}}
_AT_TIME = r"at (?P<clock>\S+(?: [ap]\.?m\.?)?)"  # "at 9", "at 6.30 p.m."
# The whole of how often said in words: "every friday", "every friday at 9", "daily at 9" ("daily" alone is a
# cadence's name lacking its time, told so) or "at 9"
_HOW_OFTEN_SAID = re.compile(
    rf"(?:(?:every|each|weekly) (?P<every>{'|'.join(_EVERY_WHAT)})(?: |$)|(?P<daily>daily) )?(?:{_AT_TIME})?"
)
# How often said in words newsbot has no cadence for, last in the topic ("every weekday", "every other day", "each
# morning", "every monday and friday", "twice a day", "every 2 hours"): the person meant a cadence, not words
_WHEN = rf"(?:{'|'.join(FULL_DAYS + DAYS)}|minute|hour|day|night|morning|afternoon|evening|week|weekday|weekend|month|year)s?"
_EVERY_SO_OFTEN = rf"(?:every|each) (?:(?:other|second|single|few|\d+) )?{_WHEN}(?:(?:,? and|,|&) {_WHEN})*"
_TIMES_A = rf"(?:once|twice|\d+ times) (?:a|an|per|each|every) {_WHEN}"
_HOW_OFTEN_UNREAD = re.compile(rf"(?:^| )(?P<said>{_EVERY_SO_OFTEN}|{_TIMES_A})$")
_FOUR_DIGITS = re.compile(r"\d{4}")  # after "at", a year ("ai at 2024") unless words of how often come first
_TIME_UNSAID = "08:00"  # a digest's time where how often is said without one ("every day")
_TIME_NEEDED = {
    "daily": "daily needs a time, e.g. daily 08:00.",
    "weekly": "weekly needs a day and a time, e.g. weekly mon 08:00.",
}
_CADENCE_USAGE = (
    "Put how often last: instant, daily HH:MM or weekly DAY HH:MM, "
    "e.g. /subscribe energy daily 08:00 or /subscribe kenya weekly mon 09:00."
)
_CADENCES_THERE_ARE = (
    "I send instant (each new article as it arrives), daily HH:MM or weekly DAY HH:MM, "
    "e.g. /subscribe energy instant or /subscribe kenya daily 08:00."
)


class CadenceWithoutTime(CadenceError):
    """A digest's name without its time ("energy weekly"), the topic before it kept: with no topic but
    filler ("news weekly"), the topic is what to ask for first. `said_first` when the name came first
    ("weekly energy"), which may also be words to look for ("daily mail")."""

    def __init__(self, message: str, topic: str, said_first: bool = False):
        super().__init__(message)
        self.topic, self.said_first = topic, said_first


class CadenceMeant(CadenceError):
    """A cadence written otherwise than newsbot reads it, and the one it reads as: offered with a button."""

    def __init__(self, typed: str, meant: str, topic: str):
        super().__init__(f"“{typed}”: did you mean {meant}?")
        self.meant, self.topic = meant, topic


def split_cadence(args: str) -> tuple[str, Cadence]:
    """"energy daily 08:00" → ("energy", daily 08:00); no cadence means instant.

    A cadence newsbot cannot read ("energy hourly", "energy daily at 8") is an error, not part of
    the topic, so it never becomes an instant subscription the person did not ask for."""
    found = PATTERN.search(args)
    if found:
        topic = args[: found.start()].strip()
        topic_words = topic.split()  # "kenya every day at 9 daily 08:00" and "kenya every weekday daily 08:00" too
        if PATTERN.search(topic) or _cadence_in_words(topic) or _how_often_unread(topic_words, len(topic_words)):
            raise CadenceError(f"Give one cadence. {_CADENCE_USAGE}")
        return topic, Cadence.parse(found.group("cadence"))
    words = _cadence_words(args)
    if words[-1:] == ["daily"]:
        raise CadenceWithoutTime(_TIME_NEEDED["daily"], " ".join(args.split()[:-1]))
    clock = words[-1] if words and _CLOCK_TIME.fullmatch(words[-1]) else None
    day = words[-1] if words and words[-1] in _SHORT_DAY else None
    if words[-1:] == ["weekly"] or ((clock or day) and words[-2:-1] == ["weekly"]):  # "weekly 08:00", "weekly mon"
        named = len(words) - (1 if words[-1] == "weekly" else 2)
        raise CadenceWithoutTime(_TIME_NEEDED["weekly"], " ".join(args.split()[:named]))
    if misread := _misread_cadence(words):
        raise CadenceError(misread)
    if lacked := next((word for word in words[1:] if word in _CADENCES_LACKED), None):
        raise CadenceError(f"“{lacked}” is no cadence of mine: {_CADENCES_THERE_ARE}")
    if misspelt := _misspelt_cadence(words):
        raise CadenceError(misspelt)
    if said := _cadence_in_words(args):
        raise said
    if unread := _how_often_unread(args.split(), len(args.split())):
        raise CadenceError(f"“{unread}”: {_CADENCE_USAGE}")
    if said_first := _digest_name_first(words):
        raise CadenceWithoutTime(_TIME_NEEDED[said_first], args.split(maxsplit=1)[1], said_first=True)
    if clock and _TWELVE_HOUR_TIME.fullmatch(clock):
        raise CadenceError(f"“{clock}”: write the time as HH:MM on a 24-hour clock, e.g. daily 08:00 or daily 20:00.")
    if _CADENCE_WORDS.intersection(words[1:]) or any(map(_CLOCK_TIME.fullmatch, words)):
        raise CadenceError(_CADENCE_USAGE)
    return args.strip(), Cadence("instant")


def _digest_name_first(words: list[str]) -> str | None:
    """"weekly" or "daily" first, before the topic rather than after it ("weekly energy", "daily news"),
    but for a cadence written there with its day or time ("daily 08:00 energy", told to put it last)."""
    if len(words) < 2 or words[0] not in _DIGEST_NAMES:
        return None
    return None if words[1] in _SHORT_DAY or _OTHER_CLOCK.fullmatch(words[1]) else words[0]


def _cadence_words(args: str) -> list[str]:
    """The words in lower case, a last "am" or "pm" with the time before it as one: "8 pm" is read as "8pm" is."""
    words = args.lower().split()
    if len(words) > 1 and _HALF_DAY.fullmatch(words[-1]) and words[-2][-1:].isdecimal():
        return [*words[:-2], f"{words[-2]} {words[-1]}"]
    return words


def _misread_cadence(words: list[str]) -> str | None:
    """What is wrong with a cadence written almost as newsbot reads it: its time not as HH:MM
    ("daily 08.00", "weekly mon 8h"), or its day after its time ("weekly 09:00 mon")."""
    if words[-3:-2] == ["weekly"] and words[-1] in _SHORT_DAY and _OTHER_CLOCK.fullmatch(words[-2]):
        return f"Put the day before the time, written HH:MM: weekly {_SHORT_DAY[words[-1]]} {_as_clock(words[-2])}."
    if words[-2:-1] == ["daily"] and _OTHER_CLOCK.fullmatch(words[-1]):
        return f"“{words[-1]}”: write the time as HH:MM, e.g. daily {_as_clock(words[-1])}."
    if words[-3:-2] == ["weekly"] and words[-2] in _SHORT_DAY and _OTHER_CLOCK.fullmatch(words[-1]):
        return f"“{words[-1]}”: write the time as HH:MM, e.g. weekly {_SHORT_DAY[words[-2]]} {_as_clock(words[-1])}."
    return None


def _misspelt_cadence(words: list[str]) -> str | None:
    """A digest's cadence with its name misspelt ("dialy 08:00", "wekly mon 09:00"), offered as it is
    written: a time after the word tells it is no word to look for ("dairy" alone is)."""
    for length in (2, 3):
        typed = words[-length:]
        if len(words) <= length:
            continue
        near = process.extractOne(typed[0], _DIGEST_NAMES, scorer=fuzz.ratio, score_cutoff=_NEAR_CADENCE_SCORE)
        meant = " ".join([near[0], *typed[1:]]) if near else ""
        if near and near[0] != typed[0] and PATTERN.match(meant):
            return f"“{' '.join(typed)}”: did you mean {meant}?"
    return None


@dataclass(frozen=True)
class _HowOftenSaid:
    """How often said in words, the words from `start` to the last: "every friday at 6 pm", "daily at 9", "at 9"."""

    start: int
    every: str | None  # the cadence its words of how often mean but for the time ("weekly fri"); None for "at 9" alone
    clock: str | None  # as written after "at", in lower case ("6 pm"); None without "at"

    @property
    def time(self) -> str | None:
        """The time of day said, as HH:MM; None for none, for no time of day ("at 25"), or for four
        digits after "at" alone, which may be a year ("ai at 2024")."""
        if self.clock is None or (self.every is None and _FOUR_DIGITS.fullmatch(self.clock)):
            return None
        return _time_of_day(self.clock)

    def cadence(self, time: str) -> str:
        return f"{self.every or 'daily'} {time}"


def _cadence_in_words(args: str) -> CadenceError | None:
    """How often said in words after a topic ("energy every day at 7:30", "energy at 9"), as the
    cadence it means (daily 07:30, daily 09:00) offered, or an error for a time of day that is none
    after words of how often ("every day at 25"), or for words of how often it reads no cadence in
    ("every weekday at 9"); None when the words end in no cadence (see `_how_often_last`)."""
    words = args.split()
    said = _how_often_last(words)
    if said is None:
        return None
    if said.every is None:
        return _at_a_time_alone(words, said)
    if said.clock is None:
        return _with_time_before(words, said)
    if said.time is None:
        return _no_time_of_day(words, said)
    return _offer(words, said.start, said.cadence(said.time))


def _how_often_last(words: list[str]) -> _HowOftenSaid | None:
    """How often said in words last, in as many words as say it, the first word too ("at 9" alone is
    a cadence with no topic); None when the words end in none. Not right after a cadence's name
    ("weekly at 9" lacks its day), nor "at" alone with a number that is no time of day or with four
    digits ("at 50", "ai at 2024": words to look for) but after how often newsbot reads no cadence
    in ("every weekday at 2030")."""
    for start in range(len(words)):
        said = _how_often_from(words, start)
        after_cadence_name = start > 0 and words[start - 1].lower() in _CADENCE_WORDS
        if said and not after_cadence_name and (said.every or said.time or _how_often_unread(words, start)):
            return said
    return None


def _how_often_from(words: list[str], start: int) -> _HowOftenSaid | None:
    """How often the words from `start` to the last say, if they say only that."""
    found = _HOW_OFTEN_SAID.fullmatch(" ".join(words[start:]).lower())
    if not found:
        return None
    every = _EVERY_WHAT[found["every"]] if found["every"] else found["daily"]
    return _HowOftenSaid(start, every, found["clock"])


def _at_a_time_alone(words: list[str], said: _HowOftenSaid) -> CadenceError:
    """"energy at 9" means daily 09:00, unless words of how often newsbot reads no cadence in come
    before it ("every weekday at 9")."""
    if unread := _how_often_unread(words, said.start):
        return CadenceError(f"“{unread}”: {_CADENCE_USAGE}")
    return _offer(words, said.start, said.cadence(said.time))


def _with_time_before(words: list[str], said: _HowOftenSaid) -> CadenceMeant:
    """How often said without a time: at the time said just before it ("energy at 9 every day" is
    daily 09:00, not "at 9" left in the topic), else at 08:00."""
    start, time = _time_before(words, said.start) or (said.start, _TIME_UNSAID)
    return _offer(words, start, said.cadence(time))


def _no_time_of_day(words: list[str], said: _HowOftenSaid) -> CadenceError:
    typed, example = " ".join(words[said.start:]), said.cadence(_TIME_UNSAID)
    return CadenceError(f"“{typed}”: “{said.clock}” is no time of day. Give one from 00:00 to 23:59, e.g. {example}.")


def _time_before(words: list[str], start: int) -> tuple[int, str] | None:
    """Where "at" a time of day alone stands just before the words from `start` ("at 9", "at 6 pm"),
    and that time as HH:MM; not four digits, which may be a year ("ai at 2024 every day")."""
    for at in (start - 2, start - 3):
        said = _how_often_from(words[:start], at) if at >= 0 else None
        if said and said.every is None:
            return (at, said.time) if said.time else None
    return None


def _offer(words: list[str], start: int, cadence: str) -> CadenceMeant:
    """The cadence the words from `start` mean, offered for the topic before them."""
    return CadenceMeant(" ".join(words[start:]), cadence, " ".join(words[:start]))


def _how_often_unread(words: list[str], end: int) -> str | None:
    """The words from those that say how often as newsbot reads no cadence, last before `end` (an
    "at" or the end), to the end: "every weekday at 9", "twice a day"; not a topic's words."""
    said = _HOW_OFTEN_UNREAD.search(" ".join(words[:end]).lower())
    return " ".join(words[end - len(said["said"].split()):]) if said else None


def _as_clock(typed: str) -> str:
    """A time written otherwise ("9.30", "8h") as HH:MM; 08:00 when it is no time of day ("25.00")."""
    return _time_of_day(typed) or _TIME_UNSAID


def _time_of_day(typed: str) -> str | None:
    """A time written otherwise ("9", "9.30", "8h", "8pm") as HH:MM; None when it is no time of day ("25", "13pm")."""
    found = _OTHER_CLOCK.fullmatch(typed)
    if not found:
        return None
    hours, minutes = int(found["hours"]), int(found["minutes"] or 0)
    if found["half"]:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if found["half"] == "p" else 0)
    return f"{hours:02d}:{minutes:02d}" if hours < 24 and minutes < 60 else None
