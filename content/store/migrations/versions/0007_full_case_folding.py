"""PostgreSQL's index folds case in full, as a search folds people's words (str.casefold()): "Straße"
is found as "strasse" or "straße", a Greek word ending in "ς" as written, "ﬁnance" as "finance";
PostgreSQL only lowered letters, so such words were found on SQLite alone. The tsvector column is
rebuilt; SQLite, whose index Python's folding makes, is unchanged.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

from content.store.migrations.search_column import case_folded, rebuild, spaced, without_accents

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(lambda value: spaced(without_accents(case_folded(value))))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(lambda value: spaced(without_accents(value)))
