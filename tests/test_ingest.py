"""The ingest pipeline with a fake fetcher: drafts become stored, summarized articles; failures stay per source."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

import content.ingest as ingest
import content.sources
from bot.router import build_router
from content.analysis import analyze_many
from content.ingest import SUMMARY_MAX_CHARS, build_articles, ingest_forever, ingest_once
from content.model import Draft, Query, article_id, content_guid
from content.sources.feed import parse_feed
from content.sources.files import parse_markdown
from content.settings import BundledSource, FeedSource
from content.sources import FetchResult
from content.store import Store, run_migrations
from content.store.adding import _article_row
from content.store.engine import async_url, create_engine
from content.store.schema import articles
from content.store.store import MIGRATIONS, VERSION_TABLE
from content.tagging import Tagger
from helpers_content import sample_context
from test_commands import command

NOW = datetime(2026, 4, 2, 6, 0, tzinfo=timezone.utc)
SOLAR_TEXT = (
    "Thailand's state utility switched on a rooftop solar network in Chiang Mai on Monday. "
    "Engineers say software balances the smart grid every few seconds. "
    "The pilot covers four hundred homes. Officials plan to expand it next year."
)


def feed(name: str, interval: int = 900) -> FeedSource:
    return FeedSource(name=name, kind="feed", url=f"https://{name}.test/rss", interval=interval)


def draft(number: int, source: str, **changes) -> Draft:
    base = Draft(
        source=source,
        title=f"Rooftop solar story {number}",
        text=f"Story {number} is about something else entirely. " + SOLAR_TEXT,
        url=f"https://{source}.test/{number}?utm_source=rss",
        published=NOW - timedelta(hours=number),
    )
    return replace(base, **changes)


@pytest.fixture
async def store(database_url):
    opened = await Store.open(database_url)
    try:
        yield opened
    finally:
        await opened.close()


def fake_fetch(outcomes: dict):
    """fetch_source stand-in: per source name, drafts to return, an error line, or an exception to raise."""
    calls = []

    async def fetch(source, state, client, now):
        calls.append(source.name)
        outcome = outcomes[source.name]
        if isinstance(outcome, Exception):
            raise outcome
        if isinstance(outcome, str):
            return FetchResult([], replace(state, failures=state.failures + 1, last_error=outcome), error=outcome)
        return FetchResult(list(outcome), replace(state, etag=f'"{source.name}-1"'))

    fetch.calls = calls
    return fetch


def test_build_article_summarizes_keeps_overrides_and_canonicalizes():
    [article] = build_articles([draft(1, "wire", sectors=("Energy",), countries=("th",), published=None)], None, [NOW])
    assert article.id == article_id("https://wire.test/1", None)
    assert article.url == "https://wire.test/1"
    assert article.published == NOW and article.fetched == NOW
    assert article.sectors == ("energy",) and article.countries == ("TH",)
    assert article.summary.startswith("Story 1 is about something else entirely.")
    assert article.sources == ("wire",)


def test_a_hash_routed_link_keeps_its_route_and_each_story_its_id():
    links = ["https://site.test/#!/story/1", "https://site.test/#/news/42", "https://site.test/#/news/43",
             "https://site.test/#comments"]
    articles = [build_articles([draft(1, "spa", url=link)], None, [NOW])[0] for link in links]  # a fetch each
    assert [article.url for article in articles] == links[:3] + ["https://site.test/"]
    assert len({article.id for article in articles}) == 4
    assert articles[3].id == article_id("https://site.test/", None)


def test_a_sources_own_tags_are_read_by_name_and_unknown_ones_left_out(caplog):
    tagged = draft(1, "notes", sectors=("Energy", "not-a-sector"), countries=("XX", "kenya", "Kenya", "🇹🇭", "42", "africa"))
    unknown_only = draft(2, "notes", sectors=("basket weaving",), countries=("Atlantis",))
    untagged = replace(unknown_only, sectors=None, countries=None)
    first, second, by_taggers = build_articles([tagged, unknown_only, untagged], Tagger.from_settings(), [NOW] * 3)
    assert (first.sectors, first.countries) == (("energy",), ("KE", "TH"))
    assert (second.sectors, second.countries) == (by_taggers.sectors, by_taggers.countries)  # none known: the taggers decide
    warned = " ".join(record.getMessage() for record in caplog.records)
    assert "'not-a-sector' names no sector newsbot knows" in warned and "'XX' names no country" in warned


def test_a_summary_of_long_sentences_stays_a_teaser():
    long_sentence = "The regional grid operator said its new forecasting system " + "and its partners " * 14 + "cut curtailment."
    text = " ".join(f"{long_sentence[:-1]} by {n} percent." for n in range(5))
    [article] = build_articles([draft(1, "wire", text=text)], None, [NOW])
    assert 300 < len(article.summary) <= SUMMARY_MAX_CHARS
    assert article.summary.endswith("percent.")  # whole sentences, not a cut one


def test_a_draft_without_url_or_guid_still_gets_a_stable_id():
    [first] = build_articles([draft(1, "wire", url=None)], None, [NOW])
    [again] = build_articles([draft(1, "wire", url=None)], None, [NOW + timedelta(hours=1)])
    assert first.id == again.id and first.url is None


def episode(number: int) -> Draft:
    """A podcast episode that, like every other, links to the show's home page; its text is too
    short for the store to merge it as a copy of another, so only its id can tell."""
    return draft(
        number, "cast", title=f"Episode {number}: interview number {number}", text=f"Guest {number} talks.",
        url="https://cast.test/", guid=f"cast-episode-{number}",
    )


async def test_entries_sharing_a_link_but_not_a_guid_are_all_stored(store, monkeypatch):
    episodes = [episode(number) for number in range(1, 4)]
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"cast": episodes}))
    report = await ingest_once(store, [feed("cast")], None, client=object(), now=NOW)
    assert (report.new, report.duplicates) == (3, 0)
    stored = (await store.find(Query())).articles
    assert sorted(a.title for a in stored) == [e.title for e in episodes]
    assert {a.url for a in stored} == {"https://cast.test/"}
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"cast": [*episodes, episode(4)]}))
    report = await ingest_once(store, [feed("cast")], None, client=object(), now=NOW + timedelta(hours=1))
    assert (report.new, report.duplicates) == (1, 3)


async def test_two_feeds_numbering_their_entries_alike_keep_every_entry(store, monkeypatch):
    def show(name: str) -> list[Draft]:
        return [
            draft(number, name, title=f"{name} episode {number}", text=f"{name} guest {number} talks.",
                  url=f"https://{name}.test/", guid=str(number))
            for number in (1, 2)
        ]

    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"casta": show("casta"), "castb": show("castb")}))
    report = await ingest_once(store, [feed("casta"), feed("castb")], None, client=object(), now=NOW)
    assert (report.new, report.duplicates) == (4, 0)
    report = await ingest_once(store, [feed("casta"), feed("castb")], None, client=object(), now=NOW + timedelta(hours=1))
    assert (report.new, report.duplicates) == (0, 4)


async def test_entries_sharing_a_link_without_guids_are_told_apart_by_their_words(store, monkeypatch):
    notes = [draft(number, "notes", title=f"Release note {number}", text=f"Change {number} ships.",
                   url="https://notes.test/changelog") for number in (1, 2, 3)]
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"notes": notes}))
    assert (await ingest_once(store, [feed("notes")], None, client=object(), now=NOW)).new == 3
    report = await ingest_once(store, [feed("notes")], None, client=object(), now=NOW + timedelta(hours=1))
    assert (report.new, report.duplicates) == (0, 3)


async def test_an_entry_without_guid_is_found_again_when_alone_with_its_link_or_edited(store, monkeypatch):
    notes = [draft(number, "notes", title=f"Release note {number}", text=f"Change {number} ships.",
                   url="https://notes.test/changelog") for number in (1, 2)]
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"notes": notes}))
    assert (await ingest_once(store, [feed("notes")], None, client=object(), now=NOW)).new == 2
    edited = replace(notes[1], text="Change 2 ships, and a fix.")
    for fetched, updated in (([edited], 1), ([notes[0], edited], 0)):  # note 1 gone from the feed, then back
        monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"notes": fetched}))
        report = await ingest_once(store, [feed("notes")], None, client=object(), now=NOW + timedelta(hours=1))
        assert (report.new, report.updated, report.duplicates) == (0, updated, len(fetched) - updated)


async def test_entries_sharing_a_link_title_and_date_are_told_apart_by_their_text(store, monkeypatch):
    updates = [draft(number, "status", title="Status update", text=f"Service {number} is back.", published=None,
                     url="https://status.test/") for number in (1, 2)]
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"status": updates}))
    assert (await ingest_once(store, [feed("status")], None, client=object(), now=NOW)).new == 2
    for fetched in (updates, updates[1:]):  # again, and then alone with the link
        monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"status": fetched}))
        report = await ingest_once(store, [feed("status")], None, client=object(), now=NOW + timedelta(hours=1))
        assert (report.new, report.duplicates) == (0, len(fetched))


async def test_a_story_listed_twice_with_its_date_is_one_article(store, monkeypatch):
    story = draft(1, "wire", url="https://wire.test/grid", guid=None)
    shortened = replace(story, text=story.text[:60])  # the same story again, cut short
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"wire": [story, shortened]}))
    report = await ingest_once(store, [feed("wire")], None, client=object(), now=NOW)
    assert (report.new, report.duplicates) == (1, 1)


async def test_a_fetch_is_stored_oldest_first_so_chats_get_its_news_in_the_order_it_happened(store, monkeypatch):
    newest_first = [draft(number, "wire") for number in (1, 2, 3)]  # as feeds list them: story 1 is an hour old
    undated = draft(4, "wire", published=None)
    same_hour = [draft(5, "wire", published=NOW - timedelta(hours=5)), draft(6, "wire", published=NOW - timedelta(hours=5))]
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"wire": [undated, *newest_first, *same_hour]}))
    await ingest_once(store, [feed("wire")], None, client=object(), now=NOW)
    stored = [article.title for _, article in await store.stored_after(0)]
    assert stored == [f"Rooftop solar story {number}" for number in (5, 6, 3, 2, 1, 4)]  # undated: as new as the fetch


async def test_articles_stored_under_the_former_ids_are_found_again(store, monkeypatch):
    numbered = draft(1, "casta", title="casta episode 1", text="casta guest 1 talks.", url="https://casta.test/", guid="1")
    first_note = draft(1, "notes", title="Release note 1", text="Change 1 ships.", url="https://notes.test/changelog")
    second_note = draft(2, "notes", title="Release note 2", text="Change 2 ships.", url="https://notes.test/changelog")
    [by_guid, by_link, by_words] = build_articles([numbered, first_note, second_note], None, [NOW] * 3)
    # as stored before guids were read with the source, before words told entries sharing a link apart,
    # and while words meant the text
    by_words = replace(by_words, id=article_id(None, content_guid("notes", "Release note 2", "Change 2 ships.")))
    await store.add([replace(by_guid, id=article_id(None, "1")), by_link, by_words])
    others = [draft(number, "notes", title=f"Release note {number}", text=f"Change {number} ships.",
                    url="https://notes.test/changelog") for number in (2, 3)]
    episode_2 = replace(numbered, guid="2", title="casta episode 2", text="casta guest 2 talks.")
    stranger = replace(numbered, source="castb", title="castb episode 1", text="castb guest 1 talks.")
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch(
        {"casta": [numbered, episode_2], "notes": [first_note, *others], "castb": [stranger]}
    ))
    report = await ingest_once(store, [feed("casta"), feed("notes"), feed("castb")], None, client=object(), now=NOW)
    assert [(source.new, source.duplicates) for source in report.sources] == [(1, 1), (1, 2), (1, 0)]


async def test_an_entry_keeps_its_id_when_others_start_or_stop_sharing_its_link(store, monkeypatch):
    async def fetch(*episodes, hours=0):
        monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"cast": list(episodes)}))
        report = await ingest_once(store, [feed("cast")], None, client=object(), now=NOW + timedelta(hours=hours))
        return report.new, report.duplicates

    assert await fetch(episode(1)) == (1, 0)  # alone: known by its link
    assert await fetch(episode(1), episode(2), episode(3), hours=1) == (2, 1)  # now by guids, but 1 is stored
    assert await fetch(episode(3), hours=2) == (0, 1)  # alone again: known by its guid, as stored
    assert len((await store.find(Query())).articles) == 3


async def test_each_episode_of_a_feed_listing_only_its_latest_at_one_link_is_stored(store, monkeypatch):
    async def fetch(*episodes, hours=0):
        monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"cast": list(episodes)}))
        report = await ingest_once(store, [feed("cast")], None, client=object(), now=NOW + timedelta(hours=hours))
        return report.new, report.duplicates

    assert await fetch(episode(1)) == (1, 0)
    assert await fetch(episode(2), hours=1) == (1, 0)  # not taken for episode 1, stored at the show's page first
    assert await fetch(episode(2), hours=2) == (0, 1)
    assert await fetch(episode(1), episode(2), episode(3), hours=3) == (1, 2)
    assert sorted(a.title for a in (await store.find(Query())).articles) == [episode(n).title for n in (1, 2, 3)]


@pytest.mark.parametrize("kept", ["title", "published"])
async def test_an_entry_alone_at_its_link_under_a_new_guid_with_its_title_or_date_is_the_stored_story(
    store, monkeypatch, kept
):
    """A feed that writes a new guid whenever it serves an entry again (a time in it), its short text
    changing too (a count of comments): the same story, not another entry of the source at its link."""
    first = draft(1, "wire", guid="https://wire.test/1#t=1", text="Rooftop solar, briefly. 2 comments")
    again = replace(first, guid="https://wire.test/1#t=2", text="Rooftop solar, briefly. 3 comments")
    changed = {"title": {"published": NOW}, "published": {"title": "Rooftop solar, in brief"}}[kept]
    await _ingest(store, monkeypatch, {"wire": [first]}, hours=0)
    report = await _ingest(store, monkeypatch, {"wire": [replace(again, **changed)]}, hours=1)
    assert (report.new, report.duplicates) == (0, 1)


async def test_one_page_under_links_that_differ_only_in_how_it_is_served_is_one_article(store, monkeypatch):
    links = ["https://www.wire.test/grid/?ref=rss", "http://wire.test/grid", "https://m.wire.test/grid/amp",
             "https://wire.test/grid?output=amp&mc_cid=7", "https://amp.wire.test/amp/grid", "https://wire.test:443/grid"]
    # title-only entries: too little text for the store to merge them as copies, so only the link can tell
    copies = [draft(1, f"feed{n}", text="", url=link) for n, link in enumerate(links)]
    others = [draft(n, "feed0", text="", url=link) for n, link in
              enumerate(["https://wire.test/grid?page=2", "https://wire.test/grid/amplifiers", "https://wire.test/Grid"], 2)]
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({f"feed{n}": [copy] for n, copy in enumerate(copies)}))
    report = await ingest_once(store, [feed(f"feed{n}") for n in range(len(links))], None, client=object(), now=NOW)
    assert (report.new, report.duplicates) == (1, len(links) - 1)
    [stored] = (await store.find(Query())).articles
    assert sorted(stored.sources) == [f"feed{n}" for n in range(len(links))]
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"feed0": others}))
    assert (await ingest_once(store, [feed("feed0")], None, client=object(), now=NOW)).new == 3


async def test_an_article_stored_under_its_links_former_id_is_found_again(store, monkeypatch):
    entry = draft(1, "wire", text="", url="https://www.wire.test/grid/")
    [article] = build_articles([entry], None, [NOW])
    await store.add([replace(article, id=_former_link_id(article.url))])
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"wire": [entry]}))
    report = await ingest_once(store, [feed("wire")], None, client=object(), now=NOW + timedelta(hours=1))
    assert (report.new, report.duplicates) == (0, 1)


def _former_link_id(canonical: str) -> str:
    """The id a link's article had before links were compared without their www., scheme or slash."""
    return hashlib.sha256(("url:" + canonical).encode()).hexdigest()[:24]


