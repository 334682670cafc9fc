"""Full-text search: FTS5 on SQLite (an external-content table kept in sync by triggers),
a weighted tsvector with a GIN index on PostgreSQL. Existing rows are indexed on upgrade.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SQLITE_UPGRADE = [
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, summary, text, content='articles', content_rowid='seq',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, summary, text) VALUES (new.seq, new.title, new.summary, new.text);
    END""",
    """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, text)
        VALUES ('delete', old.seq, old.title, old.summary, old.text);
    END""",
    """CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, text)
        VALUES ('delete', old.seq, old.title, old.summary, old.text);
        INSERT INTO articles_fts(rowid, title, summary, text) VALUES (new.seq, new.title, new.summary, new.text);
    END""",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
]

_SQLITE_DOWNGRADE = [
    "DROP TRIGGER articles_fts_update",
    "DROP TRIGGER articles_fts_delete",
    "DROP TRIGGER articles_fts_insert",
    "DROP TABLE articles_fts",
]

# to_tsvector has a size limit, so very long texts are indexed by their first 200,000 characters.
_POSTGRESQL_UPGRADE = [
    """ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(summary, '')), 'B') ||
        setweight(to_tsvector('english', left(coalesce(text, ''), 200000)), 'C')) STORED""",
    "CREATE INDEX ix_articles_search ON articles USING gin (search)",
]

_POSTGRESQL_DOWNGRADE = ["DROP INDEX ix_articles_search", "ALTER TABLE articles DROP COLUMN search"]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run(_POSTGRESQL_UPGRADE)
    else:
        _run(_SQLITE_UPGRADE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run(_POSTGRESQL_DOWNGRADE)
    else:
        _run(_SQLITE_DOWNGRADE)
