"""Country and region tagging: names, datelines, ambiguous names, scoring and region membership."""

from __future__ import annotations

import pytest

from content.tagging.places import (
    PlaceTagger,
    countries_in_region,
    known_regions,
    place_name,
    region_scope,
    regions_of,
)


@pytest.fixture(scope="module")
def tagger() -> PlaceTagger:
    return PlaceTagger()


def countries(tagger: PlaceTagger, title: str, text: str = "") -> list[str]:
    return tagger.tag(title, text)[0]


def regions(tagger: PlaceTagger, title: str, text: str = "") -> list[str]:
    return tagger.tag(title, text)[1]


# -- names, aliases, demonyms ------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Kenya opens a new solar plant", ["KE"]),
        ("Schools in Thailand try AI tutors", ["TH"]),
        ("Viet Nam raises rice exports", ["VN"]),
        ("Vietnam raises rice exports", ["VN"]),
        ("Ivory Coast cocoa harvest starts early", ["CI"]),
        ("Côte d'Ivoire cocoa harvest starts early", ["CI"]),
        ("Cote d'Ivoire cocoa harvest starts early", ["CI"]),
        ("Burma frees prisoners", ["MM"]),
        ("Myanmar frees prisoners", ["MM"]),
        ("Zaire's copper output falls", ["CD"]),
        ("Holland builds more dikes", ["NL"]),
        ("Britain and the U.K. budget", ["GB"]),
        ("Scotland votes on wind farms", ["GB"]),
        ("West Germany cuts interest rates", ["DE"]),
        ("Czech Republic joins the project", ["CZ"]),
        ("Czechia joins the project", ["CZ"]),
        ("South Korea and North Korea resume talks", ["KP", "KR"]),
        ("PRC lifts export ban", ["CN"]),
        ("U.S. jobless claims fall", ["US"]),
        ("USA signs the treaty", ["US"]),
        ("Russia and Iran sign gas deal", ["IR", "RU"]),
        ("Laos and Bolivia agree on lithium", ["BO", "LA"]),
        ("Tanzania, Venezuela and Syria at the summit", ["SY", "TZ", "VE"]),
        ("Taiwan chip makers expand", ["TW"]),
        ("Guinea-Bissau holds elections", ["GW"]),
        ("Papua New Guinea signs LNG deal", ["PG"]),
        ("Equatorial Guinea oil output rises", ["GQ"]),
        ("Guinea bauxite exports rise", ["GN"]),
        ("N. Korea fires ballistic missile into sea", ["KP"]),
        ("N.Korea fires ballistic missile into sea", ["KP"]),
        ("NKorea fires ballistic missile into sea", ["KP"]),
        ("S.Korea's exports rise", ["KR"]),
        ("SKorea's exports rise", ["KR"]),
        ("N. Korea and S. Korea reopen hotline", ["KP", "KR"]),
        ("N. Korean troops fight in Kursk", ["KP"]),
        ("N.Korean hackers steal crypto", ["KP"]),
    ],
)
def test_names_and_aliases_in_titles(tagger, title, expected):
    assert countries(tagger, title) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kenyan farmers said the Kenyan rains came late for Kenyan tea.", ["KE"]),
        ("Thai officials met Thai exporters; Thai rice prices rose.", ["TH"]),
        ("Pakistani and Pakistani-owned firms led; Pakistani banks followed.", ["PK"]),
        ("Emirati investors and Saudi funds bought Emirati and Saudi bonds. Emirati demand held.", ["AE", "SA"]),
        ("Filipino nurses and Filipino teachers joined Filipino unions.", ["PH"]),
        ("Cabo Verdean fans cheered; Cabo Verdean players and Cabo Verdeans sang.", ["CV"]),
        ("Greenlandic leaders and Greenlanders said Greenlandic fishing must stay local.", ["GL"]),
        ("Gazans queued for bread; Gazan doctors said Gazans lacked fuel.", ["PS"]),
        ("Kyrgyzstani and Uzbekistani traders met Tajikistani and Turkmenistani buyers. "
         "Kyrgyzstani, Uzbekistani, Tajikistani and Turkmenistani officials agreed.", ["KG", "TJ", "TM", "UZ"]),
    ],
)
def test_demonyms_count_when_repeated(tagger, text, expected):
    assert countries(tagger, "Market report", text) == expected


def test_us_the_pronoun_is_not_a_country_but_us_in_capitals_is(tagger):
    assert countries(tagger, "Tell us what you think", "Write to us and let us know. Join us.") == []
    assert countries(tagger, "Trade talks", "The US and the U.S. Treasury said the US would act.") == ["US"]