async def test_control_characters_are_removed_before_storing(store, monkeypatch):
    dirty = draft(1, "wire", title="Solar\x00 grid\x1b[31m", text="Nul\x00 here.\tTab\nkept. " + SOLAR_TEXT,
                  author="A\x07uthor", guid="g\x00uid")
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"wire": [dirty]}))
    assert (await ingest_once(store, [feed("wire")], None, client=object(), now=NOW)).new == 1
    [stored] = (await store.find(Query())).articles
    assert (stored.title, stored.author, stored.guid) == ("Solar grid[31m", "Author", "guid")
    assert stored.text.startswith("Nul here.\tTab\nkept.") and "\x00" not in stored.summary


async def test_soft_hyphens_are_removed_so_their_words_are_found_and_tagged(store, monkeypatch):
    hyphenated = draft(1, "wire", title="Tele\xadmedicine reaches Nai\xadrobi", text="Doc\xadtors in Ken\xadya. " + SOLAR_TEXT)
    [article] = build_articles([hyphenated], Tagger.from_settings(), [NOW])
    assert (article.title, article.text[:17]) == ("Telemedicine reaches Nairobi", "Doctors in Kenya.")
    assert "KE" in article.countries
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"wire": [hyphenated]}))
    await ingest_once(store, [feed("wire")], None, client=object(), now=NOW)
    assert [a.title for a in (await store.find(Query(text="telemedicine"))).articles] == ["Telemedicine reaches Nairobi"]


