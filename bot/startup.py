"""Opening what the bot runs on from its config: the store (with the bot's tables), the tagger, and
a first fill of an empty store."""

from __future__ import annotations

import logging

from bot.config import Config
from bot.delivery.db import migrate as migrate_bot_tables
from content.ingest import ingest_once
from content.settings import FeedSource
from content.store import Store
from content.tagging import Tagger

log = logging.getLogger(__name__)


async def open_content(config: Config) -> tuple[Store, Tagger]:
    """Open the configured store (with the bot's own tables migrated too) and the tagger.

    Raises content.store.StorageError when the store cannot be opened.
    """
    tagger = Tagger.from_settings(config.taxonomy)
    store = await Store.from_settings(config.storage)
    try:
        await migrate_bot_tables(store.engine)
    except BaseException:
        await store.close()
        raise
    return store, tagger


async def fill_if_empty(store: Store, config: Config, tagger: Tagger, *, local_only: bool = False) -> list[str]:
    """Fetch the configured sources once into an empty store, so a fresh machine has the bundled
    articles to show; returns the names of the sources fetched. `local_only` leaves out the feeds,
    so a feed that does not answer cannot hold up the start."""
    if await store.count_by_source():
        return []
    sources = [source for source in config.sources if not (local_only and isinstance(source, FeedSource))]
    if not sources:
        return []
    log.info("the store is empty: fetching %s once", "the local sources" if local_only else "the configured sources")
    report = await ingest_once(store, sources, tagger)
    for failed in report.failed:
        log.warning("source %s failed: %s", failed.name, failed.error)
    log.info("stored %d new articles", report.new)
    return [source.name for source in sources]
