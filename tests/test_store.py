"""The store on SQLite and (with NEWSBOT_TEST_DATABASE_URL) PostgreSQL: adding, dedupe, queries, pages, counts."""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from content.model import Article, Page, Period, Query, SourceState, text_hash
from content.store import InvalidCursor, StorageError, Store, StoredText
from content.store.fulltext import search_terms
from content.store.schema import articles
from content.store.engine import open_engine
from content.store.migrate import run_migrations
from content.store.words import english_stems

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


def make_article(
    number: int,
    *,
    title: str | None = None,
    text: str | None = None,
    sectors=(),
    countries=(),
    regions=(),
    source: str = "Wire",
    hours: int | None = None,
) -> Article:
    return Article(
        id=f"article-{number}",
        url=f"https://news.test/{number}",
        title=title or f"Report number {number} on topic {number * 7919 % 1000}",
        sources=(source,),
        published=T0 + timedelta(hours=number if hours is None else hours),
        fetched=T0 + timedelta(days=30, seconds=number),
        text=text or " ".join(hashlib.md5(f"{number}/{k}".encode()).hexdigest()[:7] for k in range(30)),
        summary=f"Summary of item {number}.",
        sectors=tuple(sectors),
        countries=tuple(countries),
        regions=tuple(regions),
    )


@pytest.fixture
async def store(database_url):
    opened = await Store.open(database_url)
    try:
        yield opened
    finally:
        await opened.close()


def ids(page_or_list) -> list[str]:
    articles = page_or_list.articles if hasattr(page_or_list, "articles") else page_or_list
    return [article.id for article in articles]


async def test_add_then_get_round_trips_every_field(store):
    article = make_article(1, sectors=("energy",), countries=("th",), regions=("south-eastern-asia",))
    result = await store.add([article])
    assert (result.new, result.duplicates, result.new_ids) == (1, 0, ["article-1"])
    stored = await store.get("article-1")
    assert stored == Article(**{**article.__dict__, "countries": ("TH",)})
    assert stored.published.tzinfo is not None
    assert await store.get("missing") is None


async def test_awkward_text_round_trips_unchanged(store):
    # SQLite stores a batch through one JSON document: quotes, escapes and non-ASCII must survive it.
    awkward = 'Côte d\'Ivoire\t"quoted" \\ back\\slash {"json": [1, null]} \u2028 \U0001f33e\n\nnext para'
    article = replace(
        make_article(1, title=f"Title {awkward}", text=awkward * 3, sectors=("energy",)),
        summary=awkward, author="Zoë N'Diaye", guid='tag:x,2026:"1"', language="fr-ci",
        published=datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=timezone.utc),
    )
    await store.add([article, replace(make_article(2), sources=("A", "B"))])
    assert await store.get("article-1") == article
    assert (await store.get("article-2")).sources == ("A", "B")
    assert ids(await store.find(Query(text="Ivoire"))) == ["article-1"]


async def test_same_id_twice_is_one_article_and_a_new_source_is_recorded(store):
    await store.add([make_article(1, source="Wire")])
    again = await store.add([make_article(1, source="Wire"), make_article(1, source="Other feed")])
    assert (again.new, again.duplicates) == (0, 2)
    assert (await store.get("article-1")).sources == ("Wire", "Other feed")
    assert await store.count_by_source() == {"Wire": 1, "Other feed": 1}


async def test_syndicated_copy_under_another_url_is_merged(store):
    text = (
        "Farmers in the Rift Valley are using a phone app that spots maize pests from a photo, "
        "and the co-operative behind it says yields rose by a fifth this season."
    )
    original = make_article(1, title="Kenyan farmers use AI app to spot maize pests", text=text, source="Daily")
    copy = Article(
        **{
            **make_article(2, source="Syndicate").__dict__,
            "title": "Kenyan farmers use AI app to spot maize pests",
            "text": text.replace("a fifth", "one fifth"),
        }
    )
    first = await store.add([original])
    second = await store.add([copy])
    assert (first.new, second.new, second.duplicates) == (1, 0, 1)
    merged = await store.get("article-2")
    assert merged.id == "article-1" and merged.sources == ("Daily", "Syndicate")
    page = await store.find(Query())
    assert ids(page) == ["article-1"]
    assert await store.known_ids(["article-1", "article-2", "article-3"]) == {"article-1", "article-2"}


async def test_a_copy_is_merged_by_another_store_on_the_same_database(store, database_url):
    # The adding store remembers recent fingerprints; a second process reads them from the database.
    text = (
        "Engineers in Kisumu fitted solar pumps to forty irrigation schemes, "
        "and growers say dry-season harvests doubled."
    )
    await store.add([make_article(1, title="Solar pumps reach Kisumu irrigation schemes", text=text, source="Daily")])
    await store.add([make_article(2, title="Solar pumps reach Kisumu irrigation schemes", text=text, source="Wire")])
    other = await Store.open(database_url)
    try:
        added = await other.add(
            [make_article(3, title="Solar pumps reach Kisumu irrigation schemes", text=text, source="Radio")]
        )
        assert (added.new, added.duplicates) == (0, 1)
        assert (await other.get("article-3")).sources == ("Daily", "Wire", "Radio")
    finally:
        await other.close()


