"""PostgreSQL's index reads a dot between two figures, or between a letter and a figure, and a slash, as a
space, as SQLite's does: "2.5", "v2.0" and "fig.9" (read as a number, a file), "ai/ml", "/r/news" and "1/2"
(files), and the "/guide" of "example.com/guide" (a link's path) were found there only whole, so
"/search 2", "/search ml", "/search news" or "/search guide" missed articles that SQLite's index found.
Queries part them in the same way ("/search 2.5" looks for "2" then "5"). Only PostgreSQL's index is rebuilt
(SQLite's tokenizer parted these words already); a downgrade makes it again as migration 0012 did.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

from content.store.migrations.search_column import (
    COLUMNS_WITH_CODE,
    as_compatibility_forms,
    dots_and_slashes_parted,
    dots_parted,
    rebuild,
)

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(lambda value: dots_and_slashes_parted(as_compatibility_forms(value)), columns_apart=True, columns=COLUMNS_WITH_CODE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(lambda value: dots_parted(as_compatibility_forms(value)), columns_apart=True, columns=COLUMNS_WITH_CODE)
