"""`newsbot run --deliver-only`: refused on SQLite; on PostgreSQL it delivers without taking input or fetching."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import run_newsbot
from bot.cli import main
from bot.config import parse_config
from content.store import Store


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
