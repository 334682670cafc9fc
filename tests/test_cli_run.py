"""`newsbot run`: the first run fetches each source once; `--deliver-only` is refused on SQLite, and on PostgreSQL
it delivers without taking input or fetching."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.app import run_newsbot, running_summary
from bot.cli import main
from bot.cli.run import _stopped_by_signals
from bot.config import parse_config
from bot.startup import fill_if_empty, open_content
from content.store import Store
from feedserver import FeedServer
from helpers_content import sample_article
from run_helpers import ROOT, wait_exit, wait_until


def test_deliver_only_is_refused_on_sqlite(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text(f"storage: {{url: 'sqlite:///{tmp_path / 'news.db'}'}}\n")
    assert main(["--config", str(config), "run", "--deliver-only"]) == 2
    assert "--deliver-only needs PostgreSQL" in capsys.readouterr().err


async def test_deliver_only_fetches_nothing_and_stops_on_request(database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("--deliver-only is for PostgreSQL")
    config = parse_config(f"storage: {{url: '{database_url}'}}\n", environ={})
    stop = asyncio.Event()
    running = asyncio.create_task(run_newsbot(config, stop, deliver_only=True))
    await asyncio.sleep(1.0)
    assert not running.done()
    stop.set()
    await asyncio.wait_for(running, timeout=15)
    store = await Store.open(database_url)
    try:
        assert await store.count_by_source() == {}  # the bundled source was not ingested
    finally:
        await store.close()


async def test_the_first_run_fetches_each_source_once(tmp_path, monkeypatch):
    from content import ingest

    fetched = []
    fetch_source = ingest.fetch_source

    async def counting_fetch(source, *args, **kwargs):
        fetched.append(source.name)
        return await fetch_source(source, *args, **kwargs)

    monkeypatch.setattr(ingest, "fetch_source", counting_fetch)
    config = parse_config(f"storage: {{url: 'sqlite:///{tmp_path / 'news.db'}'}}\n", environ={})
    read_end, write_end = os.pipe()
    with os.fdopen(read_end) as console_input, open(os.devnull, "w") as console_output:
        running = asyncio.create_task(
            run_newsbot(config, asyncio.Event(), console_input=console_input, console_output=console_output)
        )
        await asyncio.sleep(1.0)  # the ingest loop is running by now
        os.close(write_end)  # the console session ends, and with it the run
        await asyncio.wait_for(running, timeout=15)
    assert fetched == ["newsbot demo"]  # filled the empty store, and the loop waits an interval before the next fetch


async def test_the_configured_statement_timeout_holds_on_the_postgresql_connections(postgresql_url):
    config = parse_config(f"storage: {{url: '{postgresql_url}', statement_timeout_seconds: 5}}\n", environ={})
    store, _tagger = await open_content(config)
    try:
        async with store.engine.connect() as connection:
            assert await connection.scalar(sa.text("SHOW statement_timeout")) == "5s"
    finally:
        await store.close()


async def test_a_feed_that_does_not_answer_does_not_hold_up_the_first_start(tmp_path):
    server = FeedServer()
    await server.start()
    try:
        config = parse_config(
            f"storage: {{url: 'sqlite:///{tmp_path / 'news.db'}'}}\n"
            f"sources:\n - {{kind: bundled, name: demo}}\n - {{kind: feed, name: stuck, url: '{server.url('/slow')}', timeout: 60}}\n",
            environ={},
        )
        read_end, write_end = os.pipe()
        output = tmp_path / "console.txt"
        with os.fdopen(read_end) as console_input, output.open("w") as console_output:
            running = asyncio.create_task(
                run_newsbot(config, asyncio.Event(), console_input=console_input, console_output=console_output)
            )
            try:
                os.write(write_end, b"/latest 1\n")
                async with asyncio.timeout(30):
                    while "Latest" not in output.read_text():
                        await asyncio.sleep(0.05)
                answered_while_the_feed_hung = server.slow_answered == 0
            finally:
                os.close(write_end)  # the console session ends, and with it the run
                await asyncio.wait_for(running, timeout=15)
            assert answered_while_the_feed_hung  # from the bundled articles
        assert server.hits["/slow"] == 1  # the ingest loop started with the feed
    finally:
        await server.close()


async def test_a_console_that_fails_ends_the_run_instead_of_hanging(tmp_path, monkeypatch):
    from bot.adapters.console import ConsoleAdapter

    async def broken_listen(self, handle):
        raise RuntimeError("the console broke")

    monkeypatch.setattr(ConsoleAdapter, "listen", broken_listen)
    config = parse_config(f"storage: {{url: 'sqlite:///{tmp_path / 'news.db'}'}}\n", environ={})
    with open(os.devnull) as console_input, open(os.devnull, "w") as console_output:
        running = run_newsbot(config, asyncio.Event(), console_input=console_input, console_output=console_output)
        with pytest.raises(RuntimeError, match="the console broke"):
            await asyncio.wait_for(running, timeout=15)


@pytest.mark.parametrize("typed, ended", [("", True), ("quit\n", False)])
async def test_a_run_whose_console_input_ends_says_so_before_it_stops(tmp_path, caplog, typed, ended):
    caplog.set_level(logging.INFO, logger="bot.app")
    config = parse_config(f"storage: {{url: 'sqlite:///{tmp_path / 'news.db'}'}}\n", environ={})
    (tmp_path / "typed.txt").write_text(typed)
    with open(tmp_path / "typed.txt") as console_input, open(tmp_path / "shown.txt", "w") as console_output:
        await asyncio.wait_for(run_newsbot(config, asyncio.Event(), console_input=console_input, console_output=console_output), 15)
    said = [record.getMessage() for record in caplog.records if "input ended" in record.getMessage()]
    assert said == (["the console's input ended, so newsbot stops (with a Telegram or Discord token it runs without one)"] if ended else [])
    assert (tmp_path / "shown.txt").read_text().endswith("Input ended: newsbot stops.\n") is ended


@contextmanager
def fake_telegram_in_a_thread(token: str):
    """A fake Bot API on a loop of its own: `newsbot run` wants the main thread (signal handlers)."""
    from fake_telegram import FakeTelegram

    started, running = threading.Event(), {}

    async def serve() -> None:
        async with FakeTelegram(token) as fake:
            running.update(url=fake.base_url, loop=asyncio.get_running_loop(), stop=asyncio.Event())
            started.set()
            await running["stop"].wait()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield running["url"]
    finally:
        running["loop"].call_soon_threadsafe(running["stop"].set)
        thread.join(10)


@pytest.mark.parametrize("argv", [["run", "--bogus"], ["chat", "--bogus"], ["ingest", "--config", "x.yaml", "--bogus"]])
def test_an_unknown_option_is_told_with_the_usage_of_its_command(argv, capsys):
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2
    told = capsys.readouterr().err
    assert told.startswith(f"usage: newsbot {argv[0]} ")
    assert told.endswith(f"newsbot {argv[0]}: error: unrecognized arguments: --bogus\n")


@pytest.mark.parametrize("argv", [["--bogus", "run"], ["--bogus", "--config", "x.yaml", "ingest", "--config", "y.yaml"]])
def test_an_unknown_option_before_the_command_is_told_with_newsbots_usage(argv, capsys):
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2
    told = capsys.readouterr().err
    assert told.startswith("usage: newsbot [-h] ")
    assert told.endswith("newsbot: error: unrecognized arguments: --bogus\n")


def test_a_rejected_token_is_one_line_and_exit_status_2(tmp_path, capsys):
    with fake_telegram_in_a_thread("123:RIGHT-TOKEN") as base_url:
        config = tmp_path / "config.yaml"
        config.write_text(
            f"storage: {{url: 'sqlite:///{tmp_path / 'news.db'}'}}\n"
            f"telegram: {{token: '123:WRONG-TOKEN', base_url: '{base_url}'}}\n"
        )
        status = main(["--config", str(config), "run"])
    error = capsys.readouterr().err
    assert status == 2
    assert error.endswith("newsbot: cannot connect to Telegram: The token `[REDACTED]` was rejected by the server.\n")
    assert "Traceback" not in error and "WRONG-TOKEN" not in error and "Unclosed" not in error


async def test_a_stop_during_the_first_fill_ends_the_run(tmp_path, monkeypatch):
    import bot.app

    started, cancelled = asyncio.Event(), asyncio.Event()

    async def endless_fill(store, config, tagger, **options):
        started.set()
        try:
            await asyncio.Event().wait()  # a feed that never answers
        except asyncio.CancelledError:
            cancelled.set()
            raise

    monkeypatch.setattr(bot.app, "fill_if_empty", endless_fill)
    config = parse_config(f"storage: {{url: 'sqlite:///{tmp_path / 'news.db'}'}}\n", environ={})
    stop = asyncio.Event()
    with open(os.devnull) as console_input, open(os.devnull, "w") as console_output:
        running = asyncio.create_task(run_newsbot(config, stop, console_input=console_input, console_output=console_output))
        await asyncio.wait_for(started.wait(), timeout=15)
        stop.set()  # SIGINT
        await asyncio.wait_for(running, timeout=15)
    assert cancelled.is_set()


async def test_a_schedule_for_a_platform_without_a_token_is_warned_of(tmp_path, caplog):
    config = parse_config(
        f"storage: {{url: 'sqlite:///{tmp_path / 'news.db'}'}}\nsources: []\n"
        "schedules:\n - {name: morning, cron: '0 8 * * *', target: {platform: telegram, chat: '@news'}}\n",
        environ={},
    )
    with open(os.devnull) as console_input, open(os.devnull, "w") as console_output:
        await asyncio.wait_for(run_newsbot(config, asyncio.Event(), console_input=console_input, console_output=console_output), 15)
    [warning] = [record.getMessage() for record in caplog.records if "has no token" in record.getMessage()]
    assert warning.startswith("schedules[0] ('morning') posts to telegram, which has no token")


async def test_the_first_screen_says_what_runs_where_its_articles_come_from_and_where_it_keeps_them(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="bot.app")
    config = parse_config(
        "storage: {url: 'postgresql://newsbot:s3cret-pw@127.0.0.1:1/newsbot'}\n"
        "sources:\n - {name: notes, kind: files, path: 'none/*.md'}\n - {name: wire, kind: feed, url: 'https://wire.example/rss'}\n"
        "schedules:\n - {name: morning, cron: '0 8 * * *', target: {platform: console, chat: c}}\n",
        environ={},
    )
    assert running_summary(config, []) == (
        "newsbot is running: console; 2 sources, 1 schedule; storage postgresql://newsbot:***@127.0.0.1:1/newsbot"
    )
    assert running_summary(config, ["telegram", "discord"], deliver_only=True) == (
        "newsbot is running: discord, telegram, delivery only; 1 schedule; storage postgresql://newsbot:***@127.0.0.1:1/newsbot"
    )

    config = parse_config(f"storage: {{url: 'sqlite:///{tmp_path / 'news.db'}'}}\nsources: []\n", environ={})
    with open(os.devnull) as console_input, open(os.devnull, "w") as console_output:
        await asyncio.wait_for(run_newsbot(config, asyncio.Event(), console_input=console_input, console_output=console_output), 15)
    [line] = [record.getMessage() for record in caplog.records if record.getMessage().startswith("newsbot is running")]
    assert line == f"newsbot is running: console; 0 sources, 0 schedules; storage sqlite:///{tmp_path / 'news.db'}"


async def test_no_sources_and_an_empty_store_are_warned_of_once_but_a_store_with_articles_is_not(tmp_path, caplog):
    config = parse_config(f"storage: {{url: 'sqlite:///{tmp_path / 'news.db'}'}}\nsources: []\n", environ={})

    async def warnings_of_a_run() -> list[str]:
        caplog.clear()
        with open(os.devnull) as console_input, open(os.devnull, "w") as console_output:
            await asyncio.wait_for(run_newsbot(config, asyncio.Event(), console_input=console_input, console_output=console_output), 15)
        return [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]

    assert await warnings_of_a_run() == [
        "no sources are configured and the store is empty, so no command will find an article "
        "until sources are added under `sources` in the config"
    ]
    store = await Store.open(config.storage.url)
    try:
        await store.add([sample_article(1, "Tidal turbines power a harbour", "A harbour runs on the tide.")])  # a chat-only process on a database another fills
    finally:
        await store.close()
    assert await warnings_of_a_run() == []


async def test_a_first_run_with_only_feeds_says_nothing_of_fetching_local_sources(tmp_path, caplog):
    """The ingest loop fetches the feeds: the first fill has nothing to do, and says nothing of "stored 0"."""
    config = parse_config(
        f"storage: {{url: 'sqlite:///{tmp_path / 'news.db'}'}}\n"
        "sources: [{name: wire, url: 'http://127.0.0.1:9/feed.xml'}]\n",
        environ={},
    )
    caplog.set_level(logging.INFO, logger="bot.startup")
    store, tagger = await open_content(config)
    try:
        assert await fill_if_empty(store, config, tagger, local_only=True) == []
    finally:
        await store.close()
    assert [record.getMessage() for record in caplog.records if record.name == "bot.startup"] == []


def importing_its_config_module(process: subprocess.Popen, log: Path) -> bool:
    """pydantic's compiled core is mapped: the process is importing bot.config, most of a second before its loop runs."""
    try:
        return "pydantic_core" in Path(f"/proc/{process.pid}/maps").read_text()
    except FileNotFoundError:  # it exited; wait_until says so
        return False


