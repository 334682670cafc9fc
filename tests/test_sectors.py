"""Sector tagging from weighted evidence and rival subjects, and the taxonomy extended from the config."""

from __future__ import annotations

import pytest

from content.settings import SectorExtension, TaxonomySettings
from content.tagging.sectors import Sector, SectorTagger, TaxonomyError, check_extensions, load_taxonomy, threshold, tokens


@pytest.fixture(scope="module")
def tagger() -> SectorTagger:
    return SectorTagger.from_settings()


def test_every_required_sector_has_a_display_name():
    sectors = load_taxonomy().sectors
    required = {
        "technology", "energy", "agriculture", "education", "health", "transport",
        "manufacturing", "mining", "finance", "trade", "environment",
    }
    assert required <= set(sectors)
    assert all(sectors[sector_id].name for sector_id in required)


def test_a_phrase_the_taxonomy_lists_in_singular_and_plural_counts_once():
    def education(terms: dict[str, float]) -> SectorTagger:
        return SectorTagger({"education": Sector("education", "Education", terms)})

    title, text = "New schools open", "Three schools opened in the district this week."
    listed_twice = education({"school": 3.0, "schools": 3.0}).scores(title, text)
    assert listed_twice == education({"school": 3.0}).scores(title, text)


def test_power_plant_is_energy(tagger):
    assert tagger.tag(
        "New power plant opens on the coast",
        "The gas-fired power plant will supply electricity to two million homes from next year.",
    ) == ["energy"]


@pytest.mark.parametrize("kind", ["nuclear", "wind", "geothermal", "solar", "coal"])
def test_a_power_plant_of_any_kind_is_energy_not_a_factory(tagger, kind):
    text = f"Kenya opened a {kind} power plant on Monday. The plant adds 80 megawatts to the grid."
    assert tagger.tag(f"Kenya opens {kind} power plant", text) == ["energy"]


def test_a_solar_plant_is_energy_not_a_factory(tagger):
    assert tagger.tag(
        "Kenya opens solar plant",
        "NAIROBI, March 3 - Kenya opened a 50 MW solar power plant on Monday. The plant will feed the national grid.",
    ) == ["energy"]


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Egypt opens green hydrogen plant", "The plant near the Red Sea coast makes hydrogen from solar and wind electricity."),
        ("Kenya's geothermal output rises", "Geothermal fields in the Rift Valley supply nearly half of the country's power."),
    ],
)
def test_hydrogen_and_geothermal_plants_are_energy(tagger, title, text):
    assert tagger.tag(title, text) == ["energy"]


@pytest.mark.parametrize(
    ("title", "text", "sector"),
    [
        ("M-Pesa adds micro-loans", "The mobile money service now offers small loans to market traders.", "finance"),
        ("Digital payments reach a record", "Digital payments through the national system topped a billion in May.", "finance"),
        ("Grab adds electric motorbike taxis", "The ride-hailing company put 5,000 electric motorbikes on Jakarta's roads.", "transport"),
    ],
)
def test_mobile_money_and_ride_hailing(tagger, title, text, sector):
    assert tagger.tag(title, text) == [sector]


def test_digital_customs_on_a_trade_route_is_trade(tagger):
    sectors = tagger.tag(
        "China and Pakistan digitise cargo clearance on the Karakoram trade route",
        "Customs authorities in China and Pakistan launched an electronic clearance system for trucks crossing "
        "the Khunjerab Pass. Trucks are tracked with GPS along the highway to the ports of Karachi and Gwadar, "
        "so transit cargo moves under customs seal without repeated checks at every stop.",
    )
    assert sectors == ["transport", "trade"]


_GENEVA_TALKS = (
    "Delegates from producing and consuming countries met for a third day in Geneva under United Nations "
    "auspices, and officials said the talks would run into next week. "
)


