"""Sector tagging from weighted evidence, and the taxonomy extended from the config."""

from __future__ import annotations

import pytest

from content.settings import SectorExtension, TaxonomySettings
from content.tagging.sectors import SectorTagger, TaxonomyError, check_extensions, load_taxonomy, tokens


@pytest.fixture(scope="module")
def tagger() -> SectorTagger:
    return SectorTagger.from_settings()


def test_every_required_sector_has_a_display_name():
    sectors, _ignore = load_taxonomy()
    required = {
        "technology", "energy", "agriculture", "education", "health", "transport",
        "manufacturing", "mining", "finance", "trade", "environment",
    }
    assert required <= set(sectors)
    assert all(sectors[sector_id].name for sector_id in required)


def test_power_plant_is_energy(tagger):
    assert tagger.tag(
        "New power plant opens on the coast",
        "The gas-fired power plant will supply electricity to two million homes from next year.",
    ) == ["energy"]


def test_power_struggle_is_not_energy(tagger):
    assert "energy" not in tagger.tag(
        "Power struggle splits the ruling party",
        "A power struggle between the two factions has paralysed the party ahead of the congress.",
    )


def test_a_football_match_is_not_energy(tagger):
    tags = tagger.tag(
        "United edge City in a tense derby",
        "United beat City 2-1 on Saturday. The home side played with great energy and scored twice "
        "in the second half. City's coach praised his players' effort despite the defeat.",
    )
    assert tags == []


def test_a_single_passing_mention_is_not_enough(tagger):
    body = (
        "The city council approved a new library budget on Tuesday after a long debate. "
        "Councillors argued about opening hours, staff numbers and the cost of new books. "
        "The mayor said the library would stay open on Sundays. "
        "One member noted that the heating would use less oil than before. "
        "The vote passed by nine to four and the works start in autumn."
    )
    assert "energy" not in tagger.tag("Council approves library budget", body)


def test_repeated_evidence_in_the_body_tags(tagger):
    body = (
        "The city council approved a new budget on Tuesday after a long debate. "
        "Councillors argued about staff numbers and opening hours. "
        "Most of the money goes to the crude oil terminal, where oil output doubled this year. "
        "The refinery next to the terminal will process more crude oil, and natural gas sales rose too."
    )
    assert "energy" in tagger.tag("Council approves budget", body)


def test_phrases_beat_the_words_inside_them(tagger):
    assert tagger.tag("Palm oil prices rise on strong demand", "Palm oil exports rose as growers raised output.") == [
        "agriculture"
    ]


def test_title_counts_more_than_body(tagger):
    scores_title = tagger.scores("Coffee harvest begins", "The season started on Monday.")
    scores_body = tagger.scores("Season starts", "The season started on Monday. " * 8 + "The coffee harvest begins.")
    assert scores_title["agriculture"] > scores_body["agriculture"]


@pytest.mark.parametrize(
    ("title", "text", "sector"),
    [
        (
            "Schools hire more teachers",
            "The education ministry will fund 2,000 teachers for rural schools.",
            "education",
        ),
        (
            "Hospital opens cancer ward",
            "Patients will be treated by a team of doctors and nurses.",
            "health",
        ),
        (
            "Central bank raises interest rates",
            "The central bank raised its key interest rate by half a point.",
            "finance",
        ),
        (
            "Tariffs raised on steel imports",
            "The trade dispute widened as both sides imposed tariffs.",
            "trade",
        ),
        (
            "Copper mine expands",
            "The mining company will double ore output at the copper mine.",
            "mining",
        ),
        (
            "Port strike halts shipping",
            "Dockworkers walked out, leaving cargo vessels waiting outside the port.",
            "transport",
        ),
        (
            "Carmaker opens factory",
            "The automaker's new factory will build 200,000 cars a year on an assembly line.",
            "manufacturing",
        ),
        (
            "Startup launches AI model",
            "The artificial intelligence software runs on cloud computing servers.",
            "technology",
        ),
        (
            "Wetlands protected",
            "The environmental agency cut pollution and protected endangered species in the wetlands.",
            "environment",
        ),
    ],
)
def test_each_sector_is_found(tagger, title, text, sector):
    assert sector in tagger.tag(title, text)


def test_upper_case_titles_match(tagger):
    assert tagger.tag("WHEAT EXPORTS RISE", "") == ["agriculture"]


def test_tokens_fold_case_plurals_and_dotted_acronyms():
    assert tokens("Power Plants of the F.D.A.") == ["power", "plant", "of", "the", "fda"]


def test_config_adds_a_sector():
    extension = SectorExtension(name="Tourism", keywords=["tourism", "hotel bookings"])
    settings = TaxonomySettings(sectors={"tourism": extension})
    tagger = SectorTagger.from_settings(settings)
    assert tagger.sectors["tourism"].name == "Tourism"
    assert tagger.tag("Hotel bookings soar", "Tourism boards report record hotel bookings.") == ["tourism"]


def test_config_adds_synonyms_to_an_existing_sector():
    title, text = "Agrivoltaics pilot starts", "The agrivoltaics pilot covers forty hectares."
    assert "energy" not in SectorTagger.from_settings().tag(title, text)
    settings = TaxonomySettings(sectors={"energy": SectorExtension(keywords=["agrivoltaics"])})
    extended = SectorTagger.from_settings(settings)
    assert extended.tag(title, text) == ["energy"]
    assert extended.sectors["energy"].name == "Energy"
    assert "crude oil" in extended.sectors["energy"].terms


def test_a_new_sector_needs_keywords():
    with pytest.raises(ValueError, match="tourism"):
        TaxonomySettings(sectors={"tourism": SectorExtension(name="Tourism")})
    with pytest.raises(TaxonomyError, match="tourism"):
        check_extensions({"tourism": SectorExtension(name="Tourism")})


def test_keywords_need_letters_or_digits():
    with pytest.raises(ValueError, match="no letters or digits"):
        TaxonomySettings(sectors={"energy": SectorExtension(keywords=["--"])})


def test_accents_are_folded():
    settings = TaxonomySettings(sectors={"energy": SectorExtension(keywords=["énergie solaire"])})
    assert SectorTagger.from_settings(settings).tag("L'energie solaire progresse", "") == ["energy"]


def test_config_rejects_unknown_keys_and_bad_ids():
    with pytest.raises(ValueError):
        TaxonomySettings.model_validate({"sectors": {"energy": {"keywords": ["x"], "colour": "red"}}})
    with pytest.raises(ValueError):
        TaxonomySettings.model_validate({"sectors": {"Big Energy": {"keywords": ["x"]}}})
