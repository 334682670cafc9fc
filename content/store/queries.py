"""The SELECTs behind `Store.find`, `search` and `stored_between`: tag filters, text, keyset pages.

A newest-first query starts from whichever side is cheapest: few text matches (start from
them), else the tag index (`kind, value, published, article_seq`: each tag value is one range
already in date order, so a one-value walk stops after the page; several values are sorted
first), else the date index of all articles. The other filters become per-row checks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable, Sequence

import sqlalchemy as sa

import content.tagging as tagging
from content.model import NEWS_AGE, Period, Query
from content.store import fulltext
from content.store.schema import article_tags, articles


def place_values(countries: Iterable[str], regions: Iterable[str]) -> tuple[list[str], list[str]]:
    """(country codes, region ids) satisfying a place filter: a region brings its member countries
    and the regions inside it."""
    regions = tuple(regions)
    codes = {code.upper() for code in countries}
    region_ids = set(regions)
    for region in regions:
        members, inner_regions = tagging.region_scope(region)
        codes |= members
        region_ids |= inner_regions
    return sorted(codes), sorted(region_ids)


def place_condition(
    tags: sa.FromClause, countries: Iterable[str], regions: Iterable[str], per_article: bool = False
) -> sa.ColumnElement:
    codes, region_ids = place_values(countries, regions)
    return sa.and_(tags.c.kind.in_(["country", "region"]), _value_in(tags, codes + region_ids, per_article))


def _value_in(tags: sa.FromClause, values: list[str], per_article: bool) -> sa.ColumnElement:
    # Checking one article's few place tags, `value || ''` makes SQLite read them and test the
    # list, instead of probing the index once per listed value (60 for Africa).
    value = tags.c.value.concat("") if per_article else tags.c.value
    return value.in_(values)


def tag_conditions(query: Query, seq: sa.ColumnElement) -> list[sa.ColumnElement]:
    """EXISTS checks on `seq`: tagged with one of the sectors, with one of the places, and so for
    each query in `also`."""
    conditions = [condition for extra in query.also for condition in tag_conditions(extra, seq)]
    if query.sectors:
        tags = article_tags.alias("sector_tags")
        conditions.append(
            sa.exists().where(tags.c.article_seq == seq, tags.c.kind == "sector", tags.c.value.in_(list(query.sectors)))
        )
    if query.countries or query.regions:
        tags = article_tags.alias("place_tags")
        conditions.append(
            sa.exists().where(
                tags.c.article_seq == seq, place_condition(tags, query.countries, query.regions, per_article=True)
            )
        )
    return conditions


def in_period(published: sa.ColumnElement, period: Period | None) -> list[sa.ColumnElement]:
    """Checks that `published` falls in the period: none without one."""
    if period is None:
        return []
    bound = {"type_": published.type}
    conditions = [published >= sa.bindparam(None, period.start, **bound)]
    if period.end is not None:
        conditions.append(published < sa.bindparam(None, period.end, **bound))
    return conditions


def before(published: sa.ColumnElement, seq: sa.ColumnElement, after: tuple[datetime, int]) -> sa.ColumnElement:
    """Strictly after the cursor's row in newest-first order."""
    moment, last_seq = after
    return sa.tuple_(published, seq) < sa.tuple_(sa.bindparam(None, moment, type_=published.type), last_seq)


def _newest(statement: sa.Select, published: sa.ColumnElement, seq: sa.ColumnElement, count: int) -> sa.Select:
    return statement.order_by(published.desc(), seq.desc()).limit(count)


def _filtered(
    statement: sa.Select, seq: sa.ColumnElement, published: sa.ColumnElement, conditions: list, after, period
) -> sa.Select:
    for condition in conditions + in_period(published, period):
        statement = statement.where(condition)
    if after is not None:
        statement = statement.where(before(published, seq, after))
    return statement