@pytest.mark.parametrize(
    ("title", "text", "sector"),
    [
        ("UN conference adopts a new rubber pact", "The conference adopted the agreement on Friday. " + _GENEVA_TALKS * 3, "agriculture"),
        (
            "Washington weighs its response to Tokyo",
            _GENEVA_TALKS + "Officials accused Japan of unfair trade practices in semiconductors and said trade "
            "measures were being drafted. " + _GENEVA_TALKS,
            "trade",
        ),
    ],
)
def test_natural_rubber_is_a_crop_and_unfair_trade_is_trade(tagger, title, text, sector):
    assert tagger.tag(title, text) == [sector]


def test_the_film_industry_is_no_manufacturing(tagger):
    assert tagger.tag("Nigerian film industry breaks box office record", "Nollywood films earned more than ever.") == []


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


def test_a_dotted_abbreviation_in_mixed_case_is_no_acronym(tagger):
    """German "e.V." (a registered society) is no "EV", an electric vehicle."""
    assert tokens("Tafel e.V. and the u.s.") == ["tafel", "e", "v", "and", "the", "us"]
    assert tagger.tag("Berlin's Tafel e.V. seeks volunteers", "Tafel e.V. runs 40 food banks in Berlin.") == []


@pytest.mark.parametrize("energy", ["5 eV", "5eV", "0.7 eV", "13 TeV", "2 keV"])
def test_an_energy_in_electronvolts_is_no_electric_vehicle(tagger, energy):
    """Physics' "eV" after a number is a unit; "EV" in capitals after one is still the vehicle."""
    assert tagger.tag(f"Electrons of {energy} hit the target", f"The beam carried electrons of {energy}.") == []
    assert tagger.tag("China sold 5 EV models abroad", "") == ["transport"]


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


EARNINGS_TITLE = "Harbour Oil posts higher fourth quarter net"
EARNINGS_TEXT = (
    "Harbour Oil said fourth quarter net income rose 12 pct to 40 mln dlrs, or 1.10 dlrs per share, "
    "on revenues of 310 mln dlrs. Earnings per share for the year were 4.20 dlrs. The company also raised "
    "its quarterly dividend to 30 cents a share, payable to shareholders of record on May 1. "
    "The company said higher oil prices and stronger gasoline margins lifted results."
)
TAKEOVER_TITLE = "Northfield agrees takeover of Ridge Copper"
TAKEOVER_TEXT = (
    "Northfield Holdings said it agreed to acquire Ridge Copper in a takeover worth 900 mln dlrs. "
    "Shareholders of Ridge will receive 12 dlrs a share in cash under the definitive agreement, and "
    "the merger needs the approval of Ridge stockholders. Ridge owns a copper mine in the north."
)


@pytest.fixture(scope="module")
def tagger_without_rivals() -> SectorTagger:
    taxonomy = load_taxonomy()
    return SectorTagger(taxonomy.sectors, taxonomy.ignore)


@pytest.mark.parametrize(
    ("title", "text", "sector"), [(EARNINGS_TITLE, EARNINGS_TEXT, "energy"), (TAKEOVER_TITLE, TAKEOVER_TEXT, "mining")]
)
def test_company_results_and_deals_are_not_the_company_s_industry(tagger, tagger_without_rivals, title, text, sector):
    assert sector in tagger_without_rivals.tag(title, text)  # the industry's words are there
    assert sector not in tagger.tag(title, text)


def test_rival_subjects_are_never_tags_or_scores(tagger):
    assert tagger.tag(EARNINGS_TITLE, EARNINGS_TEXT) == []
    assert set(tagger.scores(EARNINGS_TITLE, EARNINGS_TEXT)) <= set(tagger.sectors)
    assert "company_results" not in tagger.sectors


