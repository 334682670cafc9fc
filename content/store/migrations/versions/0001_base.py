"""Base tables: articles, their tags, sources and dedupe keys, and the fetchers' source state.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _article_reference() -> sa.Column:
    return sa.Column("article_seq", sa.Integer, sa.ForeignKey("articles.seq", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False, unique=True),
        sa.Column("url", sa.Text),
        sa.Column("guid", sa.Text),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("author", sa.Text),
        sa.Column("language", sa.String(35)),
        sa.Column("published", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fetched", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("sectors", sa.JSON, nullable=False),
        sa.Column("countries", sa.JSON, nullable=False),
        sa.Column("regions", sa.JSON, nullable=False),
    )
    op.create_index("ix_articles_published", "articles", ["published", "seq"])
    op.create_index("ix_articles_fetched", "articles", ["fetched", "seq"])

    op.create_table(
        "article_tags",
        _article_reference(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(100), nullable=False),
        sa.Column("published", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("article_seq", "kind", "value"),
    )
    # Newest-first pages of one tag are a range scan of this index.
    op.create_index("ix_article_tags_lookup", "article_tags", ["kind", "value", "published", "article_seq"])

    op.create_table(
        "article_sources",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _article_reference(),
        sa.Column("copy_id", sa.String(64), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("added", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("copy_id", "source", name="uq_article_sources_copy_source"),
    )
    op.create_index("ix_article_sources_article", "article_sources", ["article_seq"])

    op.create_table(
        "dedupe_keys",
        sa.Column("key", sa.String(24), nullable=False),
        _article_reference(),
        sa.PrimaryKeyConstraint("key", "article_seq"),
    )

    op.create_table(
        "source_states",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
        sa.Column("extra", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for table in ("source_states", "dedupe_keys", "article_sources", "article_tags", "articles"):
        op.drop_table(table)
