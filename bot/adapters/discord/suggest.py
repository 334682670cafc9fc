"""Autocomplete for sector and country/region names, with article counts in the labels, and for the
subscriptions of the channel asked in.

Platform-neutral (no discord import): `build_suggest(store, tagger)` gives the `suggest(kind, partial,
chat)` callable the Discord adapter takes; kind is "sector", "place" or "subscription". Names that
start with what was typed come first, then names with a word starting with it, then names containing
it; the resolver adds what plain matching misses (ISO codes, demonyms, typos). Ties go to the name with
more articles. A subscription's choice removes exactly it, whatever its label.
"""

from __future__ import annotations

from typing import Awaitable, Callable, Literal

from bot.commands.subscriptions import removal_argument
from bot.model import Target
from bot.subscriptions.store import SubscriptionStore, topic_label
from content.tagging import place_name
from content.text import strip_accents

Suggest = Callable[[str, str, Target], Awaitable[list[tuple[str, str]]]]
SuggestKind = Literal["sector", "place", "subscription"]

MAX_SUGGESTIONS = 25


def _fold(text: str) -> str:
    return strip_accents(text.casefold()).strip()


def _rank(name: str, typed: str) -> int | None:
    """0: starts with it, 1: a word starts with it, 2: contains it; None: no match."""
    folded = _fold(name)
    if folded.startswith(typed):
        return 0
    if any(word.startswith(typed) for word in folded.replace("-", " ").split()):
        return 1
    return 2 if typed in folded else None


def label(name: str, count: int) -> str:
    return f"{name} ({count} article{'' if count == 1 else 's'})"


def build_suggest(store, tagger, limit: int = MAX_SUGGESTIONS) -> Suggest:
    """`suggest(kind, partial) -> [(label, value)]`: the label shows the count, the value is the name."""

    async def candidates(kind: SuggestKind) -> dict[str, int]:
        """Display name → article count: every sector; the countries and regions that have articles."""
        if kind == "sector":
            counts = await store.count_by_sector()
            return {name: counts.get(sector_id, 0) for sector_id, name in tagger.sector_names().items()}
        counts = {**await store.count_by_country(), **await store.count_by_region()}
        return {place_name(place_id): count for place_id, count in counts.items() if count > 0}

    def resolved_names(kind: SuggestKind, typed: str) -> list[str]:
        resolution = tagger.resolve_sector(typed) if kind == "sector" else tagger.resolve_place(typed)
        matches = ([resolution.match] if resolution.match else []) + list(resolution.suggestions)
        return [match.name for match in matches]

    async def subscribed(partial: str, chat: Target) -> list[tuple[str, str]]:
        """The chat's subscriptions that match what was typed, then "all" when there are several."""
        typed = _fold(partial)
        choices = []
        current = await SubscriptionStore(store.engine).for_target(chat)
        for subscription in current:
            name = topic_label(subscription.kind, subscription.value, tagger)
            if _rank(name, typed) is not None:
                choices.append((f"{name} ({subscription.cadence})", removal_argument(subscription)))
        if len(current) > 1 and "all".startswith(typed):  # however few labels hold what was typed ("al")
            choices = choices[: limit - 1] + [("All of them", "all")]
        return choices[:limit]

    async def suggest(kind: SuggestKind, partial: str, chat: Target) -> list[tuple[str, str]]:
        if kind == "subscription":
            return await subscribed(partial, chat)
        if kind not in ("sector", "place"):
            raise ValueError(f"unknown suggestion kind {kind!r}")
        counts = await candidates(kind)
        typed = _fold(partial)
        ranked: dict[str, tuple[int, int]] = {}
        for name, count in counts.items():
            rank = _rank(name, typed) if typed else 0
            if rank is not None:
                ranked[name] = (rank, -count)
        if typed:
            for name in resolved_names(kind, partial):
                ranked.setdefault(name, (3, -counts.get(name, 0)))
        ordered = sorted(ranked, key=lambda name: (*ranked[name], name))
        return [(label(name, counts.get(name, 0)), name) for name in ordered[:limit]]

    return suggest
