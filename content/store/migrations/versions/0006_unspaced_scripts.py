"""Both indexes read each character of Chinese, Japanese kana, Thai, Lao, Khmer and Myanmar as a
word of its own (content.store.words.spaced), so a word of these scripts is found inside a sentence,
where it has no spaces around it. Both indexes are rebuilt. On SQLite the index is made by the
function this code registers, so a downgrade leaves it as it is.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from content.store.migrations.search_column import SQLITE_REBUILD_BEFORE_CODE, rebuild, spaced, without_accents

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(lambda value: spaced(without_accents(value)))
        return
    for statement in SQLITE_REBUILD_BEFORE_CODE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(without_accents)
