"""How both stores read a word: case and accents folded, and English words by their Snowball
"english" stems, which PostgreSQL's "english" configuration makes and SQLite's index is given
(FTS5's own "porter" tokenizer cut short words too far: "uses" was "us", "Eve" was "ev")."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# What the index's triggers call (migration 0005). The index keeps no text, and taking an article out
# gives it the article's words as this makes them now: what it makes (the stemmer's version included)
# changes only with a migration that builds the index again.
SQL_FUNCTION = "newsbot_english_stems"

# Called from the event loop and from each SQLite connection's thread: PyStemmer's stemmer must not run
# twice at once, which the GIL, held through its C call, sees to.
_ENGLISH = snowballstemmer.stemmer("english")
# A word of ASCII letters alone in folded text (no "_" left); "covid19" or a Thai word stays as the tokenizer reads it.
# Captured, so that split() leaves the words at the odd places of its list, between the text around them.
_ENGLISH_WORD = re.compile(r"\b([a-z]+)\b")


def _accent_folds() -> tuple[str, str]:
    """Latin letters with accents ("é", "ệ", "ñ") and their bare letters, one for one: what FTS5's
    remove_diacritics does on SQLite, done by translate() on PostgreSQL (migration 0004)."""
    accented, bare = [], []
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        letter = unicodedata.normalize("NFD", chr(code))[0]
        if letter != chr(code) and letter.isascii() and letter.isalpha():
            accented.append(chr(code))
            bare.append(letter)
    return "".join(accented), "".join(bare)


def full_case_folds() -> list[tuple[str, str]]:
    """The letters whose full case folding (str.casefold(), as folded() reads them) is more than their
    lower case ("ß" is "ss", a final "ς" is "σ", "ﬁ" is "fi"), and that folding: PostgreSQL, which only
    lowers words, is given them folded (migrations 0007 and 0010, which alone need them: working them out
    takes a moment). All such letters are in the Basic Multilingual Plane."""
    letters = map(chr, range(0x10000))
    return [(letter, letter.casefold()) for letter in letters if letter.casefold().lower() != letter.lower()]


# Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, Japanese kana, Chinese
# characters): each character stands alone to both indexes, so a word inside a sentence is found as the
# phrase of its characters. Python reads this pattern as PostgreSQL does (migration 0006).
UNSPACED_CHARACTER = r"([\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])"
_UNSPACED_CHARACTER = re.compile(UNSPACED_CHARACTER)

ACCENTED, UNACCENTED = _accent_folds()  # the PostgreSQL index was built with these: change them with a migration
_FOLDS = str.maketrans(ACCENTED, UNACCENTED)


def fold_accents(text: str) -> str:
    """"Việt Nam" as "Viet Nam", as both stores index it."""
    return text if text.isascii() else text.translate(_FOLDS)


def spaced(text: str) -> str:
    """"北京市" as " 北  京  市 ", as both stores index it."""
    return text if text.isascii() else _UNSPACED_CHARACTER.sub(r" \1 ", text)


# PostgreSQL's parser reads words joined by a dot as one ("giantbomb.com" a host, "solar.balance_grid" a file),
# where SQLite's reads each: migration 0012 made a dot between two letters part words as a space does.
DOT_BETWEEN_LETTERS = r"(?<=[A-Za-z])\.(?=[A-Za-z])"
# It reads figures joined by a dot ("2.5" a number, "v2.0" or "fig.9" a file) and words joined by a slash
# ("ai/ml", "/r/news", "1/2" files, "example.com/guide" a link) as one too: from migration 0013, a dot between
# two letters or figures, and any slash, part words to both ("/" and "." are never part of a word to SQLite).
DOT_OR_SLASH_BETWEEN_WORDS = r"(?<=[A-Za-z0-9])\.(?=[A-Za-z0-9])|/"
_DOT_OR_SLASH_BETWEEN_WORDS = re.compile(DOT_OR_SLASH_BETWEEN_WORDS)


def dots_and_slashes_parted(text: str) -> str:
    """"2.5" as "2 5", "ai/ml" as "ai ml", "giantbomb.com" as "giantbomb com", as PostgreSQL's index reads
    them (SQLite's parts them anyway)."""
    return _DOT_OR_SLASH_BETWEEN_WORDS.sub(" ", text) if "." in text or "/" in text else text


# Initials in capitals that are a stop word in lower case, which neither index keeps: an article's are indexed as
# the name they stand for, which search looks for in their place (content.store.fulltext), so "/search WHO" finds
# "The WHO said" (migration 0014). Not beside a word in capitals, as in a headline written in them ("WHO WILL
# PAY?", "WHO'S NEXT"). Python reads these patterns as PostgreSQL does; the indexes were built with them: change
# them with a migration that builds both again.
NAMES_OF_INITIALS = {"WHO": "world health organization"}


def initials_pattern(initials: str) -> str:
    """Where `initials` stand as a word of their own in an article's text, not beside a word in capitals."""
    return rf"(?<![A-Za-z0-9_])(?<![A-Z][A-Z] ){initials}(?![A-Za-z0-9_-])(?! [A-Z][A-Z])(?![\u0027\u2019][A-Z])"


_INITIALS = [(re.compile(initials_pattern(initials)), initials, name) for initials, name in NAMES_OF_INITIALS.items()]


def initials_spelt_out(text: str) -> str:
    """"The WHO said" as "The world health organization said", as both indexes read it."""
    for pattern, initials, name in _INITIALS:
        if initials in text:
            text = pattern.sub(name, text)
    return text


def folded(text: str) -> str:
    # NFKC, as people's words are read (bot.router.as_typed): "CO₂" is "CO2", "½" is "1⁄2", a decomposed "Việt"
    # the composed one (migration 0010); a Turkish capital İ folds to "i" and a dot, read as "i"
    return unicodedata.normalize("NFKC", text).casefold().replace("i\u0307", "i").replace("_", " ")


@lru_cache(maxsize=200_000)
def _word_root(word: str) -> str:
    """The stem of a lower-case word: "policies" and "policy" are "polici", "uses" is "use"."""
    return _ENGLISH.stemWord(word)


def _stemmed_piece(piece: str) -> str:
    """A run of folded text without spaces ("policies,", "covid19"), each English word in it stemmed;
    a short one through a cache, as pieces recur ("the", "said,"), a long one (a link, a Thai
    paragraph) not: 32,768 of them could hold hundreds of megabytes."""
    return _stemmed_short_piece(piece) if len(piece) <= _LONGEST_CACHED_PIECE else _stemmed_words(piece)


_LONGEST_CACHED_PIECE = 40


@lru_cache(maxsize=32_768)
def _stemmed_short_piece(piece: str) -> str:
    return _stemmed_words(piece)


def _stemmed_words(text: str) -> str:
    # split() and map() rather than sub() with a function: no Python call per word (a quarter less time)
    parts = _ENGLISH_WORD.split(text)
    parts[1::2] = map(_word_root, parts[1::2])
    return "".join(parts)


def english_stems(text: str | None) -> str | None:
    """The text folded as a search folds it, each English word replaced by its stem."""
    if text is None:
        return None
    # A piece between spaces at a time: a space is never in a word and bounds one as in the whole text, and
    # pieces recur ("the", "said,"), so most cost one cache hit (the ingest bench's texts: 1.06 s to 0.67 s)
    return " ".join(map(_stemmed_piece, spaced(fold_accents(folded(initials_spelt_out(text)))).split(" ")))