def test_a_text_longer_than_any_article_is_cut_after_a_whole_word():
    texts = [SOLAR_TEXT + " kilowatt" * 300_000, "OpenAI 发布" + "人工智能" * 60_000, " " * 150_000 + "words"]
    long_english, long_chinese, blank_start = build_articles([draft(n, "wire", text=t) for n, t in enumerate(texts)], None, [NOW] * 3)
    assert len(long_english.text) <= ingest.MAX_TEXT_CHARS and long_english.text.endswith(" kilowatt")
    assert long_english.text.startswith(SOLAR_TEXT)
    assert len(long_chinese.text) == ingest.MAX_TEXT_CHARS  # no space near the end: cut where it is
    assert blank_start.text == ""


async def test_a_code_block_longer_than_any_article_is_cut_stored_and_found_and_its_edit_updates_the_article(
    store, monkeypatch
):
    # words of their own, each a lexeme, so that PostgreSQL's search column holds as many as it may
    words = [f"name{number}_{'x' * (number % 7)}()" for number in range(300_000)]
    huge = draft(1, "wire", guid="wire-1", text=" ".join(words[:20_000]), code="\x00" + "\n".join(words))
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"wire": [huge]}))
    assert (await ingest_once(store, [feed("wire")], None, client=object(), now=NOW)).new == 1
    [stored] = (await store.find(Query())).articles
    assert len(stored.code) <= ingest.MAX_CODE_CHARS and stored.code.startswith("name0_()\nname1_x()\n")
    assert [a.id for a in (await store.search("name1_x")).articles] == [stored.id]
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"wire": [replace(huge, code="name_fixed()")]}))
    assert (await ingest_once(store, [feed("wire")], None, client=object(), now=NOW + timedelta(hours=1))).updated == 1
    assert [a.id for a in (await store.search("name_fixed")).articles] == [stored.id]



async def test_a_title_longer_than_any_headline_is_cut_and_its_fetch_is_stored(store, monkeypatch):
    # a feed's broken entry whose title ran on for megabytes: PostgreSQL's search column refused the
    # row ("string is too long for tsvector"), and every entry of the fetch was lost, on every fetch
    huge = draft(1, "wire", title="Solar " + " ".join(f"word{number}" for number in range(300_000)))
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"wire": [huge, draft(2, "wire")]}))
    assert (await ingest_once(store, [feed("wire")], None, client=object(), now=NOW)).new == 2
    titles = [article.title for article in (await store.find(Query())).articles]
    assert max(map(len, titles)) <= ingest.MAX_TITLE_CHARS
    assert any(title.startswith("Solar word0 word1 ") for title in titles)

