"""Which instant subscriptions a new article matches, fast enough for 100,000 of them.

Subscriptions are indexed by what they name: a sector, a country (a region subscription is
filed under each member country and under the region itself), or the first word of a
query (of each way it can match, when it names something with equivalents, such as "AI"). An
article then looks up only its own tags and words, never every subscription.
"""

from __future__ import annotations

import itertools
import re
from array import array
from collections import defaultdict
from typing import Callable, Iterable

from content.model import Article
from content.store.fulltext import EQUIVALENT_NAMES, search_terms

_SUFFIXES = ("ies", "es", "s", "ing", "ed")
_WORD = re.compile(r"\w+")


def word_root(word: str) -> str:
    """A crude stem so "grids" matches "grid" (the store's full-text search stems the same way, more carefully)."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _roots(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(word_root(word) for word in words)


# A name of several words counts as one item of an article's words, found only where its words stand together.
_LONG_NAMES = {_roots(name.split()): name for group in EQUIVALENT_NAMES for name in group if " " in name}
_LONG_NAME_SIZES = sorted({len(roots) for roots in _LONG_NAMES})


def query_roots(text: str) -> list[tuple[str, ...]]:
    """The ways a query can match, each the items an article must all contain: word roots, and names of
    several words ("AI farms" is "ai", "farm" or "artificial intelligence", "farm"); empty when nothing
    searchable is left."""
    terms = [[name if " " in name else word_root(name) for name in term] for term in search_terms(text)]
    return [tuple(dict.fromkeys(items)) for items in itertools.product(*terms)] if terms else []


def article_words(article: Article) -> set[str]:
    """The word roots of an article's title, summary and text, and the names of several words it uses."""
    roots = _roots(_WORD.findall(f"{article.title} {article.summary} {article.text}".casefold()))
    words = set(roots)
    for size in _LONG_NAME_SIZES:
        for start in range(len(roots) - size + 1):
            if name := _LONG_NAMES.get(roots[start : start + size]):
                words.add(name)
    return words


class SubscriptionIndex:
    def __init__(self, rows: Iterable, countries_in_region: Callable[[str], frozenset[str]]):
        """`rows`: (target id, kind, value, created_at seconds) of instant subscriptions."""
        self._targets = array("q")
        self._created = array("d")
        self._by_sector: dict[str, list[int]] = defaultdict(list)
        self._by_place: dict[str, list[int]] = defaultdict(list)
        self._by_word: dict[str, list[tuple[int, tuple[str, ...]]]] = defaultdict(list)
        for target_id, kind, value, created_at in rows:
            slot = len(self._targets)
            self._targets.append(target_id)
            self._created.append(created_at)
            if kind == "sector":
                self._by_sector[value].append(slot)
            elif kind == "country":
                self._by_place[value].append(slot)
            elif kind == "region":
                self._by_place["region:" + value].append(slot)
                for country in countries_in_region(value):
                    self._by_place[country].append(slot)
            else:
                for roots in query_roots(value):
                    self._by_word[roots[0]].append((slot, roots[1:]))

    def __len__(self) -> int:
        return len(self._targets)

    def targets_for(self, article: Article) -> list[int]:
        """Target ids of the subscriptions this article matches and that existed when it was fetched."""
        slots: set[int] = set()
        for sector in article.sectors:
            slots.update(self._by_sector.get(sector, ()))
        for country in article.countries:
            slots.update(self._by_place.get(country, ()))
        for region in article.regions:
            slots.update(self._by_place.get("region:" + region, ()))
        if self._by_word:
            slots.update(self._text_matches(article))
        fetched = article.fetched.timestamp()
        return list({self._targets[slot] for slot in slots if self._created[slot] < fetched})

    def _text_matches(self, article: Article) -> Iterable[int]:
        words = article_words(article)
        for word in words:
            for slot, rest in self._by_word.get(word, ()):
                if all(root in words for root in rest):
                    yield slot
