"""A chat chooses how its posts look: "full" (headline, summary and link) or "compact" (no summary).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bot_chat_settings", sa.Column("post_format", sa.String(10), nullable=False, server_default="full"))


def downgrade() -> None:
    with op.batch_alter_table("bot_chat_settings") as batch:  # SQLite rebuilds the table to drop a column
        batch.drop_column("post_format")
