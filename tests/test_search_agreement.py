"""SQLite and PostgreSQL find the same articles for the same words (needs NEWSBOT_TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from content.model import Article, Query
from content.store import Store
from content.store.words import english_stems

T0 = datetime(2026, 2, 1, 6, 0, tzinfo=timezone.utc)

# Short articles written for this test: words that stemmers, stop words and parsers read differently.
CORPUS = [
    ("The US uses drones on farms", "Growers used new sensors; the co-op's news was generous."),
    ("Eve of the vote in São Paulo", "On election eve, voters in Sao Paulo queued generously."),
    ("EVs and electric vehicles in Hà Nội", "An electric vehicle maker opened a plant near Ha Noi."),
    ("International organizations fund universities", "An intern at the organic farm organized visits."),
    ("Kenya's long-term plan for e-commerce", "Kenya won't wait: a long term plan, state-of-the-art parcels."),
    ("AI tutors in Kisumu", "Artificial intelligence helps teachers; pupils don't lose time."),
    ("COVID-19 clinics reopen in Lagos", "After covid 19 waves, a 2.5GW grid keeps clinics running."),
    ("Solar policies in Chiang Mai", "The policy won support and adds rooftop solar; a Thai word: ภาษาไทย."),
    ("U.S. farmers' markets expand", "Farmers' cooperatives run markets in the state of the art hall."),
    ("Running water for Dhaka", "Engineers from Kenya ran pipes; the running costs fell; it is ok."),
    ("Straße closed in Berlin", "The Greek daily Ο Λόγος reports; the ﬁnancial district builds ﬂood walls."),
    ("World Health Organization meets", "The WHO said who would come."),
    ("CO₂ falls as R&D grows", "½ of the firms run long‑term trials in 40 m² labs; ① NEAR (the) site."),
    ("Giantbomb.com reviews the U.S.A. release", "The api.v2_start hook calls scheduler_start; node.js 2.5 ok."),
    ("Readers of /r/news pick v7.0", "Teams hire for ai/ml roles at 24/6 desks; 1/8 read example.com/guide, fig.9."),
    ("WHO warns on measles", "The WHO’s chief spoke; WHO-backed clinics open. WHO'S AFRAID OF MEASLES, WHO KNOWS?"),
]

# Blocks of code of some of them (by number), searched as their own column of least weight
CODE_BLOCKS = {2: "run_now_fast(grid)", 8: "balance_grid(solar, x=2.5)  # policy", 14: "grid.balance_load(solar.Panels)"}

QUERIES = [
    "US", "us", "uses", "use", "EV", "eve", "new", "news", "AI", "artificial intelligence", "electric vehicles",
    "international", "intern", "organic", "organization", "universities", "generous", "generously",
    "Kenya's", "Kenya", "won't", "don't", "farmers'", "co-op", "long-term", "long term", "state-of-the-art",
    "e-commerce", '"state of the art"', '"long term plan"', '"election eve"', "solar -policy", "farm -drones",
    "-solar", "COVID-19", "covid", "2.5GW", "U.S.", "São Paulo", "sao paulo", "Hà Nội", "Ha Noi", "ภาษาไทย",
    "the", "in the", "of", "ok", "running", "ran", "policies", "MiXeD Policy", "SOLAR chiang mai",
    "strasse", "Straße", "λόγος", "ΛΌΓΟΣ", "financial", "flood walls", "solar " + "x" * 3000, "WHO", "who",
    "CO₂", "co2", "co", "R&D", "½", "1⁄2 firms", "m²", "40 m2", "long‑term trials", "40 m²", "①", "NEAR",
    "NEAR(site)", "trials AND labs", "labs OR site", "sit*", "(site)", "solar\x00policy", "-", "*", '""',
    "run_now_fast", "run fast", "grid", '"solar policies"', "balance_grid", "policy -balance_grid",
    "scheduler", "scheduler_start", "giantbomb", "giantbomb.com", "com", "api", "v2", "node", "js", "U.S.A.", "usa",
    "balance", "balance_load", "load", "panels", "grid.balance_load", "-giantbomb release",
    "2", "5", "2.5", "v7", "v7.0", "7", "news", "r/news", "/r/news", "ml", "ai/ml", '"ai/ml"', "hire -ai/ml", "24",
    "24/6", "8", "1/8", "1/2", "guide", "example.com/guide", "fig", "fig.9", "9", "x=2.5",
    "WHO measles", "world health", "measles -WHO", "WHO-backed", "health organization chief", "WHO knows",
]


def corpus_articles() -> list[Article]:
    return [
        Article(
            id=f"agree-{number}",
            url=f"https://agree.test/{number}",
            title=title,
            sources=("Agreement wire",),
            published=T0 + timedelta(hours=number),
            fetched=T0 + timedelta(days=1),
            text=text,
            summary=text.split(";")[0],
            code=CODE_BLOCKS.get(number, ""),
        )
        for number, (title, text) in enumerate(CORPUS, start=1)
    ]


@pytest.fixture
async def stores(tmp_path, postgresql_url):
    sqlite = await Store.open(f"sqlite:///{tmp_path / 'newsbot.db'}")
    postgresql = await Store.open(postgresql_url)
    try:
        for store in (sqlite, postgresql):
            await store.add(corpus_articles())
        yield sqlite, postgresql
    finally:
        await sqlite.close()
        await postgresql.close()


async def found(store: Store, words: str) -> tuple[set[str], list[str]]:
    """The ids a search finds (its ranking is each database's own), and those a filter finds, newest first."""
    searched = {article.id for article in (await store.search(words, limit=50)).articles}
    filtered = [article.id for article in (await store.find(Query(text=words), limit=50)).articles]
    return searched, filtered


async def test_both_stores_find_the_same_articles_for_the_same_words(stores):
    sqlite, postgresql = stores
    disagreements, finding = {}, 0
    for words in QUERIES:
        on_sqlite, on_postgresql = await found(sqlite, words), await found(postgresql, words)
        if on_sqlite != on_postgresql:
            disagreements[words] = (on_sqlite, on_postgresql)
        finding += bool(on_sqlite[0])
    assert disagreements == {}
    assert finding >= 40  # agreement on finding nothing would prove nothing


async def test_python_stems_english_words_as_postgresql_does(postgresql_url):
    words = sorted({word.lower() for title, text in CORPUS for word in f"{title} {text}".split() if word.isalpha() and word.isascii()})
    postgresql = await Store.open(postgresql_url)
    try:
        async with postgresql.engine.connect() as connection:
            rows = await connection.execute(
                sa.text("SELECT word, ts_lexize('english_stem', word) FROM unnest(CAST(:words AS text[])) word"),
                {"words": words},
            )
            stems = {word: lexemes[0] for word, lexemes in rows if lexemes}
    finally:
        await postgresql.close()
    assert {word: english_stems(word) for word in stems} == stems
