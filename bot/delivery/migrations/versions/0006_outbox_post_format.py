"""Outbox rows remember the post format they were claimed in, so a retry after some of their messages
splits the reply as the first attempt did, whatever the chat chose meanwhile.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bot_outbox", sa.Column("post_format", sa.String(10)))


def downgrade() -> None:
    with op.batch_alter_table("bot_outbox") as batch:  # SQLite rebuilds the table to drop a column
        batch.drop_column("post_format")
