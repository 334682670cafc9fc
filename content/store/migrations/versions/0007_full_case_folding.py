"""PostgreSQL's index folds case in full, as a search folds people's words (str.casefold()): "Straße"
is found as "strasse" or "straße", a Greek word ending in "ς" as written, "ﬁnance" as "finance";
PostgreSQL only lowered letters, so such words were found on SQLite alone. The tsvector column is
rebuilt; SQLite, whose index Python's folding makes, is unchanged.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

from content.store.migrations.search_column import rebuild
from content.store.words import ACCENTED, UNACCENTED, UNSPACED_CHARACTER, full_case_folds

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


def _search_text(case_folded: bool):
    def prepared(value: str) -> str:
        value = f"translate({_case_folded(value) if case_folded else value}, '{ACCENTED}', '{UNACCENTED}')"
        return f"regexp_replace({value}, '{UNSPACED_CHARACTER}', ' \\1 ', 'g')"

    return prepared


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(_search_text(case_folded=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(_search_text(case_folded=False))
