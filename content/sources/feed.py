"""RSS and Atom feeds over HTTP(S): a careful download (httpx), then feedparser, then clean drafts.

The download sends conditional headers, follows a few redirects itself (so a loop is named as one),
streams the body under a size cap and stops at the source's timeout. Parsing runs in a worker
thread so a large feed never stalls the event loop.
"""

from __future__ import annotations

import asyncio
import calendar
import io
import logging
import re
import zlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin

import feedparser
import httpx
from feedparser.mixin import _FeedParserMixin

from content.credentials import address_shown
from content.model import Draft, SourceState, content_guid, is_web_url, web_host
from content.settings import FeedSource
from content.sources.dates import has_time_without_zone, parse_localized_date
from content.sources.result import MAX_BACKOFF, FetchResult, address_digest
from content.text import clip, html_to_text, normalize_whitespace, text_and_code, without_footers

feedparser.registerDateHandler(parse_localized_date)  # tried first, for every feed this process reads
# A guid is a name, not an address: feedparser read "12345" against the feed's URL, making up a link
# to no page (for an entry without <link>) and a guid that changed whenever the feed moved.
_FeedParserMixin.can_be_relative_uri.discard("id")

MAX_REDIRECTS = 5
_HTML_MEDIA_TYPES = ("text/html", "application/xhtml+xml")
_FEED_MEDIA_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
_PAGE_HEAD_BYTES = 256 * 1024  # where a web page's <link> elements are; reading all of a large page is slow
# What may come before a document's first element: a byte order mark, an XML declaration (XHTML has one
# too), comments ("<!-- cached … -->") and white space
_PROLOG = re.compile(rb"^(?:\xef\xbb\xbf)?(?:\s+|<\?xml[^>]*>|<!--.*?-->)*", re.DOTALL)
_BENIGN_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
# What feedparser reads a document as when neither UTF-8 nor any declared encoding fits its bytes, and
# chardet's guess does not either
_LAST_GUESSES = ("windows-1252", "iso-8859-2")
_UNDECODABLE_BYTE = re.compile("[\udc80-\udcff]")  # as the surrogateescape error handler leaves it
# An "&" that starts no entity or character reference ("S&P 500"), or a CDATA section, where "&" is no markup
_BARE_AMPERSAND_OR_CDATA = re.compile(rb"&(?!#?\w+;)|(<!\[CDATA\[.*?\]\]>)", re.DOTALL)
# A row of character references that may name UTF-16 surrogates (&#xD83D;&#xDE80; or &#55357;&#56960;,
# JavaScript's way to write 🚀); decimal ones are taken from 55000 to 57999, and those not surrogates kept.
# Written to start with a plain "&#" (no repeat, no flag around it) so re skips to each "&#" at once:
# tried at every byte, the pattern took as long as a tenth of feedparser's parse.
_SURROGATE_REFERENCE = rb"&#(?i:x0*d[89a-f][0-9a-f]{2}|0*5[5-7][0-9]{3});"
_SURROGATE_REFERENCES = re.compile(_SURROGATE_REFERENCE + rb"(?:" + _SURROGATE_REFERENCE + rb")*")
# Markup its publisher escaped once too often ("&lt;p&gt;…&lt;/p&gt;" inside an HTML body), which would show its
# tags as text. An escaped closing tag of a common element tells it from a text that names a tag ("the <blink> tag").
_ESCAPED_CLOSING_TAG = re.compile(r"&lt;/(?:p|div|span|a|b|i|em|strong|li|ul|ol|table|tr|td|h[1-6]|blockquote)\s*&gt;")
_ESCAPED_TAG = re.compile(r"&lt;(!--.*?--|/?[a-zA-Z][^<>]*?)&gt;", re.DOTALL)
_ESCAPED_REFERENCE = re.compile(r"&amp;(#?\w+;)")  # "&amp;#39;": the text's own references, escaped once more too
_UNTITLED_LENGTH = 80
_GZIP_MAGIC = b"\x1f\x8b"
_GONE = "the feed was taken down: fix its url or remove it from the config"
_BOT_CHECK = (
    "a Cloudflare bot check, which no feed reader passes: ask the site to let newsbot through, or use another feed"
)
_DELAY_SECONDS = re.compile("[0-9]+")  # not str.isdigit(), which takes "²" for a digit
# A Chinese feed's CST is China Standard Time (UTC+8), which feedparser reads as RFC 822's, North
# America's Central Standard Time (UTC-6); a time it gives without a zone is China's (Taiwan's, Hong
# Kong's and Singapore's too), not UTC
_CENTRAL_STANDARD_TIME = re.compile(r"\sCST$", re.IGNORECASE)
_CHINA_AFTER_CENTRAL = timedelta(hours=14)
_CHINA_AFTER_UTC = timedelta(hours=8)
_ENTRY_START = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s/>]")
# Entries are FeedParserDicts, whose get() maps legacy key aliases in Python, slowly; none of
# the keys read here has an alias, so the plain dict lookup gives the same values.
_field = dict.get


