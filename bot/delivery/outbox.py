"""The durable outbox: one row per (target, key), claimed under leases and rate-limit slots.

A key is an article id, or "digest:<series>:<period>" (see `digest_key`), so the same
article can never be queued twice for one target. Rows go pending → sent | failed | exhausted | dead:
`failed` is a message that cannot be sent at all (a bug or an unrenderable payload),
`exhausted` one given up after too many transient failures (a digest's period is then summed up by
the next digest of its series, see `waiting_digests`), `dead` one given up on for good (the
target is gone, it went stale while waiting, see `_stale`, or a newer digest of its schedule or
subscription sums it up). Several articles
may go to a target in one message (a bundle): the message is the first article's row, and
each other article has a row of its own under its id, `bundled`, never sent, with the same payload.

A reply the platform posts as several messages can fail halfway: `parts_sent` counts the messages
already delivered, written between its messages and with a Retry, and handed back with the claim,
so the retry (or the next process, after a crash) sends only the rest.

Leases run on the database's clock on PostgreSQL, which every worker shares; send slots, retries
and holds on the workers' own clocks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Callable, Container, Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.clock import Clock
from bot.delivery import tables
from bot.delivery.limits import RatePlan
from bot.delivery.payload import reply_from_json, reply_to_json
from bot.model import DEFAULT_POST_FORMAT, Reply, Target, burst_message, in_post_format
from content.model import NEWS_AGE
from content.store.queries import position
from content.store.upsert import insert_ignoring_duplicates, insert_or_update

log = logging.getLogger(__name__)

_INSERT_CHUNK = 5000
PRUNE_CHUNK = 5000
_ERROR_CHARS = 500
_QUEUED_WHILE_GONE = "queued while the chat was unreachable"
UNSUBSCRIBED = "the chat unsubscribed before it was sent"
DIGEST_PREFIX = "digest:"
EXHAUSTED = "exhausted"  # the status of a row given up after its last attempt
_DUE_FORMAT = "%Y%m%dT%H%MZ"
_DUE_CHARS = len("20260301T1200Z")
_SUMMED_UP = "summed up by a newer digest of the same schedule or subscription"
_NOTHING_STILL_NEWS = f"no longer news: its articles were published more than {NEWS_AGE.days} days ago"
_MERGED = "its chat moved to one with the same subscription, whose digests go on"
_NO_LONGER_NEWS = f"no longer news: it waited more than {NEWS_AGE.days} days to be sent"
_PASSED_OVER = "a later digest of its series went out: carrying it would bring that one's articles again"
_NOT_GOT = ("pending", EXHAUSTED)  # the statuses of a digest the target did not get (yet)
_WAITING = ("pending", "bundled")  # the statuses of an article not sent yet, in a message of its own or a burst
# a digest given up after its last attempt, whose period the next one of its series may sum up
_EXHAUSTED_DIGEST = (tables.outbox.c.status == EXHAUSTED) & tables.outbox.c.key.startswith(DIGEST_PREFIX)


@dataclass(frozen=True)
class WaitingDigests:
    """Digests of one schedule or subscription the target did not get, for its next digest to sum up."""

    ids: list[int]
    covered_after: int | None  # the store position the earliest of their periods starts after; None: no digest waits
    earliest_due: datetime | None = None  # when the earliest of them (or of those they stand for) was due
    latest_due: datetime | None = None  # when the latest of them was due


@dataclass(frozen=True)
class Claimed:
    id: int
    target_id: int
    target: Target
    reply: Reply
    send_at: float
    attempts: int
    parts_sent: int  # messages of the reply an earlier attempt delivered


@dataclass(frozen=True)
class Sent:
    id: int


@dataclass(frozen=True)
class Retry:
    id: int
    at: float
    error: str
    attempts: int  # the row's attempts after this one
    parts_sent: int  # messages of the reply delivered so far, for the retry to skip
    target_id: int | None = None  # push back the whole chat until `at` (a rate limit)
    platform: str | None = None  # push back every chat of the platform until `at` (a limit on the whole bot)


@dataclass(frozen=True)
class GiveUp:
    id: int
    status: str  # "dead", EXHAUSTED or "failed"
    error: str
    attempts: int


@dataclass(frozen=True)
class Gone:
    target_id: int
    error: str
    deleted: bool = False  # the chat no longer exists: its subscriptions go too


@dataclass(frozen=True)
class Moved:
    """The row's chat lives on under another id: the target moves there, and the row is sent again."""

    id: int
    target_id: int
    new_chat: str
    attempts: int
    parts_sent: int


Outcome = Sent | Retry | GiveUp | Gone | Moved


def _short(error: str) -> str:
    return error[:_ERROR_CHARS]


def subscription_series(subscription_id: int) -> str:
    """The series of a daily or weekly subscription's digests."""
    return f"sub{subscription_id}"


def schedule_series(name: str) -> str:
    """The series of a digest schedule's digests: whatever its name, no subscription's ("sub7" too)."""
    return f"schedule:{name}"


def digest_key(series: str, due: datetime) -> str:
    """The key of a digest of `series` (`subscription_series`, `schedule_series`) for the period due at
    `due` (UTC); of one series, a later period's key sorts after an earlier one's."""
    return f"{series_prefix(series)}{due:{_DUE_FORMAT}}"


def series_prefix(series: str) -> str:
    """What the keys of the series' digests begin with."""
    return f"{DIGEST_PREFIX}{series}:"


def _due_of(key: str) -> datetime:
    return datetime.strptime(key[-_DUE_CHARS:], _DUE_FORMAT).replace(tzinfo=timezone.utc)


def _since_due(row) -> datetime:
    """When the earliest digest a digest row stands for was due: its own period's, or the earliest it sums up."""
    return datetime.fromtimestamp(row.since_due, timezone.utc) if row.since_due is not None else _due_of(row.key)


