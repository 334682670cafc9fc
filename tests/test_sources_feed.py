"""The feed fetcher against a local misbehaving server, and feedparser's edge cases through `parse_feed`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from content.model import SourceState, article_id
from content.settings import FeedSource
from content.sources import backoff_delay, fetch_source, new_http_client
from content.sources.feed import FeedError, parse_feed
from feedserver import ETAG, LAST_MODIFIED, FeedServer

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)
SHARED_FEEDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "feeds"
FIXTURES = Path(__file__).parent / "fixtures" / "feeds"


@pytest.fixture
async def server():
    feed_server = FeedServer()
    await feed_server.start()
    yield feed_server
    await feed_server.close()


@pytest.fixture
async def client():
    async with new_http_client() as http_client:
        yield http_client


def feed(url: str, **overrides) -> FeedSource:
    return FeedSource(name="test feed", kind="feed", url=url, timeout=overrides.pop("timeout", 5.0), **overrides)


async def fetch(source: FeedSource, client, state: SourceState | None = None, now: datetime = NOW):
    return await fetch_source(source, state or SourceState(name=source.name), client, now)


async def test_rss2_entries_become_clean_drafts(server, client):
    result = await fetch(feed(server.url("/feeds/rss2.xml")), client)
    assert result.error is None
    first, untitled = result.drafts  # the third item has neither title nor text and is skipped
    assert first.title == "Port of Mombasa trials AI crane scheduling"
    assert first.source == "test feed"
    assert first.guid == "harbour-0001"
    assert first.author == "Amina Otieno"
    assert first.language == "en-gb"
    assert first.published == datetime(2026, 3, 3, 6, 30, tzinfo=timezone.utc)
    assert first.text == (
        "Operators in Mombasa say the scheduler cut waiting times & fuel use.\n\n"
        "Shipping lines — and truckers <inland> — were consulted.\nResults follow in June."
    )
    assert untitled.title == "A note without a headline about customs software in Dar es Salaam."
    assert untitled.published is None


async def test_relative_links_resolve_against_the_feed_address_without_its_credentials(server, client):
    address = server.url("/feeds/relative.xml").replace("http://", "http://reader:s3cret@")
    result = await fetch(feed(address), client)
    assert result.error is None and server.hits["/feeds/relative.xml"] == 1
    assert [draft.url for draft in result.drafts] == [server.url("/news/kenya-ai-irrigation")]


async def test_user_agent_names_newsbot(server, client):
    await fetch(feed(server.url("/feeds/rss2.xml")), client)
    assert server.request_headers["/feeds/rss2.xml"]["User-Agent"].startswith("newsbot/")


async def test_rdf_and_atom_feeds(server, client):
    rdf = await fetch(feed(server.url("/feeds/rdf.xml?type=application/rdf%2Bxml")), client)
    assert [draft.title for draft in rdf.drafts] == ["Soil moisture probes spread across Punjab farms"]
    assert rdf.drafts[0].published == datetime(2026, 2, 14, 6, 0, tzinfo=timezone.utc)

    atom = await fetch(feed(server.url("/feeds/atom.xml?type=application/atom%2Bxml")), client)
    solar, bare = atom.drafts
    assert solar.title == "Solar & storage pilot in Chiang Mai"
    assert solar.text == "Rooftops first\n\nThe utility links 400 rooftop arrays to a smart grid controller."
    assert solar.published == datetime(2026, 4, 2, 1, 0, tzinfo=timezone.utc)
    assert (solar.author, solar.language) == ("Kanya Srisuk", "th")
    assert bare.url is None and bare.guid == "tag:fixtures.newsbot.example,2026:grid-7"
    assert bare.text == "Plain text body: 5 < 7 stays as written."


async def test_declared_latin2_encoding(server, client):
    result = await fetch(feed(server.url("/feeds/latin2.xml?type=application/rss%2Bxml")), client)
    assert result.drafts[0].title == "Łódź testuje inteligentną sieć energetyczną"
    assert "Zażółć gęślą jaźń" in result.drafts[0].text


async def test_http_charset_beats_a_missing_declaration(server, client):
    url = server.url("/feeds/undeclared.xml?type=application/rss%2Bxml;%20charset=windows-1252")
    result = await fetch(feed(url), client)
    assert result.drafts[0].title == "Cooperativa em São Paulo adota irrigação automática"


async def test_undeclared_encoding_is_detected_from_the_bytes(server, client):
    result = await fetch(feed(server.url("/feeds/undeclared.xml?type=application/rss%2Bxml")), client)
    assert result.error is None
    assert result.drafts[0].text == "Produtores de café em Ribeirão Preto economizam água."


async def test_conditional_get_and_304(server, client):
    source = feed(server.url("/etag/rss2.xml"))
    first = await fetch(source, client)
    assert (first.state.etag, first.state.last_modified) == (ETAG, LAST_MODIFIED)
    assert len(first.drafts) == 2

    second = await fetch(source, client, state=first.state)
    assert second.not_modified and second.drafts == [] and second.error is None
    assert server.request_headers["/etag/rss2.xml"]["If-None-Match"] == ETAG
    assert server.request_headers["/etag/rss2.xml"]["If-Modified-Since"] == LAST_MODIFIED
    assert second.state.etag == ETAG


async def test_server_error_backs_off_then_recovers(server, client):
    failing = feed(server.url("/status/500"), interval=600)
    first = await fetch(failing, client)
    assert first.error == "HTTP 500 Internal Server Error"
    assert first.state.failures == 1
    assert first.state.next_attempt_at == NOW + timedelta(seconds=1200)
    assert first.state.last_error == first.error

    second = await fetch(failing, client, state=first.state, now=NOW + timedelta(seconds=1200))
    assert second.state.failures == 2
    assert second.state.next_attempt_at == NOW + timedelta(seconds=1200 + 2400)

    waiting = await fetch(failing, client, state=second.state, now=NOW + timedelta(seconds=1300))
    assert waiting.skipped and waiting.state == second.state
    assert server.hits["/status/500"] == 2

    healthy = feed(server.url("/feeds/rss2.xml"), interval=600)
    recovered = await fetch(healthy, client, state=second.state, now=NOW + timedelta(hours=2))
    assert recovered.error is None
    assert (recovered.state.failures, recovered.state.next_attempt_at, recovered.state.last_error) == (0, None, None)


async def test_a_redirect_to_an_invalid_host_name_is_a_failure_that_backs_off(server, client):
    result = await fetch(feed(server.url("/bad-host"), interval=600), client)
    assert result.error.startswith("invalid URL") and result.drafts == []
    assert result.state.failures == 1 and result.state.next_attempt_at == NOW + timedelta(seconds=1200)


async def test_a_bug_in_a_fetcher_is_a_failure_that_backs_off(server, client, monkeypatch):
    import content.sources

    async def buggy(source, state, client):
        raise RuntimeError("boom")

    monkeypatch.setattr(content.sources, "fetch_feed", buggy)
    result = await fetch(feed(server.url("/feeds/rss2.xml"), interval=600), client)
    assert result.error == "unexpected RuntimeError while fetching"
    assert result.state.failures == 1 and result.state.next_attempt_at == NOW + timedelta(seconds=1200)


@pytest.mark.parametrize(
    ("path", "wait"),
    [
        ("/status/429?retry_after=3600", timedelta(hours=1)),
        ("/status/503?retry_after={in two hours}", timedelta(hours=2)),  # an HTTP date
        ("/status/429?retry_after=86400", timedelta(hours=6)),  # no longer than the longest backoff
        ("/status/503?retry_after=99999999999999999999", timedelta(hours=6)),  # past what a timedelta holds
        ("/status/429?retry_after=soon", timedelta(seconds=120)),  # unreadable: the usual backoff
        ("/status/429?retry_after=%C2%B2", timedelta(seconds=120)),  # "²", a digit to str.isdigit()
    ],
)
async def test_a_server_that_asks_to_wait_is_not_asked_again_sooner(server, client, path, wait):
    in_two_hours = format_datetime(datetime.now(timezone.utc) + timedelta(hours=2), usegmt=True)  # the real clock's
    result = await fetch(feed(server.url(path.replace("{in two hours}", quote(in_two_hours))), interval=60), client)
    assert result.error.startswith(("HTTP 429", "HTTP 503")) and result.state.failures == 1
    assert abs(result.state.next_attempt_at - (NOW + wait)) < timedelta(minutes=1)


async def test_a_feed_that_moved_permanently_is_read_and_the_operator_told_once(server, client, caplog):
    address = server.url("/moved").replace("http://", "http://reader:s3cret@")
    result = await fetch(feed(address), client)
    assert result.error is None and len(result.drafts) == 2
    again = await fetch(feed(address), client, state=result.state, now=NOW + timedelta(minutes=15))
    assert again.error is None and server.hits["/moved"] == 2
    [warning] = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert warning == f"test feed moved permanently to {server.url('/feeds/rss2.xml')}: update its url in the config"
    assert "s3cret" not in str(again.state) and "rss2" not in str(again.state)

    updated = await fetch(feed(server.url("/feeds/rss2.xml")), client, state=again.state)
    assert updated.error is None and "moved_to" not in updated.state.extra  # a later move is told again


async def test_the_new_address_of_a_feed_that_moved_permanently_is_told_with_its_credentials_masked(server, client, caplog):
    """A redirect keeps the query (http to https does), a key in it too: however short, too short for
    the logs' masking of the configured secrets, the warning masks it as it masks a user:password@."""
    result = await fetch(feed(server.url("/moved?apikey=sword'fish&page=2")), client)
    assert result.error is None
    [warning] = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert "fish" not in warning
    assert warning == f"test feed moved permanently to {server.url('/feeds/rss2.xml?apikey=***&page=2')}: update its url in the config"


