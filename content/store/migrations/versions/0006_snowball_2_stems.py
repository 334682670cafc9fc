"""SQLite's search index is stemmed again, by Snowball 2 as PostgreSQL 13-18 stem English: an index
written by Snowball 3 held "internat" for "international" where PostgreSQL holds "intern". The
triggers are unchanged; PostgreSQL is unchanged.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from content.store.words import SQL_FUNCTION

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_STEMMED = ", ".join(f"{SQL_FUNCTION}({column})" for column in ("title", "summary", "text"))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    op.execute("INSERT INTO articles_fts(articles_fts) VALUES ('delete-all')")
    op.execute(f"INSERT INTO articles_fts(rowid, title, summary, text) SELECT seq, {_STEMMED} FROM articles")


def downgrade() -> None:
    pass  # the stems of either version are read by the same triggers
