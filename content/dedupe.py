"""Near-duplicate detection: the same story syndicated under different URLs.

Each article gets a `Fingerprint`: its normalized title and lead, plus a few short lookup
keys (a hash of the title's word set, a hash of the lead's opening words and MinHash keys
over word triples). The store indexes the keys, so finding candidates is an index hit; a
candidate only counts as the same story when `same_story` confirms it with rapidfuzz.
A key shared by more than `MAX_KEY_HITS` articles (boilerplate every item of a feed carries)
tells nothing and is ignored, which keeps the work per article bounded.
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import repeat

from rapidfuzz import fuzz

MAX_KEY_HITS = 8
SYNDICATION_WINDOW = timedelta(days=30)  # copies of one story are published within this of each other
LEAD_CHARS = 400  # how much of the text is compared; syndicated copies agree in their opening
_MIN_LEAD_CHARS = 40  # shorter leads (title-only items) never merge: a shared title alone is too weak
_LEAD_PREFIX_WORDS = 12
_STEM_LETTERS = 5
_FEW_TITLE_WORDS = 3  # "Live updates", "Morning briefing", "Podcast episode 12": titles different stories share
_MINHASH_WORDS = 40  # of title + lead: enough to tell stories apart, cheap to hash
_MINHASH_SEEDS = (0x9E3779B9, 0x85EBCA6B)  # CRC32 start values: two different hash functions

_STOPWORDS = frozenset(
    "a an and are as at be by for from has have in into is it its of on or over says said that the their this "
    "to was were will with".split()
)
_NON_WORD = re.compile(r"[^\w]+")
# a wire's "UPDATE 2-", "REFILE-UPDATE 1-", "WRAPUP 1-": no figure of the story
_REVISION = re.compile(r"^(?:(?:refile|rpt|corrected) )*(?:update|wrapup) \d+ ")
# An outlet's name after the headline ("… - Reuters", "… | AP News", "… – BBC News"), as syndicators and
# aggregators write it: a few words, each capitalized ("of" and "the" aside) or a domain ("reuters.com"), and
# no number, which tells one edition from the next ("Briefing - Week 12", "Phase One", "Part II")
_OUTLET_SUFFIX = re.compile(r"\s+[-–—|]\s+(?!.*\s[-–—|]\s)(\S+(?:\s+\S+){0,4})\s*$")
_OUTLET_WORD = re.compile(r"[^\W\d_a-z][\w.&'’-]*|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}|of|the|and|&")
# Words that number an edition: an ordinal anywhere ("The Second Season"), a number after what it counts
# ("Phase One", "Part II"), not a number an outlet's name holds ("BBC One", "Nine News")
_ORDINAL = frozenset(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth last final".split()
)
_CARDINAL = frozenset("one two three four five six seven eight nine ten eleven twelve".split())
_COUNTED = frozenset(
    "part phase day week episode chapter round season series stage volume vol book act game leg step issue lesson".split()
)
_ROMAN_NUMBER = re.compile(r"X{0,2}(?:IX|IV|V?I{0,3})")  # I to XXIX
_ROMAN_NUMBER_WORD = re.compile(rf"\b(?=[IVX]{{2,}}\b)(?:{_ROMAN_NUMBER.pattern})\b")  # of two letters or more
_ASCII_WORD = frozenset((string.ascii_letters + string.digits + "_").encode("ascii"))
_ASCII_NON_WORD_TO_SPACE = bytes(byte if byte in _ASCII_WORD else ord(" ") for byte in range(256))
_COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@dataclass(frozen=True)
class Fingerprint:
    title: str  # normalized: lower case, no accents or punctuation
    lead: str  # the normalized opening of the text
    keys: tuple[str, ...]  # index keys; sharing one makes two articles candidates
    title_numbers: frozenset[str] = frozenset()
    # "ii" of "Part II": apart from the figures, as a copy may leave one out of a name ("King Charles III")
    title_roman_numbers: frozenset[str] = frozenset()
    title_stems: frozenset[str] = frozenset()  # crude 5-letter stems of the title's content words
    published: datetime | None = None


def normalize(text: str) -> str:
    """Lower case, accents and punctuation removed, single spaces."""
    folded = text.casefold()
    if folded.isascii():  # most text: a byte table does what _NON_WORD does, several times faster
        words = folded.encode("ascii").translate(_ASCII_NON_WORD_TO_SPACE).decode("ascii").split()
        return " ".join(words).replace("_", " ").strip()
    folded = _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", folded))
    return _NON_WORD.sub(" ", folded).replace("_", " ").strip()


def _content_words(normalized: str) -> list[str]:
    return [word for word in normalized.split() if word not in _STOPWORDS]


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def _key(kind: str, value: int) -> str:
    return f"{kind}{value:016x}"


def _minhash_keys(words: list[str]) -> list[str]:
    words = words[:_MINHASH_WORDS]
    shingles = {f"{first} {second} {third}".encode() for first, second, third in zip(words, words[1:], words[2:])}
    if not shingles:
        return []
    return [
        _key(f"m{index}", min(map(zlib.crc32, shingles, repeat(seed, len(shingles)))))
        for index, seed in enumerate(_MINHASH_SEEDS)
    ]


def fingerprint(title: str, text: str, with_keys: bool = True, published: datetime | None = None) -> Fingerprint:
    """`with_keys=False` for a stored candidate: only what `same_story` compares."""
    title = _without_outlet(title)
    normalized_title = normalize(title)
    lead = normalize(text[: LEAD_CHARS * 2])[:LEAD_CHARS]
    if len(lead) < _MIN_LEAD_CHARS:
        return Fingerprint(normalized_title, lead, ())
    numbers = frozenset(word for word in _REVISION.sub("", normalized_title).split() if word.isdigit())
    roman_numbers = frozenset(_roman_numbers(title))
    title_words = _content_words(normalized_title)
    stems = frozenset(word[:_STEM_LETTERS] for word in title_words if len(word) >= 3)
    if not with_keys:
        return Fingerprint(normalized_title, lead, (), numbers, roman_numbers, stems, published)
    lead_words = _content_words(lead)
    keys = [_key("t", _digest(" ".join(sorted(set(title_words)))))]
    keys.append(_key("l", _digest(" ".join(lead_words[:_LEAD_PREFIX_WORDS]))))
    keys.extend(_minhash_keys(title_words + lead_words))
    return Fingerprint(normalized_title, lead, tuple(dict.fromkeys(keys)), numbers, roman_numbers, stems, published)


def _roman_numbers(title: str) -> list[str]:
    """The title's Roman numbers of two letters or more ("Part II"), but in a headline all in capitals
    (where "XI" is more likely China's president)."""
    if title.isupper():
        return []
    return [word.lower() for word in _ROMAN_NUMBER_WORD.findall(title) if word]  # "IIII" matches empty


def _without_outlet(title: str) -> str:
    """The headline without the outlet's name after it: copies of one wire story carry each its own."""
    match = _OUTLET_SUFFIX.search(title)
    words = match[1].split() if match else []
    if not words or not all(_OUTLET_WORD.fullmatch(word) for word in words) or _numbers_an_edition(words):
        return title
    return title[: match.start()]


def _numbers_an_edition(words: list[str]) -> bool:
    lowered = [word.lower() for word in words]
    return any(word in _ORDINAL for word in lowered) or any(
        before in _COUNTED and (word in _CARDINAL or _ROMAN_NUMBER.fullmatch(written))
        for before, word, written in zip(lowered, lowered[1:], words[1:])
    )


def same_story(first: Fingerprint, second: Fingerprint) -> bool:
    """Near-identical leads (as far as the shorter goes: an excerpt is the opening of the whole text)
    and compatible titles: one title may extend the other ("… for smallholders", "UPDATE 1-"), but
    when each has words the other lacks ("farming app" vs "health app") or other figures, or they
    were published months apart, they are different stories, however alike their leads (boilerplate
    descriptions are). A title of a few words says too little to tell a newsletter's Tuesday edition
    from Wednesday's: then the leads alone must be one text."""
    if min(len(first.lead), len(second.lead)) < _MIN_LEAD_CHARS:  # too little text to tell
        return False
    if first.title_numbers != second.title_numbers:
        return False
    if first.title_roman_numbers and second.title_roman_numbers and first.title_roman_numbers != second.title_roman_numbers:
        return False  # "Part II" and "Part III"; "King Charles III" and "King Charles" may be one story
    if first.published and second.published and abs(first.published - second.published) > SYNDICATION_WINDOW:
        return False  # a notice posted again a year on ("Scholarship applications open") is news again
    if first.title_stems - second.title_stems and second.title_stems - first.title_stems:
        return False
    title_similarity = fuzz.token_set_ratio(first.title, second.title)
    if title_similarity < 80:
        return False
    if min(len(_content_words(first.title)), len(_content_words(second.title))) <= _FEW_TITLE_WORDS:
        return fuzz.ratio(first.lead, second.lead) >= 95
    # an excerpt (a feed giving the opening) and the whole text agree as far as the excerpt goes
    shared = min(len(first.lead), len(second.lead))
    lead_similarity = fuzz.ratio(first.lead[:shared], second.lead[:shared])
    return lead_similarity >= 90 or (lead_similarity >= 80 and title_similarity >= 95)