@pytest.mark.parametrize(("path", "moved_to"), [("/moved-twice", "/feeds/rss2.xml"), ("/moved-on", "/chain/1")])
async def test_a_feed_that_moved_more_than_once_is_told_where_it_moved_for_good(server, client, caplog, path, moved_to):
    result = await fetch(feed(server.url(path)), client)
    assert result.error is None and len(result.drafts) == 2
    [warning] = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert warning == f"test feed moved permanently to {server.url(moved_to)}: update its url in the config"



async def test_entries_without_link_or_guid_keep_their_guids_wherever_the_feed_is_served_from(server, client):
    """The feed's address names where they came from: the one configured, not the one it redirects
    to, which a CDN signs anew for each fetch (and a feed that moves changes)."""
    source = feed(server.url("/signed/no-links.xml"))
    first, again = await fetch(source, client), await fetch(source, client)
    direct = await fetch(feed(server.url("/feeds/no-links.xml")), client)
    assert len(first.drafts) == 2 and all(draft.url is None for draft in first.drafts)
    assert [draft.guid for draft in first.drafts] == [draft.guid for draft in again.drafts]
    assert [draft.guid for draft in first.drafts] != [draft.guid for draft in direct.drafts]

def test_backoff_is_capped_at_six_hours():
    assert backoff_delay(900, 3) == timedelta(hours=2)
    assert backoff_delay(900, 30) == timedelta(hours=6)
    assert backoff_delay(900, 37) == backoff_delay(0.5, 5000) == timedelta(hours=6)  # eight days down, and far more


async def test_not_found_is_reported(server, client):
    result = await fetch(feed(server.url("/status/404")), client)
    assert result.error == "HTTP 404 Not Found" and result.drafts == []


async def test_a_bot_check_before_the_feed_says_so(server, client):
    checked = await fetch(feed(server.url("/status/403?challenge")), client)
    assert checked.error == (
        "HTTP 403 Forbidden (a Cloudflare bot check, which no feed reader passes: "
        "ask the site to let newsbot through, or use another feed)"
    )
    forbidden = await fetch(feed(server.url("/status/403")), client)
    assert forbidden.error == "HTTP 403 Forbidden"


async def test_a_feed_that_is_gone_says_so_and_waits_the_longest_backoff_at_once(server, client):
    result = await fetch(feed(server.url("/status/410"), interval=900), client)
    assert result.error == "HTTP 410 Gone (the feed was taken down: fix its url or remove it from the config)"
    assert result.state.failures == 1 and result.state.next_attempt_at == NOW + timedelta(hours=6)


async def test_slow_response_times_out(server, client):
    result = await fetch(feed(server.url("/slow"), timeout=0.5), client)
    assert result.error == "timed out after 0.5s"
    assert result.state.failures == 1


async def test_trickling_response_hits_the_overall_deadline(server, client):
    result = await fetch(feed(server.url("/trickle"), timeout=0.5), client)
    assert result.error == "timed out after 0.5s"


async def test_oversize_body_is_aborted_while_streaming(server, client):
    result = await fetch(feed(server.url("/huge"), max_bytes=4096), client)
    assert result.error == "response larger than its max_bytes (4 KB)"
    assert server.huge_bytes_sent < 64 * 1024 * 1024


async def test_oversize_declared_length_is_refused_before_reading(server, client):
    result = await fetch(feed(server.url("/declared-huge"), max_bytes=4096), client)
    assert result.error == "response larger than its max_bytes (4 KB)"


async def test_redirect_loop(server, client):
    result = await fetch(feed(server.url("/loop/a")), client)
    assert result.error == "redirect loop"


