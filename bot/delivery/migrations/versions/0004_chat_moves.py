"""Chats remember where they moved (a Telegram group upgraded to a supergroup), so a schedule that
still names the old id posts to the new one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bot_chat_moves",
        sa.Column("platform", sa.String(20), primary_key=True),
        sa.Column("chat", sa.String(200), primary_key=True),
        sa.Column("new_chat", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("bot_chat_moves")
