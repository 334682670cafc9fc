"""The Tagger facade, sector name resolution, and `analyze` as the pipeline calls it."""

from __future__ import annotations

import pytest

from content.analysis import Analysis, analyze, analyze_many
from content.settings import SectorExtension, TaxonomySettings
from content.tagging import SECTORS, Match, Resolution, Tagger, countries_in_region, place_name
from content.tagging.places import regions_of


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.from_settings()


def test_sector_names_include_config_extensions():
    settings = TaxonomySettings(
        sectors={
            "tourism": SectorExtension(name="Tourism & travel", keywords=["tourism"]),
            "energy": SectorExtension(name="Power & fuels"),
        }
    )
    names = Tagger.from_settings(settings).sector_names()
    assert names["tourism"] == "Tourism & travel"
    assert names["energy"] == "Power & fuels"
    assert names["health"] == SECTORS["health"] == "Health"


def test_sectors_delegate_to_the_taxonomy(tagger):
    assert tagger.sectors("Wheat harvest hit by drought", "Farmers expect the wheat crop to shrink.") == ["agriculture"]


@pytest.mark.parametrize("words", ["energy", "Energy", " ENERGY ", "énergy"])
def test_resolve_sector_by_id_in_any_case_or_accent(tagger, words):
    assert tagger.resolve_sector(words) == Resolution(Match("sector", "energy", "Energy"))


@pytest.mark.parametrize(("words", "sector"), [("energies", "Energy"), ("Technologies", "Technology")])
def test_resolve_sector_by_its_name_in_the_plural(tagger, words, sector):
    assert tagger.resolve_sector(words) == Resolution(Match("sector", sector.lower(), sector))


def test_resolve_sector_by_display_name(tagger):
    assert tagger.resolve_sector("transport & logistics").match.id == "transport"


def test_resolve_sector_forgives_a_typo(tagger):
    resolution = tagger.resolve_sector("agricultre")
    assert resolution.match is not None
    assert resolution.match.id == "agriculture"


def test_resolve_sector_suggests_when_unsure(tagger):
    resolution = tagger.resolve_sector("enviro")
    assert resolution.match is None or resolution.match.id == "environment"
    ids = [resolution.match.id] if resolution.match else [s.id for s in resolution.suggestions]
    assert "environment" in ids


@pytest.mark.parametrize(("words", "sector"), [("agri", "agriculture"), ("tech", "technology"), ("educ", "education")])
def test_resolve_sector_takes_the_start_of_a_name(tagger, words, sector):
    assert tagger.resolve_sector(words).match.id == sector


@pytest.mark.parametrize("words", ["agri", "man", "educ"])
def test_resolve_sector_takes_no_start_of_a_name_when_not_abbreviated(tagger, words):
    assert tagger.resolve_sector(words, abbreviated=False).match is None


@pytest.mark.parametrize("words", ["sport", "culture"])
def test_a_word_inside_a_sector_name_is_not_that_sector(tagger, words):
    assert tagger.resolve_sector(words).match is None


@pytest.mark.parametrize("words", ["logistics and transport", "logistics transport"])
def test_resolve_sector_takes_a_name_in_another_order(tagger, words):
    assert tagger.resolve_sector(words).match.id == "transport"


def test_resolve_sector_knows_nothing_of_nonsense(tagger):
    assert tagger.resolve_sector("zzzqqq") == Resolution(None)
    assert tagger.resolve_sector("") == Resolution(None)


def test_places_and_place_resolution_delegate_to_the_place_tagger(tagger):
    countries, _regions = tagger.places("Tea exports rise", "NAIROBI, March 3 - Kenya's tea exports rose in February.")
    assert countries == ["KE"]
    assert tagger.resolve_place("KE").match.id == "KE"
    assert all("KE" in countries_in_region(region) for region in regions_of("KE"))
    assert place_name("KE") == "Kenya"


def test_analyze_summarizes_and_tags_with_the_default_tagger():
    analysis = analyze(
        "Kenya opens geothermal power plant",
        "Kenya opened a geothermal power plant on Monday. The plant adds 80 megawatts of electricity to the grid. "
        "Officials said more plants would follow. The project took four years.",
        sentences=2,
    )
    assert isinstance(analysis, Analysis)
    assert len(analysis.summary) == 2
    assert analysis.summary[0] == "Kenya opened a geothermal power plant on Monday."
    assert analysis.sectors == ["energy"]
    assert analysis.countries == ["KE"]


def test_analyze_uses_the_given_tagger_and_budget():
    tagger = Tagger.from_settings(TaxonomySettings(sectors={"tourism": SectorExtension(keywords=["tourism", "hotel"])}))
    text = "Tourism boomed this summer. Every hotel on the coast was full. Visitors came from far away."
    analysis = analyze("Tourism booms", text, tagger=tagger, max_chars=40)
    assert analysis.sectors == ["tourism"]
    assert len(" ".join(analysis.summary)) <= 40


@pytest.mark.parametrize(
    ("words", "sector_id"), [("AI", "technology"), ("oil", "energy"), ("Gold", "mining"), ("telecoms", "technology")]
)
def test_resolve_sector_by_a_telling_keyword_in_the_singular_or_plural(tagger, words, sector_id):
    assert tagger.resolve_sector(words).match.id == sector_id


@pytest.mark.parametrize(
    ("words", "sector_id"), [("IT", "technology"), ("ict", "technology"), ("financial services", "finance")]
)
def test_resolve_sector_by_a_name_people_type_for_it(tagger, words, sector_id):
    assert tagger.resolve_sector(words).match.id == sector_id
    assert not tagger.is_sector_keyword(words)  # a name: /news ict kenya is Technology in Kenya


def test_a_sector_name_people_type_tags_no_article(tagger):
    assert tagger.sectors("ICT ministers meet", "The ICT ministers of several countries met to discuss budgets.") == []
    assert tagger.sectors("Financial services group reports", "The financial services group reported its plans.") == []


def test_a_keyword_shared_by_sectors_is_no_alias(tagger):
    assert tagger.resolve_sector("tonnes").match is None


def test_a_weak_keyword_suggests_its_sectors_without_choosing_one(tagger):
    banks = tagger.resolve_sector("banks")
    assert banks.match is None and [match.id for match in banks.suggestions] == ["finance"]
    power = tagger.resolve_sector("power")
    assert power.match is None and [match.id for match in power.suggestions][:1] == ["energy"]


def test_analyze_many_reads_each_article_in_its_declared_language():
    title, text = "Reabertura do canal de comunicação", "O canal de comunicação com o vizinho volta a funcionar."
    english, portuguese = analyze_many([(title, text), (title, text)], languages=[None, "pt"])
    assert english.sectors == ["transport"]  # "canal" read as English
    assert portuguese.sectors == []