@pytest.mark.parametrize(
    ("published", "stored"),
    [
        (NOW - timedelta(days=3), NOW - timedelta(days=3)),
        (NOW + timedelta(days=400), NOW),  # a wrong clock would pin it to the top of every list
        (datetime(1970, 1, 1, tzinfo=timezone.utc), NOW),  # a zero timestamp
        (None, NOW),
    ],
)
def test_missing_future_and_zero_dates_become_the_fetch_time(published, stored):
    [article] = build_articles([draft(1, "wire", published=published)], None, [NOW])
    assert article.published == stored


async def test_ingest_once_stores_reports_and_keeps_going_after_failures(store, monkeypatch):
    fetch = fake_fetch(
        {
            "wire": [draft(1, "wire"), draft(2, "wire")],
            "broken": "HTTP 500",
            "mirror": [draft(1, "mirror", url="https://wire.test/1")],  # same link, another feed
        }
    )
    monkeypatch.setattr(ingest, "fetch_source", fetch)
    seen = []
    report = await ingest_once(
        store, [feed("wire"), feed("broken"), feed("mirror")], None, client=object(), now=NOW,
        progress=seen.append,
    )
    by_name = {r.name: (r.new, r.duplicates, r.error) for r in report.sources}
    assert [r.name for r in report.sources] == ["wire", "broken", "mirror"]
    assert by_name["broken"] == (0, 0, "HTTP 500")
    # wire and mirror run concurrently: whichever stores story 1 first, the other sees a duplicate
    assert by_name["wire"][0] + by_name["mirror"][0] == 2 and by_name["wire"][1] + by_name["mirror"][1] == 1
    assert (report.new, report.duplicates, [r.name for r in report.failed]) == (2, 1, ["broken"])
    assert sorted(r.name for r in seen) == ["broken", "mirror", "wire"]
    stored = await store.find(Query())
    assert [a.title for a in stored.articles] == ["Rooftop solar story 1", "Rooftop solar story 2"]
    assert sorted(stored.articles[0].sources) == ["mirror", "wire"]
    assert len({a.fetched for a in stored.articles}) == 2  # every article has its own fetch time
    assert (await store.source_state("wire")).etag == '"wire-1"'
    assert (await store.source_state("broken")).failures == 1
    assert (await store.find(Query(text="smart grid"))).articles


async def test_a_second_run_adds_only_what_is_new(store, monkeypatch):
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"wire": [draft(1, "wire")]}))
    await ingest_once(store, [feed("wire")], None, client=object(), now=NOW)
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"wire": [draft(1, "wire"), draft(3, "wire")]}))
    analysed = []

    def counting_analyze_many(articles, *args, **kwargs):
        analysed.extend(title for title, _text in articles)
        return analyze_many(articles, *args, **kwargs)

    monkeypatch.setattr(ingest, "analyze_many", counting_analyze_many)
    report = await ingest_once(store, [feed("wire")], None, client=object(), now=NOW + timedelta(minutes=15))
    assert (report.new, report.duplicates) == (1, 1)
    assert analysed == ["Rooftop solar story 3"]  # the stored story is not summarized and tagged again
    stored = (await store.find(Query(text="rooftop solar"))).articles
    assert [a.title for a in stored] == ["Rooftop solar story 1", "Rooftop solar story 3"]
    assert stored[0].summary.startswith("Story 1") and stored[0].countries == ("TH",)


async def test_ingest_forever_fetches_each_source_on_its_interval_until_stopped(store, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="content.ingest")
    fetch = fake_fetch({"fast": [draft(1, "fast")], "failing": "HTTP 503", "demo": []})
    monkeypatch.setattr(ingest, "fetch_source", fetch)
    fast = FeedSource.model_construct(name="fast", kind="feed", url="https://fast.test/rss", interval=0.01)
    failing = FeedSource.model_construct(name="failing", kind="feed", url="https://x.test/rss", interval=0.01)
    slow = BundledSource(kind="bundled", name="demo", interval=3600)
    stop = asyncio.Event()
    task = asyncio.create_task(ingest_forever(store, [fast, failing, slow], None, stop, client=object()))
    async with asyncio.timeout(10):
        while fetch.calls.count("fast") < 3 or fetch.calls.count("failing") < 3:
            await asyncio.sleep(0.01)
        stop.set()
        await task
    assert fetch.calls.count("demo") == 1  # an hour's interval: fetched once at start
    assert len((await store.find(Query())).articles) == 1
    outcomes = {(record.levelname, record.getMessage()) for record in caplog.records}
    assert ("WARNING", "failing: failed: HTTP 503") in outcomes and ("INFO", "fast: 1 new, 0 duplicates") in outcomes


async def test_a_running_bot_logs_what_a_fetch_brought_or_how_it_failed_and_leaves_quiet_fetches_to_debug(
    store, monkeypatch, caplog
):
    """A busy bot reads each of its feeds every 15 minutes: a line at INFO for each fetch that brought
    nothing, or skipped a feed still backing off, would be most of its log."""
    caplog.set_level(logging.DEBUG, logger="content.ingest")
    retry_at = datetime(2026, 4, 2, 7, 30, tzinfo=timezone.utc)
    fetches = {"wire": 0, "down": 0}

    async def fetch(source, state, client, now):
        fetches[source.name] += 1
        if source.name == "down":
            if fetches["down"] > 1:
                return FetchResult([], state, skipped=True)
            return FetchResult([], replace(state, failures=1, next_attempt_at=retry_at, last_error="HTTP 502"), error="HTTP 502")
        if fetches["wire"] > 2:
            return FetchResult([], state, not_modified=True)
        return FetchResult([draft(1, "wire")], state)

    monkeypatch.setattr(ingest, "fetch_source", fetch)
    sources = [FeedSource.model_construct(name=name, kind="feed", url=f"https://{name}.test/rss", interval=0.01) for name in fetches]
    stop = asyncio.Event()
    task = asyncio.create_task(ingest_forever(store, sources, None, stop, client=object()))
    async with asyncio.timeout(10):
        while min(fetches.values()) < 3:
            await asyncio.sleep(0.01)
        stop.set()
        await task
    told = sorted((record.levelname, record.getMessage()) for record in caplog.records if record.levelno >= logging.INFO)
    assert told == [("INFO", "wire: 1 new, 0 duplicates"), ("WARNING", "down: failed: HTTP 502; trying again after 2026-04-02 07:30 UTC")]
    quiet = {record.getMessage() for record in caplog.records if record.levelno == logging.DEBUG}
    assert {"wire: 0 new, 1 duplicate", "wire: not modified"} <= quiet
    assert "down: skipped, backing off after failures until 2026-04-02 07:30 UTC (last: HTTP 502)" in quiet


