"""Bot-side tables: targets, platform limits, outbox and payloads, chat settings, subscriptions, state, schedule runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "bot_targets",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("chat", sa.String(200), nullable=False),
        sa.Column("thread", sa.String(200), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("inactive_reason", sa.Text),
        sa.Column("next_send_at", sa.Double, nullable=False, server_default="0"),
        sa.UniqueConstraint("platform", "chat", "thread", name="uq_bot_targets_address"),
    )
    op.create_table(
        "bot_platforms",
        sa.Column("platform", sa.String(20), primary_key=True),
        sa.Column("next_send_at", sa.Double, nullable=False, server_default="0"),
    )
    op.create_table(
        "bot_payloads",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "bot_outbox",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("target_id", Id, sa.ForeignKey("bot_targets.id"), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("payload_id", Id, sa.ForeignKey("bot_payloads.id"), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("next_attempt_at", sa.Double, nullable=False),
        sa.Column("send_at", sa.Double),
        sa.Column("lease_owner", sa.String(100)),
        sa.Column("lease_until", sa.Double),
        sa.Column("sent_at", sa.Double),
        sa.UniqueConstraint("target_id", "key", name="uq_bot_outbox_target_key"),
    )
    op.create_index("ix_bot_outbox_due", "bot_outbox", ["status", "platform", "next_attempt_at"])
    op.create_table(
        "bot_chat_settings",
        sa.Column("platform", sa.String(20), primary_key=True),
        sa.Column("chat", sa.String(200), primary_key=True),
        sa.Column("timezone", sa.String(64), nullable=False),
    )
    op.create_table(
        "bot_subscriptions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("target_id", Id, sa.ForeignKey("bot_targets.id"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("cadence", sa.String(20), nullable=False),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("last_digest_at", sa.Double),
        sa.UniqueConstraint("target_id", "kind", "value", name="uq_bot_subscriptions_target_topic"),
    )
    op.create_table(
        "bot_state",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("number", sa.Double, nullable=False, server_default="0"),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "bot_schedule_runs",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("last_fire_at", sa.Double, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "bot_schedule_runs",
        "bot_state",
        "bot_subscriptions",
        "bot_chat_settings",
        "bot_outbox",
        "bot_payloads",
        "bot_platforms",
        "bot_targets",
    ):
        op.drop_table(table)
