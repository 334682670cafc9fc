"""Outbox rows count the messages of their reply already delivered, so a retry sends only the rest.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bot_outbox", sa.Column("parts_sent", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("bot_outbox") as batch:  # SQLite rebuilds the table to drop a column
        batch.drop_column("parts_sent")