# -- datelines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NAIROBI, March 3 - Maize prices rose sharply this week.", ["KE"]),
        ("BANGKOK (Reuters) - The central bank held rates.", ["TH"]),
        ("KARACHI - Textile exports climbed.", ["PK"]),
        ("Frankfurt, March 12 - Bond yields eased.", ["DE"]),
        ("SAN JOSE, Calif., March 3 - Chip orders rose.", ["US"]),
        ("LONDON, Ontario, March 3 - The company raised its dividend.", ["CA"]),
        ("MILWAUKEE, Wis., March 2- Quarterly net rose.", ["US"]),
        ("NEW YORK, April 7 - Stocks closed higher.", ["US"]),
        ("ARNHEM, the Netherlands, April 1 - The licence was signed.", ["NL"]),
        ("TRIPOLI, Lebanon (AP) \u2014 Gunmen clashed in the port.", ["LB"]),
        ("TRIPOLI, Libya (AP) \u2014 Gunmen clashed in the port.", ["LY"]),
        ("PERTH, Scotland (AP) \u2014 The distillery reopened.", ["GB"]),
        ("BRAZZAVILLE, Congo (AP) \u2014 Voters queued.", ["CG"]),
        ("KINSHASA, Congo (AP) \u2014 Voters queued.", ["CD"]),
        ("Nairobi (AFP) - Police fired tear gas at protesters.", ["KE"]),
        ("Tbilisi (AFP) \u2013 Protesters rallied again.", ["GE"]),
        ("NEW DELHI: Growth slowed in the quarter.", ["IN"]),
    ],
)
def test_dateline_is_strong_evidence(tagger, text, expected):
    assert countries(tagger, "Market report", text) == expected


def test_a_dateline_is_read_only_at_the_start(tagger):
    text = "Prices rose. Analysts in TOKYO, March 3 - said little."
    assert countries(tagger, "Market report", text) == []


def test_a_sentence_in_mixed_case_is_no_dateline(tagger):
    assert countries(tagger, "Market report", "Nairobi - and Kampala - saw prices rise.") == []
    assert countries(tagger, "Market report", "Analysis: Nairobi prices rose.") == []


def test_unknown_dateline_place_gives_nothing(tagger):
    assert countries(tagger, "Market report", "SMALLTOWN, March 3 - Sales rose.") == []


# -- ambiguous names -------------------------------------------------------------------------


def test_chad_the_person_and_chad_the_country(tagger):
    assert countries(tagger, "Results", "Chad Smith scored twice. Chad Smith said he was happy.") == []
    assert countries(tagger, "Chad signs an oil deal with investors", "") == ["TD"]
    assert countries(tagger, "Oil", "Rebels in Chad attacked. Chad said troops in Chad held.") == ["TD"]


def test_jordan_the_person_river_and_country(tagger):
    assert countries(tagger, "Basketball", "Michael Jordan played. Later Michael Jordan rested.") == []
    assert countries(tagger, "Water", "Farmers along the Jordan River and the Jordan Valley.") == []
    assert countries(tagger, "Jordan raises bread prices", "") == ["JO"]


def test_holland_as_a_surname_is_a_person(tagger):
    film = "Tom Holland plays the lead. The actor said Tom Holland had trained for months."
    assert countries(tagger, "Tom Holland stars in a new heist film", film) == []
    assert countries(tagger, "Concert", "Jools Holland played piano. Later Jools Holland sang.") == []
    assert countries(tagger, "Tulips", "Growers in Holland and in North Holland cut prices. Holland exports fell.") == [
        "NL"]
    assert countries(tagger, "Holland builds more dikes", "") == ["NL"]


@pytest.mark.parametrize(("title", "text"), [
    ("Reality TV", "Kenya Moore joined the cast. Later Kenya Moore said she was thrilled."),
    ("UFC", "Israel Adesanya won the fight in Sydney. Israel Adesanya said he would fight again."),
    ("Wikipedia", "Wikipedia founder Jimmy Wales said the site would go on. Jimmy Wales asked for donations."),
    ("Film", "Cuba Gooding Jr. starred in the film. Cuba Gooding Jr. said it was fun."),
    ("Kenya Moore Returns To The Show", ""),
    ("Sitcom", "Kenya Barris, America Ferrera and Kathy Ireland spoke. Steve Israel and Jamaica Kincaid listened."),
])
def test_well_known_people_named_after_a_country_are_people(tagger, title, text):
    assert countries(tagger, title, text) == []


@pytest.mark.parametrize(("title", "text", "expected"), [
    ("Airline", "Kenya Airways cut flights. Kenya Airways said fuel cost more.", ["KE"]),
    ("Press", "China Daily reported the plan. China Daily said more.", ["CN"]),
    ("Army", "The Pakistan Army said it moved troops. Pakistan Army units moved.", ["PK"]),
    ("Army", "The Israel Defense Forces said. Israel Defense Forces units moved.", ["IL"]),
    ("News", "Wales Online reported it. Wales Online said more.", ["GB"]),
    ("Copper", "Chile's copper exports rose. Chile's mines produced more.", ["CL"]),
    ("Politics", "NAIROBI, Kenya \u2014 Lawmakers met on Tuesday.", ["KE"]),
])
def test_a_country_before_another_capitalised_word_stays_a_country(tagger, title, text, expected):
    assert countries(tagger, title, text) == expected