log = logging.getLogger(__name__)


class FeedError(Exception):
    """A download or parse failure, already phrased as the one line a user sees; `retry_after` is
    how long the server asked us to wait (429 or 503 with Retry-After, or 410: as long as any)."""

    def __init__(self, message: str, retry_after: timedelta | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Download:
    body: bytes
    url: str
    content_type: str
    etag: str | None
    last_modified: str | None
    not_modified: bool = False
    moved_to: str | None = None  # where the configured address led by permanent redirects, without credentials


async def fetch_feed(source: FeedSource, state: SourceState, client: httpx.AsyncClient) -> FetchResult:
    """Download and parse one feed; never raises for anything the server or the feed does."""
    try:
        download = await _download_within_deadline(source, state, client)
        state = _noting_move(source.name, state, download.moved_to)
        if download.not_modified:
            return FetchResult(drafts=[], state=state, not_modified=True)
        drafts = await asyncio.to_thread(
            parse_feed, download.body, source.name, download.content_type, download.url, _configured_address(source)
        )
    except FeedError as error:
        return FetchResult(drafts=[], state=state, error=str(error), retry_after=error.retry_after)
    updated = replace(state, etag=download.etag, last_modified=download.last_modified)
    return FetchResult(drafts=drafts, state=updated)


async def _download_within_deadline(source: FeedSource, state: SourceState, client: httpx.AsyncClient) -> Download:
    try:
        # The overall deadline also stops a server that trickles bytes just under the read timeout.
        async with asyncio.timeout(source.timeout):
            return await _download(source, state, client)
    except (TimeoutError, httpx.TimeoutException):
        raise FeedError(f"timed out after {source.timeout:g}s") from None
    except (httpx.InvalidURL, UnicodeError) as error:  # UnicodeError: a host name that is not valid IDNA
        raise FeedError(f"invalid URL ({error})") from None
    except httpx.HTTPError as error:
        detail = " ".join(str(error).split())
        raise FeedError(f"network error: {type(error).__name__}" + (f": {detail}" if detail else "")) from None


async def _download(source: FeedSource, state: SourceState, client: httpx.AsyncClient) -> Download:
    url = httpx.URL(source.url)
    visited = {url}
    moved_to, only_permanent = None, True
    for _ in range(MAX_REDIRECTS + 1):
        async with client.stream(
            "GET", url, headers=_conditional_headers(state), follow_redirects=False, timeout=source.timeout
        ) as response:
            if response.has_redirect_location:
                url = _redirect_target(response, visited)
                only_permanent = only_permanent and response.status_code in (301, 308)
                if only_permanent:  # where the configured address itself now is
                    moved_to = str(url.copy_with(userinfo=b""))
                continue
            download = await _read_response(response, source.max_bytes)
            return replace(download, moved_to=moved_to)
    raise FeedError(f"too many redirects (more than {MAX_REDIRECTS})")


def _configured_address(source: FeedSource) -> str:
    """The feed's address as configured, as it is fetched (without credentials): where its entries
    without link or guid come from, wherever it redirects to (a CDN's link signed anew for each fetch,
    a new address after a move), so their guids stay theirs."""
    return str(httpx.URL(source.url).copy_with(userinfo=b""))


def _noting_move(source_name: str, state: SourceState, moved_to: str | None) -> SourceState:
    """The state with a digest of where the feed moved permanently (its query may hold a key, never
    stored); the operator is told once of each new address, not on every fetch through the redirect."""
    digest = address_digest(moved_to) if moved_to else None
    if digest == state.extra.get("moved_to"):
        return state
    if moved_to:  # a redirect keeps the query, its key too: the logs mask only the configured keys long enough
        log.warning("%s moved permanently to %s: update its url in the config", source_name, address_shown(moved_to))
    extra = {key: value for key, value in state.extra.items() if key != "moved_to"}
    return replace(state, extra={**extra, "moved_to": digest} if digest else extra)


def _conditional_headers(state: SourceState) -> dict[str, str]:
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def _redirect_target(response: httpx.Response, visited: set[httpx.URL]) -> httpx.URL:
    target = response.url.join(response.headers["Location"])
    if target in visited:
        raise FeedError("redirect loop")
    if not is_web_url(str(target)):
        raise FeedError("redirect to a non-HTTP URL")
    visited.add(target)
    return target


async def _read_response(response: httpx.Response, max_bytes: int) -> Download:
    if response.status_code == 304:
        return Download(b"", str(response.url), "", None, None, not_modified=True)
    if response.status_code == 410:  # taken down for good: asking every interval would only find it gone again
        raise FeedError(f"HTTP 410 Gone ({_GONE})", retry_after=MAX_BACKOFF)
    if not 200 <= response.status_code < 300:
        message = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        if response.headers.get("cf-mitigated", "").lower() == "challenge":  # Cloudflare's mark on its challenge pages
            message += f" ({_BOT_CHECK})"
        retry_after = _retry_after(response) if response.status_code in (429, 503) else None
        raise FeedError(message, retry_after=retry_after)
    body = await _read_capped(response, max_bytes)
    # a .gz file served as it is, or a body gzipped twice (httpx undoes the one layer Content-Encoding names)
    if body.startswith(_GZIP_MAGIC):
        body = _gunzipped(body, max_bytes)
    if not body.strip():
        raise FeedError("empty response")
    return Download(
        body=body,
        url=str(response.url.copy_with(userinfo=b"")),  # the base of relative links, which readers see
        content_type=response.headers.get("Content-Type", ""),
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )


def _retry_after(response: httpx.Response) -> timedelta | None:
    """The wait a Retry-After header asks for, in seconds or as an HTTP date; None when absent or unreadable."""
    value = response.headers.get("Retry-After", "").strip()
    if _DELAY_SECONDS.fullmatch(value):
        # nine digits are thirty years; a longer number is more than a timedelta holds
        return timedelta(seconds=int(value)) if len(value) <= 9 else MAX_BACKOFF
    try:
        until = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if until.tzinfo is None:
        return None
    return max(until - datetime.now(timezone.utc), timedelta(0))


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    too_large = FeedError(f"response larger than its max_bytes ({_human_size(max_bytes)})")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks, received = [], 0
    async for chunk in response.aiter_bytes():
        received += len(chunk)
        if received > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _gunzipped(body: bytes, max_bytes: int) -> bytes:
    decompressor = zlib.decompressobj(wbits=31)  # 31: gzip's header and trailer
    try:
        unzipped = decompressor.decompress(body, max_bytes + 1)
    except zlib.error as error:
        raise FeedError(f"gzip data that cannot be read ({error})") from None
    if len(unzipped) > max_bytes:
        raise FeedError(f"response larger than its max_bytes ({_human_size(max_bytes)}) once uncompressed")
    if not decompressor.eof:
        raise FeedError("gzip data that cannot be read (cut short)")
    return unzipped


def _human_size(size: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size} bytes"


def parse_feed(
    body: bytes, source_name: str, content_type: str = "", url: str = "", origin: str | None = None
) -> list[Draft]:
    """Drafts from a feed document's bytes, read at `url`, from the feed configured at `origin` (by
    default `url`); raises FeedError when nothing usable is in them.

    A malformed feed still yields whatever entries feedparser could recover. The HTTP content type's
    charset, when present, takes part in feedparser's encoding detection; a feed in an encoding it does
    not declare (GB2312, Big5, Shift_JIS, …) is read in chardet's guess. A UTF-8 feed with a few bytes
    that are not UTF-8 stays UTF-8, with U+FFFD for those bytes.
    """
    parsed = _parse_mending(body, source_name, content_type, url)
    if not parsed.entries:
        _raise_if_not_a_feed(parsed, body, content_type, url)
    feed_language = _language(parsed.feed.get("language"))
    site = _web_link(parsed.feed.get("link")) if parsed.get("version", "").startswith("rss") else None
    origin = origin or url
    entry_drafts = (_entry_draft(entry, source_name, feed_language, url, site, origin) for entry in parsed.entries)
    drafts = [draft for draft in entry_drafts if draft is not None]
    if parsed.entries and _malformed(parsed):
        _warn_of_lost_entries(parsed, body, source_name)
    return drafts


def _parse_mending(body: bytes, source_name: str, content_type: str, url: str) -> feedparser.FeedParserDict:
    """feedparser's reading of the document, or of it mended when it has faults that spoil the text
    of every entry: stray bytes in UTF-8, bare ampersands (which feedparser's lenient parser reads
    as entities: "S&P; 500"), or the whole feed: references to surrogates, which it cannot encode."""
    body = _SURROGATE_REFERENCES.sub(_references_to_whole_characters, body)
    parsed = _parse(body, content_type, url)
    if _guessed_encoding(parsed) and _mostly_utf8(body):
        log.warning("%s: bytes that are not UTF-8 in a UTF-8 feed, read as U+FFFD", source_name)
        body, content_type = body.decode("utf-8", "replace").encode(), "application/xml; charset=utf-8"
        parsed = _parse(body, content_type, url)
    if _malformed(parsed) and (escaped := _escape_bare_ampersands(body)) != body:
        mended = _parse(escaped, content_type, url)
        if mended.entries:  # else the error to report is the one at the document's own line and column
            return mended
    return parsed


def _references_to_whole_characters(references: re.Match) -> bytes:
    """A pair of surrogates as its one character, a lone one as U+FFFD."""
    numbers = [int(number[1:], 16) if number[:1] in b"xX" else int(number)
               for number in re.findall(rb"&#(\w+);", references[0])]
    text = "".join(map(chr, numbers)).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return b"".join(b"&#%d;" % ord(character) for character in text)


def _parse(body: bytes, content_type: str, url: str) -> feedparser.FeedParserDict:
    try:
        return feedparser.parse(
            io.BytesIO(body),  # as a stream: plain bytes that name a local file would be read from disk
            response_headers={"content-type": content_type or "application/xml", "content-location": url},
            sanitize_html=False,  # every tag is stripped afterwards; no HTML is ever kept
            resolve_relative_uris=False,
        )
    except Exception as error:  # untrusted bytes: whatever the parser trips on is this feed's problem
        raise FeedError(f"unreadable feed ({type(error).__name__})") from None


def _guessed_encoding(parsed: feedparser.FeedParserDict) -> bool:
    """Whether feedparser read the document in an encoding of its guessing (chardet's, else its last
    guesses) other than UTF-8, as neither UTF-8 nor a declared encoding fit its bytes."""
    encoding = parsed.get("encoding", "").lower()
    overridden = isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride)
    return encoding in _LAST_GUESSES or overridden and encoding != "utf-8"


