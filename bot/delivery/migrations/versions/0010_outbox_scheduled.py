"""Outbox rows say whether a config schedule posts them, so /unsubscribe all gives up only what the
chat's subscriptions queued. A schedule's digests queued before are marked by their key (see 0009);
an article a schedule queued before cannot be told from a subscription's and stays unmarked.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bot_outbox", sa.Column("scheduled", sa.Boolean, nullable=False, server_default=sa.false()))
    op.execute("UPDATE bot_outbox SET scheduled = TRUE WHERE key LIKE 'digest:schedule:%'")


def downgrade() -> None:
    with op.batch_alter_table("bot_outbox") as batch:  # SQLite rebuilds the table to drop a column
        batch.drop_column("scheduled")