def test_a_name_after_a_title_is_a_person(tagger):
    speech = "Mr Hague told parliament that Mr Hague would go on. Mrs. Jordan agreed, and so did Mr Jordan."
    assert countries(tagger, "Debate", speech) == []
    assert countries(tagger, "Fighting in eastern DR Congo", "Fighting went on in eastern DR Congo.") == ["CD"]
    assert countries(tagger, "Talks", "Ministers met in The Hague. The Hague talks went on in The Hague.") == ["NL"]


def test_georgia_the_us_state_and_the_country(tagger):
    us_story = "ATLANTA, Georgia, May 2 - Georgia farmers in Georgia expect a big peach crop."
    assert countries(tagger, "Peach crop", us_story) == ["US"]
    town = "The plant in Marietta, Georgia, will close. The Georgia plant employs 300."
    assert "GE" not in countries(tagger, "Plant closes", town)
    assert countries(tagger, "Georgia election results", "Voters in Atlanta and across Georgia voted.") == ["US"]
    assert countries(tagger, "Georgia and Armenia sign a transit deal", "TBILISI - The deal was signed.") == [
        "AM", "GE"]


def test_georgia_in_us_party_politics_is_the_state(tagger):
    story = ("Georgia's governor signed a bill on Tuesday that changes how counties certify ballots. "
             "Republicans said it would speed up counting; Democrats said it would slow it down.")
    assert countries(tagger, "Georgia's governor signs election bill", story) == ["US"]
    story = "The Georgian Dream party said Georgia would pause talks. Republicans in Congress objected."
    assert countries(tagger, "Georgia pauses EU talks", story) == ["GE"]


def test_a_georgian_town_before_georgia_is_in_the_country(tagger):
    """AP datelines name the country after its towns: "TBILISI, Georgia (AP) —" is no US town."""
    protest = "TBILISI, Georgia (AP) \u2014 Protesters rallied outside parliament for a third night."
    assert countries(tagger, "Protests go on", protest) == ["GE"]
    assert countries(tagger, "Port deal", "The port of Batumi, Georgia, will be rebuilt. Batumi is busy.") == ["GE"]
    assert countries(tagger, "Peaches", "ATLANTA, Georgia (AP) \u2014 Farmers expect a big crop.") == ["US"]


def test_turkey_the_bird_and_the_country(tagger):
    assert countries(tagger, "Holiday recipes", "Roast the turkey for three hours; turkey prices rose.") == []
    assert countries(tagger, "Turkey raises interest rates", "") == ["TR"]


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("How to Roast a Turkey This Thanksgiving", "Brine the bird overnight, then roast it slowly.", []),
        ("Turkey prices fall ahead of Thanksgiving", "Shoppers will pay less for the holiday bird.", []),
        ("Turkey Day travel record expected", "Airports braced for the busiest day of the year.", []),
        ("Turkey hosts Thanksgiving dinner for troops", "Turkish officials joined the dinner at Incirlik.", ["TR"]),
    ],
)
def test_a_capitalised_turkey_at_thanksgiving_is_the_bird(tagger, title, text, expected):
    assert countries(tagger, title, text) == expected


def test_niger_and_nigeria_are_told_apart(tagger):
    assert countries(tagger, "Nigeria expands oil output", "") == ["NG"]
    assert countries(tagger, "Niger uranium exports grow", "") == ["NE"]
    assert countries(tagger, "Floods hit the Niger Delta", "Oil firms in the Niger Delta halted output.") == []


def test_new_mexico_new_jersey_and_new_south_wales_are_not_mexico_jersey_or_wales(tagger):
    assert "MX" not in countries(tagger, "New Mexico solar farm opens", "")
    assert "JE" not in countries(tagger, "New Jersey transit strike", "")
    assert countries(tagger, "New South Wales drought deepens", "") == ["AU"]
    assert countries(tagger, "Mexico cuts tariffs", "") == ["MX"]


def test_longer_place_names_hold_a_city_or_country_of_another(tagger):
    assert countries(tagger, "Report", "SANTIAGO DE CUBA, Cuba (AP) \u2014 Blackouts hit the city.") == ["CU"]
    pilgrims = "Pilgrims walked to Santiago de Compostela. Santiago de Compostela's cathedral was full."
    assert "CL" not in countries(tagger, "Pilgrims flock to Santiago de Compostela", pilgrims)
    assert "JE" not in countries(tagger, "Jersey Shore reboot starts filming", "")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Sindh farmers adopt solar water pumps", ["PK"]),
        ("Balochistan signs mining deal with Saudi fund", ["PK", "SA"]),
        ("Tamil Nadu signs EV deal with Vietnam's VinFast", ["IN", "VN"]),
        ("Sulawesi nickel smelters expand", ["ID"]),
        ("Mindanao rice farmers get drones", ["PH"]),
        ("Inner Mongolia wind farms feed the grid", ["CN"]),
    ],
)
def test_a_province_or_state_names_its_country(tagger, title, expected):
    assert countries(tagger, title) == expected