def _of_series(target_id: int, series: str) -> sa.ColumnElement[bool]:
    """The condition that picks the target's digests of `series` (and not those of a series whose name goes on)."""
    o, prefix = tables.outbox, series_prefix(series)
    same_length = sa.func.length(o.c.key) == len(prefix) + _DUE_CHARS
    # not LIKE: SQLite's ignores case, and schedules "Morning" and "morning" are two series
    same_prefix = sa.func.substr(o.c.key, 1, len(prefix)) == prefix
    return (o.c.target_id == target_id) & same_prefix & same_length


async def target_ids(
    connection: AsyncConnection, addresses: Iterable[Target], revive_at: datetime | None = None
) -> dict[Target, int]:
    """Ids of the targets, created when new; with `revive_at`, a gone target is revived then (its chat
    spoke to us again). An address naming a chat that moved is the target under its new id."""
    t = tables.targets
    if revive_at is not None:  # a revival changes subscriptions: the revision lock before any target row's
        await tables.locked_subscriptions_revision(connection)
    current = await _current_addresses(connection, dict.fromkeys(addresses))
    if current:
        statement = insert_ignoring_duplicates(connection, t, ["platform", "chat", "thread"])
        unique = dict.fromkeys(current.values())
        rows = [{"platform": a.platform, "chat": a.chat, "thread": a.thread or ""} for a in unique]
        await connection.execute(statement, rows)
    ids: dict[Target, int] = {}
    for target, address in current.items():
        ids[target] = (await connection.execute(sa.select(t.c.id).where(tables.address_of(address)))).scalar_one()
    if revive_at is not None:
        await revive_targets(connection, list(ids.values()), revive_at)
    return ids


async def _current_addresses(connection: AsyncConnection, addresses: Iterable[Target]) -> dict[Target, Target]:
    """Each address under its chat's current id."""
    m = tables.chat_moves
    addresses = list(addresses)
    if not addresses:
        return {}
    chats = {address.chat for address in addresses}
    moves = await connection.execute(sa.select(m.c.platform, m.c.chat, m.c.new_chat).where(m.c.chat.in_(chats)))
    new_chats = {(platform, chat): new_chat for platform, chat, new_chat in moves}
    current = {}
    for address in addresses:
        new_chat = new_chats.get((address.platform, address.chat))
        if new_chat is not None:
            log.debug("%s chat %s is %s now", address.platform, address.chat, new_chat)  # told when it moved
        current[address] = replace(address, chat=new_chat) if new_chat else address
    return current


async def revive_targets(connection: AsyncConnection, ids: list[int], now: datetime) -> int:
    """Make these targets reachable again if they were gone (their chat wrote to us, or the operator
    restarted after fixing a channel); returns how many were gone. From `now` on they get what is new:
    what piled up for them while they were gone is dropped, not sent in one burst, and their digests
    start a new period."""
    t, o, s = tables.targets, tables.outbox, tables.subscriptions
    revived = list((await connection.execute(sa.select(t.c.id).where(t.c.id.in_(ids), t.c.active.is_(False)))).scalars())
    if revived:
        await tables.bump_subscriptions_revision(connection)  # first: see `bump_subscriptions_revision`
        await connection.execute(t.update().where(t.c.id.in_(revived)).values(active=True, inactive_reason=None))
        stale = o.c.target_id.in_(revived) & (o.c.status == "pending")
        await connection.execute(o.update().where(stale).values(status="dead", last_error=_QUEUED_WHILE_GONE))
        subscriptions = s.c.target_id.in_(revived)
        await connection.execute(s.update().where(subscriptions).values(covered_seq=position()))
        digests = subscriptions & (s.c.cadence != "instant")
        await connection.execute(s.update().where(digests).values(last_digest_at=now.timestamp()))
    return len(revived)


async def move_chat(engine: AsyncEngine, chat: Target, new_chat: str) -> None:
    """The platform says the chat lives on under a new id (a Telegram group upgraded to a supergroup):
    its subscriptions, settings and waiting messages go there, merged with any made there already."""
    t = tables.targets
    async with engine.begin() as connection:
        await tables.bump_subscriptions_revision(connection)  # first, as every change to subscriptions
        target_id = (await connection.execute(sa.select(t.c.id).where(tables.address_of(chat)))).scalar()
        if target_id is None:
            await _record_move(connection, chat.platform, chat.chat, new_chat)
        else:
            await _move(connection, target_id, new_chat)


async def _deactivate(connection: AsyncConnection, target_id: int, reason: str) -> None:
    """Stop sending to a target: it is marked gone, and what waits for it is given up. The caller
    has bumped the subscriptions revision."""
    t, o = tables.targets, tables.outbox
    # its rows before the target's row, as a claim locks them: else the two wait for each other
    pending = (o.c.target_id == target_id) & (o.c.status == "pending")
    values = dict(status="dead", last_error=reason, lease_owner=None, lease_until=None)
    await connection.execute(o.update().where(pending).values(**values))
    # nor is a digest given up before summed up by a next one: the target comes back to what is new
    await connection.execute(o.update().where(o.c.target_id == target_id, _EXHAUSTED_DIGEST).values(status="dead"))
    gone = (t.c.id == target_id) & t.c.active.is_(True)
    await connection.execute(t.update().where(gone).values(active=False, inactive_reason=reason))


async def forget_deleted_chat(connection: AsyncConnection, target_id: int, reason: str) -> None:
    """The target's chat was deleted: it is marked gone, what waits for it is given up, and its
    subscriptions go, as they could never be delivered again. The caller has bumped the subscriptions revision."""
    await _deactivate(connection, target_id, reason)
    await connection.execute(tables.subscriptions.delete().where(tables.subscriptions.c.target_id == target_id))


async def give_up_digests(
    connection: AsyncConnection, target_id: int, series: list[str], reason: str, statuses: tuple[str, ...] = _NOT_GOT
) -> None:
    """Give up the target's digests of these series that are waiting, or given up after their last
    attempt, as no next digest of theirs is to sum them up."""
    o = tables.outbox
    of_series = sa.or_(*(_of_series(target_id, name) for name in series), sa.false())
    await connection.execute(o.update().where(of_series, o.c.status.in_(statuses)).values(status="dead", last_error=reason))


