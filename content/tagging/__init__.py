"""Sector and country/region tagging, and resolving people's words to ids.

Placeholder until the taggers land: exact ids only, no tags. The interface is what
the rest of newsbot codes against.
"""

from __future__ import annotations

from content.settings import TaxonomySettings
from content.tagging.resolution import Match, Resolution

SECTORS = {
    "technology": "Technology",
    "energy": "Energy",
    "agriculture": "Agriculture",
    "education": "Education",
    "health": "Health",
    "transport": "Transport & logistics",
    "manufacturing": "Manufacturing",
    "mining": "Mining",
    "finance": "Finance",
    "trade": "Trade",
    "environment": "Environment",
}


class Tagger:
    def __init__(self, sectors: dict[str, str]):
        self._sectors = sectors

    @classmethod
    def from_settings(cls, settings: TaxonomySettings | None = None) -> "Tagger":
        sectors = dict(SECTORS)
        for sector_id, extension in (settings.sectors if settings else {}).items():
            sectors[sector_id] = extension.name or sectors.get(sector_id, sector_id.title())
        return cls(sectors)

    def sector_names(self) -> dict[str, str]:
        return dict(self._sectors)

    def sectors(self, title: str, text: str) -> list[str]:
        return []

    def places(self, title: str, text: str) -> tuple[list[str], list[str]]:
        """(countries as ISO alpha-2 codes, region ids)."""
        return [], []

    def resolve_sector(self, words: str) -> Resolution:
        key = words.strip().lower()
        if key in self._sectors:
            return Resolution(Match("sector", key, self._sectors[key]))
        return Resolution(None)

    def resolve_place(self, words: str) -> Resolution:
        key = words.strip().upper()
        if len(key) == 2 and key.isalpha():
            return Resolution(Match("country", key, key))
        return Resolution(None)


def countries_in_region(region_id: str) -> frozenset[str]:
    """ISO alpha-2 codes of the region's member countries (empty for an unknown region)."""
    return frozenset()


def place_name(place_id: str) -> str:
    """Display name of a country code or region id."""
    return place_id