async def test_redirects_are_followed_up_to_a_cap(server, client):
    short_chain = await fetch(feed(server.url("/chain/2")), client)
    assert short_chain.error is None and len(short_chain.drafts) == 2
    long_chain = await fetch(feed(server.url("/chain/9")), client)
    assert long_chain.error == "too many redirects (more than 5)"


async def test_html_page_is_not_a_feed(server, client):
    result = await fetch(feed(server.url("/feeds/page.html?type=text/html;%20charset=utf-8")), client)
    assert result.error == "a web page, not a feed"
    mislabelled = await fetch(feed(server.url("/feeds/page.html?type=application/xml")), client)
    assert mislabelled.error == "a web page, not a feed"


async def test_a_web_page_that_names_its_feed_says_which_to_configure(server, client):
    address = server.url("/feeds/site.html?type=text/html").replace("http://", "http://reader:s3cret@")
    result = await fetch(feed(address), client)
    assert result.error == f"a web page, not a feed; it names its feed: {server.url('/feeds/rss2.xml')}"


@pytest.mark.parametrize(
    "link",
    [
        b'<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">',
        b'<link rel="alternate" type="application/rss+xml" href="https://a.example/feed\n2026-05-01 forged log line">',
        b'<link rel="alternate" type="text/html" href="https://a.example/print">',
    ],
)
def test_a_web_page_names_no_feed_but_a_web_address_that_is_one(link):
    with pytest.raises(FeedError, match=r"^a web page, not a feed$"):
        parse_feed(b"<!DOCTYPE html><html><head>" + link + b"</head><body>Hello</body></html>", "site")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            b"<head><title>Document Moved</title></head>\n<body>Moved <a href='/rss'>here</a></body>",
            "a web page, not a feed",
        ),
        (b'\n{"items": [{"title": "a JSON feed"}]}', r"not a feed \(JSON\)"),
    ],
)
def test_what_is_no_feed_says_what_it_is(body, problem):
    with pytest.raises(FeedError, match=rf"^{problem}$"):
        parse_feed(body, "moved")



@pytest.mark.parametrize(
    "start",
    [
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x.dtd">\n',
        b"\xef\xbb\xbf<!-- cached 2026-05-01 -->\n<!DOCTYPE html>",
    ],
)
def test_a_web_page_after_an_xml_declaration_or_a_comment_is_a_web_page(start):
    # served as XML: the one whose address was configured is told to use the feed the page names
    page = start + b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head><body><p>Hi'
    with pytest.raises(FeedError, match=r"^a web page, not a feed; it names its feed: https://site\.example/rss$"):
        parse_feed(page + b"</body></html>", "site", content_type="application/xml", url="https://site.example/")

async def test_feed_served_as_html_is_still_read(server, client):
    result = await fetch(feed(server.url("/feeds/rss2.xml?type=text/html")), client)
    assert result.error is None and len(result.drafts) == 2


@pytest.mark.parametrize("path", ["/gzip/2/rss2.xml", "/gzip/1/rss2.xml?unsaid"])
async def test_a_feed_gzipped_twice_or_served_as_a_gz_file_is_read(server, client, path):
    result = await fetch(feed(server.url(path)), client)
    assert result.error is None
    assert [draft.title for draft in result.drafts][0] == "Port of Mombasa trials AI crane scheduling"


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/gzip/0/none?unsaid", "gzip data that cannot be read (Error -3 while decompressing data: "),
        ("/gzip/1/atom.xml?unsaid&cut", "gzip data that cannot be read (cut short)"),
        ("/gzip/2/rss2.xml", "response larger than its max_bytes (1 KB) once uncompressed"),
    ],
)
async def test_gzip_data_that_cannot_be_read_or_is_too_large_says_so(server, client, path, error):
    result = await fetch(feed(server.url(path), max_bytes=1024), client)
    assert result.error.startswith(error) and result.drafts == []


async def test_empty_body(server, client):
    result = await fetch(feed(server.url("/feeds/empty.xml")), client)
    assert result.error == "empty response"


async def test_malformed_feed_keeps_what_could_be_parsed(server, client):
    result = await fetch(feed(server.url("/feeds/malformed.xml")), client)
    assert result.error is None
    assert result.drafts[0].title == "Drone survey maps cocoa farms in Ghana"


@pytest.mark.parametrize(
    ("fault", "warning"),
    [
        ("<title>Second</titel>", "lost: malformed XML (mismatched tag at line 3, column 21): read 1 of its 3 entries"),
        ("<title>Caf&eacute; &nbsp;opens</title>", None),
    ],
)
def test_a_malformed_feed_that_loses_entries_says_how_many(fault, warning, caplog):
    body = (
        b'<rss version="2.0"><channel><title>T</title>\n'
        b"<item><title>First</title><link>https://e.newsbot.example/1</link></item>\n"
        b"<item>" + fault.encode() + b"<link>https://e.newsbot.example/2</link></item>\n"
        b"<item><title>Third</title><link>https://e.newsbot.example/3</link></item></channel></rss>"
    )
    drafts = parse_feed(body, "lost")
    assert drafts[0].title == "First" and len(drafts) == (1 if warning else 3)
    assert [record.getMessage() for record in caplog.records if record.levelname == "WARNING"] == (
        [warning] if warning else []
    )


async def test_malformed_feed_without_entries_is_an_error(server, client):
    result = await fetch(feed(server.url("/feeds/broken.xml")), client)
    assert result.error.startswith("malformed XML: not well-formed (invalid token) at line 2")


def test_the_line_of_an_error_is_the_documents_own_without_a_declaration():
    with pytest.raises(FeedError, match="mismatched tag at line 3, column 7"):
        parse_feed(b'<rss version="2.0"><channel>\n<title>x</title>\n<bad></item></channel></rss>', "lines")
    utf16 = '<?xml version="1.0" encoding="utf-16"?>\n<rss version="2.0"><channel>\n<title>x</title>\n<bad></item></channel></rss>'
    with pytest.raises(FeedError, match="mismatched tag at line 4, column 7"):
        parse_feed(b"\xff\xfe" + utf16.encode("utf-16-le"), "lines")


async def test_connection_refused_keeps_the_state(client):
    first = await fetch(feed("http://127.0.0.1:1/feed.xml"), client)
    state = replace(first.state, etag='"old"')
    result = await fetch(feed("http://127.0.0.1:1/feed.xml"), client, state=state, now=NOW + timedelta(days=1))
    assert result.error.startswith("network error: ConnectError")
    assert result.state.etag == '"old"' and result.state.failures == 2


async def test_invalid_url_is_reported(client):
    result = await fetch(feed("http://feeds.newsbot.example/\x01"), client)
    assert result.error.startswith("invalid URL (")