def _mostly_utf8(body: bytes) -> bool:
    """Whether the characters the bytes spell in UTF-8 outnumber the bytes that are not UTF-8; text
    in a legacy encoding seldom spells any."""
    text = body.decode("utf-8", "surrogateescape")
    undecodable = len(_UNDECODABLE_BYTE.findall(text))
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return non_ascii - undecodable > undecodable


def _escape_bare_ampersands(body: bytes) -> bytes:
    if b"\x00" in body:  # UTF-16 or UTF-32 (XML text has no NUL), whose "&" is not this byte
        return body
    return _BARE_AMPERSAND_OR_CDATA.sub(lambda match: match[1] or b"&amp;", body)


def _malformed(parsed: feedparser.FeedParserDict) -> bool:
    return bool(parsed.get("bozo")) and not isinstance(parsed.get("bozo_exception"), _BENIGN_BOZO)


def _raise_if_not_a_feed(parsed: feedparser.FeedParserDict, body: bytes, content_type: str, url: str) -> None:
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in _HTML_MEDIA_TYPES or _looks_like_html(body):
        named = _named_feed(body, url)
        raise FeedError("a web page, not a feed" + (f"; it names its feed: {named}" if named else ""))
    if body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        raise FeedError("not a feed (JSON)")
    if _malformed(parsed):
        raise FeedError(f"malformed XML: {_describe_parse_error(parsed.get('bozo_exception'), body)}")
    if not parsed.get("version"):
        raise FeedError("not a feed (no RSS or Atom document found)")


