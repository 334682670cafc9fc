"""The bot-side tables, shared by the outbox, subscriptions and schedules.

Times are epoch seconds (UTC) in double-precision columns: the same arithmetic and the
same comparisons on SQLite and PostgreSQL. The Alembic scripts in `migrations/` create
exactly these; change both together.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import DEFAULT_POST_FORMAT, Target
from content.store.upsert import insert_or_update

metadata = sa.MetaData()

_Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements only INTEGER keys

targets = sa.Table(
    "bot_targets",
    metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("platform", sa.String(20), nullable=False),
    sa.Column("chat", sa.String(200), nullable=False),
    sa.Column("thread", sa.String(200), nullable=False, server_default=""),  # "" = none; NULLs would defeat UNIQUE
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("inactive_reason", sa.Text),
    sa.Column("next_send_at", sa.Double, nullable=False, server_default="0"),
    sa.UniqueConstraint("platform", "chat", "thread", name="uq_bot_targets_address"),
)


def address_of(target: Target) -> sa.ColumnElement[bool]:
    """The condition that picks this target's row in `targets`."""
    t = targets.c
    return (t.platform == target.platform) & (t.chat == target.chat) & (t.thread == (target.thread or ""))


platforms = sa.Table(
    "bot_platforms",
    metadata,
    sa.Column("platform", sa.String(20), primary_key=True),
    sa.Column("next_send_at", sa.Double, nullable=False, server_default="0"),
)

payloads = sa.Table(
    "bot_payloads",
    metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("body", sa.Text, nullable=False),
)

outbox = sa.Table(
    "bot_outbox",
    metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("target_id", _Id, sa.ForeignKey("bot_targets.id"), nullable=False),
    sa.Column("platform", sa.String(20), nullable=False),  # the target's, copied: claims filter on the outbox alone
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("payload_id", _Id, sa.ForeignKey("bot_payloads.id"), nullable=False),
    sa.Column("status", sa.String(10), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("parts_sent", sa.Integer, nullable=False, server_default="0"),  # messages of the reply delivered so far
    # the chat's post format when last claimed: a retry after parts_sent keeps it
    sa.Column("post_format", sa.String(10)),
    # a digest's: the store position its period starts after, the periods of the digests it sums up included
    sa.Column("covered_after", sa.Integer),
    # a digest's that stands for others (it sums them up, or they were missed): when the earliest was due (epoch seconds)
    sa.Column("since_due", sa.Double),
    sa.Column("last_error", sa.Text),
    # a config schedule posts it (a subscription of its chat may too): /unsubscribe all leaves it queued
    sa.Column("scheduled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("next_attempt_at", sa.Double, nullable=False),
    sa.Column("send_at", sa.Double),
    sa.Column("lease_owner", sa.String(100)),
    sa.Column("lease_until", sa.Double),
    sa.Column("sent_at", sa.Double),
    sa.UniqueConstraint("target_id", "key", name="uq_bot_outbox_target_key"),
    sa.Index("ix_bot_outbox_due", "status", "platform", "next_attempt_at"),
    sa.Index("ix_bot_outbox_created", "created_at"),  # the oldest rows, for pruning
    sa.Index("ix_bot_outbox_payload_status", "payload_id", "status"),  # whether a payload is still named, by a waiting row
)

# A chat that lives on under a new id (a Telegram group upgraded to a supergroup): an address that
# still names the old id, such as a schedule's target in the config, means the new one.
chat_moves = sa.Table(
    "bot_chat_moves",
    metadata,
    sa.Column("platform", sa.String(20), primary_key=True),
    sa.Column("chat", sa.String(200), primary_key=True),
    sa.Column("new_chat", sa.String(200), nullable=False),
)

chat_settings = sa.Table(
    "bot_chat_settings",
    metadata,
    sa.Column("platform", sa.String(20), primary_key=True),
    sa.Column("chat", sa.String(200), primary_key=True),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("post_format", sa.String(10), nullable=False, server_default=DEFAULT_POST_FORMAT),  # see POST_FORMATS
)

subscriptions = sa.Table(
    "bot_subscriptions",
    metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("target_id", _Id, sa.ForeignKey("bot_targets.id"), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("value", sa.String(200), nullable=False),
    sa.Column("cadence", sa.String(20), nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("last_digest_at", sa.Double),
    sa.Column("covered_seq", sa.Integer, nullable=False, server_default="0"),  # articles stored up to it are not for this subscription
    sa.UniqueConstraint("target_id", "kind", "value", name="uq_bot_subscriptions_target_topic"),
)

state = sa.Table(
    "bot_state",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("number", sa.Double, nullable=False, server_default="0"),
    sa.Column("text", sa.Text, nullable=False, server_default=""),
)

schedule_runs = sa.Table(
    "bot_schedule_runs",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("last_fire_at", sa.Double, nullable=False),
    sa.Column("last_seq", sa.Integer, nullable=False, server_default="0"),  # the store position that run covered
)


# The `state` row a change to instant subscriptions bumps, so each process's fan-out rebuilds its index.
SUBSCRIPTIONS_REVISION = "subscriptions_revision"


async def bump_subscriptions_revision(connection: AsyncConnection) -> None:
    """Say that instant subscriptions change in this transaction. Called before the change (or after
    `locked_subscriptions_revision`): the revision row is locked, so a fan-out page and the change
    take turns."""
    await insert_or_update(connection, state, {"name": SUBSCRIPTIONS_REVISION}, {"number": state.c.number + 1})


async def locked_subscriptions_revision(connection: AsyncConnection) -> float:
    """The subscriptions revision, its row locked (the write lock on SQLite) until the transaction ends."""
    # made when missing: a lock on no row would let a first subscription and a page overlap
    await insert_or_update(connection, state, {"name": SUBSCRIPTIONS_REVISION}, {"number": state.c.number})
    return (await connection.execute(sa.select(state.c.number).where(state.c.name == SUBSCRIPTIONS_REVISION))).scalar()