async def waiting_digests(connection: AsyncConnection, target_id: int, series: str) -> WaitingDigests:
    """The digests of `series` (see `digest_key`) the target did not get: those waiting for it, none
    of them being sent now nor partly sent (their platform was unreachable, or a failed attempt waits
    to be retried), and those given up after their last attempt none of whose messages went out, but
    for those before one sent, on its way or partly sent: the periods of those left are the ones just
    before the next digest's, for it to sum them up (`Outbox.enqueue_digest`); one on its way, and those
    before it, go on their own. Locked until the caller's transaction ends, after a claim taking one
    of them: then it is on its way."""
    o = tables.outbox
    series_rows = _of_series(target_id, series)
    query = sa.select(
        o.c.id, o.c.key, o.c.status, o.c.parts_sent, o.c.lease_owner, o.c.covered_after, o.c.since_due
    ).where(series_rows, o.c.status.in_(_NOT_GOT))
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    rows = (await connection.execute(query)).all()
    if not rows:
        return WaitingDigests([], None)
    # a digest without covered_after has no period the next one's follows on (it was queued before
    # migration 0008, or before its subscription was instant a while); one some of whose messages
    # went out is the chat's (given up, it is finished as one sent)
    missed = {
        row.id for row in rows
        if row.covered_after is not None and row.parts_sent == 0 and (row.status == EXHAUSTED or row.lease_owner is None)
    }
    newest_sent = await connection.scalar(sa.select(sa.func.max(o.c.key)).where(series_rows, o.c.status == "sent"))
    after = max([newest_sent or "", *(row.key for row in rows if row.id not in missed)])
    summed = [row for row in rows if row.id in missed and row.key > after]
    if not summed:
        return WaitingDigests([], None)
    return WaitingDigests(
        [row.id for row in summed],
        min(row.covered_after for row in summed),
        min(_since_due(row) for row in summed),
        max(_due_of(row.key) for row in summed),
    )


async def _give_up_digests_passed_over(connection: AsyncConnection, among: sa.ColumnElement[bool]) -> None:
    """Give up for good the digests (`among` these rows) given up after their last attempt that a later
    digest of their series went out after: `waiting_digests` never sums them up, as the sum would bring
    that one's articles again. Called before the sent one is deleted or left behind by a merge, when
    nothing would tell any more."""
    o, later = tables.outbox, tables.outbox.alias("later")
    series_chars = sa.func.length(o.c.key) - _DUE_CHARS
    same_series = (
        (later.c.target_id == o.c.target_id)
        & (sa.func.length(later.c.key) == sa.func.length(o.c.key))
        & (sa.func.substr(later.c.key, 1, series_chars) == sa.func.substr(o.c.key, 1, series_chars))
    )
    sent_after = sa.exists().where(same_series, later.c.key > o.c.key, later.c.status == "sent")
    await connection.execute(o.update().where(among, _EXHAUSTED_DIGEST, sent_after).values(status="dead", last_error=_PASSED_OVER))


async def hand_over_digests(connection: AsyncConnection, target_id: int, series: str, reason: str) -> WaitingDigests:
    """A subscription turns instant: the digests of its series the target did not get (see
    `waiting_digests`) are given up, for the caller to hand over their articles, and the others go
    on their own, never summed up by a digest of a later period (it would bring the instant ones too):
    one being sent is tried again after its last attempt (`Outbox._retry_digest_no_later_one_carries`)."""
    o = tables.outbox
    waiting = await waiting_digests(connection, target_id, series)
    await _give_up(connection, waiting.ids, reason)
    left = _of_series(target_id, series) & o.c.status.in_(_NOT_GOT)
    await connection.execute(o.update().where(left).values(covered_after=None))
    return waiting


async def got_a_digest(connection: AsyncConnection, target_id: int, series: str) -> bool:
    """Whether the target got a digest of `series` that is still kept (see `Outbox.prune`), or one is on its way."""
    o = tables.outbox
    on_its_way = (o.c.status == "pending") & o.c.lease_owner.is_not(None)
    got = (o.c.status == "sent") | (o.c.parts_sent > 0) | on_its_way
    return bool(await connection.scalar(sa.select(sa.exists().where(_of_series(target_id, series), got))))


async def _hold_platform(connection: AsyncConnection, platform: str, until: float) -> None:
    p = tables.platforms
    later = sa.case((p.c.next_send_at < until, until), else_=p.c.next_send_at)
    await connection.execute(p.update().where(p.c.platform == platform).values(next_send_at=later))


async def _move(connection: AsyncConnection, target_id: int, new_chat: str) -> None:
    """Give a target its chat's new id, with the chat's settings. When the new id is a target
    already (someone subscribed in the upgraded group before a delivery found it moved), the two
    merge: the old target's subscriptions and pending messages join the new one's, but for topics
    and messages it has already (a message a config schedule posts staying the schedule's there), and
    so do its digests given up after their last attempt, for the next of their series to sum up. The
    caller has bumped the subscriptions revision."""
    t, settings = tables.targets, tables.chat_settings
    address = sa.select(t.c.platform, t.c.chat, t.c.thread).where(t.c.id == target_id)
    platform, chat, thread = (await connection.execute(address)).one()
    if chat == new_chat:  # moved already, by another row of the same chat
        return
    await _record_move(connection, platform, chat, new_chat)
    taken = sa.select(t.c.id).where(tables.address_of(Target(platform, new_chat, thread or None)))
    into = (await connection.execute(taken)).scalar()
    if into is None:
        await connection.execute(t.update().where(t.c.id == target_id).values(chat=new_chat))
    else:
        await _merge(connection, target_id, into)
        await _deactivate(connection, target_id, f"the chat is now {new_chat}")
    new_settings = sa.select(settings.c.chat).where(settings.c.platform == platform, settings.c.chat == new_chat)
    if (await connection.execute(new_settings)).first() is None:
        old = (settings.c.platform == platform) & (settings.c.chat == chat)
        await connection.execute(settings.update().where(old).values(chat=new_chat))
    log.info("%s chat %s is now %s: its subscriptions and settings moved with it", platform, chat, new_chat)