def running(process: subprocess.Popen, log: Path) -> bool:
    return "newsbot is running" in log.read_text()


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("moment", [importing_its_config_module, running], ids=["while importing", "while running"])
async def test_a_stop_signal_at_any_moment_stops_newsbot_in_order_with_exit_status_0(tmp_path, moment, signal_number):
    config, log = tmp_path / "config.yaml", tmp_path / "newsbot.log"
    config.write_text(f"storage: {{url: 'sqlite:///{tmp_path / 'news.db'}'}}\n")  # the bundled articles, on the console
    command = [sys.executable, "-m", "bot", "--config", str(config), "run"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=output
        )
    try:  # stdin stays open: the console session goes on until the signal
        await wait_until(lambda: moment(process, log), process, log, 30, moment.__name__)
        process.send_signal(signal_number)
        status = await wait_exit(process, 30)
    finally:
        process.stdin.close()
        if process.poll() is None:
            process.kill()
    errors = log.read_text()
    assert status == 0, errors
    assert "Traceback" not in errors and "KeyboardInterrupt" not in errors
    assert errors.endswith("INFO bot.app: newsbot stopped\n"), errors
    assert errors.count("newsbot stopped") == 1


def test_a_stop_signal_held_for_a_command_other_than_run_acts_as_by_default_once_released():
    from bot import stop_signals

    stop_signals.hold()
    try:
        signal.raise_signal(signal.SIGINT)  # while `newsbot news` imports
    finally:
        with pytest.raises(KeyboardInterrupt):
            stop_signals.release()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    assert not stop_signals.received()  # acted once: a run in this process later is not stopped by it


async def stopped_twice_while_shutdown_hangs() -> None:
    stop = asyncio.Event()
    with _stopped_by_signals(stop):
        signal.raise_signal(signal.SIGINT)
        await stop.wait()
        signal.raise_signal(signal.SIGINT)  # again: the shutdown below never ends
        await asyncio.wait_for(asyncio.Event().wait(), 30)


def test_a_second_stop_signal_while_newsbot_stops_ends_it_at_once():
    with pytest.raises(KeyboardInterrupt):
        asyncio.run(stopped_twice_while_shutdown_hangs())


async def run_until_stopped() -> None:
    stop = asyncio.Event()
    with _stopped_by_signals(stop):
        stop.set()


def test_a_stop_signal_after_the_loop_of_a_run_ends_it_at_once():
    from bot import stop_signals

    stop_signals.hold()  # as the newsbot command does
    try:
        asyncio.run(run_until_stopped())
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)  # asyncio.run's last steps, or the process's, hang
    finally:
        with suppress(KeyboardInterrupt):
            stop_signals.release()
