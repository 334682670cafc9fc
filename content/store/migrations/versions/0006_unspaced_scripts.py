"""Both indexes read each character of Chinese, Japanese kana, Thai, Lao, Khmer and Myanmar as a
word of its own (content.store.words.spaced), so a word of these scripts is found inside a sentence,
where it has no spaces around it. Both indexes are rebuilt. On SQLite the index is made by the
function this code registers, so a downgrade leaves it as it is.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from content.store.words import ACCENTED, SQL_FUNCTION, UNACCENTED, UNSPACED_CHARACTER

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = ("title", "summary", "text")

_SQLITE_REBUILD = [
    "INSERT INTO articles_fts(articles_fts) VALUES ('delete-all')",
    f"INSERT INTO articles_fts(rowid, {', '.join(_COLUMNS)}) "
    f"SELECT seq, {', '.join(f'{SQL_FUNCTION}({column})' for column in _COLUMNS)} FROM articles",
]


def _search_column(spaced: bool) -> str:
    def text(column: str) -> str:
        value = f"coalesce({column}, '')" if column != "text" else "left(coalesce(text, ''), 200000)"
        value = f"translate({value}, '{ACCENTED}', '{UNACCENTED}')"
        return f"regexp_replace({value}, '{UNSPACED_CHARACTER}', ' \\1 ', 'g')" if spaced else value

    weighted = " || ".join(
        f"setweight(to_tsvector('english', {text(column)}), '{weight}')" for column, weight in zip(_COLUMNS, "ABC")
    )
    return f"ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS ({weighted}) STORED"


def _rebuild_postgresql(spaced: bool) -> None:
    op.execute("DROP INDEX ix_articles_search")
    op.execute("ALTER TABLE articles DROP COLUMN search")
    op.execute(_search_column(spaced))
    op.execute("CREATE INDEX ix_articles_search ON articles USING gin (search)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rebuild_postgresql(spaced=True)
        return
    for statement in _SQLITE_REBUILD:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rebuild_postgresql(spaced=False)
