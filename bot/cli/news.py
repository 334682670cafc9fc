"""`newsbot news`: stored articles matching a sector, a country or region, and words, newest first."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli import UsageError
from bot.terminal import json_line, printable
from content.model import Article, Query
from content.store import Store
from content.tagging import Tagger, place_name

MAX_LIMIT = 100
def _limit(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 1 <= number <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_LIMIT}")
    return number


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "news",
        help="show stored articles by sector, country or region, and words",
        description="Show stored articles, newest first. Names are matched loosely (energy, kenya, southeast asia).",
    )
    parser.add_argument("--sector", metavar="S", help="a sector, e.g. energy")
    parser.add_argument("--country", metavar="C", help="a country or region, e.g. TH, Kenya, Southeast Asia")
    parser.add_argument(
        "--query",
        metavar="TEXT",
        help='words the article must contain: "quoted phrases" as written, -word left out '
        '(text that starts with "-" goes after "=": --query=-solar)',
    )
    parser.add_argument("--limit", metavar="N", type=_limit, default=10, help=f"at most N articles (1-{MAX_LIMIT}, default 10)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")


def _did_you_mean(kind: str, words: str, resolution) -> UsageError:
    names = ", ".join(match.name for match in resolution.suggestions)
    hint = f" (did you mean: {names}?)" if names else ""
    return UsageError(f'unknown {kind} "{printable(words)}"{hint}')


def build_query(args: argparse.Namespace, tagger: Tagger) -> Query:
    sectors, countries, regions = (), (), ()
    if args.sector:
        resolution = tagger.resolve_sector(args.sector)
        if resolution.match is None:
            if place := tagger.resolve_place(args.sector).match:
                raise UsageError(f'"{printable(args.sector)}" is no sector but {place.name}: use --country')
            raise _did_you_mean("sector", args.sector, resolution)
        sectors = (resolution.match.id,)
    if args.country:
        resolution = tagger.resolve_place(args.country)
        if resolution.match is None:
            if sector := tagger.resolve_sector(args.country).match:
                raise UsageError(f'"{printable(args.country)}" is no country or region but {sector.name}: use --sector')
            raise _did_you_mean("country or region", args.country, resolution)
        if resolution.match.kind == "region":
            regions = (resolution.match.id,)
        else:
            countries = (resolution.match.id,)
    text = args.query.strip() if args.query and args.query.strip() else None
    return Query(sectors=sectors, countries=countries, regions=regions, text=text)


def as_json(article: Article) -> str:
    return json_line(
        {
            "id": article.id,
            "title": article.title,
            "url": article.url,
            "source": article.sources[0] if article.sources else None,
            "published": article.published.isoformat(),
            "summary": article.summary,
            "sectors": list(article.sectors),
            "countries": list(article.countries),
            "regions": list(article.regions),
        }
    )


def as_text(article: Article, sector_names: dict[str, str]) -> str:
    details = [article.published.strftime("%Y-%m-%d"), ", ".join(article.sources)]
    details.append(", ".join(sector_names.get(sector, sector) for sector in article.sectors))
    details.append(", ".join(place_name(code) for code in article.countries + article.regions))
    lines = [printable(article.title), "  " + printable(" · ".join(part for part in details if part))]
    if article.summary:
        lines.append("  " + printable(article.summary))
    if article.url:
        lines.append("  " + printable(article.url))
    return "\n".join(lines)


async def _news(args: argparse.Namespace, config) -> int:
    tagger = Tagger.from_settings(config.taxonomy)
    query = build_query(args, tagger)
    store = await Store.from_settings(config.storage)
    try:
        page = await store.find(query, limit=args.limit)
    finally:
        await store.close()
    if args.json:
        for article in page.articles:
            print(as_json(article))
    elif page.articles:
        names = tagger.sector_names()
        print("\n\n".join(as_text(article, names) for article in page.articles))
    else:
        print("No matching articles.", file=sys.stderr)
    return 0


def run(args: argparse.Namespace, config) -> int:
    return asyncio.run(_news(args, config))
