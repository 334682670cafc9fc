"""The content layer's vocabulary: drafts from sources, stored articles, queries, pages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_PARAMS = {"fbclid", "gclid"}
# Further parameters that only say where a reader came from: left in the stored link, ignored in an id.
_REFERRER_PARAMS = {"ref", "ref_src", "ref_url", "mc_cid", "mc_eid", "msclkid", "dclid", "igshid", "yclid", "twclid"}
_SERVING_HOSTS = ("www.", "m.", "mobile.", "amp.")  # the same site for another device or a faster page
NEWS_AGE = timedelta(days=3)


def is_web_url(url: str) -> bool:
    """Whether the URL is http:// or https:// with a host (not javascript:, a tag: id, a relative path
    or a bare "http://")."""
    return web_host(url) is not None


def web_host(url: str) -> str | None:
    """The host of an http:// or https:// URL, else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # "https://[broken/x"
        return None
    return parts.hostname if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def canonical_url(url: str) -> str:
    """Lowercase scheme and host, drop tracking parameters and the fragment, unless the fragment is
    the route of a page that shows its stories by it ("#!/story/1", "#/news/42")."""
    parts = urlsplit(url.strip())
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in _TRACKING_PARAMS
    ]
    netloc = parts.netloc.lower()
    route = parts.fragment if parts.fragment.startswith(("!", "/")) else ""
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), route))


def page_key(canonical: str) -> str:
    """What a canonical URL says about which page it is, without how the page is served: http or
    https, a www., m., mobile. or amp. host, a default port, an AMP version ("/amp", "?output=amp"),
    a trailing slash, a referrer parameter ("?ref=rss") and the order of the parameters. Links
    already in this form ("https://site/news/1") are their own key."""
    parts = urlsplit(canonical)
    host = parts.hostname or ""
    for prefix in _SERVING_HOSTS:
        if host.startswith(prefix) and "." in host[len(prefix) :]:
            host = host[len(prefix) :]
            break
    if parts.port not in (None, 80, 443):
        host = f"{host}:{parts.port}"
    segments = [segment for segment in parts.path.split("/") if segment]
    if segments and segments[0] == "amp":
        segments = segments[1:]
    if segments and segments[-1] == "amp":
        segments = segments[:-1]
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in _REFERRER_PARAMS and not _asks_for_amp(key, value)
    )
    return urlunsplit(("https", host, "/" + "/".join(segments), urlencode(query), parts.fragment))


def _asks_for_amp(key: str, value: str) -> bool:
    key, value = key.lower(), value.lower()
    return (key in ("output", "outputtype") and value == "amp") or (key == "amp" and value in ("", "1", "true"))


def article_id(url: str | None, guid: str | None) -> str:
    """A stable id from the canonical URL, else the feed guid."""
    if url:
        return url_article_id(canonical_url(url))
    if guid:
        return _short_hash("guid:" + guid.strip())
    raise ValueError("an article needs a url or a guid")


@lru_cache(maxsize=8192)
def url_article_id(canonical: str) -> str:
    """`article_id` of a URL that is canonical already (from `canonical_url`): the same for every
    link to one page (see `page_key`). Kept for the links seen last: an ingest reads each link twice (as
    the draft's id, and among the ids it may be stored under), and a feed lists most links again at
    every fetch."""
    return _short_hash("url:" + page_key(canonical))


def former_url_article_id(canonical: str) -> str:
    """The id an article stored by this link had before ids were made from `page_key`."""
    return _short_hash("url:" + canonical)


def content_guid(origin: str, title: str, text: str) -> str:
    """A guid for a story with neither link nor guid: its own words, where it came from, are all that is stable."""
    return "content:" + _short_hash(f"{origin}\n{title}\n{text}")


def entry_key(source: str, guid: str) -> str:
    """The key of a source's entry by its guid, whatever its link: an entry back at another link
    (a fixed slug, another section) is looked up by it."""
    return _short_hash(f"entry:{source}\n{guid}")


def text_hash(title: str, text: str, code: str = "") -> str:
    """A short hash of an article's title, text and code: a feed's entry seen again with another one was
    edited at its source. Without code it is the hash of the title and text, as made before code was kept."""
    # a NUL, which no stored text has (content.text.remove_control_characters), parts the code from the text
    written = f"{title}\n{text}\x00{code}" if code else f"{title}\n{text}"
    return hashlib.blake2b(written.encode("utf-8"), digest_size=16).hexdigest()


def _short_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class Draft:
    """What a source yields: cleaned, not yet analysed. Times are timezone-aware UTC."""

    source: str
    title: str
    text: str
    url: str | None = None
    guid: str | None = None
    author: str | None = None
    published: datetime | None = None
    language: str | None = None
    # the link its feed gave when `url` is the article's own address it named besides (FeedBurner's
    # redirect and <feedburner:origLink>): an article stored under it before is this one
    tracking_url: str | None = None
    sectors: tuple[str, ...] | None = None  # an override from the source, e.g. front matter
    countries: tuple[str, ...] | None = None
    code: str = ""  # the text of its blocks of code, no part of `text`: searched, never summarized nor tagged


@dataclass(frozen=True)
class Article:
    """A stored article. `sources` lists every source that carried the story."""

    id: str
    url: str | None
    title: str
    sources: tuple[str, ...]
    published: datetime
    fetched: datetime
    text: str
    summary: str
    author: str | None = None
    guid: str | None = None
    sectors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    language: str | None = None
    code: str = ""  # the text of its blocks of code (Draft.code): searched, never shown

    @property
    def was_news_when_fetched(self) -> bool:
        """Published at most NEWS_AGE before it was first fetched: deliveries carry it; a feed's
        archive, read when the feed is added, stays out of them (searches still find it)."""
        return self.published >= self.fetched - NEWS_AGE


@dataclass(frozen=True)
class Period:
    """Articles published at or after `start` and before `end`, when there is one (an article whose
    source gave no date is dated when it was fetched). Times are timezone-aware."""

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True)
class Query:
    """What to find. Empty fields match everything; a region also matches its member countries and
    the regions inside it. An article tagged with any one of the sectors (and any one of the places)
    matches; each query in `also` must match too, so "China and Pakistan" is
    Query(countries=("CN",), also=(Query(countries=("PK",)),))."""

    sectors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    text: str | None = None
    also: tuple["Query", ...] = ()  # tags only: their text is not read
    period: Period | None = None  # none: any date

    @property
    def is_empty(self) -> bool:
        return not (self.has_tags or self.text)

    @property
    def has_tags(self) -> bool:
        return bool(self.sectors or self.countries or self.regions or self.also)

    @classmethod
    def on(cls, kind: str, value: str) -> "Query":
        """The articles on one topic: a "sector", "country" or "region" id, or else words to look for."""
        if kind == "sector":
            return cls(sectors=(value,))
        if kind == "country":
            return cls(countries=(value,))
        if kind == "region":
            return cls(regions=(value,))
        return cls(text=value)

    @classmethod
    def on_all(cls, topics: Iterable[tuple[str, str]], text: str | None = None) -> "Query":
        """The articles on every one of the (kind, id) topics, with the text: the first topic here,
        the others in `also`."""
        first, *others = [cls.on(kind, value) for kind, value in dict.fromkeys(topics)] or [cls()]
        return replace(first, text=text or None, also=tuple(others))


@dataclass(frozen=True)
class Page:
    articles: list[Article]
    next_cursor: str | None = None


@dataclass
class SourceState:
    """What the fetcher remembers about a source between runs."""

    name: str
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    extra: dict = field(default_factory=dict)
