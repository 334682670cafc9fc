"""The ingest pipeline: fetch each source, summarize and tag every draft, store, remember the source state.

`ingest_once` runs every source once (the `newsbot ingest` command); `ingest_forever` keeps
each source on its own interval inside the bot. A failing source is reported and skipped;
the others go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Callable, Collection, Iterable, Iterator, NamedTuple, Sequence

import httpx

from content.analysis import Analysis, analyze_many
from content.model import (
    Article,
    Draft,
    article_id,
    canonical_url,
    content_guid,
    former_url_article_id,
    text_hash,
    url_article_id,
)
from content.settings import SourceSettings
from content.sources import fetch_source, new_http_client, read_at_address_of
from content.store import Store, StoredEntry, StoredText
from content.store.schema import MAX_LANGUAGE_CHARS, MAX_TAG_CHARS
from content.tagging import Match, Tagger
from content.text import remove_control_characters

log = logging.getLogger(__name__)

SUMMARY_SENTENCES = 3
SUMMARY_MAX_CHARS = 600  # about 100 words: a summary reads as a teaser in a chat, not a third of the article
# About 15,000 words, more than any article: a longer entry is cut rather than analysed for seconds
# on the event loop that answers chats.
MAX_TEXT_CHARS = 100_000
# The text of an entry's blocks of code, searched beside it: a longer one (a whole program pasted) is cut alike
MAX_CODE_CHARS = 100_000
# Far longer than any headline: a title longer (a broken entry's run-on) is cut, as PostgreSQL's search
# column refuses a row of more than a megabyte of words, and the fetch's other entries with it
MAX_TITLE_CHARS = 1_000
CONCURRENT_FETCHES = 4
_JITTER = 0.1  # each interval varies by ±10% so sources drift apart instead of firing together
_DRAFTS_PER_CHUNK = 200  # analysis is CPU work: let the bot's other tasks run between chunks (~50 ms)

_Identity = tuple[str, str | None]  # an article's id and canonical URL
_EARLIEST_PUBLICATION = datetime(1971, 1, 1, tzinfo=timezone.utc)
_LANGUAGE_TAG = re.compile(r"[a-z]{2,8}(?:[-_][a-z0-9]{1,8})*")  # "en", "pt-br", "zh-hant-tw"; and "en_us"
_LANGUAGE_SEPARATOR = re.compile(r"[\s,;]+")


@dataclass
class SourceReport:
    name: str
    new: int = 0
    duplicates: int = 0
    updated: int = 0  # stored articles their source has corrected or edited since
    error: str | None = None
    not_modified: bool = False
    skipped: bool = False  # still backing off after earlier failures
    retry_at: datetime | None = None  # when skipped or failed: the next attempt; when skipped, why the last one failed
    last_error: str | None = None

    @property
    def failed(self) -> bool:
        """Nothing came of the fetch but an error (a partial success keeps what it stored)."""
        return bool(self.error) and not (self.new or self.duplicates or self.updated)

    def outcome(self) -> str:
        """One line: "wire: 3 new, 1 duplicate", "wire: 2 new, 1 updated, 40 duplicates", "wire: failed:
        HTTP 500; trying again after …", "wire: skipped, …"."""
        if self.skipped:
            until = f" until {self.retry_at.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC" if self.retry_at else ""
            last = f" (last: {self.last_error})" if self.last_error else ""
            return f"{self.name}: skipped, backing off after failures{until}{last}"
        if self.failed:
            retry = f"; trying again after {self.retry_at.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC" if self.retry_at else ""
            return f"{self.name}: failed: {self.error}{retry}"
        if self.not_modified:
            return f"{self.name}: not modified"
        updated = f"{self.updated} updated, " if self.updated else ""
        duplicates = f"{self.duplicates} duplicate" + ("" if self.duplicates == 1 else "s")
        problems = f" (with problems: {self.error})" if self.error else ""
        return f"{self.name}: {self.new} new, {updated}{duplicates}{problems}"


@dataclass
class IngestReport:
    sources: list[SourceReport] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(report.new for report in self.sources)

    @property
    def duplicates(self) -> int:
        return sum(report.duplicates for report in self.sources)

    @property
    def updated(self) -> int:
        return sum(report.updated for report in self.sources)

    @property
    def failed(self) -> list[SourceReport]:
        return [report for report in self.sources if report.error]


