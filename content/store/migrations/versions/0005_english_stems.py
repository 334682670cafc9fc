"""SQLite's search index holds Snowball "english" stems, as PostgreSQL's does, instead of FTS5's
Porter stems ("uses" was "us", "Eve" was "ev"). The index becomes contentless: its triggers store
what content.store.words makes of each column, through a function every connection registers
(content.store.engine), so a connection without it cannot write articles. PostgreSQL is unchanged.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

from content.store.words import SQL_FUNCTION

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_COLUMNS = ("title", "summary", "text")


def _stemmed(row: str) -> str:
    return ", ".join(f"{SQL_FUNCTION}({row}.{column})" for column in _COLUMNS)


def _as_written(row: str) -> str:
    return ", ".join(f"{row}.{column}" for column in _COLUMNS)


def _triggers(values) -> list[str]:
    """The triggers that keep the index in step with `articles`, storing `values(row)` of a row."""
    add = f"INSERT INTO articles_fts(rowid, title, summary, text) VALUES (new.seq, {values('new')});"
    remove = (
        "INSERT INTO articles_fts(articles_fts, rowid, title, summary, text) "
        f"VALUES ('delete', old.seq, {values('old')});"
    )
    return [
        f"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN {add} END",
        f"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN {remove} END",
        f"CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, text ON articles BEGIN {remove} {add} END",
    ]


_DROP = [
    "DROP TRIGGER articles_fts_update",
    "DROP TRIGGER articles_fts_delete",
    "DROP TRIGGER articles_fts_insert",
    "DROP TABLE articles_fts",
]

_STEMMED = [
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, summary, text, content='', tokenize='unicode61 remove_diacritics 2')""",
    *_triggers(_stemmed),
    f"INSERT INTO articles_fts(rowid, title, summary, text) SELECT seq, {_stemmed('articles')} FROM articles",
]

_PORTER = [  # as migration 0002 made it
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, summary, text, content='articles', content_rowid='seq',
        tokenize='porter unicode61 remove_diacritics 2')""",
    *_triggers(_as_written),
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
]


def _run(statements: list[str]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _run(_DROP + _STEMMED)


def downgrade() -> None:
    _run(_DROP + _PORTER)