def _warn_of_lost_entries(parsed: feedparser.FeedParserDict, body: bytes, source_name: str) -> None:
    """A malformed feed whose entries stop being read at the fault: the operator is told of those lost,
    not of faults feedparser reads past (an undefined entity such as &nbsp;), nor of entries read and
    left out for having neither title nor text. The entry feedparser found the fault in, and read
    nothing of, is lost."""
    read, written = sum(1 for entry in parsed.entries if entry), len(_ENTRY_START.findall(body))
    if written > read:
        problem = _describe_parse_error(parsed.get("bozo_exception"), body)
        log.warning("%s: malformed XML (%s): read %d of its %d entries", source_name, problem, read, written)


def _named_feed(page: bytes, page_url: str) -> str | None:
    """The address of the first feed a web page names in its head (<link rel="alternate"
    type="application/rss+xml" href="…">), for the operator who configured the site's own address."""
    links = _FeedLinks()
    links.feed(page[:_PAGE_HEAD_BYTES].decode("utf-8", "replace"))
    for href in links.hrefs:
        address = urljoin(page_url, href)
        if is_web_url(address) and address.isprintable() and " " not in address:  # it goes in a log line as it is
            return address
    return None


class _FeedLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        media_type = attributes.get("type", "").split(";", 1)[0].strip().lower()
        rel = attributes.get("rel", "").lower().split()
        if tag == "link" and "alternate" in rel and media_type in _FEED_MEDIA_TYPES and attributes.get("href"):
            self.hrefs.append(attributes["href"].strip())


