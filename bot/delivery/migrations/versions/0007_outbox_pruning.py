"""Indexes for deleting old outbox rows and the payloads no row names any more.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_bot_outbox_created", "bot_outbox", ["created_at"])
    op.create_index("ix_bot_outbox_payload", "bot_outbox", ["payload_id"])


def downgrade() -> None:
    op.drop_index("ix_bot_outbox_payload", "bot_outbox")
    op.drop_index("ix_bot_outbox_created", "bot_outbox")
