"""Sector tagging from weighted evidence in a hand-kept taxonomy (`taxonomy.yaml`).

Text is read as lower-case word tokens; at each position the longest taxonomy phrase wins, so
"palm oil" is agriculture and never "oil", and an ignored phrase ("power struggle") hides its
words. Each distinct phrase adds its weight times a position factor (title > lead > body),
and repeats add a little more. In a long article a strong but ambiguous word ("oil", "dollar")
counts fully only in the title; in the body only decisive phrases ("crude oil") make a sector.

A sector is tagged when its score passes a threshold a single passing mention cannot reach (or
the headline alone makes a decisive case), a long article names it with at least one decisive
phrase, and it is not dwarfed by the article's main subject: the strongest sector, or a rival
subject that is no sector (a company's quarterly results, a takeover, stock and bond markets,
government debt, sport, the economy), so an oil company's earnings report is not energy news.
A sector marked `beside_others` (technology) named in the headline is kept beside a stronger one:
"AI-powered crop monitoring" is agriculture and technology news.

The taxonomy is English: in a text its source says is in another language, an English keyword is as
likely a word of that language (Portuguese "canal" is a channel, German "plant" plans), so it counts
for less, unless the text reads as English after all.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, NamedTuple

import yaml

from content.settings import SectorExtension, TaxonomySettings
from content.text import ELECTRONVOLT, strip_accents

TAXONOMY_FILE = Path(__file__).with_name("taxonomy.yaml")

TITLE_FACTOR = 2.0
LEAD_FACTOR = 1.5
LEAD_TOKENS = 40
REPEAT_SHARE = 0.5  # of a phrase's weight, per repeat
MAX_REPEATS = 2
CORE_WEIGHT = 2.0  # weights below this are supporting evidence
DECISIVE_WEIGHT = 3.0  # weights from this on make a sector anywhere in an article
SHORT_TEXT_TOKENS = 40  # a headline's summary or lead; longer texts are read as articles
SUPPORT_SHARE = 0.5  # of the core evidence, at most
THRESHOLD = 4.0  # for a headline-sized text; longer texts must show more
THRESHOLD_LENGTH = 25  # tokens (about 6 characters each) up to which THRESHOLD applies as is
MAX_THRESHOLD_GROWTH = 3.0
DECISIVE_HEADLINE = DECISIVE_WEIGHT * TITLE_FACTOR  # a headline this sure tags an article of any length
RIVAL_FACTOR = 1.2  # how much a rival subject's evidence counts against a sector's
RELATIVE_THRESHOLD = 0.6  # of the main subject's score, so a passing second sector is left out
OTHER_LANGUAGE_SHARE = 0.5  # of a keyword's weight, in a text in another language
# Common English words, few of them words of other languages; a text with this many of them reads as English
ENGLISH_WORDS = frozenset(
    "the and of to is for that with was are it by from this be has have were which will said their its not".split()
)
ENGLISH_WORDS_NEEDED = 3

_TOKEN = re.compile(r"[a-z0-9]+")
# "F.D.A." reads as "FDA", "u.s." as "us"; not German "e.V." (a registered society), no "EV". Dot first so re scans fast
_ACRONYM_DOT = re.compile(r"\.(?:(?<=\b[A-Z]\.)(?=[A-Z]\b)|(?<=\b[a-z]\.)(?=[a-z]\b))")
# "start-up" is the noun "startup", a young firm; "start up" the verb (a reactor, talks start up); hyphen first, as above
_START_UP_HYPHEN = re.compile(r"-(?<=\bstart-)(?=ups?\b)", re.IGNORECASE)


@lru_cache(maxsize=65536)
def _normalise(token: str) -> str:
    """Fold a plural "s" so "power plants" matches "power plant"."""
    if len(token) > 4 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokens(text: str) -> list[str]:
    """Lower-case word tokens without accents, a plural "s" or the unit of "5 eV" (no EV)."""
    text = ELECTRONVOLT.sub("", _START_UP_HYPHEN.sub("", strip_accents(text)))
    return list(map(_normalise, _TOKEN.findall(_ACRONYM_DOT.sub("", text).lower())))


@dataclass(frozen=True)
class Sector:
    id: str
    name: str
    terms: dict[str, float]  # phrase -> weight
    # named in the headline, kept beside a stronger sector: another sector's technology is technology news too
    beside_others: bool = False


class TaxonomyError(ValueError):
    """The taxonomy data or a config extension of it cannot be used."""


class Taxonomy(NamedTuple):
    sectors: dict[str, Sector]  # by id
    ignore: tuple[str, ...]  # phrases that are evidence for nothing
    rivals: dict[str, Sector]  # subjects that are no sector but can be what an article is about


def _read_entries(entries: dict, source: str) -> dict[str, Sector]:
    read = {}
    for entry_id, entry in entries.items():
        terms: dict[str, float] = {}
        weights: dict[tuple[str, ...], float] = {}
        for weight, phrases in entry["terms"].items():
            for phrase in phrases:
                key = tuple(tokens(phrase))
                if weights.setdefault(key, float(weight)) != float(weight):
                    raise TaxonomyError(f'{source}: "{phrase}" has two weights in {entry_id}')
                terms[phrase] = float(weight)
        read[entry_id] = Sector(entry_id, entry["name"], terms, bool(entry.get("beside_others", False)))
    return read


def _ignored_phrases(entries: list[str | list[list[str]]]) -> tuple[str, ...]:
    """Ignored phrases: a string is one phrase, a list of word choices stands for every combination
    (`[[mln, billion], [yen, francs]]` is "mln yen", "mln francs", "billion yen", "billion francs")."""
    phrases: list[str] = []
    for entry in entries:
        if isinstance(entry, str):
            phrases.append(entry)
        else:
            phrases.extend(" ".join(words) for words in itertools.product(*entry))
    return tuple(phrases)


def load_taxonomy(path: Path = TAXONOMY_FILE) -> Taxonomy:
    """Sectors, ignored phrases and rival subjects from a taxonomy file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sectors = _read_entries(data["sectors"], path.name)
    rivals = _read_entries(data.get("rivals", {}), path.name)
    if clash := set(sectors) & set(rivals):
        raise TaxonomyError(f"{path.name}: {sorted(clash)} cannot be both a sector and a rival")
    return Taxonomy(sectors, _ignored_phrases(data.get("ignore", [])), rivals)


