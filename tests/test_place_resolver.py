"""Resolving people's words ("kenia", "southeast asia", "KEN") to a country or region."""

from __future__ import annotations

import pytest

from content.tagging import Tagger
from content.tagging.places import PlaceTagger, gazetteer, known_regions
from content.tagging.resolution import Match, Resolution


@pytest.fixture(scope="module")
def tagger() -> PlaceTagger:
    return PlaceTagger()


def resolved_id(tagger: PlaceTagger, words: str) -> str | None:
    match = tagger.resolve(words).match
    return match.id if match else None


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Kenya", "KE"),
        ("kenya", "KE"),
        ("  KENYA  ", "KE"),
        ("KE", "KE"),
        ("ke", "KE"),
        ("KEN", "KE"),
        ("tha", "TH"),
        ("Kenyan", "KE"),
        ("thai", "TH"),
        ("Filipino", "PH"),
        ("U.S.", "US"),
        ("usa", "US"),
        ("united states", "US"),
        ("uk", "GB"),
        ("Britain", "GB"),
        ("Burma", "MM"),
        ("Zaire", "CD"),
        ("viet nam", "VN"),
        ("holland", "NL"),
        ("Côte d'Ivoire", "CI"),
        ("cote d'ivoire", "CI"),
        ("cote divoire", "CI"),
        ("CÔTE D’IVOIRE", "CI"),
        ("ivory coast", "CI"),
        ("Türkiye", "TR"),
        ("turkey", "TR"),
        ("Georgia", "GE"),
        ("Chad", "TD"),
        ("congo-brazzaville", "CG"),
        ("N. Korea", "KP"),
        ("UAE's", "AE"),
        ("the US’s", "US"),
        ("DRC's", "CD"),
        ("n korea", "KP"),
        ("korea", "KR"),  # North Korea's news is asked for by its full name
    ],
)
def test_exact_names_codes_aliases_and_demonyms(tagger, words, expected):
    assert resolved_id(tagger, words) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("southeast asia", "south-eastern-asia"),
        ("South-East Asia", "south-eastern-asia"),
        ("south-eastern-asia", "south-eastern-asia"),
        ("East Africa", "eastern-africa"),
        ("sub saharan africa", "sub-saharan-africa"),
        ("Middle East", "middle-east"),
        ("latin america", "latin-america-and-the-caribbean"),
        ("EU", "european-union"),
        ("ASEAN", "asean"),
        ("mena", "middle-east-and-north-africa"),
        ("Middle East and North Africa", "middle-east-and-north-africa"),
        ("latam", "latin-america-and-the-caribbean"),
        ("european", "europe"),  # what people type; in articles "European" alone is no region
        ("Asian", "asia"),
        ("g7", "g7"),  # were words with a number, "something more than a place"
        ("G-7", "g7"),
        ("group of seven", "g7"),
        ("g20", "g20"),
        ("G 20", "g20"),
        ("Group of 20", "g20"),
    ],
)
def test_region_names(tagger, words, expected):
    match = tagger.resolve(words).match
    assert match is not None and match.kind == "region" and match.id == expected


def test_a_continent_adjective_people_type_is_no_region_in_an_article(tagger):
    assert tagger.tag("Asian carp reach the lake", "Asian carp spread. European officials met.") == ([], [])


def test_a_match_carries_kind_and_display_name(tagger):
    assert tagger.resolve("kenya") == tagger.resolve("KEN")
    assert tagger.resolve("kenya").match == Match("country", "KE", "Kenya", 100.0)
    assert tagger.resolve("southeast asia").match.name == "Southeast Asia"


@pytest.mark.parametrize(
    ("typo", "expected"),
    [("kenia", "KE"), ("tailand", "TH"), ("nigerria", "NG"), ("pakstan", "PK"), ("germnay", "DE"),
     ("afrika", "africa")],
)
def test_clear_typos_resolve_confidently(tagger, typo, expected):
    resolution = tagger.resolve(typo)
    assert resolution.match is not None and resolution.match.id == expected
    assert resolution.match.score < 100
    assert resolution.suggestions == ()


def test_unclear_words_give_ranked_suggestions(tagger):
    resolution = tagger.resolve("ira")
    assert resolution.match is None
    ids = [suggestion.id for suggestion in resolution.suggestions]
    assert set(ids[:2]) == {"IQ", "IR"}
    assert len(ids) <= 5 and len(set(ids)) == len(ids)
    scores = [suggestion.score for suggestion in resolution.suggestions]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(("words", "near"), [("sui", "SA"), ("bit", "GB"), ("cat", "HR"), ("gre", "GR")])
def test_three_letters_that_are_no_code_or_name_only_suggest(tagger, words, near):
    """One letter off in three is a third of the word: "sui" (Switzerland in sport) is no typo for Saudi."""
    resolution = tagger.resolve(words)
    assert resolution.match is None
    assert near in [suggestion.id for suggestion in resolution.suggestions]


@pytest.mark.parametrize("words", ["banks", "bonds", "stocks", "🇹🇭🇰🇪"])
def test_words_far_from_every_place_get_no_suggestions(tagger, words):
    assert tagger.resolve(words) == Resolution(None)


def test_suggestions_name_their_places(tagger):
    suggestion = tagger.resolve("ira").suggestions[0]
    assert suggestion.kind == "country" and suggestion.name in ("Iraq", "Iran")


@pytest.mark.parametrize(("flag", "expected"), [("🇰🇪", "KE"), ("🇹🇭", "TH"), ("🇵🇰", "PK"), (" 🇻🇳 ", "VN")])
def test_a_flag_emoji_names_its_country(tagger, flag, expected):
    assert tagger.resolve(flag).match.id == expected


