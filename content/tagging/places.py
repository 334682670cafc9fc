"""Which countries and regions a news story is about, and which place people mean.

The reference data is hand-kept: `data/gazetteer.yaml` (aliases, demonyms, cities and
institutions per country, on top of pycountry's ISO 3166-1 names, and Kosovo, which ISO leaves
out, by its user-assigned code XK) and `data/regions.yaml`
(UN M49 regions and common groupings). Both load once into an immutable `Gazetteer`.

Tagging runs one regex, compiled from every known phrase as a character trie, over the
lower-cased text, so an article costs one pass whatever the size of the gazetteer. At
each position the longest known phrase wins, which is how "South China Sea", "New Mexico"
and "Papua New Guinea" keep "China", "Mexico" and "Guinea" from matching. Every match is
evidence with a weight (a name counts more than a demonym, a demonym more than a city;
the dateline and the title count most); a country is tagged when its evidence clears an
absolute threshold and is not dwarfed by the story's main country. Regions are tagged
only when the text names them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import NamedTuple

import pycountry
import yaml
from rapidfuzz import fuzz, process

from content.tagging.resolution import Match, Resolution
from content.text import strip_accents

# Evidence weights per kind of phrase. A dateline place is the strongest single sign.
KIND_WEIGHTS = {"name": 1.0, "demonym": 0.7, "marker": 0.7, "state": 0.6, "city": 0.5, "weak": 0.25}
DATELINE_WEIGHT = 3.0
TITLE_FACTOR = 2.5
LEAD_FACTOR = 1.8  # a country named in the opening words counts on its own
LEAD_CHARS = 150
REPEAT_FACTOR = 0.5  # each further mention of a country adds half its weight
MIN_SCORE = 1.7
MIN_SHARE_OF_TOP = 0.3

# Capitalised words that may stand before a place without making it part of a person's name.
_LEADING_WORDS = frozenset(
    "in the to from and of for with by on at as but or into across neighbouring neighboring northern southern "
    "eastern western central rebel war-torn landlocked said says visit visited both while".split()
)
_WORD = re.compile(r"[^\W\d_]+")
_KEY_WORD = re.compile(r"[^\W_]+")  # a name's figures are part of it: "G7", "G-20", "Group of 20"
_BETWEEN_KEY_WORDS = r"[\W_]+"
# A flag emoji is its country's two letters written in "regional indicator" symbols: 🇰🇪 is K E.
_FLAG_LETTERS = str.maketrans({0x1F1E6 + index: chr(ord("A") + index) for index in range(26)})
_POSSESSIVE_END = re.compile(r"['\u2019]s\s*$", re.IGNORECASE)  # "UAE's" is the UAE
_LEADING_THE = re.compile(r"^(?i:the)\s+")
_SEPARATORS = re.compile(_BETWEEN_KEY_WORDS)
_NEXT_WORD = re.compile(r" ([^\W\d_]+)")
# A title before a name makes it a person's: "Mr Hague", "Mrs. Jordan" ("DR Congo", in capitals, is a country)
_TITLE_BEFORE = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Sir|Lord|Lady|Dame)\.? $")
_COMMA_BETWEEN = re.compile(r",\s*(?:the\s+)?", re.IGNORECASE)
_LIST_GOES_ON = re.compile(r",?\s*(?:and|or|&)\b", re.IGNORECASE)
# A country that places the town before it ends there ("Perth, Scotland, reopened"); one that goes on
# starts a clause of its own: "In Kyiv, Russian drones…", "In Geneva, Iran's envoy…", "Iran-backed".
_PLACE_ENDS = re.compile(r"\s*(?:$|[,.;:!?()\[\]]|[-\u2013\u2014](?:\s|$))")
_PREVIOUS_WORD = re.compile(r"([^\W\d_]+) $")
_WORD_BEFORE = re.compile(r"([^\W\d_]+)$")
# "NAIROBI -", "SAN JOSE, Calif., March 3 -", "BANGKOK (Reuters) -", "NEW DELHI:"; in mixed case only
# with a date or an agency ("London, March 12 -", "Nairobi (AFP) -"), so an ordinary first sentence
# is never taken for a dateline.
_DATELINE_STATE = r"(?:,\s*(?:the )?[A-Z][\w.]*(?: [A-Z][\w.]*)?)?"  # ", Calif." or ", the Netherlands"
_DATELINE_DATE = r",\s*(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[A-Za-z]*\.?\s+\d{1,2}"
_DATELINE_AGENCY = r"\s*\([^()]{1,30}\)"
_DATELINE_DASH = r"\s*(?:-{1,2}|\u2013|\u2014)\s"
_DATELINE_MIXED_CASE = r"[A-Z][\w.'\-]*(?: [A-Z][\w.'\-]*){0,3}" + _DATELINE_STATE
_DATELINE = re.compile(
    r"\s*(?:[A-Z][A-Z.'\-]*(?: [A-Z][A-Z.'\-]*){0,3}" + _DATELINE_STATE + f"(?:{_DATELINE_DATE})?(?:{_DATELINE_AGENCY})?"
    + f"(?:{_DATELINE_DASH}|:\\s)"
    + f"|{_DATELINE_MIXED_CASE}(?:{_DATELINE_DATE}(?:{_DATELINE_AGENCY})?|{_DATELINE_AGENCY})"
    + _DATELINE_DASH + ")"
)


def _lower(text: str) -> str:
    """Lower case with every character keeping its position (so spans map back to `text`)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(char if len(char.lower()) != 1 else char.lower() for char in text)


