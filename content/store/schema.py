"""The tables the queries use, as SQLAlchemy Core objects (the migrations create them)."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa


class UtcDateTime(sa.TypeDecorator):
    """Timezone-aware UTC in Python; on SQLite a naive UTC value, so text order is time order."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()}: times must be timezone-aware")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


MAX_LANGUAGE_CHARS = 35
MAX_TAG_CHARS = 100

metadata = sa.MetaData()

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("url", sa.Text),
    sa.Column("guid", sa.Text),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("author", sa.Text),
    sa.Column("language", sa.String(MAX_LANGUAGE_CHARS)),
    sa.Column("published", UtcDateTime, nullable=False),
    sa.Column("fetched", UtcDateTime, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("code", sa.Text, nullable=False, server_default=""),  # Article.code; "": none, or stored before 0011
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("sectors", sa.JSON, nullable=False),
    sa.Column("countries", sa.JSON, nullable=False),
    sa.Column("regions", sa.JSON, nullable=False),
    sa.Column("sources", sa.JSON, nullable=False),
    sa.Column("text_hash", sa.String(32)),  # content.model.text_hash; None: stored before migration 0008
    sa.Column("entry_key", sa.String(24)),  # content.model.entry_key of its first source and guid; None without guid
)

article_tags = sa.Table(
    "article_tags",
    metadata,
    sa.Column("article_seq", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value", sa.String(MAX_TAG_CHARS), nullable=False),
    sa.Column("published", UtcDateTime, nullable=False),
)

article_sources = sa.Table(
    "article_sources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("article_seq", sa.Integer, nullable=False),
    sa.Column("copy_id", sa.String(64), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("added", UtcDateTime, nullable=False),
)

dedupe_keys = sa.Table(
    "dedupe_keys",
    metadata,
    sa.Column("key", sa.String(24), nullable=False),
    sa.Column("article_seq", sa.Integer, nullable=False),
)

source_states = sa.Table(
    "source_states",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("extra", sa.JSON, nullable=False),
)
