"""How replies name what people look for and follow: "Energy + Kenya + “smart grid”, without “coal”"."""

from __future__ import annotations

from typing import Iterable

from bot.model import quoted
from content.store.fulltext import QUOTES, literal_pieces, parted, search_terms

# Words kept in lower case (a subscription's words are) that read as acronyms: "“AI”", not "“ai”"
_USUAL_CASE = {"ai": "AI", "genai": "GenAI", "llm": "LLM", "llms": "LLMs", "iot": "IoT", "ev": "EV", "evs": "EVs"}


def describe(names: Iterable[str], words: str = "") -> str:
    """Sector and place names, then the words to look for: plain words in our quotes, a phrase in
    the person's own, and each "-" exclusion as "without …". A phrase or exclusion with no word to
    look for ("--", "-the", "!!!" in quotes) changes no search, so it is not named."""
    plain, literals = literal_pieces(words)
    words = [part for word in plain.split() for part in parted(word)]  # "energy,kenya" is two, as searched
    pieces = [*words, *map(_closed, filter(search_terms, literals))]
    parts = list(dict.fromkeys(names))
    wanted = [piece for piece in pieces if not piece.startswith("-")]
    unquoted = [piece for piece in wanted if piece[0] not in QUOTES]
    if unquoted:
        parts.append(quoted(" ".join(_USUAL_CASE.get(word.casefold(), word) for word in unquoted)))
    parts += [phrase for phrase in wanted if phrase[0] in QUOTES]
    excluded = [f"without {quoted(piece[1:])}" for piece in pieces if piece.startswith("-") and len(piece) > 1]
    return ", ".join(filter(None, [" + ".join(parts), *excluded]))


_CLOSING_QUOTES = {"“": "”", "„": "“", "«": "»", "»": "«"}  # other quote marks close with themselves


def _closed(literal: str) -> str:
    """A quoted phrase (or "-" exclusion) as typed, its quote closed where the person left it open:
    "“solar" reads “solar”, not as a quote running on into the reply."""
    phrase = literal.removeprefix("-")
    if not phrase or phrase[0] not in QUOTES or (len(phrase) > 1 and phrase[-1] in QUOTES):
        return literal
    return literal + _CLOSING_QUOTES.get(phrase[0], phrase[0])
