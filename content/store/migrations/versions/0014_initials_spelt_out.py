"""Both indexes read "WHO" in capitals, written as a word of its own and not beside a word in capitals, as
"world health organization", the name "/search WHO" looks for: "who" is a stop word, which neither index
keeps, so an article that wrote only "The WHO said" was found by no search for it ("/search WHO measles"
found nothing). A headline in capitals ("WHO WILL PAY?") keeps its "who". Both indexes are rebuilt; on
SQLite the index is made by the function this code registers, so a downgrade leaves it as it is.

Revision ID: 0014
Revises: 0013
"""

from alembic import op

from content.store.migrations.search_column import (
    COLUMNS_WITH_CODE,
    as_compatibility_forms,
    dots_and_slashes_parted,
    initials_spelt_out,
    rebuild,
    sqlite_rebuild,
)

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _read_as_of_0013(value: str) -> str:
    return dots_and_slashes_parted(as_compatibility_forms(value))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(lambda value: _read_as_of_0013(initials_spelt_out(value)), columns_apart=True, columns=COLUMNS_WITH_CODE)
        return
    for statement in sqlite_rebuild(COLUMNS_WITH_CODE):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rebuild(_read_as_of_0013, columns_apart=True, columns=COLUMNS_WITH_CODE)