@lru_cache(maxsize=1)
def bundled_taxonomy() -> Taxonomy:
    """The shipped taxonomy, read once."""
    return load_taxonomy()


def check_extensions(extensions: dict[str, SectorExtension]) -> None:
    """Raise TaxonomyError for an extension the tagger could not use."""
    taxonomy = bundled_taxonomy()
    for sector_id, extension in extensions.items():
        if not (sector_id.isascii() and sector_id.replace("_", "").isalnum() and sector_id == sector_id.lower()):
            raise TaxonomyError(f'sector id "{sector_id}" must be lower-case letters, digits and underscores')
        if sector_id not in taxonomy.sectors and sector_id not in taxonomy.rivals and not extension.keywords:
            raise TaxonomyError(f'sector "{sector_id}" is new and needs keywords')
        for keyword in extension.keywords:
            if not tokens(keyword):
                raise TaxonomyError(f'sector "{sector_id}": keyword "{keyword}" has no letters or digits')


def extend(sectors: dict[str, Sector], settings: TaxonomySettings | None) -> dict[str, Sector]:
    """The sectors with the config's additions: new sectors, new names, more keywords."""
    extended = dict(sectors)
    for sector_id, extension in (settings.sectors if settings else {}).items():
        current = extended.get(sector_id)
        terms = dict(current.terms) if current else {}
        terms.update({keyword: extension.weight for keyword in extension.keywords})
        name = extension.name or (current.name if current else sector_id.replace("_", " ").title())
        extended[sector_id] = Sector(sector_id, name, terms, current.beside_others if current else False)
    return extended


