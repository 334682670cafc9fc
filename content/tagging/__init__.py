"""Sector and country/region tagging, and resolving people's words to ids.

`Tagger` is the one object the rest of newsbot uses: sectors come from `sectors.py` and the
taxonomy (extended by the config), countries and regions from `places.py`.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from content.settings import TaxonomySettings
from content.tagging.places import PlaceTagger, countries_in_region, non_country_phrases, place_name, region_scope
from content.tagging.resolution import Match, Resolution
from content.tagging.sectors import SectorTagger, bundled_taxonomy, tokens

SECTORS: dict[str, str] = {sector.id: sector.name for sector in bundled_taxonomy()[0].values()}
"""Display names of the bundled sectors, by id."""

_CONFIDENT = 90.0  # a _name_score at or above which one candidate is taken as meant
_SUGGEST = 60.0
_SHORTEST_ABBREVIATION = 3
_MAX_SUGGESTIONS = 3
ALIAS_WEIGHT = 2.0  # taxonomy keywords this strong, owned by one sector, resolve to it ("oil" -> energy)
# Names people type for a sector, too short or too general to tag an article by ("IT" in an article may be "it")
_TYPED_NAMES = {"technology": ("IT", "ICT"), "finance": ("financial services",), "agriculture": ("Ag",)}

__all__ = [
    "SECTORS",
    "Match",
    "Resolution",
    "Tagger",
    "countries_in_region",
    "non_country_phrases",
    "place_name",
    "region_scope",
]


def _name_score(key: str, name: str, *, abbreviated: bool = True, **_: object) -> float:
    """How near typed words come to a sector's name: a typo ("enrgy"), the start of the name
    ("agri", "tech") unless not `abbreviated`, or its words in another order come near; a word
    inside another ("sport" in "transport") does not."""
    if abbreviated and len(key) >= _SHORTEST_ABBREVIATION and name.startswith(key):
        return _CONFIDENT
    return max(fuzz.ratio(key, name), fuzz.token_sort_ratio(key, name))  # "logistics and transport"


def _fold(words: str) -> str:
    """What people type, compared as the tagger reads text: lower case, no accents, punctuation or
    plural "s", and a plural in "-ies" read as its "-y" ("energies" is "energy")."""
    return " ".join(token[:-2] + "y" if token.endswith("ie") else token for token in tokens(words))


class Tagger:
    """Tags articles with sectors and places, and resolves a person's words to a sector or place."""

    def __init__(self, sector_tagger: SectorTagger, place_tagger: PlaceTagger | None = None) -> None:
        self._sector_tagger = sector_tagger
        self._place_tagger = place_tagger
        weights = self._keyword_weights()
        self._sector_names = {  # folded id or display name -> sector id
            _fold(name): sector.id
            for sector in sector_tagger.sectors.values()
            for name in (
                sector.id, sector.id.replace("_", " "), sector.name, sector.name.replace("&", "and"),
                *_TYPED_NAMES.get(sector.id, ()),
            )
        }
        self._sector_keys = {**self._telling_keywords(weights), **self._sector_names}
        self._keyword_sectors = {
            keyword: sorted(owners, key=lambda sector_id: -owners[sector_id]) for keyword, owners in weights.items()
        }

    @classmethod
    def from_settings(cls, settings: TaxonomySettings | None = None) -> "Tagger":
        return cls(SectorTagger.from_settings(settings))

    @property
    def _places(self) -> PlaceTagger:
        if self._place_tagger is None:  # the gazetteer is built on first use
            self._place_tagger = PlaceTagger()
        return self._place_tagger

    def sector_names(self) -> dict[str, str]:
        return {sector.id: sector.name for sector in self._sector_tagger.sectors.values()}

    def sectors(self, title: str, text: str, language: str | None = None) -> list[str]:
        """Sector ids the article is about, strongest first; `language` is the one its source declares."""
        return self._sector_tagger.tag(title, text, language)

    def places(self, title: str, text: str) -> tuple[list[str], list[str]]:
        """(countries as ISO alpha-2 codes, region ids)."""
        return self._places.tag(title, text)

    def _keyword_weights(self) -> dict[str, dict[str, float]]:
        """Folded taxonomy keyword -> its weight for each sector it is evidence for."""
        weights: dict[str, dict[str, float]] = {}
        for sector in self._sector_tagger.sectors.values():
            for phrase, weight in sector.terms.items():
                owners = weights.setdefault(_fold(phrase), {})
                owners[sector.id] = max(weight, owners.get(sector.id, 0.0))
        return weights

    @staticmethod
    def _telling_keywords(weights: dict[str, dict[str, float]]) -> dict[str, str]:
        """Folded keyword strong enough to stand for one sector ("ai", "oil") -> sector id."""
        keys = {}
        for keyword, owners in weights.items():
            strong = [sector_id for sector_id, weight in owners.items() if weight >= ALIAS_WEIGHT]
            if len(strong) == 1:
                keys[keyword] = strong[0]
        return keys

    def _sector_match(self, sector_id: str, score: float = 100.0) -> Match:
        return Match("sector", sector_id, self._sector_tagger.sectors[sector_id].name, score)

    def is_sector_keyword(self, words: str) -> bool:
        """Whether the words are a keyword standing for a sector ("grid", "oil"), not its id or name ("energy")."""
        key = _fold(words)
        return key in self._sector_keys and key not in self._sector_names

    def resolve_sector(self, words: str, abbreviated: bool = True) -> Resolution:
        """A sector id, name or telling keyword, any case or accents, with suggestions for near misses;
        `abbreviated`: the start of a name ("agri") names it too."""
        key = _fold(words)
        if not key:
            return Resolution(None)
        if key in self._sector_keys:
            return Resolution(self._sector_match(self._sector_keys[key]))
        names = [_fold(name) for sector in self._sector_tagger.sectors.values() for name in (sector.id, sector.name)]
        ranked = process.extract(
            key, names, scorer=_name_score, limit=None, score_cutoff=_SUGGEST, scorer_kwargs={"abbreviated": abbreviated}
        )
        near_names: dict[str, Match] = {}
        for candidate, score, _ in ranked:
            sector_id = self._sector_keys[candidate]
            if sector_id not in near_names:
                near_names[sector_id] = self._sector_match(sector_id, score)
        ordered = tuple(near_names.values())[:_MAX_SUGGESTIONS]
        if ordered and ordered[0].score >= _CONFIDENT and (len(ordered) == 1 or ordered[1].score < _CONFIDENT):
            return Resolution(ordered[0], ordered[1:])
        # a keyword too weak or too shared to stand for a sector ("banks", "power") suggests its sectors first
        suggestions = {sector_id: self._sector_match(sector_id, _SUGGEST) for sector_id in self._keyword_sectors.get(key, ())}
        suggestions.update({sector_id: match for sector_id, match in near_names.items() if sector_id not in suggestions})
        return Resolution(None, tuple(suggestions.values())[:_MAX_SUGGESTIONS])

    def resolve_place(self, words: str) -> Resolution:
        """A country or region by code, name, demonym, city or a near miss (see `places.PlaceTagger.resolve`);
        a city's name that is also a sector's word ("silicon valley") is no country."""
        return self._places.resolve(words, cities=not self._is_sector_word(words))

    def _is_sector_word(self, words: str) -> bool:
        key = _fold(words)
        return key in self._sector_keys or key in self._keyword_sectors

    def is_place_name(self, words: str) -> bool:
        """The words are a name the gazetteer lists for a place ("UK", "EU", "Kenyan"), not only an ISO code ("AI")."""
        return self._places.is_name(words)

