"""Fan-out and delivery: matching 100,000 subscriptions, sending through python-telegram-bot,
staying inside Telegram's limits, and the worker's memory.

Run: python bench/fanout.py [--subscriptions 100000] [--articles 100000] [--skip-rss]

1. A new article matched against --subscriptions subscriptions and its messages queued, through
   FanOut.run_once (goal <= 1 s); baseline in the same run: a linear scan of the same subscriptions.
2. Delivery through TelegramAdapter (the real python-telegram-bot client) to the fake Bot API of
   tests/fake_telegram.py over loopback, limits lifted (goal >= 1,000 messages/s); baseline: the
   same adapter sending the same messages one after another, without the outbox.
3. With Telegram's real limits, against a fake that answers 429 to any message over them: achieved
   rate against the allowed 30/s (goal >= 95%, zero 429s).
4. Peak RSS over a database of --articles articles and --subscriptions subscriptions (goal <= 200 MB):
   of the real `newsbot run` (Telegram token, fake Bot API in another process) while it loads the
   subscriptions, fans fresh articles out and delivers, and of `python -m bot.delivery --fanout`.
All data is generated (fixed seed), in temporary SQLite files; nothing touches the network.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import sqlalchemy as sa  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from bot.adapters.telegram import TelegramAdapter  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.config import DeliverySettings, PlatformLimits, TelegramSettings  # noqa: E402
from bot.delivery import tables  # noqa: E402
from bot.delivery.db import migrate  # noqa: E402
from bot.delivery.limits import RatePlan  # noqa: E402
from bot.delivery.outbox import Outbox, target_ids  # noqa: E402
from bot.delivery.worker import DeliveryWorker  # noqa: E402
from bot.model import Reply, Target  # noqa: E402
from bot.subscriptions.fanout import FanOut  # noqa: E402
from bot.subscriptions.matching import ArticleWords, WordQuery  # noqa: E402
from bot.subscriptions.store import SubscriptionStore  # noqa: E402
from content.model import Article  # noqa: E402
from content.store import Store  # noqa: E402
from content.tagging import SECTORS, Tagger, region_scope  # noqa: E402
from aiohttp import web  # noqa: E402
from fake_telegram import Call, FakeTelegram, _error, _read_params  # noqa: E402

SEED = 20261129
COUNTRIES = ["KE", "NG", "EG", "ZA", "GH", "ET", "TZ", "UG", "RW", "SN", "TH", "VN", "ID", "PH", "MY", "SG", "IN",
             "PK", "BD", "LK", "CN", "JP", "KR", "BR", "CL", "MX", "CO", "PE", "AR", "DE", "FR", "GB", "PL", "ES",
             "IT", "US", "CA", "AU", "NZ", "TR", "SA", "AE", "MA", "TN", "DZ", "UA", "RO", "CZ", "HU", "PT"]
REGIONS = ["africa", "eastern-africa", "asean", "europe", "south-eastern-asia"]
WORDS = ["smart", "grid", "solar", "battery", "school", "vaccine", "drone", "farm", "satellite", "robot", "port",
         "rail", "mine", "bank", "chip", "water", "wind", "hydrogen", "clinic", "crop"]
FREE = PlatformLimits(per_chat_seconds=0, per_group_seconds=0, per_second=0)
IN_FLIGHT = 64  # sends the worker keeps going; more queue for the adapter's connections, fewer leave them idle between claims
TOKEN = "123456:" + "BENCH-TOKEN"


def timed(label: str, seconds: float, extra: str = "") -> None:
    print(f"  {label:<44} {seconds * 1000:9.1f} ms {extra}")


# ---- 1. matching and queueing ------------------------------------------------------------------------------


def subscription_rows(count: int, rng: random.Random) -> list[tuple[str, str]]:
    sectors = list(SECTORS)
    rows = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.4:
            rows.append(("sector", rng.choice(sectors)))
        elif roll < 0.8:
            rows.append(("country", rng.choice(COUNTRIES)))
        elif roll < 0.9:
            rows.append(("region", rng.choice(REGIONS)))
        else:
            rows.append(("query", " ".join(rng.sample(WORDS, 2))))
    return rows


async def add_subscriptions(
    store: Store, count: int, created: datetime, rows: list[tuple[str, str]] | None = None
) -> list[tuple[str, str]]:
    """Instant subscriptions made now: they get the articles stored from here on."""
    rows = rows or subscription_rows(count, random.Random(SEED))
    start = await store.position()
    async with store.engine.begin() as connection:
        await connection.execute(tables.targets.insert(), [{"platform": "telegram", "chat": str(10_000 + n)} for n in range(count)])
        ids = (await connection.execute(sa.select(tables.targets.c.id).order_by(tables.targets.c.id))).scalars().all()
        await connection.execute(tables.subscriptions.insert(), [
            {"target_id": target_id, "kind": kind, "value": value, "cadence": "instant", "created_at": created.timestamp(),
             "covered_seq": start}
            for target_id, (kind, value) in zip(ids, rows)
        ])
    return rows


def linear_scan(rows: list[tuple[str, str]], article: Article) -> int:
    """The baseline: every subscription checked against the article."""
    words = ArticleWords(article)
    matched = 0
    for kind, value in rows:
        if kind == "sector":
            matched += value in article.sectors
        elif kind == "country":
            matched += value in article.countries
        elif kind == "region":
            countries, regions = region_scope(value)
            matched += bool(regions & set(article.regions) or countries & set(article.countries))
        else:
            matched += WordQuery.of(value).matches(words)
    return matched


async def bench_matching(count: int, folder: Path) -> None:
    print(f"1. a new article against {count:,} subscriptions")
    store = await Store.open(f"sqlite:///{folder / 'match.db'}")
    await migrate(store.engine)
    clock = SystemClock()
    start = clock.now() - timedelta(minutes=1)
    rows = await add_subscriptions(store, count, start - timedelta(hours=1))
    tagger = Tagger.from_settings()
    outbox = Outbox(store.engine, clock, RatePlan(DeliverySettings()))
    fanout = FanOut(store, SubscriptionStore(store.engine), outbox, tagger, clock)
    began = time.perf_counter()
    index = await fanout.index()
    timed("load and index subscriptions (once)", time.perf_counter() - began, f"{len(index):,} instant")
    await fanout.run_once()  # sets the cursor
    now = clock.now()
    article = Article(
        id="bench-article", url="https://news.example/bench", title="Kenya builds a smart grid with solar farms",
        sources=("Bench",), published=now, fetched=now, text="Utilities add battery storage.", summary="A grid story.",
        sectors=("energy",), countries=("KE",), regions=("eastern-africa", "africa"),
    )
    await store.add([article])
    seq = await store.position()
    began = time.perf_counter()
    matched = linear_scan(rows, article)
    baseline = time.perf_counter() - began
    began = time.perf_counter()
    targets = index.targets_for(article, seq)
    indexed = time.perf_counter() - began
    assert len(targets) == matched, (len(targets), matched)
    timed("match, linear scan (baseline)", baseline, f"{matched:,} match")
    timed("match, index", indexed, f"{baseline / indexed:,.0f}x faster")
    began = time.perf_counter()
    queued = await fanout.run_once()
    total = time.perf_counter() - began
    timed("FanOut.run_once: read, match, queue", total, f"{queued:,} rows queued")
    print(f"  goal <= 1 s: {'ok' if total <= 1 else 'MISSED'}")
    await store.close()
    await worst_case(count, folder)


async def worst_case(count: int, folder: Path) -> None:
    """Every subscription names the article's sector: one row per subscriber."""
    store = await Store.open(f"sqlite:///{folder / 'everyone.db'}")
    await migrate(store.engine)
    clock = SystemClock()
    await add_subscriptions(store, count, clock.now() - timedelta(hours=1), [("sector", "energy")] * count)
    fanout = FanOut(store, SubscriptionStore(store.engine), Outbox(store.engine, clock, RatePlan(DeliverySettings())),
                    Tagger.from_settings(), clock)
    await fanout.run_once()
    now = clock.now()
    await store.add([Article(
        id="bench-everyone", url="https://news.example/everyone", title="Energy for all", sources=("Bench",),
        published=now, fetched=now, text="Text.", summary="Text.", sectors=("energy",),
    )])
    began = time.perf_counter()
    queued = await fanout.run_once()
    total = time.perf_counter() - began
    timed("worst case: every subscriber matches", total, f"{queued:,} rows queued")
    await store.close()


