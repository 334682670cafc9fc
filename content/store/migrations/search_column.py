"""PostgreSQL's `articles.search`, made again by each migration that changes how it reads text."""

from collections.abc import Callable

from alembic import op

from content.store.words import ACCENTED, SQL_FUNCTION, UNACCENTED, UNSPACED_CHARACTER, full_case_folds

COLUMNS = ("title", "summary", "text")


def case_folded(value: str) -> str:
    """The SQL text `value` folded in full, as str.casefold() folds it (PostgreSQL only lowers words)."""
    folds = full_case_folds()
    for letter, folding in folds:
        if len(folding) > 1:
            value = f"replace({value}, '{letter}', '{folding}')"
    letters, foldings = zip(*((letter, folding) for letter, folding in folds if len(folding) == 1))
    return f"translate({value}, '{''.join(letters)}', '{''.join(foldings)}')"


def without_accents(value: str) -> str:
    """The SQL text `value` with its accents folded, as content.store.words.fold_accents folds them."""
    return f"translate({value}, '{ACCENTED}', '{UNACCENTED}')"


def spaced(value: str) -> str:
    """The SQL text `value` with each character of the scripts written without spaces a word of its
    own, as content.store.words.spaced makes it."""
    return f"regexp_replace({value}, '{UNSPACED_CHARACTER}', ' \\1 ', 'g')"


# A word no query can name, placed between two columns' words, where PostgreSQL puts one column's words right
# after the other's: a phrase does not run from the title into the summary, as SQLite's index keeps columns apart
# ("\:" is a colon to SQLAlchemy, not a bound parameter).
_COLUMN_GAP = r"''' ''\:1'::tsvector"


def rebuild(prepared: Callable[[str], str], columns_apart: bool = False) -> None:
    """Drop the tsvector column and its index and make them again from each column's text as
    `prepared` writes it (an SQL expression of the text's), with a gap between columns if `columns_apart`."""

    def text(column: str) -> str:
        return prepared(f"coalesce({column}, '')" if column != "text" else "left(coalesce(text, ''), 200000)")

    joiner = f" || {_COLUMN_GAP} || " if columns_apart else " || "
    weighted = joiner.join(
        f"setweight(to_tsvector('english', {text(column)}), '{weight}')" for column, weight in zip(COLUMNS, "ABC")
    )
    op.execute("DROP INDEX ix_articles_search")
    op.execute("ALTER TABLE articles DROP COLUMN search")
    op.execute(f"ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS ({weighted}) STORED")
    op.execute("CREATE INDEX ix_articles_search ON articles USING gin (search)")


# SQLite's index, made again from every article by the function that makes it now (content.store.words)
SQLITE_REBUILD = [
    "INSERT INTO articles_fts(articles_fts) VALUES ('delete-all')",
    f"INSERT INTO articles_fts(rowid, {', '.join(COLUMNS)}) "
    f"SELECT seq, {', '.join(f'{SQL_FUNCTION}({column})' for column in COLUMNS)} FROM articles",
]
