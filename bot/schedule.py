"""Scheduled channel posts from the config's `schedules`.

Each schedule's cron expression (read as crontab reads it, see `bot.cron`) fires in its own
timezone through APScheduler's triggers, so daylight-saving changes land on the right local time. A run claims its fire time in the
database and queues its posts in the same transaction, so a run happens once even with
several processes or a crash between the two; a run missed while newsbot was down is posted
once when it is back, if within the grace period. On PostgreSQL one process at a time runs
the schedules (an advisory lock held by its session), the others taking over within a minute when
it stops; the claim keeps it correct regardless.

Modes: `new` posts each article stored since the previous run (up to `max_articles`), one
message per article, so the outbox's uniqueness keeps any article from reaching the same
target twice; `digest` posts the newest `max_articles` of the period in one message. A run
remembers the store position it covered, so the next takes exactly the articles stored after it.
"""

from __future__ import annotations

import asyncio
import logging
import math
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.clock import Clock
from bot.commands.results import article_card
from bot.config import ScheduleSettings
from bot.cron import cron_trigger
from bot.delivery import tables
from bot.delivery.outbox import Outbox, digest_key, schedule_series, target_ids, waiting_digests
from bot.failures import RetriedFailures
from bot.filters import filter_queries
from bot.model import Reply, Target, new_articles
from bot.subscriptions.fanout import DigestArticles
from content.store import Store
from content.store.queries import position
from content.store.upsert import insert_ignoring_duplicates
from content.tagging import Tagger

log = logging.getLogger(__name__)

_LEADER_LOCK = 0x6E627363  # PostgreSQL advisory lock key of the process that runs schedules
_FOLLOW_SECONDS = 60.0  # how often a process that does not run the schedules sees whether it should
_TICK = timedelta(microseconds=1)


def trigger_for(schedule: ScheduleSettings) -> BaseTrigger:
    return cron_trigger(schedule.cron, timezone=ZoneInfo(schedule.timezone))


def fire_times(trigger: BaseTrigger, after: datetime, until: datetime) -> list[datetime]:
    """Every fire time in (after, until], in UTC."""
    times = []
    moment = trigger.get_next_fire_time(None, after + _TICK)
    while moment is not None and moment <= until:
        times.append(moment.astimezone(timezone.utc))
        # "now" in UTC: in local time, the hour a DST change repeats reads as the same moment, again and again
        moment = trigger.get_next_fire_time(moment, times[-1] + _TICK)
    return times


