"""Outbox digests remember the store position their period starts after, for a newer digest of their
schedule or subscription to sum up their period when they could not be sent (see `bot.delivery.outbox.waiting_digests`).

The digests waiting when this runs have none: as the worker did until now, those a newer digest of
theirs was queued after are given up, so the backlog of a platform that was unreachable is not posted.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# a digest key is "digest:<series>:" and 14 characters of its period's due time (bot.delivery.outbox.digest_key)
_SUPERSEDED = """
UPDATE bot_outbox SET status = 'dead', last_error = :reason
WHERE status = 'pending' AND parts_sent = 0 AND lease_owner IS NULL AND key LIKE 'digest:%'
AND EXISTS (
    SELECT 1 FROM bot_outbox newer
    WHERE newer.target_id = bot_outbox.target_id AND newer.status IN ('pending', 'sent')
    AND newer.key LIKE 'digest:%' AND newer.key > bot_outbox.key
    AND substr(newer.key, 1, length(newer.key) - 14) = substr(bot_outbox.key, 1, length(bot_outbox.key) - 14)
)
"""


def upgrade() -> None:
    op.add_column("bot_outbox", sa.Column("covered_after", sa.Integer))
    reason = "superseded by a newer digest of the same schedule or subscription"
    op.execute(sa.text(_SUPERSEDED).bindparams(reason=reason))


def downgrade() -> None:
    with op.batch_alter_table("bot_outbox") as batch:  # SQLite rebuilds the table to drop a column
        batch.drop_column("covered_after")