async def _record_move(connection: AsyncConnection, platform: str, chat: str, new_chat: str) -> None:
    """Remember the chat's new id, for the addresses that still name an old one. A channel's @name
    may be told again as another channel's (its owner gave the name to a new channel): the latest wins."""
    m = tables.chat_moves
    earlier = (m.c.platform == platform) & (m.c.new_chat == chat)
    await connection.execute(m.update().where(earlier).values(new_chat=new_chat))
    moved = {"new_chat": new_chat}
    await insert_or_update(connection, m, {"platform": platform, "chat": chat}, moved, required=moved)


async def _merge(connection: AsyncConnection, target_id: int, into: int) -> None:
    s, o = tables.subscriptions, tables.outbox
    theirs, queued = s.alias("theirs"), o.alias("queued")
    same_topic = sa.exists().where(theirs.c.target_id == into, theirs.c.kind == s.c.kind, theirs.c.value == s.c.value)
    await _give_up_digests_passed_over(connection, o.c.target_id == target_id)  # the sent ones stay behind
    dropped = (await connection.execute(sa.select(s.c.id).where(s.c.target_id == target_id, same_topic))).scalars()
    # no digest of theirs sums these up (a later subscription given one's id on SQLite must not)
    await give_up_digests(connection, target_id, [subscription_series(number) for number in dropped], _MERGED, (EXHAUSTED,))
    await connection.execute(s.update().where(s.c.target_id == target_id, ~same_topic).values(target_id=into))
    await connection.execute(s.delete().where(s.c.target_id == target_id))
    await _keep_scheduled(connection, target_id, into)
    await _merge_bundles(connection, target_id, into)
    same_key = sa.exists().where(queued.c.target_id == into, queued.c.key == o.c.key)
    waiting = (o.c.target_id == target_id) & ((o.c.status == "pending") | _EXHAUSTED_DIGEST)
    await connection.execute(o.update().where(waiting, ~same_key).values(target_id=into))


async def _keep_scheduled(connection: AsyncConnection, target_id: int, into: int) -> None:
    """What the new target has queued already that the old one's schedule posts is the schedule's there
    too: `/unsubscribe all` leaves it (see `SubscriptionStore.remove`); what it gave up unsubscribing
    from all goes, for the schedule's post to move there."""
    o, theirs = tables.outbox, tables.outbox.alias("theirs")
    schedules = sa.select(theirs.c.key).where(theirs.c.target_id == target_id, theirs.c.scheduled, theirs.c.status.in_(_WAITING))
    await _forget_given_up_unsubscribing(connection, [into], schedules)
    await connection.execute(
        o.update().where(o.c.target_id == into, o.c.status.in_(_WAITING), o.c.key.in_(schedules)).values(scheduled=True)
    )


async def _merge_bundles(connection: AsyncConnection, target_id: int, into: int) -> None:
    """Each waiting bundle of the old target goes to the new one whole; where the new one has some of
    its articles queued already, those stay behind and the others go as a message of their own."""
    o = tables.outbox
    for rows in await _waiting_bundles(connection, target_id):
        keys = [row.key for row in rows]
        queued = sa.select(o.c.key).where(o.c.target_id == into, o.c.key.in_(keys))
        taken = set((await connection.execute(queued)).scalars())
        if not taken:
            await connection.execute(o.update().where(o.c.id.in_([row.id for row in rows])).values(target_id=into))
        elif len(taken) < len(keys):
            await _rebundle(connection, rows, taken, into)


async def _waiting_bundles(connection: AsyncConnection, target_id: int) -> list[list]:
    """The target's bundles whose message waits to be sent: each its rows, the message's first."""
    o = tables.outbox
    bundled = sa.select(o.c.payload_id).where(o.c.target_id == target_id, o.c.status == "bundled")
    query = (
        sa.select(o.c.id, o.c.key, o.c.payload_id, o.c.status, o.c.next_attempt_at, o.c.scheduled)
        .where(o.c.target_id == target_id, o.c.status.in_(_WAITING), o.c.payload_id.in_(bundled))
        .order_by(o.c.payload_id, o.c.id)
    )
    bundles: dict[int, list] = {}
    for row in await connection.execute(query):
        bundles.setdefault(row.payload_id, []).append(row)
    return [rows for rows in bundles.values() if rows[0].status == "pending"]


async def _rebundle(connection: AsyncConnection, rows: list, taken: set[str], into: int) -> None:
    """Queue for `into` the articles of a bundle it has not got, in a message of their own."""
    bundle = rows[0].payload_id
    cards = reply_from_json((await _payload_bodies(connection, {bundle}))[bundle]).cards
    kept = [(row, card) for row, card in zip(rows, cards) if row.key not in taken]
    keys, cards = [row.key for row, _ in kept], [card for _, card in kept]
    scheduled = {row.key for row, _ in kept if row.scheduled}
    payload_id = await _add_payload(connection, burst_message(cards, 1, 1, len(cards)))
    await _insert_bundle(connection, into, keys, payload_id, rows[0].next_attempt_at, scheduled)


async def _forget_given_up_unsubscribing(connection: AsyncConnection, ids: list[int], keys: sa.Select | list[str]) -> None:
    """Delete the targets' rows of `keys` given up as the chat unsubscribed from all before any of their
    message went out (see `give_up_unsubscribed`): a schedule posting the article queues it anew, as
    their row would stop it."""
    o = tables.outbox
    # one a worker had leased may have gone out: its lease is kept, the send's outcome not written down
    unsent = (o.c.status == "dead") & (o.c.last_error == UNSUBSCRIBED) & (o.c.parts_sent == 0) & o.c.lease_owner.is_(None)
    await connection.execute(o.delete().where(o.c.target_id.in_(ids), o.c.key.in_(keys), unsent))


