"""Subscriptions and per-chat settings in the bot-side tables.

Every change bumps a revision number in the same transaction, so a fan-out loop in any
process knows when to rebuild its in-memory index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.delivery import tables
from bot.delivery.outbox import (
    UNSUBSCRIBED, WaitingDigests, forget_deleted_chat, give_up_digests, give_up_unsubscribed, got_a_digest, hand_over_digests,
    revive_targets, subscription_series, target_ids,
)
from bot.model import DEFAULT_POST_FORMAT, Target
from bot.subscriptions.cadence import Cadence
from bot.topics import describe
from content.store.bulk import among, lists
from content.model import Query
from content.store.queries import position
from content.store.upsert import insert_or_update
from content.tagging import Tagger, place_name

# "news": several sectors and places, maybe with words, as /news reads them (see `combined`)
Kind = Literal["sector", "country", "region", "query", "news"]
DEFAULT_TIMEZONE = "UTC"
FANOUT_CURSOR = "fanout_cursor"  # the bot_state row of the store position the instant fan-out has read up to
_NOW_INSTANT = "the subscription became instant: the reply handed its articles over"
_DELETED = "the chat was deleted"
VALUE_CHARS = tables.subscriptions.c.value.type.length  # the longest topic value a subscription holds
_TOPIC_ORDER = {"sector": 0, "country": 1, "region": 2}  # of the topics in a "news" subscription's value


@dataclass(frozen=True)
class Added:
    created: bool  # a new subscription, not a new cadence for one
    handed_over: WaitingDigests  # a digest turned instant: those of its digests the chat did not get, given up
    got_a_digest: bool = False  # a digest turned instant: the chat got a digest of it, or one is on its way


@dataclass(frozen=True)
class Subscription:
    id: int
    target_id: int
    target: Target
    kind: Kind
    value: str
    cadence: Cadence
    created_at: datetime
    last_digest_at: datetime | None = None
    covered_seq: int = 0  # the store position up to which it has had the articles: where it started, or its last digest

    @property
    def query(self) -> Query:
        if self.kind == "news":
            return Query.on_all(*combined_parts(self.value))
        return Query.on(self.kind, self.value)


def combined(topics: Iterable[tuple[str, str]], words: str) -> str:
    """A "news" subscription's value: the (kind, id) of every sector and place it names, then its
    words, "sector:education+country:TH ai". An article must be on all of them and have the words.
    The topics go in one order, sectors first, so the same ones named in another order are the same value."""
    ordered = sorted(set(topics), key=lambda topic: (_TOPIC_ORDER.get(topic[0], len(_TOPIC_ORDER)), *topic))
    return f"{'+'.join(f'{kind}:{value}' for kind, value in ordered)} {words}".strip()


def combined_parts(value: str) -> tuple[list[tuple[str, str]], str]:
    """The topics and words of a "news" subscription's value."""
    tags, _, words = value.partition(" ")
    return [(kind, topic) for kind, _, topic in (tag.partition(":") for tag in tags.split("+"))], words


def topic_label(kind: str, value: str, tagger: Tagger) -> str:
    """How a subscription's topic reads in replies: "Energy", "Kenya", "“smart grid”", "Energy + Kenya"."""
    if kind == "sector":
        return tagger.sector_names().get(value, value)
    if kind in ("country", "region"):
        return place_name(value)
    if kind == "news":
        topics, words = combined_parts(value)
        return describe((topic_label(*topic, tagger) for topic in topics), words)
    return describe((), value)


def instant_progress() -> sa.ColumnElement[int]:
    """The store position instant deliveries have reached: the fan-out's cursor, or the store's
    own position before the first pass."""
    st = tables.state
    cursor = sa.select(sa.cast(st.c.number, sa.Integer)).where(st.c.name == FANOUT_CURSOR).scalar_subquery()
    return sa.func.coalesce(cursor, position())


def _moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, timezone.utc)


