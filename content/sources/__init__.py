"""Where articles come from: RSS/Atom feeds, Markdown files and the bundled demo corpus.

`fetch_source` is the one entry point the ingest pipeline calls. It never raises for bad input
from a source: the problem comes back as `FetchResult.error`, and repeated failures back off
exponentially (see `content.sources.result`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timedelta
from importlib.metadata import PackageNotFoundError, version

import httpx

from content.model import SourceState
from content.settings import BundledSource, FeedSource, FilesSource, SourceSettings
from content.sources.bundled import read_bundled
from content.sources.feed import MAX_REDIRECTS, fetch_feed
from content.sources.files import read_files
from content.sources.result import MAX_BACKOFF, FetchResult, address_digest, backoff_delay

__all__ = ["FetchResult", "backoff_delay", "fetch_source", "new_http_client", "read_at_address_of", "user_agent"]

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 20.0


async def fetch_source(
    source: SourceSettings, state: SourceState, client: httpx.AsyncClient, now: datetime
) -> FetchResult:
    """Fetch one source once, unless it is still backing off after failures (then `skipped`). A source
    given another address (its feed url fixed, say) starts afresh: no backoff, no cached validators."""
    if not read_at_address_of(source, state):
        state = SourceState(name=state.name, extra={**state.extra, "address": _address(source)})
    if state.next_attempt_at is not None and now < state.next_attempt_at:
        return FetchResult(drafts=[], state=state, skipped=True)
    try:
        result = await _fetch(source, state, client)
    except Exception as error:  # a bug in one fetcher must not stop the other sources, nor skip the backoff
        log.exception("fetching %s failed", source.name)
        result = FetchResult(drafts=[], state=state, error=f"unexpected {type(error).__name__} while fetching")
    return _record_outcome(result, source.interval, now)


async def _fetch(source: SourceSettings, state: SourceState, client: httpx.AsyncClient) -> FetchResult:
    if isinstance(source, FeedSource):
        return await fetch_feed(source, state, client)
    if isinstance(source, FilesSource):
        return await asyncio.to_thread(read_files, source, state)
    if isinstance(source, BundledSource):
        return await asyncio.to_thread(read_bundled, source, state)
    raise TypeError(f"unknown kind of source: {type(source).__name__}")


def read_at_address_of(source: SourceSettings, state: SourceState) -> bool:
    """Whether the state is of a source last read where `source` is read: its feed url, its files
    path, or the bundled corpus."""
    return state.extra.get("address") == _address(source)


def _address(source: SourceSettings) -> str:
    """A digest of where the source is read from."""
    return address_digest(getattr(source, "url", None) or getattr(source, "path", None) or source.kind)


def _record_outcome(result: FetchResult, interval: int, now: datetime) -> FetchResult:
    """Count a failure (nothing usable came back) with exponential backoff, or reset after a success.

    A partial success (some drafts and an error, e.g. one broken Markdown file among many) keeps
    the error in `last_error` without backing off, so the good files keep flowing.
    """
    state = result.state
    if result.error and not result.drafts:
        failures = state.failures + 1
        delay = max(backoff_delay(interval, failures), min(result.retry_after or timedelta(0), MAX_BACKOFF))
        state = replace(state, failures=failures, next_attempt_at=now + delay, last_error=result.error)
    else:
        state = replace(state, failures=0, next_attempt_at=None, last_error=result.error)
    return replace(result, state=state)


def user_agent() -> str:
    try:
        release = version("newsbot")
    except PackageNotFoundError:
        release = "unknown"
    return f"newsbot/{release} (news bot; RSS/Atom reader)"


def new_http_client() -> httpx.AsyncClient:
    """The shared client for feeds: a newsbot User-Agent, connect/read timeouts, capped redirects."""
    return httpx.AsyncClient(
        headers={
            "User-Agent": user_agent(),
            "Accept": "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, "
            "text/xml;q=0.9, */*;q=0.5",
        },
        timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
    )