def test_a_title_of_invisible_characters_is_no_title():
    document = (
        "<rss version='2.0'><channel><title>t</title><item><title>\u200b\u200d\u2060 \ufeff</title>"
        "<description>Solar pumps reach farms in Kisumu.</description>"
        "<link>https://fixtures.newsbot.example/i</link></item></channel></rss>"
    ).encode()
    (draft,) = parse_feed(document, "invisible")
    assert draft.title == "Solar pumps reach farms in Kisumu."


THAI_LINE = "ชุมชนห่างไกลในเชียงใหม่ได้รับไฟฟ้าจากแผงโซลาร์เซลล์เป็นครั้งแรกในประวัติศาสตร์"  # 78 characters


@pytest.mark.parametrize(
    ("first_line", "title"),
    [
        ("K" + "🇰🇪" * 60, "K" + "🇰🇪" * 39 + "…"),  # the 80th character is the first half of a flag
        # the 80th is the vowel of "ที่", whose tone mark is the 81st; Thai has no spaces to cut at
        (THAI_LINE + "ที่หมู่บ้าน", THAI_LINE + "…"),
    ],
)
def test_a_title_made_from_the_text_cuts_no_character_in_two(first_line, title):
    document = (
        f"<rss version='2.0'><channel><title>t</title><item><description>{first_line}</description>"
        "<link>https://fixtures.newsbot.example/untitled</link></item></channel></rss>"
    ).encode()
    (draft,) = parse_feed(document, "untitled")
    assert draft.title == title


def test_entities_in_titles_and_bodies_are_decoded():
    document = (
        b'<rss version="2.0"><channel><title>t</title><item><title>AT&amp;T &#038; Caf&#233;</title>'
        b"<description>&lt;p&gt;Fish &amp;amp; chips &#8211; &quot;fresh&quot;&lt;/p&gt;</description>"
        b"<link>https://fixtures.newsbot.example/e</link></item></channel></rss>"
    )
    (draft,) = parse_feed(document, "entities")
    assert draft.title == "AT&T & Café"
    assert draft.text == 'Fish & chips – "fresh"'


@pytest.mark.skipif(not SHARED_FEEDS.is_dir(), reason="../shared/data/feeds is not present on this machine")
def test_every_shared_feed_parses_without_raising():
    paths = sorted(path for path in SHARED_FEEDS.rglob("*") if path.is_file())
    assert paths
    for path in paths:
        try:
            drafts = parse_feed(path.read_bytes(), "shared", url="https://feeds.newsbot.example/" + path.name)
        except FeedError:
            continue
        for draft in drafts:
            assert draft.title and (draft.url or draft.guid)
            assert draft.published is None or draft.published.tzinfo is timezone.utc


def test_a_body_that_names_a_local_file_is_not_read_from_disk(tmp_path):
    local_feed = tmp_path / "local.rss"
    local_feed.write_bytes(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title>'
        b"<item><title>Secret local item</title><link>https://local.test/1</link></item></channel></rss>"
    )
    with pytest.raises(FeedError):
        parse_feed(str(local_feed).encode(), "remote")


def test_an_item_without_link_or_guid_gets_a_stable_guid_from_its_words_and_feed():
    item = b"<item><title>Grid tender in Lahore</title><description>Bids close in May.</description></item>"
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>' + item + b"</channel></rss>"
    [first] = parse_feed(body, "t", url="https://a.newsbot.example/rss")
    [again] = parse_feed(body, "t", url="https://a.newsbot.example/rss")
    [elsewhere] = parse_feed(body, "t", url="https://b.newsbot.example/rss")
    assert first.url is None and first.guid.startswith("content:")
    assert first.guid == again.guid != elsewhere.guid


def test_a_link_without_a_host_is_no_link_and_shares_no_id():
    links = (b"http://", b"http:///", b"https:///news/1", b"https://news/2")
    items = b"".join(b"<item><title>Tender %d</title><link>%s</link></item>" % pair for pair in enumerate(links))
    body = b'<rss version="2.0"><channel><title>T</title>' + items + b"</channel></rss>"
    drafts = parse_feed(body, "t", url="https://a.newsbot.example/rss")
    assert [draft.url for draft in drafts] == [None] * 4
    assert len({article_id(draft.url, draft.guid) for draft in drafts}) == 4


def test_a_guid_that_is_no_address_is_no_link_and_stays_as_written():
    rss = (
        b'<rss version="2.0"><channel><title>T</title><item><title>Tender 1</title><guid>12345</guid></item>'
        b"<item><title>Tender 2</title><link>https://a.newsbot.example/t2</link><guid>t2</guid></item>"
        b"<item><title>Tender 3</title><guid>https://a.newsbot.example/t3</guid></item></channel></rss>"
    )
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><title>Tender 4</title><id>42</id></entry></feed>'
    drafts = parse_feed(rss, "t", url="https://a.newsbot.example/feeds/rss") + parse_feed(
        atom, "t", url="https://a.newsbot.example/feeds/atom"
    )
    assert [(draft.url, draft.guid) for draft in drafts] == [
        (None, "12345"),
        ("https://a.newsbot.example/t2", "t2"),
        ("https://a.newsbot.example/t3", "https://a.newsbot.example/t3"),
        (None, "42"),
    ]


def test_a_feedburner_entry_links_to_the_article_not_to_the_tracking_redirect():
    origin = b'xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"'
    items = (
        b"<item><title>Tender 1</title><link>https://feeds.newsbot.example/~r/wire/~3/Ab1/tender-1.html</link>"
        b"<feedburner:origLink>https://www.wire.newsbot.example/tenders/tender-1.html</feedburner:origLink></item>"
        b"<item><title>Tender 2</title><link>https://feeds.newsbot.example/~r/wire/~3/Cd2/tender-2.html</link>"
        b"<feedburner:origLink>/tenders/tender-2.html</feedburner:origLink></item>"  # no address: the link stays
    )
    body = b'<rss version="2.0" ' + origin + b"><channel><title>T</title>" + items + b"</channel></rss>"
    first, second = parse_feed(body, "t", url="https://feeds.newsbot.example/wire")
    assert (first.url, first.tracking_url) == (
        "https://www.wire.newsbot.example/tenders/tender-1.html",
        "https://feeds.newsbot.example/~r/wire/~3/Ab1/tender-1.html",
    )
    assert (second.url, second.tracking_url) == ("https://feeds.newsbot.example/~r/wire/~3/Cd2/tender-2.html", None)
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" ' + origin + b"><title>T</title><entry><title>Tender 3</title>"
        b'<id>tag:wire,2018:3</id><link rel="alternate" href="https://feedproxy.newsbot.example/~r/wire/~3/Ef3/t3.html"/>'
        b"<feedburner:origLink>https://wire.newsbot.example/2018/t3.html</feedburner:origLink></entry></feed>"
    )
    [third] = parse_feed(atom, "t")
    assert third.url == "https://wire.newsbot.example/2018/t3.html"


