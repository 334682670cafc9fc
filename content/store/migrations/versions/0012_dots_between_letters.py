"""PostgreSQL's index reads a dot between two letters as a space, as SQLite's does: "giantbomb.com" (read
as one host) and "solar.balance_grid" (one file name) were found there only as written, so "/search giantbomb"
or "/search balance_grid" missed articles that SQLite's index found. Only PostgreSQL's index is rebuilt
(SQLite's tokenizer parted these words already); a downgrade makes it again as migration 0011 did.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

from content.store.migrations.search_column import COLUMNS_WITH_CODE, as_compatibility_forms, dots_parted, rebuild

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(lambda value: dots_parted(as_compatibility_forms(value)), columns_apart=True, columns=COLUMNS_WITH_CODE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(as_compatibility_forms, columns_apart=True, columns=COLUMNS_WITH_CODE)