def _key(words: str) -> tuple[str, ...]:
    tokens = tuple(word.lower() for word in _KEY_WORD.findall(strip_accents(words)))
    return tokens[1:] if len(tokens) > 1 and tokens[0] == "the" else tokens


def _trie_pattern(keys) -> str:
    """One regex for many phrases: a character trie, so matching costs one pass over the text.

    Keys are lower-case words joined by single spaces; in the text any run of characters that are
    neither letters nor figures may separate them ("U.S.", "Guinea-Bissau", "G-20"). Optional tails
    come first, so the longest phrase at a position wins.
    """
    trie: dict = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [(_BETWEEN_KEY_WORDS if char == " " else re.escape(char)) + emit(child)
                    for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


def _first_letter_lookahead(keys) -> str:
    """A lookahead for the letters keys start with. \\b also holds at every word's end, where the
    trie would try each of its first letters in turn: the lookahead turns those positions away at
    once (an eighth of the pattern's time on the ingest bench's texts)."""
    return "(?=[" + "".join(sorted({re.escape(key[0]) for key in keys})) + "])"


def _case_rule(written: str) -> str:
    letters = "".join(char for char in written if char.isalpha())
    if letters.isupper() and len(letters) <= 6:
        return "acronym"  # US, U.S., UAE: only in capitals, never the pronoun "us"
    return "proper" if letters[:1].isupper() else "any"


@dataclass(frozen=True)
class Phrase:
    """A known phrase and what it is evidence for ("" for a phrase that names no place)."""

    tokens: tuple[str, ...]
    place: str
    kind: str  # name, demonym, city, marker, weak, state, region, not-place, person, historical, homonym
    case: str  # acronym, proper or any


@dataclass(frozen=True)
class Gazetteer:
    """The static place data, loaded once."""

    phrases: dict[str, Phrase]  # words joined by spaces -> phrase
    phrase_pattern: re.Pattern
    states_after_comma: dict[str, tuple[str, bool]]  # state words -> (country, also names something else)
    comma_state_pattern: re.Pattern
    personal_names: frozenset[str]  # one-word place names that are also people's
    # city words a headline uses for more than the city: an institution there ("Brussels": the EU), a common word
    # it capitalises ("a Mecca for"), a person as often ("Hamilton wins")
    standing_for_more: frozenset[str]
    country_names: dict[str, str]
    region_names: dict[str, str]
    region_members: dict[str, frozenset[str]]
    regions_by_country: dict[str, tuple[str, ...]]
    regions_within: dict[str, frozenset[str]]  # region id -> it and the regions wholly inside it
    typed_cities: dict[str, tuple[str, ...]]  # city words -> the countries people typing them may mean
    shared_names: dict[str, tuple[str, ...]]  # country words -> the countries people typing them may mean
    resolver_keys: dict[str, tuple[str, str]] = field(repr=False)  # normalized words -> (kind, id)


def _load_yaml(name: str) -> dict:
    text = resources.files("content.tagging").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # the C loader is 10x faster


def _pycountry_names(country) -> list[str]:
    names = []
    for attribute in ("name", "official_name", "common_name"):
        value = getattr(country, attribute, None)
        if not value:
            continue
        names.append(value)
        if "(" in value:  # "Falkland Islands (Malvinas)" -> both parts
            outside, inside = value.split("(", 1)
            names += [outside.strip(), inside.rstrip(")").strip()]
        if "," in value:  # "Korea, Republic of" -> "Republic of Korea"
            head, tail = (part.strip() for part in value.split(",", 1))
            names.append(f"{tail} {head}")
    return names


def _display_name(country, overrides: dict) -> str:
    return overrides.get("display") or getattr(country, "common_name", None) or country.name


def _region_members(regions: dict) -> dict[str, frozenset[str]]:
    @cache
    def members(region_id: str) -> frozenset[str]:
        spec = regions[region_id]
        codes = set(spec.get("members", ()))
        for part in spec.get("parts", ()):
            codes |= members(part)
        return frozenset(codes)

    return {region_id: members(region_id) for region_id in regions}


class _PhraseTable:
    """Collects phrases; hand-kept entries replace pycountry's, conflicts in hand data are errors."""

    def __init__(self) -> None:
        self.phrases: dict[tuple[str, ...], Phrase] = {}
        self._hand_kept: set[tuple[str, ...]] = set()

    def add(self, written: str, place: str, kind: str, hand_kept: bool = True) -> None:
        tokens = _key(written)
        if not tokens:
            return
        existing = self.phrases.get(tokens)
        if existing and hand_kept and tokens in self._hand_kept and existing.place != place:
            raise ValueError(f"gazetteer: {written!r} is listed for both {existing.place} and {place}")
        if existing and not hand_kept and tokens in self._hand_kept:
            return
        self.phrases[tokens] = Phrase(tokens, place, kind, _case_rule(_LEADING_THE.sub("", written)))
        if hand_kept:
            self._hand_kept.add(tokens)

    def by_words(self) -> dict[str, Phrase]:
        return {" ".join(tokens): phrase for tokens, phrase in self.phrases.items()}


def _phrase_key(written: str) -> str:
    """The lookup key of a phrase: its words in lower case, joined by single spaces."""
    return " ".join(_key(written))


def _add_iso_country_phrases(table: _PhraseTable, resolver_keys: dict, hand_countries: dict) -> dict[str, str]:
    """Adds pycountry's names of every country; returns the display name per country code."""
    country_names = {}
    for country in pycountry.countries:
        code = country.alpha_2
        country_names[code] = _display_name(country, hand_countries.get(code, {}))
        for written in _pycountry_names(country):
            table.add(written, code, "name", hand_kept=False)
            resolver_keys.setdefault(_phrase_key(written), ("country", code))
    return country_names


def _add_hand_kept_country_phrases(table: _PhraseTable, resolver_keys: dict, hand_countries: dict,
                                   country_names: dict[str, str]) -> None:
    """Adds the gazetteer's names, demonyms, cities, markers and weak signs of each country."""
    for code, spec in hand_countries.items():
        if code not in country_names:
            raise ValueError(f"gazetteer: {code} is neither an ISO 3166-1 alpha-2 code nor in user_assigned_codes")
        for kind, plural in (("name", "names"), ("demonym", "demonyms"), ("city", "cities"),
                             ("marker", "markers"), ("weak", "weak")):
            for written in spec.get(plural, ()):
                table.add(written, code, kind)
                if kind in ("name", "demonym"):
                    resolver_keys[_phrase_key(written)] = ("country", code)


def _add_state_and_non_country_phrases(table: _PhraseTable, gazetteer_data: dict) -> None:
    """Adds US states, phrases that name no place ("South China Sea"), well-known people's full names
    ("Jimmy Wales"), old states ("Soviet Union") and words that show a country's name means something
    else ("Thanksgiving")."""
    for written in gazetteer_data["us_states"]["names"]:
        table.add(written, "US", "state")
    for written in gazetteer_data["not_places"]:
        table.add(written, "", "not-place")
    for written in gazetteer_data["personal_names"]:
        if len(_key(written)) > 1:
            table.add(written, "", "person")
    for code, names in gazetteer_data["historical_names"].items():
        for written in names:
            table.add(written, code, "historical")
    for code, words in gazetteer_data["name_homonyms"].items():
        for written in words:
            table.add(written, code, "homonym")


def _states_after_comma(gazetteer_data: dict) -> dict[str, tuple[str, bool]]:
    """State and province words that may follow a town and a comma -> (country, also names something else)."""
    states = gazetteer_data["us_states"]
    after_comma = {_phrase_key(written): ("US", False) for written in states["names"] + states["abbreviations"]}
    after_comma.update({_phrase_key(written): ("US", True) for written in states["comma_only"]})
    for code, provinces in gazetteer_data["provinces_after_comma"].items():
        after_comma.update({_phrase_key(written): (code, False) for written in provinces})
    return after_comma


def _add_region_phrases(table: _PhraseTable, resolver_keys: dict, regions: dict) -> None:
    """Adds every region's names, and its id and typed names as words people may type."""
    for region_id, spec in regions.items():
        for written in spec["names"]:
            table.add(written, region_id, "region")
            resolver_keys[_phrase_key(written)] = ("region", region_id)
        for typed in (region_id, *spec.get("typed", ())):  # never a country's name: "micronesia" is the country FM
            resolver_keys.setdefault(_phrase_key(typed), ("region", region_id))


def _typed_cities(phrases: dict[str, Phrase], cities_elsewhere: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """City words -> the country the city is listed under, then those with a place of that name."""
    typed = {key: (phrase.place,) for key, phrase in phrases.items() if phrase.kind == "city"}
    for written, countries in cities_elsewhere.items():
        key = _phrase_key(written)
        if key not in typed:
            raise ValueError(f"gazetteer: cities_elsewhere lists {written!r}, which no country lists as a city")
        typed[key] += tuple(countries)
    return typed


def _listed_cities(phrases: dict[str, Phrase], gazetteer_data: dict, listing: str) -> frozenset[str]:
    """The keys of the cities a list of the gazetteer names, each checked to be a city it knows."""
    keys = frozenset(map(_phrase_key, gazetteer_data[listing]))
    if unlisted := sorted(key for key in keys if key not in phrases or phrases[key].kind != "city"):
        raise ValueError(f"gazetteer: {listing} lists {unlisted}, which no country lists as a city")
    return keys


def _one_word_personal_names(gazetteer_data: dict) -> frozenset[str]:
    written = gazetteer_data["personal_names"] + gazetteer_data["personal_names_first"]
    return frozenset(key for key in map(_phrase_key, written) if " " not in key)


def _check_region_members(region_members: dict[str, frozenset[str]], country_names: dict[str, str]) -> None:
    """Raises ValueError for a region that lists a code that is no country."""
    for region_id, members in region_members.items():
        unknown = sorted(map(str, members - country_names.keys()))
        if unknown:  # also catches YAML reading an unquoted NO (Norway) as false
            raise ValueError(f"regions: {region_id} lists unknown country codes {unknown}")


def _regions_within(region_members: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    return {
        region: frozenset(inner for inner, members in region_members.items() if members and members <= outer)
        for region, outer in region_members.items()
    }


def _regions_by_country(region_members: dict[str, frozenset[str]]) -> dict[str, tuple[str, ...]]:
    """Country code -> ids of the regions it belongs to, sorted."""
    regions_by_country: dict[str, list[str]] = defaultdict(list)
    for region_id, members in sorted(region_members.items()):
        for code in members:
            regions_by_country[code].append(region_id)
    return {code: tuple(ids) for code, ids in regions_by_country.items()}


def _build_gazetteer() -> Gazetteer:
    """Loads the YAML place data and indexes it for tagging and resolving."""
    gazetteer_data = _load_yaml("gazetteer.yaml")
    regions = _load_yaml("regions.yaml")
    hand_countries = gazetteer_data["countries"]
    table = _PhraseTable()
    resolver_keys: dict[str, tuple[str, str]] = {}
    country_names = _add_iso_country_phrases(table, resolver_keys, hand_countries)
    country_names.update(gazetteer_data["user_assigned_codes"])
    _add_hand_kept_country_phrases(table, resolver_keys, hand_countries, country_names)
    _add_state_and_non_country_phrases(table, gazetteer_data)
    _add_region_phrases(table, resolver_keys, regions)
    region_members = _region_members(regions)
    _check_region_members(region_members, country_names)
    phrases = table.by_words()
    states_after_comma = _states_after_comma(gazetteer_data)
    return Gazetteer(
        phrases=phrases,
        phrase_pattern=re.compile(rf"\b{_first_letter_lookahead(phrases)}(?:{_trie_pattern(phrases)})\b"),
        states_after_comma=states_after_comma,
        comma_state_pattern=re.compile(rf",\s*({_trie_pattern(states_after_comma)})\b"),
        personal_names=_one_word_personal_names(gazetteer_data),
        standing_for_more=frozenset().union(
            *(_listed_cities(phrases, gazetteer_data, listing) for listing in ("institution_seats", "common_words", "personal_names_first"))
        ),
        country_names=country_names,
        region_names={region_id: spec["name"] for region_id, spec in regions.items()},
        region_members=region_members,
        regions_by_country=_regions_by_country(region_members),
        regions_within=_regions_within(region_members),
        typed_cities=_typed_cities(phrases, gazetteer_data["cities_elsewhere"]),
        shared_names={_phrase_key(written): tuple(codes) for written, codes in gazetteer_data["names_shared"].items()},
        resolver_keys=resolver_keys,
    )


@cache
def gazetteer() -> Gazetteer:
    """The shared, immutable place data."""
    return _build_gazetteer()


def countries_in_region(region_id: str) -> frozenset[str]:
    """ISO alpha-2 codes of the region's member countries (empty for an unknown region)."""
    return gazetteer().region_members.get(region_id, frozenset())


def region_scope(region_id: str) -> tuple[frozenset[str], frozenset[str]]:
    """(member country codes, ids of the region and of every region wholly inside it): what an
    article is tagged with to be about the region. One that names only "Southeast Asia" or
    "ASEAN" is an Asian story too. Empty sets for an unknown region."""
    data = gazetteer()
    return data.region_members.get(region_id, frozenset()), data.regions_within.get(region_id, frozenset())


def regions_of(country_code: str) -> tuple[str, ...]:
    """Ids of every region the country belongs to, sorted."""
    return gazetteer().regions_by_country.get(country_code.upper(), ())


_OWN_NAME_KINDS = frozenset({"name", "demonym", "region"})


@cache
def _longest_phrase_words() -> int:
    return max(len(phrase.tokens) for phrase in gazetteer().phrases.values())


@cache
def _first_words() -> frozenset[str]:
    """The first word of every phrase's key, and "the", which a key leaves out ("the Hague")."""
    return frozenset(key.split(" ", 1)[0] for key in gazetteer().phrases) | {"the"}


def non_country_phrases(words: list[str]) -> list[range]:
    """Where phrases that name something other than a country or region stand in `words`: a sea, a
    state, a city or an old state of several words ("South China Sea", "Lake Chad", "New Mexico",
    "New South Wales"), which hold a country's name but are not about that country, and a city of
    one word ("Lagos"), which may come near a country's name ("Laos") but is not that country."""
    return [span for span, phrase in _phrases_in(tuple(words))
            if phrase.kind not in _OWN_NAME_KINDS and (len(span) > 1 or phrase.kind == "city")]


def place_names_of_several_words(words: list[str]) -> list[range]:
    """Where the names of countries and regions of several words stand in `words` ("South Africa",
    "Middle East", "South African")."""
    return [span for span, phrase in _phrases_in(tuple(words)) if phrase.kind in _OWN_NAME_KINDS and len(span) > 1]


@lru_cache(maxsize=4096)  # search reads the same words for both kinds of name, one after the other
def _phrases_in(words: tuple[str, ...]) -> tuple[tuple[range, Phrase], ...]:
    """The known phrases in `words` and where they stand, the longest at each position."""
    phrases = gazetteer().phrases
    found, position = [], 0
    while position < len(words):
        if next(iter(_key(words[position])), None) not in _first_words():  # most words begin no phrase: search reads many
            position += 1
            continue
        size = next((size for size in range(min(_longest_phrase_words(), len(words) - position), 1, -1)
                     if _phrase_key(" ".join(words[position : position + size])) in phrases), 1)
        phrase = phrases.get(_phrase_key(" ".join(words[position : position + size])))
        if phrase:
            found.append((range(position, position + size), phrase))
        position += size
    return tuple(found)


def place_name(place_id: str) -> str:
    """Display name of a country code or region id; the id itself when unknown."""
    data = gazetteer()
    return data.country_names.get(place_id.upper()) or data.region_names.get(place_id) or place_id


def known_regions() -> dict[str, str]:
    """Region id -> display name."""
    return dict(gazetteer().region_names)


@dataclass
class _Evidence:
    """Scores per country and the regions named, gathered over one story."""

    scores: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    mentions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    kinds: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    regions: set[str] = field(default_factory=set)
    historical: set[str] = field(default_factory=set)  # successors of old states the story names
    homonyms: set[str] = field(default_factory=set)  # countries whose bare name the story uses otherwise

    def add(self, place: str, kind: str, weight: float) -> None:
        repeat = REPEAT_FACTOR if self.mentions[place] else 1.0
        self.mentions[place] += 1
        self.scores[place] += weight * repeat
        self.kinds[place].add(kind)


class _Found(NamedTuple):  # a tuple: built for every phrase of every article, so cheap to make
    """A phrase found in the text, and the place and kind it finally counts for."""

    start: int
    end: int
    place: str
    kind: str
    words: str  # the phrase's key: its words in lower case


@dataclass
class _People:
    """The place names a story showed to be people's. One a title showed ("Mr Hague") is a person's
    anywhere in the story; one beside another capitalised name ("Chad Smith", as "Sydney Opera
    House" looks too) only where case cannot show a name: a headline in Title Case or in capitals,
    a word in capitals ("Sydney Smith ... SYDNEY"), not "Sydney's council" or "Sydney landmark"."""

    titled: set[str] = field(default_factory=set)
    named: set[str] = field(default_factory=set)

    def shown(self, name: str, case_shows: bool) -> bool:
        return name in self.titled or (not case_shows and name in self.named)


# Where the story itself says a town or a country's word is: "Lebanon, Ohio" -> {("US", "city")}
_Placings = dict[str, set[tuple[str, str]]]


class PlaceTagger:
    """Tags stories with countries and regions, and resolves people's words to places."""

    def __init__(self) -> None:
        self._data = gazetteer()
        self._resolver_choices = list(self._data.resolver_keys)
        self._compact_resolver_keys = {key.replace(" ", ""): value for key, value in self._data.resolver_keys.items()}

    # -- tagging -------------------------------------------------------------------------

    def tag(self, title: str, text: str) -> tuple[list[str], list[str]]:
        """(ISO 3166-1 alpha-2 codes, region ids) the story is about, each sorted."""
        evidence = _Evidence()
        body = text.lstrip()
        dateline = _dateline(body)
        body = body[len(dateline):]
        people = _People()
        placings: _Placings = defaultdict(set)
        in_dateline = self._find(dateline, placings, headline_case=True)
        in_body = self._find(body, placings, people=people)
        # A Title Case headline cannot show "Jordan Peterson" is a person; the body can.
        in_title = self._find(title, placings, headline_case=_is_headline_case(title), people=people)
        # "Dublin, California" once makes every "Dublin" of the story that town, unless it also says another.
        placed = {words: next(iter(places)) for words, places in placings.items() if len(places) == 1}
        for found in _as_placed(in_dateline, placed):
            self._count(found, DATELINE_WEIGHT, evidence)
        in_capitals, title_written = _in_capitals(title), strip_accents(title)  # as _find read it, for positions
        for found in _as_placed(in_title, placed):
            self._count(found, self._title_weight(found, title_written, in_capitals) * TITLE_FACTOR, evidence)
        for found in _as_placed(in_body, placed):
            lead = LEAD_FACTOR if found.start < LEAD_CHARS else 1.0
            self._count(found, KIND_WEIGHTS.get(found.kind, 0.0) * lead, evidence)
        _settle_us_state_homonyms(evidence)
        _drop_old_state_capitals(evidence)
        _drop_homonym_names(evidence)
        return _chosen_countries(evidence.scores), sorted(evidence.regions)

    def _title_weight(self, found: _Found, title: str, in_capitals: bool) -> float:
        """A city a headline names is where the story is ("Nairobi startup uses AI"), as its country's
        name would be; not in capitals, where it is as likely a company or a ticker ("HANOVER COS",
        "<CALI>"), nor where it stands for an institution seated there ("Brussels fines Google"), nor
        where, a person's name too, it comes before another name ("Paris Hilton", "Kingston Technology"),
        nor where it is a common word too, capitalised in a headline ("a Mecca for startups", "Swiss Canton"),
        nor where it is as often a person's name alone ("Hamilton wins in Abu Dhabi")."""
        if found.kind == "city" and not in_capitals and found.words not in self._data.standing_for_more and not (
            self._before_a_name(found, title)
        ):
            return KIND_WEIGHTS["name"]
        return KIND_WEIGHTS.get(found.kind, 0.0)

    def _before_a_name(self, found: _Found, title: str) -> bool:
        """A headline's case cannot tell "Paris Hilton" from "Paris Summit": a personal name before a name may be a person's."""
        following = _NEXT_WORD.match(title, found.end)
        return found.words in self._data.personal_names and bool(following) and _capitalised_name(following.group(1))

    @staticmethod
    def _count(found: _Found, weight: float, evidence: _Evidence) -> None:
        if found.kind == "region":
            evidence.regions.add(found.place)
        elif found.kind == "historical":
            evidence.historical.add(found.place)
        elif found.kind == "homonym":
            evidence.homonyms.add(found.place)
        elif found.place:
            evidence.add(found.place, found.kind, weight)

    def _find(self, text: str, placings: _Placings, headline_case: bool = False,
              people: _People | None = None) -> list[_Found]:
        """The places in `text`, in order, after case, person-name and town rules.

        `people` collects the place names seen as people ("Mr Hague", "Chad Smith"), which count as
        people in the rest of the story as `_People` says. `placings` collects where the text says its
        towns are ("Dublin, California").
        """
        original = strip_accents(text)
        lowered = _lower(original)
        found = self._phrases_found(original, lowered, headline_case, people)
        states = self._states_after_towns(original, lowered, found, placings)
        if states:
            kept = [item for item in found.values() if item.start not in states]
            in_order = sorted(kept + list(states.values()), key=lambda item: item.start)
        else:  # found in the text's order already
            in_order = list(found.values())
        return _where_the_towns_are(original, in_order, placings)

    def _phrases_found(self, original: str, lowered: str, headline_case: bool,
                       people: _People | None) -> dict[int, _Found]:
        """Known phrases that fit their case and are no person's name, by where they end."""
        phrases = self._data.phrases
        found = {}
        for match in self._data.phrase_pattern.finditer(lowered):
            start, end = match.span()
            words = match.group()
            # Most matches are a key as written; others ("U.S.") are read with their separators as spaces.
            if words not in phrases:
                words = _SEPARATORS.sub(" ", words)
            phrase = phrases[words]
            if not _fits_case(phrase, original[start:end]):
                continue
            if phrase.kind == "person" and people is not None:  # "Michael Jordan": Jordan is him in a Title Case headline
                people.named.update(token for token in phrase.tokens if token in phrases)
            if self._looks_like_a_person(original, start, end, phrase, headline_case, people):
                continue
            found[end] = _Found(start, end, phrase.place, phrase.kind, words)
        return found

    def _states_after_towns(self, original: str, lowered: str, found: dict[int, _Found],
                            placings: _Placings) -> dict[int, _Found]:
        """States after a town and a comma, by where they start; a place found as the town becomes a city.

        "Lebanon, Pa." rewrites Lebanon in `found` as a US city and hides Pennsylvania's own match;
        "Tbilisi, Georgia" is a town in the country the state shares its name with, and stays so.
        """
        states = {}
        for match in self._data.comma_state_pattern.finditer(lowered):
            state_start = match.start(1)
            if not original[state_start].isupper():
                continue
            comma = match.start()
            before = found.get(comma)
            state_words = _SEPARATORS.sub(" ", match.group(1))
            country, homonym = self._data.states_after_comma[state_words]
            if before and self._names_country(state_words, before.place):
                placings[before.words].add((before.place, before.kind))
                continue
            if before is None and _word_before(original, comma)[:1].isupper():  # "Marietta, Ga."
                states[state_start] = _Found(state_start, match.end(), country, "state", state_words)
            elif before and before.kind in ("name", "city", "demonym") and not (homonym and before.kind == "name"):
                found[before.end] = _Found(before.start, before.end, country, "city", before.words)  # "Lebanon, Pa."
                placings[before.words].add((country, "city"))
                # hides the state's own match
                states[state_start] = _Found(state_start, match.end(), "", "state", state_words)
        return states

    def _names_country(self, words: str, country: str) -> bool:
        phrase = self._data.phrases.get(words)
        return phrase is not None and phrase.place == country

    def _looks_like_a_person(self, original, start, end, phrase, headline_case, people: _People | None) -> bool:
        """"Chad Smith", "Michael Jordan": a personal name next to another capitalised name; "Mr Hague";
        a name the story showed to be a person's so. Noted in `people` for the rest of the story."""
        if len(phrase.tokens) > 1:
            return False
        name, case_shows = phrase.tokens[0], not (headline_case or original[start:end].isupper())
        if _TITLE_BEFORE.search(original, max(0, start - 6), start):
            if people is not None:
                people.titled.add(name)
            return True
        if people is not None and people.shown(name, case_shows):
            return True
        if name not in self._data.personal_names or not case_shows:
            return False
        following = _NEXT_WORD.match(original, end)
        preceding = _PREVIOUS_WORD.search(original, max(0, start - 30), start)
        beside_a_name = bool(following and _capitalised_name(following.group(1))) or (
            bool(preceding) and _capitalised_name(preceding.group(1)) and preceding.group(1).lower() not in _LEADING_WORDS)
        if beside_a_name and people is not None:
            people.named.add(name)
        return beside_a_name

    # -- resolving -----------------------------------------------------------------------

    def resolve(self, words: str, cities: bool = True) -> Resolution:
        """People's words (or a flag emoji) -> one confident country or region, else ranked suggestions.

        With `cities`, a city stands for its country ("kyiv" is Ukraine), and one whose name places
        in several countries share ("tripoli") suggests each of them; near misses are never cities.
        A name several countries share ("congo") suggests each of them too. Words with a number name
        something more than a place ("kenya 2025"), unless they are its name ("g20"): the place the rest
        names is only suggested."""
        key = _phrase_key(_POSSESSIVE_END.sub("", words.translate(_FLAG_LETTERS)))
        if any(character.isdigit() for character in key) and not self._exact(key):
            found = self.resolve("".join(character for character in words if not character.isdigit()), cities)
            return Resolution(None, tuple(filter(None, (found.match, *found.suggestions)))[:5])
        if not key:
            return Resolution(None)
        if key in self._data.shared_names:
            return Resolution(None, tuple(self._match("country", code) for code in self._data.shared_names[key]))
        exact = self._exact(key)
        if exact:
            return Resolution(exact)
        if cities and key in self._data.typed_cities:
            countries = tuple(self._match("country", code) for code in self._data.typed_cities[key])
            return Resolution(countries[0]) if len(countries) == 1 else Resolution(None, countries)
        other = self._data.phrases.get(key)
        if other and len(other.tokens) > 1:  # "New Mexico" is no near miss for Mexico, "New Jersey" none for Jersey
            return Resolution(None, (self._match("country", other.place),) if other.place else ())
        ranked = self._fuzzy(key)
        if ranked and _is_confident(ranked) and len(key.replace(" ", "")) > _LONGEST_CODE:
            return Resolution(ranked[0])
        return Resolution(None, tuple(match for match in ranked[:5] if match.score >= _SUGGESTION_FLOOR))

    def is_name(self, words: str) -> bool:
        return _phrase_key(words) in self._data.resolver_keys

    def _exact(self, key: str) -> Match | None:
        compact = key.replace(" ", "")
        found = (self._data.resolver_keys.get(key) or self._compact_resolver_keys.get(compact)
                 or _country_code(compact, self._data.country_names))
        return self._match(*found) if found else None

    def _fuzzy(self, key: str) -> list[Match]:
        candidates = process.extract(key, self._resolver_choices, scorer=fuzz.ratio, limit=25, score_cutoff=60)
        best: dict[tuple[str, str], float] = {}
        for choice, score, _ in candidates:
            place = self._data.resolver_keys[choice]
            best[place] = max(best.get(place, 0.0), score)
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0][1]))
        return [self._match(kind, place_id, score) for (kind, place_id), score in ranked]

    def _match(self, kind: str, place_id: str, score: float = 100.0) -> Match:
        return Match(kind, place_id, place_name(place_id), round(score, 1))


