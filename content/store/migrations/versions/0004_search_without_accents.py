"""PostgreSQL indexes words without their accents, as SQLite's FTS5 does: a search for "Viet Nam"
or "Sao Paulo" finds "Việt Nam" and "São Paulo". The tsvector column is rebuilt; SQLite is unchanged.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from content.store.words import ACCENTED, UNACCENTED

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _search_column(fold: bool) -> str:
    def text(column: str) -> str:
        value = f"coalesce({column}, '')" if column != "text" else "left(coalesce(text, ''), 200000)"
        return f"translate({value}, '{ACCENTED}', '{UNACCENTED}')" if fold else value

    return f"""ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', {text('title')}), 'A') ||
        setweight(to_tsvector('english', {text('summary')}), 'B') ||
        setweight(to_tsvector('english', {text('text')}), 'C')) STORED"""


def _rebuild(fold: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_articles_search")
    op.execute("ALTER TABLE articles DROP COLUMN search")
    op.execute(_search_column(fold))
    op.execute("CREATE INDEX ix_articles_search ON articles USING gin (search)")


def upgrade() -> None:
    _rebuild(fold=True)


def downgrade() -> None:
    _rebuild(fold=False)