# ---- 2. and 3. delivery through python-telegram-bot --------------------------------------------------------


class EnforcingFakeTelegram(FakeTelegram):
    """Answers 429 to any sendMessage over Telegram's limits: 1/s per private chat, 20/min per group, 30/s."""

    def __init__(self, token: str):
        super().__init__(token)
        self.rejected = 0
        self._last_by_chat: dict[str, float] = {}
        self._recent: deque[float] = deque()

    async def _dispatch(self, request):
        if request.match_info["method"] != "sendMessage":
            return await super()._dispatch(request)
        params = await _read_params(request)  # the body can be read once: answer here, not in super()
        chat, now = str(params.get("chat_id")), time.monotonic()
        gap = 3.0 if chat.startswith(("-", "@")) else 1.0
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if now - self._last_by_chat.get(chat, -1e9) < gap or len(self._recent) >= 30:
            self.rejected += 1
            return _error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        self._last_by_chat[chat] = now
        self._recent.append(now)
        call = Call("sendMessage", params, result=await self._api_sendMessage(params))
        await self._record(call)
        return web.json_response({"ok": True, "result": call.result})


async def deliver(store: Store, adapter: TelegramAdapter, settings: DeliverySettings, chats: int, per_chat: int) -> float:
    clock = SystemClock()
    plan = RatePlan(settings)
    outbox = Outbox(store.engine, clock, plan)
    async with store.engine.begin() as connection:
        ids = await target_ids(connection, [Target("telegram", str(20_000 + n)) for n in range(chats)])
        for n in range(per_chat):
            await outbox.enqueue_for(connection, list(ids.values()), f"bench-{n}", Reply(text=f"Message {n} & <more>"))
    worker = DeliveryWorker(outbox, {"telegram": adapter}, clock, settings, plan)
    began = time.perf_counter()
    await worker.run_until_idle()
    elapsed = time.perf_counter() - began
    counts = await outbox.counts()
    assert counts == {"sent": chats * per_chat}, counts
    return elapsed


