"""Subscriptions, schedule runs and the fan-out cursor remember a store position (article seq)
instead of a fetch time: what comes next is exactly the articles stored after it, however late
an ingest commits.

Existing rows get the position of the newest article fetched by their old boundary in time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from content.store.schema import articles

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bot_subscriptions", sa.Column("covered_seq", sa.Integer, nullable=False, server_default="0"))
    op.add_column("bot_schedule_runs", sa.Column("last_seq", sa.Integer, nullable=False, server_default="0"))
    bind = op.get_bind()
    if not sa.inspect(bind).has_table(articles.name):
        return
    subscriptions = sa.table(
        "bot_subscriptions",
        *(sa.column(name) for name in ("id", "cadence", "created_at", "last_digest_at", "covered_seq")),
    )
    for row in bind.execute(sa.select(subscriptions)).all():
        started = row.created_at if row.cadence == "instant" else row.last_digest_at or row.created_at
        covered = subscriptions.update().where(subscriptions.c.id == row.id).values(covered_seq=_position_at(bind, started))
        bind.execute(covered)
    runs = sa.table("bot_schedule_runs", sa.column("name"), sa.column("last_fire_at"), sa.column("last_seq"))
    for row in bind.execute(sa.select(runs)).all():
        bind.execute(runs.update().where(runs.c.name == row.name).values(last_seq=_position_at(bind, row.last_fire_at)))
    # The fan-out cursor held the newest fetch time read and the ids read in the 5 minutes before
    # it; it starts again before those minutes (the outbox refuses a message it already holds).
    state = sa.table("bot_state", sa.column("name"), sa.column("number"), sa.column("text"))
    cursor = state.c.name == "fanout_cursor"
    newest = bind.scalar(sa.select(state.c.number).where(cursor))
    if newest is not None:
        bind.execute(state.update().where(cursor).values(number=_position_at(bind, newest - 300), text=""))


def _position_at(bind: sa.Connection, seconds: float) -> int:
    """The seq of the newest article fetched by then: where a period that ended then stops."""
    fetched_by = articles.c.fetched <= datetime.fromtimestamp(seconds, timezone.utc)
    return bind.scalar(sa.select(sa.func.coalesce(sa.func.max(articles.c.seq), 0)).where(fetched_by))


def downgrade() -> None:
    for table, column in (("bot_subscriptions", "covered_seq"), ("bot_schedule_runs", "last_seq")):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