_LONGEST_CODE = 3  # words this short that are no code or name are only near misses: "sui" is no typo for Saudi
_SUGGESTION_FLOOR = 75  # below, a "did you mean" reads as nonsense ("banks": Cuba, Libya)


def _is_confident(ranked: list[Match]) -> bool:
    best = ranked[0].score
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    return best >= 90 or (best >= 75 and best - runner_up >= 10)


def _country_code(compact: str, country_names: dict[str, str]) -> tuple[str, str] | None:
    """A country's two-letter code (Kosovo's XK too) or ISO alpha-3 code."""
    if not compact.isalpha() or len(compact) not in (2, 3):
        return None
    if len(compact) == 2:
        return ("country", compact.upper()) if compact.upper() in country_names else None
    country = pycountry.countries.get(alpha_3=compact.upper())
    return ("country", country.alpha_2) if country else None


def _dateline(text: str) -> str:
    """The dateline at the start of a story ("NAIROBI, March 3 -"), or ""."""
    dateline = _DATELINE.match(text[:120])
    return dateline.group() if dateline else ""


def _where_the_towns_are(text: str, found: list[_Found], placings: _Placings) -> list[_Found]:
    """A country after a town and a comma says where the town is: "TRIPOLI, Lebanon" is no Libyan
    city, "Perth, Scotland" no Australian one, so the town drops out and the country counts. A bare
    "Congo", a guess kept as a demonym, yields to the town instead: "BRAZZAVILLE, Congo" is the
    Republic of the Congo. A list ("Shanghai, Vietnam and Thailand") places no town."""
    kept: list[_Found] = []
    for index, item in enumerate(found):
        following = found[index + 1] if index + 1 < len(found) else None
        if not kept or not _country_after_town(text, kept[-1], item, following):
            kept.append(item)
            continue
        town = kept[-1]
        if item.place == town.place:
            placings[town.words].add((town.place, town.kind))
            kept.append(item)
        elif item.kind == "name":
            placings[town.words].add((item.place, "city"))
            kept[-1] = item
        else:  # a demonym
            placings[item.words].add((town.place, item.kind))
            kept.append(item._replace(place=town.place))
    return kept


