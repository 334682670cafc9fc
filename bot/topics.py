"""How replies name what people look for and follow: "Energy + Kenya + “smart grid”, without “coal”"."""

from __future__ import annotations

from typing import Iterable

from bot.model import quoted
from content.store.fulltext import QUOTES, parted, plain_words, search_terms

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
    """The plain words ("energy,kenya" is two, as searched), quoted phrases and exclusions, as written."""
    pieces = []
    for bare, (start, end) in plain_words(words):
        if bare:
            pieces += parted(bare)
        elif search_terms(literal := words[start:end]):
            pieces.append(_closed(literal))
    return pieces


def _read_or(pieces: list[str]) -> list[str]:
    """The pieces less each "or" that joins no two terms ("or solar", "solar or -wind"), and with the
    terms an "or" joins to a quoted phrase as one piece, '“solar” or "smart grid"', as search reads
    them: apart, they would read as both. Stop words between change nothing ("solar or the wind")."""
    is_or = [piece.casefold() == "or" for piece in pieces]
    is_term = [not joining and not piece.startswith("-") and bool(search_terms(piece))
               for piece, joining in zip(pieces, is_or)]
    read = list(pieces)
    chain_of = list(range(len(pieces)))  # where the first term of those "or" joins each term to stands
    for position in (position for position, joining in enumerate(is_or) if joining):
        before = next((index for index in range(position - 1, -1, -1) if is_term[index]), None)
        # an exclusion after it joins nothing ("solar or -wind"); a stop word or another "or" is passed over
        after = next((index for index in range(position + 1, len(pieces))
                      if not is_or[index] and search_terms(pieces[index])), None)
        if before is None or after is None or not is_term[after]:
            read[position] = ""
        else:
            chain_of[after] = chain_of[before]
    chains: dict[int, list[int]] = {}
    for index in (index for index, term in enumerate(is_term) if term):
        chains.setdefault(chain_of[index], []).append(index)
    for terms in chains.values():
        if len(terms) > 1 and any(pieces[index][0] in QUOTES for index in terms):
            for index in range(terms[0] + 1, terms[-1] + 1):
                if not pieces[index].startswith("-"):  # "solar -coal or \"smart grid\"" still leaves coal out
                    read[index] = ""
            read[terms[0]] = " or ".join(piece if piece[0] in QUOTES else _usual([piece]) for piece in map(pieces.__getitem__, terms))
    return [piece for piece in read if piece]


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
