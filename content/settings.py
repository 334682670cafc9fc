"""Configuration of the content layer: storage, sources, taxonomy extensions.

`bot.config` composes these into the whole file; unknown keys are errors everywhere.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from sqlalchemy.exc import ArgumentError

from content.credentials import address_shown


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _plain_number(value: object) -> object:
    """YAML reads true, yes and on as true, which pydantic would take for 1 (`interval: yes`); and .inf
    and .nan as numbers, which no wait or count can be."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, found {str(value).lower()}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("Input should be a finite number")
    return value


WholeNumber = Annotated[int, BeforeValidator(_plain_number)]
Number = Annotated[float, BeforeValidator(_plain_number)]


STATEMENT_TIMEOUT_SECONDS = 60.0
_LONGEST_STATEMENT_TIMEOUT_SECONDS = 2_147_483  # PostgreSQL keeps it in milliseconds, in an int


class StorageSettings(Strict):
    url: str = "sqlite:///newsbot.db"
    statement_timeout_seconds: Number = Field(
        default=STATEMENT_TIMEOUT_SECONDS,
        gt=0,
        le=_LONGEST_STATEMENT_TIMEOUT_SECONDS,
        description="PostgreSQL ends a statement that runs longer, so a hung query cannot stall newsbot",
    )

    @field_validator("url")
    @classmethod
    def _database_url(cls, url: str) -> str:
        if not url.startswith(("sqlite:", "postgresql:", "postgresql+asyncpg:", "sqlite+aiosqlite:")):
            raise ValueError(f'unsupported storage url "{url.split(":", 1)[0]}:…" (use sqlite:/// or postgresql://)')
        from content.store.engine import async_url  # the store's package imports these settings

        try:
            parsed = async_url(url)
        except ArgumentError as error:
            problem = "" if str(error).startswith("Could not parse") else f"{error}; "  # SQLAlchemy's words
            example = "sqlite:///newsbot.db or postgresql://user@host:5432/db"
            raise ValueError(f"not a database URL: {problem}write {example}") from None
        if parsed.get_backend_name() == "sqlite" and parsed.host:
            raise ValueError(
                f'"{url}" names a host, not a file: three slashes, sqlite:///{parsed.host}, for a file '
                "where newsbot runs, four for an absolute path (sqlite:////var/lib/newsbot/newsbot.db)"
            )
        return url


class FeedSource(Strict):
    name: str = Field(min_length=1)
    kind: Literal["feed"]
    url: str
    interval: WholeNumber = Field(default=900, ge=60, description="seconds between fetches")
    max_bytes: WholeNumber = Field(default=10 * 1024 * 1024, gt=0)
    timeout: Number = Field(default=20.0, gt=0)

    @field_validator("url")
    @classmethod
    def _web_address(cls, url: str) -> str:
        return web_address(url)


def web_address(url: str, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """`url` if it is an address of one of `schemes` with a host; else ValueError saying what is wrong."""
    try:
        parts = urlsplit(url.strip())
        parts.port
    except ValueError as error:
        raise ValueError(_address_problem(str(error))) from None
    if parts.scheme.lower() not in schemes or not parts.hostname or any(char.isspace() for char in parts.hostname):
        written = " or ".join(f"{scheme}://" for scheme in schemes)
        raise ValueError(f'"{address_shown(url)}" is not a web address ({written} and a host)')
    return url


def _address_problem(error: str) -> str:
    if "port" in error.lower():
        return "the port must be a number from 0 to 65535"
    if "NFKC" in error:  # urlsplit's words quote the user part, password included
        return 'not a web address: a character of its host or user part reads as "/", "?", "#", "@" or ":" (percent-encode it)'
    return f"not a web address: {error}"


class FilesSource(Strict):
    name: str = Field(min_length=1)
    kind: Literal["files"]
    path: str = Field(description="a glob of Markdown files with YAML front matter")
    interval: WholeNumber = Field(default=900, ge=60)


class BundledSource(Strict):
    name: str = Field(default="newsbot demo", min_length=1)
    kind: Literal["bundled"]
    interval: WholeNumber = Field(default=86400, ge=60)


def _kind_from_keys(source: object) -> object:
    """A source written without `kind` is a feed when it has a `url`, files when it has a `path`; with
    both or neither, `kind` stays missing and the error names the kinds."""
    if not isinstance(source, dict) or "kind" in source or ("url" in source) == ("path" in source):
        return source
    return {**source, "kind": "feed" if "url" in source else "files"}


SourceSettings = Annotated[
    Union[FeedSource, FilesSource, BundledSource], Field(discriminator="kind"), BeforeValidator(_kind_from_keys)
]


class SectorExtension(Strict):
    """Adds a sector, renames one, or gives one more keywords (phrases match case-insensitively)."""

    name: str | None = None
    keywords: list[str] = []
    weight: Number = Field(
        default=3.0,
        gt=0,
        le=10,
        description="evidence per keyword: 3 = one mention in the title or lead tags; below 2 only supports",
    )


class TaxonomySettings(Strict):
    sectors: dict[str, SectorExtension] = {}

    @field_validator("sectors")
    @classmethod
    def _usable_extensions(cls, sectors: dict[str, SectorExtension]) -> dict[str, SectorExtension]:
        from content.tagging.sectors import check_extensions  # the bundled taxonomy lives with the tagger

        check_extensions(sectors)
        return sectors
