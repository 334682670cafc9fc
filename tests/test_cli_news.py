"""`newsbot ingest` and `newsbot news` end to end: bundled corpus in, filtered JSON and text out, clear errors."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from content.settings import FeedSource
from content.model import Article
from content.store import Store


def write_config(tmp_path, storage_url: str, sources: str = "  - {name: newsbot demo, kind: bundled}") -> str:
    path = tmp_path / "config.yaml"
    path.write_text(f"storage:\n  url: {storage_url}\nsources:\n{sources}\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def config(tmp_path):
    return write_config(tmp_path, f"sqlite:///{tmp_path / 'newsbot.db'}")


def news_json(capsys, config: str, *args: str) -> list[dict]:
    capsys.readouterr()
    assert main(["--config", config, "news", "--json", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_ingest_the_bundled_corpus_then_query_it(config, capsys):
    assert main(["--config", config, "ingest"]) == 0
    first_run = capsys.readouterr().out
    assert first_run.startswith("1 source: ") and "0 failed" in first_run and "newsbot demo: " in first_run
    new, duplicates = map(int, re.search(r"(\d+) new, (\d+) duplicate", first_run).groups())
    assert new >= 15 and duplicates >= 1  # the corpus carries one story twice, under two URLs
    assert main(["--config", config, "ingest"]) == 0
    assert "0 new" in capsys.readouterr().out  # everything is a duplicate the second time

    solar = news_json(capsys, config, "--query", "solar", "--limit", "50")
    everything = news_json(capsys, config, "--limit", "100")
    assert any("solar" in a["title"].lower() for a in solar) and len(solar) < len(everything)
    assert set(solar[0]) == {"id", "title", "url", "source", "published", "summary", "sectors", "countries", "regions"}
    published = [a["published"] for a in solar]
    assert published == sorted(published, reverse=True)

    thai_energy = news_json(capsys, config, "--sector", "energy", "--country", "TH")
    assert thai_energy and all("energy" in a["sectors"] and "TH" in a["countries"] for a in thai_energy)

    assert len(news_json(capsys, config, "--limit", "2")) == 2


def test_text_output_shows_the_fields_and_strips_terminal_controls(config, capsys):
    async def seed():
        store = await Store.open(f"sqlite:///{config.rsplit('/', 1)[0]}/newsbot.db")
        moment = datetime(2026, 5, 4, tzinfo=timezone.utc)
        await store.add(
            [
                Article(
                    id="evil", url="https://feed.test/a", title="Grid \x1b[31mupgrade\x1b[0m in Lampang",
                    sources=("Test Wire",), published=moment, fetched=moment, text="Text.",
                    summary="Summary line.\x07", sectors=("energy",), countries=("TH",),
                )
            ]
        )
        await store.close()

    asyncio.run(seed())
    assert main(["--config", config, "news"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "Grid [31mupgrade[0m in Lampang" in out and "2026-05-04 · Test Wire" in out
    assert "Summary line." in out and "https://feed.test/a" in out


def test_json_output_escapes_the_controls_json_leaves_raw(config, capsys):
    async def seed():
        store = await Store.open(f"sqlite:///{config.rsplit('/', 1)[0]}/newsbot.db")
        moment = datetime(2026, 5, 4, tzinfo=timezone.utc)
        title, summary = "Grid \u202eedargpu\u2028in Lampang", "Summary \x9b31mline.\x7f"
        await store.add(
            [
                Article(
                    id="evil", url="https://feed.test/a", title=title, sources=("Test Wire",), published=moment,
                    fetched=moment, text="Text.", summary=summary, sectors=("energy",), countries=("TH",),
                )
            ]
        )
        await store.close()
        return title, summary

    title, summary = asyncio.run(seed())
    assert main(["--config", config, "news", "--json"]) == 0
    printed = capsys.readouterr().out
    assert not any(control in printed for control in "\x9b\u202e\u2028\x7f")
    (article,) = [json.loads(line) for line in printed.splitlines()]
    assert (article["title"], article["summary"]) == (title, summary)


def test_unknown_sector_is_a_usage_error(config, capsys):
    assert main(["--config", config, "news", "--sector", "zzzz-not-a-sector"]) == 2
    assert 'unknown sector "zzzz-not-a-sector"' in capsys.readouterr().err


@pytest.mark.parametrize(
    "option, words, expected",
    [
        ("--sector", "kenya", '"kenya" is no sector but Kenya: use --country'),
        ("--country", "energy", '"energy" is no country or region but Energy: use --sector'),
    ],
)
def test_a_place_given_as_a_sector_is_pointed_to_the_right_option(config, capsys, option, words, expected):
    assert main(["--config", config, "news", option, words]) == 2
    assert expected in capsys.readouterr().err


@pytest.mark.parametrize("command", ["ingest", "news"])
@pytest.mark.parametrize("url", ["sqlite:////nonexistent-dir/x.db", "postgresql://postgres@127.0.0.1:1/newsbot"])
def test_storage_that_cannot_be_opened_is_one_line_and_exit_2(tmp_path, capsys, command, url):
    assert main(["--config", write_config(tmp_path, url), command]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("newsbot: cannot open storage ") and "\n" not in err


def test_a_failing_source_is_reported_and_the_run_still_succeeds(tmp_path, capsys):
    sources = (
        "  - {name: newsbot demo, kind: bundled}\n"
        "  - {name: dead feed, kind: feed, url: 'http://127.0.0.1:1/feed.xml', timeout: 2}"
    )
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'n.db'}", sources)
    assert main(["--config", config, "ingest"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 sources: ") and "1 failed\n" in out
    assert "dead feed: failed: " in out
    assert main(["--config", config, "ingest"]) == 0  # the dead feed is not asked again before its backoff ends
    out = capsys.readouterr().out
    assert "0 failed, 1 backing off\n" in out and "dead feed: skipped, backing off after failures until 20" in out
    assert " UTC (last: network error: " in out  # why, as the failed run said


def test_a_source_given_another_address_is_fetched_at_once_despite_its_backoff(tmp_path, capsys):
    def ingest(pattern: str) -> str:
        sources = f"  - {{name: notes, kind: files, path: '{tmp_path / pattern}'}}"
        assert main(["--config", write_config(tmp_path, f"sqlite:///{tmp_path / 'n.db'}", sources), "ingest"]) == 0
        return capsys.readouterr().out

    assert "notes: failed: " in ingest("notes/*.md")  # no such files yet
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "grid.md").write_text("---\ntitle: Kenya extends its grid\n---\nKenya extends its grid.\n")
    assert "notes: 1 new" in ingest("articles/*.md")  # the path fixed: not "backing off"


def _serve_one_feed():
    """A feed server on 127.0.0.1 answering every GET with the RSS fixture; (server, port)."""
    import http.server
    import threading

    class OneFeed(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = (Path(__file__).parent / "fixtures" / "feeds" / "rss2.xml").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OneFeed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_port


def _verbose_ingest_log(tmp_path, caplog, url_at_port) -> tuple[str, int]:
    """What `newsbot -v ingest` logs fetching a local feed from `url_at_port(port)`, and the port."""
    server, port = _serve_one_feed()
    try:
        source = f"  - {{name: private, kind: feed, url: '{url_at_port(port)}'}}"
        config = write_config(tmp_path, f"sqlite:///{tmp_path / 'n.db'}", source)
        caplog.set_level(logging.DEBUG)
        assert main(["-v", "--config", config, "ingest"]) == 0
    finally:
        server.shutdown()
    return "\n".join(record.getMessage() for record in caplog.records), port


def test_verbose_logs_never_show_a_feed_urls_credentials(tmp_path, caplog):
    logged, _ = _verbose_ingest_log(tmp_path, caplog, lambda port: (
        f"http://reader:PASSW0RD@127.0.0.1:{port}/rss.xml?token=SECRETTOKEN&page=1"
        "&client_secret=CLIENTSECRET&auth=AUTHVALUE"
    ))
    assert "HTTP Request: GET http://***@127.0.0.1:" in logged and "token=***&page=1" in logged
    assert not any(secret in logged for secret in ("PASSW0RD", "SECRETTOKEN", "CLIENTSECRET", "AUTHVALUE"))
    assert "httpcore" in logged  # the debug lines of the library below httpx, which no filter of httpx's sees


def test_verbose_logs_never_show_a_variable_written_into_a_feed_urls_path(tmp_path, caplog, monkeypatch):
    """A token in the path (https://example.org/feed/${FEEDTOK}) has no parameter name that tells it is one:
    a variable written after the host is masked, one naming the host is not."""
    monkeypatch.setenv("FEEDTOK", "F33D-T0KEN-1234")
    monkeypatch.setenv("FEED_HOST", "127.0.0.1")
    logged, port = _verbose_ingest_log(tmp_path, caplog, lambda port: f"http://${{FEED_HOST}}:{port}/feed/${{FEEDTOK}}/rss.xml")
    assert f"HTTP Request: GET http://127.0.0.1:{port}/feed/[REDACTED]/rss.xml" in logged
    assert "F33D-T0KEN-1234" not in logged


def test_verbose_logs_never_show_a_token_in_the_path_of_a_feed_url_given_whole_by_a_variable(tmp_path, caplog, monkeypatch):
    """url: ${PRIVATE_FEED} hides the url as feed/${FEEDTOK} does: its parts that read as a token are
    masked, not its host nor words such as "feeds" or "rss.xml"."""

    def whole_url_in_a_variable(port: int) -> str:
        monkeypatch.setenv("PRIVATE_FEED", f"http://127.0.0.1:{port}/feeds/8f3a9c1d2e7b4a6f/rss.xml?user=4d2e9b71c0aa")
        return "${PRIVATE_FEED}"

    logged, port = _verbose_ingest_log(tmp_path, caplog, whole_url_in_a_variable)
    assert f"HTTP Request: GET http://127.0.0.1:{port}/feeds/[REDACTED]/rss.xml?user=[REDACTED]" in logged
    assert "8f3a9c1d2e7b4a6f" not in logged and "4d2e9b71c0aa" not in logged


def test_verbose_logs_leave_out_the_libraries_that_log_every_database_call_or_parser_rule(tmp_path, caplog):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "grid.md").write_text("---\ntitle: Kenya extends its grid\n---\nKenya extends its **grid**.\n")
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'n.db'}", f"  - {{name: notes, kind: files, path: '{tmp_path}/articles/*.md'}}")
    caplog.set_level(logging.DEBUG)
    assert main(["-v", "--config", config, "ingest"]) == 0
    loggers = {record.name.split(".")[0] for record in caplog.records if record.levelno == logging.DEBUG}
    assert "asyncio" in loggers  # debug lines are on
    assert not loggers & {"aiosqlite", "markdown_it"}  # thousands of lines a minute on a running bot


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    import subprocess
    import sys

    articles = tmp_path / "articles.jsonl"
    line = {"title": "Kenya builds a solar grid", "text": "Engineers in Nakuru connect a solar grid to a school. " * 20}
    articles.write_text("".join(json.dumps({"id": n, **line}) + "\n" for n in range(3000)), encoding="utf-8")
    reader = subprocess.Popen(
        [sys.executable, "-m", "bot", "analyze", str(articles)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path
    )
    reader.stdout.readline()
    reader.stdout.close()  # like `| head -1`, while newsbot still has most lines to write
    errors = reader.stderr.read().decode()
    assert reader.wait(timeout=60) == 1 and "Traceback" not in errors and "BrokenPipe" not in errors


@pytest.mark.parametrize("argv", [["-v", "news"], ["news", "-v"]])
def test_verbose_goes_before_or_after_the_command(argv):
    assert build_parser().parse_args(argv).verbose is True
    assert build_parser().parse_args(["news"]).verbose is False


@pytest.mark.parametrize("argv", [["--config", "mine.yaml", "run"], ["run", "--config", "mine.yaml"]])
def test_config_goes_before_or_after_the_command(argv):
    assert build_parser().parse_args(argv).config == "mine.yaml"
    assert build_parser().parse_args(["run"]).config is None


def test_only_credentials_of_a_feed_url_are_masked_everywhere():
    from bot.adapters.redact import REDACTOR
    from bot.cli import hide_feed_secrets

    url = ("https://blog.example/feed/?author=2&keywords=solar&design=e&api_key=K3Y-0F-F33D&accessToken=ACC3SS-T0KEN"
           "&token2=S3C0ND-T0KEN&sortKey=published")
    hide_feed_secrets([FeedSource(name="blog", kind="feed", url=url)])
    assert REDACTOR.redact("ingested 12 new articles by author 2 on solar design, published") == (
        "ingested 12 new articles by author 2 on solar design, published"  # no value that reads like a word
    )
    shown = REDACTOR.redact(f"GET {url}")
    assert not any(secret in shown for secret in ("K3Y-0F-F33D", "ACC3SS-T0KEN", "S3C0ND-T0KEN"))


def test_log_lines_quoting_a_source_show_no_terminal_controls(tmp_path):
    import subprocess
    import sys

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text(
        "---\ntitle: Solar grid in Kenya\nurl: https://feed.test/a\npublished: 2026-05-04T06:00:00+00:00\n"
        'source: "Wire \\e]8;;https://evil.test\\e\\\\click\\e]8;;\\e\\\\ \\e[2J\\r\\u009b31m"\n'
        "sectors: [basket weaving]\n---\nSolar panels power a school in Kenya.\n",
        encoding="utf-8",
    )
    config = write_config(
        tmp_path, f"sqlite:///{tmp_path / 'newsbot.db'}", f"  - {{name: notes, kind: files, path: '{notes}/*.md'}}"
    )
    ingest = subprocess.run([sys.executable, "-m", "bot", "--config", config, "ingest"], capture_output=True, cwd=tmp_path)
    errors = ingest.stderr.decode()
    assert ingest.returncode == 0
    assert "Wire ]8;;https://evil.test\\click]8;;\\ [2J31m: 'basket weaving' names no sector" in errors
    assert not {"\x1b", "\r", "\x9b"} & set(errors)


def test_ingest_counts_the_articles_their_source_corrected(tmp_path, capsys):
    note = tmp_path / "notes" / "grid.md"
    note.parent.mkdir()
    notes = f"  - {{name: notes, kind: files, path: '{tmp_path / 'notes' / '*.md'}'}}"
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'newsbot.db'}", sources=notes)
    for title in ("Grid storage for Lahore", "CORRECTED: Grid storage for Karachi"):
        note.write_text(f"---\ntitle: '{title}'\n---\nThe grid operator added batteries.\n", encoding="utf-8")
        assert main(["--config", config, "ingest"]) == 0
    out = capsys.readouterr().out
    assert "1 source: 0 new, 1 updated, 0 duplicates, 0 failed" in out
    assert "  notes: 0 new, 1 updated, 0 duplicates" in out
    assert [a["title"] for a in news_json(capsys, config)] == ["CORRECTED: Grid storage for Karachi"]


def test_verbose_logs_mask_the_whole_value_of_a_feed_urls_credentials_spaces_quotes_and_all(tmp_path, caplog):
    import httpx

    server, port = _serve_one_feed()
    try:
        url = (f"http://127.0.0.1:{port}/rss.xml;token=P4TH T0KEN?page=1&apikey=K3Y W1TH \"QU0TES' AND SPACES"
               "&sortKey=published#access_token=FR4GMENT T0KEN")
        source = f"  - {{name: private, kind: feed, url: {json.dumps(url)}}}"  # JSON: YAML's double-quoted string
        config = write_config(tmp_path, f"sqlite:///{tmp_path / 'n.db'}", source)
        caplog.set_level(logging.DEBUG)
        assert main(["-v", "--config", config, "ingest"]) == 0
        # as a warning quoting the address would, written as in the config and as httpx sends it
        logging.getLogger("content.sources.feed").warning("private moved to %s and %s", url, httpx.URL(url))
    finally:
        server.shutdown()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/rss.xml;token=***?page=1&apikey=***&sortKey=***#access_token=*** " in logged  # httpx's request line
    assert "/rss.xml;token=[REDACTED]?page=1&apikey=[REDACTED]&sortKey=published#" in logged
    leaked = [word for word in ("P4TH", "T0KEN", "K3Y", "W1TH", "QU0TES", "SPACES", "FR4GMENT") if word in logged]
    assert leaked == []