def _country_after_town(text: str, town: _Found, country: _Found, following: _Found | None) -> bool:
    if town.kind != "city" or country.kind not in ("name", "demonym") or not country.place:
        return False
    if not _COMMA_BETWEEN.fullmatch(text, town.end, country.start) or not _PLACE_ENDS.match(text, _end(text, country)):
        return False
    if _LIST_GOES_ON.match(text, country.end):
        return False
    return not (following and _COMMA_BETWEEN.fullmatch(text, country.end, following.start))


def _end(text: str, found: _Found) -> int:
    """Where a place's words end, after the last dot of an abbreviation ("U.S." is matched as "U.S")."""
    abbreviated = "." in text[found.start:found.end] and text.startswith(".", found.end)
    return found.end + abbreviated


def _as_placed(found: list[_Found], placed: dict[str, tuple[str, str]]) -> list[_Found]:
    """`found` with each word the story placed ("Dublin" of "Dublin, California") where it placed it."""
    if not placed:
        return found
    return [item._replace(place=placed[item.words][0], kind=placed[item.words][1])
            if item.place and item.words in placed else item for item in found]


def _is_headline_case(title: str) -> bool:
    """Upper case or Title Case: capitals there say nothing about names. The first word, capitalised in
    any headline, tells nothing: "Chad Kroeger returns" is in sentence case."""
    words = [word for word in _WORD.findall(title)[1:] if len(word) > 3]
    return bool(words) and sum(word[0].isupper() for word in words) >= 0.6 * len(words)