def newest_first(
    dialect: str, query: Query, terms: fulltext.Terms, text_mode: str, after: tuple[datetime, int] | None, count: int
) -> sa.Select:
    """SELECT (published, seq) of the first `count` matches, newest first."""

    def text_conditions(seq: sa.ColumnElement) -> list[sa.ColumnElement]:
        return [fulltext.condition(dialect, seq, terms, text_mode)] if terms else []

    if terms.required and text_mode == fulltext.DRIVING:
        conditions = tag_conditions(query, articles.c.seq)
        statement = _filtered(
            fulltext.driving(terms), articles.c.seq, articles.c.published, conditions, after, query.period
        )
        return _newest(statement, articles.c.published, articles.c.seq, count)

    codes, region_ids = place_values(query.countries, query.regions)
    places = codes + region_ids
    # One tag value is one range of the index, already in date order: the walk stops after the
    # page. Several values (a region's members) must be merged and sorted first, so a single
    # sector drives instead and the place becomes the per-row check.
    if places and (len(places) == 1 or len(query.sectors) != 1):
        # Country codes and region ids never collide, so one IN over both kinds is exact.
        kinds, values, others = ["country", "region"], places, Query(sectors=query.sectors, also=query.also)
    elif query.sectors:
        kinds, values = ["sector"], list(query.sectors)
        others = Query(countries=query.countries, regions=query.regions, also=query.also)
    else:
        statement = sa.select(articles.c.published, articles.c.seq)
        conditions = tag_conditions(query, articles.c.seq) + text_conditions(articles.c.seq)  # `also`, if any
        statement = _filtered(statement, articles.c.seq, articles.c.published, conditions, after, query.period)
        return _newest(statement, articles.c.published, articles.c.seq, count)
    tags = article_tags.alias("driving")
    # DISTINCT: an article tagged with two of the values (two member countries) is one row.
    statement = (
        sa.select(tags.c.published, tags.c.article_seq.label("seq"))
        .where(tags.c.kind.in_(kinds), tags.c.value.in_(values))
        .distinct()
    )
    conditions = tag_conditions(others, tags.c.article_seq) + text_conditions(tags.c.article_seq)
    statement = _filtered(statement, tags.c.article_seq, tags.c.published, conditions, after, query.period)
    return _newest(statement, tags.c.published, tags.c.article_seq, count)


def ranked_page(
    dialect: str, query: Query, terms: fulltext.Terms, through: sa.ColumnElement[int], shown: Sequence[int], count: int
) -> sa.Select:
    """SELECT (seq, score, through) of `count` matches stored up to position `through` (a number,
    or `position()` for the first page), most relevant first, leaving out those `shown` on earlier
    pages. A page goes by what was shown, not by score or place in the ranking: SQLite's bm25
    scores and their order move whenever articles are added, and a page that continued after a
    score or a place would skip or repeat."""
    # Ranking only the newest matches would miss those of an older period, as it would a tag's few
    ranked = fulltext.ranked(dialect, terms, windowed=not (query.has_tags or query.period), through=through)
    statement = sa.select(ranked.c.seq, ranked.c.score, through.label("through"))
    for condition in tag_conditions(query, ranked.c.seq) + _published_in(ranked.c.seq, query.period):
        statement = statement.where(condition)
    if shown:
        statement = statement.where(ranked.c.seq.not_in(list(shown)))
    return statement.order_by(ranked.c.score.desc(), ranked.c.seq.desc()).limit(count)


def _published_in(seq: sa.ColumnElement[int], period: Period | None) -> list[sa.ColumnElement[bool]]:
    """Checks that the article at `seq` was published in the period. The period's positions are read
    off the date index once, sparing a read of each match's row: on bench/query.py's 100,000 articles,
    a week's search took 4 ms instead of 18, a month's 10 instead of 25, but a year's (most of the
    store) 70 instead of 30. "+ 0": the set is a filter, the matches lead."""
    if period is None:
        return []
    dated = sa.select(articles.c.seq).where(*in_period(articles.c.published, period))
    return [(seq + 0).in_(dated)]


def with_articles(positions: sa.Select, *order: str) -> sa.Select:
    """The full articles of a page of positions with the page's other columns, in its order
    (descending by the `order` columns)."""
    page = positions.subquery("page")
    extra = [column for column in page.c if column.name not in articles.c]
    statement = sa.select(articles, *extra).join(page, articles.c.seq == page.c.seq)
    return statement.order_by(*(page.c[name].desc() for name in order))


def stored_between(dialect: str, after: int, through: int, query: Query, terms: fulltext.Terms) -> sa.Select:
    """SELECT the articles stored after position `after` up to `through` that match the query and
    were news when fetched (`Article.was_news_when_fetched`), in no order."""
    statement = _matching(dialect, query, terms).where(articles.c.seq > after, articles.c.seq <= through)
    return statement.where(_news_when_fetched(dialect))


def _news_when_fetched(dialect: str) -> sa.ColumnElement[bool]:
    if dialect == "postgresql":
        return articles.c.published >= articles.c.fetched - sa.literal(NEWS_AGE)
    # SQLite holds the times as text: compare them as Julian days
    return sa.func.julianday(articles.c.published) >= sa.func.julianday(articles.c.fetched) - NEWS_AGE / timedelta(days=1)


def _matching(dialect: str, query: Query, terms: fulltext.Terms) -> sa.Select:
    """SELECT the articles that match the query, in no order."""
    statement = sa.select(articles)
    for condition in tag_conditions(query, articles.c.seq) + in_period(articles.c.published, query.period):
        statement = statement.where(condition)
    if terms:
        statement = statement.where(fulltext.condition(dialect, articles.c.seq, terms, fulltext.FILTER))
    return statement


def position() -> sa.ScalarSelect:
    """The store's position: the seq of the newest stored article, 0 when there is none. Articles
    become visible in seq order (see `Store.add`), so every article stored later has a greater one."""
    return sa.select(sa.func.coalesce(sa.func.max(articles.c.seq), 0)).scalar_subquery()