class ScheduleRunner:
    def __init__(
        self,
        schedules: list[ScheduleSettings],
        store: Store,
        outbox: Outbox,
        tagger: Tagger,
        clock: Clock,
        grace_seconds: float,
    ):
        self._schedules = {schedule.name: schedule for schedule in schedules}
        self._queries = filter_queries(schedules, tagger)
        self._triggers = {schedule.name: trigger_for(schedule) for schedule in schedules}
        self._store = store
        self._outbox = outbox
        self._tagger = tagger
        self._clock = clock
        self._grace = timedelta(seconds=grace_seconds)
        self._leader_connection: AsyncConnection | None = None
        self._failed = False  # the last run_due failed (the database went away): `follow` tries again
        self._failures = RetriedFailures(log, "running the schedules")
        self._gone: set[tuple[str, Target]] = set()  # (schedule, target) warned about as gone, until it is back
        # schedules firing together run `run_due` at once: one at a time uses the lock's session
        self._leader_turn = asyncio.Lock()

    def start(self, scheduler: AsyncIOScheduler) -> None:
        """Add one job per schedule; each fire runs whatever is due (the claim makes extra calls harmless)."""
        for name, trigger in self._triggers.items():
            scheduler.add_job(
                self.run_due, trigger, id=f"schedule:{name}", coalesce=True, max_instances=1,
                misfire_grace_time=math.ceil(self._grace.total_seconds()),
            )

    async def revive_targets(self) -> None:
        """A restart gives the schedules' channels another try: what made one unreachable (the bot
        removed from it, a missing permission) may have been fixed meanwhile."""
        targets = [Target(schedule.target.platform, schedule.target.chat) for schedule in self._schedules.values()]
        async with self._store.engine.begin() as connection:
            await target_ids(connection, targets, revive_at=self._clock.now())

    async def close(self) -> None:
        """Give up the schedule lock (the pool keeps the session open, so unlock explicitly)."""
        async with self._leader_turn:
            await self._unlock()

    async def _unlock(self) -> None:
        if self._leader_connection is not None and await self._still_connected(self._leader_connection):
            await self._leader_connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": _LEADER_LOCK})
            await self._leader_connection.commit()
            await self._leader_connection.close()
        self._leader_connection = None

    async def follow(self) -> None:
        """Every minute (every half grace period, if shorter), run the schedules again if their last run
        failed (the database went away), and on PostgreSQL, while another process runs them, see whether
        it still does, taking over if not: a run the database failed, or its leader stopped just after,
        is posted then, not at the schedule's next fire time."""
        if not self._schedules:
            return
        on_postgresql = self._store.engine.dialect.name == "postgresql"
        interval = min(_FOLLOW_SECONDS, self._grace.total_seconds() / 2)
        while True:
            await self._clock.sleep(interval)
            if self._failed or (on_postgresql and self._leader_connection is None):
                await self.run_due()

    async def run_due(self) -> int:
        """Post every schedule whose fire time has come (and runs missed within the grace period); returns rows queued."""
        try:
            if not await self._lead():
                return 0
        except Exception as error:  # the database went away: `follow` tries again
            self._failed = True
            self._failures.failed(error, "trying again within a minute")
            return 0
        queued, failed = 0, False
        for name in self._schedules:
            try:
                queued += await self._run_one(name, self._clock.now())
            except Exception as error:
                failed = True
                self._failures.failed(error, f"{name!r} runs again within a minute")
        self._failed = failed
        if not failed:
            self._failures.succeeded()
        return queued

    async def _lead(self) -> bool:
        """On PostgreSQL, whether this process holds the schedule lock (taking it when free)."""
        if self._store.engine.dialect.name != "postgresql":
            return True
        async with self._leader_turn:
            return await self._take_the_lead()

    async def _take_the_lead(self) -> bool:
        if self._leader_connection is not None and not await self._still_connected(self._leader_connection):
            # the session ended (a database restart, an idle connection dropped) and the lock with it
            log.warning(
                "schedules: the database session holding the schedule lock ended; taking the lock again if free"
            )
            self._leader_connection = None
        if self._leader_connection is None:
            connection = await self._store.engine.connect()
            held = await connection.scalar(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": _LEADER_LOCK})
            await connection.commit()
            if not held:
                await connection.close()
                return False
            self._leader_connection = connection
        return True

    @staticmethod
    async def _still_connected(connection: AsyncConnection) -> bool:
        """Whether the connection's session lives on (else it is thrown away)."""
        try:
            await connection.execute(sa.text("SELECT 1"))
            await connection.commit()
            return True
        except sa.exc.DBAPIError:
            await connection.invalidate()
            await connection.close()
            return False

    async def _run_one(self, name: str, now: datetime) -> int:
        schedule, runs = self._schedules[name], tables.schedule_runs
        async with self._store.engine.begin() as connection:
            last, after = await self._last_run(connection, name, now)
            due = fire_times(self._triggers[name], last, now)
            if not due:
                return 0
            # a fan-out page may queue the same articles for this channel in another order: take turns
            await tables.locked_subscriptions_revision(connection)
            fire = due[-1]  # runs missed while down collapse into the latest one
            through = await connection.scalar(sa.select(position()))
            claimed = await connection.execute(
                runs.update()
                .where(runs.c.name == name, runs.c.last_fire_at == last.timestamp())
                .values(last_fire_at=fire.timestamp(), last_seq=through)
            )
            if claimed.rowcount != 1:
                return 0  # another process ran it
            if now - fire > self._grace:
                log.warning("schedule %r: the run due at %s was missed by more than the grace period; skipped", name, fire)
                return 0
            queued = await self._post(connection, schedule, after, through, (due[0], fire))
        if queued:
            target = Target(schedule.target.platform, schedule.target.chat)
            log.info("schedule %r queued %d message%s for %s", name, queued, "" if queued == 1 else "s", target.named())
        return queued

    async def _last_run(self, connection: AsyncConnection, name: str, now: datetime) -> tuple[datetime, int]:
        """The last fire time run and the store position it covered; a schedule seen for the first
        time starts from now (no backlog)."""
        runs = tables.schedule_runs
        first = {"name": name, "last_fire_at": now.timestamp(), "last_seq": position()}
        await connection.execute(insert_ignoring_duplicates(connection, runs, ["name"]).values(first))
        row = (await connection.execute(sa.select(runs.c.last_fire_at, runs.c.last_seq).where(runs.c.name == name))).one()
        return datetime.fromtimestamp(row.last_fire_at, timezone.utc), row.last_seq

    def _may_post(self, name: str, target: Target, gone: str | None) -> bool:
        """Whether the schedule may post to its target; `gone` is why not (None: it may). A target gone
        is warned about at the first fire it misses and told back at the first after, not at every fire."""
        key = (name, target)
        if gone is None:
            if key in self._gone:
                self._gone.discard(key)
                log.info("schedule %r posts again: %s is back", name, target.named())
            return True
        if key in self._gone:
            log.debug("schedule %r posted nothing: %s is still gone (%s)", name, target.named(), gone)
        else:
            self._gone.add(key)
            log.warning("schedule %r posted nothing: %s is gone (%s) until it comes back", name, target.named(), gone)
        return False

    async def _post(
        self, connection: AsyncConnection, schedule: ScheduleSettings, after: int, through: int, fires: tuple[datetime, datetime]
    ) -> int:
        """Post the run of the fire times from the first of `fires` to the last (one, unless runs were missed)."""
        target = Target(schedule.target.platform, schedule.target.chat)
        target_id = (await target_ids(connection, [target]))[target]
        if not self._may_post(schedule.name, target, await _why_gone(connection, target_id)):
            return 0  # its posts would wait only to be given up when it comes back, getting what is new
        if schedule.mode == "digest":
            return await self._post_digest(connection, schedule, target_id, (after, through), fires)
        # positions, not fetch times, bound a period: an ingest that fetched before the run and
        # committed after it still has its articles in the next one
        top, _ = await self._store.stored_between(after, through, self._queries[schedule.name], schedule.max_articles)
        queued = 0
        for article in reversed(top):  # oldest first, so the channel reads in order
            reply = Reply(cards=[article_card(article, self._tagger)])
            queued += await self._outbox.enqueue_for(connection, [target_id], article.id, reply, scheduled=True)
        return queued

    async def _post_digest(
        self, connection: AsyncConnection, schedule: ScheduleSettings, target_id: int, period: tuple[int, int],
        fires: tuple[datetime, datetime],
    ) -> int:
        (first_fire, fire), query, size = fires, self._queries[schedule.name], schedule.max_articles
        series = schedule_series(schedule.name)
        waiting = await waiting_digests(connection, target_id, series)
        digest = await DigestArticles.read(self._store, waiting, query, period, size, first_fire, self._clock.now())
        reply = None
        if digest.count:
            more = f", the newest {len(digest.newest)}" if digest.count > len(digest.newest) else ""
            span = digest.span(fire, ZoneInfo(schedule.timezone))
            reply = Reply(
                text=f"{schedule.name}{span}: {new_articles(digest.count)}{more}",
                cards=[article_card(article, self._tagger) for article in digest.newest],
            )
        key = digest_key(series, fire)
        return await self._outbox.enqueue_digest(
            connection, target_id, key, reply, digest.covered_after, digest.waiting, digest.since, scheduled=True
        )


async def _why_gone(connection: AsyncConnection, target_id: int) -> str | None:
    """Why the bot may not post to the target, as far as newsbot knows; None when it may."""
    targets = tables.targets
    row = (await connection.execute(sa.select(targets.c.active, targets.c.inactive_reason).where(targets.c.id == target_id))).one()
    return None if row.active else row.inactive_reason or "no reason recorded"