async def serve_fake_telegram(port_file: Path) -> None:
    """Run the fake Bot API in this process until killed (the bench's other process, so client and server
    each get a core, as with the real Telegram)."""
    async with FakeTelegram(TOKEN) as fake:
        port_file.write_text(str(fake.port))
        await asyncio.Event().wait()


def start_fake_telegram(folder: Path) -> tuple[subprocess.Popen, str]:
    port_file = folder / "fake-telegram.port"
    port_file.unlink(missing_ok=True)  # an earlier server's
    server = subprocess.Popen([sys.executable, __file__, "--serve-fake-telegram", str(port_file)])
    deadline = time.monotonic() + 30
    while not port_file.exists() or not port_file.read_text():
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            raise RuntimeError("the fake Bot API did not start")
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port_file.read_text()}/bot"


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def bench_telegram(folder: Path) -> None:
    print("2. delivery through python-telegram-bot to the fake Bot API (another process), limits lifted")
    server, base_url = start_fake_telegram(folder)
    try:
        adapter = TelegramAdapter(TelegramSettings(token=SecretStr(TOKEN), base_url=base_url), commands=[], limits=FREE)
        await adapter.connect()
        try:
            sequential = 1000
            began, cpu = time.perf_counter(), time.process_time()
            for n in range(sequential):
                await adapter.send(Target("telegram", str(30_000 + n)), Reply(text=f"Message {n}"))
            baseline = sequential / (time.perf_counter() - began)
            baseline_cpu = (time.process_time() - cpu) / sequential
            store = await Store.open(f"sqlite:///{folder / 'deliver.db'}")
            await migrate(store.engine)
            messages = 5000
            settings = DeliverySettings(telegram=FREE, max_in_flight=IN_FLIGHT, batch_size=IN_FLIGHT)
            cpu, server_cpu = time.process_time(), cpu_seconds(server.pid)
            elapsed = await deliver(store, adapter, settings, chats=500, per_chat=10)
            client_cpu = (time.process_time() - cpu) / messages
            server_cpu = (cpu_seconds(server.pid) - server_cpu) / messages
            await store.close()
        finally:
            await adapter.disconnect()
    finally:
        server.kill()
        server.wait()
    rate = messages / elapsed
    print(f"  one send after another (baseline): {baseline:8,.0f} msg/s  (client CPU {baseline_cpu * 1000:.2f} ms/msg)")
    print(f"  outbox + worker ({IN_FLIGHT} in flight):    {rate:8,.0f} msg/s  ({rate / baseline:.1f}x baseline)  "
          f"goal >= 1,000: {'ok' if rate >= 1000 else 'MISSED'}")
    print(f"  CPU per message: newsbot process {client_cpu * 1000:.2f} ms (python-telegram-bot/aiohttp plus the worker), "
          f"fake server {server_cpu * 1000:.2f} ms")

    print("3. real limits (30/s overall, 1/s per chat) against a fake that enforces them")
    async with EnforcingFakeTelegram(TOKEN) as fake:
        settings = TelegramSettings(token=SecretStr(TOKEN), base_url=fake.base_url)
        adapter = TelegramAdapter(settings, commands=[], limits=DeliverySettings().telegram)
        await adapter.connect()
        try:
            store = await Store.open(f"sqlite:///{folder / 'limited.db'}")
            await migrate(store.engine)
            chats, per_chat = 60, 6
            elapsed = await deliver(store, adapter, DeliverySettings(), chats=chats, per_chat=per_chat)
            await store.close()
        finally:
            await adapter.disconnect()
    achieved = chats * per_chat / elapsed
    print(f"  {chats * per_chat} messages in {elapsed:.2f} s: {achieved:.1f} msg/s = {achieved / 30:.1%} of the allowed 30/s; "
          f"429s: {fake.rejected}  goal >= 95%, zero 429s: {'ok' if achieved >= 28.5 and not fake.rejected else 'MISSED'}")