def test_ambiguous_words_deep_in_a_long_article_do_not_make_a_sector(tagger):
    body = (
        "The city council approved next year's budget on Tuesday evening after a debate that lasted "
        "more than six hours. Councillors argued about the number of staff in the libraries, the opening "
        "hours of the swimming pools, the price of parking and the repair of two old bridges. "
        "The mayor said the depot would switch its vans from oil to gas, that the oil tanks behind the "
        "depot would go, that a gas pipeline would reach the depot in spring, and that the old barrels "
        "would be sold, because gas was cheaper than oil this winter."
    )
    assert "energy" not in tagger.tag("Council approves yearly budget", body)
    assert tagger.tag("Depot switches from oil to gas", "A gas pipeline will replace the oil barrels.") == ["energy"]
    assert "energy" in tagger.tag("Depot switches from oil to gas", body)  # the title makes the same words count


def test_a_decisive_headline_tags_a_long_article(tagger):
    body = (
        "The two governments ended their meeting on Friday without a statement. Officials from both sides "
        "left the capital in the evening, and neither would say when they might meet again. Newspapers in "
        "both countries carried the story on their front pages, and opposition leaders called for calm. "
        "The next round was due in the spring, but no date has been set. Diplomats said the mood was poor, "
        "and several delegates flew home a day early after a short closing session."
    )
    assert tagger.tag("Trade war looms as talks collapse", body) == ["trade"]
    assert tagger.tag("Talks collapse without a statement", body) == []


def test_a_weak_second_sector_is_left_out(tagger):
    title = "Wheat harvest breaks record"
    text = (
        "Farmers brought in a record wheat crop this year, the agriculture ministry said, as good rains "
        "helped the grain harvest across the plains. Growers expect high prices for wheat and barley, "
        "and the grain will be loaded onto vessels at the port."
    )
    scores = tagger.scores(title, text)
    assert scores["transport"] >= threshold(len(title) + len(text))  # enough on its own
    assert tagger.tag(title, text) == ["agriculture"]


def test_a_second_sector_nearly_as_strong_is_kept(tagger):
    tags = tagger.tag(
        "Rice farmers get AI pest warnings on their phones",
        "Rice farmers in the delta receive pest warnings from an artificial intelligence system. The software "
        "reads photos of the crop that farmers send from their mobile phones.",
    )
    assert sorted(tags) == ["agriculture", "technology"]


def test_config_can_make_a_rival_subject_a_sector():
    title = "City win the cup final"
    text = "City beat United 3-1 in the final. The coach praised the team and the fans."
    assert SectorTagger.from_settings().tag(title, text) == []
    settings = TaxonomySettings(sectors={"sport": SectorExtension(name="Sport")})  # no keywords needed
    promoted = SectorTagger.from_settings(settings)
    assert promoted.tag(title, text) == ["sport"]
    assert promoted.sectors["sport"].name == "Sport"


def test_a_taxonomy_with_a_rival_named_like_a_sector_is_rejected(tmp_path):
    path = tmp_path / "taxonomy.yaml"
    path.write_text(
        "sectors:\n  sport:\n    name: Sport\n    terms:\n      3: [football]\n"
        "rivals:\n  sport:\n    name: Sport\n    terms:\n      3: [tennis]\n",
        encoding="utf-8",
    )
    with pytest.raises(TaxonomyError, match="sport"):
        load_taxonomy(path)


def test_stock_markets_and_bond_issues_are_not_finance(tagger):
    market_report = (
        "Wall Street stocks closed higher on Monday as the Dow Jones industrial average gained 30 points. "
        "Traders on the stock exchange said share prices rose in heavy trading, led by computer makers, "
        "and the Nasdaq index also ended the day up. Analysts expect the rally to continue this week."
    )
    assert "finance" not in tagger.tag("Wall Street stocks close higher", market_report)
    bond_issue = (
        "Harbour Electric said it is issuing 200 mln Swiss franc notes due 1994, carrying a coupon of "
        "five pct, through lead manager a Zurich bank. The notes will be listed in Zurich. The company "
        "said it would use the funds to refinance a plant it built three years ago in the south."
    )
    assert "finance" not in tagger.tag("Harbour Electric issues Swiss franc notes", bond_issue)
    currency_report = (
        "The dollar fell against the yen and the mark in Tokyo as dealers said the central bank stayed out of "
        "the foreign exchange market. Currency traders expect the dollar to stay weak until the Federal "
        "Reserve acts on interest rates, and sterling also slipped in thin trading during the afternoon."
    )
    assert tagger.tag("Dollar falls in Tokyo", currency_report) == ["finance"]


