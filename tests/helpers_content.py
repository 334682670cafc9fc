"""A store with a dozen hand-written, already tagged articles, for bot-side tests.

    store = await open_sample_store(database_url)
    ctx = sample_context(store)            # real Tagger, fresh PageMemory, a fixed clock
    router = build_router(ctx)

The articles are short and invented (fictional example.org URLs); their tags are set
by hand so bot tests do not depend on the taggers.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.context import Context
from bot.delivery.db import migrate as migrate_bot_tables
from content.model import Article, article_id
from content.store import Store
from content.tagging import Tagger

FIXED_NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
_FIRST_PUBLISHED = datetime(2026, 5, 1, 8, 0, tzinfo=timezone.utc)


def sample_article(
    number: int,
    title: str,
    text: str,
    *,
    sectors: tuple[str, ...] = (),
    countries: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
    source: str = "Example Wire",
) -> Article:
    """An article published `number` days after May 1st 2026 (higher numbers are newer)."""
    url = f"https://news.example.org/{number:03d}"
    published = _FIRST_PUBLISHED + timedelta(days=number)
    return Article(
        id=article_id(url, None),
        url=url,
        title=title,
        sources=(source,),
        published=published,
        fetched=published + timedelta(hours=1),
        text=text,
        summary=text.split(". ")[0].rstrip(".") + ".",
        sectors=sectors,
        countries=countries,
        regions=regions,
        language="en",
    )


SAMPLE_ARTICLES: list[Article] = [
    sample_article(
        1,
        "Thai utility pilots a smart grid in Chiang Mai",
        "A Thai power distributor is testing sensors and forecasting software on the grid around Chiang Mai. "
        "Engineers say the software predicts rooftop solar output an hour ahead.",
        sectors=("energy", "technology"),
        countries=("TH",),
        regions=("south-eastern-asia",),
        source="Grid Bulletin",
    ),
    sample_article(
        2,
        "Kenyan schools try an AI reading tutor",
        "Primary schools in Kisumu are trying a tablet tutor that listens to pupils read aloud. "
        "Teachers receive a weekly report on each class.",
        sectors=("education",),
        countries=("KE",),
        source="Classroom Notes",
    ),
    sample_article(
        3,
        "Pakistani farmers get pest alerts by text message",
        "Cotton growers in Punjab receive warnings when traps photograph whiteflies. "
        "A cooperative runs the image model on a small server.",
        sectors=("agriculture",),
        countries=("PK",),
    ),
    sample_article(
        4,
        "Vietnamese electronics plant adds machine vision inspection",
        "A factory near Hanoi now checks circuit boards with cameras and a defect classifier. "
        "Managers report fewer returns from buyers.",
        sectors=("manufacturing",),
        countries=("VN",),
        regions=("south-eastern-asia",),
    ),
    sample_article(
        5,
        "Solar mini-grids with smart meters reach Kenyan villages",
        "Villages near Lake Victoria are connected to solar mini-grids that bill by mobile money. "
        "The smart meters report faults to the operator.",
        sectors=("energy",),
        countries=("KE",),
        source="Grid Bulletin",
    ),
    sample_article(
        6,
        "Chinese and Nigerian universities open a joint AI lab",
        "Researchers from Lagos and Shenzhen will share a lab for speech recognition in Yoruba and Hausa. "
        "Students will spend a term at each campus.",
        sectors=("education", "technology"),
        countries=("CN", "NG"),
    ),
    sample_article(
        7,
        "Indonesian port tests container tracking with AI",
        "The port authority in Surabaya predicts crane queues from ship schedules. "
        "Trucking firms get arrival slots on their phones.",
        sectors=("transport",),
        countries=("ID",),
        regions=("south-eastern-asia",),
    ),
    sample_article(
        8,
        "Brazilian clinics use triage software for dengue season",
        "Health posts in Recife rank incoming patients by risk with a simple scoring model. "
        "Nurses can override every score.",
        sectors=("health",),
        countries=("BR",),
    ),
    sample_article(
        9,
        "Thai vocational colleges teach drone mapping",
        "Colleges in Khon Kaen added a course on mapping rice fields with drones. "
        "Graduates sell survey services to farm cooperatives.",
        sectors=("education", "agriculture"),
        countries=("TH",),
        regions=("south-eastern-asia",),
        source="Classroom Notes",
    ),
    sample_article(
        10,
        "Egyptian lenders share a fraud detection model",
        "Banks in Cairo pooled anonymised card data to train a fraud detector. "
        "The central bank oversees the project.",
        sectors=("finance",),
        countries=("EG",),
    ),
    sample_article(
        11,
        "Southeast Asian regulators draft shared rules for AI in trade",
        "Officials from several ASEAN members met in Jakarta to align rules on automated customs checks. "
        "A draft is due next year.",
        sectors=("trade",),
        regions=("south-eastern-asia",),
    ),
    sample_article(
        12,
        "Kenyan dairy cooperative forecasts milk prices with AI",
        "A cooperative in Nyeri forecasts milk prices from weather and feed costs. "
        "Farmers see the forecast in a text message every Monday.",
        sectors=("agriculture",),
        countries=("KE",),
    ),
]


async def open_sample_store(url: str, articles: list[Article] | None = None) -> Store:
    """Open a fresh store at `url` holding the sample articles (or the ones given), bot tables included."""
    store = await Store.open(url)
    await migrate_bot_tables(store.engine)
    await store.add(SAMPLE_ARTICLES if articles is None else articles)
    return store


def sample_context(store: Store, tagger: Tagger | None = None) -> Context:
    return Context(store=store, tagger=tagger or Tagger.from_settings(), clock=lambda: FIXED_NOW)

