"""One entry point for turning a draft's text into a summary and tags.

The ingest pipeline and `newsbot analyze` call only `analyze`; the summarizer and the
taggers behind it live in `content.summarize` and `content.tagging`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Analysis:
    summary: list[str]
    sectors: list[str]
    countries: list[str]
    regions: list[str]


def analyze(title: str, text: str, sentences: int = 3) -> Analysis:
    """Placeholder until the summarizer and taggers land: the lead sentences, no tags."""
    lead = [s for s in _SENTENCE_END.split(text.strip()) if s][:sentences]
    return Analysis(summary=lead, sectors=[], countries=[], regions=[])
