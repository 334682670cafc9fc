"""Which instant subscriptions a new article matches, fast enough for 100,000 of them.

Subscriptions are indexed by what they name: a sector, a country (a region subscription is
filed under each member country, the region itself and the regions inside it), or the first word of a
query (of each way it can match, when it names something with equivalents, such as "AI"). An
article then looks up only its own tags and words, never every subscription. Words queries read
like searches: a "quoted phrase" must stand as written, a word after "-" must not appear. A
subscription to several sectors and places ("news") is filed under the first, and an article found
there must also be on the others and have its words.
"""

from __future__ import annotations

import itertools
from array import array
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable

from content.model import Article
from bot.subscriptions.store import combined_parts
from content.store.fulltext import name_words, search_terms
from content.store.words import english_stems


def _roots(text: str) -> tuple[str, ...]:
    """The words of the text as the search index holds them: folded, English words by their stems."""
    return tuple(name_words(english_stems(text)))


Item = tuple[str, ...]  # the roots of a word, or of several words that must stand together in this order


class ArticleWords:
    """The word roots of an article's title, summary, text and code, to look words and phrases up in, as
    the search indexes hold them."""

    def __init__(self, article: Article):
        columns = [_roots(column) for column in (article.title, article.summary, article.text, article.code)]
        self.roots = frozenset(root for roots in columns for root in roots)
        # two spaces between columns, as the indexes keep them apart: a phrase does not run from one into the next
        self._joined = f" {'  '.join(' '.join(roots) for roots in columns)} "

    def __contains__(self, item: Item) -> bool:
        if item[0] not in self.roots:
            return False
        return len(item) == 1 or f" {' '.join(item)} " in self._joined


@dataclass(frozen=True)
class WordQuery:
    """A words subscription: the ways it can match, each the items an article must all contain ("AI
    farms" is "ai", "farm" or "artificial intelligence", "farm"), and the items it must not contain."""

    ways: tuple[tuple[Item, ...], ...]
    excluded: tuple[Item, ...]

    @classmethod
    def of(cls, text: str) -> "WordQuery":
        terms = search_terms(text)
        choices = [[_roots(name) for name in term] for term in terms.required]
        ways = tuple(tuple(dict.fromkeys(items)) for items in itertools.product(*choices)) if choices else ()
        return cls(ways, tuple(_roots(name) for term in terms.excluded for name in term))

    def matches(self, words: ArticleWords) -> bool:
        if not self.ways:  # only words to leave out: a combined subscription's topics say what to find
            return not any(item in words for item in self.excluded)
        return any(self.matches_way(way, words) for way in self.ways)

    def matches_way(self, way: tuple[Item, ...], words: ArticleWords) -> bool:
        return all(item in words for item in way) and not any(item in words for item in self.excluded)


class SubscriptionIndex:
    def __init__(self, rows: Iterable, region_scope: Callable[[str], tuple[frozenset[str], frozenset[str]]]):
        """`rows`: (target id, kind, value, the store position it starts after) of instant subscriptions;
        `region_scope`: a region's member countries and the regions inside it (content.tagging's)."""
        self._targets = array("q")
        self._starts = array("q")
        self._by_sector: dict[str, list[int]] = defaultdict(list)
        self._by_place: dict[str, list[int]] = defaultdict(list)
        self._by_word: dict[str, list[tuple[int, WordQuery, tuple[Item, ...]]]] = defaultdict(list)
        self._combined: dict[int, CombinedCheck] = {}  # the slots of "news" subscriptions
        self._region_scope = region_scope
        for target_id, kind, value, start in rows:
            slot = len(self._targets)
            self._targets.append(target_id)
            self._starts.append(start)
            if kind == "news":
                topics, words = combined_parts(value)
                self._file(slot, *topics[0])
                self._combined[slot] = CombinedCheck.of(topics[1:], words, region_scope)
            elif kind in ("sector", "country", "region"):
                self._file(slot, kind, value)
            else:
                query = WordQuery.of(value)
                for way in query.ways:  # filed under the first word it needs
                    self._by_word[way[0][0]].append((slot, query, way))

    def _file(self, slot: int, kind: str, value: str) -> None:
        if kind == "sector":
            self._by_sector[value].append(slot)
        else:
            for place in _places(kind, value, self._region_scope):
                self._by_place[place].append(slot)

    def __len__(self) -> int:
        return len(self._targets)

    def targets_for(self, article: Article, seq: int) -> list[int]:
        """Target ids of the subscriptions this article, stored at position `seq`, matches and that
        existed when it was stored."""
        slots: set[int] = set()
        for sector in article.sectors:
            slots.update(self._by_sector.get(sector, ()))
        for country in article.countries:
            slots.update(self._by_place.get(country, ()))
        for region in article.regions:
            slots.update(self._by_place.get("region:" + region, ()))
        if self._by_word:
            slots.update(self._text_matches(article))
        if self._combined:
            slots = self._without_partial_matches(slots, article)
        return list({self._targets[slot] for slot in slots if self._starts[slot] < seq})

    def _without_partial_matches(self, slots: set[int], article: Article) -> set[int]:
        """The slots, less the combined subscriptions the article meets only in part."""
        combined = [self._combined[slot] for slot in slots if slot in self._combined]
        if not combined:
            return slots
        tags = {f"sector:{sector}" for sector in article.sectors} | set(article.countries)
        tags |= {f"region:{region}" for region in article.regions}
        words = ArticleWords(article) if any(check.words for check in combined) else None
        return {slot for slot in slots if slot not in self._combined or self._combined[slot].met(tags, words)}

    def _text_matches(self, article: Article) -> Iterable[int]:
        words = ArticleWords(article)
        for root in words.roots:
            for slot, query, way in self._by_word.get(root, ()):
                if query.matches_way(way, words):
                    yield slot


@dataclass(frozen=True)
class CombinedCheck:
    """What an article filed under a combined subscription's first topic must also have."""

    others: tuple[frozenset[str], ...]  # for each other topic, the article tags any one of which is on it
    words: WordQuery | None

    @classmethod
    def of(cls, topics: list[tuple[str, str]], words: str, region_scope) -> "CombinedCheck":
        others = tuple(
            frozenset({f"sector:{value}"} if kind == "sector" else _places(kind, value, region_scope))
            for kind, value in topics
        )
        return cls(others, WordQuery.of(words) if words else None)

    def met(self, tags: set[str], words: ArticleWords | None) -> bool:
        return all(tags & other for other in self.others) and (self.words is None or self.words.matches(words))


def _places(kind: str, value: str, region_scope) -> tuple[str, ...]:
    """The index keys of a country, or of a region: its member countries, itself and the regions inside it."""
    if kind == "country":
        return (value,)
    countries, regions = region_scope(value)
    return (*countries, *("region:" + region for region in regions | {value}))
