"""Articles keep the text of their blocks of code (<pre>, a fenced or indented block in Markdown) in a
column of its own, `code`, apart from their text, which summaries and tags are made of; both indexes read
it, weighing it least, so a function named only in a code block is found. Articles stored before have no
code ("": it was not kept) and stay found by their other words. Both indexes are rebuilt: SQLite's with a
fourth column, PostgreSQL's with the code's words at weight D, a gap before them as between the others.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from content.store.migrations.search_column import (
    COLUMNS_BEFORE_CODE,
    COLUMNS_WITH_CODE,
    as_compatibility_forms,
    rebuild,
    sqlite_index,
)

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _index(columns: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(as_compatibility_forms, columns_apart=True, columns=columns)
        return
    for statement in sqlite_index(columns):
        op.execute(statement)


def upgrade() -> None:
    op.add_column("articles", sa.Column("code", sa.Text, nullable=False, server_default=""))
    _index(COLUMNS_WITH_CODE)


def downgrade() -> None:
    _index(COLUMNS_BEFORE_CODE)
    op.drop_column("articles", "code")