@pytest.mark.parametrize("words", ["", "   ", "!!!", "12345", "zzzzzzzz", "x" * 500, "the", "🚀"])
def test_empty_and_garbage_resolve_to_nothing(tagger, words):
    resolution = tagger.resolve(words)
    assert resolution.match is None
    assert resolution.suggestions == ()


@pytest.mark.parametrize(("words", "suggested"), [("kenya 2025", "KE"), ("kenya in 2025", "KE"), ("2025 kenia", "KE")])
def test_a_name_with_a_number_is_only_suggested(tagger, words, suggested):
    """The number is something more than the place ("/country kenya 2025" is no Kenya at any date), so the
    place the other words name is offered, not taken."""
    resolution = tagger.resolve(words)
    assert resolution.match is None
    assert [match.id for match in resolution.suggestions][:1] == [suggested]


@pytest.mark.parametrize(
    ("words", "suggested"),
    [("New Mexico", ["US"]), ("new jersey", ["US"]), ("New South Wales", ["AU"]), ("south china sea", [])],
)
def test_a_state_or_sea_holding_a_country_name_is_not_that_country(tagger, words, suggested):
    resolution = tagger.resolve(words)
    assert resolution.match is None
    assert [match.id for match in resolution.suggestions] == suggested


def test_every_country_and_region_is_found_by_the_name_it_is_shown_by(tagger):
    # the country FM and the Micronesia region were both shown as "Micronesia", which found the region
    shown = {**gazetteer().country_names, **known_regions()}
    found = {place_id: getattr(tagger.resolve(name).match, "id", None) for place_id, name in shown.items()}
    assert {place_id: found_id for place_id, found_id in found.items() if found_id != place_id} == {}


@pytest.mark.parametrize(("words", "expected"), [("micronesia", "FM"), ("Micronesian", "FM"), ("Micronesia region", "micronesia")])
def test_micronesia_alone_is_the_country_as_in_articles(tagger, words, expected):
    assert tagger.resolve(words).match.id == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [("Åland", "AX"), ("aland", "AX"), ("Saint Helena", "SH"), ("St Helena", "SH"), ("St. Helena", "SH"),
     ("St Barts", "BL"), ("St. Barths", "BL"), ("Tristan da Cunha", "SH"), ("Ascension Island", "SH"),
     ("Heard Island", "HM"), ("Svalbard", "SJ"), ("Bonaire", "BQ"), ("Caribbean Netherlands", "BQ"),
     ("Pitcairn Islands", "PN"), ("Chagos Islands", "IO"), ("Faroes", "FO"),
     ("Northern Marianas", "MP"), ("Macao SAR", "MO")],
)
def test_a_territory_is_found_by_the_short_name_people_type(tagger, words, expected):
    # "Åland" was a suggestion of Thailand, and "Saint Helena" nothing
    assert getattr(tagger.resolve(words).match, "id", None) == expected


@pytest.mark.parametrize("words", ["Kosovo", "kosova", "Republic of Kosovo", "Kosovar", "kosovans", "XK", "xk"])
def test_kosovo_resolves_by_its_names_and_user_assigned_code(tagger, words):
    assert tagger.resolve(words).match == Match("country", "XK", "Kosovo")


@pytest.mark.parametrize(
    ("words", "country", "name"),
    [
        ("kyiv", "UA", "Ukraine"),
        ("Kiev", "UA", "Ukraine"),
        ("dubai", "AE", "United Arab Emirates"),
        ("Nairobi", "KE", "Kenya"),
        ("lagos", "NG", "Nigeria"),  # was Laos, the nearest country's name
        ("vienna", "AT", "Austria"),  # was Viet Nam
        ("austin", "US", "United States"),  # was Austria
        ("ho chi minh city", "VN", "Vietnam"),
        ("new york", "US", "United States"),
        ("Pristina", "XK", "Kosovo"),
        ("paris", "FR", "France"),  # Paris, Texas is far smaller: nobody is asked which they mean
        ("St. Petersburg", "RU", "Russia"),  # as is St. Petersburg, Florida
        ("Sydney", "AU", "Australia"),
        ("london", "GB", "United Kingdom"),
    ],
)
def test_a_city_of_one_country_typed_alone_is_that_country(tagger, words, country, name):
    assert tagger.resolve(words) == Resolution(Match("country", country, name))


@pytest.mark.parametrize(
    ("words", "countries"),
    [("tripoli", ["LY", "LB"]), ("Birmingham", ["GB", "US"]), ("santiago", ["CL", "CU", "DO", "ES"]),
     ("hyderabad", ["IN", "PK"])],
)
def test_a_city_several_countries_have_asks_which_country_first_the_listed_one(tagger, words, countries):
    resolution = tagger.resolve(words)
    assert resolution.match is None
    assert [match.id for match in resolution.suggestions] == countries


@pytest.mark.parametrize("words", ["congo", "Congo's", "the Congo"])
def test_a_name_two_countries_share_asks_which(tagger, words):
    resolution = tagger.resolve(words)
    assert resolution.match is None
    assert [match.id for match in resolution.suggestions] == ["CD", "CG"]


@pytest.mark.parametrize("words", ["Paris, Texas", "victoria", "santiago de chile"])
def test_a_city_the_gazetteer_does_not_tie_to_one_country_is_no_country(tagger, words):
    assert tagger.resolve(words).match is None


def test_a_city_of_several_words_keeps_its_own_country(tagger):
    assert tagger.resolve("Santiago de Cuba").match.id == "CU"


def test_a_city_that_is_also_a_sector_word_is_not_taken_for_its_country():
    tagger = Tagger.from_settings()
    assert tagger.resolve_sector("silicon valley").match.id == "technology"
    assert tagger.resolve_place("silicon valley").match is None
    assert tagger.resolve_place("nairobi").match.id == "KE"