@dataclass(frozen=True)
class _SourceNames:
    """The name of the source being read, and those it had before in the config: the names other
    sources last read at its address had (it was renamed, or is another name for the same feed).
    Articles stored under any of them are its own, to correct."""

    current: str
    former: tuple[str, ...] = ()

    def of(self, draft: Draft) -> tuple[str, ...]:
        """The names the draft's source stored articles under (a file's front matter may name another)."""
        return (draft.source, *self.former) if draft.source == self.current else (draft.source,)


async def _source_names(store: Store, source: SourceSettings) -> _SourceNames:
    former = [state.name for state in await store.source_states() if read_at_address_of(source, state)]
    return _SourceNames(source.name, tuple(name for name in former if name != source.name))


def _identities(drafts: Sequence[Draft]) -> list[_Identity]:
    """The id and canonical URL each draft's article gets (the URL is canonicalized once for both).

    An article is known by its link, so the same story in two feeds is stored once. A link that
    different entries share (podcast episodes that all link to the show's home page, a changelog's
    items linking into one page) tells them apart from nothing, so those entries are known by their
    guids, or without one by their title and date (not the text, which an edit changes; but by the
    text where there is no date and the title does not tell them apart). A guid that is no address ("1", "post-42")
    names an entry only within its feed: it is read with the source's name, so two podcasts'
    episode 1 stay two.
    """
    urls = [canonical_url(draft.url) if draft.url else None for draft in drafts]
    links = [url_article_id(url) if url else None for url in urls]  # one for every link to a page
    keys = _entry_keys(drafts, links)
    entries_by_link: dict[str, set[str]] = {}
    for key, link in zip(keys, links):
        if link:
            entries_by_link.setdefault(link, set()).add(key)
    identities = []
    for draft, key, url, link in zip(drafts, keys, urls, links):
        if link and len(entries_by_link[link]) < 2:
            identities.append((link, url))
        else:
            identities.append((_key_id(draft, key), url))
    return identities


def _entry_keys(drafts: Sequence[Draft], links: Sequence[str | None]) -> list[str]:
    """What tells each draft apart from others that share its link: its guid, else its title and
    date, else (the same title on different texts, and no date) its words. The same title and date
    on different texts is one story listed twice (a shortened repeat), as before."""
    keys = [draft.guid or _title_guid(draft) for draft in drafts]
    texts: dict[tuple[str | None, str], set[str]] = {}
    for draft, key, link in zip(drafts, keys, links):
        texts.setdefault((link, key), set()).add(draft.text)
    return [
        _words_guid(draft) if draft.guid is None and draft.published is None and len(texts[(link, key)]) > 1 else key
        for draft, key, link in zip(drafts, keys, links)
    ]


def _title_guid(draft: Draft) -> str:
    return content_guid(draft.source, draft.title, draft.published.isoformat() if draft.published else "")


def _words_guid(draft: Draft) -> str:
    return content_guid(draft.source, draft.title, draft.text)


def _key_id(draft: Draft, key: str) -> str:
    return article_id(None, key if ":" in key else f"{draft.source}\n{key}")


class _Alternative(NamedTuple):
    """An id the draft's article may be stored under from an earlier fetch (or an earlier rule)."""

    id: str
    # "guid": its guid's (or words') id; "link": its link's id; "unscoped": its guid's id before guids
    # were read with the source's name
    kind: str


