"""Subscriptions, schedule runs and the fan-out cursor remember a store position (article seq)
instead of a fetch time: what comes next is exactly the articles stored after it, however late
an ingest commits.

Existing rows get the position their old boundary in time stands for (see `_positions_at`).

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
    subscriptions = sa.table("bot_subscriptions", *map(sa.column, ("id", "cadence", "created_at", "last_digest_at", "covered_seq")))
    runs = sa.table("bot_schedule_runs", sa.column("name"), sa.column("last_fire_at"), sa.column("last_seq"))
    state = sa.table("bot_state", sa.column("name"), sa.column("number"), sa.column("text"))
    started = {
        row.id: row.created_at if row.cadence == "instant" else row.last_digest_at or row.created_at
        for row in bind.execute(sa.select(subscriptions))
    }
    last_runs = dict(bind.execute(sa.select(runs.c.name, runs.c.last_fire_at)).all())
    # The fan-out cursor held the newest fetch time read and the ids read in the 5 minutes before
    # it; it starts again before those minutes (the outbox refuses a message it already holds).
    cursor = bind.scalar(sa.select(state.c.number).where(state.c.name == "fanout_cursor"))
    cursor_from = [] if cursor is None else [cursor - 300]
    positions = _positions_at(bind, {*started.values(), *last_runs.values(), *cursor_from})
    if started:
        covered = subscriptions.update().where(subscriptions.c.id == sa.bindparam("row_id"))
        bind.execute(covered.values(covered_seq=sa.bindparam("position")),
                     [{"row_id": id_, "position": positions[moment]} for id_, moment in started.items()])
    if last_runs:
        ran = runs.update().where(runs.c.name == sa.bindparam("run_name"))
        bind.execute(ran.values(last_seq=sa.bindparam("position")),
                     [{"run_name": name, "position": positions[moment]} for name, moment in last_runs.items()])
    if cursor_from:
        moved = state.update().where(state.c.name == "fanout_cursor").values(number=positions[cursor_from[0]], text="")
        bind.execute(moved)


def _positions_at(bind: sa.Connection, moments: set[float]) -> dict[float, int]:
    """Each boundary in time as a store position: just before the first article stored of those
    fetched after it. An article stored earlier but fetched later then comes again (the outbox
    refuses a second message), rather than never. One walk of the articles, newest fetch first."""
    boundaries = sorted(moments, reverse=True)
    smallest_after = bind.scalar(sa.select(sa.func.coalesce(sa.func.max(articles.c.seq), 0))) + 1
    positions, next_boundary = {}, 0
    for fetched, seq in bind.execute(sa.select(articles.c.fetched, articles.c.seq).order_by(articles.c.fetched.desc())):
        while next_boundary < len(boundaries) and fetched <= _moment(boundaries[next_boundary]):
            positions[boundaries[next_boundary]] = smallest_after - 1
            next_boundary += 1
        smallest_after = min(smallest_after, seq)
    for boundary in boundaries[next_boundary:]:
        positions[boundary] = smallest_after - 1
    return positions


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def downgrade() -> None:
    op.execute("DELETE FROM bot_state WHERE name = 'fanout_cursor'")  # a position the old code would read as a time
    for table, column in (("bot_subscriptions", "covered_seq"), ("bot_schedule_runs", "last_seq")):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