async def test_ingest_forever_can_wait_an_interval_before_the_first_fetch(store, monkeypatch):
    fetch = fake_fetch({"fast": [draft(1, "fast")], "demo": []})
    monkeypatch.setattr(ingest, "fetch_source", fetch)
    fast = FeedSource.model_construct(name="fast", kind="feed", url="https://fast.test/rss", interval=0.01)
    slow = BundledSource(kind="bundled", name="demo", interval=3600)
    stop = asyncio.Event()
    task = asyncio.create_task(ingest_forever(store, [fast, slow], None, stop, client=object(), fetched_just_now=["demo"]))
    async with asyncio.timeout(10):
        while fetch.calls.count("fast") < 2:
            await asyncio.sleep(0.01)
        stop.set()
        await task
    assert "demo" not in fetch.calls  # just fetched by whoever filled the store; next due in an hour


async def test_ingest_forever_fetches_a_few_sources_at_a_time(store, monkeypatch):
    """At start every source is due at once: a hundred feeds must not open a hundred downloads, each
    waiting for a connection against its own deadline."""
    fetching, most, release = 0, 0, asyncio.Event()

    async def fetch(source, state, client, now):
        nonlocal fetching, most
        fetching += 1
        most = max(most, fetching)
        await release.wait()
        fetching -= 1
        return FetchResult(drafts=[], state=state)

    monkeypatch.setattr(ingest, "fetch_source", fetch)
    stop = asyncio.Event()
    task = asyncio.create_task(ingest_forever(store, [feed(f"feed{n}") for n in range(12)], None, stop, client=object()))
    async with asyncio.timeout(10):
        while fetching < ingest.CONCURRENT_FETCHES:
            await asyncio.sleep(0.01)
        for _ in range(20):  # time for any source past the limit to start its download
            await asyncio.sleep(0)
        assert fetching == ingest.CONCURRENT_FETCHES
        release.set()
        stop.set()
        await task
    assert most == ingest.CONCURRENT_FETCHES


async def test_values_too_long_for_their_columns_are_stored_without_the_excess(store, monkeypatch):
    overlong = draft(1, "wire", language="en-us, en-gb, en-au, en-ca, en-in, en-nz",
                     sectors=("energy", "a sector " * 12), countries=("ke", "country " * 13))
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch({"wire": [overlong]}))
    assert (await ingest_once(store, [feed("wire")], None, client=object(), now=NOW)).new == 1
    [stored] = (await store.find(Query())).articles
    assert (stored.language, stored.sectors, stored.countries) == ("en-us", ("energy",), ("KE",))


@pytest.mark.parametrize(
    ("language", "stored"),
    [("pt-BR", "pt-br"), ("zh-Hant-TW", "zh-hant-tw"), ("en_US; q=0.9", "en_us"), ("English (UK)", "english"),
     ("x-" + "a" * 40, None), ("en-" + "-".join(["abcdefgh"] * 4), None), ("français", None), ("*", None)],
)
def test_a_language_is_kept_only_when_it_looks_like_a_language_tag(language, stored):
    [article] = build_articles([draft(1, "wire", language=language)], None, [NOW])
    assert article.language == stored


KENYA_TEXT = (
    "Kenya's power company connected a solar mini-grid in Turkana on Tuesday. "
    "Pastoralist families now charge phones and pump water from the same panels. "
    "The county plans ten more sites before the rains."
)


async def _ingest(store, monkeypatch, entries: dict[str, list[Draft]], hours: int, tagger: Tagger | None = None):
    monkeypatch.setattr(ingest, "fetch_source", fake_fetch(entries))
    sources = [feed(name) for name in entries]
    return await ingest_once(store, sources, tagger, client=object(), now=NOW + timedelta(hours=hours))


async def test_an_entry_stored_before_code_was_kept_gets_its_code_at_its_next_fetch(database_url, monkeypatch):
    coded = draft(1, "wire", guid="wire-1", code="grid_balance()")
    engine = create_engine(async_url(database_url))
    try:  # stored by the schema before code was kept, as the upgrade finds it
        await run_migrations(engine, MIGRATIONS, VERSION_TABLE, revision="0010")
        [row] = [_article_row(article) for article in build_articles([replace(coded, code="")], None, [NOW])]
        del row["code"]
        async with engine.begin() as connection:
            await connection.execute(sa.insert(articles), [row])
    finally:
        await engine.dispose()
    store = await Store.open(database_url)
    try:
        assert (await _ingest(store, monkeypatch, {"wire": [coded]}, hours=1)).updated == 1
        assert [article.title for article in (await store.search("grid_balance")).articles] == [coded.title]
        assert (await _ingest(store, monkeypatch, {"wire": [coded]}, hours=2)).updated == 0
    finally:
        await store.close()


def _counting_analyses(monkeypatch) -> list[str]:
    analysed = []

    def counting_analyze_many(articles, *args, **kwargs):
        analysed.extend(title for title, _text in articles)
        return analyze_many(articles, *args, **kwargs)

    monkeypatch.setattr(ingest, "analyze_many", counting_analyze_many)
    return analysed


async def test_a_corrected_title_and_edited_text_update_the_stored_article(store, monkeypatch):
    tagger = Tagger.from_settings()
    original = draft(1, "wire", title="Thai utility switches on rooftop solar network")
    await _ingest(store, monkeypatch, {"wire": [original, draft(2, "wire")]}, hours=0, tagger=tagger)
    before = await store.get(article_id(original.url, None))
    corrected = replace(original, title="CORRECTED: Kenyan utility switches on solar mini-grid", text=KENYA_TEXT)
    analysed = _counting_analyses(monkeypatch)
    report = await _ingest(store, monkeypatch, {"wire": [corrected, draft(2, "wire")]}, hours=1, tagger=tagger)
    assert (report.new, report.updated, report.duplicates) == (0, 1, 1)
    assert report.sources[0].outcome() == "wire: 0 new, 1 updated, 1 duplicate"
    assert analysed == [corrected.title]  # the unchanged story is not analysed again
    after = await store.get(before.id)
    assert (after.title, after.text) == (corrected.title, KENYA_TEXT)
    assert after.summary.startswith("Kenya's power company") and after.countries == ("KE",)
    assert (after.published, after.fetched, after.sources) == (before.published, before.fetched, before.sources)
    assert [a.id for a in (await store.search("Turkana")).articles] == [before.id]
    assert [a.id for a in (await store.search("corrected mini-grid")).articles] == [before.id]
    assert before.id not in [a.id for a in (await store.search("Chiang Mai")).articles]  # the removed words no more
    assert [a.id for a in (await store.find(Query(countries=("KE",)))).articles] == [before.id]
    assert before.id not in [a.id for a in (await store.find(Query(countries=("TH",)))).articles]
    assert (await store.count_by_country()).get("KE") == 1
    again = await _ingest(store, monkeypatch, {"wire": [corrected]}, hours=2, tagger=tagger)
    assert (again.new, again.updated, again.duplicates) == (0, 0, 1)