SITE = b"<link>https://site.newsbot.example/</link>"


@pytest.mark.parametrize(
    ("site", "item", "url"),
    [
        (SITE, b'<item><guid isPermaLink="true">/news/3</guid>', "https://site.newsbot.example/news/3"),
        (SITE, b"<item><guid>/news/3</guid>", "https://site.newsbot.example/news/3"),  # a permalink unless it says not
        (SITE, b'<item xml:base="https://base.newsbot.example/x/"><guid isPermaLink="true">/news/3</guid>',
         "https://base.newsbot.example/news/3"),
        (SITE, b'<item><guid isPermaLink="false">/news/3</guid>', None),
        (SITE, b'<item><guid isPermaLink="true">12345</guid>', None),
        (SITE, b'<item><guid isPermaLink="true">news/3</guid>', None),
        (b"", b'<item><guid isPermaLink="true">/news/3</guid>', None),  # the feed's address may be a feed service's
    ],
)
def test_a_permalink_guid_that_is_a_path_links_to_its_page_on_the_feeds_site(site, item, url):
    body = b'<rss version="2.0"><channel><title>T</title>' + site + item + b"<title>Tender 3</title></item></channel></rss>"
    [draft] = parse_feed(body, "t", url="https://feeds.newsbot.example/rss")
    assert draft.url == url
    assert draft.guid == item.rsplit(b">", 2)[1].removesuffix(b"</guid").decode()  # as written


def test_entries_dropped_for_having_no_title_nor_text_are_not_lost_to_a_malformed_feeds_fault(caplog):
    body = (
        b'<rss version="2.0"><channel><title>T</title>\n'
        b"<item><title>First</title><link>https://e.newsbot.example/1</link></item>\n"
        b"<item><link>https://e.newsbot.example/2</link></item>\n"
        b"<item><title>Third</titel><link>https://e.newsbot.example/3</link></item></channel></rss>"
    )
    assert [draft.title for draft in parse_feed(body, "lost")] == ["First"]
    [warning] = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert warning.endswith(": read 2 of its 3 entries")
    caplog.clear()
    empty = b'<rss version="2.0"><channel><title>T</title>\n<item><link>https://e.newsbot.example/1</link></item>\n<bad></channel></rss>'
    assert parse_feed(empty, "empty") == []
    assert [record.getMessage() for record in caplog.records if record.levelname == "WARNING"] == []


async def test_dates_with_month_names_in_other_languages(server, client):
    result = await fetch(feed(server.url("/feeds/localized-dates.xml")), client)
    assert [draft.published for draft in result.drafts] == [
        datetime(2018, 9, 24, 22, 42, 40, tzinfo=timezone.utc),  # "Seg, 24 Set 2018 19:42:40 -0300"
        datetime(2024, 12, 3, 9, 0, tzinfo=timezone.utc),  # "mar., 3 déc. 2024 10:00:00 +0100"
        datetime(2025, 5, 5, 1, 0, tzinfo=timezone.utc),  # "Sen, 5 Mei 2025 08:00:00 +0700"
        datetime(2024, 3, 13, 9, 0, tzinfo=timezone.utc),  # "wo, 13 mrt 2024 10:00:00 +0100"
    ]


def rss(*titles: bytes, declaration: bytes = b'<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    items = b"".join(b"<item><title>%s</title><link>https://e.newsbot.example/%d</link></item>" % pair
                     for pair in zip(titles, range(len(titles))))
    return declaration + b'<rss version="2.0"><channel><title>T</title>' + items + b"</channel></rss>"


def test_a_stray_byte_in_a_utf8_feed_spoils_only_itself(caplog):
    body = rss("Żółć w Łodzi".encode(), "中国 AI 芯片".encode(), b"Caf\xe9 opens in Lyon")
    assert [draft.title for draft in parse_feed(body, "mixed bytes")] == [
        "Żółć w Łodzi", "中国 AI 芯片", "Caf\ufffd opens in Lyon"
    ]
    [warning] = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert warning.startswith("mixed bytes: ")


@pytest.mark.parametrize(
    ("title", "encoding", "declaration", "content_type"),
    [
        ("深圳港试行人工智能调度系统", "gb2312", b'<?xml version="1.0" encoding="gb2312"?>', "application/rss+xml"),
        ("深圳港试行人工智能调度系统", "gb2312", b'<?xml version="1.0" encoding="gb2312"?>', "text/xml"),
        ("ŽLUŤOUČKÝ KŮŇ ÚPĚL ĎÁBELSKÉ ÓDY", "windows-1250", b'<?xml version="1.0" encoding="windows-1250"?>', "text/xml"),
        ("Příliš žluťoučký kůň", "windows-1250", b"", "application/rss+xml; charset=windows-1250"),
        ("Łódź testuje inteligentną sieć", "iso-8859-2", b'<?xml version="1.0" encoding="iso-8859-2"?>', ""),
        ("Cooperativa em São Paulo", "windows-1252", b"", ""),
        ("Умная сеть в Москве", "utf-16", b'<?xml version="1.0" encoding="utf-16"?>', ""),
    ],
)
def test_feeds_in_other_encodings_are_not_taken_for_utf8(title, encoding, declaration, content_type, caplog):
    body = rss(title.encode("utf-8"), declaration=declaration).decode("utf-8").encode(encoding)
    assert [draft.title for draft in parse_feed(body, "legacy", content_type=content_type)] == [title]
    assert not [record for record in caplog.records if record.levelname == "WARNING"]


@pytest.mark.parametrize(
    ("encoding", "titles"),
    [
        ("gb2312", ["深圳港试行人工智能调度系统", "广东农民用无人机监测水稻病虫害", "专家称智能电网将降低工业用电成本"]),
        ("big5", ["台灣醫院試用人工智慧判讀影像", "高雄港啟用智慧物流平台", "農民以感測器管理稻田灌溉"]),
        ("euc-kr", ["서울시 인공지능 교통 신호 시범 운영", "부산항 스마트 물류 플랫폼 도입", "농가에 드론 방제 서비스 확대"]),
        ("shift_jis", ["東京の病院が人工知能で画像診断を試行", "大阪港でスマート物流の実証実験", "農家がセンサーで水田を管理"]),
        ("tis-620", ["โรงพยาบาลในเชียงใหม่ทดลองใช้ปัญญาประดิษฐ์", "ท่าเรือแหลมฉบังเปิดระบบโลจิสติกส์อัจฉริยะ",
                     "เกษตรกรใช้เซ็นเซอร์จัดการน้ำในนาข้าว"]),
    ],
)
@pytest.mark.parametrize("content_type", ["application/rss+xml", "text/xml"])
def test_feeds_in_legacy_encodings_they_do_not_declare_are_read(encoding, titles, content_type, caplog):
    body = rss(*(title.encode() for title in titles), declaration=b'<?xml version="1.0"?>').decode().encode(encoding)
    assert [draft.title for draft in parse_feed(body, "legacy", content_type=content_type)] == titles
    assert not [record for record in caplog.records if record.levelname == "WARNING"]


