"""Every article row carries its list of sources, so a page of articles is one query.

`article_sources` stays the record of each copy; existing rows are backfilled from it.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("sources", sa.JSON, nullable=False, server_default="[]"))
    connection = op.get_bind()
    sources_by_article: dict[int, list[str]] = {}
    rows = connection.execute(sa.text("SELECT article_seq, source FROM article_sources ORDER BY id"))
    for article_seq, source in rows:
        names = sources_by_article.setdefault(article_seq, [])
        if source not in names:
            names.append(source)
    articles = sa.table("articles", sa.column("seq", sa.Integer), sa.column("sources", sa.JSON))
    if sources_by_article:
        connection.execute(
            articles.update().where(articles.c.seq == sa.bindparam("target")).values(sources=sa.bindparam("names")),
            [{"target": seq, "names": names} for seq, names in sources_by_article.items()],
        )


def downgrade() -> None:
    op.drop_column("articles", "sources")