async def test_a_fetch_reads_the_stored_texts_of_its_articles_once(store, monkeypatch):
    own_links = [draft(1, "wire", guid="wire-1"), draft(2, "wire", guid="wire-2")]
    entries = own_links + [draft(number, "wire", url="https://wire.test/shared") for number in (3, 4)]
    await _ingest(store, monkeypatch, {"wire": entries}, hours=0)
    reads = []
    stored_texts = store.stored_texts

    async def counting_stored_texts(ids):
        reads.append(sorted(ids))
        return await stored_texts(ids)

    monkeypatch.setattr(store, "stored_texts", counting_stored_texts)
    edited = replace(entries[0], title="CORRECTED: " + entries[0].title)
    report = await _ingest(store, monkeypatch, {"wire": [edited, *entries[1:]]}, hours=1)
    assert (report.new, report.updated, report.duplicates) == (0, 1, 3)
    assert len(reads) == 1


async def test_a_copy_of_the_corrected_text_is_merged_into_the_article_as_its_fingerprint_follows(store, monkeypatch):
    original = draft(1, "wire", title="Thai utility switches on rooftop solar network")
    await _ingest(store, monkeypatch, {"wire": [original]}, hours=0)
    corrected = replace(original, title="Kenyan utility switches on solar mini-grid in Turkana", text=KENYA_TEXT)
    await _ingest(store, monkeypatch, {"wire": [corrected]}, hours=1)
    copy = replace(corrected, source="mirror", url="https://mirror.test/kenya-mini-grid")
    report = await _ingest(store, monkeypatch, {"mirror": [copy]}, hours=2)
    assert (report.new, report.duplicates) == (0, 1)
    [stored] = (await store.find(Query())).articles
    assert stored.sources == ("wire", "mirror")


async def test_another_feeds_version_of_the_story_never_overwrites_it(store, monkeypatch):
    original = draft(1, "wire")
    same_link = replace(original, source="mirror", text=original.text[:80])  # the same link, a shorter text
    copy = replace(original, source="syndicate", url="https://syndicate.test/solar-1", text=original.text + " More.")
    for hours in (0, 1):
        report = await _ingest(store, monkeypatch, {"wire": [original]}, hours=hours)
        assert report.updated == 0
        for name, version in (("mirror", same_link), ("syndicate", copy)):
            report = await _ingest(store, monkeypatch, {name: [version]}, hours=hours)
            assert (report.new, report.updated, report.duplicates) == (0, 0, 1)
    [stored] = (await store.find(Query())).articles
    assert (stored.text, stored.sources) == (original.text, ("wire", "mirror", "syndicate"))
    corrected = replace(original, title="Rooftop solar story 1, corrected")
    assert (await _ingest(store, monkeypatch, {"wire": [corrected]}, hours=2)).updated == 1
    assert (await _ingest(store, monkeypatch, {"mirror": [same_link], "syndicate": [copy]}, hours=3)).updated == 0
    assert (await store.get(stored.id)).title == corrected.title  # the copies do not turn it back


async def test_an_entry_listed_twice_under_one_id_does_not_update_its_article_on_every_fetch(store, monkeypatch):
    story = draft(1, "wire", url="https://wire.test/grid", guid=None)
    shortened = replace(story, text=story.text[:60])  # the same story again, cut short
    for hours in (0, 1, 2):
        report = await _ingest(store, monkeypatch, {"wire": [story, shortened]}, hours=hours)
        assert report.updated == 0
    assert [a.text for a in (await store.find(Query())).articles] == [story.text]


async def test_an_article_stored_before_text_hashes_were_kept_is_updated_only_when_edited(database_url, monkeypatch):
    stories = [draft(1, "wire"), draft(2, "wire")]
    engine = create_engine(async_url(database_url))
    try:  # stored by the schema before hashes, as the upgrade finds them
        await run_migrations(engine, MIGRATIONS, VERSION_TABLE, revision="0007")
        rows = [_article_row(article) for article in build_articles(stories, None, [NOW] * 2)]
        for row in rows:
            del row["text_hash"], row["entry_key"], row["code"]
        async with engine.begin() as connection:
            await connection.execute(sa.insert(articles), rows)
    finally:
        await engine.dispose()
    store = await Store.open(database_url)
    try:
        edited = replace(stories[1], text=stories[1].text + " The pilot was extended.")
        analysed = _counting_analyses(monkeypatch)
        report = await _ingest(store, monkeypatch, {"wire": [stories[0], edited]}, hours=1)
        assert (report.new, report.updated, report.duplicates) == (0, 1, 1)
        assert analysed == [edited.title]  # the unchanged one is not analysed again
        assert (await store.get(article_id(edited.url, None))).text == edited.text
        async with store.engine.connect() as connection:
            assert None not in (await connection.execute(sa.select(articles.c.text_hash))).scalars().all()
        assert (await _ingest(store, monkeypatch, {"wire": [stories[0], edited]}, hours=2)).updated == 0
    finally:
        await store.close()


async def _moved(store, monkeypatch, original: Draft, moved: Draft) -> tuple:
    """Store `original`, then fetch `moved` (its entry at another link): the report, the one article
    stored, and what was stored after the first fetch (what a subscription's fan-out would send)."""
    await _ingest(store, monkeypatch, {original.source: [original]}, hours=0)
    position = await store.position()
    report = await _ingest(store, monkeypatch, {moved.source: [moved]}, hours=1)
    [stored] = (await store.find(Query())).articles
    return report, stored, await store.stored_after(position)


async def test_an_entry_whose_link_changed_under_its_guid_updates_its_article_and_is_not_sent_again(store, monkeypatch):
    original = draft(1, "wire", title="Thai utility switches on rooftop solar network",
                     url="https://wire.test/energy/thai-solr", guid="https://wire.test/?p=1")
    moved = replace(original, title="CORRECTED: Kenyan utility switches on solar mini-grid", text=KENYA_TEXT,
                    url="https://wire.test/africa/kenya-solar-mini-grid")
    report, stored, sent_again = await _moved(store, monkeypatch, original, moved)
    assert (report.new, report.updated, report.duplicates) == (0, 1, 0)
    assert (stored.id, stored.url) == (article_id(original.url, None), moved.url)
    assert (stored.title, stored.text) == (moved.title, KENYA_TEXT)
    assert sent_again == []
    again = await _ingest(store, monkeypatch, {"wire": [moved]}, hours=2)
    assert (again.new, again.updated, again.duplicates) == (0, 0, 1)


