"""PostgreSQL's `articles.search`, made again by each migration that changes how it reads text."""

from collections.abc import Callable

from alembic import op

COLUMNS = ("title", "summary", "text")


def rebuild(prepared: Callable[[str], str]) -> None:
    """Drop the tsvector column and its index and make them again from each column's text as
    `prepared` writes it (an SQL expression of the text's)."""

    def text(column: str) -> str:
        return prepared(f"coalesce({column}, '')" if column != "text" else "left(coalesce(text, ''), 200000)")

    weighted = " || ".join(
        f"setweight(to_tsvector('english', {text(column)}), '{weight}')" for column, weight in zip(COLUMNS, "ABC")
    )
    op.execute("DROP INDEX ix_articles_search")
    op.execute("ALTER TABLE articles DROP COLUMN search")
    op.execute(f"ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS ({weighted}) STORED")
    op.execute("CREATE INDEX ix_articles_search ON articles USING gin (search)")
