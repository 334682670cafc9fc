"""One entry point for turning a draft's text into a summary and tags.

The ingest pipeline and `newsbot analyze` call only `analyze`; the summarizer and the
taggers behind it live in `content.summarize` and `content.tagging`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from content.summarize import summarize
from content.tagging import Tagger


@dataclass(frozen=True)
class Analysis:
    summary: list[str]
    sectors: list[str]
    countries: list[str]
    regions: list[str]


@lru_cache(maxsize=1)
def default_tagger() -> Tagger:
    """The bundled taxonomy without config extensions, built once."""
    return Tagger.from_settings()


def analyze(
    title: str,
    text: str,
    sentences: int = 3,
    tagger: Tagger | None = None,
    max_chars: int | None = None,
) -> Analysis:
    """Summary (at most `sentences` sentences and `max_chars` characters) and tags of one article."""
    tagger = tagger or default_tagger()
    countries, regions = tagger.places(title, text)
    return Analysis(
        summary=summarize(title, text, max_sentences=sentences, max_chars=max_chars),
        sectors=tagger.sectors(title, text),
        countries=countries,
        regions=regions,
    )