def test_new_guinea_is_not_guinea(tagger):
    assert "GN" not in countries(tagger, "Rare birds found on New Guinea", "")


def test_china_inside_other_names_is_not_china(tagger):
    text = "Ships crossed the South China Sea. Trade in Indochina grew. She collected fine china and bone china."
    assert countries(tagger, "Shipping", text) == []
    assert countries(tagger, "China lifts export ban", "") == ["CN"]


def test_america_inside_region_names_is_not_the_us(tagger):
    assert tagger.tag("Latin America and South America trade grows", "") == (
        [], ["latin-america-and-the-caribbean", "south-america"])
    assert countries(tagger, "America votes", "") == ["US"]


def test_seas_and_products_named_after_countries(tagger):
    text = "Oil rigs in the Gulf of Mexico shut. The Gulf of Guinea was calm. The Gulf of Mexico reopened."
    assert countries(tagger, "Storm season", text) == []
    text = "The phone uses an Arm Mali GPU; Mali GPU drivers improved. He wore Air Jordan shoes."
    assert countries(tagger, "Phone review", text) == []


def test_breeds_and_peppers_named_after_countries(tagger):
    herd = "A herd of Jersey cows grazed. Jersey cows and Guernsey cattle give rich milk."
    assert countries(tagger, "Farm", herd) == []
    text = "Roasted chile peppers are good. Chile peppers and a chile pepper sauce sell well."
    assert countries(tagger, "Roasted Chile Peppers", text) == []
    text = "Toast Sichuan peppercorns, then grind them. Sichuan pepper numbs the tongue."
    assert countries(tagger, "Recipe: chicken with Sichuan pepper", text) == []
    assert countries(tagger, "Jersey votes on its budget", "") == ["JE"]


def test_lower_case_common_words_are_not_places(tagger):
    text = "The member states agreed. The united front held; states and america-themed cafes opened."
    assert countries(tagger, "Summit", text) == []


def test_a_title_case_headline_still_names_its_country(tagger):
    assert countries(tagger, "Chad Signs New Oil Deal With Investors", "") == ["TD"]


def test_a_title_case_headline_names_a_person_the_body_shows(tagger):
    text = "Jordan Peterson spoke for an hour. Later Jordan Peterson signed books."
    assert countries(tagger, "Jordan Peterson Speaks In Town", text) == []
    assert countries(tagger, "JORDAN PETERSON SPEAKS", text) == []


def test_a_place_name_before_a_us_state_is_a_us_town(tagger):
    text = "The mill in Lebanon, Pennsylvania, and another in Lebanon, Pa., will merge."
    assert "LB" not in countries(tagger, "Mills merge", text)
    assert countries(tagger, "Mills merge", "LEBANON, Pa., May 2 - " + text) == ["US"]
    assert countries(tagger, "Paris, Texas, gets a new mayor", "") == ["US"]
    assert countries(tagger, "Paris gets a new mayor", "") == ["FR"]
    assert countries(tagger, "France: Paris gets a new mayor", "") == ["FR"]


@pytest.mark.parametrize(
    "title",
    ["Nairobi startup uses AI to cut traffic jams", "Nairobi Startup Uses AI to Cut Traffic Jams", "AI in Nairobi's buses"],
)
def test_a_city_a_headline_names_is_where_the_story_is(tagger, title):
    text = "A young company has built an app that predicts congestion and suggests routes to drivers."
    assert countries(tagger, title, text) == ["KE"]
    assert countries(tagger, "Startup uses AI to cut traffic jams", f"{text} It is based in Nairobi.") == []


@pytest.mark.parametrize(
    "title", ["Paris Hilton launches AI app", "Sydney Sweeney Stars in AI Thriller", "Kingston Technology expands"]
)
def test_a_city_that_is_a_persons_name_before_another_name_in_a_headline_is_weak_evidence(tagger, title):
    assert countries(tagger, title, "The company said sales of the product had doubled.") == []
    assert countries(tagger, "Paris hosts AI summit", "Leaders met on Monday.") == ["FR"]


def test_a_city_a_headline_uses_for_an_institution_seated_there_is_weak_evidence(tagger):
    assert tagger.tag("Brussels fines Google over ad tech", "The European Commission said so.") == ([], ["european-union"])
    assert countries(tagger, "Geneva talks on trade stall", "Envoys left without a deal.") == []
    assert countries(tagger, "Brussels airport strike grounds flights", "Belgian unions called it.") == ["BE"]