def test_debt_talks_are_not_finance(tagger):
    text = (
        "Brazil and its creditor banks ended a round of debt talks in New York without an agreement on the "
        "rescheduling of 68 billion dlrs of foreign debt. The bank advisory committee said talks on new money "
        "would go on next month, and the central bank governor said Brazil would keep its interest moratorium "
        "on debt payments until the creditors agree to a new package."
    )
    assert "finance" not in tagger.tag("Brazil debt talks end without accord", text)


def test_a_long_article_needs_a_decisive_phrase_for_a_sector(tagger):
    body = (
        "Triton Energy Corp said its president resigned for personal reasons after eleven years with the "
        "company. The board named the chief financial officer to serve as president until a successor is "
        "found, and said the search would take several months. The company said the resignation had nothing "
        "to do with its business or its accounts. Triton Energy shares were unchanged in late trading."
    )
    title = "Oil explorer Triton Energy loses its president"
    assert tagger.scores(title, body)["energy"] >= threshold(len(title) + len(body))  # "oil", "energy" in the title
    assert tagger.tag(title, body) == []
    assert tagger.tag(title, body + " It pumps crude oil in Texas.") == ["energy"]


def test_an_ignore_entry_of_word_choices_stands_for_every_combination(tmp_path):
    path = tmp_path / "taxonomy.yaml"
    path.write_text(
        "ignore:\n  - tear gas\n  - [[mln, billion], [yen, francs]]\n"
        "sectors:\n  finance:\n    name: Finance\n    terms:\n      3: [yen]\n",
        encoding="utf-8",
    )
    taxonomy = load_taxonomy(path)
    assert set(taxonomy.ignore) == {"tear gas", "mln yen", "mln francs", "billion yen", "billion francs"}
    tagger = SectorTagger(taxonomy.sectors, taxonomy.ignore)
    assert tagger.tag("Loan of 50 billion yen", "") == []
    assert tagger.tag("Yen rises", "") == ["finance"]


def test_config_can_make_stock_markets_a_sector():
    title = "Wall Street stocks close higher"
    text = "The Dow Jones average rose 30 points as share prices climbed on the stock exchange."
    settings = TaxonomySettings(sectors={"markets": SectorExtension()})
    assert SectorTagger.from_settings(settings).tag(title, text) == ["markets"]


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Code Health: keep your functions short",
            "This is another post in our Code Health series. Long functions are hard to read and to test; "
            "split them, and the codebase health dashboard turns green.",
        ),
        (
            "Why our team cares about code health",
            "Code health is the readability and maintainability of a codebase. We track project health "
            "with a dashboard and review every change.",
        ),
    ],
)
def test_software_code_health_is_not_health_news(tagger, title, text):
    assert "health" not in tagger.tag(title, text)


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Sunny 2BD/1BA, Hardwood, Dishwasher, Parking, Laundry (riverside) $2400 2bd 900ft2",
            "Please contact us to schedule a viewing appointment. 2 Bedroom / 1 Bathroom Apartment. "
            "Terms: $2400 rent, $2600 fully refundable security deposit. Garage parking available.",
        ),
        (
            "Spacious family home for rent (hillside) $3900 3bd",
            "Updated 3 bedroom, 2 bath home. Oak hardwood floors, stainless steel appliances, gas stove "
            "and a sunny deck. Walk-in closet, washer/dryer in unit. Security deposit one month's rent.",
        ),
        (
            "1BR with garage parking near the highway (lakeside) $1800 1bd",
            "For lease: bright 1 bedroom apartment, hardwood floors, dishwasher. Parking space included; "
            "a short walk to the train station and the highway on-ramp. Security deposit $1800.",
        ),
    ],
)
def test_a_home_to_rent_is_no_transport_or_mining_news(tagger, title, text):
    assert tagger.tag(title, text) == []