async def test_an_entry_moved_from_a_tracking_link_to_its_own_and_dated_again_takes_the_new_link(store, monkeypatch):
    original = draft(1, "wire", url="https://track.test/click?story=1", guid="wire-1")
    moved = replace(original, url="https://wire.test/grid/solar-story-1", published=original.published + timedelta(minutes=5))
    report, stored, sent_again = await _moved(store, monkeypatch, original, moved)
    assert (report.new, report.updated, report.duplicates) == (0, 1, 0)
    assert (stored.url, stored.title, stored.text) == (moved.url, original.title, original.text)
    assert sent_again == []


@pytest.mark.parametrize("guid", [None, "tag:wire.test,2018:post-1"])
async def test_an_entry_stored_at_its_tracking_link_takes_its_own_link_not_stored_again(store, monkeypatch, guid):
    """An article stored at FeedBurner's redirect before the feed's <feedburner:origLink> was read."""
    tracked = draft(1, "wire", url="https://feeds.wire.test/~r/wire/~3/Ab1/solar-story-1.html", guid=guid)
    own = replace(tracked, url="https://www.wire.test/grid/solar-story-1.html", tracking_url=tracked.url)
    report, stored, sent_again = await _moved(store, monkeypatch, tracked, own)
    assert (report.new, report.updated, report.duplicates) == (0, 1, 0)
    assert (stored.id, stored.url, stored.title, stored.text) == (article_id(tracked.url, None), own.url, own.title, own.text)
    assert sent_again == []
    again = await _ingest(store, monkeypatch, {"wire": [own]}, hours=2)
    assert (again.new, again.updated, again.duplicates) == (0, 0, 1)


async def test_a_guid_a_feed_gives_again_to_another_story_is_a_new_article(store, monkeypatch):
    original = draft(1, "cast", title="Episode one: solar in Chiang Mai", url="https://cast.test/1", guid="1")
    reused = draft(30, "cast", title="Kenya mini-grids, a month on", text=KENYA_TEXT, url="https://cast.test/30", guid="1")
    report = await _ingest(store, monkeypatch, {"cast": [original]}, hours=0)
    report = await _ingest(store, monkeypatch, {"cast": [reused]}, hours=1)
    assert (report.new, report.updated) == (1, 0)
    assert (await store.get(article_id(original.url, None))).title == original.title


async def test_another_feed_carrying_the_guid_at_another_link_never_updates_the_article(store, monkeypatch):
    original = draft(1, "wire", url="https://wire.test/grid", guid="https://wire.test/?p=1")
    await _ingest(store, monkeypatch, {"wire": [original]}, hours=0)
    for hours, name in enumerate(("mirror", "syndicate"), 1):  # a copy keeping the guid; a feed numbering alike
        other = replace(original, source=name, url=f"https://{name}.test/grid", text=original.text + " More.",
                        title=original.title + " (republished)")
        report = await _ingest(store, monkeypatch, {name: [other]}, hours=hours)
        assert report.updated == 0
    stored = await store.get(article_id(original.url, None))
    assert (stored.url, stored.title, stored.text) == ("https://wire.test/grid", original.title, original.text)


async def test_a_feed_numbering_its_entries_by_place_moves_no_story_onto_another(store, monkeypatch):
    day = NOW.replace(hour=0)  # dates without a time: every story of the day has the same
    first, second, third = (draft(n, "list", published=day, url=f"https://list.test/story-{n}") for n in (1, 2, 3))
    await _ingest(store, monkeypatch, {"list": [replace(first, guid="1"), replace(second, guid="2")]}, hours=0)
    report = await _ingest(store, monkeypatch, {"list": [replace(third, guid="1"), replace(first, guid="2")]}, hours=1)
    assert (report.new, report.updated, report.duplicates) == (1, 0, 1)
    assert (await store.get(article_id(first.url, None))).title == first.title


async def test_entries_a_feed_gives_one_guid_and_one_date_are_new_articles(store, monkeypatch):
    stories = [draft(n, "fixed", published=NOW, guid="https://fixed.test/") for n in (1, 2, 3, 4)]
    await _ingest(store, monkeypatch, {"fixed": stories[:1]}, hours=0)
    report = await _ingest(store, monkeypatch, {"fixed": stories[1:3]}, hours=1)
    assert (report.new, report.updated) == (2, 0)
    moved = replace(stories[0], url="https://fixed.test/moved-1")  # which one moved can no longer be told
    report = await _ingest(store, monkeypatch, {"fixed": [moved]}, hours=2)
    assert report.updated == 0
    assert [(await store.get(article_id(story.url, None))).title for story in stories[:3]] == [s.title for s in stories[:3]]


async def test_an_entry_moved_once_is_corrected_at_its_new_link_like_any_other(store, monkeypatch):
    """Once the article took the entry's new link, that link is the entry's: a correction there that
    changes the title, the text and the date at once (as an unmoved entry's may) updates it, not a
    new article sent again."""
    original = draft(1, "wire", url="https://wire.test/energy/thai-solr", guid="wire-1")
    moved = replace(original, url="https://wire.test/energy/thai-solar")
    await _moved(store, monkeypatch, original, moved)
    position = await store.position()
    corrected = replace(moved, title="CORRECTED: " + moved.title, text=KENYA_TEXT, published=moved.published + timedelta(hours=2))
    report = await _ingest(store, monkeypatch, {"wire": [corrected]}, hours=3)
    assert (report.new, report.updated, report.duplicates) == (0, 1, 0)
    [stored] = (await store.find(Query())).articles
    assert (stored.id, stored.url, stored.title, stored.text) == (article_id(original.url, None), moved.url, corrected.title, KENYA_TEXT)
    assert await store.stored_after(position) == []


# -- a source renamed in the config -----------------------------------------------------------

WIRE_URL = "https://wire.test/rss"


async def _ingest_as(store, monkeypatch, name: str, url: str, entries: list[Draft], hours: int):
    """Ingest `entries` as the feed `name` at `url` reads them, through fetch_source, which remembers
    where each source is read from."""

    async def read(source, state, client):
        return FetchResult([replace(entry, source=source.name) for entry in entries], state)

    monkeypatch.setattr(content.sources, "_fetch", read)
    source = FeedSource(name=name, kind="feed", url=url)
    return await ingest_once(store, [source], None, client=object(), now=NOW + timedelta(hours=hours))


