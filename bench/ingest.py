"""Ingest throughput: the whole pipeline against feedparser alone on the same bytes (goal: <= 2x).

Run: python bench/ingest.py [--feeds DIR] [--entries 10000]
Reads the real feeds in ../shared/data/feeds/real (from disk, no network) and adds generated
RSS feeds until there are at least --entries entries. The pipeline is what `newsbot ingest` does
to a fetched body: parse and clean (content.sources.feed.parse_feed), summarize and tag
(content.analysis via content.ingest.build_articles), dedupe and store (Store.add, SQLite temp
file). The pipeline runs twice on fresh stores: stage by stage (to show where time goes) and through
`ingest_once`, exactly as `newsbot ingest` runs it (downloads replaced by the bytes in memory;
sources overlap, so one source's SQLite work runs while the next is analysed, and feeds are parsed in a
worker thread as `fetch_feed` parses a download). The baseline,
in the same run, is `feedparser.parse` on the same bytes, measured before and after the
pipelines (the mean is used, so drifting machine load hits both sides).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import feedparser  # noqa: E402

import content.ingest  # noqa: E402
from content.ingest import build_articles, ingest_once  # noqa: E402
from content.settings import FeedSource  # noqa: E402
from content.sources import FetchResult  # noqa: E402
from content.sources.feed import FeedError, parse_feed  # noqa: E402
from content.store import Store  # noqa: E402
from content.tagging import Tagger  # noqa: E402

REAL_FEEDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "feeds" / "real"
SEED = 20260402
ITEMS_PER_GENERATED_FEED = 500
SYNDICATED_SHARE = 0.05  # generated items that repeat an earlier story under another URL

PLACES = ["Kenya", "Nairobi", "Thailand", "Bangkok", "Pakistan", "Lahore", "Vietnam", "Nigeria", "Lagos", "Egypt",
          "Brazil", "India", "Indonesia", "China", "Shenzhen", "Germany", "Chile", "Southeast Asia", "East Africa"]
SUBJECTS = ["solar farm", "smart grid", "irrigation scheme", "pest detection app", "port logistics platform",
            "teacher training programme", "hospital triage system", "electric bus fleet", "copper mine",
            "mobile banking service", "customs data exchange", "wind power auction", "rice export deal"]
VERBS = ["launches", "expands", "tests", "funds", "opens", "doubles", "pilots", "signs"]
FILLER = ("officials said the project would start next quarter with support from local universities and "
          "private partners while analysts expect costs to fall as equipment becomes cheaper and more "
          "engineers are trained to maintain the systems in rural districts").split()


def real_feeds(folder: Path) -> list[tuple[str, bytes]]:
    if not folder.is_dir():
        return []
    return [(path.name, path.read_bytes()) for path in sorted(folder.iterdir()) if path.is_file()]


def _story(rng: random.Random, number: int) -> tuple[str, str]:
    place, subject, verb = rng.choice(PLACES), rng.choice(SUBJECTS), rng.choice(VERBS)
    title = f"{place} {verb} {subject} number {number}"
    sentences = []
    for _ in range(rng.randint(5, 9)):
        words = rng.sample(FILLER, rng.randint(10, 18))
        sentences.append(f"In {rng.choice(PLACES)}, the {rng.choice(SUBJECTS)} " + " ".join(words) + ".")
    paragraphs = "".join(f"<p>{escape(' '.join(sentences[i:i + 3]))}</p>" for i in range(0, len(sentences), 3))
    return title, f"<p>{escape(title)}: the {subject} in {place} is the first of its kind.</p>" + paragraphs


def generated_feeds(count: int) -> list[tuple[str, bytes]]:
    rng = random.Random(SEED)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    stories: list[tuple[str, str]] = []
    feeds = []
    for feed_number in range(-(-count // ITEMS_PER_GENERATED_FEED)):
        items = []
        for item in range(min(ITEMS_PER_GENERATED_FEED, count - feed_number * ITEMS_PER_GENERATED_FEED)):
            if stories and rng.random() < SYNDICATED_SHARE:
                title, body = rng.choice(stories)
            else:
                title, body = _story(rng, len(stories))
                stories.append((title, body))
            published = format_datetime(start + timedelta(minutes=7 * (feed_number * ITEMS_PER_GENERATED_FEED + item)))
            link = f"https://feed{feed_number}.bench.test/story/{item}"
            items.append(
                f"<item><title>{escape(title)}</title><link>{link}</link><guid>{link}</guid>"
                f"<pubDate>{published}</pubDate><description>{escape(body)}</description></item>"
            )
        document = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Generated feed {feed_number}</title><link>https://feed{feed_number}.bench.test/</link>"
            f"<language>en</language>{''.join(items)}</channel></rss>"
        )
        feeds.append((f"generated-{feed_number}.rss", document.encode("utf-8")))
    return feeds


def feedparser_alone(feeds: list[tuple[str, bytes]]) -> tuple[int, float]:
    started = time.perf_counter()
    entries = sum(len(feedparser.parse(body).entries) for _name, body in feeds)
    return entries, time.perf_counter() - started


async def whole_pipeline(feeds: list[tuple[str, bytes]], store: Store, tagger: Tagger) -> dict[str, float]:
    times = {"parse + clean": 0.0, "summarize + tag": 0.0, "dedupe + store": 0.0}
    counts = {"drafts": 0, "new": 0, "duplicates": 0, "failed feeds": 0}
    now = datetime.now(timezone.utc)
    for name, body in feeds:
        started = time.perf_counter()
        try:
            drafts = parse_feed(body, name)
        except FeedError:
            counts["failed feeds"] += 1
            drafts = []
        parsed = time.perf_counter()
        articles = build_articles(drafts, tagger, [now] * len(drafts))
        analysed = time.perf_counter()
        if articles:
            result = await store.add(articles)
            counts["new"] += result.new
            counts["duplicates"] += result.duplicates
        stored = time.perf_counter()
        counts["drafts"] += len(drafts)
        times["parse + clean"] += parsed - started
        times["summarize + tag"] += analysed - parsed
        times["dedupe + store"] += stored - analysed
    return {**times, **counts}


async def as_newsbot_ingest(feeds: list[tuple[str, bytes]], store: Store, tagger: Tagger) -> int:
    """The same bytes through `ingest_once`, the code `newsbot ingest` runs, with the download
    replaced by the bytes in memory: sources overlap as they do in a real run."""
    bodies = dict(feeds)

    async def fetch_from_memory(source, state, client, now):
        try:  # in a worker thread, as content.sources.feed.fetch_feed parses a download
            return FetchResult(await asyncio.to_thread(parse_feed, bodies[source.name], source.name), state)
        except FeedError as error:
            return FetchResult([], state, error=str(error))

    content.ingest.fetch_source = fetch_from_memory
    sources = [FeedSource(name=name, kind="feed", url=f"https://bench.test/{name}") for name, _body in feeds]
    report = await ingest_once(store, sources, tagger, client=object())
    return report.new + report.duplicates


async def timed_in_fresh_store(pipeline, feeds, tagger) -> tuple[dict | int, float]:
    with tempfile.TemporaryDirectory() as directory:
        store = await Store.open(f"sqlite:///{Path(directory) / 'bench.db'}")
        try:
            started = time.perf_counter()
            outcome = await pipeline(feeds, store, tagger)
            return outcome, time.perf_counter() - started
        finally:
            await store.close()


async def run(folder: Path, minimum_entries: int) -> None:
    real = real_feeds(folder)
    real_entries, _ = feedparser_alone(real)
    feeds = real + generated_feeds(max(0, minimum_entries - real_entries))
    print(f"{len(real)} real feeds ({real_entries:,} entries) from {folder}" if real else f"no real feeds at {folder}")
    tagger = Tagger.from_settings()
    entries, baseline_before = feedparser_alone(feeds)
    figures, pipeline_seconds = await timed_in_fresh_store(whole_pipeline, feeds, tagger)
    stored, ingest_seconds = await timed_in_fresh_store(as_newsbot_ingest, feeds, tagger)
    _, baseline_after = feedparser_alone(feeds)
    baseline = (baseline_before + baseline_after) / 2
    print(f"{len(feeds)} feeds, {entries:,} entries; pipeline kept {figures['drafts']:,} drafts "
          f"({figures['new']:,} new, {figures['duplicates']:,} duplicates, {figures['failed feeds']} feeds failed)")
    print(f"feedparser alone:          {entries / baseline:7,.0f} entries/s ({baseline:.2f} s; "
          f"before {baseline_before:.2f} s, after {baseline_after:.2f} s)")
    print(f"pipeline, one stage after another: {entries / pipeline_seconds:7,.0f} entries/s ({pipeline_seconds:.2f} s), "
          f"ratio {pipeline_seconds / baseline:.2f}x")
    for stage in ("parse + clean", "summarize + tag", "dedupe + store"):
        print(f"  {stage:<16} {figures[stage]:6.2f} s  ({figures[stage] / baseline:.2f}x feedparser alone)")
    ratio = ingest_seconds / baseline
    print(f"pipeline as `newsbot ingest` runs it (ingest_once, {stored:,} drafts stored or merged): "
          f"{entries / ingest_seconds:,.0f} entries/s ({ingest_seconds:.2f} s)")
    print(f"ratio: {ratio:.2f}x feedparser alone (goal <= 2x): {'ok' if ratio <= 2 else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=Path, default=REAL_FEEDS, help="folder of real feed files")
    parser.add_argument("--entries", type=int, default=10_000, help="top up with generated entries to this many")
    args = parser.parse_args()
    asyncio.run(run(args.feeds, args.entries))


if __name__ == "__main__":
    main()