def test_a_steel_price_story_is_still_mining(tagger):
    assert "mining" in tagger.tag(
        "Stainless steel prices climb as nickel supply tightens",
        "Steelmakers raised stainless steel prices for a third month as nickel output fell.",
    )


def test_parking_and_highway_news_is_still_transport(tagger):
    assert "transport" in tagger.tag(
        "City raises parking fees downtown",
        "Parking meters will cost twice as much from May, and the highway toll rises too.",
    )


PORTUGUESE_TITLE = "Coreia do Norte anuncia reabertura de canal de comunicação com vizinho do Sul"
PORTUGUESE_TEXT = "O governo diz que o canal de comunicação com o vizinho do Sul volta a funcionar na segunda-feira."


@pytest.mark.parametrize("language", ["pt-PT", "pt", "de-de"])
def test_an_english_word_in_a_text_in_another_language_is_weaker_evidence(tagger, language):
    assert tagger.tag(PORTUGUESE_TITLE, PORTUGUESE_TEXT) == ["transport"]  # "canal", read as English
    assert tagger.tag(PORTUGUESE_TITLE, PORTUGUESE_TEXT, language) == []


def test_a_text_in_another_language_still_tags_on_strong_evidence(tagger):
    assert tagger.tag(
        "Greve nos portos: navios de carga esperam no porto de Santos",
        "Os navios de carga e os petroleiros esperam. Container ship, cargo ship, port, ferry: the shipping "
        "lane is closed, dizem os armadores.",
        "pt-br",
    ) == ["transport"]


@pytest.mark.parametrize("language", ["en", "en-GB", None, ""])
def test_english_or_an_undeclared_language_is_read_in_full(tagger, language):
    assert tagger.tag("Canal reopens to ships", "The canal reopened to cargo traffic on Monday.", language) == [
        "transport"
    ]


def test_a_text_in_english_from_a_source_declaring_another_language_is_read_in_full(tagger):
    title, text = "Canal talks resume", "The government said it is ready to talk with the South again."
    assert tagger.tag(title, text, "kn") == tagger.tag(title, text) == ["transport"]


@pytest.mark.parametrize(
    ("title", "text"),
    [
        # spelt the British way or in one word
        ("Malaysia's data centre boom", "Operators plan three new data centres in Johor this year."),
        ("Cyberattack disrupts Kenyan government services", "The eCitizen portal was offline for two days."),
        ("Lagos start-up raises $5m", "The start-up was founded in 2021 by two engineers."),
        # new words
        ("Large language models struggle with Swahili, study finds", "Researchers tested five models on Swahili questions."),
        ("OpenAI opens office in Singapore", "The ChatGPT maker will hire staff for the region."),
        ("Ransomware locks Jakarta city records", "The attackers demanded a payment to unlock the files."),
        ("Data breach exposes millions of voters' records", "The leaked records include names and ID numbers."),
        ("Africa's first AI factory opens in Johannesburg", "The site houses thousands of Nvidia GPUs."),
        ("Nvidia unveils a faster GPU", "It ships to customers in Taiwan next year."),
        ("Kenya's Konza smart city signs deal with Korean firm", "The consortium will build roads and offices."),
    ],
)
def test_todays_technology_terms_are_technology(tagger, title, text):
    assert tagger.tag(title, text) == ["technology"]