# ---- 4. memory ---------------------------------------------------------------------------------------------


def generated_article(n: int, fetched: datetime, rng: random.Random) -> Article:
    words = " ".join(rng.sample(WORDS, 4))
    return Article(
        id=f"rss{n}", url=f"https://news.example/rss/{n}", title=f"Story {n}: {words}", sources=("Bench",),
        published=fetched, fetched=fetched, text=f"About {words}. " * 10, summary=f"About {words}.",
        sectors=(rng.choice(list(SECTORS)),), countries=(rng.choice(COUNTRIES),),
    )


async def fill_database(url: str, articles: int, subscriptions: int) -> None:
    """Subscriptions and articles, all a month old: the history a long-running bot has."""
    store = await Store.open(url)
    await migrate(store.engine)
    rng = random.Random(SEED)
    old = datetime.now(timezone.utc) - timedelta(days=30)
    for start in range(0, articles, 2000):
        await store.add([generated_article(n, old + timedelta(microseconds=n), rng) for n in range(start, min(articles, start + 2000))])
    await add_subscriptions(store, subscriptions, old)
    await store.close()


async def add_fresh(url: str, first: int, count: int) -> None:
    """Articles fetched just now, for the fan-out to turn into messages."""
    store = await Store.open(url)
    rng, now = random.Random(first), datetime.now(timezone.utc)
    await store.add([generated_article(n, now + timedelta(microseconds=n), rng) for n in range(first, first + count)])
    await store.close()


def outbox_counts(database: Path) -> dict[str, int]:
    with closing(sqlite3.connect(database, timeout=30)) as connection:
        return dict(connection.execute("SELECT status, count(*) FROM bot_outbox GROUP BY status").fetchall())


def bench_memory(articles: int, subscriptions: int, folder: Path) -> None:
    print(f"4. peak RSS over {articles:,} articles and {subscriptions:,} subscriptions")
    database = folder / "memory.db"
    began = time.perf_counter()
    asyncio.run(fill_database(f"sqlite:///{database}", articles, subscriptions))
    print(f"  (database filled in {time.perf_counter() - began:.0f} s)")
    shutil.copy(database, folder / "run.db")
    memory_of_newsbot_run(folder / "run.db", folder, fresh=FRESH)
    memory_of_standalone_worker(database, folder, fresh=FRESH)


FRESH = 20
RUN_DELIVERY_SECONDS = 20


