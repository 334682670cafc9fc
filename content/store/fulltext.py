"""The dialect-specific SQL of full-text search, kept small and in one place.

SQLite uses the FTS5 table `articles_fts` (rowid = articles.seq); PostgreSQL the generated
`articles.search` tsvector. Both read English words by the same Snowball stems (content.store.words);
people's words become an AND of terms, stop words dropped on both sides so results agree, less the terms written after
"-". A term is a word, a "quoted phrase", or a set of equivalent names ("AI" or "artificial
intelligence") or of alternatives written with "or" between them, any of which an article may use.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

import sqlalchemy as sa

from content.store.schema import articles
from content.store.words import NAMES_OF_INITIALS, dots_and_slashes_parted, english_stems, fold_accents, folded, spaced
from content.tagging.places import non_country_phrases, place_names_of_several_words

# PostgreSQL's English stop words, so SQLite does not require "in" or "the" to match; its "s" and
# "t" are left to _CLITIC, as "U.S." keeps its "s".
_STOPWORDS = frozenset(
    "a about above after again against all am an and any are as at be because been before being below between "
    "both but by can did do does doing don down during each few for from further had has have having he her here "
    "hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now "
    "of off on once only or other our ours ourselves out over own same she should so some such than that the "
    "their theirs them themselves then there these they this those through to too under until up very was we "
    "were what when where which while who whom why will with you your yours yourself yourselves".split()
)
_WORD = re.compile(r"\w+")
# Never a word's part, and PostgreSQL refuses a NUL, or a lone surrogate (a byte a command line could not
# decode), in a query's text: they part words as a space does
_NO_WORD_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# "Kenya's" and "won't" are "Kenya" and "won" to PostgreSQL, which reads "s" and "t" as stop words.
_CLITIC = re.compile(r"(?<=\w)['’][st](?!\w)")
_LETTERS_JOINED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")  # "long-term", "state-of-the-art", not "covid-19"
# PostgreSQL leaves a longer word (in UTF-8 bytes) out of its index and out of a query, where SQLite keeps it
_LONGEST_WORD = 2047


# Names for the same thing that articles use interchangeably: a query naming one finds any.
EQUIVALENT_NAMES = (
    ("ai", "artificial intelligence"),
    ("genai", "generative ai"),
    ("llm", "llms", "large language model", "large language models"),
    ("iot", "internet of things"),
    ("ev", "evs", "electric vehicle", "electric vehicles"),
    ("fintech", "financial technology"),
    ("edtech", "education technology"),
    ("agritech", "agricultural technology"),
)
_EQUIVALENTS = {tuple(name.split()): group for group in EQUIVALENT_NAMES for name in group}
_LONGEST_NAME = max(len(words) for words in _EQUIVALENTS)

Term = tuple[str, ...]  # a word or phrase, or the equivalent names (words or phrases) an article may use instead

# Title matters most, then the summary, then the body, then its blocks of code.
_SQLITE_RANK = "-bm25(articles_fts, 10.0, 4.0, 1.0, 0.5)"

QUOTES = "\"“”„«»"  # straight and typographic quotes, as phone keyboards type them
# A piece of a query: an optional leading "-" (exclude), then a quoted phrase or a run of non-spaces.
_PIECE = re.compile(rf"(?<!\S)(-?)(?:[{QUOTES}]([^{QUOTES}]*)[{QUOTES}]?|(\S+))")
# Initials in capitals that are a stop word in lower case, which neither index keeps: they are looked for
# as the name they stand for, which both indexes read in their place ("/search WHO" would otherwise have no
# word to search for)
INITIALS_SPELT_OUT = re.compile(rf"\b(?:{'|'.join(NAMES_OF_INITIALS)})(?![\w-])")  # case tells them from the word
# A quoted phrase, kept as written, an energy in electronvolts ("1.1 eV"), quoted to be found as
# written (lower-cased, its "eV" would be "EV", also found as "electric vehicle"), or such initials
_QUOTED_OR_ENERGY = re.compile(
    rf"[{QUOTES}][^{QUOTES}]*[{QUOTES}]?|(?<!\S)\d[\d.,]* ?eV\b|(?P<negated>(?<!\S)-)?(?P<initials>{INITIALS_SPELT_OUT.pattern})"
)
# A comma, semicolon or slash between words parts them as a space does ("energy,kenya", "ai/ml"), where
# each is a word of two letters or more: not "1,000", "24/7", "r/news" or an address such as "example.org/a,b"
WORD_SEPARATORS = ",;/"
_WORD_SEPARATOR = re.compile(f"[{WORD_SEPARATORS}]")
_SEPARABLE_WORD = re.compile(r"(?=.*[^\W\d_])[\w'’-]{2,}")
# Punctuation around a word that is no part of it ("Kenya,", "(grid)"), as commands that read names trim it
EDGE_PUNCTUATION = ".,;:!?\"'()[]{}“”‘’"


@dataclass(frozen=True)
class Terms:
    """What a query asks of an article's text: every required term, and none of the excluded ones.
    Only required terms can be ranked by relevance."""

    required: tuple[Term, ...] = ()
    excluded: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.required or self.excluded)

    def __add__(self, other: "Terms") -> "Terms":
        return Terms(self.required + other.required, self.excluded + other.excluded)


def search_terms(text: str) -> Terms:
    """The terms of people's words. Words are required (stop words dropped, "AI" also found as
    "artificial intelligence"); a "quoted phrase" must appear as written; a word or phrase after
    "-" must not appear; "or" between two makes them one term, either of which will do ("solar or
    wind", "\"smart grid\" or turbines"). A word the tokenizers cut in pieces ("COVID-19",
    "example.com", "2.5GW", a Thai word with vowel signs) is a phrase of them."""
    units = _units(enumerate(_pieces(_as_searched(text))))
    reading = read_or([unit.kind for unit in units])
    required = tuple(tuple(dict.fromkeys(name for term in choice for name in units[term.start].term))
                     for choice in reading.choices)  # the names of either term "or" joins
    return Terms(required, tuple(unit.term for unit in units if unit.kind == LEFT_OUT and unit.term))


# What a piece of a query is to "or": a term looked for, one left out, the word "or", or no term (a stop word)
LOOKED_FOR, LEFT_OUT, OR, NO_TERM = "looked for", "left out", "or", "no term"


@dataclass(frozen=True)
class OrReading:
    """How search reads "or" among a query's pieces: its terms in order, each a list of the pieces (by
    index) of the terms an "or" joins into one choice, and the "or"s that join no two."""

    choices: list[list[range]]
    lone_ors: set[int]


def read_or(kinds: list[str]) -> OrReading:
    """The one reading of "or", among pieces of these kinds: an "or" joins the term before it to the
    term after it, either will do ("solar or wind"). Stop words and other "or"s are passed over on
    either side ("solar or the wind", "solar or or wind"), and an exclusion before it ("solar -coal or
    wind"); an exclusion after it ("solar or -wind"), or no term before or after it, leaves it alone."""
    choices: list[list[range]] = []
    lone_ors: set[int] = set()
    waiting: list[int] = []  # the "or"s since the last term, which the next term joins to it
    for index, kind in enumerate(kinds):
        if kind == OR and choices:
            waiting.append(index)
        elif kind == OR:
            lone_ors.add(index)  # no term before it
        elif kind == LEFT_OUT:
            lone_ors.update(waiting)
            waiting = []
        elif kind == LOOKED_FOR:
            if waiting:
                choices[-1].append(range(index, index + 1))
            else:
                choices.append([range(index, index + 1)])
            waiting = []
    return OrReading(choices, lone_ors | set(waiting))


def or_reading(pieces: list[str]) -> OrReading:
    """How search reads "or" among a query's pieces as written (plain words, quoted phrases, "-"
    exclusions, in order), a name of several words ("artificial intelligence") being one term."""
    units = _units((index, piece) for index, written in enumerate(pieces) for piece in _pieces(_as_searched(written)))
    reading = read_or([unit.kind for unit in units])
    choices = [[units[term.start].sources for term in choice] for choice in reading.choices]
    return OrReading(choices, {units[index].sources.start for index in reading.lone_ors})


def _as_searched(text: str) -> str:
    return fold_accents(folded(_quoted_as_meant(_NO_WORD_CHARACTERS.sub(" ", text))))


@dataclass(frozen=True)
class _Unit:
    """What search reads in a piece of a query, or in plain words together (a name of several words)."""

    kind: str
    term: Term | None
    sources: range  # where the pieces it is read from stand


def _units(pieces: Iterable[tuple[int, tuple[str, str | None, str | None]]]) -> list[_Unit]:
    units: list[_Unit] = []
    words: list[tuple[int, str]] = []  # plain words, read together so a name of several words is found, and their piece

    def read_words() -> None:
        units.extend(_Unit(LOOKED_FOR, term, range(words[span.start][0], words[span.stop - 1][0] + 1))
                     for span, term in _plain_terms([word for _, word in words]))
        words.clear()

    for source, (negated, quoted, bare) in pieces:
        if bare is not None:
            bare = _CLITIC.sub("", bare)
        if not negated and quoted is None and not is_or(bare) and len(_WORD.findall(bare)) <= 1:
            words.extend((source, word) for word in _WORD.findall(bare))
            continue
        read_words()
        if not negated and is_or(bare):
            units.append(_Unit(OR, None, range(source, source + 1)))
            continue
        term = _phrase_term(quoted if quoted is not None else bare, exact=quoted is not None)
        # an exclusion of no word ("-the") leaves nothing out, nor does it part what "or" joins
        kind = NO_TERM if term is None else LEFT_OUT if negated else LOOKED_FOR
        units.append(_Unit(kind, term, range(source, source + 1)))
    read_words()
    return units


def is_or(bare: str | None) -> bool:
    """Whether a plain word is "or", the punctuation around it aside ("or,", "(or)")."""
    return bare is not None and bare.strip(EDGE_PUNCTUATION).lower() == "or"


def _quoted_as_meant(text: str) -> str:
    def quoted(piece: re.Match) -> str:
        written = piece.group(0)
        if initials := piece.group("initials"):  # apart from what touches them: "WHO,kenya", "(WHO)"
            return f' {piece.group("negated") or ""}"{NAMES_OF_INITIALS[initials]}" '
        return written if written[0] in QUOTES else f'"{written}"'

    return _QUOTED_OR_ENERGY.sub(quoted, text)


def _pieces(text: str) -> list[tuple[str, str | None, str | None]]:
    """(negated, quoted, bare) for each piece of the text, a plain word that a comma, semicolon or slash
    joins to another ("energy,kenya") being as many pieces as it parts into."""
    pieces = []
    for piece in _PIECE.finditer(text):
        negated, quoted, bare = piece.groups()
        if negated or quoted is not None:
            pieces.append((negated, quoted, bare))
        else:
            pieces += [(negated, None, part) for part in parted(bare)]
    return pieces


def name_words(name: str) -> list[str]:
    """The words of a term's name, as the tokenizers read them."""
    return _WORD.findall(name)


def literal_pieces(text: str) -> tuple[str, list[str]]:
    """The text without its quoted phrases and "-" exclusions, and those pieces as written: a
    command that reads names (sectors, places) in people's words leaves these to the search."""
    pieces: list[str] = []

    def take(piece: re.Match) -> str:
        negated, quoted, _ = piece.groups()
        if negated or quoted is not None:
            pieces.append(piece.group(0))
            return " "
        return piece.group(0)

    return _PIECE.sub(take, text), pieces


def plain_words(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Each piece of the text with where it stands in it: a plain word as written, a quoted phrase or
    a "-" exclusion as "", so that nothing read in the plain words runs across one."""
    pieces = []
    for piece in _PIECE.finditer(text):
        negated, quoted, bare = piece.groups()
        pieces.append(("" if negated or quoted is not None else bare, piece.span()))
    return pieces


def parted(word: str) -> list[str]:
    """The words a comma, semicolon or slash joins in a plain word ("energy,kenya"), else the word whole:
    commands that read names part them as a space does, and read a time among them ("energy,today")."""
    pieces = _WORD_SEPARATOR.split(word)
    return pieces if len(pieces) > 1 and all(map(_SEPARABLE_WORD.fullmatch, pieces)) else [word]


def _plain_terms(words: list[str]) -> list[tuple[range, Term]]:
    """The terms of plain words, each with where its words stand: a name of several words is one, its
    equivalents kept ("electric vehicles"), else looked for as a phrase ("new york"), not its words anywhere; so
    is a country or region ("south africa"), which /news reads as the place instead."""
    terms: list[tuple[range, Term]] = []
    spans = _first_of_overlapping(names_of_several_words(words) + place_names_of_several_words(words))
    names = {span.start: span for span in spans}
    position = 0
    while position < len(words):
        if span := names.get(position):
            term = _phrase_term(" ".join(words[span.start : span.stop]), exact=False)
        else:
            word, span = words[position], range(position, position + 1)
            term = _EQUIVALENTS.get((word,)) or ((word,) if _counts(word) else None)
        if term:
            terms.append((span, term))
        position = span.stop
    return terms


def _phrase_term(surface: str, exact: bool) -> Term | None:
    """One term for a quoted, excluded or joined phrase; a name with equivalents keeps them unless
    quoted. The name keeps the phrase as written when it has no stop word to trim at either end,
    so PostgreSQL's parser reads it as it read the articles ("covid-19" is "covid" and "-19"), but
    for one word of letters joined by hyphens: PostgreSQL indexes the parts of "long-term" too, and
    finds "long term" as SQLite does only when asked for the parts."""
    words = all_words = _WORD.findall(surface)
    if any(map(_too_long, all_words)):
        return None
    spelt = ("".join(all_words),)
    if not exact and all(len(word) == 1 for word in all_words) and spelt in _EQUIVALENTS:  # "A.I.", "E.V."
        return _EQUIVALENTS[spelt]
    while words and words[0] in _STOPWORDS:
        words = words[1:]
    while words and words[-1] in _STOPWORDS:
        words = words[:-1]
    # a letter cut off by punctuation is a piece of the word ("U.S.", "e-commerce", "x-ray"), not one to drop
    if not words or (len(words) == 1 and not _counts(words[0])):
        return None
    if not exact and tuple(words) in _EQUIVALENTS:
        return _EQUIVALENTS[tuple(words)]
    if words != all_words:
        return (" ".join(words),)
    written = _without_edges(surface)
    return (written.replace("-", " ") if _LETTERS_JOINED.fullmatch(written) else written,)


def _without_edges(surface: str) -> str:
    """The text without the punctuation around it ("(covid-19)," is "covid-19"); a final vowel or tone mark stays."""
    def inside(character: str) -> bool:
        return character.isalnum() or unicodedata.category(character).startswith("M")

    kept = [index for index, character in enumerate(surface) if inside(character)]
    return surface[kept[0] : kept[-1] + 1]


def _counts(word: str) -> bool:
    # a single letter is no word in English, but can be a piece of one in Hindi or Thai
    return word not in _STOPWORDS and (len(word) > 1 or word.isdigit() or not word.isascii()) and not _too_long(word)


def _too_long(word: str) -> bool:
    return len(word.encode()) > _LONGEST_WORD


# Names of papers and shows that hold a time phrase, in lower-case words: where they stand, the words are the
# name to look for, as one ("/search usa today" is the paper), not a time (bot.time_phrases)
NAMES_WITH_A_TIME = (("usa", "today"), ("psychology", "today"), ("last", "week", "tonight"))


def names_with_a_time(words: list[str]) -> list[range]:
    """Where the names of `NAMES_WITH_A_TIME` stand among lower-case words."""
    return [
        range(start, start + len(name))
        for start in range(len(words)) for name in NAMES_WITH_A_TIME if tuple(words[start : start + len(name)]) == name
    ]


def names_of_several_words(words: list[str]) -> list[range]:
    """Where the names of several words that search reads as one term stand in lower-case words: names
    with equivalents ("electric vehicles", "internet of things"), places inside a country ("new york",
    "south china sea") and names with a time ("usa today"). Of names that overlap, the first, the longest there."""
    places = [span for span in non_country_phrases(words) if len(span) > 1]
    return _first_of_overlapping(_equivalent_names(words) + places + names_with_a_time(words))


def _first_of_overlapping(spans: list[range]) -> list[range]:
    """The spans in order, of those that overlap the first, the longest there."""
    kept: list[range] = []
    for span in sorted(spans, key=lambda span: (span.start, -len(span))):
        if not kept or span.start >= kept[-1].stop:
            kept.append(span)
    return kept


def _equivalent_names(words: list[str]) -> list[range]:
    """Where names of several words that have equivalents stand in lower-case words."""
    spans, position = [], 0
    while position < len(words):
        name, _ = _name_at(words, position)
        if len(name) > 1:
            spans.append(range(position, position + len(name)))
        position += max(len(name), 1)
    return spans


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


def _sqlite_match(terms: Terms) -> sa.ColumnElement:
    expression = " AND ".join(map(_fts5_any, terms.required))
    if terms.excluded:
        expression = f"({expression}) NOT ({' OR '.join(map(_fts5_any, terms.excluded))})"
    return sa.literal_column("articles_fts").op("MATCH")(sa.bindparam(None, expression, type_=sa.Text))


def _fts5_any(term: Term) -> str:
    # a name's \w+ words, stemmed as the index holds them and quoted, make an FTS5 phrase that cannot be read as syntax
    return "(" + " OR ".join(f'"{english_stems(" ".join(name_words(name)))}"' for name in term) + ")"


def _postgresql_query(terms: Terms) -> sa.ColumnElement:
    english = sa.literal_column("'english'::regconfig")

    def any_name(term: Term) -> sa.ColumnElement:
        return _balanced("||", [sa.func.phraseto_tsquery(english, dots_and_slashes_parted(spaced(fold_accents(name)))) for name in term])

    excluded = [sa.func.tsquery_not(any_name(term)) for term in terms.excluded]
    return _balanced("&&", [any_name(term) for term in terms.required] + excluded)


def _balanced(operator: str, operands: list[sa.ColumnElement]) -> sa.ColumnElement:
    """`a op b op c …` as a balanced tree: a long query nests shallowly enough to compile."""
    if len(operands) == 1:
        return operands[0]
    middle = len(operands) // 2
    return _balanced(operator, operands[:middle]).op(operator)(_balanced(operator, operands[middle:]))


def _postgresql_matches(terms: Terms) -> sa.ColumnElement:
    return sa.literal_column("articles.search").op("@@")(_postgresql_query(terms))


def match_count_probe(terms: Terms) -> sa.Select:
    """SQLite: how many articles match, counted no further than needed to choose a join mode."""
    capped = sa.select(sa.literal(1)).select_from(_fts).where(_sqlite_match(terms)).limit(_MANY_MATCHES).subquery()
    return sa.select(sa.func.count()).select_from(capped)


def join_mode(dialect: str, match_count: int | None, tag_filtered: bool = False) -> str:
    if dialect == "postgresql" or match_count is None:
        return FILTER  # PostgreSQL's planner chooses between its GIN index and a filter itself
    if match_count < (_FEW_MATCHES_WITH_TAGS if tag_filtered else _FEW_MATCHES):
        return DRIVING
    return FILTER if match_count < _MANY_MATCHES else CORRELATED


def matching(dialect: str, terms: Terms) -> sa.Select:
    """SELECT seq of every article matching all the terms."""
    if dialect == "postgresql":
        return sa.select(articles.c.seq).where(_postgresql_matches(terms))
    return sa.select(_fts.c.rowid.label("seq")).where(_sqlite_match(terms))


def condition(dialect: str, seq: sa.ColumnElement, terms: Terms, mode: str) -> sa.ColumnElement:
    """`seq` is an article matching all the terms."""
    if not terms.required:  # exclusions alone: no article that has any of them
        any_excluded = Terms(required=(tuple(name for term in terms.excluded for name in term),))
        return (seq + 0).not_in(matching(dialect, any_excluded))
    if dialect == "sqlite" and mode == CORRELATED:
        return sa.exists().select_from(_fts).where(_sqlite_match(terms), _fts.c.rowid == seq)
    # "+ 0" keeps SQLite from driving the query by this set: it is a filter, the date order leads.
    return (seq + 0).in_(matching(dialect, terms))


def driving(terms: Terms) -> sa.Select:
    """SQLite, few matches: SELECT (published, seq) of the matching articles, to sort by date."""
    return (
        sa.select(articles.c.published, articles.c.seq)
        .select_from(_fts.join(articles, articles.c.seq == _fts.c.rowid))
        .where(_sqlite_match(terms))
    )


def ranked(dialect: str, terms: Terms, windowed: bool, through: sa.ColumnElement[int]) -> sa.Subquery:
    """(seq, score) of matching articles stored up to position `through`; a higher score is more
    relevant. `windowed` (SQLite) ranks only the newest RANK_WINDOW matches, so a word in most
    articles stays fast."""
    if dialect == "postgresql":
        tsquery = _postgresql_query(terms)
        search = sa.literal_column("articles.search")
        statement = sa.select(articles.c.seq, sa.func.ts_rank_cd(search, tsquery).label("score")).where(
            search.op("@@")(tsquery), articles.c.seq <= through
        )
        return statement.subquery("ranked")
    statement = sa.select(_fts.c.rowid.label("seq"), sa.literal_column(_SQLITE_RANK).label("score")).where(
        _sqlite_match(terms), _fts.c.rowid <= through
    )
    if windowed:
        oldest_in_window = (
            sa.select(_fts.c.rowid)
            .where(_sqlite_match(terms), _fts.c.rowid <= through)
            .order_by(_fts.c.rowid.desc())
            .offset(RANK_WINDOW - 1)
            .limit(1)
            .scalar_subquery()
        )
        statement = statement.where(_fts.c.rowid >= sa.func.coalesce(oldest_in_window, 0))
    return statement.subquery("ranked")
