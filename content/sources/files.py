"""Markdown files with YAML front matter: one article per file.

Front matter keys: `title` (required), `url`, `guid`, `published`, `source` (replaces the
configured source name), `author`, `language`, and optional `sectors` / `countries` overrides.
Other keys (a static-site generator's `tags`, `draft`, …) are ignored. The body is Markdown,
rendered by markdown-it and reduced to plain text, so headings, emphasis and links leave only their
words, and blocks of code (fenced or indented) are kept apart, as the draft's `code`.
"""

from __future__ import annotations

import calendar
import glob
import logging
import os
import re
from datetime import date, datetime, time, timezone
from pathlib import Path

import feedparser.datetimes
import yaml
from markdown_it import MarkdownIt
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from content.model import Draft, SourceState, is_web_url
from content.settings import FilesSource
from content.sources.result import FetchResult
from content.text import text_and_code
from content.yaml_text import read_as_written

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 2**20  # as a feed's default max_bytes

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)
_MARKDOWN = MarkdownIt("commonmark")
_ISO_DATE = re.compile(r"\d+-\d")
_COMPACT_DATE = re.compile(r"(\d{4})(\d\d)(\d\d)")  # ISO 8601's basic format: 20260304
_SPACED_OFFSET = re.compile(r"\s+([+-]\d\d:?\d\d)$")  # Jekyll's "2026-03-04 10:00:00 +0700"
_EXAMPLE_NAMES = {"sectors": "[energy, health]", "countries": "[Kenya, TH]"}
_HOW_TO_WRITE_A_DATE = "is no date newsbot reads; write it as 2026-03-04, or 2026-03-04 10:00:00 +07:00"


_TEXT_KEYS = frozenset({"title", "url", "guid", "source", "author", "language", "sectors", "countries"})


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML whose text keys (`_TEXT_KEYS`, and the items of their lists) are read as written."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value in _TEXT_KEYS:
                read_as_written(value)
        return super().construct_mapping(node, deep)


class FrontMatterError(Exception):
    """A file whose front matter cannot be used; the message names the file."""


