"""Every article row keeps a hash of its title and text, so a feed's entry seen again is told
unchanged without reading the stored text, and an entry its source corrected (a title, the text)
is told apart and updates the article.

Existing rows start without one: the first time ingest sees such an article again it hashes the
stored title and text (content.store.Store.stored_texts) and keeps that, so an unchanged article
is not taken for an edited one.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("text_hash", sa.String(32)))


def downgrade() -> None:
    op.drop_column("articles", "text_hash")
