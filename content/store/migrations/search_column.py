"""PostgreSQL's `articles.search`, made again by each migration that changes how it reads text."""

from collections.abc import Callable

from alembic import op

from content.store.words import (
    ACCENTED,
    DOT_BETWEEN_LETTERS,
    DOT_OR_SLASH_BETWEEN_WORDS,
    NAMES_OF_INITIALS,
    SQL_FUNCTION,
    UNACCENTED,
    UNSPACED_CHARACTER,
    full_case_folds,
    initials_pattern,
)

COLUMNS_BEFORE_CODE = ("title", "summary", "text")  # as indexed up to migration 0010: the default of older migrations
# From migration 0011, each column weighing less than the one before: what a later rebuild must index
COLUMNS_WITH_CODE = (*COLUMNS_BEFORE_CODE, "code")
_LONG_COLUMNS = ("text", "code")


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


def _replaced(value: str, pattern: str, by: str = " ") -> str:
    return f"regexp_replace({value}, '{pattern}', '{by}', 'g')"


def dots_parted(value: str) -> str:
    """The SQL text `value` with a dot between two letters a space (migration 0012)."""
    return _replaced(value, DOT_BETWEEN_LETTERS)


def dots_and_slashes_parted(value: str) -> str:
    """The SQL text `value` with a dot between two letters or figures, and a slash, a space, as
    content.store.words.dots_and_slashes_parted makes it (migration 0013)."""
    return _replaced(value, DOT_OR_SLASH_BETWEEN_WORDS)


def initials_spelt_out(value: str) -> str:
    """The SQL text `value` with initials written for a name ("WHO") as that name, as
    content.store.words.initials_spelt_out writes them (migration 0014)."""
    for initials, name in NAMES_OF_INITIALS.items():
        value = _replaced(value, initials_pattern(initials), name)
    return value


def as_compatibility_forms(value: str) -> str:
    """How migrations 0010 and 0011 read the SQL text `value`: by its compatibility forms (NFKC), case and
    accents folded, each character of the scripts written without spaces a word."""
    return spaced(without_accents(case_folded(f"normalize({value}, NFKC)")))


# A word no query can name, placed between two columns' words, where PostgreSQL puts one column's words right
# after the other's: a phrase does not run from the title into the summary, as SQLite's index keeps columns apart
# ("\:" is a colon to SQLAlchemy, not a bound parameter).
_COLUMN_GAP = r"''' ''\:1'::tsvector"


def rebuild(prepared: Callable[[str], str], columns_apart: bool = False, columns: tuple[str, ...] = COLUMNS_BEFORE_CODE) -> None:
    """Drop the tsvector column and its index and make them again from the text of each of `columns` as
    `prepared` writes it (an SQL expression of the text's), with a gap between columns if `columns_apart`."""

    def text(column: str) -> str:
        # to_tsvector has a size limit: a long column is indexed by its first 200,000 characters
        return prepared(f"left(coalesce({column}, ''), 200000)" if column in _LONG_COLUMNS else f"coalesce({column}, '')")

    joiner = f" || {_COLUMN_GAP} || " if columns_apart else " || "
    weighted = joiner.join(
        f"setweight(to_tsvector('english', {text(column)}), '{weight}')" for column, weight in zip(columns, "ABCD")
    )
    op.execute("DROP INDEX ix_articles_search")
    op.execute("ALTER TABLE articles DROP COLUMN search")
    op.execute(f"ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS ({weighted}) STORED")
    op.execute("CREATE INDEX ix_articles_search ON articles USING gin (search)")


def _filled(columns: tuple[str, ...]) -> str:
    """SQLite: the statement that indexes every article by the function that makes the index now (content.store.words)."""
    return (
        f"INSERT INTO articles_fts(rowid, {', '.join(columns)}) "
        f"SELECT seq, {', '.join(f'{SQL_FUNCTION}({column})' for column in columns)} FROM articles"
    )


def sqlite_rebuild(columns: tuple[str, ...]) -> list[str]:
    """SQLite: the statements that make the index of `columns` again from every article."""
    return ["INSERT INTO articles_fts(articles_fts) VALUES ('delete-all')", _filled(columns)]


# SQLite's index of COLUMNS_BEFORE_CODE, made again from every article
SQLITE_REBUILD_BEFORE_CODE = sqlite_rebuild(COLUMNS_BEFORE_CODE)

_SQLITE_DROP = [
    "DROP TRIGGER articles_fts_update",
    "DROP TRIGGER articles_fts_delete",
    "DROP TRIGGER articles_fts_insert",
    "DROP TABLE articles_fts",
]


def sqlite_index(columns: tuple[str, ...]) -> list[str]:
    """SQLite: drop the index and its triggers, and make them again for `columns`, filled from every article.
    The index is contentless (migration 0005): the triggers store the words of each column as the function
    registered on every connection makes them."""
    names = ", ".join(columns)

    def stemmed(row: str) -> str:
        return ", ".join(f"{SQL_FUNCTION}({row}.{column})" for column in columns)

    add = f"INSERT INTO articles_fts(rowid, {names}) VALUES (new.seq, {stemmed('new')});"
    remove = f"INSERT INTO articles_fts(articles_fts, rowid, {names}) VALUES ('delete', old.seq, {stemmed('old')});"
    return [
        *_SQLITE_DROP,
        f"CREATE VIRTUAL TABLE articles_fts USING fts5({names}, content='', tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN {add} END",
        f"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN {remove} END",
        f"CREATE TRIGGER articles_fts_update AFTER UPDATE OF {names} ON articles BEGIN {remove} {add} END",
        _filled(columns),
    ]
