"""How replies name what people look for and follow: "Energy + Kenya + “smart grid”, without “coal”"."""

from __future__ import annotations

from typing import Iterable

from bot.model import quoted
from content.store.fulltext import EDGE_PUNCTUATION, QUOTES, is_or, or_reading, parted, plain_words, search_terms

# Words kept in lower case (a subscription's words are) that read as acronyms: "“AI”", not "“ai”"; a word
# with a capital is named as written ("5 eV", an energy, is no "5 EV")
_USUAL_CASE = {"ai": "AI", "genai": "GenAI", "llm": "LLM", "llms": "LLMs", "iot": "IoT", "ev": "EV", "evs": "EVs"}


def describe(names: Iterable[str], words: str = "") -> str:
    """Sector and place names, then the words to look for: plain words in our quotes, a phrase in
    the person's own, and each "-" exclusion as "without …". A phrase or exclusion with no word to
    look for ("--", "-the", "!!!" in quotes) changes no search, so it is not named. "or" is named
    where search reads it: between two terms, a quoted phrase and what it joins named as one choice."""
    pieces = _read_or(_in_order(words))
    parts = list(dict.fromkeys(names))
    wanted = [piece for piece in pieces if not piece.startswith("-")]
    unquoted = [piece for piece in wanted if piece[0] not in QUOTES]
    if unquoted:
        parts.append(_usual(unquoted))
    parts += [phrase for phrase in wanted if phrase[0] in QUOTES]
    excluded = [f"without {quoted(piece[1:])}" for piece in pieces if piece.startswith("-") and len(piece) > 1]
    return ", ".join(filter(None, [" + ".join(parts), *excluded]))


def _in_order(words: str) -> list[str]:
    """The plain words ("energy,kenya" is two, as searched; "or," is "or"), quoted phrases and exclusions, as written."""
    pieces = []
    for bare, (start, end) in plain_words(words):
        if bare:
            pieces += [word.strip(EDGE_PUNCTUATION) if is_or(word) else word for word in parted(bare)]
        else:
            pieces.append(_closed(words[start:end]))
    return pieces


def _read_or(pieces: list[str]) -> list[str]:
    """The pieces named, less each "or" that joins no two terms ("or solar", "solar or -wind") and each
    phrase or exclusion with no word to look for, and with the terms an "or" joins to a quoted phrase
    as one piece, '“solar” or "smart grid"', as search reads them: apart, they would read as both."""
    reading = or_reading(pieces)
    read = [piece if _is_plain(piece) or search_terms(piece) else "" for piece in pieces]
    for index in reading.lone_ors:
        read[index] = ""
    for choice in reading.choices:
        terms = [[pieces[index] for index in term] for term in choice]
        if len(terms) > 1 and any(not _is_plain(term[0]) for term in terms):
            for index in range(choice[0].start, choice[-1].stop):
                if not pieces[index].startswith("-"):  # "solar -coal or \"smart grid\"" still leaves coal out
                    read[index] = ""
            read[choice[0].start] = " or ".join(_usual(term) if _is_plain(term[0]) else term[0] for term in terms)
    return [piece for piece in read if piece]


def _is_plain(piece: str) -> bool:
    return piece[0] not in QUOTES and not piece.startswith("-")


def _usual(words: list[str]) -> str:
    """Plain words in our quotes, an acronym in its usual case: "“AI tutors”"."""
    return quoted(" ".join(_USUAL_CASE.get(word, word) for word in words))


_CLOSING_QUOTES = {"“": "”", "„": "“", "«": "»", "»": "«"}  # other quote marks close with themselves


def _closed(literal: str) -> str:
    """A quoted phrase (or "-" exclusion) as typed, its quote closed where the person left it open:
    "“solar" reads “solar”, not as a quote running on into the reply."""
    phrase = literal.removeprefix("-")
    if not phrase or phrase[0] not in QUOTES or (len(phrase) > 1 and phrase[-1] in QUOTES):
        return literal
    return literal + _CLOSING_QUOTES.get(phrase[0], phrase[0])