@pytest.mark.parametrize(
    ("title", "meant"),
    [
        ("Lisbon Becomes a Mecca for Tech Startups", ["PT"]),  # was Saudi Arabia's news too
        ("Swiss Canton Backs Solar Subsidy", ["CH"]),  # was China's
        ("Cork Prices Rise as Wine Makers Switch to Screw Caps", []),  # was Ireland's
        ("Kenyan Farmers Turn to Buffalo Milk", ["KE"]),  # was the United States'
        ("Restorers Rebuild the Medina of Marrakech", ["MA"]),  # was Saudi Arabia's too
    ],
)
def test_a_city_whose_name_is_a_common_word_a_headline_capitalises_is_weak_evidence(tagger, title, meant):
    assert countries(tagger, title, "Demand has grown for three years, the growers' association said.") == meant
    assert countries(tagger, "Pilgrims return from Mecca", "Crowds were smaller this year.") == []
    assert countries(tagger, "Pilgrims return from Mecca", "Saudi officials said crowds in Mecca were smaller.") == ["SA"]


def test_a_city_in_a_headline_in_capitals_is_weak_evidence_as_tickers_and_firms_are_written_so(tagger):
    assert countries(tagger, "NAIROBI STARTUP USES AI", "A young company has built an app.") == []
    assert countries(tagger, "HANOVER COS INC SETS DIVIDEND", "The company said the dividend is payable.") == []


def test_a_name_the_story_shows_is_a_person_is_no_place_in_its_headline(tagger):
    assert countries(tagger, "Hague says talks will go on", "Mr Hague told reporters the talks would continue.") == []
    assert countries(tagger, "Isaiah Berlin, philosopher and pluralist, is dead at 88", "He wrote on liberty.") == []


@pytest.mark.parametrize(
    ("title", "text", "meant"),
    [
        ("Sydney landmark gets a solar roof", "Panels now cover the Sydney Opera House. Sydney's council paid for them.", "AU"),
        ("Paris fans celebrate title", "Paris Saint-Germain won the league. Fans filled the streets of Paris until dawn.", "FR"),
        ("Houston hospital opens AI lab", "Houston Methodist said the lab would study scans. It is the first in Houston.", "US"),
    ],
)
def test_a_place_before_a_name_in_the_story_is_still_a_place_where_its_case_shows_it(tagger, title, text, meant):
    # "Sydney Opera House" looks like a person's name, which made every Sydney of the story no place, headline included
    assert countries(tagger, title, text) == [meant]
    # where a headline's case cannot show it, a name the story shows beside another is a person's, as before
    assert countries(tagger, "Top Award Goes to Sydney", "Sydney Smith, the singer, won it on Monday.") == []


def test_a_treaty_or_county_named_after_a_city_is_no_place(tagger):
    assert countries(tagger, "Bush will go on opposing the Kyoto Protocol", "He said the pact was unfair.") == []
    assert countries(tagger, "Nassau County reassesses property", "Homeowners will see new bills.") == []


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Dublin, California opens a library", "The Dublin library cost $5 million. Dublin residents queued.", ["US"]),
        ("Fair opens", "Mexico, Missouri, hosts a county fair. Mexico residents said the Mexico fair grew.", ["US"]),
        ("Mayor elected", "LEBANON, Ohio (AP) \u2014 Lebanon's voters chose a mayor. Lebanon will get a new park.",
         ["US"]),
        ("Port reopens", "Sydney, Nova Scotia, reopened its port. Sydney officials said Sydney harbour was deep.",
         ["CA"]),
    ],
)
def test_a_town_placed_by_its_state_stays_there_through_the_story(tagger, title, text, expected):
    assert countries(tagger, title, text) == expected


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Distillery reopens",
         "The distillery in Perth, Scotland, reopened. Perth residents cheered in Perth.", ["GB"]),
        ("Protests", "In Valencia, Venezuela, students marched. Valencia police fired tear gas in Valencia.", ["VE"]),
        ("Vote", "Voters queued in Brazzaville, Congo, on Sunday. Brazzaville stayed calm.", ["CG"]),
    ],
)
def test_a_town_before_another_countrys_name_is_in_that_country(tagger, title, text, expected):
    assert countries(tagger, title, text) == expected


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Strikes", "In Kyiv, Russian drones struck flats. Russian officials denied it. Kyiv residents sheltered.",
         ["RU"]),
        ("KYIV, RUSSIAN DRONES HIT A POWER PLANT", "Russian drones hit a power plant, officials said.", ["RU"]),
        ("Talks", "In Moscow, Ukraine's envoy met officials. Moscow said the talks went well. Moscow wants a deal.",
         ["RU", "UA"]),
        ("Talks", "In Geneva, Iran said it would keep enriching. Geneva talks resume next week in Geneva.",
         ["CH", "IR"]),
        ("Strikes", "In Beirut, Iran-backed Hezbollah fired rockets. Beirut was hit. Beirut residents fled.",
         ["IR", "LB"]),
        ("Talks", "In Paris, U.S. officials met their counterparts. Paris hosted the talks in Paris.", ["FR", "US"]),
    ],
)
def test_a_clause_after_a_town_and_a_comma_does_not_place_it(tagger, title, text, expected):
    assert countries(tagger, title, text) == expected