async def give_up_unsubscribed(connection: AsyncConnection, target_id: int) -> None:
    """The chat unsubscribed from all: give up what waits for it, but for what a config schedule posts
    there (a message bundling one of its articles too). The articles a message none of went out bundles
    are given up with it, for a schedule to post them all the same (`_forget_given_up_unsubscribing`)."""
    o, message, of_schedule = tables.outbox, tables.outbox.alias("message"), tables.outbox.alias("of_schedule")
    if connection.dialect.name == "postgresql":
        # no worker leases a message between the two updates: it would go out, its bundled articles given up
        await connection.execute(sa.select(o.c.id).where(o.c.target_id == target_id, o.c.status == "pending").with_for_update())
    scheduled = sa.select(of_schedule.c.payload_id).where(of_schedule.c.target_id == target_id, of_schedule.c.scheduled)
    queued = (o.c.target_id == target_id) & (o.c.status == "pending") & o.c.payload_id.not_in(scheduled)
    unsent = sa.select(message.c.payload_id).where(
        message.c.target_id == target_id, message.c.status == "pending", message.c.parts_sent == 0,
        message.c.lease_owner.is_(None), message.c.payload_id.not_in(scheduled),
    )
    bundled = (o.c.target_id == target_id) & (o.c.status == "bundled") & o.c.payload_id.in_(unsent)
    await connection.execute(o.update().where(bundled).values(status="dead", last_error=UNSUBSCRIBED))
    await connection.execute(o.update().where(queued).values(status="dead", last_error=UNSUBSCRIBED))


async def _add_payload(connection: AsyncConnection, reply: Reply) -> int:
    insert = tables.payloads.insert().values(body=reply_to_json(reply)).returning(tables.payloads.c.id)
    return (await connection.execute(insert)).scalar_one()


async def _insert_bundle(
    connection: AsyncConnection, target_id: int, keys: list[str], payload_id: int, at: float, scheduled: Container[str] = ()
) -> None:
    """A bundle's rows, written in the order of its keys (and cards): `_waiting_bundles` reads them back
    so. `scheduled`: the keys of articles a config schedule posts."""
    t, o = tables.targets, tables.outbox
    platform = (await connection.execute(sa.select(t.c.platform).where(t.c.id == target_id))).scalar_one()
    rows = [
        dict(target_id=target_id, platform=platform, key=key, payload_id=payload_id, created_at=at, next_attempt_at=at,
             status="pending" if n == 0 else "bundled", scheduled=key in scheduled)
        for n, key in enumerate(keys)
    ]
    await connection.execute(o.insert(), rows)


async def _stale(rows, now: float) -> dict[str, list[int]]:
    """The ids of the rows no longer worth sending, by why: any message but a digest queued more than
    NEWS_AGE ago (its articles are no longer news; a digest's are as old as its period is long, and
    what a digest left waiting has is summed up by the next one of its series, see
    `waiting_digests`). Only a backlog has them: messages no process could send for days, their
    platform having no token or its adapter being down. A message some of whose parts went out
    already is finished."""
    stale: dict[str, list[int]] = {}
    for row in rows:
        if row.parts_sent == 0 and not row.key.startswith(DIGEST_PREFIX) and row.created_at < now - NEWS_AGE.total_seconds():
            stale.setdefault(_NO_LONGER_NEWS, []).append(row.id)
    return stale


async def _give_up(connection: AsyncConnection, ids: list[int], reason: str) -> None:
    values = dict(status="dead", last_error=reason, lease_owner=None, lease_until=None)
    await connection.execute(tables.outbox.update().where(tables.outbox.c.id.in_(ids)).values(**values))


async def _payload_bodies(connection: AsyncConnection, ids: set[int]) -> dict[int, str]:
    query = sa.select(tables.payloads.c.id, tables.payloads.c.body).where(tables.payloads.c.id.in_(ids))
    return dict((await connection.execute(query)).all())


