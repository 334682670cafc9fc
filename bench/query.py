"""Query latency on 100,000 generated articles in SQLite: p50/p95 per query kind (goal: p95 <= 10 ms).

Run: python bench/query.py [--articles 100000] [--repeat 200]
The baseline, measured in the same run, is a primary-key lookup (`Store.get`); ratios are p50 / baseline p50.
Calls go round-robin over the query kinds, `--repeat` rounds; each call is one awaited Store method.
Articles are generated (seeded, no network): Zipf-distributed words, sectors and countries, so
popular tags and words are common and rare ones rare, as in real news.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Awaitable, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from content.model import Article, Query  # noqa: E402
from content.store import Store  # noqa: E402
from content.tagging import SECTORS, countries_in_region  # noqa: E402

SEED = 20260301
BATCH = 2_000
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
COUNTRIES = (
    "US CN GB IN DE JP FR KE TH PK NG VN ID BR EG ZA KR AU CA IT ES MX TR SA AE PH MY SG BD ET GH TZ UG "
    "RW MA SN CI CM AR CL CO PE NL SE NO PL UA RU IR IQ IL JO QA KW NZ LK NP MM KH LA"
).split()
REGIONS = ("africa", "south-eastern-asia", "western-europe", "eastern-africa", "middle-east")
TOPICS = (
    "smart grid", "solar power", "wind farm", "irrigation", "pest detection", "supply chain", "logistics",
    "machine learning", "teacher training", "hospital", "vaccine", "factory automation", "electric buses",
    "mobile payments", "copper mine", "port congestion", "carbon market", "drought", "fintech", "broadband",
)
FILLER = [f"w{index}" for index in range(5_000)]
SEARCHES = ("smart grid", "solar", "irrigation", "supply chain", "teacher training", "vaccine", "w17", "w2500")


def zipf_choice(rng: random.Random, items, exponent: float = 1.1):
    weights = [1 / (rank + 1) ** exponent for rank in range(len(items))]
    return rng.choices(items, weights=weights)[0]


def generate(rng: random.Random, number: int) -> Article:
    topics = rng.sample(TOPICS, 2)
    words = rng.choices(FILLER, weights=FILLER_WEIGHTS, k=90)
    text = " ".join(words[:30]) + f" {topics[0]} " + " ".join(words[30:60]) + f" {topics[1]} " + " ".join(words[60:])
    sectors = {zipf_choice(rng, SECTOR_IDS, 0.8) for _ in range(rng.randint(1, 2))}
    countries = {zipf_choice(rng, COUNTRIES) for _ in range(rng.randint(1, 3))}
    regions = (rng.choice(REGIONS),) if rng.random() < 0.1 else ()
    published = START + timedelta(minutes=rng.randint(0, 60 * 24 * 700))
    return Article(
        id=f"gen{number:07d}",
        url=f"https://bench.test/{number}",
        title=f"{topics[0].capitalize()} news {number}: " + " ".join(rng.choices(FILLER[:500], k=6)),
        sources=(f"Source {number % 40}",),
        published=published,
        fetched=published + timedelta(minutes=5),
        text=text,
        summary=" ".join(words[:25]),
        sectors=tuple(sorted(sectors)),
        countries=tuple(sorted(countries)),
        regions=regions,
    )


SECTOR_IDS = list(SECTORS)
FILLER_WEIGHTS = [1 / (rank + 1) for rank in range(len(FILLER))]


async def fill(store: Store, count: int) -> float:
    rng = random.Random(SEED)
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        await store.add([generate(rng, number) for number in range(first, min(first + BATCH, count))])
    return time.perf_counter() - started


async def measure(repeat: int, cases: dict[str, Callable[[random.Random], Awaitable]]) -> dict[str, list[float]]:
    """Round-robin over the cases, so a burst of load on the machine hits them all alike."""
    rng = random.Random(SEED + 1)
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, make_call in cases.items():
            call = make_call(rng)
            started = time.perf_counter()
            await call
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(article_count: int, repeat: int, database: Path | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(f"sqlite:///{database or Path(folder) / 'bench.db'}")
        try:
            if (await store.find(Query(), limit=1)).articles:
                print(f"reusing the articles already in {database}")
            else:
                seconds = await fill(store, article_count)
                print(f"stored {article_count:,} generated articles in {seconds:.1f} s ({article_count / seconds:,.0f}/s)")
            for region in REGIONS:
                print(f"  region {region}: {len(countries_in_region(region))} member countries")
            ids = [f"gen{number:07d}" for number in range(article_count)]
            second_page = (await store.find(Query(), limit=10)).next_cursor
            fifth_ranked_page = None  # the cursor of page 5 of a ranked search (places 41-50)
            for _ in range(4):
                fifth_ranked_page = (await store.search(SEARCHES[0], limit=10, cursor=fifth_ranked_page)).next_cursor
            cases = {
                "baseline: get by id": lambda rng: store.get(rng.choice(ids)),
                "latest 10": lambda rng: store.find(Query(), limit=10),
                "latest, page 2": lambda rng: store.find(Query(), limit=10, cursor=second_page),
                "by sector": lambda rng: store.find(Query(sectors=(rng.choice(SECTOR_IDS),))),
                "by country": lambda rng: store.find(Query(countries=(rng.choice(COUNTRIES),))),
                "by region": lambda rng: store.find(Query(regions=(rng.choice(REGIONS),))),
                "sector + country": lambda rng: store.find(
                    Query(sectors=(rng.choice(SECTOR_IDS),), countries=(rng.choice(COUNTRIES),))
                ),
                "sector + country + text": lambda rng: store.find(
                    Query(sectors=(rng.choice(SECTOR_IDS),), countries=(rng.choice(COUNTRIES),), text=rng.choice(SEARCHES))
                ),
                "sector + region + text": lambda rng: store.find(
                    Query(sectors=(rng.choice(SECTOR_IDS),), regions=(rng.choice(REGIONS),), text=rng.choice(SEARCHES))
                ),
                "text filter, newest first": lambda rng: store.find(Query(text=rng.choice(SEARCHES))),
                "ranked text search": lambda rng: store.search(rng.choice(SEARCHES)),
                "ranked, page 5": lambda rng: store.search(SEARCHES[0], limit=10, cursor=fifth_ranked_page),
                "ranked, equivalent names": lambda rng: store.search("fintech"),  # or "financial technology"
                "ranked, quoted phrase": lambda rng: store.search('"supply chain"'),
                "ranked, a word left out": lambda rng: store.search("smart grid -solar"),
                "sector, a word left out": lambda rng: store.find(Query(sectors=(rng.choice(SECTOR_IDS),), text="-solar")),
            }
            results = await measure(repeat, cases)
        finally:
            await store.close()
    baseline = statistics.median(results["baseline: get by id"])
    print(f"\n{'query':<28}{'p50 ms':>9}{'p95 ms':>9}{'p50/baseline':>14}  goal p95 <= 10 ms")
    for name, timings in results.items():
        p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
        verdict = "ok" if p95 <= 10 else "MISSED"
        print(f"{name:<28}{p50:>9.2f}{p95:>9.2f}{p50 / baseline:>13.1f}x  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200, help="calls per query kind")
    parser.add_argument("--database", type=Path, help="keep the articles in this SQLite file (reused when not empty)")
    args = parser.parse_args()
    asyncio.run(run(args.articles, args.repeat, args.database))


if __name__ == "__main__":
    main()
