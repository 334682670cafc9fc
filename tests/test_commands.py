"""Every command end to end through the router, on a store holding the sample articles.

Names are resolved by a small word-list tagger of the test's own, so suggestions and
regions behave the same whatever state the real resolver is in.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest
from rapidfuzz import fuzz, process

from bot.model import Command, Reply, Target
from bot.commands.news import CHOICES_PER_PAGE, Understanding, understand
from bot.router import build_router
from content.tagging import Match, Resolution, Tagger, place_name
from content.tagging.places import gazetteer, known_regions
from helpers_content import SAMPLE_ARTICLES, open_sample_store, sample_article, sample_context

SECTOR_NAMES = {
    "technology": "Technology",
    "energy": "Energy",
    "agriculture": "Agriculture",
    "education": "Education",
    "health": "Health",
    "transport": "Transport & logistics",
    "manufacturing": "Manufacturing",
    "finance": "Finance",
    "trade": "Trade",
}
PLACES = {
    "kenya": Match("country", "KE", "Kenya"),
    "ke": Match("country", "KE", "Kenya"),
    "thailand": Match("country", "TH", "Thailand"),
    "th": Match("country", "TH", "Thailand"),
    "pakistan": Match("country", "PK", "Pakistan"),
    "vietnam": Match("country", "VN", "Viet Nam"),
    "peru": Match("country", "PE", "Peru"),
    "southeast asia": Match("region", "south-eastern-asia", "Southeast Asia"),
    "south-eastern asia": Match("region", "south-eastern-asia", "Southeast Asia"),
}


class WordListTagger:
    """Exact names resolve; near misses come back as ranked suggestions."""

    def sector_names(self) -> dict[str, str]:
        return dict(SECTOR_NAMES)

    def resolve_sector(self, words: str, abbreviated: bool = True) -> Resolution:
        matches = {key: Match("sector", key, name) for key, name in SECTOR_NAMES.items()}
        return _resolve(words, matches)

    def resolve_place(self, words: str) -> Resolution:
        return _resolve(words, PLACES)

    def is_place_name(self, words: str) -> bool:
        return words.strip().lower() in PLACES

    def is_sector_keyword(self, words: str) -> bool:
        return False  # only names here


def _resolve(words: str, known: dict[str, Match]) -> Resolution:
    key = words.strip().lower()
    if key in known:
        return Resolution(known[key])
    near = process.extract(key, list(known), scorer=fuzz.ratio, score_cutoff=70, limit=5)
    return Resolution(None, tuple(dict.fromkeys(known[name] for name, _, _ in near)))


def command(line: str) -> Command:
    name, _, args = line.lstrip("/").partition(" ")
    return Command(name=name, args=args.strip(), user="u1", target=Target("test", "chat-1"))


@pytest.fixture
async def store(database_url):
    store = await open_sample_store(database_url)
    yield store
    await store.close()


@pytest.fixture
def router(store):
    return build_router(sample_context(store, WordListTagger()))


def titles(reply: Reply) -> list[str]:
    return [card.title for card in reply.cards]


def newest_first(articles) -> list[str]:
    return [a.title for a in sorted(articles, key=lambda a: a.published, reverse=True)]


async def collect_all_pages(router, line: str) -> list[str]:
    reply = await router.handle(command(line))
    seen = titles(reply)
    for _ in range(20):
        more = [action for action in reply.actions if action.label == "More"]
        if not more:
            return seen
        reply = await router.handle(command(more[0].command))
        seen += titles(reply)
    raise AssertionError("pagination never ended")


async def test_start_greets_and_offers_buttons(router):
    reply = await router.handle(command("/start"))
    assert "newsbot" in reply.text
    assert {action.command for action in reply.actions} >= {"/latest", "/help"}


async def test_help_lists_every_command_with_an_example_including_later_ones(router):
    async def weather(cmd, ctx):
        return Reply(text="sunny")

    router.register("weather", weather, "the weather", "/weather nairobi")
    text = (await router.handle(command("/help"))).text
    for name in ("start", "latest", "sector", "country", "news", "search", "sectors", "countries", "about", "subscribe"):
        assert f"/{name}:" in text
    assert "Example: /weather nairobi" in text
    assert "/more" not in text


async def test_latest_shows_the_newest_five_with_more(router):
    reply = await router.handle(command("/latest"))
    assert titles(reply) == newest_first(SAMPLE_ARTICLES)[:5]
    assert [action.label for action in reply.actions] == ["More"]


async def test_latest_n_and_its_bad_values(router):
    assert titles(await router.handle(command("/latest 2"))) == newest_first(SAMPLE_ARTICLES)[:2]
    for bad in ("0", "21", "twenty-one", "zero", "a", "-3"):
        reply = await router.handle(command(f"/latest {bad}"))
        assert reply.text.startswith("/latest takes a number from 1 to 20") and not reply.cards


async def test_latest_takes_its_number_in_words_too(router):
    assert titles(await router.handle(command("/latest five"))) == newest_first(SAMPLE_ARTICLES)[:5]
    assert titles(await router.handle(command("/latest Two"))) == newest_first(SAMPLE_ARTICLES)[:2]
    assert titles(await router.handle(command("/latest twenty"))) == newest_first(SAMPLE_ARTICLES)  # all twelve


@pytest.mark.parametrize(
    ("words", "meant", "line"),
    [("energy", "Energy", "/sector energy"), ("three energy", "Energy", "/sector energy"), ("kenya", "Kenya", "/country KE"),
     ("energy kenya", "Energy + Kenya", "/news energy Kenya"), ("smart grid", "“smart grid”", "/news smart grid"),
     ("5 energy", "Energy", "/sector energy"), ("kenya 10", "Kenya", "/country KE"),
     ("formula one", "“formula one”", "/news formula one"),  # a number word inside a name stays
     ("twenty one energy", "Energy", "/sector energy")],  # a number in two words is the number /latest takes
)
async def test_latest_with_words_points_to_the_lookup_of_them(router, words, meant, line):
    reply = await router.handle(command(f"/latest {words}"))
    assert reply.text == f"/latest takes a number from 1 to 20, e.g. /latest 10. For the latest on {meant}: {line}."
    assert [(action.label, action.command) for action in reply.actions] == [(meant, line)] and not reply.cards
    assert not (await router.handle(command("/latest -3"))).actions


async def test_more_continues_the_same_query_without_duplicates(router):
    every = await collect_all_pages(router, "/latest 5")
    assert every == newest_first(SAMPLE_ARTICLES)
    assert len(set(every)) == len(every)


async def test_the_more_command_fits_a_telegram_button(router):
    reply = await router.handle(command("/latest"))
    assert len(reply.actions[0].command.encode()) <= 64


async def test_pressing_more_twice_gives_the_same_page(router):
    more = (await router.handle(command("/latest 4"))).actions[0].command
    first, second = await router.handle(command(more)), await router.handle(command(more))
    assert titles(first) == titles(second) == newest_first(SAMPLE_ARTICLES)[4:8]


async def test_an_expired_more_token_is_explained(router):
    reply = await router.handle(command("/more nosuchtoken"))
    assert "expired" in reply.text and not reply.cards


async def test_sector_with_a_name_shows_its_articles_with_display_names(router):
    reply = await router.handle(command("/sector Energy"))
    assert reply.text == "Latest in Energy"
    assert titles(reply) == newest_first(a for a in SAMPLE_ARTICLES if "energy" in a.sectors)
    thai_grid = next(card for card in reply.cards if "Chiang Mai" in card.title)
    assert thai_grid.sectors == ("Energy", "Technology")
    assert thai_grid.countries == (place_name("TH"),)
    assert thai_grid.source == "Grid Bulletin"
    assert thai_grid.url == "https://news.example.org/001"
    assert not reply.actions


async def test_a_card_names_the_region_of_an_article_that_names_no_country(router):
    reply = await router.handle(command("/sector trade"))
    [regional] = [card for card in reply.cards if card.title.startswith("Southeast Asian regulators")]
    assert regional.countries == ("Southeast Asia",)


async def test_sector_without_a_name_lists_sectors_with_counts_as_buttons(router):
    reply = await router.handle(command("/sector"))
    labels = {action.label: action.command for action in reply.actions}
    assert labels["Education (3)"] == "/sector education"
    assert labels["Energy (2)"] == "/sector energy"
    assert "Health: 1" in reply.text
    assert "Mining" not in reply.text  # no articles, not listed


async def test_sectors_are_ordered_by_count(router):
    reply = await router.handle(command("/sectors"))
    counts = [int(action.label.rsplit("(", 1)[1].rstrip(")")) for action in reply.actions]
    assert counts == sorted(counts, reverse=True)
    assert reply.actions[0].label in ("Education (3)", "Agriculture (3)")


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        ("/sector kenya today", "/country KE today"),  # was /country KE: Kenya's news at any date
        ("/country energy since monday", "/sector energy since monday"),
        ("/sector enrgy this week", "/sector energy this week"),
        ("/country kenyaa last month", "/country KE last month"),
    ],
)
async def test_a_name_offered_for_the_wrong_one_keeps_the_time_asked_for(router, line, offered):
    reply = await router.handle(command(line))
    assert not reply.cards and reply.actions[0].command == offered


async def test_an_unknown_sector_gets_did_you_mean_buttons(router):
    reply = await router.handle(command("/sector enrgy"))
    assert "Did you mean Energy?" in reply.text
    assert reply.actions[0].command == "/sector energy"
    assert not reply.cards


async def test_a_sector_name_nothing_like_any_points_to_the_list(router):
    reply = await router.handle(command("/sector zzzzqqq"))
    assert "I don't know a sector called “zzzzqqq”" in reply.text
    assert [action.command for action in reply.actions] == ["/sectors"]


async def test_a_place_given_to_sector_is_redirected(router):
    reply = await router.handle(command("/sector kenya"))
    assert "Kenya is a place" in reply.text
    assert reply.actions[0].command == "/country KE"


@pytest.mark.parametrize(
    ("line", "usage", "either", "choices"),
    [
        ("/sector energy or agriculture", "/sector takes one sector.", "Energy or Agriculture",
         [("Energy", "/sector energy"), ("Agriculture", "/sector agriculture")]),
        ("/country kenya or thailand today", "/country takes one country or region.", "Kenya or Thailand",
         [("Kenya", "/country KE today"), ("Thailand", "/country TH today")]),
        ("/sector energy or drones", "/sector takes one sector.", "Energy or “drones”",
         [("Energy", "/sector energy"), ("“drones”", "/news drones")]),
        ("/latest kenya or drones", "/latest takes a number from 1 to 20, e.g. /latest 10.", "Kenya or “drones”",
         [("Kenya", "/country KE"), ("“drones”", "/news drones")]),
        ("/countries energy or agriculture", "/countries takes a page number, not words: it has pages 1 to 2.",
         "Energy or Agriculture", [("Energy", "/sector energy"), ("Agriculture", "/sector agriculture")]),
    ],
)
async def test_names_or_joins_are_pointed_to_one_at_a_time_not_to_news_on_all_of_them(router, line, usage, either, choices):
    reply = await router.handle(command(line))
    assert reply.text == f"{usage} For the latest on {either}, one at a time:"
    assert reply.private and [(action.label, action.command) for action in reply.actions] == choices


@pytest.mark.parametrize(
    ("line", "meant", "news"),
    [
        ("/sector energy kenya", "Energy + Kenya", "/news energy Kenya"),
        ("/sector energy agriculture", "Energy + Agriculture", "/news energy agriculture"),
        ("/country kenya energy", "Kenya + Energy", "/news Kenya energy"),
        ("/country kenya thailand", "Kenya + Thailand", "/news Kenya Thailand"),
        ("/sector energy kenya this week", "Energy + Kenya", "/news energy Kenya this week"),
    ],
)
async def test_a_sector_or_place_with_more_names_points_to_news_on_all_of_them(router, line, meant, news):
    reply = await router.handle(command(line))
    takes = "one sector" if line.startswith("/sector") else "one country or region"
    assert reply.text == f"{line.split()[0]} takes {takes}. For the latest on {meant}: {news}."
    assert reply.private and [(action.label, action.command) for action in reply.actions] == [(meant, news)]


@pytest.mark.parametrize(
    ("line", "text", "meant", "news"),
    [
        ("/country kenya nairobi", "/country takes one country or region. For the latest on Kenya + “nairobi”: "
         "/news Kenya nairobi.", "Kenya + “nairobi”", "/news Kenya nairobi"),
        ("/country nairobi kenya", "/country takes one country or region. For the latest on Kenya + “nairobi”: "
         "/news Kenya nairobi.", "Kenya + “nairobi”", "/news Kenya nairobi"),
        ("/sector energy new york", "/sector takes one sector. For the latest on Energy + “new york”: "
         "/news energy new york.", "Energy + “new york”", "/news energy new york"),
        ("/country kenia energy", "/country takes one country or region. Did you mean Kenya? For the latest on "
         "Energy + Kenya: /news energy Kenya.", "Energy + Kenya", "/news energy Kenya"),
        ("/sector energy kenia", "/sector takes one sector. Did you mean Kenya? For the latest on "
         "Energy + Kenya: /news energy Kenya.", "Energy + Kenya", "/news energy Kenya"),
    ],
)
async def test_a_name_with_a_city_or_a_misspelt_name_beside_it_points_to_news_as_two_names_do(store, line, text, meant, news):
    router = build_router(sample_context(store))
    reply = await router.handle(command(line))
    assert reply.text == text and reply.private and not reply.cards
    assert [(action.label, action.command) for action in reply.actions] == [(meant, news)]
    assert "Did you mean Kenya?" in (await router.handle(command("/country kenya 2025"))).text


async def test_flags_written_together_are_read_as_the_places_they_are_apart(store):
    router = build_router(sample_context(store))
    reply = await router.handle(command("/country 🇹🇭🇻🇳"))
    assert reply.text == "/country takes one country or region. For the latest on Thailand + Vietnam: /news Thailand Vietnam."
    for line in ("/news 🇹🇭🇻🇳", "/news energy 🇰🇪🇹🇭", "/subscribe 🇹🇭🇻🇳"):
        apart = line.replace("🇹🇭", " 🇹🇭 ")
        elsewhere = replace(command(apart), target=Target("test", "chat-2"))  # not subscribed there already
        assert (await router.handle(command(line))).text == (await router.handle(elsewhere)).text, line
    assert (await router.handle(command("/subscriptions"))).text.startswith("This chat's subscriptions:\n• Thailand + Vietnam")
    assert (await router.handle(command("/news " + "🇹🇭" * 21))).text.startswith("Please use at most 20 words")  # each a word


async def test_a_sector_with_words_that_name_nothing_more_is_still_asked_about(router):
    assert "Did you mean Energy?" in (await router.handle(command("/sector energy 2025"))).text


async def test_country_shows_its_articles(router):
    reply = await router.handle(command("/country kenya"))
    assert reply.text == "Latest from Kenya"
    assert titles(reply) == newest_first(a for a in SAMPLE_ARTICLES if "KE" in a.countries)


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("/sector the energy sector", "Latest in Energy"),  # was: I don't know a sector called “the energy sector”
        ("/sector latest energy news", "Latest in Energy"),
        ("/country news from kenya", "Latest from Kenya"),
    ],
)
async def test_one_name_among_words_that_only_join_a_request_is_that_name(store, line, heading):
    reply = await build_router(sample_context(store)).handle(command(line))
    assert reply.text == heading and reply.cards


async def test_a_group_of_countries_named_with_figures_is_a_region(store):
    # "/country g7" was Finance, G7 being one of its words, and "/news energy g20" Energy articles mentioning "g20"
    router = build_router(sample_context(store))
    assert (await router.handle(command("/country g7"))).text == "No articles about G7 yet."
    assert (await router.handle(command("/country G-20"))).text == "Latest from G20"
    for line, place in (("/news energy G7", "G7"), ("/news energy g20", "G20")):  # G7 was a word, a Finance keyword
        reply = await router.handle(command(line))
        assert reply.text == f"Nothing matches Energy + {place} yet. Try fewer words, or /search for the text alone."


async def test_country_by_iso_code_works_with_the_real_tagger(store):
    router = build_router(sample_context(store))
    reply = await router.handle(command("/country KE"))
    assert titles(reply) == newest_first(a for a in SAMPLE_ARTICLES if "KE" in a.countries)


@pytest.mark.parametrize("line", ["/news pm", "/news the pm", "/news tv"])
async def test_news_finding_nothing_offers_no_country_for_a_code_written_in_lower_case(store, line):
    reply = await build_router(sample_context(store)).handle(command(line))
    assert "Did you mean" not in reply.text and not reply.actions


async def test_news_finding_nothing_offers_the_country_of_a_code_written_in_capitals(store):
    reply = await build_router(sample_context(store)).handle(command("/news PM"))
    assert reply.text == "Nothing matches “PM” yet. Did you mean Saint Pierre and Miquelon?"


async def test_it_in_capitals_beside_other_words_is_technology_not_left_out(store):
    # "IT" was no name (two letters) and no word (search leaves out "it"): "/news IT kenya" was all of Kenya
    router = build_router(sample_context(store))
    assert "Technology + Kenya" in (await router.handle(command("/news IT kenya"))).text
    assert (await router.handle(command("/subscribe IT kenya"))).text.startswith("Subscribed to Technology + Kenya:")
    assert (await router.handle(command("/news it kenya"))).text.startswith("News: Kenya")  # a word, in lower case
    assert "“AI”" in (await router.handle(command("/news AI kenya"))).text  # a keyword, looked for as written


@pytest.mark.parametrize("line", ["/sector tv", "/sector pm"])
async def test_sector_reads_a_code_in_lower_case_as_no_place(store, line):
    reply = await build_router(sample_context(store)).handle(command(line))
    assert "is a place" not in reply.text


async def test_kosovo_outside_iso_is_listed_found_and_named_on_cards(database_url):
    pristina = sample_article(
        40, "Pristina startups court investors", "PRISTINA, Kosovo — Founders met investors.", countries=("XK",)
    )
    store = await open_sample_store(database_url, [*SAMPLE_ARTICLES, pristina])
    try:
        router = build_router(sample_context(store))
        listed = await router.handle(command("/countries"))
        assert {action.label: action.command for action in listed.actions}["Kosovo (1)"] == "/country XK"
        for line in ("/country XK", "/country kosovo"):
            reply = await router.handle(command(line))
            assert reply.text == "Latest from Kosovo"
            assert titles(reply) == [pristina.title] and reply.cards[0].countries == ("Kosovo",)
    finally:
        await store.close()


async def test_a_city_of_one_country_shows_that_countrys_news_and_a_shared_one_asks(store):
    router = build_router(sample_context(store))
    reply = await router.handle(command("/country nairobi"))
    assert reply.text == "Latest from Kenya"
    assert titles(reply) == newest_first(a for a in SAMPLE_ARTICLES if "KE" in a.countries)
    assert (await router.handle(command("/country kyiv"))).text == "No articles about Ukraine yet."
    tripoli = await router.handle(command("/country tripoli"))
    # not "I don't know a country or region called “tripoli”": it knows two
    assert tripoli.text == "“tripoli” is a place in more than one country: Libya or Lebanon?" and not tripoli.cards
    assert [action.command for action in tripoli.actions] == ["/country LY", "/country LB"]
    santiago = await router.handle(command("/country santiago"))
    assert santiago.text == "“santiago” is a place in more than one country: Chile, Cuba, Dominican Republic or Spain?"


async def test_a_city_in_news_or_subscribe_is_looked_for_as_written(store):
    router = build_router(sample_context(store))
    assert (await router.handle(command("/news fintech lagos"))).text.startswith("Nothing matches “fintech lagos” yet.")
    for words in ("lagos", "new york", "kyiv"):
        reply = await router.handle(command(f"/subscribe {words}"))
        assert reply.text.startswith(f"Subscribed to “{words}”:"), reply.text


async def test_a_region_is_a_region_query(router):
    reply = await router.handle(command("/country southeast asia"))
    assert reply.text == "Latest from Southeast Asia"
    assert titles(reply)[0] == "Southeast Asian regulators draft shared rules for AI in trade"
    assert set(titles(reply)) == {a.title for a in SAMPLE_ARTICLES if "south-eastern-asia" in a.regions}


async def test_an_unknown_country_gets_suggestions(router):
    reply = await router.handle(command("/country kenia"))
    assert "Did you mean Kenya?" in reply.text
    assert reply.actions[0].command == "/country KE"


async def test_a_known_country_without_articles_says_so(router):
    reply = await router.handle(command("/country peru"))
    assert reply.text == "No articles about Peru yet." and not reply.cards


async def test_countries_lists_countries_and_regions_with_counts(router):
    reply = await router.handle(command("/countries"))
    labels = {action.label: action.command for action in reply.actions}
    assert labels[f"{place_name('KE')} (3)"] == "/country KE"
    assert labels[f"{place_name('south-eastern-asia')} (5)"] == f"/country {place_name('south-eastern-asia')}"
    assert reply.text.startswith("Countries with articles:")
    assert "\nRegions:\n" in reply.text


@pytest.mark.parametrize(
    ("line", "text", "actions"),
    [
        ("/sectors 2", "There is no page 2: /sectors has one page.", [("Show the list", "/sectors")]),
        ("/sectors 0", "There is no page 0: /sectors has one page.", [("Show the list", "/sectors")]),
        ("/sectors -coal", "/sectors takes a page number, not words: it has one page.", [("Show the list", "/sectors")]),
        ("/countries kenya", "/countries takes a page number, not words: it has pages 1 to 2. For the latest on Kenya: "
         "/country KE.", [("Kenya", "/country KE")]),
        ("/sectors energy", "/sectors takes a page number, not words: it has one page. For the latest on Energy: "
         "/sector energy.", [("Energy", "/sector energy")]),
        ("/countries abc", "/countries takes a page number, not words: it has pages 1 to 2. For the latest on “abc”: "
         "/news abc.", [("“abc”", "/news abc")]),
    ],
)
async def test_a_list_given_no_page_it_has_says_so_and_points_words_to_their_lookup(router, line, text, actions):
    reply = await router.handle(command(line))
    assert reply.text == text and reply.private and not reply.cards
    assert [(action.label, action.command) for action in reply.actions] == actions
    assert (await router.handle(command("/sectors 1"))).text == (await router.handle(command("/sectors"))).text


@pytest.mark.parametrize(
    ("line", "words"),
    [("/countries 2 energy", "/countries energy"), ("/countries energy 2", "/countries energy"),
     ("/countries page 2 kenya", "/countries kenya"), ("/sectors two energy", "/sectors energy")],
)
async def test_a_lists_page_number_beside_words_is_no_word_of_them(router, line, words):
    # "/countries 2 energy" pointed to /news energy 2, the articles on Energy that mention “2”
    reply = await router.handle(command(line))
    pointed = await router.handle(command(words))
    assert (reply.text, reply.actions) == (pointed.text, pointed.actions)


@pytest.mark.parametrize(("line", "page"), [("/countries two", "/countries 2"), ("/countries Two", "/countries 2"),
                                            ("/countries page 2", "/countries 2"), ("/sectors one", "/sectors")])
async def test_a_lists_page_is_taken_in_words_too(router, line, page):
    assert (await router.handle(command(line))).text == (await router.handle(command(page))).text


async def test_a_page_in_words_the_list_lacks_is_said_to_be(router):
    reply = await router.handle(command("/sectors two"))
    assert reply.text == "There is no page two: /sectors has one page."


async def test_country_without_a_name_lists_places(router):
    assert (await router.handle(command("/country"))).text == (await router.handle(command("/countries"))).text


async def test_news_combines_a_sector_and_a_place(router):
    reply = await router.handle(command("/news energy thailand"))
    assert reply.text == "News: Energy + Thailand"
    assert titles(reply) == ["Thai utility pilots a smart grid in Chiang Mai"]


async def test_news_keeps_unrecognized_words_as_text_and_drops_stopwords(router):
    reply = await router.handle(command("/news AI reading tutor for education in Kenya"))
    assert reply.text == "News: Education + Kenya + “AI reading tutor”"
    assert titles(reply) == ["Kenyan schools try an AI reading tutor"]


async def test_news_reads_words_joined_by_a_comma_as_words_apart(router):
    for joined in ("energy,thailand", "energy;thailand", "energy/thailand"):
        reply = await router.handle(command(f"/news {joined}"))
        assert (reply.text, titles(reply)) == ("News: Energy + Thailand", ["Thai utility pilots a smart grid in Chiang Mai"])


async def test_news_recognizes_a_multiword_region(router):
    reply = await router.handle(command("/news trade in southeast asia"))
    assert reply.text == "News: Trade + Southeast Asia"
    assert titles(reply) == ["Southeast Asian regulators draft shared rules for AI in trade"]


async def test_news_with_nothing_matching_says_what_it_understood(router):
    reply = await router.handle(command("/news health thailand"))
    assert "Nothing matches Health + Thailand" in reply.text and not reply.cards


async def test_news_on_places_no_article_shares_offers_each_place_that_finds_articles(router):
    reply = await router.handle(command("/news education in thailand and kenya"))
    assert reply.text == "No article is on all of Education + Thailand + Kenya yet. One place at a time?"
    assert [(action.label, action.command) for action in reply.actions] == [
        ("Education + Thailand", "/news education Thailand"), ("Education + Kenya", "/news education Kenya"),
    ]
    reply = await router.handle(command("/news energy kenya vietnam"))  # Vietnam's one article is on Manufacturing
    assert [action.command for action in reply.actions] == ["/news energy Kenya"]
    reply = await router.handle(command("/news health thailand kenya"))  # neither has Health: nothing to offer
    assert reply.text.startswith("Nothing matches Health + Thailand + Kenya yet.") and not reply.actions


async def test_news_needs_words(router):
    assert "e.g. /news" in (await router.handle(command("/news"))).text
    assert "could not find a topic" in (await router.handle(command("/news in the of"))).text
    for nothing_quoted in ('""', '"', "“ ”"):
        assert "could not find a topic" in (await router.handle(command(f"/news {nothing_quoted}"))).text, nothing_quoted
    assert (await router.handle(command('/news kenya ""'))).text == "News: Kenya"


async def test_news_leaves_quoted_phrases_and_exclusions_to_the_search(router):
    reply = await router.handle(command('/news "smart grid"'))
    assert reply.text == "News: \"smart grid\""  # quoted by the person, so not quoted again
    assert titles(reply) == ["Thai utility pilots a smart grid in Chiang Mai"]
    reply = await router.handle(command("/news energy -villages"))
    assert reply.text == "News: Energy, without “villages”"
    assert titles(reply) == ["Thai utility pilots a smart grid in Chiang Mai"]
    reply = await router.handle(command('/news energy -"mini-grids" -villages'))
    assert reply.text == 'News: Energy, without "mini-grids", without “villages”'


async def test_news_that_only_leaves_articles_out_asks_for_a_topic_as_search_does(router):
    for words in ("-coal", '-"coal power" in', "-coal -villages"):
        reply = await router.handle(command(f"/news {words}"))
        assert reply.private and reply.text.startswith("Add a topic: “-” or “not” only leaves articles out") and not reply.cards
    assert (await router.handle(command("/news kenya -coal"))).text == "News: Kenya, without “coal”"


async def test_news_text_only_searches(router):
    reply = await router.handle(command("/news drones"))
    assert reply.text == "News: “drones”"
    assert titles(reply) == ["Thai vocational colleges teach drone mapping"]


async def test_news_finds_either_word_or_joins(router):
    reply = await router.handle(command("/news drones OR whiteflies"))
    assert reply.text == "News: “drones OR whiteflies”"
    assert sorted(titles(reply)) == ["Pakistani farmers get pest alerts by text message", "Thai vocational colleges teach drone mapping"]
    assert titles(await router.handle(command("/news thailand drones or whiteflies"))) == ["Thai vocational colleges teach drone mapping"]
    assert (await router.handle(command("/news energy or"))).text == "News: Energy"


async def test_news_offers_names_or_joins_one_at_a_time_as_it_finds_articles_on_all_it_names(router):
    reply = await router.handle(command("/news energy or agriculture"))
    assert reply.private and not reply.cards
    assert reply.text == "I look for articles on every sector and place named, so not on Energy or Agriculture: one at a time?"
    assert [(action.label, action.command) for action in reply.actions] == [
        ("Energy", "/sector energy"), ("Agriculture", "/sector agriculture")
    ]
    reply = await router.handle(command("/news kenya or thailand energy"))
    assert [(action.label, action.command) for action in reply.actions] == [
        ("Kenya + Energy", "/news Kenya energy"), ("Thailand + Energy", "/news Thailand energy")
    ]


async def test_news_offers_each_choice_of_two_ors_together(router):
    # each name alone was offered: Energy without Kenya or Thailand, Kenya with neither sector
    reply = await router.handle(command("/news energy or agriculture in kenya or thailand"))
    assert reply.text == (
        "I look for articles on every sector and place named, so not on Energy or Agriculture and Kenya or Thailand: "
        "one at a time?"
    )
    assert [action.command for action in reply.actions] == [
        "/news energy Kenya", "/news energy Thailand", "/news agriculture Kenya", "/news agriculture Thailand"
    ]
    reply = await router.handle(command("/news energy or agriculture or health kenya"))  # one choice of three
    assert [action.command for action in reply.actions] == ["/news energy Kenya", "/news agriculture Kenya", "/news health Kenya"]


THREE_CHOICES_OF_THREE = "energy or agriculture or health technology or trade or finance kenya or thailand or pakistan"


@pytest.mark.parametrize("line", [f"/news {THREE_CHOICES_OF_THREE}", f"/sector {THREE_CHOICES_OF_THREE}"])
async def test_ways_to_choose_past_a_page_are_counted_not_offered_as_buttons_no_platform_shows(router, line):
    # 27 ways: Telegram showed the first 56 of 64 such buttons and dropped the rest without a word
    reply = await router.handle(command(line))
    assert len(reply.actions) == CHOICES_PER_PAGE
    assert reply.actions[0].command == "/news energy technology Kenya"
    assert reply.text.endswith(
        f"\nThe first {CHOICES_PER_PAGE} of the 27 ways to choose are below: name fewer at a time for the others."
    )


async def test_news_offers_a_name_or_a_word_one_at_a_time_rather_than_both(router):
    reply = await router.handle(command("/news energy or drones"))
    assert reply.private and not reply.cards
    assert reply.text == (
        "I look for articles on every sector and place named that mention every word, so not on Energy or “drones”: "
        "one at a time?"
    )
    assert [(action.label, action.command) for action in reply.actions] == [("Energy", "/sector energy"), ("“drones”", "/news drones")]
    reply = await router.handle(command("/news thailand drones or the energy"))
    assert [(action.label, action.command) for action in reply.actions] == [
        ("Thailand + “drones”", "/news Thailand drones"), ("Thailand + Energy", "/news Thailand energy")
    ]


async def test_news_offers_a_name_of_several_words_or_joins_whole(router):
    # "new york" and "electric vehicle" are each one name looked for as written, not "new" or "york"
    reply = await router.handle(command("/news energy or new york"))
    assert "so not on Energy or “new york”:" in reply.text
    assert [action.command for action in reply.actions] == ["/sector energy", "/news new york"]
    reply = await router.handle(command("/news electric vehicle or kenya"))
    assert [action.command for action in reply.actions] == ["/news electric vehicle", "/country KE"]


async def test_news_hands_search_a_place_of_several_words_or_joins_whole(router, store):
    # search read "new york or boston" as new AND (york or boston): the museum in York, not Boston's lanes
    await store.add([
        sample_article(50, "New York adds bus lanes", "The city paints the lanes red."),
        sample_article(51, "Boston adds bike lanes", "The city paints the lanes green."),
        sample_article(52, "A new museum opens in York", "Visitors queue in England."),
    ])
    for line in ("/news new york or boston", "/news boston or new york"):
        reply = await router.handle(command(line))
        assert sorted(titles(reply)) == ["Boston adds bike lanes", "New York adds bus lanes"], line
    assert reply.text == 'News: “boston or new york”'  # named as searched for: “new york” whole


@pytest.mark.parametrize("line", ["/news new york", "/search new york", "/news new york lanes"])
async def test_a_place_of_several_words_without_or_is_looked_for_as_one_name(router, store, line):
    # without an "or" beside it, "new york" was "new" and "york" anywhere: the new museum in York too
    await store.add([
        sample_article(50, "New York adds bus lanes", "The city paints the lanes red."),
        sample_article(52, "A new museum opens in York", "Visitors queue in England and new lanes open."),
    ])
    assert titles(await router.handle(command(line))) == ["New York adds bus lanes"]


async def test_search_looks_for_a_country_of_several_words_as_one_name(router, store):
    # "/search south africa" was "south" and "africa" anywhere: a story from the south of Nigeria too
    await store.add([
        sample_article(50, "South Africa adds wind farms", "Turbines rise on the coast."),
        sample_article(52, "Floods in the south of Nigeria", "Africa's largest city braces for rain."),
    ])
    assert titles(await router.handle(command("/search south africa"))) == ["South Africa adds wind farms"]


async def test_news_reads_or_beside_a_quoted_phrase_as_beside_a_word(router):
    reply = await router.handle(command('/news "smart meters" or whiteflies'))  # found nothing: both were asked for
    assert sorted(titles(reply)) == ["Pakistani farmers get pest alerts by text message", "Solar mini-grids with smart meters reach Kenyan villages"]
    reply = await router.handle(command('/news energy or "smart meters"'))  # was Energy + "smart meters"
    assert [action.command for action in reply.actions] == ["/sector energy", '/news "smart meters"']
    reply = await router.handle(command("/news energy or -coal"))  # an exclusion is no alternative
    assert reply.text == "News: Energy, without “coal”"


async def test_a_heading_names_or_beside_a_quoted_phrase_where_it_stands(router):
    # read as either, the heading named both: “or whiteflies” + "smart meters"
    reply = await router.handle(command('/news "smart meters" or whiteflies'))
    assert reply.text == 'News: "smart meters" or “whiteflies”'
    reply = await router.handle(command('/search kenyan solar or "smart meters" -coal'))
    assert reply.text == 'Search: “kenyan” + “solar” or "smart meters", without “coal”'
    # an "or" that joins nothing is no part of what is searched for: it was named (“or solar”, “solar or”)
    assert (await router.handle(command("/search or solar"))).text == "Search: “solar”"
    assert (await router.handle(command("/search solar or -wind"))).text == "Search: “solar”, without “wind”"
    assert (await router.handle(command("/search solar or the wind"))).text == "Search: “solar or the wind”"


async def test_news_reads_or_beside_a_stop_word_as_search_does(router):
    reply = await router.handle(command("/news drones or the whiteflies"))
    assert reply.text == "News: “drones or whiteflies”"
    assert sorted(titles(reply)) == ["Pakistani farmers get pest alerts by text message", "Thai vocational colleges teach drone mapping"]
    reply = await router.handle(command("/news energy or the agriculture"))
    assert [action.command for action in reply.actions] == ["/sector energy", "/sector agriculture"]


async def test_news_reads_or_past_another_or_and_an_exclusion_as_search_does(router):
    # /search finds either word in each; /news asked for both, and for Energy + Agriculture
    either = ["Pakistani farmers get pest alerts by text message", "Thai vocational colleges teach drone mapping"]
    for words, heading in (
        ("drones or or whiteflies", "News: “drones or whiteflies”"),
        ("drones or the or whiteflies", "News: “drones or whiteflies”"),
        ("drones -coal or whiteflies", "News: “drones or whiteflies”, without “coal”"),
    ):
        reply = await router.handle(command(f"/news {words}"))
        assert (reply.text, sorted(titles(reply))) == (heading, either)
    reply = await router.handle(command("/news energy or or agriculture"))
    assert [action.command for action in reply.actions] == ["/sector energy", "/sector agriculture"]
    reply = await router.handle(command("/news energy -coal or agriculture"))
    assert [action.command for action in reply.actions] == ["/news energy -coal", "/news agriculture -coal"]


async def test_search_reads_or_with_punctuation_beside_it_as_news_does(router):
    # /news trimmed the comma and found either word; /search read "or," as a stop word and asked for both
    either = ["Pakistani farmers get pest alerts by text message", "Thai vocational colleges teach drone mapping"]
    for words in ("drones or, whiteflies", "drones ,or whiteflies", "drones or; whiteflies", "drones (or) whiteflies"):
        for name, heading in (("news", "News"), ("search", "Search")):
            reply = await router.handle(command(f"/{name} {words}"))
            assert (reply.text, sorted(titles(reply))) == (f"{heading}: “drones or whiteflies”", either), f"/{name} {words}"


async def test_a_heading_names_a_name_of_several_words_or_joins_as_one(router):
    # search reads "artificial intelligence" as one term, the choice of "smart meters": it was named apart
    reply = await router.handle(command('/search artificial intelligence or "smart meters"'))
    assert reply.text == 'Search: “artificial intelligence” or "smart meters"'
    reply = await router.handle(command('/search "smart meters" or artificial intelligence'))
    assert reply.text == 'Search: "smart meters" or “artificial intelligence”'


async def test_an_exclusion_of_no_word_leaves_or_alone(router):
    # "-the" leaves no article out, and parts no words "or" joins: /search drones or -the whiteflies asked for both
    reply = await router.handle(command("/search drones or -the whiteflies"))
    assert reply.text == "Search: “drones or whiteflies”"
    assert sorted(titles(reply)) == ["Pakistani farmers get pest alerts by text message", "Thai vocational colleges teach drone mapping"]


async def test_search_ranks_full_text_matches(router):
    reply = await router.handle(command("/search smart meters"))
    assert reply.text == "Search: “smart meters”"
    assert titles(reply)[0] == "Solar mini-grids with smart meters reach Kenyan villages"


async def test_search_parts_words_a_comma_semicolon_or_slash_joins_as_news_does(router):
    for joined in ("meters,villages", "meters;villages", "meters/villages"):
        reply = await router.handle(command(f"/search {joined}"))
        assert reply.text == "Search: “meters villages”", joined
        assert titles(reply) == ["Solar mini-grids with smart meters reach Kenyan villages"]


async def test_a_search_heading_reads_exclusions_as_news_does(router):
    assert (await router.handle(command("/search smart meters -coal"))).text == "Search: “smart meters”, without “coal”"
    reply = await router.handle(command('/search -"coal power" "smart meters" kenyan'))
    assert reply.text == 'Search: “kenyan” + "smart meters", without "coal power"'
    assert "mention “quantum”, without “solar”." in (await router.handle(command("/search quantum -solar"))).text


async def test_a_search_heading_names_no_exclusion_or_phrase_that_has_no_word(router):
    # "--" (as in "' OR 1=1 --"), "-!!!" and "-the" leave nothing out, as /news reads them
    for extra in ("--", "-!!!", "-the", '"!!!"', '-"the"'):
        reply = await router.handle(command(f"/search smart meters {extra}"))
        assert reply.text == "Search: “smart meters”", extra
        assert titles(reply)[0] == "Solar mini-grids with smart meters reach Kenyan villages"
    assert (await router.handle(command("/news energy -- -the"))).text == "News: Energy"


async def test_a_heading_echoes_brackets_as_typed(router):
    words = "<b>bold</b> *star* [l](http://e.x) @everyone #tag"
    reply = await router.handle(command(f"/news {words}"))
    assert reply.text.startswith(f"Nothing matches “{words}” yet.")
    assert (await router.handle(command("/news energy (grid)"))).text == "News: Energy + “grid”"
    assert (await router.handle(command("/news [grid], energy."))).text == "News: Energy + “grid”"
    assert "Energy + “grid(s)”" in (await router.handle(command("/news energy grid(s)"))).text


@pytest.mark.parametrize(
    "words, heading",
    [
        ('"smart grid', 'Search: "smart grid"'),
        ("“smart grid", "Search: “smart grid”"),
        ("«smart grid", "Search: «smart grid»"),
        ('meters -"coal power', 'Search: “meters”, without "coal power"'),
    ],
)
async def test_a_quote_left_open_is_closed_in_the_heading(router, words, heading):
    assert (await router.handle(command(f"/search {words}"))).text.startswith(heading)
    assert (await router.handle(command(f"/news {words}"))).text.startswith(heading.replace("Search", "News"))


async def test_news_reads_as_many_words_as_a_subscription_topic_takes(router):
    words = ["kenya", "energy"] + [f"w{number}" for number in range(18)]
    assert (await router.handle(command("/news " + " ".join(words)))).text.startswith("Nothing matches Kenya + Energy")
    for name in ("news", "subscribe"):
        refused = await router.handle(command(f"/{name} " + " ".join([*words, "more"])))
        assert refused.private and refused.text.startswith("Please use at most 20 words"), name


async def test_search_without_matches_and_without_words(router):
    assert "Add a word to look for" in (await router.handle(command("/search -solar"))).text
    assert "No articles mention “quantum”" in (await router.handle(command("/search quantum"))).text
    assert "e.g. /search" in (await router.handle(command("/search"))).text


async def test_a_search_for_only_common_words_says_so_instead_of_claiming_no_article_mentions_them(router):
    for words in ("it", "the", "-", '""'):
        reply = await router.handle(command(f"/search {words}"))
        assert "no word to search for" in reply.text, words
        assert "No articles mention" not in reply.text
    for no_letters in ("^", "*_[]()~>#", "😀", "-"):  # no word at all: no common word to blame
        reply = await router.handle(command(f"/search {no_letters}"))
        assert reply.text == f"“{no_letters}” has no word to search for. Try words, e.g. /search smart grid.", no_letters


async def test_a_search_for_single_letters_says_they_are_left_out_not_that_they_are_common(router):
    for words in ("C++", "R", "c#"):  # was: “C++” has no word to search for: words as common as “the” or “it”…
        reply = await router.handle(command(f"/search {words}"))
        assert reply.text.startswith(f"“{words}” has no word to search for: single letters and words as common"), words


async def test_about_lists_sources_with_counts(router):
    reply = await router.handle(command("/about"))
    assert "Example Wire (8), Classroom Notes (2), Grid Bulletin (2)" in reply.text
    assert "summary" in reply.text


async def test_about_says_the_bundled_demo_stories_are_fictional(database_url):
    articles = [
        sample_article(1, "Grid news", "A real feed's story.", source="Example Wire"),
        sample_article(2, "Tutors in Kisumu", "A demo story.", source="Nairobi Tech Wire"),  # a source of the demo corpus
    ]
    store = await open_sample_store(database_url, articles=articles)
    try:
        text = (await build_router(sample_context(store, WordListTagger())).handle(command("/about"))).text
    finally:
        await store.close()
    assert "\nSources: Example Wire (1).\n" in text
    assert "\nFictional demo stories, bundled with newsbot to show what it does: Nairobi Tech Wire (1).\n" in text


async def test_an_empty_store_answers_politely(database_url):
    store = await open_sample_store(database_url, articles=[])
    try:
        router = build_router(sample_context(store, WordListTagger()))
        assert (await router.handle(command("/latest"))).text == "No articles yet."
        assert "No articles have been tagged" in (await router.handle(command("/sectors"))).text
        assert "No articles have been collected yet." in (await router.handle(command("/about"))).text
    finally:
        await store.close()


async def test_news_does_not_let_a_fuzzy_phrase_swallow_a_stray_word(store):
    router = build_router(sample_context(store))  # the real resolver reads "AI education" as Education
    reply = await router.handle(command("/news AI education"))
    assert reply.text == "News: Education + “AI”"
    assert titles(reply) == [
        "Chinese and Nigerian universities open a joint AI lab",
        "Kenyan schools try an AI reading tutor",
    ]


async def test_news_naming_two_places_or_two_sectors_finds_what_is_about_both(store):
    router = build_router(sample_context(store))
    both = await router.handle(command("/news nigeria africa"))
    assert both.text == "News: Nigeria + Africa"
    assert titles(both) == ["Chinese and Nigerian universities open a joint AI lab"]  # not every African story
    both = await router.handle(command("/news education agriculture"))
    assert titles(both) == ["Thai vocational colleges teach drone mapping"]
    with_words = await router.handle(command("/news china africa AI"))
    assert titles(with_words) == ["Chinese and Nigerian universities open a joint AI lab"]
    assert len(titles(await router.handle(command("/country africa")))) > 1


@pytest.mark.parametrize(
    ("line", "heading", "expected_titles"),
    [
        ("/news energy thailand", "News: Energy + Thailand", ["Thai utility pilots a smart grid in Chiang Mai"]),
        ("/news energy 🇹🇭", "News: Energy + Thailand", ["Thai utility pilots a smart grid in Chiang Mai"]),
        (
            "/news AI education in Kenya",
            "News: Education + Kenya + “AI”",
            ["Kenyan schools try an AI reading tutor"],
        ),
        (
            "/news electric vehicle kenya",  # not Transport + “electric”
            "Nothing matches Kenya + “electric vehicle” yet. Try fewer words, or /search for the text alone.",
            [],
        ),
        (
            "/news internet of things thailand",  # the name whole, "of" and all, so "IoT" finds it too
            "Nothing matches Thailand + “internet of things” yet. Try fewer words, or /search for the text alone.",
            [],
        ),
        (
            "/news electric vehicles kenya",
            "Nothing matches Kenya + “electric vehicles” yet. Try fewer words, or /search for the text alone.",
            [],
        ),
        (  # "sector" or "industry" after a sector's name only says what the name is
            "/news Kenya's education sector",
            "News: Kenya + Education",
            ["Kenyan schools try an AI reading tutor"],
        ),
        ("/news energy industry thailand", "News: Energy + Thailand", ["Thai utility pilots a smart grid in Chiang Mai"]),
        (
            "/news what is new in south east asia?",
            f"News: {place_name('south-eastern-asia')}",
            newest_first(a for a in SAMPLE_ARTICLES if "south-eastern-asia" in a.regions),
        ),
    ],
)
async def test_news_with_the_real_resolver(store, line, heading, expected_titles):
    reply = await build_router(sample_context(store)).handle(command(line))
    assert reply.text == heading
    assert titles(reply) == expected_titles


async def test_news_that_finds_nothing_offers_the_name_its_words_come_near(store):
    router = build_router(sample_context(store))
    reply = await router.handle(command("/news kenia"))
    assert reply.text == "Nothing matches “kenia” yet. Did you mean Kenya?" and not reply.cards
    assert [(action.label, action.command) for action in reply.actions] == [("Kenya", "/country KE")]
    assert (await router.handle(command(reply.actions[0].command))).text == "Latest from Kenya"
    assert not (await router.handle(command("/news kenia cobalt"))).actions  # near no one name


@pytest.mark.parametrize(
    ("line", "meant", "button", "expected_titles"),
    [
        # a keyword searched as written finds nothing: the sector it stands for does
        ("/news healthcare brazil", "Brazil + Health", "/news Brazil health",
         ["Brazilian clinics use triage software for dengue season"]),
        ("/news kenia energy", "Energy + Kenya", "/news energy Kenya",  # a typo beside a name
         ["Solar mini-grids with smart meters reach Kenyan villages"]),
        ("/news farming in kenia", "Agriculture + Kenya", "/news agriculture Kenya",
         ["Kenyan dairy cooperative forecasts milk prices with AI"]),
    ],
)
async def test_news_that_finds_nothing_offers_the_names_its_words_stand_for(store, line, meant, button, expected_titles):
    router = build_router(sample_context(store))
    reply = await router.handle(command(line))
    assert not reply.cards and reply.text.endswith(f"yet. Did you mean {meant}?")
    assert [(action.label, action.command) for action in reply.actions] == [(meant, button)]
    offered = await router.handle(command(button))
    assert offered.text == f"News: {meant}" and titles(offered) == expected_titles


async def test_news_offers_no_other_reading_that_finds_nothing_either(store):
    router = build_router(sample_context(store))
    reply = await router.handle(command("/news healthcare kenya"))  # no Kenyan health story either
    assert reply.text == "Nothing matches Kenya + “healthcare” yet. Try fewer words, or /search for the text alone."
    assert not reply.actions


async def test_sector_it_is_technology_not_italy(store):
    reply = await build_router(sample_context(store)).handle(command("/sector IT"))
    assert reply.text == "Latest in Technology" and reply.cards


async def test_sector_ag_is_agriculture_not_antigua_and_barbuda(store):
    router = build_router(sample_context(store))
    for typed in ("ag", "Ag", "AG"):
        reply = await router.handle(command(f"/sector {typed}"))
        assert reply.text == "Latest in Agriculture" and reply.cards, typed
    assert (await router.handle(command("/country ag"))).text == "No articles about Antigua and Barbuda yet."


async def test_a_sector_named_in_the_plural_is_that_sector(store):
    reply = await build_router(sample_context(store)).handle(command("/sector energies"))
    assert reply.text == "Latest in Energy" and reply.cards


async def test_country_region_with_the_real_resolver_finds_member_countries(database_url):
    thai_without_region = sample_article(
        30, "Thai hospital tests an AI scheduling tool", "A hospital in Bangkok schedules nurses with software.",
        sectors=("health",), countries=("TH",),
    )
    store = await open_sample_store(database_url, articles=[thai_without_region])
    try:
        reply = await build_router(sample_context(store)).handle(command("/country southeast asia"))
    finally:
        await store.close()
    assert titles(reply) == ["Thai hospital tests an AI scheduling tool"]


@pytest.mark.parametrize(
    ("words", "understood"),
    [
        # everyday words stay words, however near a country's name
        ("energy plan", "Energy + “plan”"),
        ("police drones", "“police drones”"),
        ("urban transport", "Transport & logistics + “urban”"),
        ("labor shortages", "“labor shortages”"),
        ("energy thailnd", "Energy + Thailand"),  # a typo close enough still names the place
        # names of several words, stop words and all
        ("New Zealand", "New Zealand"),
        ("Democratic Republic of the Congo", "Democratic Republic of the Congo"),
        ("United Arab Emirates solar", "United Arab Emirates + “solar”"),
        ("Ivory Coast", "Côte d'Ivoire"),
        ("Latin America", place_name("latin-america-and-the-caribbean")),
        # signs are no words to search for
        ("energy & thailand", "Energy + Thailand"),
        ("Transport & logistics", "Transport & logistics"),
        ("🔋", ""),
        # two letters in capitals are a place only when that is the place's own short name, not an ISO code
        ("health UK", "Health + United Kingdom"),
        ("US trade", "United States + Trade"),
        ("EU AI rules", "European Union + “AI rules”"),
        ("IN energy", "Energy"),  # India's code, and a stop word
        ("us energy", "Energy + “us”"),  # in lower case, the pronoun
        # nor are words that spell a three-letter code, alone or after a stop word
        ("how can farmers use AI", "“farmers use AI”"),
        ("yields per hectare", "“yields per hectare”"),
        ("what are the AI stories", "“AI”"),
        ("solar in the UAE", "United Arab Emirates + “solar”"),
        ("usa trade", "United States + Trade"),
        # a word that only stands for a sector is looked for as written; a sector's name makes the sector
        ("oil nigeria", "Nigeria + “oil”"),
        ("sugar", "“sugar”"),
        ("smart grid", "“smart grid”"),
        ("energy oil", "Energy"),  # the word only repeats the sector named
        ("enrgy kenya", "Energy + Kenya"),  # a typo of a sector's name is still its name
        ("man", "“man”"),  # but the start of a name is a word ("/sector manu" still takes it)
        ("agri kenya", "Kenya + “agri”"),
        ("fin heal", "“fin heal”"),
        # a sea, a state or a city that holds a country's name is searched for whole, not read as the country
        ("south china sea", "“south china sea”"),
        ("african swine fever vietnam", "Vietnam + “african swine fever”"),  # a disease, not a region
        ("New Mexico energy", "Energy + “New Mexico”"),
        ("lake chad", "“lake chad”"),
        ("new south wales", "“new south wales”"),
        # so is a well-known person or a thing named after a country
        ("jimmy wales", "“jimmy wales”"),
        ("kenya moore energy", "Energy + “kenya moore”"),
        ("kenya airways", "Kenya + “airways”"),
        ("jersey cows", "“jersey cows”"),
        ("papua new guinea", "Papua New Guinea"),
        # so is a city of one word, even one near a country's name ("lagos", "austin")
        ("fintech lagos", "“fintech lagos”"),
        ("energy austin", "Energy + “austin”"),
        ("nairobi startups kenya", "Kenya + “nairobi startups”"),
        # a number is no part of a name: "in 2026" is no India, and "19" stays beside Kenya
        ("energy in 2026", "Energy + “2026”"),
        ("covid 19 kenya", "Kenya + “covid 19”"),
        ("kenya 2025", "Kenya + “2025”"),
        # words that ask rather than name a topic
        ("tell me about energy", "Energy"),
        ("AI news please", "“AI”"),
        ("anything about drones?", "“drones”"),
        ("give me something on kenya", "Kenya"),
        # a comma, semicolon or slash between two words parts them as a space does
        ("energy,kenya", "Energy + Kenya"),
        ("energy;kenya", "Energy + Kenya"),
        ("energy/kenya", "Energy + Kenya"),
        ("solar,wind,kenya", "Kenya + “solar wind”"),
        # but not the digits of a number, an address or a path, nor a letter before a slash
        ("1,000 jobs kenya", "Kenya + “1,000 jobs”"),
        ("2.5 GW,kenya", "Kenya + “2.5 GW”"),
        ("24/7 kenya", "Kenya + “24/7”"),
        ("https://example.org/energy,kenya", "“https://example.org/energy,kenya”"),
        ("/r/energy", "“/r/energy”"),
        ("r/energy", "“r/energy”"),
    ],
)
def test_news_understands_names_and_leaves_everyday_words_alone(words, understood):
    assert understand(words, SimpleNamespace(tagger=Tagger.from_settings())).describe() == understood


def test_every_country_and_region_named_on_a_button_reads_back_as_itself():
    # a /news or /subscribe button names places by their display names: "Saint Helena, Ascension and
    # Tristan da Cunha" (seven words) was read as words, "South Georgia and the South Sandwich Islands" as Georgia
    ctx = SimpleNamespace(tagger=Tagger.from_settings())
    energy = Match("sector", "energy", "Energy")
    misread = {}
    for kind, places in (("country", gazetteer().country_names), ("region", known_regions())):
        for place_id, name in places.items():
            place = Match(kind, place_id, name)
            for together in ([place], [energy, place], [place, energy]):
                read = understand(Understanding(together).arguments(), ctx)
                if [match.id for match in read.matches] != [match.id for match in together] or read.words:
                    misread[name] = read.describe()
    assert misread == {}


async def test_every_listed_place_is_a_button_a_page_of_the_list_away(database_url):
    codes = ["KE", "TH", "PK", "VN", "NG", "GH", "EG", "ZA", "IN", "ID", "PH", "MY", "BR", "AR", "CL", "PE", "MX", "US",
             "CA", "GB", "FR", "DE", "PL", "UA", "RO", "TR", "SA", "AE", "JP", "KR"]
    articles = [sample_article(number, f"Story {code}", f"News from {code}.", countries=(code,))
                for number, code in enumerate(codes, start=1)]
    store = await open_sample_store(database_url, articles)
    try:
        router = build_router(sample_context(store))
        reply = await router.handle(command("/country"))
        listed, pages = [], 1
        while True:
            assert len(reply.actions) <= 25  # one Discord message's buttons, More included
            listed += [action.command for action in reply.actions if action.label != "More"]
            names = [line.split(":")[0] for line in reply.text.splitlines()[1:] if ": " in line]
            assert names == [action.label.rsplit(" (", 1)[0] for action in reply.actions if action.label != "More"]
            more = [action.command for action in reply.actions if action.label == "More"]
            if not more:
                break
            pages += 1
            reply = await router.handle(command(more[0]))
            assert reply.text.splitlines()[0].endswith("(continued):")
        assert pages > 1 and set(listed) >= {f"/country {code}" for code in codes}
        assert len(listed) == len(set(listed))
        for page in ("9", "0", "-1"):
            reply = await router.handle(command(f"/countries {page}"))
            assert reply.text == f"There is no page {page}: /countries has pages 1 to 3." and not reply.cards
            assert [(action.label, action.command) for action in reply.actions] == [("Show the list", "/countries")]
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("line", "subscribed", "meant", "button"),
    [
        ("/subscribe healthcare", "“healthcare”", "Health", "/subscribe health"),
        ("/subscribe healthcare brazil daily 08:00", "Brazil + “healthcare”", "Brazil + Health",
         "/subscribe Brazil health daily 08:00"),
    ],
)
async def test_words_subscribed_to_that_find_nothing_offer_the_sector_they_stand_for(store, line, subscribed, meant, button):
    router = build_router(sample_context(store))
    reply = await router.handle(command(line))
    assert reply.text.startswith(f"Subscribed to {subscribed}:") and not reply.cards
    assert reply.text.endswith(
        f"\nNo article matches {subscribed} yet. Did you mean {meant}? It has articles: to follow it as well, "
        f"{button} (this subscription stays until you unsubscribe)."
    )
    assert [(action.label, action.command) for action in reply.actions][:1] == [(f"Subscribe to {meant}", button)]
    assert [action.label for action in reply.actions][1:] == ["Unsubscribe"]
    taken = await router.handle(command(button))
    assert taken.text.startswith("Subscribed to ") and taken.cards
    found = await router.handle(command("/subscribe smart grid"))  # words that find articles are offered nothing else
    assert found.cards and [action.label for action in found.actions] == ["Unsubscribe"]


async def test_help_for_one_command_gives_its_line_of_the_full_help(router):
    full = (await router.handle(command("/help"))).text.splitlines()
    news = await router.handle(command("/help news"))
    assert news.text.splitlines() == [line for line in full if line.startswith(("/news:", "Add a time"))]
    subscribe = await router.handle(command("/help /Subscribe"))
    assert subscribe.text.splitlines() == [line for line in full if line.startswith("/subscribe:")]
    assert [(action.label, action.command) for action in subscribe.actions] == [("All commands", "/help")]


@pytest.mark.parametrize("word", ["more", "frobnicate", "me", "please"])
async def test_help_with_a_word_that_names_no_command_says_so_and_gives_the_full_help(router, word):
    # "/help more" answered "Unknown command /more. Try /help.": the person asking for help was sent to ask again
    full = (await router.handle(command("/help"))).text
    reply = await router.handle(command(f"/help {word}"))
    assert reply.text == f"I have no command called /{word}.\n{full}" and not reply.actions


async def test_help_with_a_typo_of_a_command_offers_its_help_beside_the_full_help(router):
    full = (await router.handle(command("/help"))).text
    reply = await router.handle(command("/help sectr"))
    assert reply.text == f"I have no command called /sectr. Did you mean /sector?\n{full}"
    assert [(action.label, action.command) for action in reply.actions] == [("/sector", "/help sector")]


@pytest.mark.parametrize("line", ["/help news@newsbot", "/help /News@NewsBot", "/help /news@newsbot energy"])
async def test_help_for_a_command_as_a_telegram_group_writes_it_with_the_bots_name(router, line):
    assert (await router.handle(command(line))).text == (await router.handle(command("/help news"))).text


async def test_help_given_only_the_bots_name_is_the_full_help(router):
    assert (await router.handle(command("/help @newsbot"))).text == (await router.handle(command("/help"))).text


async def test_who_in_capitals_is_searched_as_the_world_health_organization_not_left_out_as_a_common_word(store):
    await store.add([
        sample_article(40, "World Health Organization backs AI triage", "The WHO said clinics may use it."),
        sample_article(41, "Who pays for rural clinics", "Nobody knows who will pay for the clinics."),
    ])
    router = build_router(sample_context(store))
    assert titles(await router.handle(command("/search WHO"))) == ["World Health Organization backs AI triage"]
    assert titles(await router.handle(command("/news WHO clinics"))) == ["World Health Organization backs AI triage"]
    assert "has no word to search for" in (await router.handle(command("/search who"))).text
    assert (await router.handle(command("/subscribe WHO"))).text.startswith("Subscribed to “WHO”: each new article")


async def test_an_energy_in_electronvolts_is_searched_and_named_as_written_not_as_electric_vehicles(database_url):
    articles = [
        sample_article(1, "Electric vehicle sales rise", "Carmakers sold more electric vehicles at 5 stores."),
        sample_article(2, "A 5 eV band gap", "The new crystal has a band gap of 5 eV."),
    ]
    store = await open_sample_store(database_url, articles=articles)
    try:
        router = build_router(sample_context(store))
        assert titles(await router.handle(command("/search 5 eV"))) == ["A 5 eV band gap"]
        assert "“5 eV”" in (await router.handle(command("/news 5 eV kenya"))).text
    finally:
        await store.close()


async def test_a_search_finds_what_is_written_with_subscripts_fractions_or_superscripts_on_both_stores(database_url):
    # people type "CO₂" and "½" as articles write them; the router reads them as "CO2" and "1⁄2"
    articles = [
        sample_article(1, "CO₂ emissions fall in Kenya", "Power plants burn less coal."),
        sample_article(2, "½ of farms use drones", "Growers fly them at dawn."),
        sample_article(3, "Rooms of 40 m² for students", "Halls open in March."),
    ]
    store = await open_sample_store(database_url, articles=articles)
    try:
        router = build_router(sample_context(store))
        for typed, title in [("CO₂", articles[0].title), ("co2", articles[0].title), ("½", articles[1].title),
                             ("m²", articles[2].title), ("40 m2", articles[2].title)]:
            assert (typed, titles(await router.handle(command(f"/search {typed}")))) == (typed, [title])
        assert titles(await router.handle(command("/search co"))) == []
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("line", "meant"),
    [("/news energy not kenya", "/news energy -kenya"), ("/search solar not wind", "/search solar -wind"),
     ("/news AI NOT energy", "/news AI -energy"), ("/search grid not \"smart grid\"", "/search grid -\"smart grid\""),
     ("/news not energy", "/news -energy")],
)
async def test_not_before_a_word_leaves_it_out_as_a_minus_does(router, line, meant):
    # "not" is a stop word, so "/news energy not kenya" was Energy + Kenya and "/search solar not wind" found the
    # articles that mention both: the opposite of what was asked
    reply, minus = await router.handle(command(line)), await router.handle(command(meant))
    assert (reply.text, titles(reply)) == (minus.text, titles(minus))


@pytest.mark.parametrize(
    ("line", "meant"),
    [("/news energy without kenya", "/news energy -kenya"), ("/search solar except wind", "/search solar -wind"),
     ("/news AI excluding energy", "/news AI -energy"), ("/search grid Without \"smart grid\"", "/search grid -\"smart grid\""),
     ("/news energy except for kenya", "/news energy -kenya"), ("/sector energy without kenya", "/sector energy -kenya"),
     # a stop word after it was the one left out, the word after that wanted: Energy + Kenya, the opposite
     ("/news energy except in kenya", "/news energy -kenya"), ("/search solar without the wind", "/search solar -wind"),
     ("/news energy not in kenya", "/news energy -kenya")],
)
async def test_without_except_or_excluding_before_a_word_leaves_it_out_as_not_does(router, line, meant):
    # searched as words: "/news energy without kenya" was Energy + Kenya mentioning "without"
    reply, minus = await router.handle(command(line)), await router.handle(command(meant))
    assert (reply.text, titles(reply)) == (minus.text, titles(minus))


async def test_without_alone_or_in_quotes_stays_a_word(router):
    assert (await router.handle(command("/search except"))).text.startswith("No articles mention “except”")
    assert "“-”" not in (await router.handle(command('/search "without borders"'))).text
    reply = await router.handle(command("/news excluding kenya"))
    assert reply.text == "Add a topic: “-” or “not” only leaves articles out, e.g. /news energy -coal."


async def test_not_alone_before_a_phrase_is_named_as_what_only_leaves_articles_out(router):
    reply = await router.handle(command('/search not "smart grid"'))
    assert reply.text == "Add a word to look for: “-” or “not” only leaves articles out, e.g. /search smart grid -solar."


async def test_not_in_quotes_or_last_stays_as_written(router):
    quoted = await router.handle(command('/search "not for profit"'))
    assert "without" not in quoted.text and "not for profit" in quoted.text
    assert "without" not in (await router.handle(command("/search climate not"))).text


@pytest.mark.parametrize(
    ("line", "text", "action"),
    [("/sector energy -kenya", "/sector takes one sector. For the latest on Energy, without “kenya”: /news energy -kenya.",
      ("Energy, without “kenya”", "/news energy -kenya")),
     ("/sector energy not kenya", "/sector takes one sector. For the latest on Energy, without “kenya”: /news energy -kenya.",
      ("Energy, without “kenya”", "/news energy -kenya")),
     ("/country kenya -energy", "/country takes one country or region. For the latest on Kenya, without “energy”: "
      "/news Kenya -energy.", ("Kenya, without “energy”", "/news Kenya -energy"))],
)
async def test_a_sector_or_country_with_a_word_left_out_is_pointed_to_news(router, line, text, action):
    # "/sector energy -kenya" answered "I don't know a sector called “energy -kenya”. Did you mean Energy?"
    reply = await router.handle(command(line))
    assert reply.text == text and [(a.label, a.command) for a in reply.actions] == [action] and not reply.cards


@pytest.mark.parametrize("line", ["/country -kenya", "/country not kenya", "/sector -energy"])
async def test_a_sector_or_country_only_left_out_asks_for_one(router, line):
    # "/country -kenya" and "/country not kenya" showed Kenya's articles
    reply = await router.handle(command(line))
    assert reply.text.startswith("Add a ") and "only leaves articles out" in reply.text and not reply.cards


@pytest.mark.parametrize(("line", "pointed"), [("/latest energy energy", "/sector energy"), ("/latest kenya kenya", "/country KE")])
async def test_a_name_said_twice_is_pointed_to_once(router, line, pointed):
    # "/latest energy coal" (coal standing for Energy) pointed to "/news energy energy"
    reply = await router.handle(command(line))
    assert [action.command for action in reply.actions] == [pointed]


async def test_a_flag_alone_in_search_points_to_its_country(store):
    # "/search 🇰🇪" answered "“🇰🇪” has no word to search for", though /news 🇰🇪 and /country 🇰🇪 are Kenya
    router = build_router(sample_context(store))
    reply = await router.handle(command("/search 🇰🇪"))
    assert reply.text == "“🇰🇪” has no word to search for. For the latest on Kenya: /country KE."
    assert [(action.label, action.command) for action in reply.actions] == [("Kenya", "/country KE")]
    assert (await router.handle(command("/search 😀"))).text == "“😀” has no word to search for. Try words, e.g. /search smart grid."
