"""HTML to clean plain text: no tags, entities decoded, paragraphs kept, whitespace normalized.

Sentence splitting lives in `content.summarize`; this module only cleans.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset(
    "address article aside blockquote caption dd details dialog div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul".split()
)
_DROPPED_TAGS = frozenset("script style noscript template head svg math iframe object".split())
_LINE_BREAK = "\n"
_PARAGRAPH_BREAK = "\n\n"
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_MARKUP_HINT = re.compile(r"[<&]")


class _TextCollector(HTMLParser):
    """Collects text nodes; block elements become paragraph breaks, <br> a line break."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._dropped_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _DROPPED_TAGS:
            self._dropped_depth += 1
        elif tag == "br":
            self.pieces.append(_LINE_BREAK)
        elif tag in _BLOCK_TAGS:
            self.pieces.append(_PARAGRAPH_BREAK)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag not in _DROPPED_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_TAGS:
            self._dropped_depth = max(0, self._dropped_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.pieces.append(_PARAGRAPH_BREAK)

    def handle_data(self, data: str) -> None:
        if not self._dropped_depth:
            # Line breaks inside HTML source are just spaces; only markup makes breaks.
            self.pieces.append(data.replace("\r", " ").replace("\n", " "))


def normalize_whitespace(text: str) -> str:
    """Collapse runs of spaces, trim every line, keep at most one blank line between paragraphs."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return _BLANK_LINES.sub(_PARAGRAPH_BREAK, "\n".join(lines)).strip()


def html_to_text(markup: str) -> str:
    """Plain text from an HTML fragment or document, with paragraphs separated by a blank line."""
    if not _MARKUP_HINT.search(markup):
        return normalize_whitespace(markup.replace("\n", " "))
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return normalize_whitespace("".join(collector.pieces))