def _looks_like_html(body: bytes) -> bool:
    start = _PROLOG.match(body, 0, _PAGE_HEAD_BYTES).end()
    opening = body[start : start + len(b"<!doctype html")].lower()
    return opening.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def _describe_parse_error(problem: Exception | None, body: bytes) -> str:
    if problem is None:
        return "unknown error"
    if hasattr(problem, "getMessage") and hasattr(problem, "getLineNumber"):
        # feedparser puts a line of XML declaration before a document that has none
        added_lines = 0 if _declared(body) else 1
        line = problem.getLineNumber() - added_lines
        return f"{problem.getMessage()} at line {line}, column {problem.getColumnNumber()}"
    return " ".join(str(problem).split()) or type(problem).__name__


def _declared(body: bytes) -> bool:
    """Whether the document starts with an XML declaration, in UTF-8 or (after its byte order mark) UTF-16."""
    for mark, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if body.startswith(mark):
            return body[len(mark) : len(mark) + 10].decode(encoding, "replace").startswith("<?xml")
    return body.removeprefix(b"\xef\xbb\xbf").startswith(b"<?xml")


def _entry_draft(
    entry: dict, source_name: str, feed_language: str | None, feed_url: str, site: str | None, origin: str
) -> Draft | None:
    """The entry's draft; `site` is an RSS feed's own link, the base of a guid that is a path, and
    `origin` the feed's configured address, where an entry without link or guid comes from."""
    title = _entry_title(entry)
    text, code = _entry_text(entry)
    if not title and not text:
        return None
    guid = (_field(entry, "id") or "").strip() or None
    link = _web_link(_field(entry, "link")) or _permalink_path(entry, guid, feed_url, site)
    # FeedBurner's link is its redirect, counting clicks; what people reach, and other feeds give, is this
    url = _web_link(_field(entry, "feedburner_origlink")) or link
    if not url and not guid:
        guid = content_guid(origin, title, text)
    language = _language(_field(_field(entry, "title_detail") or {}, "language")) or feed_language
    return Draft(
        source=source_name,
        title=title or _title_from_text(text),
        text=text,
        url=url,
        tracking_url=link if link != url else None,
        guid=guid,
        author=_entry_author(entry),
        published=_entry_published(entry, language),
        language=language,
        code=code,
    )


def _web_link(link: str | None) -> str | None:
    """The entry's link when it is a web address whose host has a dot (feedparser falls back to a tag:
    or urn: id, and makes "https:///news/1" "https://news/1"); else None, as no reader could open it
    and every entry with such a link would be taken for one story."""
    link = (link or "").strip()
    host = web_host(link)
    return link if host and "." in host.strip(".") else None


