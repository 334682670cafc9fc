"""Opening what the bot runs on from its config: the store (with the bot's tables), the tagger, and
a first fill of an empty store."""

from __future__ import annotations

import logging

from bot.config import Config
from bot.delivery.db import migrate as migrate_bot_tables
from content.ingest import ingest_once
from content.store import Store
from content.tagging import Tagger

log = logging.getLogger(__name__)


async def open_content(config: Config) -> tuple[Store, Tagger]:
    """Open the configured store (with the bot's own tables migrated too) and the tagger.

    Raises content.store.StorageError when the store cannot be opened.
    """
    tagger = Tagger.from_settings(config.taxonomy)
    store = await Store.open(config.storage.url)
    try:
        await migrate_bot_tables(store.engine)
    except BaseException:
        await store.close()
        raise
    return store, tagger


async def fill_if_empty(store: Store, config: Config, tagger: Tagger) -> bool:
    """Fetch the configured sources once into an empty store, so a fresh machine has the bundled
    articles to show; returns whether it fetched."""
    if await store.count_by_source():
        return False
    log.info("the store is empty: fetching the configured sources once")
    report = await ingest_once(store, config.sources, tagger)
    for failed in report.failed:
        log.warning("source %s failed: %s", failed.name, failed.error)
    log.info("stored %d new articles", report.new)
    return True