async def _stored_identities(
    store: Store, drafts: Sequence[Draft], identities: list[_Identity], names: _SourceNames
) -> tuple[list[_Identity], set[str]]:
    """The identities, each as stored already where it was, and the ids stored.

    An entry with a link is known by its link, unless other entries of the fetch share the link.
    Which one can change between fetches (and did on upgrading to this rule), so an id stored
    already wins: a guid's id always; a link's id only for the entry it was stored from (the same
    guid, or the same title where there is none); a guid's id from before guids were read with the
    source's name only for an article of this source, by any of its `names`.
    """
    alternatives = [_alternatives(draft, identity, names.of(draft)) for draft, identity in zip(drafts, identities)]
    candidates = [identity[0] for identity in identities] + [other.id for others in alternatives for other in others]
    stored = await store.known_ids(candidates) if candidates else set()
    articles: dict[str, Article | None] = {}

    async def same_entry(draft: Draft, other: _Alternative) -> bool:
        if other.kind == "guid":
            return True
        if other.id not in articles:
            articles[other.id] = await store.get(other.id)
        article = articles[other.id]
        if article is None:
            return False
        if other.kind == "unscoped":
            return not set(names.of(draft)).isdisjoint(article.sources)
        return article.guid == draft.guid and (draft.guid is not None or article.title == draft.title)

    settled = []
    for draft, identity, others in zip(drafts, identities, alternatives):
        chosen = identity
        if identity[0] not in stored:
            for other in others:
                if other.id in stored and await same_entry(draft, other):
                    chosen = (other.id, identity[1])
                    break
        settled.append(chosen)
    return settled, stored


