"""Both indexes read a character by its compatibility form (Unicode's NFKC), as people's words are read:
"CO₂" is "CO2", "½" is "1⁄2", "m²" is "m2", "ＡＩ" is "AI". The router reads what people type so
(bot.router.as_typed), and the indexes did not: "/search CO₂" found no article that wrote it, and
PostgreSQL read "CO₂" as "co" where SQLite read one word. PostgreSQL's also keeps a gap between the title's,
the summary's and the text's words, as SQLite's keeps its columns apart: "solar grid" in quotes found
"… buy solar" titling "Grid boost …" there alone. Both indexes are rebuilt. On SQLite the index
is made by the function this code registers, so a downgrade leaves it as it is.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

from content.store.migrations.search_column import (
    SQLITE_REBUILD_BEFORE_CODE,
    as_compatibility_forms,
    case_folded,
    rebuild,
    spaced,
    without_accents,
)

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(as_compatibility_forms, columns_apart=True)
        return
    for statement in SQLITE_REBUILD_BEFORE_CODE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(lambda value: spaced(without_accents(case_folded(value))))