class SubscriptionStore:
    def __init__(self, engine: AsyncEngine):
        self.engine = engine

    async def revive(self, target: Target, now: datetime) -> None:
        """Deliver to the chat again if it was marked gone: it has just written to the bot. Each of its
        threads (Telegram forum topics) was found gone on its own; a command in any one brings back all."""
        await self.revive_chats([target], now)

    async def revive_chats(self, chats: list[Target], now: datetime) -> None:
        """`revive` for several chats of one platform at once (the channels of Discord guilds)."""
        if not chats:
            return
        t = tables.targets
        platform, dialect = chats[0].platform, self.engine.dialect.name
        gone_ids = []
        async with self.engine.connect() as connection:  # a read first: nearly every chat is active
            for listed in lists(dialect, [chat.chat for chat in chats]):  # a connect's guilds may list thousands
                gone = (t.c.platform == platform) & among(dialect, t.c.chat, listed) & t.c.active.is_(False)
                gone_ids += (await connection.execute(sa.select(t.c.id).where(gone))).scalars()
        if not gone_ids:
            return
        async with self.engine.begin() as connection:
            await revive_targets(connection, gone_ids, now)

    async def forget_deleted(self, target: Target) -> None:
        """The platform says the chat was deleted (a Discord channel): its subscriptions go, and what waits for it."""
        async with self.engine.connect() as connection:  # a read first: most deleted channels had none
            if await self._target_id(connection, target) is None:
                return
        async with self.engine.begin() as connection:
            await tables.bump_subscriptions_revision(connection)  # first, as every change to subscriptions
            target_id = await self._target_id(connection, target)
            await forget_deleted_chat(connection, target_id, _DELETED)

    async def add(self, target: Target, kind: Kind, value: str, cadence: Cadence, now: datetime) -> Added:
        """Subscribe (or change the cadence of an existing subscription). A digest turned instant hands
        over the digests of it the target did not get, for the reply to bring their articles."""
        s = tables.subscriptions
        async with self.engine.begin() as connection:
            await tables.locked_subscriptions_revision(connection)  # changes to subscriptions take turns
            target_id = (await target_ids(connection, [target], revive_at=now))[target]
            topic = (s.c.target_id == target_id) & (s.c.kind == kind) & (s.c.value == value)
            existing, was = (await connection.execute(sa.select(s.c.id, s.c.cadence).where(topic))).first() or (None, None)
            handed_over, got = WaitingDigests([], None), False
            if cadence.is_instant or was == "instant":  # before the row and its position change
                await tables.bump_subscriptions_revision(connection)
            if existing is None:
                row = dict(
                    target_id=target_id, kind=kind, value=value, cadence=str(cadence), created_at=now.timestamp(), covered_seq=position()
                )
                await connection.execute(s.insert().values(**row))
            else:
                changes = dict(cadence=str(cadence))
                if was == "instant" and cadence.kind != "instant":  # the first digest takes what was not sent instantly
                    covered = sa.case((s.c.covered_seq > instant_progress(), s.c.covered_seq), else_=instant_progress())
                    changes.update(last_digest_at=now.timestamp(), covered_seq=covered)
                elif was != "instant" and cadence.kind == "instant":  # the reply hands over the digest so far
                    changes["covered_seq"] = position()
                    series = subscription_series(existing)
                    handed_over = await hand_over_digests(connection, target_id, series, _NOW_INSTANT)
                    got = await got_a_digest(connection, target_id, series)
                await connection.execute(s.update().where(s.c.id == existing).values(**changes))
        return Added(existing is None, handed_over, got)

    async def remove(self, target: Target, kind: str | None = None, value: str | None = None) -> int:
        """Remove one subscription, or all of the target's when kind and value are None; returns how many.
        What is queued for them and not sent yet goes too: its digests, or with all, everything but
        what a schedule posts to the target (a message bundling one of its articles too)."""
        s = tables.subscriptions
        async with self.engine.begin() as connection:
            await tables.locked_subscriptions_revision(connection)  # changes to subscriptions take turns
            target_id = await self._target_id(connection, target)
            if target_id is None:
                return 0
            condition = s.c.target_id == target_id
            if kind is not None:
                condition &= (s.c.kind == kind) & (s.c.value == value)
            rows = (await connection.execute(sa.select(s.c.id, s.c.cadence).where(condition))).all()
            if any(row.cadence == "instant" for row in rows):
                await tables.bump_subscriptions_revision(connection)
            removed = (await connection.execute(s.delete().where(condition))).rowcount
            # an instant message may be another subscription's too: only digests go, but with all
            await give_up_digests(connection, target_id, [subscription_series(row.id) for row in rows], UNSUBSCRIBED)
            if kind is None:
                await give_up_unsubscribed(connection, target_id)
        return removed

    async def for_target(self, target: Target) -> list[Subscription]:
        s = tables.subscriptions
        async with self.engine.connect() as connection:
            target_id = await self._target_id(connection, target)
            if target_id is None:
                return []
            rows = await connection.execute(sa.select(s).where(s.c.target_id == target_id).order_by(s.c.id))
            return [self._subscription(row, target) for row in rows]

    async def digests(self) -> list[tuple[Subscription, str]]:
        """Every daily or weekly subscription of an active target, with its chat's timezone (one read
        for all: a pass of the digests runs every few seconds)."""
        s, t, c = tables.subscriptions, tables.targets, tables.chat_settings
        zone = sa.func.coalesce(c.c.timezone, DEFAULT_TIMEZONE).label("zone")
        query = (
            sa.select(s, t.c.platform, t.c.chat, t.c.thread, zone)
            .join(t, t.c.id == s.c.target_id)
            .outerjoin(c, (c.c.platform == t.c.platform) & (c.c.chat == t.c.chat))
            .where(s.c.cadence != "instant", t.c.active.is_(True))
            .order_by(s.c.id)
        )
        async with self.engine.connect() as connection:
            rows = await connection.execute(query)
            return [(self._subscription(row, Target(row.platform, row.chat, row.thread or None)), row.zone) for row in rows]

    async def instant_rows(self, connection: AsyncConnection | None = None):
        """(target id, kind, value, the store position it starts after) of every instant subscription
        of an active target; in the caller's transaction when given one."""
        s, t = tables.subscriptions, tables.targets
        query = (
            sa.select(s.c.target_id, s.c.kind, s.c.value, s.c.covered_seq)
            .join(t, t.c.id == s.c.target_id)
            .where(s.c.cadence == "instant", t.c.active.is_(True))
        )
        if connection is not None:
            return (await connection.execute(query)).all()
        async with self.engine.connect() as connection:
            return (await connection.execute(query)).all()

    async def revision(self) -> float:
        st = tables.state
        async with self.engine.connect() as connection:
            revision = st.c.name == tables.SUBSCRIPTIONS_REVISION
            return (await connection.execute(sa.select(st.c.number).where(revision))).scalar() or 0

    async def claim_digest(self, connection: AsyncConnection, subscription: Subscription, due: datetime, through: int) -> bool:
        """Record the digest due at `due`, covering the articles up to store position `through`, unless
        the subscription changed since it was read (switched to instant, its digest sent by another
        process, or moved to the supergroup its group became); whether it was recorded."""
        s = tables.subscriptions
        unchanged = (s.c.id == subscription.id) & (s.c.cadence == str(subscription.cadence))
        unchanged &= (s.c.covered_seq == subscription.covered_seq) & (s.c.target_id == subscription.target_id)
        marked = s.update().where(unchanged).values(last_digest_at=due.timestamp(), covered_seq=through)
        return (await connection.execute(marked)).rowcount == 1

    async def timezone(self, platform: str, chat: str) -> str:
        return await self._chat_setting(platform, chat, tables.chat_settings.c.timezone) or DEFAULT_TIMEZONE

    async def set_timezone(self, platform: str, chat: str, zone: str) -> None:
        await self._set_chat_settings(platform, chat, timezone=zone)

    async def post_format(self, platform: str, chat: str) -> str:
        return await self._chat_setting(platform, chat, tables.chat_settings.c.post_format) or DEFAULT_POST_FORMAT

    async def set_post_format(self, platform: str, chat: str, post_format: str) -> None:
        await self._set_chat_settings(platform, chat, post_format=post_format)

    async def _chat_setting(self, platform: str, chat: str, column: sa.Column) -> str | None:
        c = tables.chat_settings
        async with self.engine.connect() as connection:
            query = sa.select(column).where(c.c.platform == platform, c.c.chat == chat)
            return (await connection.execute(query)).scalar()

    async def _set_chat_settings(self, platform: str, chat: str, **values: str) -> None:
        chat_row = {"platform": platform, "chat": chat}
        new_row = {"timezone": DEFAULT_TIMEZONE, **values}  # the columns a new chat's row needs
        async with self.engine.begin() as connection:
            await insert_or_update(connection, tables.chat_settings, chat_row, values, required=new_row)

    async def _target_id(self, connection: AsyncConnection, target: Target) -> int | None:
        return (await connection.execute(sa.select(tables.targets.c.id).where(tables.address_of(target)))).scalar()

    @staticmethod
    def _subscription(row, target: Target) -> Subscription:
        return Subscription(
            id=row.id,
            target_id=row.target_id,
            target=target,
            kind=row.kind,
            value=row.value,
            cadence=Cadence.parse(row.cadence),
            created_at=_moment(row.created_at),
            last_digest_at=_moment(row.last_digest_at),
            covered_seq=row.covered_seq,
        )
