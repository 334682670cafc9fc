"""PostgreSQL's index folds case in full, as a search folds people's words (str.casefold()): "Straße"
is found as "strasse" or "straße", a Greek word ending in "ς" as written, "ﬁnance" as "finance";
PostgreSQL only lowered letters, so such words were found on SQLite alone. The tsvector column is
rebuilt; SQLite, whose index Python's folding makes, is unchanged.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

from content.store.migrations.search_column import rebuild, spaced, without_accents
from content.store.words import full_case_folds

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _case_folded(value: str) -> str:
    folds = full_case_folds()
    for letter, folding in folds:
        if len(folding) > 1:
            value = f"replace({value}, '{letter}', '{folding}')"
    letters, foldings = zip(*((letter, folding) for letter, folding in folds if len(folding) == 1))
    return f"translate({value}, '{''.join(letters)}', '{''.join(foldings)}')"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(lambda value: spaced(without_accents(_case_folded(value))))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(lambda value: spaced(without_accents(value)))
