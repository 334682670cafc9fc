"""The delivery worker: claims due outbox rows, waits for each row's reserved slot, sends it
through the platform's adapter and records the outcome.

A row is marked sent only after its send succeeded, so a crash between the two sends that
message again (at most the rows in flight); nothing queued is lost. On stop the worker
claims nothing more, finishes the sends it holds, records them and returns.

A reply that goes out as several messages is resumed from the first message not delivered, after a
failure (the adapter reports how many went out) and after a crash (the row's count is written
before each next message goes out).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import os
import socket
import uuid
from typing import Mapping

from bot.adapters.base import Adapter, DeliveryError, RateLimited, TargetDeleted, TargetGone, TargetMoved, TransientError
from bot.clock import Clock
from bot.config import DeliverySettings
from bot.delivery.limits import RatePlan
from bot.delivery.outbox import EXHAUSTED, PRUNE_CHUNK, Claimed, GiveUp, Gone, Moved, Outbox, Outcome, Retry, Sent
from bot.failures import RetriedFailures
from content.store.engine import failure_reason

log = logging.getLogger(__name__)

_TRANSIENT = (TransientError, asyncio.TimeoutError, ConnectionError)
_PRUNE_SECONDS = 3600.0  # how often old outbox rows are deleted


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def worker_running(owner: str) -> bool:
    """Whether the worker `worker_name()` named `owner` is another process running on this machine.
    Asked at start, before this process claims anything: a lease naming its own pid is an earlier
    process's that had the same one (a container starts its program as pid 1 each time)."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) in (0, os.getpid()):
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's: it exists
        return True
    return True


