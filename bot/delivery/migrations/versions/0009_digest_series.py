"""Schedules' digests get a series of their own, "schedule:<name>", beside subscriptions' "sub<id>":
a schedule named "sub7" no longer shares subscription 7's digests (see `bot.delivery.outbox.schedule_series`).
Digests remember, when they sum up others, when the earliest of those was due, for their heading.

The keys of the digests stored before are rewritten, whatever their status, so a period sent already
is not sent again and the next digest of a series finds the ones it sums up: a key is a subscription's
when it is "digest:sub<id>:" and a due time, of a subscription of the same target; any other digest
key is a schedule's.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_OLD_PREFIX, _SCHEDULE_PREFIX = "digest:", "digest:schedule:"
_DUE_CHARS = 14  # a key ends with its period's due time, "20260301T1200Z"

_SCHEDULE_DIGESTS = f"""
SELECT id, key FROM bot_outbox
WHERE key LIKE 'digest:%' AND NOT EXISTS (
    SELECT 1 FROM bot_subscriptions s
    WHERE s.target_id = bot_outbox.target_id
    AND bot_outbox.key = 'digest:sub' || CAST(s.id AS VARCHAR(20)) || ':' || substr(bot_outbox.key, length(bot_outbox.key) - {_DUE_CHARS - 1})
)
"""


def upgrade() -> None:
    op.add_column("bot_outbox", sa.Column("since_due", sa.Double))
    connection = op.get_bind()
    rows = connection.execute(sa.text(_SCHEDULE_DIGESTS)).all()
    # one row at a time, the longest keys first: a key rewritten never takes one another row still has
    # (a schedule named "schedule:x" had the key a schedule named "x" gets now), as unique keys are checked row by row
    for row_id, key in sorted(rows, key=lambda row: len(row.key), reverse=True):
        new_key = _SCHEDULE_PREFIX + key[len(_OLD_PREFIX):]
        connection.execute(sa.text("UPDATE bot_outbox SET key = :key WHERE id = :id"), {"key": new_key, "id": row_id})


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, key FROM bot_outbox WHERE key LIKE 'digest:schedule:%'")).all()
    for row_id, key in sorted(rows, key=lambda row: len(row.key)):
        old_key = _OLD_PREFIX + key[len(_SCHEDULE_PREFIX):]
        connection.execute(sa.text("UPDATE bot_outbox SET key = :key WHERE id = :id"), {"key": old_key, "id": row_id})
    op.execute("UPDATE bot_outbox SET status = 'dead' WHERE status = 'exhausted'")
    with op.batch_alter_table("bot_outbox") as batch:  # SQLite rebuilds the table to drop a column
        batch.drop_column("since_due")