class Outbox:
    def __init__(
        self, engine: AsyncEngine, clock: Clock, plan: RatePlan, lease_seconds: float = 120.0, database_clock: Clock | None = None
    ):
        self.engine = engine
        self._clock = clock
        self._plan = plan
        self._lease_seconds = lease_seconds
        self._database_clock = database_clock  # tests stand it in for the database's

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def _queued_while_news(self) -> sa.ColumnElement[bool]:
        """Rows queued less than NEWS_AGE ago: a digest's articles are still news."""
        return tables.outbox.c.created_at >= self._now() - NEWS_AGE.total_seconds()

    async def _lease_now(self, connection: AsyncConnection) -> float:
        """Now on the clock leases are kept by: on PostgreSQL the database's, so that a worker whose
        clock runs ahead (or behind) of the others' neither takes over their live rows nor leases its own
        for too short; on SQLite, where one process delivers, the worker's."""
        if self._database_clock is not None:
            return self._database_clock.now().timestamp()
        if connection.dialect.name == "postgresql":
            return float(await connection.scalar(sa.select(sa.extract("epoch", sa.func.clock_timestamp()))))
        return self._now()

    # ---- enqueue -------------------------------------------------------------------------

    async def enqueue_for(
        self,
        connection: AsyncConnection,
        ids: list[int],
        key: str,
        reply: Reply,
        not_before: float | None = None,
        covered_after: int | None = None,
        since_due: float | None = None,
        scheduled: bool = False,
    ) -> int:
        """Queue one message for many targets (by id) inside the caller's transaction; returns how many were new.
        A digest's `covered_after`: the store position its period starts after; `since_due`: when the
        earliest digest it stands for was due (None: its own). `scheduled`: a schedule posts it, so the
        row a subscription queued for it already is the schedule's too."""
        if not ids:
            return 0
        o = tables.outbox
        if scheduled:
            await _forget_given_up_unsubscribing(connection, ids, [key])
            waiting = o.c.target_id.in_(ids) & (o.c.key == key) & o.c.status.in_(_WAITING)
            await connection.execute(o.update().where(waiting).values(scheduled=True))
        fresh = await self._without_existing(connection, ids, key)
        if not fresh:
            return 0
        payload_id = await self.add_payload(connection, reply)
        now = self._now()
        t = tables.targets
        columns = [
            "target_id", "platform", "key", "payload_id", "created_at", "next_attempt_at", "covered_after", "since_due", "scheduled"
        ]
        for begin in range(0, len(fresh), _INSERT_CHUNK):
            rows = sa.select(
                t.c.id, t.c.platform, sa.literal(key), sa.literal(payload_id), sa.literal(now), sa.literal(not_before or now),
                sa.literal(covered_after, sa.Integer), sa.literal(since_due, sa.Double), sa.literal(scheduled, sa.Boolean),
            ).where(t.c.id.in_(fresh[begin : begin + _INSERT_CHUNK]))
            statement = insert_ignoring_duplicates(connection, o, ["target_id", "key"])
            await connection.execute(statement.from_select(columns, rows))
        return len(fresh)

    async def enqueue_digest(
        self, connection: AsyncConnection, target_id: int, key: str, reply: Reply | None, covered_after: int,
        waiting: WaitingDigests, since: datetime, scheduled: bool = False,
    ) -> int:
        """Queue a digest covering the store positions after `covered_after` (None: it has no article),
        the `waiting` digests summed up in it given up; returns how many were queued, 0 or 1. `since`:
        when the earliest digest it stands for was due (its own, one it sums up, or one missed while
        newsbot was down), kept for a next digest summing it up; `scheduled`: a schedule's digest."""
        if reply is None:  # nothing new, and what the waiting ones had is no longer news
            await _give_up(connection, waiting.ids, _NOTHING_STILL_NEWS)
            return 0
        since_due = since.timestamp() if since < _due_of(key) else None
        queued = await self.enqueue_for(
            connection, [target_id], key, reply, covered_after=covered_after, since_due=since_due, scheduled=scheduled
        )
        if queued:
            await _give_up(connection, waiting.ids, _SUMMED_UP)
        return queued

    async def queued_keys(self, connection: AsyncConnection, ids: list[int], keys: list[str]) -> set[tuple[int, str]]:
        """The (target id, key) pairs among these that have a row already."""
        o, found = tables.outbox, set()
        for start in range(0, len(ids), _INSERT_CHUNK):
            chunk = ids[start : start + _INSERT_CHUNK]
            query = sa.select(o.c.target_id, o.c.key).where(o.c.target_id.in_(chunk), o.c.key.in_(keys))
            found.update((target_id, key) for target_id, key in await connection.execute(query))
        return found

    async def add_payload(self, connection: AsyncConnection, reply: Reply) -> int:
        """Store a reply for rows to name (several targets may share one); returns its id."""
        return await _add_payload(connection, reply)

    async def enqueue_bundle(self, connection: AsyncConnection, target_id: int, keys: list[str], payload_id: int) -> None:
        """Queue one message carrying the articles of all `keys`, in the order of its cards, for a target:
        a row per key, the first one's sent. A key the target has already fails the caller's transaction,
        rather than leave an article out of the message while its row says it was queued."""
        await _insert_bundle(connection, target_id, keys, payload_id, self._now())

    async def _without_existing(self, connection: AsyncConnection, ids: list[int], key: str) -> list[int]:
        queued = await self.queued_keys(connection, ids, [key])
        return [target_id for target_id in dict.fromkeys(ids) if (target_id, key) not in queued]

    # ---- claim ---------------------------------------------------------------------------

    async def release_leases(self, running: Callable[[str], bool]) -> int:
        """Return the leased, unsent rows of owners no longer `running` to the queue; returns how many.

        Only for a database one process delivers from (SQLite): at start-up, a lease there belongs to a
        process that died, and waiting for it to expire would only delay the retry; but for one of a
        newsbot started beside this one by mistake, which is sending that row now.
        """
        o = tables.outbox
        leased = sa.and_(o.c.status == "pending", o.c.lease_owner.is_not(None))
        async with self.engine.begin() as connection:
            owners = (await connection.scalars(sa.select(o.c.lease_owner).distinct().where(leased))).all()
            gone = [owner for owner in owners if not running(owner)]
            result = await connection.execute(
                o.update().where(leased, o.c.lease_owner.in_(gone)).values(lease_owner=None, lease_until=None)
            )
        return result.rowcount

    async def claim(self, owner: str, platform: str, limit: int, lookahead: float) -> list[Claimed]:
        """Lease up to `limit` due rows of one platform, each with a reserved send time within `lookahead` s.

        The platform's row is locked for the claim, so concurrent workers reserve slots one after
        another and the per-chat and per-platform gaps hold across processes.
        """
        now = self._now()
        horizon = now + lookahead
        async with self.engine.begin() as connection:
            platform_next = await self._lock_platform(connection, platform)
            lease_now = await self._lease_now(connection)
            candidates = await self._due_rows_still_wanted(connection, platform, now, lease_now, horizon, limit)
            chosen, target_next = [], {}
            platform_gap = self._plan.platform_gap(platform)
            for row in candidates:
                send_at = max(now, target_next.get(row.target_id, row.next_send_at), platform_next)
                if send_at > horizon:
                    continue
                platform_next = send_at + platform_gap
                target_next[row.target_id] = send_at + self._plan.chat_gap(platform, row.chat)
                chosen.append((row, send_at))
            if not chosen:
                return []
            await self._write_claims(connection, owner, platform, chosen, target_next, platform_next, lease_now - now)
            bodies = await _payload_bodies(connection, {row.payload_id for row, _ in chosen})
        return [
            Claimed(
                id=row.id,
                target_id=row.target_id,
                target=Target(platform, row.chat, row.thread or None),
                reply=in_post_format(reply_from_json(bodies[row.payload_id]), row.post_format),
                send_at=send_at,
                attempts=row.attempts,
                parts_sent=row.parts_sent,
            )
            for row, send_at in chosen
        ]

    async def _lock_platform(self, connection: AsyncConnection, platform: str) -> float:
        p = tables.platforms
        await connection.execute(insert_ignoring_duplicates(connection, p, ["platform"]), [{"platform": platform}])
        query = sa.select(p.c.next_send_at).where(p.c.platform == platform)
        if connection.dialect.name == "postgresql":
            query = query.with_for_update()
        return (await connection.execute(query)).scalar_one()

    async def _due_rows_still_wanted(
        self, connection: AsyncConnection, platform: str, now: float, lease_now: float, horizon: float, limit: int
    ):
        """The due rows, once those that went stale while waiting are given up: a backlog goes a batch
        at a time, until a batch has none."""
        given_up = 0
        while True:
            rows = await self._due_rows(connection, platform, now, lease_now, horizon, limit)
            stale = await _stale(rows, now)
            if not stale:
                break
            for reason, ids in stale.items():
                await _give_up(connection, ids, reason)
                given_up += len(ids)
        if given_up:
            log.info("gave up %d %s messages that waited too long to be worth sending", given_up, platform)
        return rows

    async def _due_rows(
        self, connection: AsyncConnection, platform: str, now: float, lease_now: float, horizon: float, limit: int
    ):
        o, t, c = tables.outbox, tables.targets, tables.chat_settings
        chat_format = sa.func.coalesce(c.c.post_format, DEFAULT_POST_FORMAT)  # a chat without settings
        query = (
            sa.select(
                o.c.id, o.c.target_id, o.c.key, o.c.payload_id, o.c.attempts, o.c.parts_sent, o.c.created_at,
                t.c.chat, t.c.thread, t.c.next_send_at,
                # a reply some of whose messages are out goes on in the format they went in: it splits the same way
                sa.case((o.c.parts_sent > 0, sa.func.coalesce(o.c.post_format, chat_format)), else_=chat_format)
                .label("post_format"),
            )
            .join(t, t.c.id == o.c.target_id)
            .outerjoin(c, (c.c.platform == t.c.platform) & (c.c.chat == t.c.chat))
            .where(
                o.c.status == "pending",
                o.c.platform == platform,
                o.c.next_attempt_at <= now,
                sa.or_(o.c.lease_until.is_(None), o.c.lease_until <= lease_now),
                t.c.active.is_(True),
                t.c.next_send_at <= horizon,
            )
            .order_by(o.c.next_attempt_at, o.c.id)
            .limit(limit)
        )
        if connection.dialect.name == "postgresql":
            query = query.with_for_update(of=o, skip_locked=True)
        return (await connection.execute(query)).all()

    async def _write_claims(self, connection, owner, platform, chosen, target_next, platform_next, lease_offset) -> None:
        """`lease_offset`: the lease clock's time less the worker's, for a send slot's lease to end on the lease clock."""
        o, t, p = tables.outbox, tables.targets, tables.platforms
        await connection.execute(
            o.update().where(o.c.id == sa.bindparam("row_id")),
            [
                {
                    "row_id": row.id,
                    "lease_owner": owner,
                    "lease_until": send_at + lease_offset + self._lease_seconds,
                    "send_at": send_at,
                    "post_format": row.post_format,
                }
                for row, send_at in chosen
            ],
        )
        if self._plan.limits_chats(platform):
            await connection.execute(
                t.update().where(t.c.id == sa.bindparam("target")),
                [{"target": target_id, "next_send_at": at} for target_id, at in target_next.items()],
            )
        if self._plan.platform_gap(platform):
            await connection.execute(p.update().where(p.c.platform == platform).values(next_send_at=platform_next))

    async def renew_leases(self, owner: str, row_ids: list[int]) -> float:
        """Lengthen the leases of rows this owner is still sending; returns when they end now."""
        o = tables.outbox
        mine = o.c.id.in_(row_ids) & (o.c.status == "pending") & (o.c.lease_owner == owner)
        async with self.engine.begin() as connection:
            lease_until = await self._lease_now(connection) + self._lease_seconds
            await connection.execute(o.update().where(mine).values(lease_until=lease_until))
        return self._now() + self._lease_seconds

    # ---- outcomes ------------------------------------------------------------------------

    async def save_progress(self, row_id: int, owner: str, parts_sent: int) -> None:
        """Write down, while its reply is still being sent, how many of a leased row's messages are out."""
        o = tables.outbox
        mine = (o.c.id == row_id) & (o.c.status == "pending") & (o.c.lease_owner == owner)
        async with self.engine.begin() as connection:
            await connection.execute(o.update().where(mine).values(parts_sent=parts_sent))

    async def record(self, owner: str, outcomes: list[Outcome]) -> None:
        """Write what happened to rows `owner` claimed, all in one transaction. A row another worker
        claimed since (this one's lease ran out) is that worker's: of this one's outcomes for it only
        Sent counts, as its message did go out; a Retry, GiveUp or Moved would undo the other's claim."""
        if not outcomes:
            return
        o, t = tables.outbox, tables.targets
        now = self._now()
        released = {"lease_owner": None, "lease_until": None}
        held = (o.c.status == "pending") & (o.c.lease_owner == owner)
        async with self.engine.begin() as connection:
            if any(isinstance(item, (Gone, Moved)) for item in outcomes):
                # a chat may be found gone: the fan-out stops matching its subscriptions. First, before
                # any outbox row is locked, as a fan-out page takes the same locks in the same order.
                await tables.bump_subscriptions_revision(connection)
            for item in outcomes:  # the platform row before any chat's, in the order a claim locks them
                if isinstance(item, Retry) and item.platform is not None:
                    await _hold_platform(connection, item.platform, item.at)
            sent = [item.id for item in outcomes if isinstance(item, Sent)]
            if sent:
                statement = o.update().where(o.c.id.in_(sent), o.c.status == "pending")
                await connection.execute(statement.values(status="sent", sent_at=now, attempts=o.c.attempts + 1, **released))
            for item in outcomes:
                if isinstance(item, Retry):
                    values = dict(
                        next_attempt_at=item.at,
                        last_error=_short(item.error),
                        attempts=item.attempts,
                        parts_sent=item.parts_sent,
                        **released,
                    )
                    await connection.execute(o.update().where(o.c.id == item.id, held).values(**values))
                    if item.target_id is not None:
                        later = sa.case((t.c.next_send_at < item.at, item.at), else_=t.c.next_send_at)
                        await connection.execute(t.update().where(t.c.id == item.target_id).values(next_send_at=later))
                elif isinstance(item, GiveUp):
                    values = dict(status=item.status, last_error=_short(item.error), attempts=item.attempts, **released)
                    given_up = await connection.execute(o.update().where(o.c.id == item.id, held).values(**values))
                    if given_up.rowcount and item.status == EXHAUSTED:
                        await self._retry_digest_no_later_one_carries(connection, item)
                elif isinstance(item, Gone):
                    forget = forget_deleted_chat if item.deleted else _deactivate
                    await forget(connection, item.target_id, _short(item.error))
                elif isinstance(item, Moved):
                    await _move(connection, item.target_id, item.new_chat)
                    again = dict(next_attempt_at=now, attempts=item.attempts, parts_sent=item.parts_sent, **released)
                    await connection.execute(o.update().where(o.c.id == item.id, held).values(**again))

    async def _retry_digest_no_later_one_carries(self, connection: AsyncConnection, item: GiveUp) -> None:
        """A digest given up after its last attempt is carried by the next one of its series; one that
        none follows on (its subscription turned instant while it was being sent, see `hand_over_digests`)
        would lose its articles, so it is tried again instead, as often as the longest backoff allows,
        until its articles are no longer news. Decided here, in the transaction writing it down, as the
        switch may come during its send."""
        o = tables.outbox
        alone = (o.c.id == item.id) & _EXHAUSTED_DIGEST & o.c.covered_after.is_(None) & self._queued_while_news()
        retry = dict(status="pending", next_attempt_at=self._now() + self._plan.longest_backoff())
        retried = (await connection.execute(o.update().where(alone).values(**retry))).rowcount
        if item.attempts == self._plan.max_attempts and retried:
            log.info("outbox row %s is tried again all the same: no later digest carries its articles", item.id)
        elif item.attempts > self._plan.max_attempts and not retried:
            log.warning("gave up outbox row %s after %d attempts: %s", item.id, item.attempts, item.error)

    async def prune(self, before: float) -> int:
        """Delete up to PRUNE_CHUNK rows queued before `before` (epoch seconds) and sent, given up or
        failed, with the payloads no row names any more; returns how many rows. A bundle goes once
        its message is no longer pending. A digest given up after its last attempt stays NEWS_AGE at
        least, however early `before` is: the next digest of its series may still carry its articles
        until then (see `DigestArticles`), none of them after; one a later digest of its series went
        out after is given up for good first, as that one's row may go (`_give_up_digests_passed_over`)."""
        o, p, waiting = tables.outbox, tables.payloads, tables.outbox.alias("waiting")
        # one look in the payload and status index per old row; PostgreSQL checks a NOT IN whose rows outgrow
        # work_mem by reading them all again for each old row, past the statement timeout with a large backlog
        named_by_waiting = sa.exists().where(waiting.c.payload_id == o.c.payload_id, waiting.c.status == "pending")
        still_carried = _EXHAUSTED_DIGEST & self._queued_while_news()
        old = (
            sa.select(o.c.id, o.c.payload_id)
            .where(o.c.created_at < before, o.c.status != "pending", ~still_carried, ~named_by_waiting)
            .order_by(o.c.created_at)
            .limit(PRUNE_CHUNK)
        )
        async with self.engine.begin() as connection:
            await _give_up_digests_passed_over(connection, sa.true())
            if connection.dialect.name == "postgresql":  # workers pruning at once take different rows
                old = old.with_for_update(skip_locked=True)
            rows = (await connection.execute(old)).all()
            if rows:
                await connection.execute(o.delete().where(o.c.id.in_([row.id for row in rows])))
                named = sa.exists().where(o.c.payload_id == p.c.id)
                await connection.execute(p.delete().where(p.c.id.in_(list({row.payload_id for row in rows})), ~named))
        return len(rows)

    # ---- inspection ----------------------------------------------------------------------

    async def next_due(self, platforms: list[str]) -> float | None:
        """When the earliest pending row of these platforms may be sent, or None when none is pending."""
        o, t, p = tables.outbox, tables.targets, tables.platforms
        async with self.engine.connect() as connection:
            lease_ends = o.c.lease_until + (self._now() - await self._lease_now(connection))  # on the worker's clock
            times = (o.c.next_attempt_at, sa.func.coalesce(lease_ends, 0), t.c.next_send_at, sa.func.coalesce(p.c.next_send_at, 0))
            ready = sa.func.greatest(*times) if self.engine.dialect.name == "postgresql" else sa.func.max(*times)
            query = (
                sa.select(sa.func.min(ready))
                .select_from(o.join(t, t.c.id == o.c.target_id).outerjoin(p, p.c.platform == o.c.platform))
                .where(o.c.status == "pending", o.c.platform.in_(platforms), t.c.active.is_(True))
            )
            return (await connection.execute(query)).scalar()

    async def counts(self) -> dict[str, int]:
        o = tables.outbox
        async with self.engine.connect() as connection:
            rows = await connection.execute(sa.select(o.c.status, sa.func.count()).group_by(o.c.status))
            return {status: count for status, count in rows.all()}