class SectorTagger:
    """Scores a title and text against every sector's phrases."""

    def __init__(
        self, sectors: dict[str, Sector], ignore: Iterable[str] = (), rivals: dict[str, Sector] | None = None
    ) -> None:
        self.sectors = sectors
        self._lexicon: dict[tuple[str, ...], list[tuple[str, float]]] = {}
        for phrase in ignore:
            self._lexicon.setdefault(tuple(tokens(phrase)), [])
        for sector in [*sectors.values(), *(rivals or {}).values()]:
            # "school" and "schools" read as one phrase, which counts once for its sector
            weights: dict[tuple[str, ...], float] = {}
            for phrase, weight in sector.terms.items():
                key = tuple(tokens(phrase))
                weights[key] = max(weight, weights.get(key, 0.0))
            for key, weight in weights.items():
                self._lexicon.setdefault(key, []).append((sector.id, weight))
        self._lexicon.pop((), None)
        sizes: dict[str, dict[str, set[int]]] = {}
        for key in self._lexicon:
            if len(key) > 1:
                sizes.setdefault(key[0], {}).setdefault(key[1], set()).add(len(key))
        # first word -> second word -> lengths of the phrases they start, longest first: most words that
        # start a phrase ("the", "in") are followed by none of its second words, and cost no lookup more
        self._phrase_sizes = {
            first: {second: sorted(lengths, reverse=True) for second, lengths in seconds.items()}
            for first, seconds in sizes.items()
        }
        self._first_words = frozenset(key[0] for key in self._lexicon)
        # phrase -> the subjects it is decisive evidence for
        self._decisive_for = {
            phrase: frozenset(subject for subject, weight in entries if weight >= DECISIVE_WEIGHT)
            for phrase, entries in self._lexicon.items()
        }

    @classmethod
    def from_settings(cls, settings: TaxonomySettings | None = None) -> "SectorTagger":
        """The bundled taxonomy with the config's additions; naming a rival subject there makes it a sector."""
        taxonomy = bundled_taxonomy()
        configured = settings.sectors if settings else {}
        promoted = {rival_id: rival for rival_id, rival in taxonomy.rivals.items() if rival_id in configured}
        rivals = {rival_id: rival for rival_id, rival in taxonomy.rivals.items() if rival_id not in configured}
        return cls(extend({**taxonomy.sectors, **promoted}, settings), taxonomy.ignore, rivals)

    def _phrases(self, words: list[str]) -> list[tuple[int, tuple[str, ...]]]:
        """(position, phrase) for each longest match, left to right."""
        lexicon = self._lexicon
        starts = self._first_words
        phrase_sizes = self._phrase_sizes
        last = len(words) - 1
        found = []
        free_from = 0
        for position in [index for index, word in enumerate(words) if word in starts]:
            if position < free_from:
                continue  # inside the phrase matched before
            word = words[position]
            phrase = (word,)
            if position < last and word in phrase_sizes:
                for size in phrase_sizes[word].get(words[position + 1], ()):
                    candidate = tuple(words[position : position + size])
                    if candidate in lexicon:
                        phrase = candidate
                        break
            if phrase in lexicon:
                found.append((position, phrase))
                free_from = position + len(phrase)
        return found

    def scores(self, title: str, text: str, language: str | None = None) -> dict[str, float]:
        """Evidence per sector, for every sector with any core evidence."""
        scores = self._evidence(title, text, language).scores
        return {subject: score for subject, score in scores.items() if subject in self.sectors}

    def _evidence(self, title: str, text: str, language: str | None) -> "Evidence":
        """Evidence per sector and rival subject."""
        best: dict[tuple[str, ...], float] = {}
        repeats: dict[tuple[str, ...], int] = {}
        title_words = tokens(title)
        body = tokens(text)
        share = OTHER_LANGUAGE_SHARE if _in_another_language(language, title_words, body) else 1.0
        for words, factor_at in ((title_words, lambda _: TITLE_FACTOR), (body, _text_factor)):
            for position, phrase in self._phrases(words):
                factor = factor_at(position)
                if phrase in best:
                    repeats[phrase] = repeats.get(phrase, 0) + 1
                    best[phrase] = max(best[phrase], factor)
                else:
                    best[phrase] = factor
        long_text = len(body) > SHORT_TEXT_TOKENS
        core: dict[str, float] = {}
        support: dict[str, float] = {}
        for phrase, factor in best.items():
            extra = REPEAT_SHARE * min(repeats.get(phrase, 0), MAX_REPEATS)
            for sector_id, weight in self._lexicon[phrase]:
                evidence = core if _is_core(weight, factor, long_text) else support
                evidence[sector_id] = evidence.get(sector_id, 0.0) + share * weight * (factor + extra)
        # supporting words ("prices", "exports") only strengthen a sector the article is already about
        scores = {
            sector: score + min(support.get(sector, 0.0), SUPPORT_SHARE * score) for sector, score in core.items()
        }
        if not long_text:
            return Evidence(scores, None)
        return Evidence(scores, frozenset().union(*(self._decisive_for[phrase] for phrase in best)))

    def tag(self, title: str, text: str, language: str | None = None) -> list[str]:
        """Sector ids, strongest first, of a text in the language its source declares (None: not said)."""
        evidence = self._evidence(title, text, language)
        sectors = {subject: score for subject, score in evidence.scores.items() if subject in self.sectors}
        if not sectors:
            return []
        rival = max((score for subject, score in evidence.scores.items() if subject not in sectors), default=0.0)
        rival_floor = RELATIVE_THRESHOLD * RIVAL_FACTOR * rival
        floor = max(RELATIVE_THRESHOLD * max(sectors.values()), rival_floor)
        needed = threshold(len(title) + len(text))
        undecided = any(floor <= score < needed for score in sectors.values())
        beside = {sector for sector, score in sectors.items() if rival_floor <= score < floor and self.sectors[sector].beside_others}
        headline = self._evidence(title, "", language).scores if beside or (needed > THRESHOLD and undecided) else {}
        chosen = [
            sector
            for sector, score in sectors.items()
            if (score >= floor or (sector in beside and headline.get(sector, 0.0) >= THRESHOLD))
            and (score >= needed or headline.get(sector, 0.0) >= DECISIVE_HEADLINE)
            and (evidence.decisive is None or sector in evidence.decisive)
        ]
        return sorted(chosen, key=lambda sector: -sectors[sector])


