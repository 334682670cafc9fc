"""The bundled demo corpus: complete, well-formed and shaped for the demo."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.delivery.db import migrate as migrate_bot_tables
from bot.model import Command, Reply, Target
from bot.router import build_router
from content.ingest import ingest_once
from content.model import SourceState
from content.settings import BundledSource
from content.sources import fetch_source, new_http_client
from content.sources.bundled import corpus_drafts
from content.store import Store
from content.tagging import Tagger
from helpers_content import sample_context

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)

# What README.md, /start, /help and the usage hints tell a newcomer to type: on the demo corpus, each
# shows articles (a subscription shows its latest ones), not "nothing matches"
EXAMPLES_THAT_FIND = [
    "/latest", "/latest 10", "/sector energy", "/country kenya", "/news AI education in Thailand",
    "/search smart grid", "/country southeast asia", "/country kyiv", "/country kenia", "/country 🇰🇪",
    "/sector agri", "/sector IT", "/news energy thailand", "/news AI education in Kenya",
    "/news china pakistan", "/news oil nigeria", "/news sugar", "/news new york", "/news fintech lagos",
    "/news south china sea", "/news energy -coal", '/search "smart grid"', "/search smart grid -solar",
    "/subscribe energy kenya daily 08:00", "/subscribe energy kenya", "/subscribe AI education in Thailand",
    "/subscribe smart grid", "/subscribe oil", '/subscribe "green hydrogen"', "/subscribe kenya weekly mon 09:00",
]
# ...and those that answer with a question: its first button shows articles
EXAMPLES_THAT_ASK = ["/news kenia", "/news healthcare kenya", "/sector banks", "/news man", "/subscribe man"]
# The sectors and places README.md says newsbot follows: the demo has articles on each
PROMISED_SECTORS = ["energy", "agriculture", "education", "health", "transport", "manufacturing", "finance", "trade"]
PROMISED_PLACES = ["china", "pakistan", "kenya", "thailand", "southeast asia", "africa"]


def test_at_least_eighteen_complete_articles():
    drafts = corpus_drafts()
    assert len(drafts) >= 18
    for draft in drafts:
        assert draft.title and draft.source and draft.source != "newsbot demo", draft
        assert draft.url.startswith("https://demo.newsbot.example/"), draft.url
        assert draft.published.year == 2026 and draft.published.tzinfo is timezone.utc
        assert 150 <= len(draft.text.split()) <= 300, (draft.title, len(draft.text.split()))
    assert len({draft.url for draft in drafts}) == len(drafts)


def test_no_sector_or_country_overrides():
    assert all(draft.sectors is None and draft.countries is None for draft in corpus_drafts())


def test_one_story_is_syndicated_under_two_urls():
    by_lead: dict[str, list] = {}
    for draft in corpus_drafts():
        by_lead.setdefault(draft.text.split("\n\n")[0], []).append(draft)
    syndicated = [group for group in by_lead.values() if len(group) > 1]
    assert len(syndicated) == 1
    first, second = syndicated[0]
    assert first.url != second.url and first.source != second.source


def test_required_places_are_covered():
    texts = [draft.title + " " + draft.text for draft in corpus_drafts()]
    for place, minimum in {"Kenya": 2, "Thailand": 2, "Pakistan": 1, "Southeast Asia": 1, "China": 3}.items():
        assert sum(place in text for text in texts) >= minimum, place
    assert any("Thailand" in text and "smart grid" in text and "solar" in text for text in texts)
    assert any("China" in text and "Africa" in text for text in texts)


async def test_fetch_source_returns_the_corpus():
    async with new_http_client() as client:
        result = await fetch_source(BundledSource(kind="bundled"), SourceState(name="newsbot demo"), client, NOW)
    assert result.error is None and len(result.drafts) == len(corpus_drafts())
    assert result.state.failures == 0


@pytest.fixture
async def demo_router(database_url):
    store = await Store.open(database_url)
    await migrate_bot_tables(store.engine)
    tagger = Tagger.from_settings()
    await ingest_once(store, [BundledSource(kind="bundled")], tagger, now=NOW)
    yield build_router(sample_context(store, tagger))
    await store.close()


async def ask(router, line: str, chat: str) -> Reply:
    name, _, args = line.lstrip("/").partition(" ")
    return await router.handle(Command(name=name, args=args, user="newcomer", target=Target("console", chat)))


@pytest.mark.parametrize("line", EXAMPLES_THAT_FIND)
async def test_each_example_finds_demo_articles(demo_router, line):
    reply = await ask(demo_router, line, chat=line)  # a chat of its own: one example's subscription is no other's
    assert reply.cards, (line, reply.text)


@pytest.mark.parametrize("line", EXAMPLES_THAT_ASK)
async def test_each_example_question_offers_demo_articles(demo_router, line):
    reply = await ask(demo_router, line, chat=line)
    assert not reply.cards and reply.actions, (line, reply.text)
    answer = await ask(demo_router, reply.actions[0].command, chat=line)
    assert answer.cards, (line, reply.actions[0].command, answer.text)


async def test_every_promised_sector_and_place_has_demo_articles(demo_router):
    lines = [f"/sector {name}" for name in PROMISED_SECTORS] + [f"/country {name}" for name in PROMISED_PLACES]
    for line in lines:
        assert (await ask(demo_router, line, chat="console")).cards, line