def test_bare_ampersands_stay_as_written():
    item = (
        b"<item><title>S&P 500 hits record as M&A picks up at P&G</title>"
        b"<description>AT&T and R&D: <![CDATA[Q&A]]> &amp; caf&#233;</description>"
        b"<link>https://e.newsbot.example/1?a=1&b=2</link></item>"
    )
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>' + item + b"</channel></rss>"
    [draft] = parse_feed(body, "ampersands")
    assert draft.title == "S&P 500 hits record as M&A picks up at P&G"
    assert draft.text == "AT&T and R&D: Q&A & café"
    assert draft.url == "https://e.newsbot.example/1?a=1&b=2"


def test_character_references_to_utf16_surrogates_make_their_character():
    body = rss(b"Launch day &#55357;&#56960;", b"Launch day &#xD83D;&#xDE80;", b"Half &#xd83d; a rocket", b"Calm day")
    assert [draft.title for draft in parse_feed(body, "surrogates")] == [
        "Launch day 🚀", "Launch day 🚀", "Half \ufffd a rocket", "Calm day"
    ]


@pytest.mark.parametrize(
    ("date", "published"),
    [
        ("Mon, 04 Mar 2024 10:00:00 CET", datetime(2024, 3, 4, 9, 0)),
        ("Thu, 04 Jul 2024 10:00:00 CEST", datetime(2024, 7, 4, 8, 0)),
        ("Thu, 04 Jul 2024 10:00:00 BST", datetime(2024, 7, 4, 9, 0)),
        ("Mon, 04 Mar 2024 10:00:00 IST", datetime(2024, 3, 4, 4, 30)),  # India's
        ("Sen, 4 Mar 2024 10:00:00 WIB", datetime(2024, 3, 4, 3, 0)),
        ("Mon, 04 Mar 2024 10:00:00 EST", datetime(2024, 3, 4, 15, 0)),
        ("Thu, 04 Jul 2024 10:00:00 pdt", datetime(2024, 7, 4, 17, 0)),
        ("Mon, 04 Mar 2024 10:00:00 GMT", datetime(2024, 3, 4, 10, 0)),
        ("Thu, 29 Feb 2024 10:00:00 +0100", datetime(2024, 2, 29, 9, 0)),
        ("Mon, 04 Mar 2024 10:00:00 +07:00", datetime(2024, 3, 4, 3, 0)),
        ("Sen, 4 Mar 2024 10:00:00 -03:30", datetime(2024, 3, 4, 13, 30)),
        ("2024/03/04 10:00:00 +0800", datetime(2024, 3, 4, 2, 0)),  # not 1 March, nor the current month's first
        ("2024/3/4 10:00", datetime(2024, 3, 4, 10, 0)),
        ("2024/03/04", datetime(2024, 3, 4, 0, 0)),
        ("2024年3月4日 10:00", datetime(2024, 3, 4, 10, 0)),
        ("2025-06-10 04:00:00 GMT+0800", datetime(2025, 6, 9, 20, 0)),  # not 00:00 UTC, the time and offset lost
        ("2025-06-10 04:00:00 UTC+08:00", datetime(2025, 6, 9, 20, 0)),
        ("2025-06-10T04:00 gmt+8", datetime(2025, 6, 9, 20, 0)),
        ("Tue, 10 Jun 2025 16:00:00 GMT+0800", datetime(2025, 6, 10, 8, 0)),  # not 16:00 UTC
        ("Tue, 10 Jun 2025 16:00:00 UTC-03:30", datetime(2025, 6, 10, 19, 30)),
        ("2025-06-10T04:00:00+08:00", datetime(2025, 6, 9, 20, 0)),
        ("2025-06-10 04:00:00", datetime(2025, 6, 10, 4, 0)),
        ("2025-06-10T04:00:00+0530", datetime(2025, 6, 9, 22, 30)),  # not 23:00: the offset's minutes lost
        ("2025-06-10T04:00:00.000+0545", datetime(2025, 6, 9, 22, 15)),
        ("2025-06-10T04:00:00-0330", datetime(2025, 6, 10, 7, 30)),
        ("2025-06-10T04:00:00+0100", datetime(2025, 6, 10, 3, 0)),
        ("2025-06-10 04:00:00 CET", datetime(2025, 6, 10, 3, 0)),  # not 00:00 UTC, the time lost
        ("2025-06-10 04:00 EST", datetime(2025, 6, 10, 9, 0)),
        ("Tue, 10 Jun 2025 04:00:00.250 +0200", datetime(2025, 6, 10, 2, 0)),  # not the fetch time
        ("10 Jun 2025 4:00 PM", datetime(2025, 6, 10, 16, 0)),  # not 04:00
        ("Tue, 10 Jun 2025 04:00:00 pm +0700", datetime(2025, 6, 10, 9, 0)),
        ("10 Jun 2025 12:30 AM GMT", datetime(2025, 6, 10, 0, 30)),
        ("10 Jun 2025 12:30 p.m.", datetime(2025, 6, 10, 12, 30)),
        ("2025/06/10 4:05 pm", datetime(2025, 6, 10, 16, 5)),
        ("Jan 3, 2018 1:48 PM", datetime(2018, 1, 3, 13, 48)),  # without a zone: UTC, as the others
        ("Wednesday, January 3rd, 2018 13:48:00 +0100", datetime(2018, 1, 3, 12, 48)),
        ("Sept. 3 2018 10:00 EST", datetime(2018, 9, 3, 15, 0)),
        ("Wed,03 Jan 2018 13:48:00 +0000", datetime(2018, 1, 3, 13, 48)),
        ("03-Jan-2018 13:48", datetime(2018, 1, 3, 13, 48)),
        ("03-Jan-2018", datetime(2018, 1, 3, 0, 0)),
        ("Sunday, 06-Nov-94 08:49:37 GMT", datetime(1994, 11, 6, 8, 49, 37)),  # RFC 850: not the fetch time
        ("Wednesday, 03-Jan-18 13:48:00 +0100", datetime(2018, 1, 3, 12, 48)),
        ("03-Jan-18", datetime(2018, 1, 3, 0, 0)),
        ("Jan 3, 2018", datetime(2018, 1, 3, 0, 0)),
        ("3-janv.-2018 13:48:00 +0100", datetime(2018, 1, 3, 12, 48)),
        ("20180103T134800Z", datetime(2018, 1, 3, 13, 48)),  # not midnight
        ("20180103T134800+0530", datetime(2018, 1, 3, 8, 18)),
        ("20180103T1348", datetime(2018, 1, 3, 13, 48)),
        ("20180103T134800.5-03:00", datetime(2018, 1, 3, 16, 48)),
        ("Di, 05 Mär 2024 14:30:00 MEZ", datetime(2024, 3, 5, 13, 30)),  # German zone names: not 14:30 UTC
        ("Mi, 10 Jul 2024 14:30:00 MESZ", datetime(2024, 7, 10, 12, 30)),
        ("2024-07-10 14:30 OESZ", datetime(2024, 7, 10, 11, 30)),
        ("05.03.2024 14:30 MEZ", datetime(2024, 3, 5, 13, 30)),  # day.month.year: not the fetch time
        ("5.3.2024, 09:15 +0100", datetime(2024, 3, 5, 8, 15)),
        ("05.03.2024", datetime(2024, 3, 5, 0, 0)),
        ("2024年3月5日 下午2:30", datetime(2024, 3, 5, 14, 30)),  # not 1 December of the current year
        ("2024年3月5日 上午9:05", datetime(2024, 3, 5, 9, 5)),
        ("2024年3月5日 晚上11:00", datetime(2024, 3, 5, 23, 0)),
        ("2024年03月05日 14时30分", datetime(2024, 3, 5, 14, 30)),
        ("2024年3月5日 14:30 +0800", datetime(2024, 3, 5, 6, 30)),
        ("2024年3月5日 星期二 14:30", datetime(2024, 3, 5, 14, 30)),
        ("2024年3月5日 北京时间14:30", datetime(2024, 3, 5, 6, 30)),  # Beijing time: UTC+8
        ("2024-03-05 14:30:00 北京时间", datetime(2024, 3, 5, 6, 30)),
        ("Tue, 05 Mar 2024 14:30 +08", datetime(2024, 3, 5, 6, 30)),  # an offset in hours: not 14:22, 8 minutes
        ("2024-03-05 14:30 +08", datetime(2024, 3, 5, 6, 30)),  # not midnight, the time lost
        ("2024-03-05 14:30:00 -03", datetime(2024, 3, 5, 17, 30)),
        ("1709649000", datetime(2024, 3, 5, 14, 30)),  # seconds since 1970: not 6 April 2017
        ("1709649000000", datetime(2024, 3, 5, 14, 30)),  # milliseconds
        ("20240305", datetime(2024, 3, 5, 0, 0)),  # ISO 8601's compact date, no count of seconds
        ("Tue, 05 Mar 2024 14:30:00 GST", datetime(2024, 3, 5, 10, 30)),  # Gulf time: not 14:30 UTC
        ("Tue, 05 Mar 2024 14:30:00 MYT", datetime(2024, 3, 5, 6, 30)),
        ("Tue, 05 Mar 2024 14:30:00 NPT", datetime(2024, 3, 5, 8, 45)),
        ("Tue, 05 Mar 2024 14:30:00 IRST", datetime(2024, 3, 5, 11, 0)),
        ("Tue, 05 Mar 2024 14:30:00 TRT", datetime(2024, 3, 5, 11, 30)),
        ("Tue, 05 Mar 2024 14:30:00 MMT", datetime(2024, 3, 5, 8, 0)),
        ("Tue, 05 Mar 2024 14:30:00 COT", datetime(2024, 3, 5, 19, 30)),
        ("5 марта 2024 14:30 MSK", datetime(2024, 3, 5, 11, 30)),  # Russian months: not the fetch time
        ("Вт, 05 мар 2024 14:30:00 +0300", datetime(2024, 3, 5, 11, 30)),
        ("1 мая 2024", datetime(2024, 5, 1, 0, 0)),
        ("Май 1, 2024 10:00", datetime(2024, 5, 1, 10, 0)),
        ("Sat, 31 Feb 2024 10:00:00 GMT", None),  # not 2 March
        ("31 Feb 2024 10:00 +0100", None),
        ("Fri, 29 Feb 2023 10:00:00 CET", None),
        ("Feb 30, 2018 1:48 PM", None),
    ],
)
def test_dates_with_named_time_zones_and_impossible_days(date, published):
    item = f"<item><title>Dated</title><link>https://e.newsbot.example/1</link><pubDate>{date}</pubDate></item>"
    [draft] = parse_feed(f'<rss version="2.0"><channel><title>T</title>{item}</channel></rss>'.encode(), "dates")
    assert draft.published == (published and published.replace(tzinfo=timezone.utc))



