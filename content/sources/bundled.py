"""The demo corpus shipped inside the package: what a fresh install shows with no network.

Its twenty-eight stories are fictional, written for newsbot; every url is under demo.newsbot.example.

The articles are Markdown files with front matter in `corpus/`, read with the same parser as a
`files` source. They carry no sector or country overrides: the taggers find those in the prose.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from content.model import Draft, SourceState
from content.settings import BundledSource
from content.sources.files import FrontMatterError, parse_markdown
from content.sources.result import FetchResult

CORPUS = files("content.sources") / "corpus"


def corpus_drafts(default_source: str = BundledSource.model_fields["name"].default) -> list[Draft]:
    """Every bundled article; a broken file here is a packaging bug, so it raises FrontMatterError."""
    entries = sorted((entry for entry in CORPUS.iterdir() if entry.name.endswith(".md")), key=lambda entry: entry.name)
    return [parse_markdown(entry.read_text(encoding="utf-8"), default_source, origin=f"corpus/{entry.name}") for entry in entries]


@cache
def demo_sources() -> frozenset[str]:
    """The made-up outlets the demo stories name as their sources."""
    return frozenset(draft.source for draft in corpus_drafts())


def read_bundled(source: BundledSource, state: SourceState) -> FetchResult:
    try:
        return FetchResult(drafts=corpus_drafts(source.name), state=state)
    except FrontMatterError as problem:
        return FetchResult(drafts=[], state=state, error=f"front matter: {problem}")