@pytest.mark.parametrize(
    ("entry", "correction"),
    [
        ({"guid": "https://wire.test/?p=1"}, {"title": "CORRECTED: Kenyan utility switches on solar mini-grid"}),
        ({"url": None, "guid": "42"}, {"title": "CORRECTED: Kenyan utility switches on solar mini-grid"}),
        ({"url": "https://wire.test/energy/thai-solr", "guid": "wire-1"}, {"url": "https://wire.test/energy/thai-solar"}),
    ],
    ids=["known by its link", "known by its guid", "moved to another link"],
)
async def test_a_source_renamed_at_the_same_address_still_corrects_the_articles_it_stored(
    store, monkeypatch, entry, correction
):
    original = draft(1, "A", **entry)
    await _ingest_as(store, monkeypatch, "A", WIRE_URL, [original], hours=0)
    [before] = (await store.find(Query())).articles
    position = await store.position()
    corrected = replace(original, text=KENYA_TEXT, **correction)
    report = await _ingest_as(store, monkeypatch, "B", WIRE_URL, [corrected], hours=1)
    assert (report.new, report.updated, report.duplicates) == (0, 1, 0)
    [after] = (await store.find(Query())).articles
    assert (after.id, after.title, after.text, after.sources) == (before.id, corrected.title, KENYA_TEXT, ("A",))
    assert await store.stored_after(position) == []  # not sent again
    again = await _ingest_as(store, monkeypatch, "B", WIRE_URL, [corrected], hours=2)
    assert (again.new, again.updated, again.duplicates) == (0, 0, 1)


async def test_two_names_for_one_address_are_one_source_and_a_name_keeps_its_articles_at_a_new_address(
    store, monkeypatch
):
    original = draft(1, "A", url=None, guid="42")
    await _ingest_as(store, monkeypatch, "A", WIRE_URL, [original], hours=0)
    report = await _ingest_as(store, monkeypatch, "B", WIRE_URL, [original], hours=1)  # both in the config
    assert (report.new, report.duplicates) == (0, 1)
    corrected = replace(original, title="Rooftop solar story 1, corrected")
    assert (await _ingest_as(store, monkeypatch, "B", WIRE_URL, [corrected], hours=2)).updated == 1
    assert (await _ingest_as(store, monkeypatch, "A", WIRE_URL, [corrected], hours=3)).updated == 0
    moved_feed = "https://wire.test/feed.xml"  # the operator fixed A's url: its name still says which articles are its
    again = replace(corrected, title="Rooftop solar story 1, corrected again")
    assert (await _ingest_as(store, monkeypatch, "A", moved_feed, [again], hours=4)).updated == 1
    last = replace(again, title="Rooftop solar story 1, corrected once more")  # then renamed at its new address
    assert (await _ingest_as(store, monkeypatch, "C", moved_feed, [last], hours=5)).updated == 1
    [stored] = (await store.find(Query())).articles
    assert stored.title == last.title


async def test_a_renamed_source_at_another_address_is_another_source(store, monkeypatch):
    original = draft(1, "A", url=None, guid="42")
    await _ingest_as(store, monkeypatch, "A", WIRE_URL, [original], hours=0)
    elsewhere = replace(original, title="Rooftop solar story 1 elsewhere", text=KENYA_TEXT)
    report = await _ingest_as(store, monkeypatch, "B", "https://other.test/rss", [elsewhere], hours=1)
    assert (report.new, report.updated) == (1, 0)
    assert (await store.get(article_id(None, "A\n42"))).title == original.title


def test_a_draft_is_tagged_in_the_language_its_source_declares():
    text = "O canal de comunicação com o vizinho volta a funcionar."
    portuguese = draft(1, "jornal", title="Reabertura do canal de comunicação", text=text, language="pt-PT")
    undeclared = replace(portuguese, language=None)
    read_in_portuguese, read_in_english = build_articles([portuguese, undeclared], Tagger.from_settings(), [NOW] * 2)
    assert read_in_english.sectors == ("transport",)  # "canal" read as English
    assert read_in_portuguese.sectors == ()


# A block of code in an entry (<pre>, a fenced or indented block in Markdown) is found by search, and is never
# part of a summary, the tags or a card.
TITLE = "Scheduler release speeds up batch jobs"
STORY = "The new release of the scheduler runs batch jobs at once. Operators upgraded it first."
# code words no sentence has: a function, and a country's name that must not tag the article
CODE = 'run_now_fast(region="thailand")'

RSS = f"""<rss version="2.0"><channel><title>Dev wire</title><item><title>{TITLE}</title>
<link>https://devwire.test/scheduler</link><guid>devwire-1</guid><pubDate>Wed, 01 Apr 2026 05:00:00 GMT</pubDate>
<description>&lt;p&gt;{STORY}&lt;/p&gt;&lt;pre&gt;&lt;code&gt;{CODE.replace('"', "&amp;quot;")}&lt;/code&gt;&lt;/pre&gt;
&lt;p&gt;Upgrades take a minute.&lt;/p&gt;</description></item></channel></rss>""".encode()

FENCED = f"""---
title: {TITLE}
url: https://notes.test/fenced
---
{STORY}

```python
{CODE}
```

Upgrades take a minute.
"""

INDENTED = f"""---
title: {TITLE}
url: https://notes.test/indented
---
{STORY}

    {CODE}

Upgrades take a minute.
"""


def rss_entry() -> Draft:
    (draft,) = parse_feed(RSS, "devwire")
    return draft


ENTRIES = {
    "rss": rss_entry,
    "fenced": lambda: parse_markdown(FENCED, "devnotes", origin="fenced.md"),
    "indented": lambda: parse_markdown(INDENTED, "devnotes", origin="indented.md"),
}


@pytest.mark.parametrize("kind", ENTRIES)
async def test_words_only_a_code_block_has_are_searched_and_left_out_of_summary_tags_and_cards(
    store, kind, monkeypatch
):
    entry = ENTRIES[kind]()
    context = sample_context(store)
    assert (await _ingest(store, monkeypatch, {entry.source: [entry]}, hours=0, tagger=context.tagger)).new == 1
    reply = await build_router(context).handle(command("/search run_now_fast"))
    assert [card.title for card in reply.cards] == [TITLE]
    assert "run_now_fast" not in reply.cards[0].summary and "Thailand" not in reply.cards[0].countries
    assert [article.title for article in (await store.find(Query(text="run_now_fast thailand"))).articles] == [TITLE]
    [stored] = (await store.find(Query())).articles
    assert "run_now_fast" not in stored.text and "run_now_fast" not in stored.summary
    assert stored.countries == () and (await store.find(Query(countries=("TH",)))).articles == []


async def test_a_word_of_the_story_ranks_above_the_same_word_only_in_code(store, monkeypatch):
    told = Draft(source="devwire", title="Batch jobs at once", text="Operators load the grid at once.",
                 url="https://devwire.test/told", published=NOW)
    coded = Draft(source="devwire", title="Batch jobs at last", text="Operators run batch jobs at last.",
                  url="https://devwire.test/coded", published=NOW, code="grid = load()")
    assert (await _ingest(store, monkeypatch, {"devwire": [coded, told]}, hours=0)).new == 2
    assert [article.title for article in (await store.search("grid")).articles] == [told.title, coded.title]