def test_a_list_of_cities_and_countries_places_no_town(tagger):
    text = "Factories in Shanghai, Vietnam and Thailand grew. Shanghai wages rose. Shanghai output fell."
    assert countries(tagger, "Wages", text) == ["CN", "TH", "VN"]


def test_a_town_the_story_places_two_ways_is_left_as_written(tagger):
    text = "The mayor of Athens, Georgia, met the mayor of Athens, Greece. Greece and Athens hosted the talks."
    assert countries(tagger, "Sister cities", text) == ["GR"]


def test_a_list_of_countries_is_not_a_us_town(tagger):
    assert countries(tagger, "Kenya, Georgia and Chad sign a trade pact", "") == ["GE", "KE", "TD"]


def test_the_two_congos(tagger):
    assert countries(tagger, "Democratic Republic of the Congo holds vote", "") == ["CD"]
    assert countries(tagger, "Republic of the Congo holds vote", "") == ["CG"]
    assert countries(tagger, "Congo-Brazzaville holds vote", "") == ["CG"]
    # Bare "Congo" is taken as the larger, more often reported Democratic Republic, at demonym weight.
    assert countries(tagger, "Congo holds vote", "") == ["CD"]


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Festas de Natal enchem as lojas",
         "As festas de Natal trazem mais gente a Lisboa. O Natal e a epoca das compras. Feliz Natal."),
        ("IRS desce em 2027",
         "O IRS vai descer no proximo ano, disse o Governo. O reembolso do IRS chega em junho. O IRS muda."),
    ],
)
def test_portuguese_christmas_and_income_tax_are_not_places(tagger, title, text):
    assert countries(tagger, title, text) == []


def test_kwazulu_natal_and_the_us_tax_agency_still_count(tagger):
    assert countries(tagger, "Floods hit KwaZulu-Natal", "Rivers burst their banks near Durban.") == ["ZA"]
    assert countries(tagger, "Internal Revenue Service delays refunds", "The IRS blamed staff cuts.") == ["US"]


def test_soviet_capital_does_not_make_a_story_about_russia(tagger):
    assert countries(tagger, "Grain", "MOSCOW, March 3 - The Soviet Union bought wheat.") == []
    assert countries(tagger, "Grain", "MOSCOW, March 3 - Russia bought wheat.") == ["RU"]


# -- scoring -----------------------------------------------------------------------------------


def test_a_passing_mention_is_not_what_the_story_is_about(tagger):
    text = (
        "Kenya's central bank held its main rate on Tuesday. Kenyan inflation eased, "
        "the bank said, and Kenya's shilling was stable. Traders also watched oil prices, "
        "which rose after a storm in the Gulf of Mexico."
    )
    assert countries(tagger, "Kenya holds rates", text) == ["KE"]


def test_a_single_city_mention_is_weak(tagger):
    text = "The report was first presented at a conference in London last year, organisers said."
    assert countries(tagger, "Solar panels get cheaper", text) == []


def test_us_business_story_without_the_country_name(tagger):
    text = (
        "Acme Widgets Inc said its quarterly net income rose. The Federal Reserve's decision weighed "
        "on Wall Street, and the stock fell on the New York Stock Exchange."
    )
    assert countries(tagger, "Acme Widgets profit rises", text) == ["US"]


def test_empty_and_unusual_input(tagger):
    assert tagger.tag("", "") == ([], [])
    assert tagger.tag("12345", "!!! ??? ---") == ([], [])
    assert tagger.tag("TÜRKİYE İHRACATI ARTTI", "İSTANBUL - Şirketler") == (["TR"], [])


def test_results_are_sorted_codes(tagger):
    codes, _ = tagger.tag("Japan, Brazil and Kenya sign a climate pact", "")
    assert codes == ["BR", "JP", "KE"]


# -- regions -----------------------------------------------------------------------------------


def test_regions_are_tagged_when_named(tagger):
    assert regions(tagger, "AI education grows in Southeast Asia", "") == ["south-eastern-asia"]
    assert regions(tagger, "Drought in East Africa", "The Horn of Africa is worst hit.") == [
        "eastern-africa", "horn-of-africa"]
    assert regions(tagger, "Middle East oil", "Sub-Saharan Africa and Latin America follow.") == [
        "latin-america-and-the-caribbean", "middle-east", "sub-saharan-africa"]
    assert regions(tagger, "EU tightens rules", "The European Union said.") == ["european-union"]