@pytest.mark.parametrize("date", ["Tue, 05 Mar 2024 14:30:00 CST", "2024-03-05 14:30:00 CST", "2024年3月5日 14:30 CST"])
def test_cst_in_a_chinese_feed_is_china_standard_time(date):
    # RFC 822's CST is North America's Central time (UTC-6): a Chinese feed's was read 14 hours late
    item = f"<item><title>新闻</title><link>https://e.newsbot.example/1</link><pubDate>{date}</pubDate></item>"
    body = f'<rss version="2.0"><channel><title>T</title><language>zh-CN</language>{item}</channel></rss>'
    [chinese] = parse_feed(body.encode(), "dates")
    [english] = parse_feed(body.replace("zh-CN", "en-US").encode(), "dates")
    assert chinese.published == datetime(2024, 3, 5, 6, 30, tzinfo=timezone.utc)
    assert english.published == datetime(2024, 3, 5, 20, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "date, chinese_published, english_published",
    [
        ("2024年3月5日 14:30", datetime(2024, 3, 5, 6, 30), datetime(2024, 3, 5, 14, 30)),  # Beijing time, not UTC
        ("2024年3月5日 下午2:30", datetime(2024, 3, 5, 6, 30), datetime(2024, 3, 5, 14, 30)),
        ("2024-03-05 14:30:00", datetime(2024, 3, 5, 6, 30), datetime(2024, 3, 5, 14, 30)),
        ("Tue, 05 Mar 2024 14:30", datetime(2024, 3, 5, 6, 30), datetime(2024, 3, 5, 14, 30)),
        ("2024年3月5日 14:30 +0800", datetime(2024, 3, 5, 6, 30), datetime(2024, 3, 5, 6, 30)),  # a zone given is kept
        ("2024年3月5日 北京时间14:30", datetime(2024, 3, 5, 6, 30), datetime(2024, 3, 5, 6, 30)),
        ("2024-03-05T14:30:00Z", datetime(2024, 3, 5, 14, 30), datetime(2024, 3, 5, 14, 30)),
        ("Tue, 05 Mar 2024 14:30:00 GMT", datetime(2024, 3, 5, 14, 30), datetime(2024, 3, 5, 14, 30)),
        ("2024-03-05 14:30 UTC+8", datetime(2024, 3, 5, 6, 30), datetime(2024, 3, 5, 6, 30)),
        ("2024年3月5日", datetime(2024, 3, 5, 0, 0), datetime(2024, 3, 5, 0, 0)),  # a day alone stays that day
        ("1709649000", datetime(2024, 3, 5, 14, 30), datetime(2024, 3, 5, 14, 30)),  # seconds since 1970: no zone to guess
        ("2024年3月5日 14:30 星期二", datetime(2024, 3, 5, 6, 30), datetime(2024, 3, 5, 14, 30)),  # a weekday is no zone
        # a note after the zone is no time without one: it was moved back 8 hours again
        ("Tue, 05 Mar 2024 14:30:00 +0800 (CST)", datetime(2024, 3, 5, 6, 30), datetime(2024, 3, 5, 6, 30)),
        # JavaScript's Date.toString(), its offset read, not dropped with the zone's name after it
        ("Tue Mar 05 2024 14:30:00 GMT+0800 (中国标准时间)", datetime(2024, 3, 5, 6, 30), datetime(2024, 3, 5, 6, 30)),
    ],
)
def test_a_chinese_feeds_time_without_a_zone_is_china_standard_time(date, chinese_published, english_published):
    item = f"<item><title>新闻</title><link>https://e.newsbot.example/1</link><pubDate>{date}</pubDate></item>"
    body = f'<rss version="2.0"><channel><title>T</title><language>zh-CN</language>{item}</channel></rss>'
    [chinese] = parse_feed(body.encode(), "dates")
    [english] = parse_feed(body.replace("zh-CN", "en-US").encode(), "dates")
    assert chinese.published == chinese_published.replace(tzinfo=timezone.utc)
    assert english.published == english_published.replace(tzinfo=timezone.utc)