def _in_capitals(title: str) -> bool:
    return sum(map(str.isupper, title)) > sum(map(str.islower, title))


def _fits_case(phrase: Phrase, written: str) -> bool:
    if phrase.case == "acronym":
        return written.isupper()
    return phrase.case == "any" or written[:1].isupper()


def _word_before(text: str, position: int) -> str:
    preceding = _WORD_BEFORE.search(text, max(0, position - 30), position)
    return preceding.group(1) if preceding else ""


def _capitalised_name(word: str) -> bool:
    return word[:1].isupper() and not word.isupper() and len(word) > 1


def _settle_us_state_homonyms(evidence: _Evidence) -> None:
    """"Georgia" is the US state when the story names US places, institutions or parties ("Democrats")
    and nothing else points to the country."""
    georgia = evidence.scores.get("GE")
    if georgia and evidence.kinds["GE"] == {"name"} and evidence.kinds["US"] & {"city", "state", "marker", "weak"}:
        evidence.scores["US"] += georgia * KIND_WEIGHTS["state"]
        del evidence.scores["GE"]


def _drop_old_state_capitals(evidence: _Evidence) -> None:
    """"MOSCOW - ... the Soviet Union": the city speaks for the old state, not for Russia."""
    for code in evidence.historical:
        if code in evidence.scores and evidence.kinds[code] <= {"city", "marker"}:
            del evidence.scores[code]


def _drop_homonym_names(evidence: _Evidence) -> None:
    """"Roast a Turkey This Thanksgiving": the bare name speaks for the country only when the story
    has nothing to say it means something else."""
    for code in evidence.homonyms:
        if code in evidence.scores and evidence.kinds[code] == {"name"}:
            del evidence.scores[code]


def _chosen_countries(scores: dict[str, float]) -> list[str]:
    if not scores:
        return []
    top = max(scores.values())
    return sorted(code for code, score in scores.items() if score >= MIN_SCORE and score >= MIN_SHARE_OF_TOP * top)