def _permalink_path(entry: dict, guid: str | None, feed_url: str, site: str | None) -> str | None:
    """The page of an RSS entry without <link> whose guid is a permalink written as a path ("/news/3"),
    on its xml:base, else on the feed's site (a feed's own address may be a feed service's). A guid
    that is no path ("12345") names no page, and one not a permalink (isPermaLink="false") none either."""
    if site is None or not guid or not guid.startswith("/") or not _field(entry, "guidislink"):
        return None
    detail = _field(entry, "title_detail") or _field(entry, "summary_detail") or {}
    base = _field(detail, "base") or feed_url  # the xml:base in effect, or else the feed's address
    try:
        return _web_link(urljoin(site if base == feed_url else base, guid))
    except ValueError:  # "/news/[3", which is no address
        return None


def _entry_title(entry: dict) -> str:
    detail = _field(entry, "title_detail") or {}
    title = _field(entry, "title") or ""
    if _field(detail, "type") in _HTML_MEDIA_TYPES:
        title = html_to_text(title)
    title = " ".join(title.split())
    # zero-width spaces and joiners alone show nothing: a link with them as its text could not be clicked
    return title if any(character.isprintable() and not character.isspace() for character in title) else ""


def _entry_text(entry: dict) -> tuple[str, str]:
    """The fullest body the entry offers, and its blocks of code: its longest content block, else its
    summary; the summary too when that block has no words (a picture, an embedded video, code, with the
    story told in the description), keeping that block's code."""
    blocks = [block for block in _field(entry, "content") or [] if _field(block, "value")]
    text, code = _block_text(max(blocks, key=lambda block: len(_field(block, "value")))) if blocks else ("", "")
    if text or not _field(entry, "summary"):
        return text, code
    summary = _field(entry, "summary_detail") or {"type": "text/html", "value": _field(entry, "summary")}
    summary_text, summary_code = _block_text(summary)
    return summary_text, code or summary_code


def _block_text(block: dict) -> tuple[str, str]:
    if _field(block, "type") == "text/plain":
        return without_footers(normalize_whitespace(_field(block, "value"))), ""
    markup = _with_escaped_markup_read(_field(block, "value"))
    if "<" not in markup:
        # Plain text, though feedparser calls every RSS description HTML: its line breaks are the writer's,
        # where HTML's are spaces (a podcast's or a video's notes, a classified ad, one line for each thing)
        return without_footers(normalize_whitespace(unescape(markup))), ""
    text, code = text_and_code(markup)
    return without_footers(text), code


def _with_escaped_markup_read(markup: str) -> str:
    """Markup escaped once too often read as markup: it opens the body ("&lt;div class=…"), where tags a
    text names ("close it with &lt;/div&gt;") stand among its words."""
    if "&lt;/" not in markup or not _ESCAPED_TAG.match(markup.lstrip()) or not _ESCAPED_CLOSING_TAG.search(markup):
        return markup
    return _ESCAPED_REFERENCE.sub(r"&\1", _ESCAPED_TAG.sub(r"<\1>", markup))


def _entry_author(entry: dict) -> str | None:
    name = _field(_field(entry, "author_detail") or {}, "name") or _field(entry, "author") or ""
    return " ".join(name.split()) or None


def _entry_published(entry: dict, language: str | None) -> datetime | None:
    for key in ("published", "updated", "created"):
        parsed = _field(entry, f"{key}_parsed")  # feedparser's own get() would also warn about a legacy key alias
        if parsed:
            try:
                moment = datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
            except (OverflowError, ValueError, OSError):
                continue
            in_chinese = (language or "").startswith("zh")
            return moment - _china_after_reading(_field(entry, key) or "") if in_chinese else moment
    return None


def _china_after_reading(written: str) -> timedelta:
    """How far China's time is ahead of the time feedparser read a Chinese feed's date as."""
    if _CENTRAL_STANDARD_TIME.search(written):
        return _CHINA_AFTER_CENTRAL
    return _CHINA_AFTER_UTC if has_time_without_zone(written) else timedelta(0)


def _language(value: str | None) -> str | None:
    return value.strip().lower() or None if value else None


def _title_from_text(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    if len(first_line) <= _UNTITLED_LENGTH:
        return first_line
    return clip(first_line, _UNTITLED_LENGTH).rsplit(" ", 1)[0] + "…"
