"""Markdown files with YAML front matter."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from content.ingest import ingest_once
from content.model import Query, SourceState
from content.settings import FilesSource
from content.sources import fetch_source, new_http_client
from content.sources import files
from content.sources.files import FrontMatterError, parse_markdown
from content.store import Store
from content.tagging import Tagger

FIXTURES = Path(__file__).parent / "fixtures" / "markdown"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)


async def fetch(path: str, state: SourceState | None = None, now: datetime = NOW):
    source = FilesSource(name="notes", kind="files", path=path)
    async with new_http_client() as client:
        return await fetch_source(source, state or SourceState(name="notes"), client, now)


async def test_front_matter_and_markdown_body():
    result = await fetch(str(FIXTURES / "good" / "*.md"))
    assert result.error is None
    drip, memo = result.drafts
    assert drip.title == "Drip lines with moisture sensors reach Sindh cotton growers"
    assert drip.url == "https://fixtures.newsbot.example/notes/sindh-drip"
    assert drip.guid is None
    assert drip.source == "Field Notes Weekly"
    assert drip.author == "Sana Memon"
    assert drip.published == datetime(2026, 3, 18, 2, 45, tzinfo=timezone.utc)
    assert drip.sectors == ("agriculture", "water")
    assert drip.countries == ("PK",)
    assert drip.text == (
        "Drip lines arrive\n\n"
        "Growers near Hyderabad now schedule water from sensor readings, says the provincial extension office.\n\n"
        "Less water per acre\n\nFewer pests"  # the fenced code block is no part of the story
    )
    assert drip.code == "pump_hours = 3"  # but is kept apart, for search


async def test_defaults_without_url_or_source():
    result = await fetch(str(FIXTURES / "good" / "no-url.md"))
    (memo,) = result.drafts
    assert memo.source == "notes"
    assert memo.url is None
    assert memo.guid == "file:" + (FIXTURES / "good" / "no-url.md").resolve().as_posix()
    assert memo.published == datetime(2026, 2, 1, tzinfo=timezone.utc)
    assert memo.sectors is None and memo.countries is None


async def test_broken_files_are_named_and_good_ones_still_returned():
    result = await fetch(str(FIXTURES / "broken" / "*.md"))
    assert [draft.title for draft in result.drafts] == [
        "Drip lines with moisture sensors reach Sindh cotton growers"
    ]
    assert result.error.startswith("files left out: ")
    assert "bad-yaml.md: invalid YAML" in result.error
    assert "no-front-matter.md: no front matter" in result.error
    assert "no-title.md: title: field required" in result.error
    assert result.state.failures == 0 and result.state.last_error == result.error


async def test_relative_glob_and_home_expansion(tmp_path, monkeypatch):
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a.md").write_text("---\ntitle: Relative\n---\nText.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert [draft.title for draft in (await fetch("posts/*.md")).drafts] == ["Relative"]
    monkeypatch.setenv("HOME", str(tmp_path))
    assert [draft.title for draft in (await fetch("~/posts/*.md")).drafts] == ["Relative"]


async def test_no_matching_files_is_a_failure_with_backoff(tmp_path):
    result = await fetch(str(tmp_path / "*.md"))
    assert result.error == f'no files match "{tmp_path / "*.md"}"'
    assert result.state.failures == 1
    assert result.state.next_attempt_at == NOW + timedelta(seconds=1800)


async def test_a_folder_given_as_the_path_is_told_to_name_its_files(tmp_path):
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a.md").write_text("---\ntitle: In a folder\n---\nText.\n", encoding="utf-8")
    result = await fetch(str(tmp_path / "posts"))
    assert result.error == f'no files match "{tmp_path / "posts"}", a folder: name its files, "{tmp_path / "posts" / "*.md"}"'


async def test_non_utf8_file_is_named(tmp_path):
    (tmp_path / "latin.md").write_bytes("---\ntitle: Caf\u00e9\n---\n".encode("latin-1"))
    result = await fetch(str(tmp_path / "*.md"))
    assert result.error == f"files left out: {tmp_path / 'latin.md'}: not UTF-8 text (byte 14)"


def test_front_matter_must_be_a_mapping():
    with pytest.raises(FrontMatterError, match="list.md: expected key: value pairs"):
        parse_markdown("---\n- a\n- b\n---\nbody", "notes", origin="list.md")


def test_bad_published_date_is_named():
    with pytest.raises(FrontMatterError, match="when.md: published: "):
        parse_markdown("---\ntitle: T\npublished: next tuesday\n---\n", "notes", origin="when.md")


@pytest.mark.parametrize(
    ("front_matter", "problem"),
    [
        ("title: T\npublished: 2024-02-30", r"when.md: invalid value \(day is out of range for month\)"),
        ("title: T\npublished: 20241304", "when.md: published: .*month value is outside"),
        ("title: T\nurl: javascript:alert(1)", "when.md: url: .*must be an http:// or https:// address"),
        ("title: T\nurl: /posts/relative", "when.md: url: .*must be an http:// or https:// address"),
        ("title: T\npublished: 0001-01-01 00:00:00 +05:00", "when.md: published: .*out of range"),
        ("title: T\npublished: 9999-12-31T23:00:00-05:00", "when.md: published: .*out of range"),
    ],
)
def test_unusable_values_are_named(front_matter, problem):
    with pytest.raises(FrontMatterError, match=problem):
        parse_markdown(f"---\n{front_matter}\n---\nbody", "notes", origin="when.md")


async def test_an_impossible_date_in_one_file_does_not_lose_the_others(tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: Kept\n---\nText.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\ntitle: Bad\npublished: 2024-13-45\n---\nText.\n", encoding="utf-8")
    result = await fetch(str(tmp_path / "*.md"))
    assert [draft.title for draft in result.drafts] == ["Kept"]
    assert "b.md: invalid value" in result.error


def test_norways_language_and_country_codes_are_codes_not_booleans():
    # YAML 1.1 reads no, yes, on and off as booleans: a Norwegian file, or one about Norway, was left out
    front_matter = "title: Oljefondet investerer i solkraft\nlanguage: no\ncountries: [NO, SE]"
    draft = parse_markdown(f"---\n{front_matter}\n---\nbody", "notes", origin="oslo.md")
    assert (draft.language, draft.countries) == ("no", ("NO", "SE"))


@pytest.mark.parametrize(
    ("written", "title", "guid"),
    [
        ("title: 10:30\nguid: 0042", "10:30", "0042"),  # YAML 1.1 read 630 (base 60) and 34 (octal)
        ("title: 3.10\nguid: 1_000", "3.10", "1_000"),  # and 3.1, 1000
        ("title: 2026-06-01\nguid: 2026-06-01", "2026-06-01", "2026-06-01"),  # and dates: left out, no string
        ("title: '0042'\nguid: ~", "0042", None),
        ("title: true\nguid: no", "true", "no"),
    ],
)
def test_a_title_or_guid_that_yaml_would_read_as_a_number_or_a_date_is_kept_as_written(written, title, guid):
    draft = parse_markdown(f"---\n{written}\nurl: https://e.newsbot.example/n\n---\nbody", "notes", origin="n.md")
    assert (draft.title, draft.guid) == (title, guid)


def test_blank_sectors_and_countries_are_no_override():
    draft = parse_markdown("---\ntitle: T\nsectors: ''\ncountries: [KE, '', ' ']\n---\nbody", "notes", origin="x.md")
    assert draft.sectors is None and draft.countries == ("KE",)
    only_blanks = parse_markdown("---\ntitle: T\nsectors: ['', ' ']\ncountries: []\n---\nbody", "notes", origin="y.md")
    assert only_blanks.sectors is None and only_blanks.countries == ()  # an empty list says: none


async def test_every_file_left_out_is_logged_and_an_oversized_one_is_not_read(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 200)
    for number in range(5):
        (tmp_path / f"untitled-{number}.md").write_text("---\nurl: https://e.example/x\n---\nText.\n", encoding="utf-8")
    (tmp_path / "huge.md").write_text("---\ntitle: Huge\n---\n" + "Words. " * 100, encoding="utf-8")
    result = await fetch(str(tmp_path / "*.md"))
    assert result.drafts == [] and result.error.endswith("; and 3 more (each in the log)")
    logged = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert len(logged) == 6 and all(str(tmp_path) in line for line in logged)
    assert any(line.endswith("huge.md: larger than 200 bytes") for line in logged)


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("2026-03-04 10:00:00 +0700", datetime(2026, 3, 4, 3, 0, tzinfo=timezone.utc)),  # Jekyll's own form
        ("'2026-03-04T10:00:00+0700'", datetime(2026, 3, 4, 3, 0, tzinfo=timezone.utc)),
        ("'Wed, 04 Mar 2026 10:00:00 GMT'", datetime(2026, 3, 4, 10, 0, tzinfo=timezone.utc)),  # as a feed writes it
        ("4 March 2026", datetime(2026, 3, 4, tzinfo=timezone.utc)),
        ("2026/03/04", datetime(2026, 3, 4, tzinfo=timezone.utc)),
        ("20260304", datetime(2026, 3, 4, tzinfo=timezone.utc)),  # ISO 8601's compact date: not 23 August 1970
        ("'20260304'", datetime(2026, 3, 4, tzinfo=timezone.utc)),
        ("1772618400", datetime(2026, 3, 4, 10, 0, tzinfo=timezone.utc)),  # a Unix time
        ("''", None),
    ],
)
def test_dates_written_as_blogs_and_feeds_write_them_are_read(written, meant):
    draft = parse_markdown(f"---\ntitle: T\npublished: {written}\n---\nbody", "notes", origin="when.md")
    assert draft.published == meant


@pytest.mark.parametrize("written", ["03/04/2026", "next tuesday", "true"])
def test_a_date_newsbot_cannot_read_says_how_to_write_one(written):
    with pytest.raises(FrontMatterError, match=r"when.md: published: .* write it as 2026-03-04"):
        parse_markdown(f"---\ntitle: T\npublished: {written}\n---\nbody", "notes", origin="when.md")


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("", "x.md: empty file"),
        ("  \n\n", "x.md: empty file"),
        ("# Just Markdown\n\nNo front matter.\n", r"x.md: no front matter \(the file must start with a line of ---"),
        ("---\ntitle: T\nsectors: {energy: 1}\n---\nbody", r"x.md: sectors: a name or a list of names, such as \[energy"),
        ("---\ntitle: T\ncountries: {KE: 1}\n---\nbody", r"x.md: countries: a name or a list of names, such as \[Kenya"),
    ],
)
def test_a_file_without_usable_front_matter_says_what_is_wrong(document, problem):
    with pytest.raises(FrontMatterError, match=problem):
        parse_markdown(document, "notes", origin="x.md")


async def test_an_edited_file_updates_its_article_and_its_own_sectors_still_win(tmp_path, database_url):
    note = tmp_path / "notes" / "grid.md"
    note.parent.mkdir()
    front_matter = "---\ntitle: {title}\npublished: 2026-04-30\nsectors: [energy]\n---\n"
    note.write_text(front_matter.format(title="Grid report from Lahore") + "Lahore's grid operator added storage.\n")
    source = FilesSource(name="notes", kind="files", path=str(tmp_path / "notes" / "*.md"))
    store = await Store.open(database_url)
    try:
        first = await ingest_once(store, [source], Tagger.from_settings(), now=NOW)
        [stored] = (await store.find(Query())).articles
        note.write_text(
            front_matter.format(title="Grid report from Nairobi (corrected)")
            + "Nairobi's clinics now run on solar power, the county's health office says.\n"
        )
        second = await ingest_once(store, [source], Tagger.from_settings(), now=NOW + timedelta(hours=1))
        third = await ingest_once(store, [source], Tagger.from_settings(), now=NOW + timedelta(hours=2))
        [edited] = (await store.find(Query())).articles
        by_words = (await store.search("clinics")).articles
    finally:
        await store.close()
    assert [(r.new, r.updated, r.duplicates) for r in (first, second, third)] == [(1, 0, 0), (0, 1, 0), (0, 0, 1)]
    assert (edited.id, edited.published) == (stored.id, stored.published)
    assert edited.title == "Grid report from Nairobi (corrected)" and edited.text.startswith("Nairobi's clinics")
    assert (stored.countries, edited.countries) == (("PK",), ("KE",))
    assert edited.sectors == ("energy",)  # the file's own sectors, not the taggers' health
    assert [article.id for article in by_words] == [stored.id]