class Evidence(NamedTuple):
    scores: dict[str, float]  # per sector and rival subject
    # In a long article, the sectors named by at least one decisive phrase. Strong but ambiguous
    # words cannot make a long article's sector on their own, even in its headline ("TRITON ENERGY
    # PRESIDENT RESIGNS" over a body that names only Triton Energy Corp). None for a short text.
    decisive: frozenset[str] | None


def threshold(characters: int) -> float:
    """The evidence a text of this size needs: a long article mentions many things in passing."""
    approximate_tokens = characters / 6
    growth = math.sqrt(max(approximate_tokens / THRESHOLD_LENGTH, 1.0))
    return THRESHOLD * min(growth, MAX_THRESHOLD_GROWTH)


def _is_core(weight: float, factor: float, long_text: bool) -> bool:
    """Whether a phrase can make a sector on its own, or only strengthens one.

    A strong but ambiguous word ("oil", "dollar", "ship") makes a sector in a headline, a short
    text or the title of a long one; deep in a long article it is as likely a passing mention,
    so there only decisive phrases ("crude oil", "central bank") make a sector.
    """
    if weight >= DECISIVE_WEIGHT:
        return True
    return weight >= CORE_WEIGHT and (not long_text or factor >= TITLE_FACTOR)


def _in_another_language(language: str | None, title_words: list[str], body: list[str]) -> bool:
    """Whether the source declares a language other than English ("pt-PT", "de") for a text that does not
    read as English: sources declare one language for a whole feed, and some declare the wrong one."""
    if not language or language.strip().lower().startswith("en"):
        return False
    return len(ENGLISH_WORDS.intersection([*title_words, *body])) < ENGLISH_WORDS_NEEDED


def _text_factor(position: int) -> float:
    return LEAD_FACTOR if position < LEAD_TOKENS else 1.0