class DeliveryWorker:
    def __init__(
        self,
        outbox: Outbox,
        adapters: Mapping[str, Adapter],
        clock: Clock,
        settings: DeliverySettings,
        plan: RatePlan,
        owner: str | None = None,
    ):
        self._outbox = outbox
        self._adapters = adapters
        self._clock = clock
        self._settings = settings
        self._plan = plan
        self.owner = owner or worker_name()
        self._in_flight: set[asyncio.Task] = set()
        self._outcomes: list[Outcome] = []
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._room = asyncio.Event()  # set when half the in-flight sends have finished
        self._held_until: dict[int, float] = {}  # target id → end of a 429 seen by this worker
        self._platform_held_until: dict[str, float] = {}  # platform → end of a limit on all its targets
        # target id → why this worker found it gone, and the last claim made before the database knew
        # (rows claimed later are of a chat revived since: it wrote to the bot again)
        self._gone: dict[int, tuple[str, float]] = {}
        self._claims = 0  # claims so far
        self._leases: dict[int, float] = {}  # row id → end of its lease, for the rows being sent
        self._next_prune = 0.0
        self._failures = RetriedFailures(log, "delivery worker: claiming or recording")

    def notify(self) -> None:
        """Something was queued: look now instead of at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping.is_set():
            if not await self._try_step():
                await self._clock.sleep(self._settings.poll_seconds)
            await self._wait()
        await self._drain()

    async def _try_step(self) -> bool:
        """A step; whether it worked. A failure (the database went away for a moment) is logged, and
        the outcomes are kept for the next step."""
        try:
            await self.step()
        except Exception as error:
            self._failures.failed(error, f"retrying every {self._settings.poll_seconds:g}s")
            return False
        self._failures.succeeded()
        return True

    async def run_until_idle(self, max_steps: int = 100_000) -> None:
        """Deliver until nothing is due or in flight (tests and the bench drive time with a ManualClock)."""
        for _ in range(max_steps):
            claimed = await self.step()
            if not claimed and not self._in_flight:
                await self._flush()
                due = await self._outbox.next_due(list(self._adapters))
                if due is None:
                    return
                await self._clock.sleep(due - self._clock.now().timestamp())
                continue
            await self._wait()
        raise RuntimeError("delivery did not settle")

    async def step(self) -> int:
        """Record finished sends, then claim more if there is room; returns how many were claimed."""
        await self._flush()
        await self._renew_leases()
        await self._prune()
        # sends that finished during the flush are not recorded yet: a crash now would resend them too
        room = self._settings.max_in_flight - len(self._in_flight) - len(self._outcomes)
        if self._stopping.is_set() or len(self._in_flight) > self._settings.max_in_flight // 2 or room <= 0:
            return 0  # claims wait until half the limit is free, so they come in batches
        claimed = 0
        lookahead = max(self._settings.poll_seconds, 1.0)
        for platform in self._adapters:
            self._claims += 1
            batch = await self._outbox.claim(self.owner, platform, min(room - claimed, self._settings.batch_size), lookahead)
            for item in batch:
                self._leases[item.id] = item.send_at + self._settings.lease_seconds
                task = asyncio.create_task(self._deliver(item, self._claims))
                self._in_flight.add(task)
                task.add_done_callback(self._finished)
            claimed += len(batch)
            if claimed >= room:
                break
        return claimed

    def _finished(self, task: asyncio.Task) -> None:
        self._in_flight.discard(task)
        if len(self._in_flight) <= self._settings.max_in_flight // 2:
            self._room.set()

    async def _wait(self) -> None:
        """Until there is room to claim a batch (recording outcomes a batch at a time), or new work, or a poll."""
        if len(self._in_flight) > self._settings.max_in_flight // 2:
            self._room.clear()
            try:
                await asyncio.wait_for(self._room.wait(), self._settings.poll_seconds)
            except asyncio.TimeoutError:
                pass
            return
        if self._in_flight:
            await asyncio.wait(set(self._in_flight), timeout=self._settings.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
            return
        if self._stopping.is_set():
            return
        self._wake.clear()
        waiters = {asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(self._clock.sleep(self._settings.poll_seconds))}
        _, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for waiter in pending:
            waiter.cancel()

    async def _drain(self) -> None:
        """Finish the sends in flight and write down how they went; with the database away, the rows not
        written down keep their leases and go again after a restart, as after a crash."""
        while self._in_flight:
            await self._wait()
            await self._try_step()
        try:
            await self._flush()
        except Exception as error:
            log.warning(
                "delivery worker: stopping with %d sends not written down (%s): their messages may go again at the next start",
                len(self._outcomes), failure_reason(error),
            )

    async def _renew_leases(self) -> None:
        """Keep the rows being sent leased, however long their sends take (a platform's 429 waited
        out, a long digest paced message by message): else another worker would send them too."""
        now = self._clock.now().timestamp()
        ending = [row_id for row_id, until in self._leases.items() if until - now < self._settings.lease_seconds / 2]
        if ending:
            until = await self._outbox.renew_leases(self.owner, ending)
            self._leases.update(dict.fromkeys(ending, until))

    async def _prune(self) -> None:
        """Delete old outbox rows a chunk at a time, between claims, until none is left; then again in an hour."""
        now = self._clock.now().timestamp()
        if now < self._next_prune:
            return
        deleted = await self._outbox.prune(now - self._settings.keep_days * 86400)
        self._next_prune = now if deleted == PRUNE_CHUNK else now + _PRUNE_SECONDS

    async def _flush(self) -> None:
        outcomes, self._outcomes = self._outcomes, []
        try:
            await self._outbox.record(self.owner, outcomes)
        except BaseException:
            self._outcomes[:0] = outcomes  # keep them for the next attempt
            raise
        for outcome in outcomes:
            if isinstance(outcome, Gone):
                self._gone[outcome.target_id] = (outcome.error, self._claims)

    async def _deliver(self, item: Claimed, claim: int) -> None:
        try:
            await self._deliver_claimed(item, claim)
        finally:
            del self._leases[item.id]

    async def _deliver_claimed(self, item: Claimed, claim: int) -> None:
        delay = item.send_at - self._clock.now().timestamp()
        if delay > 0:
            await self._clock.sleep(delay)
        why, found_in = self._gone.get(item.target_id, ("", 0))
        if claim <= found_in:  # a sibling found the chat gone while this one waited for its slot
            # only the row: the sibling's Gone deactivates the chat, which may have been revived since
            self._outcomes.append(GiveUp(item.id, "dead", why, item.attempts))
            return
        held_until = max(self._held_until.get(item.target_id, 0.0), self._platform_held_until.get(item.target.platform, 0.0))
        if held_until > self._clock.now().timestamp():  # a sibling hit a 429 while this one waited for its slot
            held = Retry(item.id, held_until, "held back by a rate limit", item.attempts, item.parts_sent, item.target_id)
            self._outcomes.append(held)
            return
        outcome = await self._send(item)  # not append(await …): _flush may swap the list meanwhile
        if isinstance(outcome, Gone):
            self._found_gone(item, claim, outcome)
        self._outcomes.append(outcome)

    def _found_gone(self, item: Claimed, claim: int, gone: Gone) -> None:
        """Told once per chat: its other rows sent at the same time find it gone too."""
        _, found_in = self._gone.get(item.target_id, ("", 0))
        if claim > found_in:
            if gone.deleted:
                log.warning("%s was deleted (%s): its subscriptions are dropped", item.target.named(), gone.error)
            else:
                log.warning(
                    "%s is gone (%s): its subscriptions are paused and its waiting messages given up until it comes back",
                    item.target.named(), gone.error,
                )
        self._gone[item.target_id] = (gone.error, math.inf)

    async def _send(self, item: Claimed) -> Outcome:
        try:
            progress = functools.partial(self._save_progress, item.id)
            await self._adapters[item.target.platform].send(item.target, item.reply, skip=item.parts_sent, progress=progress)
            return Sent(item.id)
        except RateLimited as error:
            at = self._clock.now().timestamp() + error.retry_after
            parts_sent = _parts_sent(item, error)
            if error.platform_wide:
                log.info("%s: every chat's messages wait %g s: %s", item.target.platform, error.retry_after, error)
                self._platform_held_until[item.target.platform] = at
                return Retry(item.id, at, str(error), item.attempts, parts_sent, platform=item.target.platform)
            log.info("%s is rate limited: its messages wait %g s", item.target.named(), error.retry_after)
            self._held_until[item.target_id] = at
            return Retry(item.id, at, str(error), item.attempts, parts_sent, target_id=item.target_id)
        except TargetMoved as error:
            return Moved(item.id, item.target_id, error.new_chat, item.attempts, _parts_sent(item, error))
        except TargetGone as error:
            return Gone(item.target_id, str(error) or type(error).__name__, deleted=isinstance(error, TargetDeleted))
        except _TRANSIENT as error:
            attempts = item.attempts + 1
            message = str(error) or type(error).__name__
            if attempts >= self._settings.max_attempts:  # past it, a digest the outbox tries again all the same, told there
                if attempts == self._settings.max_attempts:
                    log.warning("gave up outbox row %s to %s after %d attempts: %s", item.id, item.target.named(), attempts, message)
                return GiveUp(item.id, EXHAUSTED, message, attempts)
            at = self._clock.now().timestamp() + self._plan.backoff(attempts)
            return Retry(item.id, at, message, attempts, _parts_sent(item, error))
        except DeliveryError as error:  # the platform can never take this message: retrying will not help
            log.warning("delivery of outbox row %s to %s refused: %s", item.id, item.target.named(), error)
            return GiveUp(item.id, "failed", f"{type(error).__name__}: {error}", item.attempts + 1)
        except Exception as error:  # a bug: retrying will not help either
            log.exception("delivery of outbox row %s failed", item.id)
            return GiveUp(item.id, "failed", f"{type(error).__name__}: {error}", item.attempts + 1)

    async def _save_progress(self, row_id: int, parts_sent: int) -> None:
        try:
            await self._outbox.save_progress(row_id, self.owner, parts_sent)
        except Exception:  # the send goes on; only a crash before the next write would repeat these messages
            log.warning("delivery of outbox row %s: could not save its progress", row_id, exc_info=True)


def _parts_sent(item: Claimed, error: BaseException) -> int:
    """Messages of the row's reply delivered after this failure; only adapters' DeliveryErrors report progress."""
    reported = error.sent if isinstance(error, DeliveryError) else 0
    return max(item.parts_sent, reported)