def test_mena_and_latam_name_their_regions(tagger):
    assert tagger.tag("MENA IPOs surge as listings grow", "") == ([], ["middle-east-and-north-africa"])
    assert tagger.tag("LatAm FX slips as dollar firms", "") == ([], ["latin-america-and-the-caribbean"])
    spelled_out = "Listings in the Middle East and North Africa rose."
    assert regions(tagger, "IPOs", spelled_out) == ["middle-east", "northern-africa"]
    members, within = region_scope("middle-east-and-north-africa")
    assert {"EG", "SA", "MA"} <= members and {"middle-east", "northern-africa", "gulf"} <= within


def test_a_group_named_with_figures_is_tagged(tagger):
    # "G7" and "G-20" were no place: the matcher read letters only
    assert tagger.tag("G7 leaders meet in Italy", "")[1] == ["g7"]
    assert regions(tagger, "Finance ministers gather", "Ahead of the G-20 summit, the Group of Twenty talks debt.") == ["g20"]
    assert regions(tagger, "Group of Seven backs a price cap", "") == ["g7"]
    assert regions(tagger, "The g7 pixel phone", "A G70 sedan and a G 7B chip.") == []  # lower case, other figures
    assert regions(tagger, "Chapter 7 of the 20 rules", "") == []
    assert {"US", "JP"} <= countries_in_region("g7") and {"ZA", "AR", "SA"} <= countries_in_region("g20")


def test_regions_people_name_beyond_the_un_subregions(tagger):
    assert tagger.tag("APAC cloud spending grows", "") == ([], ["asia-pacific"])
    assert tagger.tag("Drought grips the Sahel", "") == ([], ["sahel"])
    assert tagger.tag("South Caucasus corridor talks resume", "") == ([], ["caucasus"])
    assert tagger.tag("Arab states back a reconstruction fund", "") == ([], ["arab-world"])
    assert tagger.tag("Gulf Arab states sign a deal", "") == ([], ["gulf"])
    assert regions(tagger, "EU offers the Western Balkans a growth plan") == ["european-union", "western-balkans"]
    assert regions(tagger, "Baltic states leave the Russian grid") == ["baltic-states"]
    assert regions(tagger, "Baltic Sea cable cut") == []
    members, within = region_scope("balkans")
    assert {"RS", "AL", "GR", "HR"} <= members and "western-balkans" in within
    assert {"JP", "VN", "AU"} <= region_scope("asia-pacific")[0]
    for typed, region in [("balkan", "balkans"), ("apac", "asia-pacific"), ("baltics", "baltic-states")]:
        assert tagger.resolve(typed).match.id == region


def test_groupings_of_countries_news_names(tagger):
    assert tagger.tag("Levant water talks resume", "") == ([], ["levant"])
    assert regions(tagger, "Eurozone inflation eases", "Prices in the euro area rose 2%.") == ["eurozone"]
    assert tagger.tag("BRICS bank lends for solar", "") == ([], ["brics"])
    assert tagger.tag("Benelux grid link", "") == ([], ["benelux"])
    assert tagger.tag("Pacific island nations seek climate finance", "") == ([], ["pacific-islands"])
    assert {"SY", "LB", "JO", "IL", "PS"} == countries_in_region("levant")
    assert {"DE", "FR", "BG", "HR"} <= countries_in_region("eurozone") and "PL" not in countries_in_region("eurozone")
    assert {"BR", "RU", "IN", "CN", "ZA"} <= countries_in_region("brics")
    assert {"FJ", "WS", "KI"} <= countries_in_region("pacific-islands") and "AU" not in countries_in_region("pacific-islands")
    for typed, region in [("brics", "brics"), ("euro zone", "eurozone"), ("levant", "levant")]:
        assert tagger.resolve(typed).match.id == region


def test_a_region_adjective_names_the_region(tagger):
    assert regions(tagger, "Southeast Asian customs agencies test AI risk checks", "") == ["south-eastern-asia"]
    assert regions(tagger, "Drones for West African cocoa", "Latin American buyers watch.") == [
        "latin-america-and-the-caribbean", "western-africa"]
    assert tagger.tag("Middle Eastern airlines order jets", "") == ([], ["middle-east"])


def test_bare_continent_adjectives_name_no_region(tagger):
    assert tagger.tag("African-American farmers sue", "") == (["US"], [])
    assert tagger.tag("Asian carp reach the Great Lakes", "") == ([], [])


def test_a_country_does_not_tag_its_region(tagger):
    assert tagger.tag("Kenya opens a new solar plant", "") == (["KE"], [])


def test_region_names_inside_country_names_do_not_count(tagger):
    assert tagger.tag("South Africa and the Central African Republic sign a deal", "") == (["CF", "ZA"], [])