class FrontMatter(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, coerce_numbers_to_str=True)

    title: str
    url: str | None = None
    guid: str | None = None
    published: datetime | None = None
    source: str | None = None
    author: str | None = None
    language: str | None = None
    sectors: tuple[str, ...] | None = None
    countries: tuple[str, ...] | None = None

    @field_validator("url")
    @classmethod
    def _web_address(cls, url: str | None) -> str | None:
        if url and not is_web_url(url):
            raise ValueError("must be an http:// or https:// address")
        return url

    @field_validator("title")
    @classmethod
    def _not_blank(cls, title: str) -> str:
        if not title:
            raise ValueError("must not be empty")
        return title

    @field_validator("published", mode="before")
    @classmethod
    def _readable_date(cls, value: object) -> object:
        if isinstance(value, bool):  # Jekyll's "published: false" marks a draft
            raise ValueError(f"{str(value).lower()} {_HOW_TO_WRITE_A_DATE}")
        if isinstance(value, date) and not isinstance(value, datetime):
            return datetime.combine(value, time.min)
        if isinstance(value, (int, str)):  # YAML reads 20260304 as a number
            return _date_from_text(str(value))
        return value

    @field_validator("published")
    @classmethod
    def _as_utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        try:
            return value.astimezone(timezone.utc)
        except OverflowError:  # a ValueError names the file; an OverflowError lost every file of the source
            raise ValueError("out of range: its UTC time falls outside years 1 to 9999") from None

    @field_validator("sectors", "countries", mode="before")
    @classmethod
    def _one_or_many(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            return [value] if value.strip() else None
        if isinstance(value, list) and value:
            return [item for item in value if not isinstance(item, str) or item.strip()] or None
        if value is not None and not isinstance(value, list):
            raise ValueError(f"a name or a list of names, such as {_EXAMPLE_NAMES[info.field_name]}")
        return value


def _date_from_text(text: str) -> str | datetime | None:
    """ISO 8601 (with Jekyll's spaced offset too, and its compact date) and Unix times are left for pydantic to read;
    other dates are read as in feeds ("Wed, 04 Mar 2026 10:00:00 GMT", "4 March 2026", "2026/03/04")."""
    text = text.strip()
    if not text:
        return None
    if compact := _COMPACT_DATE.fullmatch(text):  # not seconds since 1970, a day of August 1970
        return "-".join(compact.groups())
    if _ISO_DATE.match(text) or text.isdigit():
        return _SPACED_OFFSET.sub(r"\1", text)
    parsed = feedparser.datetimes._parse_date(text)  # the feeds' reader, content.sources.dates' formats included
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
    except (TypeError, OverflowError, ValueError, OSError):  # TypeError: not read at all
        raise ValueError(f'"{text}" {_HOW_TO_WRITE_A_DATE}') from None


def read_files(source: FilesSource, state: SourceState) -> FetchResult:
    """Every file matching the source's glob; broken files are named in `error`, the rest still come back."""
    pattern = os.path.expanduser(source.path)
    paths = sorted(Path(match) for match in glob.glob(pattern, recursive=True) if os.path.isfile(match))
    if not paths:
        folder = f', a folder: name its files, "{os.path.join(source.path, "*.md")}"' if os.path.isdir(pattern) else ""
        return FetchResult(drafts=[], state=state, error=f'no files match "{source.path}"{folder}')
    drafts, problems = [], []
    for path in paths:
        try:
            drafts.append(parse_markdown(_read_text(path), source.name, origin=path))
        except FrontMatterError as problem:
            log.warning("%s: %s", source.name, problem)  # every one; the report line names the first few
            problems.append(str(problem))
    return FetchResult(drafts=drafts, state=state, error=_problems_line(problems))


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:  # Markdown rendering holds the loop's thread
            raise FrontMatterError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise FrontMatterError(f"{path}: not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise FrontMatterError(f"{path}: cannot read ({error.strerror})") from None


def _problems_line(problems: list[str]) -> str | None:
    if not problems:
        return None
    shown = "; ".join(problems[:3])
    more = f"; and {len(problems) - 3} more (each in the log)" if len(problems) > 3 else ""
    return f"files left out: {shown}{more}"


def parse_markdown(document: str, default_source: str, origin: Path | str) -> Draft:
    """One Draft from a Markdown document with front matter; `origin` names it in errors and default guids."""
    meta, body = _split_front_matter(document, origin)
    text, code = text_and_code(_MARKDOWN.render(body))
    guid = meta.guid or (None if meta.url else _path_guid(origin))
    return Draft(
        source=meta.source or default_source,
        title=" ".join(meta.title.split()),
        text=text,
        url=meta.url or None,
        guid=guid,
        author=meta.author or None,
        published=meta.published,
        language=meta.language.lower() if meta.language else None,
        sectors=meta.sectors,
        countries=meta.countries,
        code=code,
    )


def _split_front_matter(document: str, origin: Path | str) -> tuple[FrontMatter, str]:
    match = _FRONT_MATTER.match(document)
    if not match:
        if not document.strip():
            raise FrontMatterError(f"{origin}: empty file")
        why = "the file must start with a line of ---, and a second --- ends it"
        raise FrontMatterError(f"{origin}: no front matter ({why})")
    try:
        fields = yaml.load(match.group(1), Loader=_FrontMatterLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise FrontMatterError(f"{origin}: invalid YAML{where} ({getattr(error, 'problem', None) or error})") from None
    except ValueError as error:  # a well-formed value YAML cannot convert, such as the date 2024-02-30
        raise FrontMatterError(f"{origin}: invalid value ({error})") from None
    if not isinstance(fields, dict):
        raise FrontMatterError(f"{origin}: expected key: value pairs")
    try:
        return FrontMatter.model_validate(fields), document[match.end() :]
    except ValidationError as error:
        raise FrontMatterError(f"{origin}: {_describe_validation(error)}") from None


def _describe_validation(error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"])
    if first["type"] == "value_error":  # one of FrontMatter's own messages, as written
        return f"{key}: {first['ctx']['error']}"
    return f"{key}: {first['msg'].lower()}"


def _path_guid(origin: Path | str) -> str:
    return "file:" + Path(origin).resolve().as_posix()