def test_an_entry_is_read_without_the_footer_its_feed_appends():
    item = (
        b"<item><title>AI tutors in Thai schools</title><link>https://news.example/tutors</link><description>"
        b"&lt;p&gt;Thailand pilots AI tutors in 200 schools.&lt;/p&gt;&lt;p&gt;The post &lt;a href='https://news.example/tutors'&gt;"
        b"AI tutors in Thai schools&lt;/a&gt; appeared first on &lt;a href='https://news.example'&gt;WP News&lt;/a&gt;.&lt;/p&gt;"
        b"</description></item>"
    )
    [draft] = parse_feed(b'<rss version="2.0"><channel><title>WP News</title>' + item + b"</channel></rss>", "wp")
    assert draft.text == "Thailand pilots AI tutors in 200 schools."


def test_a_link_aggregators_entries_are_read_without_the_line_under_each_post():
    link_post, text_post, _ = parse_feed((FIXTURES / "aggregator.xml").read_bytes(), "aggregator")
    assert link_post.text == ""  # a thumbnail and that line: nothing its title does not say
    assert text_post.text == "Our cooperative put soil sensors in forty fields last spring. Water use fell by a fifth."


def test_markup_escaped_once_too_often_is_read_as_markup_not_shown_as_text():
    *_, escaped_twice = parse_feed((FIXTURES / "aggregator.xml").read_bytes(), "aggregator")
    assert escaped_twice.text == "It's a bright spark."


@pytest.mark.parametrize(
    ("description", "text"),
    [
        ("&lt;p&gt;The &amp;lt;blink&amp;gt; tag and &amp;lt;br/&amp;gt; are gone.&lt;/p&gt;",
         "The <blink> tag and <br/> are gone."),
        # escaped closing tags among real markup are the text's own words, not markup escaped once too often
        ("&lt;p&gt;Close every &amp;lt;div&amp;gt; with &amp;lt;/div&amp;gt;.&lt;/p&gt;", "Close every <div> with </div>."),
    ],
)
def test_a_text_that_names_a_tag_keeps_it(description, text):
    item = f"<item><title>Tags</title><link>https://e.newsbot.example/t</link><description>{description}</description></item>"
    [draft] = parse_feed(f'<rss version="2.0"><channel><title>T</title>{item}</channel></rss>'.encode(), "tags")
    assert draft.text == text


def test_a_description_in_plain_text_keeps_its_lines():
    # feedparser calls every RSS description HTML, where a line break is a space: the show's name ran into
    # the first sentence ("…in East Africa We visit…"), each source line into the next
    [episode] = parse_feed((FIXTURES / "plain-descriptions.xml").read_bytes(), "podcast")
    assert episode.text == (
        "Grid Talk, the show about power in East Africa\n\n"
        "We visit a solar co-op in Kisumu & ask how it pays for its batteries.\nThe answer surprised us.\n\n"
        "(0:12) Source: “Batteries for All,” Energy Weekly, March 2026. https://energy.newsbot.example/b"
    )


@pytest.mark.parametrize(
    "content",
    [
        '<figure><img src="https://e.newsbot.example/garissa.jpg" width="800" /></figure>',
        '<iframe src="https://video.newsbot.example/embed/garissa" width="560"></iframe>',
    ],
)
def test_an_entry_whose_content_is_only_a_picture_or_an_embed_keeps_its_descriptions_text(content):
    item = (
        "<item><title>Solar farm opens in Kenya</title><link>https://e.newsbot.example/garissa</link>"
        "<description>Kenya opened a 50 MW solar farm in Garissa. It will power 60,000 homes.</description>"
        f"<content:encoded><![CDATA[{content}]]></content:encoded></item>"
    )
    content_module = 'xmlns:content="http://purl.org/rss/1.0/modules/content/"'
    body = f'<rss version="2.0" {content_module}><channel><title>T</title>{item}</channel></rss>'
    [draft] = parse_feed(body.encode(), "pictures")
    assert draft.text == "Kenya opened a 50 MW solar farm in Garissa. It will power 60,000 homes."


def test_code_in_a_content_block_without_words_is_kept_when_the_text_comes_from_the_summary():
    # a snippet post: the content block is code and the feed's footer, the story is told in the description
    footer = "<p>The post <a href='https://devwire.test/runs'>Faster batch runs</a> appeared first on Dev Wire.</p>"
    item = (
        "<item><title>Faster batch runs</title><link>https://devwire.test/runs</link>"
        "<description>The scheduler now runs batch jobs at once.</description>"
        f"<content:encoded><![CDATA[<pre><code>run_now_fast(jobs)</code></pre>{footer}]]></content:encoded></item>"
    )
    body = (
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Dev wire</title>{item}</channel></rss>"
    )
    [draft] = parse_feed(body.encode(), "devwire")
    assert draft.text == "The scheduler now runs batch jobs at once."
    assert "run_now_fast(jobs)" in draft.code
