"""The dialect-specific SQL of full-text search, kept small and in one place.

SQLite uses the FTS5 table `articles_fts` (rowid = articles.seq); PostgreSQL the generated
`articles.search` tsvector. Both tokenize English with stemming; people's words become an
AND of terms, stop words dropped on both sides so results agree. A term is a word, or a set of
equivalent names ("AI" or "artificial intelligence") any of which an article may use.
"""

from __future__ import annotations

import functools
import re

import sqlalchemy as sa

from content.store.schema import articles

# Close to PostgreSQL's English stop words, so SQLite does not require "in" or "the" to match.
_STOPWORDS = frozenset(
    "a about above after again against all am an and any are as at be because been before being below between "
    "both but by can did do does doing down during each few for from further had has have having he her here "
    "hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now "
    "of off on once only or other our ours ourselves out over own same she should so some such than that the "
    "their theirs them themselves then there these they this those through to too under until up very was we "
    "were what when where which while who whom why will with you your yours yourself yourselves".split()
)
_WORD = re.compile(r"\w+")

# Names for the same thing that articles use interchangeably: a query naming one finds any.
EQUIVALENT_NAMES = (
    ("ai", "artificial intelligence"),
    ("genai", "generative ai"),
    ("llm", "llms", "large language model"),
    ("iot", "internet of things"),
    ("ev", "evs", "electric vehicle"),
    ("fintech", "financial technology"),
    ("edtech", "education technology"),
    ("agritech", "agricultural technology"),
)
_EQUIVALENTS = {tuple(name.split()): group for group in EQUIVALENT_NAMES for name in group}
_LONGEST_NAME = max(len(words) for words in _EQUIVALENTS)

Term = tuple[str, ...]  # a word, or the equivalent names (words or phrases) an article may use instead

# Title matters most, then the summary, then the body.
_SQLITE_RANK = "-bm25(articles_fts, 10.0, 4.0, 1.0)"


def search_terms(text: str) -> list[Term]:
    """The terms of a query that count, all of which an article must match; empty when nothing
    searchable is left."""
    words = _WORD.findall(text.casefold().replace("_", " "))
    terms: list[Term] = []
    position = 0
    while position < len(words):
        name, equivalents = _name_at(words, position)
        if equivalents:
            terms.append(equivalents)
            position += len(name)
            continue
        word = words[position]
        if word not in _STOPWORDS and (len(word) > 1 or word.isdigit()):
            terms.append((word,))
        position += 1
    return terms


def _name_at(words: list[str], position: int) -> tuple[tuple[str, ...], Term]:
    """The longest name with equivalents starting at `position`, and its equivalents; ((), ()) when none."""
    for size in range(min(_LONGEST_NAME, len(words) - position), 0, -1):
        name = tuple(words[position : position + size])
        if name in _EQUIVALENTS:
            return name, _EQUIVALENTS[name]
    return (), ()


_fts = sa.table("articles_fts", sa.column("rowid"))

# How a text condition joins the rest of a query, chosen by how many articles match (SQLite):
DRIVING = "driving"  # few matches: start from them and sort them by date
FILTER = "filter"  # a moderate number: collect them once, test each candidate against the set
CORRELATED = "correlated"  # most articles match: ask the index about each candidate, stop early
_FEW_MATCHES = 300
_FEW_MATCHES_WITH_TAGS = 2_000  # tag filters make a date-ordered scan slower to fill a page
_MANY_MATCHES = 20_000
RANK_WINDOW = 2_000  # unfiltered ranking on SQLite considers the newest this many matches


def _sqlite_match(terms: list[Term]) -> sa.ColumnElement:
    # every word is \w+, so quoting it makes an FTS5 phrase that cannot be read as syntax
    expression = " AND ".join("(" + " OR ".join(f'"{name}"' for name in term) + ")" for term in terms)
    return sa.literal_column("articles_fts").op("MATCH")(sa.bindparam(None, expression, type_=sa.Text))


def _postgresql_query(terms: list[Term]) -> sa.ColumnElement:
    english = sa.literal_column("'english'::regconfig")

    def any_name(term: Term) -> sa.ColumnElement:
        return functools.reduce(lambda a, b: a.op("||")(b), (sa.func.phraseto_tsquery(english, name) for name in term))

    return functools.reduce(lambda a, b: a.op("&&")(b), map(any_name, terms))


def _postgresql_matches(terms: list[Term]) -> sa.ColumnElement:
    return sa.literal_column("articles.search").op("@@")(_postgresql_query(terms))


def match_count_probe(terms: list[Term]) -> sa.Select:
    """SQLite: how many articles match, counted no further than needed to choose a join mode."""
    capped = sa.select(sa.literal(1)).select_from(_fts).where(_sqlite_match(terms)).limit(_MANY_MATCHES).subquery()
    return sa.select(sa.func.count()).select_from(capped)


def join_mode(dialect: str, match_count: int | None, tag_filtered: bool = False) -> str:
    if dialect == "postgresql" or match_count is None:
        return FILTER  # PostgreSQL's planner chooses between its GIN index and a filter itself
    if match_count < (_FEW_MATCHES_WITH_TAGS if tag_filtered else _FEW_MATCHES):
        return DRIVING
    return FILTER if match_count < _MANY_MATCHES else CORRELATED


def matching(dialect: str, terms: list[Term]) -> sa.Select:
    """SELECT seq of every article matching all the terms."""
    if dialect == "postgresql":
        return sa.select(articles.c.seq).where(_postgresql_matches(terms))
    return sa.select(_fts.c.rowid.label("seq")).where(_sqlite_match(terms))


def condition(dialect: str, seq: sa.ColumnElement, terms: list[Term], mode: str) -> sa.ColumnElement:
    """`seq` is an article matching all the terms."""
    if dialect == "sqlite" and mode == CORRELATED:
        return sa.exists().select_from(_fts).where(_sqlite_match(terms), _fts.c.rowid == seq)
    # "+ 0" keeps SQLite from driving the query by this set: it is a filter, the date order leads.
    return (seq + 0).in_(matching(dialect, terms))


def driving(terms: list[Term]) -> sa.Select:
    """SQLite, few matches: SELECT (published, seq) of the matching articles, to sort by date."""
    return (
        sa.select(articles.c.published, articles.c.seq)
        .select_from(_fts.join(articles, articles.c.seq == _fts.c.rowid))
        .where(_sqlite_match(terms))
    )


def ranked(dialect: str, terms: list[Term], windowed: bool) -> sa.Subquery:
    """(seq, score) of matching articles; a higher score is more relevant. `windowed` (SQLite)
    ranks only the newest RANK_WINDOW matches, so a word in most articles stays fast."""
    if dialect == "postgresql":
        tsquery = _postgresql_query(terms)
        search = sa.literal_column("articles.search")
        statement = sa.select(articles.c.seq, sa.func.ts_rank_cd(search, tsquery).label("score")).where(
            search.op("@@")(tsquery)
        )
        return statement.subquery("ranked")
    statement = sa.select(_fts.c.rowid.label("seq"), sa.literal_column(_SQLITE_RANK).label("score")).where(
        _sqlite_match(terms)
    )
    if windowed:
        oldest_in_window = (
            sa.select(_fts.c.rowid)
            .where(_sqlite_match(terms))
            .order_by(_fts.c.rowid.desc())
            .offset(RANK_WINDOW - 1)
            .limit(1)
            .scalar_subquery()
        )
        statement = statement.where(_fts.c.rowid >= sa.func.coalesce(oldest_in_window, 0))
    return statement.subquery("ranked")