def test_eu_in_lower_case_is_not_the_union(tagger):
    assert regions(tagger, "Report", "The word eu appears in eu-phemisms.") == []


def test_region_membership():
    assert {"TH", "VN", "ID", "PH"} <= countries_in_region("south-eastern-asia")
    assert "CN" not in countries_in_region("south-eastern-asia")
    assert {"KE", "NG", "ZA", "EG"} <= countries_in_region("africa")
    assert "EG" not in countries_in_region("sub-saharan-africa")
    assert {"MX", "BR", "JM"} <= countries_in_region("latin-america-and-the-caribbean")
    assert countries_in_region("atlantis") == frozenset()


def test_every_country_knows_its_regions():
    kenya = regions_of("KE")
    assert {"eastern-africa", "sub-saharan-africa", "africa"} <= set(kenya)
    assert "asia" not in kenya
    assert list(kenya) == sorted(kenya)
    assert "south-eastern-asia" in regions_of("th")
    assert regions_of("XX") == ()


def test_every_region_member_is_an_iso_country_or_kosovo_and_every_region_has_members():
    import pycountry

    iso_codes = {country.alpha_2 for country in pycountry.countries}
    outside_iso = set()
    for region_id in known_regions():
        members = countries_in_region(region_id)
        assert members, region_id
        outside_iso |= members - iso_codes
    assert outside_iso == {"XK"}  # Kosovo's user-assigned code, the one exception gazetteer.yaml lists


# -- Kosovo, outside ISO 3166-1 -----------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Government approves budget", "PRISTINA, Kosovo (AP) — The government approved a budget on Monday."),
        ("Startups look abroad", "PRISHTINA — Young founders say they lack investors."),
        ("Kosovar farmers try drones", "Farmers near Prizren map their fields from the air."),
        ("Republic of Kosovo signs a trade deal", ""),
        ("Kosova opens a solar plant", ""),
    ],
)
def test_kosovo_is_tagged_by_its_names_demonyms_and_cities(tagger, title, text):
    assert countries(tagger, title, text) == ["XK"]


def test_kosovo_belongs_to_southern_europe_and_the_balkans():
    assert {"southern-europe", "europe", "balkans", "western-balkans"} <= set(regions_of("XK"))
    assert "XK" in countries_in_region("western-balkans")
    assert place_name("XK") == "Kosovo"


def test_display_names():
    assert place_name("KE") == "Kenya"
    assert place_name("south-eastern-asia") == "Southeast Asia"
    assert place_name("CD") == "Democratic Republic of the Congo"
    assert place_name("unknown-place") == "unknown-place"
    assert known_regions()["middle-east"] == "Middle East"


@pytest.mark.parametrize(
    ("title", "meant"),
    [
        ("Hamilton wins in Abu Dhabi", ["AE"]),  # was Bermuda's too: Hamilton is its capital
        ("Florence wins best actress award", []),  # was Italy's
        ("Kingston signs a new record deal", []),  # was Jamaica's
        ("Wellington's letters from Waterloo go on sale", []),  # was New Zealand's
        ("Santiago scores twice as the Cubs win", []),  # was Chile's
        ("Valencia hits a grand slam", []),  # was Spain's
        ("Orlando stars in a new fantasy series", []),  # was the United States'
    ],
)
def test_a_city_that_is_a_common_personal_name_alone_in_a_headline_is_weak_evidence(tagger, title, meant):
    assert countries(tagger, title, "The crowd cheered long after the end.") == meant


def test_a_city_that_is_a_common_personal_name_in_a_headline_counts_with_the_body(tagger):
    assert countries(tagger, "Hamilton council approves budget", "Bermudian lawmakers backed it.") == ["BM"]
    assert countries(tagger, "Florence floods museum basements", "Italian officials counted the damage.") == ["IT"]


@pytest.mark.parametrize(
    "title", ["Jordan Peterson launches app", "Jordan Peterson Launches App", "Michael Jordan Buys a Team",
              "Chad Kroeger returns", "Jordan Spieth wins"]
)
def test_a_country_name_before_or_after_a_name_in_a_headline_is_a_persons(tagger, title):
    assert countries(tagger, title, "The plan was announced on Monday.") == []
    assert countries(tagger, "Jordan closes border crossing", "The plan was announced on Monday.") == ["JO"]


def test_a_country_name_a_known_full_name_in_the_body_shows_is_a_persons_in_a_title_case_headline(tagger):
    text = "Michael Jordan said he would keep the coach."
    assert countries(tagger, "Jordan Buys a Team", text) == []


def test_a_company_named_after_a_city_is_no_sign_of_the_citys_country(tagger):
    assert countries(tagger, "Bristol Myers Squibb wins approval", "Regulators cleared the drug.") == []
    assert countries(tagger, "Bristol-Myers Squibb Wins Approval", "Regulators cleared the drug.") == []
