"""The index of outbox rows by payload holds their status too: pruning asks of each old row whether a
message still waiting names its payload, one look in this index, however many rows name it (an
article sent to 100,000 chats a month ago).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_bot_outbox_payload_status", "bot_outbox", ["payload_id", "status"])
    op.drop_index("ix_bot_outbox_payload", "bot_outbox")


def downgrade() -> None:
    op.create_index("ix_bot_outbox_payload", "bot_outbox", ["payload_id"])
    op.drop_index("ix_bot_outbox_payload_status", "bot_outbox")