def memory_of_newsbot_run(database: Path, folder: Path, fresh: int) -> None:
    """The real `newsbot run` with a Telegram token pointing at the fake Bot API (another process): it loads
    the subscriptions, fans the fresh articles out and delivers for a while, then gets SIGTERM."""
    asyncio.run(add_fresh(f"sqlite:///{database}", 10_000_000, fresh))
    server, base_url = start_fake_telegram(folder)
    config = folder / "run.yaml"
    config.write_text(
        f"storage: {{url: 'sqlite:///{database}'}}\nsources: []\n"
        f"telegram: {{token: '${{NEWSBOT_BENCH_TOKEN}}', base_url: '{base_url}'}}\n"
        "delivery:\n  telegram: {per_chat_seconds: 0, per_group_seconds: 0, per_second: 0}\n"
        "  fanout_seconds: 0.5\n  poll_seconds: 0.5\n"
    )
    log = folder / "run.log"
    began = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(config), "run"], cwd=ROOT, stdin=subprocess.DEVNULL,
            stdout=output, stderr=output, env={**os.environ, "NEWSBOT_BENCH_TOKEN": TOKEN},
        )
    peak_rss = PeakRss(process.pid)
    try:
        queued, delivering_since = wait_for_fanout(database, process, log)
        time.sleep(RUN_DELIVERY_SECONDS)
        process.send_signal(signal.SIGTERM)
        status = process.wait()
    except BaseException:
        process.kill()
        raise
    finally:
        server.kill()
        server.wait()
    if status:
        raise RuntimeError(f"newsbot run failed with status {status}; see {log}")
    counts = outbox_counts(database)
    peak = peak_rss.megabytes()
    print(f"  newsbot run: fanned {fresh} new articles out into {queued:,} messages in {delivering_since - began:.1f} s "
          f"(start included), then sent {counts.get('sent', 0):,} in {RUN_DELIVERY_SECONDS} s before SIGTERM")
    print(f"  newsbot run: peak RSS {peak:.0f} MB  goal <= 200 MB: {'ok' if peak <= 200 else 'MISSED'}")


class PeakRss:
    """A process's peak resident memory, read from /proc (VmHWM) until it exits. Not ru_maxrss from
    wait4: Linux carries that over from the forking parent, this benchmark, whose own size it then shows."""

    def __init__(self, pid: int):
        self._status, self._kilobytes = Path(f"/proc/{pid}/status"), 0
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while True:
            try:
                lines = self._status.read_text().splitlines()
            except OSError:
                return
            peak = [line for line in lines if line.startswith("VmHWM:")]
            if not peak:  # exited, not yet reaped
                return
            self._kilobytes = int(peak[0].split()[1])
            time.sleep(0.05)

    def megabytes(self) -> float:
        self._thread.join()
        return self._kilobytes / 1024


def wait_for_fanout(database: Path, process: subprocess.Popen, log: Path, timeout: float = 600) -> tuple[int, float]:
    """Until the outbox stops growing (the fan-out is done): (messages queued, when)."""
    deadline, last, steady = time.monotonic() + timeout, -1, 0
    while steady < 4:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"newsbot run stopped or never fanned out:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)
        try:
            total = sum(count for status, count in outbox_counts(database).items() if status != "bundled")  # no message of its own
        except sqlite3.OperationalError:  # the tables are not there yet
            continue
        steady = steady + 1 if total == last and total else 0
        last = total
    return last, time.perf_counter()


def memory_of_standalone_worker(database: Path, folder: Path, fresh: int) -> None:
    """`python -m bot.delivery --fanout` into a recording adapter: the delivery machinery without a chat client."""
    asyncio.run(add_fresh(f"sqlite:///{database}", 20_000_000, fresh))
    config = folder / "config.yaml"
    config.write_text(f"storage: {{url: 'sqlite:///{database}'}}\nsources: []\ndelivery:\n  telegram: {{per_chat_seconds: 0, per_group_seconds: 0, per_second: 0}}\n")
    record = folder / "delivered.jsonl"
    command = [sys.executable, "-m", "bot.delivery", "--config", str(config), "--record", str(record),
               "--fanout", "--fanout-interval", "0.5", "--exit-when-idle", "2"]
    began = time.perf_counter()
    worker = subprocess.Popen(command, cwd=ROOT)
    peak_rss = PeakRss(worker.pid)
    if status := worker.wait():
        raise RuntimeError(f"the delivery process failed with status {status}")
    peak = peak_rss.megabytes()
    delivered = sum(1 for _ in record.open())
    print(f"  standalone worker: fanned {fresh} new articles out into {delivered:,} messages and delivered them "
          f"in {time.perf_counter() - began:.1f} s")
    print(f"  standalone worker: peak RSS {peak:.0f} MB  goal <= 200 MB: {'ok' if peak <= 200 else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--skip-rss", action="store_true", help="skip the memory run (it fills a large database)")
    parser.add_argument("--serve-fake-telegram", metavar="PORT_FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake_telegram:
        asyncio.run(serve_fake_telegram(Path(args.serve_fake_telegram)))
        return
    with tempfile.TemporaryDirectory(prefix="newsbot-fanout-") as directory:
        folder = Path(directory)
        asyncio.run(bench_matching(args.subscriptions, folder))
        asyncio.run(bench_telegram(folder))
        if not args.skip_rss:
            bench_memory(args.articles, args.subscriptions, folder)


if __name__ == "__main__":
    main()