class _StoredTexts:
    """The stored texts (source, guid, hash, link) a fetch looks up, each read from the store once.
    A fetch reads those of every id it finds stored at once; only an entry found moved later, under
    another id, takes a read of its own."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._read: set[str] = set()
        self._texts: dict[str, StoredText] = {}

    async def of(self, ids: Iterable[str]) -> dict[str, StoredText]:
        """Those of `ids` stored as articles, by id (Store.stored_texts)."""
        wanted = list(dict.fromkeys(ids))
        unread = [article_id for article_id in wanted if article_id not in self._read]
        if unread:
            self._texts.update(await self._store.stored_texts(unread))
            self._read.update(unread)
        return {article_id: self._texts[article_id] for article_id in wanted if article_id in self._texts}


async def _other_entries_at_stored_links(
    store: Store,
    stored_texts: _StoredTexts,
    drafts: Sequence[Draft],
    identities: list[_Identity],
    stored: set[str],
    names: _SourceNames,
) -> tuple[list[_Identity], set[str]]:
    """The identities, with an entry alone at a link whose article its source stored from another entry
    (another guid, text, title and date: a show listing only its latest episode, each at the show's
    page) known by its guid instead, and the ids stored. Known by the link, it was taken for that
    article and never stored. An entry with the article's title or date is that story under a guid its
    feed writes anew (a time in it), as `_moved_entries` reads a story."""
    at_link = [
        slot
        for slot, (draft, identity) in enumerate(zip(drafts, identities))
        if draft.guid is not None and identity[0] in stored and identity[1] and identity[0] == _page(identity[1])
    ]
    texts = await stored_texts.of(identities[slot][0] for slot in at_link)
    others = {
        slot: stored_text
        for slot in at_link
        if (stored_text := texts.get(identities[slot][0])) is not None
        and stored_text.source in names.of(drafts[slot])
        and stored_text.guid not in (None, drafts[slot].guid)
        and stored_text.text_hash != text_hash(drafts[slot].title, drafts[slot].text, drafts[slot].code)
    }
    wanted = [(stored_text.source, stored_text.guid) for stored_text in others.values()]
    entries = {entry.id: entry for entry in await store.stored_entries(wanted)} if wanted else {}
    settled = list(identities)
    for slot in others:
        draft, entry = drafts[slot], entries.get(identities[slot][0])
        if entry is not None and draft.title != entry.title and draft.published != entry.published:
            settled[slot] = (_key_id(draft, draft.guid), identities[slot][1])
    moved = [settled[slot][0] for slot in others if settled[slot] != identities[slot]]
    return settled, stored | (await store.known_ids(moved) if moved else set())


async def _moved_entries(
    store: Store, drafts: Sequence[Draft], identities: list[_Identity], stored: set[str], names: _SourceNames
) -> tuple[list[_Identity], set[str]]:
    """The identities, with entries back at another link under their guid (a fixed slug, another
    section, the story's own address instead of a tracking link) settled as the articles they were
    stored as, and the ids stored.

    Feeds give a guid ("1", even an address) to other stories too, so an entry is only taken for
    the article stored from its source's entry with its guid when nothing else can be meant: the
    fetch lists the guid once, one article was stored under it, no other entry of the fetch is
    that article, and the entry keeps its date or its title (a story moved or corrected keeps one),
    or is at the link the article took when it moved before (its own id is still the first link's)."""
    listed = Counter((draft.source, draft.guid) for draft in drafts)
    moved = [
        slot
        for slot, (draft, identity) in enumerate(zip(drafts, identities))
        if identity[0] not in stored and draft.guid is not None and listed[(draft.source, draft.guid)] == 1
    ]
    if not moved:
        return identities, stored
    wanted = [(name, drafts[slot].guid) for slot in moved for name in names.of(drafts[slot])]
    found: dict[tuple[str, str], list[StoredEntry]] = {}
    for entry in await store.stored_entries(wanted):
        found.setdefault((entry.source, entry.guid), []).append(entry)
    settled, claimed, taken = list(identities), {identity[0] for identity in identities}, set()
    for slot in moved:
        draft = drafts[slot]
        entries = [entry for name in names.of(draft) for entry in found.get((name, draft.guid), [])]
        if len(entries) == 1 and entries[0].id not in claimed and _same_story(draft, identities[slot], entries[0]):
            settled[slot] = (entries[0].id, identities[slot][1])
            claimed.add(entries[0].id)
            taken.add(entries[0].id)
    return settled, stored | taken


def _same_story(draft: Draft, identity: _Identity, entry: StoredEntry) -> bool:
    if draft.title == entry.title or (draft.published is not None and draft.published == entry.published):
        return True
    return identity[1] is not None and _page(identity[1]) == _page(entry.url)


def _alternatives(draft: Draft, identity: _Identity, names: Sequence[str]) -> list[_Alternative]:
    links = [identity[1], canonical_url(draft.tracking_url) if draft.tracking_url else None]
    by_link = [found for link in links if link for found in (url_article_id(link), former_url_article_id(link))]
    as_read = [replace(draft, source=name) for name in names]  # the draft as its source read it under each name
    found = []
    if draft.guid is not None:
        found += [_Alternative(_key_id(named, draft.guid), "guid") for named in as_read]
        if ":" not in draft.guid:
            found.append(_Alternative(article_id(None, draft.guid), "unscoped"))
    else:  # stored under its title and date, or its words, while it shared its link
        keys = (_title_guid, _words_guid)
        found += [_Alternative(_key_id(named, key(named)), "guid") for named in as_read for key in keys]
    found += [_Alternative(link, "link") for link in dict.fromkeys(by_link)]
    return [other for other in found if other.id != identity[0]]


def _oldest_first(drafts: list[Draft], now: datetime) -> list[Draft]:
    """The drafts by their dates, oldest first; those of one date in the feed's order. Feeds list
    their newest entries first, and articles are delivered in the order they are stored, so a chat
    reading top to bottom would otherwise get a fetch's news backwards."""
    return sorted(drafts, key=lambda draft: _publication_time(draft.published, now))


def _cleaned(draft: Draft) -> Draft:
    """Without control characters (a NUL or an escape character is never text, and PostgreSQL
    refuses to store a NUL), with its title and text cut as `stored_title_and_text` cuts them and its code
    past MAX_CODE_CHARS cut after its last whole word."""
    cleaned = {
        name: remove_control_characters(value)
        for name in ("code", "url", "tracking_url", "guid", "author", "language")
        if (value := getattr(draft, name))
    }
    if len(cleaned.get("code", "")) > MAX_CODE_CHARS:
        cleaned["code"] = _cut(cleaned["code"], MAX_CODE_CHARS)
    title, text = stored_title_and_text(draft.title, draft.text)
    return replace(draft, title=title, text=text, **cleaned)


def stored_title_and_text(title: str, text: str) -> tuple[str, str]:
    """A title and text as ingest stores them: without control characters, the text cut after its last
    whole word before MAX_TEXT_CHARS, the title before MAX_TITLE_CHARS with an ellipsis."""
    title, text = remove_control_characters(title), remove_control_characters(text)
    if len(text) > MAX_TEXT_CHARS:
        text = _cut(text, MAX_TEXT_CHARS)
    if len(title) > MAX_TITLE_CHARS:
        title = _cut(title, MAX_TITLE_CHARS - 1) + "…"
    return title, text


def _cut(text: str, limit: int) -> str:
    """The first `limit` characters, without a word cut in two when a space is near the end (Chinese
    or Thai may have none for pages)."""
    head = text[:limit]
    space = max(head.rfind(" "), head.rfind("\n"))
    return (head[:space] if space > limit - 100 else head).rstrip()


def build_articles(drafts: Sequence[Draft], tagger: Tagger | None, fetched: Sequence[datetime]) -> list[Article]:
    """Summarize and tag drafts (fetched at these times), analysed together, which is faster; a
    source's own sectors and countries (front matter) win over the taggers."""
    drafts = [_cleaned(draft) for draft in drafts]
    return _build_articles(drafts, _identities(drafts), tagger, fetched)


def _build_articles(
    drafts: Sequence[Draft],
    identities: Sequence[_Identity],
    tagger: Tagger | None,
    fetched: Sequence[datetime],
) -> list[Article]:
    texts = [(draft.title, draft.text) for draft in drafts]
    languages = [draft.language for draft in drafts]
    analyses = analyze_many(texts, SUMMARY_SENTENCES, tagger, SUMMARY_MAX_CHARS, languages)
    if tagger is not None:
        drafts = [_with_known_tags(draft, tagger) for draft in drafts]
    return [_article(*parts) for parts in zip(drafts, identities, analyses, fetched, strict=True)]


def _with_known_tags(draft: Draft, tagger: Tagger) -> Draft:
    """A source's own sectors and countries (front matter) as ids ("Kenya" is KE), without those
    newsbot does not know, which are logged; when none is known, the taggers decide."""
    if draft.sectors is None and draft.countries is None:
        return draft
    sectors = _known(draft, "sector", draft.sectors, lambda value: tagger.resolve_sector(value).match)
    countries = _known(draft, "country", draft.countries, lambda value: tagger.resolve_place(value).match)
    return replace(draft, sectors=sectors, countries=countries)


def _known(
    draft: Draft, kind: str, values: Sequence[str] | None, resolve: Callable[[str], Match | None]
) -> tuple[str, ...] | None:
    if values is None:
        return None
    known = []
    for value in values:
        match = resolve(value)
        if match is not None and match.score == 100 and match.kind == kind:
            known.append(match.id)
        else:
            why = "%s: %r names no %s newsbot knows, in the front matter of %r; left out"
            log.warning(why, draft.source, value, kind, draft.title)
    return tuple(dict.fromkeys(known)) or None


# A draft whose id is stored already, unedited: the store only records its source, so it is not analysed.
_NOT_ANALYSED = Analysis(summary=[], sectors=[], countries=[], regions=[])


def _article(draft: Draft, identity: _Identity, analysis: Analysis, fetched: datetime) -> Article:
    sectors = draft.sectors if draft.sectors is not None else analysis.sectors
    countries = draft.countries if draft.countries is not None else analysis.countries
    return Article(
        id=identity[0],
        url=identity[1],
        title=draft.title,
        sources=(draft.source,),
        published=_publication_time(draft.published, fetched),
        fetched=fetched,
        text=draft.text,
        code=draft.code,
        summary=" ".join(analysis.summary),
        author=draft.author,
        guid=draft.guid,
        sectors=_tag_values(sector.lower() for sector in sectors),
        countries=_tag_values(code.upper() for code in countries),
        regions=tuple(analysis.regions),
        language=_language_tag(draft.language),
    )


def _tag_values(values: Iterable[str]) -> tuple[str, ...]:
    """The distinct values, but those too long to store as tags (none can be a sector or a country)."""
    return tuple(dict.fromkeys(value for value in values if len(value) <= MAX_TAG_CHARS))


def _language_tag(language: str | None) -> str | None:
    """The first language a source names ("en-us, en-gb, en-au" is en-us), when it looks like a
    language tag and fits the store; else None."""
    first = _LANGUAGE_SEPARATOR.split((language or "").strip().lower(), maxsplit=1)[0]
    return first if len(first) <= MAX_LANGUAGE_CHARS and _LANGUAGE_TAG.fullmatch(first) else None


def _publication_time(published: datetime | None, fetched: datetime) -> datetime:
    """The draft's date, unless it is missing or impossible: a date after the fetch (a wrong clock
    or time zone) would pin the article to the top of every list, and one before 1971 is a zero
    timestamp, not a date."""
    if published is None or published > fetched or published < _EARLIEST_PUBLICATION:
        return fetched
    return published


async def ingest_source(
    store: Store,
    source: SourceSettings,
    tagger: Tagger | None,
    client: httpx.AsyncClient,
    now: datetime,
    fetch_times: Iterator[datetime] | None = None,
    turn: asyncio.Lock | None = None,
) -> SourceReport:
    """Fetch one source, store what is new, update what its source edited, save its state. Never
    raises for a source's own problems.

    Sources sharing a `turn` download and store together but analyse one at a time: analysis is
    CPU work, so interleaving several sources' analyses only adds switching, while one source's SQLite
    writes (a thread that rarely needs the GIL) run beside the next source's analysis.
    """
    state = await store.source_state(source.name)
    result = await fetch_source(source, state, client, now)
    drafts = _oldest_first([_cleaned(draft) for draft in result.drafts], now)
    identities = _identities(drafts)
    # A feed repeats its recent items on every fetch: only the ones not stored yet are analysed.
    # Looked up before taking the turn, so another source's analysis runs while this waits for the database.
    names = await _source_names(store, source)
    identities, stored = await _stored_identities(store, drafts, identities, names)
    texts = _StoredTexts(store)
    await texts.of(stored)  # all at once: the steps below look up some of them
    identities, stored = await _other_entries_at_stored_links(store, texts, drafts, identities, stored, names)
    identities, stored = await _moved_entries(store, drafts, identities, stored, names)
    edited = await _edited(texts, drafts, identities, stored, names)
    analysed = [identity[0] not in stored or slot in edited for slot, identity in enumerate(identities)]
    async with turn or contextlib.nullcontext():
        articles = await _articles(drafts, identities, analysed, tagger, fetch_times or _distinct_times(now))
    revised = [article for slot, article in enumerate(articles) if slot in edited]
    articles = [article for slot, article in enumerate(articles) if slot not in edited]
    added = await store.add(articles) if articles else None
    updated = await store.revise(revised) if revised else 0
    await store.save_source_state(result.state)
    return SourceReport(
        source.name,
        new=added.new if added else 0,
        duplicates=added.duplicates if added else 0,
        updated=updated,
        error=result.error,
        not_modified=result.not_modified,
        skipped=result.skipped,
        retry_at=result.state.next_attempt_at if result.skipped or result.error else None,
        last_error=result.state.last_error if result.skipped else None,
    )


async def _edited(
    stored_texts: _StoredTexts,
    drafts: Sequence[Draft],
    identities: Sequence[_Identity],
    stored: set[str],
    names: _SourceNames,
) -> set[int]:
    """The slots of the drafts that are stored articles their own source has edited since (a
    corrected title, a changed text, told by a hash, so unchanged ones are not analysed again; or a
    link to another page).

    Only the entry an article was stored from edits it (its source under any of its `names`): another
    feed's version (a syndicated copy, the same link with a shorter text) would make it flip on every
    fetch, and another entry of the feed found under the link (another guid) is not this story. Of
    entries a feed lists twice under one id, the first is the article, as when it was stored."""
    texts = await stored_texts.of(identity[0] for identity in identities if identity[0] in stored)
    edited, seen = set(), set()
    for slot, (draft, identity) in enumerate(zip(drafts, identities)):
        article_id = identity[0]
        stored_text = texts.get(article_id)
        same_entry = (
            stored_text is not None and stored_text.guid == draft.guid and stored_text.source in names.of(draft)
        )
        if article_id in seen or not same_entry:
            continue
        seen.add(article_id)
        rewritten = stored_text.text_hash != text_hash(draft.title, draft.text, draft.code)
        if rewritten or _page(stored_text.url) != _page(identity[1]):
            edited.add(slot)
    return edited


def _page(url: str | None) -> str | None:
    """Which page a canonical link is, however it is served (another ?ref= is the same page)."""
    return url_article_id(url) if url else None


async def _articles(
    drafts: Sequence[Draft],
    identities: Sequence[_Identity],
    analysed: Sequence[bool],
    tagger: Tagger | None,
    fetch_times: Iterator[datetime],
) -> list[Article]:
    """An article of each draft: summarized and tagged where `analysed`, else (stored already) not."""
    articles: list[Article | None] = []
    fresh: list[tuple[int, Draft, _Identity, datetime]] = []  # (slot in articles, draft, identity, time)
    for draft, identity, analyse in zip(drafts, identities, analysed):
        fetched = next(fetch_times)
        if not analyse:
            articles.append(_article(draft, identity, _NOT_ANALYSED, fetched))
        else:
            fresh.append((len(articles), draft, identity, fetched))
            articles.append(None)
    for start in range(0, len(fresh), _DRAFTS_PER_CHUNK):
        slots, chunk, chunk_identities, times = zip(*fresh[start : start + _DRAFTS_PER_CHUNK])
        for slot, article in zip(slots, _build_articles(chunk, chunk_identities, tagger, times)):
            articles[slot] = article
        await asyncio.sleep(0)
    return articles


async def ingest_once(
    store: Store,
    sources: Sequence[SourceSettings],
    tagger: Tagger | None,
    *,
    client: httpx.AsyncClient | None = None,
    now: datetime | None = None,
    progress: Callable[[SourceReport], None] | None = None,
) -> IngestReport:
    """Fetch every source once (a few at a time); the report lists them in the given order."""
    now = now or datetime.now(timezone.utc)
    fetch_times = _distinct_times(now)
    limit = asyncio.Semaphore(CONCURRENT_FETCHES)
    turn = asyncio.Lock()
    own_client = client is None
    client = client or new_http_client()

    async def run(source: SourceSettings) -> SourceReport:
        async with limit:
            try:
                report = await ingest_source(store, source, tagger, client, now, fetch_times, turn)
            except Exception as error:  # e.g. the database went away mid-run: report it, go on
                log.exception("ingesting %s failed", source.name)
                report = SourceReport(source.name, error=f"could not store articles: {type(error).__name__}")
        if progress:
            progress(report)
        return report

    try:
        return IngestReport(list(await asyncio.gather(*(run(source) for source in sources))))
    finally:
        if own_client:
            await client.aclose()


async def ingest_forever(
    store: Store,
    sources: Sequence[SourceSettings],
    tagger: Tagger | None,
    stop: asyncio.Event,
    *,
    client: httpx.AsyncClient | None = None,
    fetched_just_now: Collection[str] = (),
) -> None:
    """Fetch each source now (or after one interval, when it is one of `fetched_just_now`) and then
    every `interval` seconds (±10%) until `stop` is set; a few at a time, as `ingest_once` does (at
    start every source is due at once, and each download's deadline runs while it waits for a
    connection)."""
    own_client = client is None
    client = client or new_http_client()
    turn = asyncio.Lock()
    limit = asyncio.Semaphore(CONCURRENT_FETCHES)

    async def pause(source: SourceSettings) -> None:
        delay = source.interval * random.uniform(1 - _JITTER, 1 + _JITTER)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)

    async def keep_fetching(source: SourceSettings) -> None:
        if source.name in fetched_just_now:
            await pause(source)
        while not stop.is_set():
            try:
                async with limit:
                    report = await ingest_source(store, source, tagger, client, datetime.now(timezone.utc), turn=turn)
                log.log(_level(report), "%s", report.outcome())
            except Exception:
                log.exception("ingesting %s failed; trying again next interval", source.name)
            await pause(source)

    try:
        await asyncio.gather(*(keep_fetching(source) for source in sources))
    finally:
        if own_client:
            await client.aclose()


def _level(report: SourceReport) -> int:
    """A failure warns; a fetch that brought something, or had a problem, is told; a quiet one (nothing
    new, not modified, still backing off after a failure told already) is a debug line."""
    if report.failed:
        return logging.WARNING
    return logging.INFO if report.new or report.updated or report.error else logging.DEBUG


def _distinct_times(start: datetime) -> Iterator[datetime]:
    """`start`, then a microsecond later each time: every article of a run gets its own fetch time,
    so readers that resume from the last fetch time they saw (subscriptions) never skip a tie."""
    return (start + timedelta(microseconds=step) for step in itertools.count())
