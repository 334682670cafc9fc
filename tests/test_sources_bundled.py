"""The bundled demo corpus: complete, well-formed and shaped for the demo."""

from __future__ import annotations

from datetime import datetime, timezone

from content.model import SourceState
from content.settings import BundledSource
from content.sources import fetch_source, new_http_client
from content.sources.bundled import corpus_drafts

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


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