async def test_find_is_newest_first_and_pages_without_gaps_or_repeats(store):
    await store.add([make_article(n, hours=n // 2) for n in range(25)])  # pairs share a publication time
    seen, cursor = [], None
    while True:
        page = await store.find(Query(), limit=4, cursor=cursor)
        seen += ids(page)
        assert page.next_cursor is None or len(page.next_cursor) <= 40
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == 25 and len(set(seen)) == 25
    times = [(await store.get(article_id)).published for article_id in seen]
    assert times == sorted(times, reverse=True)


async def test_filters_by_sector_country_and_both(store):
    await store.add(
        [
            make_article(1, sectors=("energy",), countries=("TH",)),
            make_article(2, sectors=("energy",), countries=("KE",)),
            make_article(3, sectors=("health",), countries=("TH",)),
            make_article(4, sectors=("energy", "technology"), countries=("TH", "VN")),
        ]
    )
    assert ids(await store.find(Query(sectors=("energy",)))) == ["article-4", "article-2", "article-1"]
    assert ids(await store.find(Query(countries=("TH",)))) == ["article-4", "article-3", "article-1"]
    assert ids(await store.find(Query(sectors=("energy",), countries=("TH",)))) == ["article-4", "article-1"]
    assert ids(await store.find(Query(sectors=("energy", "health"), countries=("KE", "TH")))) == [
        "article-4", "article-3", "article-2", "article-1",
    ]
    assert ids(await store.find(Query(sectors=("mining",)))) == []


@pytest.fixture(params=["driving", "filter", "correlated"])
def text_join_mode(request, store, monkeypatch) -> str:
    """Each way a text condition can join the rest of a query, forced (SQLite; PostgreSQL's planner chooses)."""
    from content.store import fulltext

    mode = request.param
    if store.dialect != "sqlite" and mode != fulltext.FILTER:
        pytest.skip("PostgreSQL's planner chooses how to join the text index itself")
    monkeypatch.setattr(fulltext, "join_mode", lambda dialect, count, tag_filtered=False: mode)
    return mode


async def test_region_matches_its_tag_and_its_member_countries(store):
    await store.add(
        [
            make_article(1, countries=("TH",)),
            make_article(2, countries=("KE",)),
            make_article(3, regions=("south-eastern-asia",)),
            make_article(4, countries=("VN", "TH")),
        ]
    )
    region = Query(regions=("south-eastern-asia",))
    assert ids(await store.find(region)) == ["article-4", "article-3", "article-1"]
    first = await store.find(region, limit=2)
    rest = await store.find(region, limit=2, cursor=first.next_cursor)
    assert ids(first) + ids(rest) == ["article-4", "article-3", "article-1"] and rest.next_cursor is None


async def test_a_region_matches_the_regions_inside_it(store):
    await store.add(
        [
            make_article(1, regions=("asean",)),
            make_article(2, regions=("south-eastern-asia",), countries=("TH",)),
            make_article(3, regions=("eastern-africa",)),
        ]
    )
    assert ids(await store.find(Query(regions=("asia",)))) == ["article-2", "article-1"]
    assert ids(await store.find(Query(regions=("africa",)))) == ["article-3"]
    assert ids(await store.find(Query(regions=("south-eastern-asia",)))) == ["article-2", "article-1"]
    assert (await store.count_by_region())["asia"] == 2


async def test_one_sector_within_a_region_pages_newest_first(store, text_join_mode):
    await store.add(
        [
            make_article(1, title="Grid one", sectors=("energy",), countries=("TH",)),
            make_article(2, title="Grid two", sectors=("energy",), countries=("KE",)),
            make_article(3, title="Grid three", sectors=("energy",), regions=("south-eastern-asia",)),
            make_article(4, title="Grid four", sectors=("health",), countries=("VN",)),
            make_article(5, title="Grid five", sectors=("energy", "health"), countries=("VN", "TH")),
            make_article(6, title="Port six", sectors=("energy",), countries=("VN",)),
        ]
    )
    energy_in_region = Query(sectors=("energy",), regions=("south-eastern-asia",))
    first = await store.find(energy_in_region, limit=2)
    rest = await store.find(energy_in_region, limit=2, cursor=first.next_cursor)
    assert ids(first) + ids(rest) == ["article-6", "article-5", "article-3", "article-1"] and rest.next_cursor is None
    with_text = Query(sectors=("energy",), regions=("south-eastern-asia",), text="grid")
    assert ids(await store.find(with_text)) == ["article-5", "article-3", "article-1"]


async def test_a_period_keeps_what_was_published_from_its_start_until_before_its_end(store, text_join_mode):
    await store.add(
        [
            make_article(n, title=f"Grid note {n}", sectors=("energy",), countries=("TH",) if n % 2 else ("KE",))
            for n in range(1, 9)
        ]
    )
    period = Period(start=T0 + timedelta(hours=3), end=T0 + timedelta(hours=7))  # articles 3 to 6
    expected = {
        Query(period=period): [6, 5, 4, 3],
        Query(sectors=("energy",), period=period): [6, 5, 4, 3],
        Query(regions=("africa",), sectors=("energy",), period=period): [6, 4],  # Kenya's
        Query(text="grid note", period=period): [6, 5, 4, 3],
        Query(text="grid", countries=("TH",), period=period): [5, 3],
        Query(sectors=("energy",), period=Period(start=T0 + timedelta(hours=7))): [8, 7],
    }
    for query, numbers in expected.items():
        assert ids(await store.find(query)) == [f"article-{n}" for n in numbers], query
    first = await store.find(Query(period=period), limit=3)
    rest = await store.find(Query(period=period), limit=3, cursor=first.next_cursor)
    assert ids(first) + ids(rest) == ["article-6", "article-5", "article-4", "article-3"] and rest.next_cursor is None


async def test_search_and_stored_between_keep_to_a_period_too(store, monkeypatch):
    from content.store import fulltext

    monkeypatch.setattr(fulltext, "RANK_WINDOW", 2)  # SQLite's newest matches would be articles 5 and 4
    await store.add(
        [replace(make_article(n, title=f"Grid note {n}", text="grid " * n), fetched=T0 + timedelta(hours=n)) for n in range(1, 6)]
    )
    period = Period(start=T0 + timedelta(hours=2), end=T0 + timedelta(hours=4))
    first = await store.search("grid", Query(period=period), limit=1)
    rest = await store.search("grid", Query(period=period), limit=5, cursor=first.next_cursor)
    assert ids(first) + ids(rest) == ["article-3", "article-2"] and rest.next_cursor is None  # more "grid" ranks first
    found, count = await store.stored_between(0, await store.position(), Query(text="grid", period=period))
    assert sorted(ids(found)) == ["article-2", "article-3"] and count == 2


async def test_text_filter_and_ranked_search(store):
    await store.add(
        [
            make_article(1, title="Smart grid pilot in Chiang Mai", text="A utility tests a smart grid " * 3),
            make_article(2, title="Hospital robots", text="Nurses welcome a robot that moves linen; no grid here. " * 2),
            make_article(3, title="Rural schools get tablets", text="Teachers in the north train pupils on tablets. " * 2),
        ]
    )
    assert ids(await store.find(Query(text="grid"))) == ["article-2", "article-1"]
    assert ids(await store.find(Query(text="smart grid"))) == ["article-1"]
    ranked = await store.search("grid")
    assert ids(ranked) == ["article-1", "article-2"]  # the title match ranks first
    assert ids(await store.search("grids in the")) == ["article-1", "article-2"]  # stemmed, stop words ignored
    assert ids(await store.search("tablets", Query(countries=("KE",)))) == []
    assert ids(await store.search("!!!")) == []


async def test_short_words_are_not_read_as_the_stems_of_longer_ones(store):
    await store.add(
        [
            make_article(1, title="Farmers use drones", text="The cooperative uses drones and used sensors."),
            make_article(2, title="US funds a grid", text="The US and Kenya sign a grid deal."),
            make_article(3, title="Eve of the election", text="News from the capital on election eve."),
            make_article(4, title="EVs reach Nairobi", text="Electric taxis charge at new stations."),
        ]
    )
    assert ids(await store.search("US")) == ["article-2"]
    assert ids(await store.search("uses")) == ["article-1"]
    assert ids(await store.search("EV")) == ["article-4"]
    assert ids(await store.search("eve")) == ["article-3"]
    assert ids(await store.search("new")) == ["article-4"]
    assert ids(await store.search("news")) == ["article-3"]
    assert ids(await store.find(Query(text="use"))) == ["article-1"]


async def test_a_name_finds_articles_that_use_its_equivalent(store):
    await store.add(
        [
            make_article(1, title="AI tutors in Kisumu schools", text="Schools test AI tutors for mathematics. " * 2),
            make_article(2, title="Clinics read X-rays by software", text="Artificial intelligence reads chest X-rays in clinics. " * 2),
            make_article(3, title="Sweetener study", text="An artificial sweetener worried the intelligence services. " * 2),
        ]
    )
    for words in ("AI", "artificial intelligence", "Artificial-Intelligence", "A.I.", "a.i"):
        assert sorted(ids(await store.search(words))) == ["article-1", "article-2"], words
        assert ids(await store.find(Query(text=words))) == ["article-2", "article-1"], words
    assert ids(await store.search("AI schools")) == ["article-1"]
    assert ids(await store.find(Query(text="artificial intelligence clinics"))) == ["article-2"]
    assert sorted(ids(await store.search("artificial"))) == ["article-2", "article-3"]  # one word is no name


async def test_a_plural_name_finds_articles_that_use_its_equivalent(store):
    # "electric vehicles" was two words, "or" joining only the second: electric AND (vehicles or solar)
    stories = {
        "EVs sell out in Nairobi": "Dealers order more cars.",
        "Solar farms in Kenya": "Panels cover the plain.",
        "Electric kettles ship by rail": "The vehicles leave at dawn.",
        "LLMs draft court rulings": "Judges read the drafts.",
    }
    await store.add([make_article(number, title=title, text=f"{text} " * 2) for number, (title, text) in enumerate(stories.items(), 1)])
    assert sorted(ids(await store.search("electric vehicles or solar"))) == ["article-1", "article-2"]
    assert ids(await store.search("electric vehicles")) == ["article-1"]
    assert sorted(ids(await store.search("large language models or solar"))) == ["article-2", "article-4"]


async def test_or_between_words_or_phrases_finds_articles_with_either(store):
    await store.add(
        [
            make_article(1, title="Solar farms in Kenya", text="Panels cover the plain. " * 2),
            make_article(2, title="Wind farms in Kenya", text="Turbines turn on the ridge. " * 2),
            make_article(3, title="Coal plants in Kenya", text="Smart grid operators plan. " * 2),
            make_article(4, title="Solar and wind elsewhere", text="Both grow in Chile. " * 2),
        ]
    )
    assert sorted(ids(await store.search("solar or wind kenya"))) == ["article-1", "article-2"]
    assert sorted(ids(await store.search("solar OR wind OR coal kenya"))) == ["article-1", "article-2", "article-3"]
    assert sorted(ids(await store.search("solar or, wind kenya"))) == ["article-1", "article-2"]  # was both words
    assert sorted(ids(await store.search('"smart grid" or turbines'))) == ["article-2", "article-3"]
    assert sorted(ids(await store.find(Query(text="AI or solar")))) == ["article-1", "article-4"]
    assert ids(await store.search("solar or -wind")) == ["article-1"]  # an exclusion is no alternative
    assert sorted(ids(await store.search("or solar or"))) == ["article-1", "article-4"]  # nothing on one side
    # an exclusion of no word leaves no article out, and so leaves "or" alone, as replies name it: “solar or wind”
    assert sorted(ids(await store.search("solar or -the wind kenya"))) == ["article-1", "article-2"]


async def test_quoted_phrases_and_excluded_words(store, text_join_mode):
    await store.add(
        [
            make_article(1, title="Smart grid pilot", text="The utility links rooftop solar to a smart grid. " * 2),
            make_article(2, title="Grid maps", text="A smart city draws its street grid in 3D. " * 2),
            make_article(3, title="Wind and the grid", text="A smart grid balances wind farms in the Bank of England's view. " * 2),
            make_article(4, title="AI grid", text="Artificial intelligence schedules batteries on the grid. " * 2),
        ]
    )
    assert ids(await store.find(Query(text="smart grid"))) == ["article-3", "article-2", "article-1"]
    assert ids(await store.find(Query(text='"smart grid"'))) == ["article-3", "article-1"]
    assert ids(await store.find(Query(text="\u201csmart grid\u201d -solar"))) == ["article-3"]  # a phone's quotes
    assert sorted(ids(await store.search("grid -wind -solar"))) == ["article-2", "article-4"]
    assert sorted(ids(await store.search('grid -"smart grid"'))) == ["article-2", "article-4"]
    assert ids(await store.search('"bank of england"')) == ["article-3"]
    assert sorted(ids(await store.search("grid -AI"))) == ["article-1", "article-2", "article-3"]  # its equivalent too
    assert ids(await store.search("-grid")) == []  # nothing to rank by
    assert ids(await store.find(Query(text="-solar"))) == ["article-4", "article-3", "article-2"]
    assert ids(await store.find(Query(text="-solar -AI"))) == ["article-3", "article-2"]


async def test_words_the_tokenizers_cut_in_pieces_are_found_as_written(store):
    await store.add(
        [
            make_article(1, title="COVID-19 clinics use GPT-4", text="Details at example.com. " * 2),
            make_article(2, title="A 2.5GW solar park opens in İzmir", text="Covid cases fell; 19 clinics closed. " * 2),
            make_article(3, title="Việt Nam grid", text="ระบบพลังงานใหม่ and " + "भारत ऊर्जा " * 2),
        ]
    )
    for text, found in [
        ("COVID-19", ["article-1"]), ("GPT-4", ["article-1"]), ("example.com", ["article-1"]), ("2.5GW", ["article-2"]),
        ("kenya -COVID-19", []), ("clinics -COVID-19", ["article-2"]), ("İzmir", ["article-2"]), ("İZMIR", ["article-2"]),
        ("Việt Nam", ["article-3"]), ("ระบบพลังงานใหม่", ["article-3"]), ("ऊर्जा", ["article-3"]),
        ("Viet Nam", ["article-3"]), ("VIỆT NAM", ["article-3"]), ("izmir", ["article-2"]),
    ]:
        assert ids(await store.search(text)) == found, text


async def test_single_letters_the_tokenizers_cut_off_stay_part_of_the_word(store):
    await store.add(
        [
            make_article(1, title="U.S. e-commerce rules", text="The S&P index rose; an x-ray lab opened. " * 2),
            make_article(2, title="Commerce ministers meet", text="A ray of hope for US and UK banks. " * 2),
        ]
    )
    for text, found in [
        ("U.S.", ["article-1"]), ("e-commerce", ["article-1"]), ("x-ray", ["article-1"]), ("S&P", ["article-1"]),
        ("banks -U.S.", ["article-2"]), ('"u.s. e-commerce"', ["article-1"]),
    ]:
        assert ids(await store.search(text)) == found, text


async def test_a_long_text_filter_is_read_not_refused(store):
    await store.add([make_article(1, title="Solar grid")])
    words = " ".join(f"word{n}" for n in range(400))
    assert ids(await store.find(Query(text=f"solar -{words.replace(' ', ' -')}"))) == ["article-1"]
    assert ids(await store.find(Query(text=f"solar {words}"))) == []


async def test_text_results_stay_exact_after_adds_change_the_match_count(store):
    # The store keeps a text's match count to pick its join plan; a stale count must not change results.
    await store.add([make_article(1, title="Grid upgrade one")])
    assert ids(await store.find(Query(text="grid upgrade"))) == ["article-1"]
    await store.add([make_article(n, title=f"Grid upgrade {n}") for n in range(2, 40)])
    assert ids(await store.find(Query(text="grid upgrade"), limit=50)) == [f"article-{n}" for n in range(39, 0, -1)]


async def test_search_pages_follow_the_ranking(store):
    await store.add([make_article(n, title=f"Solar item {n}", text="solar " * (n + 1) + f"filler {n} " * 40) for n in range(7)])
    everything = ids(await store.search("solar", limit=50))
    paged, cursor = [], None
    while True:
        page = await store.search("solar", limit=3, cursor=cursor)
        paged += ids(page)
        if not (cursor := page.next_cursor):
            break
    assert paged == everything and len(everything) == 7


async def test_search_pages_neither_skip_nor_repeat_when_articles_arrive_between_them(store):
    await store.add([make_article(n, title=f"Solar item {n}", text="solar " * (n % 5 + 1) + "filler " * 30) for n in range(40)])
    first = await store.search("solar", limit=5)
    # an ingest between pages: long articles change SQLite's document statistics, and new matches arrive
    await store.add([make_article(100 + n, text="filler " * 3000) for n in range(30)])
    await store.add([make_article(200 + n, title=f"Solar newcomer {n}") for n in range(10)])
    shown, cursor = ids(first), first.next_cursor
    while cursor:
        page = await store.search("solar", limit=5, cursor=cursor)
        shown, cursor = shown + ids(page), page.next_cursor
    assert sorted(shown) == sorted(f"article-{n}" for n in range(40))  # each once; the newcomers wait for a new search


async def test_search_pages_neither_skip_nor_repeat_when_new_articles_reorder_the_ranking(store):
    grid_heavy = [make_article(n, title=f"Item {n}", text="grid grid grid smart " + "filler " * 20) for n in range(5)]
    smart_heavy = [make_article(10 + n, title=f"Item {10 + n}", text="smart smart smart grid " + "filler " * 20) for n in range(5)]
    await store.add(grid_heavy + smart_heavy + [make_article(50 + n, text="smart " + "filler " * 20) for n in range(30)])
    first = await store.search("smart grid", limit=5)  # "grid" is the rarer word: the grid-heavy ones lead
    # many stories with only "grid": on SQLite the word weighs less, and the smart-heavy ones lead
    await store.add([make_article(100 + n, title=f"Grid story {n}", text="grid " + "filler " * 20) for n in range(90)])
    second = await store.search("smart grid", limit=5, cursor=first.next_cursor)
    assert sorted(ids(first) + ids(second)) == sorted(article.id for article in grid_heavy + smart_heavy)


async def test_bad_cursor_and_limit_are_clear_errors(store):
    await store.add([make_article(n) for n in range(3)])
    with pytest.raises(InvalidCursor):
        await store.find(Query(), cursor="not-a-cursor")
    search_cursor = (await store.search("item", limit=1)).next_cursor
    with pytest.raises(InvalidCursor):
        await store.find(Query(), cursor=search_cursor)
    with pytest.raises(ValueError, match="limit"):
        await store.find(Query(), limit=0)


async def test_counts(store, monkeypatch):
    monkeypatch.setattr("content.tagging.places.known_regions", lambda: {"eastern-africa": "Eastern Africa", "oceania": "Oceania"})
    await store.add(
        [
            make_article(1, sectors=("energy",), countries=("KE", "TZ"), source="A"),
            make_article(2, sectors=("energy", "health"), countries=("TZ",), source="B"),
            make_article(3, sectors=("health",), regions=("eastern-africa",), source="A"),
        ]
    )
    assert await store.count_by_sector() == {"energy": 2, "health": 2}
    assert await store.count_by_country() == {"KE": 1, "TZ": 2}
    assert await store.count_by_region() == {"eastern-africa": 3}
    assert await store.count_by_source() == {"A": 2, "B": 1}


async def test_articles_come_in_the_order_they_were_stored_after_a_position(store):
    start = await store.position()
    await store.add([make_article(n, sectors=("energy",) if n % 2 else ()) for n in (5, 1, 3)])
    await store.add([make_article(n, sectors=("energy",) if n % 2 else ()) for n in (0, 2)])
    first = await store.stored_after(start, limit=2)
    assert [article.id for _, article in first] == ["article-5", "article-1"]
    middle, end = first[-1][0], await store.position()
    rest = await store.stored_after(middle)
    assert [article.id for _, article in rest] == ["article-3", "article-0", "article-2"] and rest[-1][0] == end
    assert await store.stored_after(end) == []
    fresh = replace(make_article(7, sectors=("energy",)), published=T0 + timedelta(days=28))  # two days before it was fetched
    await store.add([fresh])
    energy, count = await store.stored_between(middle, await store.position(), Query(sectors=("energy",)), newest=5)
    assert ids(energy) == ["article-7"] and count == 1  # article-3 was published a month before it was fetched


async def test_source_state_round_trip(store):
    assert await store.source_state("feed") == SourceState(name="feed")
    state = SourceState("feed", etag='"abc"', failures=2, next_attempt_at=T0, last_error="HTTP 500", extra={"k": 1})
    await store.save_source_state(state)
    await store.save_source_state(SourceState("feed", etag='"def"', extra={"k": 2}))
    assert await store.source_state("feed") == SourceState("feed", etag='"def"', extra={"k": 2})
    await store.save_source_state(SourceState("another", failures=1))
    assert await store.source_states() == [SourceState("another", failures=1), SourceState("feed", etag='"def"', extra={"k": 2})]


async def test_a_source_state_waits_its_turn_behind_a_long_write_instead_of_failing(tmp_path, monkeypatch):
    # each source's state is saved while other sources store articles: it queued on SQLite's busy
    # timeout, and a write holding the database longer failed it ("database is locked")
    monkeypatch.setattr("content.store.engine._SQLITE_BUSY_TIMEOUT_MS", 50)
    store = await Store.open(f"sqlite:///{tmp_path / 'news.db'}")
    try:
        async with store._write_lock, store.engine.begin() as writing:  # as store.add holds it
            await store._take_turn_to_write(writing)
            saving = asyncio.create_task(store.save_source_state(SourceState("feed", failures=1)))
            await asyncio.sleep(0.5)  # ten busy timeouts
            assert not saving.done()
        await saving
        assert await store.source_state("feed") == SourceState("feed", failures=1)
    finally:
        await store.close()


async def test_naive_times_are_rejected_and_nothing_is_stored(store):
    naive = Article(**{**make_article(1).__dict__, "published": datetime(2026, 1, 1)})
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.add([make_article(2), naive])
    assert ids(await store.find(Query())) == []


async def test_reopening_keeps_the_data(database_url):
    first = await Store.open(database_url)
    await first.add([make_article(1)])
    await first.close()
    second = await Store.open(database_url)
    try:
        assert (await second.get("article-1")).title == make_article(1).title
    finally:
        await second.close()


@pytest.mark.parametrize(
    "url, reason",
    [
        ("sqlite:////nonexistent-dir/newsbot.db", "unable to open database file"),
        ("postgresql://newsbot:hunter2-not-shown@127.0.0.1:1/newsbot", "127.0.0.1"),
        ("mysql://db.test/newsbot", "unsupported database"),
        ("postgresql://newsbot@127.0.0.1:1/newsbot?password=hunter2-not-shown", "password=***"),
        ("postgresql://newsbot:ab@hunter2-not-shown@127.0.0.1:1/newsbot", "an @ in the password must be written %40"),
        ("postgresql://newsbot:hunter2-not-shown@127.0.0.1:port/newsbot", "the port must be a number"),
    ],
)
async def test_a_storage_url_that_cannot_be_opened_is_one_clear_line(url, reason):
    with pytest.raises(StorageError) as raised:
        await asyncio.wait_for(Store.open(url), timeout=30)
    message = str(raised.value)
    assert message.startswith("cannot open storage ") and reason in message
    assert "\n" not in message and "hunter2" not in message


async def test_an_sqlite_file_in_a_missing_folder_names_the_folder(tmp_path):
    with pytest.raises(StorageError) as raised:
        await Store.open(f"sqlite:///{tmp_path}/nodir/sub/newsbot.db")
    assert str(raised.value).endswith(f"unable to open database file (the folder {tmp_path}/nodir/sub does not exist)")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in a read-only folder")
async def test_an_sqlite_file_in_a_read_only_folder_says_the_folder_is_read_only(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(StorageError) as raised:
            await Store.open(f"sqlite:///{folder}/newsbot.db")
    finally:
        folder.chmod(0o755)
    assert str(raised.value).endswith(f"(newsbot cannot write in the folder {folder})")


async def test_postgresql_connections_end_a_statement_that_runs_past_the_timeout(postgresql_url):
    store = await Store.open(postgresql_url)
    try:
        async with store.engine.connect() as connection:
            assert await connection.scalar(sa.text("SHOW statement_timeout")) == "1min"  # the default
    finally:
        await store.close()
    store = await Store.open(postgresql_url, statement_timeout_seconds=0.25)
    try:
        async with store.engine.connect() as connection:
            assert await connection.scalar(sa.text("SHOW statement_timeout")) == "250ms"
            with pytest.raises(DBAPIError, match="statement timeout"):
                await connection.execute(sa.text("SELECT pg_sleep(60)"))  # a query that hangs
        async with store.engine.connect() as connection:  # the pool's connection again, rolled back on checkin
            assert await connection.scalar(sa.text("SHOW statement_timeout")) == "250ms"
    finally:
        await store.close()


async def test_migrations_run_however_short_the_statement_timeout(postgresql_url, tmp_path):
    # a migration step that takes longer than the loop's statement timeout (rebuilding a big index)
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (versions / "0001_slow.py").write_text(
        'from alembic import op\n\nrevision = "s0001"\ndown_revision = None\nbranch_labels = None\n'
        'depends_on = None\n\n\ndef upgrade():\n    op.execute("SELECT pg_sleep(0.5)")\n'
    )
    engine = await open_engine(postgresql_url, statement_timeout_seconds=0.1)
    try:
        await run_migrations(engine, tmp_path / "migrations", "slow_alembic_version")
        async with engine.connect() as connection:
            assert await connection.scalar(sa.text("SELECT version_num FROM slow_alembic_version")) == "s0001"
            with pytest.raises(DBAPIError, match="statement timeout"):  # the loop's queries keep their timeout
                await connection.execute(sa.text("SELECT pg_sleep(0.5)"))
    finally:
        await engine.dispose()


@pytest.mark.parametrize("mode", ["driving", "filter", "correlated"])
async def test_every_text_join_mode_gives_the_same_pages(store, monkeypatch, mode):
    from content.store import fulltext

    if store.dialect != "sqlite":
        pytest.skip("PostgreSQL's planner chooses how to join the text index itself")
    monkeypatch.setattr(fulltext, "join_mode", lambda dialect, count, tag_filtered=False: mode)
    await store.add(
        [
            make_article(n, title=f"Grid note {n}", text=f"grid operators {n} " + "filler " * 5, sectors=("energy",) if n % 2 else ("health",),
                         countries=("TH",) if n % 3 else ("KE",))
            for n in range(12)
        ]
    )
    grid_energy = Query(sectors=("energy",), text="grid")
    assert ids(await store.find(grid_energy, limit=50)) == [f"article-{n}" for n in (11, 9, 7, 5, 3, 1)]
    first = await store.find(Query(text="grid operators", countries=("TH",)), limit=3)
    rest = await store.find(Query(text="grid operators", countries=("TH",)), limit=50, cursor=first.next_cursor)
    assert ids(first) + ids(rest) == [f"article-{n}" for n in (11, 10, 8, 7, 5, 4, 2, 1)]
    assert ids(await store.find(Query(text="nothing-matches-this"))) == []


async def test_counts_follow_what_this_store_adds(store):
    await store.add([make_article(1, sectors=("energy",))])
    assert await store.count_by_sector() == {"energy": 1}
    (await store.count_by_sector())["energy"] = 99  # callers get a copy
    await store.add([make_article(2, sectors=("energy",))])
    assert await store.count_by_sector() == {"energy": 2}


def test_search_terms_read_quotes_and_a_leading_minus_only():
    from content.store.fulltext import Terms, search_terms

    assert search_terms('mini-grid "bank of the north" -solar') == Terms(
        required=(("mini grid",), ("bank of the north",)), excluded=(("solar",),)
    )
    assert search_terms('"the unclosed phrase') == Terms(required=(("unclosed phrase",),))
    assert search_terms("grid - -the") == Terms(required=(("grid",),))
    assert search_terms("-grid") == Terms(excluded=(("grid",),))
    assert not search_terms('"the" -a')


def test_an_energy_in_electronvolts_is_searched_as_written_not_as_an_electric_vehicle():
    from content.store.fulltext import Terms, search_terms

    assert search_terms("band gap of 1.1 eV") == Terms(required=(("band",), ("gap",), ("1.1 ev",)))
    assert search_terms("5 EV models") == Terms(required=(("5",), ("ev", "evs", "electric vehicle", "electric vehicles"), ("models",)))


def test_who_in_capitals_is_searched_as_the_world_health_organization():
    from content.store.fulltext import Terms, search_terms

    assert search_terms("WHO malaria") == Terms(required=(("world health organization",), ("malaria",)))
    assert search_terms("who funds malaria -WHO") == Terms(required=(("funds",), ("malaria",)), excluded=(("world health organization",),))


def test_a_place_of_several_words_is_one_phrase_not_its_words_anywhere():
    from content.store.fulltext import Terms, search_terms

    # "new york" was "new" and "york" anywhere: a new museum in York was New York's news
    assert search_terms("new york") == Terms(required=(("new york",),))
    assert search_terms("bus lanes in new york -coal") == Terms(
        required=(("bus",), ("lanes",), ("new york",)), excluded=(("coal",),)
    )
    assert search_terms("new museums in york") == Terms(required=(("new",), ("museums",), ("york",)))
    assert search_terms("usa today editor") == Terms(required=(("usa today",), ("editor",)))  # a paper, as /news reads it


def test_a_country_or_region_of_several_words_is_searched_as_one_phrase():
    from content.store.fulltext import Terms, search_terms

    # "south africa" was "south" and "africa" anywhere: a story from the south of a country in Africa
    for name in ("south africa", "south korea", "saudi arabia", "new zealand", "united states", "middle east"):
        assert search_terms(name) == Terms(required=((name,),))
    assert search_terms("mines in south africa -coal") == Terms(required=(("mines",), ("south africa",)), excluded=(("coal",),))
    assert search_terms("south of kenya") == Terms(required=(("south",), ("kenya",)))


async def test_search_finds_a_place_of_several_words_where_it_stands_together(store):
    await store.add(
        [
            make_article(1, title="New York adds bus lanes", text="The city paints the lanes red."),
            make_article(2, title="A new museum opens in York", text="Visitors queue in England."),
        ]
    )
    assert ids(await store.search("new york")) == ["article-1"]
    assert ids(await store.find(Query(text="new york"))) == ["article-1"]


def test_english_words_are_stemmed_as_postgresql_stems_them():
    # PostgreSQL 13-18 stem by Snowball 2; Snowball 3 made "internat", "organiz", "universiti"
    assert english_stems("International organizations added universities") == "intern organ ad univers"


async def test_a_word_with_s_or_t_after_an_apostrophe_is_the_word_alone(store):
    await store.add(
        [
            make_article(1, title="Kenya's farmers plant maize", text="Growers in the highlands plant early."),
            make_article(2, title="Kenya plants more tea", text="Estates near Kericho won a prize."),
            make_article(3, title="Rains do not come", text="Farmers don't plant and the dams won't fill."),
        ]
    )
    assert sorted(ids(await store.search("Kenya's"))) == ["article-1", "article-2"]
    assert ids(await store.find(Query(text="Kenya’s farmers"))) == ["article-1"]
    assert sorted(ids(await store.search("won't"))) == ["article-2", "article-3"]
    assert ids(await store.search("don't")) == []
    assert ids(await store.search('"Kenya\'s farmers"')) == ["article-1"]


async def test_a_word_too_long_for_postgresql_to_index_is_no_word_to_search_for_on_both_stores(store):
    long_word, longest_kept = "x" * 3000, "y" * 2047
    await store.add(
        [
            make_article(1, title="Solar farm opens", text=f"Its serial is {long_word} and {longest_kept}."),
            make_article(2, title="Solar roofs spread", text="Installers are busy."),
            make_article(3, title="Wind farm opens", text=f"Its serial is {long_word}."),
        ]
    )
    assert sorted(ids(await store.search(f"solar {long_word}"))) == ["article-1", "article-2"]
    assert sorted(ids(await store.search(f'farm -"{long_word}"'))) == ["article-1", "article-3"]
    assert ids(await store.search(f"solar {longest_kept}")) == ["article-1"]
    assert not search_terms(f'{long_word} "farm {long_word}"')


async def test_words_joined_by_a_dot_or_an_underscore_are_found_by_each_part_on_both_stores(store):
    await store.add(
        [
            make_article(1, title="Reviews move to Giantbomb.com", text="The worker calls scheduler_start at boot."),
            replace(make_article(2, title="Grid code", text="Operators share a script."), code="solar.balance_grid(x)"),
            make_article(3, title="Version news", text="Release v2.0 ships 2.5 times faster."),
        ]
    )
    for words in ("giantbomb", "giantbomb.com", "com"):
        assert ids(await store.search(words)) == ["article-1"], words
    for words in ("scheduler", "scheduler_start", "start"):
        assert ids(await store.search(words)) == ["article-1"], words
    for words in ("balance", "balance_grid", "solar", "solar.balance_grid", '"solar balance grid"'):
        assert ids(await store.search(words)) == ["article-2"], words
    assert ids(await store.search("v2.0")) == ["article-3"]  # a dot between figures is no gap between words


async def test_figures_joined_by_a_dot_and_words_joined_by_a_slash_are_found_by_each_part_on_both_stores(store):
    await store.add(
        [
            make_article(1, title="Release v7.0 ships", text="It runs 7.5 times faster on python4.11."),
            make_article(2, title="Readers of /r/news vote", text="Teams hire for ai/ml roles, says example.com/guide."),
            make_article(3, title="Half the farms", text="Growers open 24/6 and sell 1/8 of their crop (see fig.9)."),
        ]
    )
    for words in ("7", "5", "7.5", "v7", "v7.0", '"v7.0 ships"', "python4", "11"):
        assert ids(await store.search(words)) == ["article-1"], words
    for words in ("news", "r/news", "/r/news", "ml", "ai/ml", '"ai/ml"', "hire -ml/ai", "guide", "example.com/guide"):
        assert ids(await store.search(words)) == ["article-2"], words
    assert ids(await store.search("hire -ai/ml")) == []
    for words in ("24", "24/6", "8", "1/8", "fig", "9", "fig.9"):
        assert ids(await store.search(words)) == ["article-3"], words


async def test_who_in_capitals_finds_articles_that_write_only_who_on_both_stores(store):
    await store.add(
        [
            make_article(1, title="WHO warns on measles", text="The WHO’s chief said cases rose; WHO-backed clinics open."),
            make_article(2, title="World Health Organization meets", text="Delegates met in Geneva."),
            make_article(3, title="Voters who stayed home", text="People who did not vote explain why."),
            make_article(4, title="WHO WILL PAY FOR MEASLES VACCINES?", text="Parents ask; WHO'S AFRAID of the bill."),
        ]
    )
    assert sorted(ids(await store.search("WHO"))) == ["article-1", "article-2"]
    assert ids(await store.search("WHO measles")) == ["article-1"]
    assert ids(await store.search("world health organization measles")) == ["article-1"]
    assert sorted(ids(await store.search("measles -WHO"))) == ["article-4"]  # a headline in capitals names no WHO


async def test_a_hyphenated_word_finds_its_parts_written_apart_on_both_stores(store):
    await store.add(
        [
            make_article(1, title="A state-of-the-art port", text="Cranes load e-commerce parcels."),
            make_article(2, title="Port of the future", text="The state of the art in cranes; long term loans."),
            make_article(3, title="Loans", text="A long-term plan for E commerce."),
        ]
    )
    assert sorted(ids(await store.search("state-of-the-art"))) == ["article-1", "article-2"]
    assert sorted(ids(await store.search("long-term"))) == ["article-2", "article-3"]
    assert ids(await store.find(Query(text="e-commerce"))) == ["article-3", "article-1"]
    assert ids(await store.search("-e-commerce cranes")) == ["article-2"]
    assert ids(await store.search('"state-of-the-art"')) == ids(await store.search('"state of the art"'))


async def test_articles_are_written_where_sqlite_trusts_no_function_in_a_schema_by_default(tmp_path, monkeypatch):
    """An SQLite built with SQLITE_TRUSTED_SCHEMA=0 refuses the search index's triggers ("unsafe use of
    virtual table", of their stemming function too) unless the connection trusts its own schema."""
    from sqlalchemy.ext import asyncio as sa_asyncio

    from content.store import engine as engine_module

    def distrusting_engine(url, **options):
        engine = sa_asyncio.create_async_engine(url, **options)
        sa.event.listen(engine.sync_engine, "connect", lambda connection, _: connection.execute("PRAGMA trusted_schema=OFF"))
        return engine

    monkeypatch.setattr(engine_module, "create_async_engine", distrusting_engine)
    opened = await Store.open(f"sqlite:///{tmp_path / 'news.db'}")
    try:
        await opened.add([make_article(1, title="Farmers use drones")])
        assert ids(await opened.search("drone")) == ["article-1"]
    finally:
        await opened.close()


async def test_a_word_that_is_a_stop_word_or_a_letter_but_for_its_accent_is_left_out_as_they_are(store):
    # "à" is "a" and "às" is "as" to both indexes: looked for, they found every article that has "a" or "as"
    await store.add(
        [
            make_article(1, title="Solar panels on a roof", text="A bakery serves food à la carte. " * 2),
            make_article(2, title="Solar farms", text="Panels as far as a field reaches. " * 2),
        ]
    )
    assert ids(await store.search("à")) == ids(await store.search("às")) == []
    assert ids(await store.find(Query(text="solar -à"))) == ["article-2", "article-1"]
    assert ids(await store.search('"à la carte"')) == ["article-1"]
    assert ids(await store.search('"a la carte" solar')) == ["article-1"]


async def test_a_copy_another_process_adds_while_a_batch_is_checked_is_merged_not_listed_twice(store, database_url, monkeypatch):
    from content.store import adding

    text = "Engineers in Mombasa fitted cranes with sensors that predict failures, and the port says delays fell by a third."
    other = await Store.open(database_url)
    checked, racing = adding.find_known, []

    async def check_then_let_the_other_add(*args):
        known = await checked(*args)
        if not racing:  # the other process adds its copy now, unless this batch keeps other writers waiting
            racing.append(asyncio.create_task(other.add([make_article(2, title="Mombasa port cranes predict failures", text=text)])))
            await asyncio.wait(racing, timeout=1)
        return known

    monkeypatch.setattr(adding, "find_known", check_then_let_the_other_add)
    try:
        await store.add([make_article(1, title="Mombasa port cranes predict failures", text=text)])
        await racing[0]
        assert ids(await store.find(Query())) == ["article-1"]
        assert (await store.get("article-2")).id == "article-1"
    finally:
        await other.close()


async def test_a_word_of_a_script_written_without_spaces_is_found_inside_a_sentence(store):
    await store.add(
        [
            make_article(1, title="北京发布人工智能新政策", text="北京市政府今天发布了人工智能产业发展计划。"),
            make_article(2, title="กรุงเทพฯ เปิดโครงการ", text="รัฐบาลไทยประกาศแผนพลังงานแสงอาทิตย์ใหม่"),
            make_article(3, title="東京で自動運転バスの実験", text="東京都は自動運転バスの実証実験を始めた。"),
            make_article(4, title="Solar in Beijing", text="A plan for 北京 and Shanghai."),
        ]
    )
    for text, found in [
        ("人工智能", ["article-1"]), ("北京", ["article-4", "article-1"]), ("พลังงานแสงอาทิตย์", ["article-2"]),
        ("自動運転", ["article-3"]), ('"東京都" バス', ["article-3"]), ("北京 -人工智能", ["article-4"]), ("能人", []),
    ]:
        assert ids(await store.find(Query(text=text))) == found, text
    assert ids(await store.search("人工智能")) == ["article-1"]


async def test_a_revised_article_takes_the_new_link_title_text_summary_and_tags_and_keeps_its_place(store):
    original = make_article(1, title="Utility tests rooftop solar in Chiang Mai", text="Rooftop panels feed the grid.",
                            sectors=("energy",), countries=("TH",), source="Wire")
    await store.add([original, make_article(2, sectors=("energy",))])
    position = await store.position()
    assert await store.count_by_sector() == {"energy": 2}
    revised = replace(
        original, title="CORRECTED: Clinic tests telemedicine in Nairobi", text="Doctors consult by video.",
        summary="Doctors consult by video.", sectors=("health",), countries=("ke",), published=T0 + timedelta(days=9),
        sources=("Other",), url="https://news.test/health/1",
    )
    assert await store.revise([revised, replace(revised, id="not-stored")]) == 1
    stored = await store.get("article-1")
    assert (stored.url, stored.title, stored.text, stored.summary) == (revised.url, revised.title, revised.text, revised.summary)
    assert (stored.sectors, stored.countries) == (("health",), ("KE",))
    assert (stored.published, stored.fetched, stored.sources) == (original.published, original.fetched, ("Wire",))
    assert await store.position() == position and await store.stored_after(position) == []
    assert ids(await store.search("telemedicine")) == ["article-1"]
    assert ids(await store.search("corrected nairobi")) == ["article-1"]
    assert await store.search("rooftop") == Page([]) and await store.search("Chiang Mai") == Page([])
    assert ids(await store.find(Query(sectors=("health",), countries=("KE",)))) == ["article-1"]
    assert ids(await store.find(Query(sectors=("energy",)))) == ["article-2"]
    assert (await store.count_by_sector(), await store.count_by_country()) == ({"energy": 1, "health": 1}, {"KE": 1})


async def test_stored_texts_name_each_articles_first_source_and_hash_its_title_and_text(store):
    article = replace(make_article(1, source="Wire"), guid="wire-1")
    copy = replace(article, id="copy-1", sources=("Mirror",))
    await store.add([article])
    await store.add([copy, replace(article, sources=("Mirror",))])
    assert (await store.get("article-1")).sources == ("Wire", "Mirror")
    texts = await store.stored_texts(["article-1", "copy-1", "missing"])
    assert texts == {"article-1": StoredText("Wire", "wire-1", text_hash(article.title, article.text), article.url)}


async def test_stored_entries_are_the_articles_first_stored_from_a_sources_entries_with_those_guids(store):
    first = replace(make_article(1, source="Wire"), guid="1")
    again = replace(make_article(2, source="Wire"), guid="1")  # a feed giving its guid to another story
    other = replace(make_article(3, source="Wire"), guid="https://news.test/?p=3")
    copy = replace(first, id="copy-1", sources=("Mirror",))  # merged into the first: its entry stores nothing
    await store.add([first, again, other, replace(make_article(4, source="Mirror"), guid="4")])
    await store.add([copy])
    entries = await store.stored_entries([("Wire", "1"), ("Wire", "https://news.test/?p=3"), ("Mirror", "1"), ("Wire", "4")])
    assert sorted((entry.id, entry.source, entry.guid) for entry in entries) == [
        ("article-1", "Wire", "1"), ("article-2", "Wire", "1"), ("article-3", "Wire", "https://news.test/?p=3"),
    ]
    assert {entry.id: (entry.title, entry.published) for entry in entries}["article-3"] == (other.title, other.published)


async def test_an_article_stored_before_text_hashes_were_kept_gets_the_hash_of_its_stored_text(store):
    await store.add([make_article(1), make_article(2)])
    async with store.engine.begin() as connection:
        await connection.execute(sa.update(articles).values(text_hash=None))
    texts = await store.stored_texts(["article-1", "article-2"])
    assert texts["article-2"].text_hash == text_hash(make_article(2).title, make_article(2).text)
    async with store.engine.connect() as connection:
        kept = dict((await connection.execute(sa.select(articles.c.id, articles.c.text_hash))).all())
    assert kept == {article_id: stored.text_hash for article_id, stored in texts.items()}


async def test_a_control_character_in_the_words_parts_them_on_both_stores(store):
    # PostgreSQL refuses a NUL in a query's text: a query from an API caller or a config must not fail there
    await store.add([make_article(1, title="Solar farm opens", text="Installers are busy.")])
    assert ids(await store.search("solar\x00farm")) == ["article-1"]
    assert ids(await store.find(Query(text="farm\x00\x1b opens"))) == ["article-1"]
    assert ids(await store.search("\x00")) == []


async def test_a_lone_surrogate_in_the_words_parts_them_on_both_stores(store):
    # a byte a command line could not decode (`newsbot news --query`) reaches Python as a lone surrogate
    await store.add([make_article(1, title="Solar farm opens", text="Installers are busy.")])
    assert ids(await store.search("solar\udcfffarm")) == ["article-1"]
    assert ids(await store.find(Query(text="farm\udcff"))) == ["article-1"]


async def test_a_quoted_phrase_does_not_run_from_the_title_into_the_summary_on_both_stores(store):
    article = make_article(1, title="Farmers buy solar", text="Cheers in the hills.")
    await store.add([replace(article, summary="Grid boost for villages")])
    assert ids(await store.search("solar grid")) == ["article-1"]
    assert ids(await store.search('"solar grid"')) == []
    assert ids(await store.find(Query(text='"villages cheers"'))) == []