@pytest.mark.parametrize(
    ("title", "text", "sectors"),
    [
        ("Hinkley Point C nuclear reactor to start up in 2031", "", ["energy"]),
        ("Talks on wheat exports start up again", "", ["agriculture"]),
        ("Lagos start-ups raise $5m", "", ["technology"]),
    ],
)
def test_start_up_is_a_startup_only_written_with_a_hyphen(tagger, title, text, sectors):
    """"start-up" is the noun, a young firm; "start up" the verb, as a reactor or talks start up."""
    assert tagger.tag(title, text) == sectors


@pytest.mark.parametrize(
    ("title", "text", "sector"),
    [
        ("Robotaxis begin service in Abu Dhabi", "Driverless taxis started carrying passengers on Yas Island.", "transport"),
        ("Kenyans warm to EVs", "EV sales doubled last year.", "transport"),
        ("Telemedicine reaches rural Pakistan", "Video consultations link villages with specialists.", "health"),
        ("Nairobi firm raises $10m", "The agritech firm sells soil sensors to smallholders.", "agriculture"),
        ("Pakistan to pilot stablecoin rules", "Regulators will also study crypto exchanges.", "finance"),
        ("India's UPI links with Singapore's PayNow", "People can send cross-border payments instantly.", "finance"),
        ("Gigafactory opens in Hungary", "It will employ 2,000 people.", "manufacturing"),
        ("US and DR Congo sign pact", "The deal covers critical minerals for ten years.", "mining"),
        ("Load shedding eases in South Africa", "Eskom said rooftop solar and mini-grids cut demand.", "energy"),
    ],
)
def test_todays_words_of_each_sector_name_it(tagger, title, text, sector):
    assert tagger.tag(title, text)[0] == sector


@pytest.mark.parametrize("word", ["fintech", "edtech", "agritech", "healthtech"])
def test_a_sector_s_technology_is_technology_news_too(tagger, word):
    assert "technology" in tagger.tag(f"{word.title()} firm raises $5m", "The company was founded in Nairobi in 2021.")


@pytest.mark.parametrize(
    ("title", "text", "sectors"),
    [
        ("Tech layoffs reach 100,000", "Google, Meta and Amazon cut jobs.", ["technology"]),
        ("Call centre workers retrained as AI spreads", "Outsourcing firms in Manila retrain staff.", ["technology"]),
        ("Factory workers strike in Shenzhen", "They want higher pay.", ["manufacturing"]),
    ],
)
def test_workers_and_layoffs_are_factory_news_only_in_a_factory(tagger, title, text, sectors):
    assert tagger.tag(title, text) == sectors


@pytest.mark.parametrize(
    ("title", "text", "main"),
    [
        ("Kenyan farmers get AI-powered crop monitoring", "Satellite images warn farmers of pests, drought and crop disease.", "agriculture"),
        ("Eskom uses AI to predict power station breakdowns", "The utility hopes to end load shedding by spotting faults early.", "energy"),
    ],
)
def test_technology_named_in_the_headline_is_kept_beside_a_stronger_sector(tagger, title, text, main):
    assert sorted(tagger.tag(title, text)) == sorted([main, "technology"])


def test_a_sector_kept_beside_others_only_where_its_headline_names_it(tagger):
    text = "Farmers in the Rift Valley plant maize and wheat; the harvest and crop prices rose. An app shows the weather."
    assert tagger.tag("Kenyan maize harvest up", text) == ["agriculture"]


def test_a_sector_extended_from_the_config_stays_beside_others():
    settings = TaxonomySettings(sectors={"technology": SectorExtension(keywords=["quantum annealing"])})
    assert SectorTagger.from_settings(settings).sectors["technology"].beside_others


def test_ev_in_a_valuation_ratio_is_no_electric_vehicle(tagger):
    text = "The brewer trades at 9 times EV/EBITDA, below its peers at an EV to EBITDA of 11."
    assert "transport" not in tagger.tag("Brewer's shares look cheap", text)
