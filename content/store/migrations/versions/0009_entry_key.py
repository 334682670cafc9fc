"""Every article stored from an entry with a guid keeps the key of that entry (its first source and
guid, content.model.entry_key), indexed, so an entry its feed lists again at another link (a fixed
slug, another section, its own address instead of a tracking link) is found as the article it is.

Existing rows get theirs from their first source and guid.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from content.model import entry_key

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("entry_key", sa.String(24)))
    articles = sa.table(
        "articles",
        sa.column("seq", sa.Integer),
        sa.column("guid", sa.Text),
        sa.column("sources", sa.JSON),
        sa.column("entry_key", sa.String(24)),
    )
    connection = op.get_bind()
    with_guid = sa.select(articles.c.seq, articles.c.guid, articles.c.sources).where(articles.c.guid.is_not(None))
    rows = connection.execute(with_guid)
    keys = [{"target": seq, "key": entry_key(sources[0], guid)} for seq, guid, sources in rows if sources]
    update = articles.update().where(articles.c.seq == sa.bindparam("target")).values(entry_key=sa.bindparam("key"))
    if keys:
        connection.execute(update, keys)
    op.create_index("ix_articles_entry_key", "articles", ["entry_key"])


def downgrade() -> None:
    op.drop_index("ix_articles_entry_key", "articles")
    op.drop_column("articles", "entry_key")
