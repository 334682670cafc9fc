"""HTML to clean plain text: no tags, entities decoded, paragraphs kept, whitespace normalized, blocks of
code apart; and text without accents, for comparing words.

Sentence splitting lives in `content.summarize`; this module only cleans.
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape
from html.parser import HTMLParser

import regex

_BLOCK_TAGS = frozenset(
    "address article aside blockquote caption dd details dialog div dl dt fieldset figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul".split()
)
# A picture's caption tells what the picture shows, not the story: it is no sentence for a summary.
_DROPPED_TAGS = frozenset("script style noscript template head svg math iframe object figcaption".split())
# A block of code (<pre>, and <pre><code>) is no sentence of the story either, but its words are searched:
# its text is kept apart. Code inside a sentence stays in it.
_CODE_BLOCK_TAG = "pre"
_LINE_BREAK = "\n"
_PARAGRAPH_BREAK = "\n\n"
# not \n{3,}: re finds a plain "\n\n\n" prefix at once, where it tried {3,} at every position
_BLANK_LINES = re.compile(r"\n\n\n+")
# The soft hyphen (U+00AD) only marks where a word may break: left in, it split the word for search and tagging
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\xad]")
# Physics' electronvolt after a number ("5 eV", "0.7eV"): case tells it from "EV", an electric vehicle.
# The letters first, so re scans fast; "keV", "MeV", "GeV" and "TeV" are words of their own already
ELECTRONVOLT = re.compile(r"eV\b(?:(?<=\d eV)|(?<=\deV))")
_MARKUP_HINT = re.compile(r"[<&]")
# Embeddings, overrides and isolates: they turn the rest of the line around, the words after them included
_BIDI_OVERRIDES = re.compile("[\u202a-\u202e\u2066-\u2069]")
GRAPHEME = regex.compile(r"\X")  # a character as people see it (Unicode's extended grapheme cluster)
# Left to HTMLParser: comments, declarations, processing instructions, and the elements whose
# content is raw text in some Python version.
_NEEDS_FULL_PARSER = re.compile(
    r"<[!?]|</?(?:script|style|title|textarea|plaintext|xmp|iframe|noembed|noframes|noscript)\b", re.IGNORECASE
)
# A tag HTMLParser reads the same way: plain name, space-separated attributes, simple values.
_ATTRIBUTE = r"""\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>=`/]+))?"""
_PLAIN_TAG = re.compile(
    rf"<(?:/(?P<end>[a-zA-Z][a-zA-Z0-9]*)\s*|(?P<start>[a-zA-Z][a-zA-Z0-9]*)(?:{_ATTRIBUTE})*\s*(?P<void>/)?)>"
)


class _TextCollector(HTMLParser):
    """Collects text nodes, those of code blocks apart; block elements become paragraph breaks, <br> a line break."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.code_pieces: list[str] = []
        self._dropped_depth = 0
        self._code_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _DROPPED_TAGS:
            self._dropped_depth += 1
        elif tag == _CODE_BLOCK_TAG:
            self._code_depth += 1
            self.code_pieces.append(_PARAGRAPH_BREAK)
        elif tag == "br":
            self._current_pieces().append(_LINE_BREAK)
        elif tag in _BLOCK_TAGS:
            self._current_pieces().append(_PARAGRAPH_BREAK)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag not in _DROPPED_TAGS and tag != _CODE_BLOCK_TAG:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_TAGS:
            self._dropped_depth = max(0, self._dropped_depth - 1)
        elif tag == _CODE_BLOCK_TAG:
            self._code_depth = max(0, self._code_depth - 1)
            self.code_pieces.append(_PARAGRAPH_BREAK)
        elif tag in _BLOCK_TAGS:
            self._current_pieces().append(_PARAGRAPH_BREAK)

    def handle_data(self, data: str) -> None:
        if not self._dropped_depth:
            # Line breaks inside HTML source are just spaces; only markup makes breaks.
            self._current_pieces().append(data.replace("\r", " ").replace("\n", " "))

    def _current_pieces(self) -> list[str]:
        return self.code_pieces if self._code_depth else self.pieces


def remove_control_characters(text: str) -> str:
    """The text without C0 control characters (NUL, escape, …), DEL and soft hyphens; tabs and line breaks stay."""
    return _CONTROL_CHARACTERS.sub("", text)


def grapheme_boundary(text: str, index: int) -> int:
    """`index` moved back to where a character as people see it starts, so that a cut there splits no
    flag, emoji sequence or letter from its accents; `index` itself when one such character spans all
    before it (a stack of thousands of combining marks)."""
    for character in GRAPHEME.finditer(text, 0, index + 1):  # whether index splits one: the text up to it tells
        if character.end() > index:
            return character.start() or index
    return index


def clip(text: str, limit: int) -> str:
    """At most `limit` characters of the text, none of them part of a character cut in two."""
    return text if len(text) <= limit else text[: grapheme_boundary(text, limit)]


def remove_bidi_overrides(text: str) -> str:
    """The text without the controls that reorder what follows them (U+202E and kin), as Telegram's
    servers remove them; the marks right-to-left scripts use (U+200E, U+200F) stay."""
    return _BIDI_OVERRIDES.sub("", text)


def strip_accents(text: str) -> str:
    """The text without accents, case kept, so "Côte" and "Cote" read the same."""
    if text.isascii():
        return text
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def normalize_whitespace(text: str) -> str:
    """Collapse runs of spaces, trim every line, keep at most one blank line between paragraphs."""
    lines = (" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return _BLANK_LINES.sub(_PARAGRAPH_BREAK, "\n".join(lines)).strip()


def html_to_text(markup: str) -> str:
    """Plain text from an HTML fragment or document, with paragraphs separated by a blank line; without
    its blocks of code (<pre>), unless they are all it has."""
    return text_and_code(markup)[0]


def text_and_code(markup: str) -> tuple[str, str]:
    """`html_to_text` of the markup, and the text of its blocks of code (<pre>), which is no part of it,
    one block a paragraph ("" when they are all it has, and so the text itself)."""
    if not _MARKUP_HINT.search(markup):
        return normalize_whitespace(markup.replace("\n", " ")), ""
    collector = _collected(markup)
    text, code = normalize_whitespace("".join(collector.pieces)), normalize_whitespace("".join(collector.code_pieces))
    # all of it preformatted, as some mailing lists send a message: the text itself, not code beside it
    return (text, code) if text else (code, "")


def _collected(markup: str) -> _TextCollector:
    collector = _TextCollector()
    if _NEEDS_FULL_PARSER.search(markup) or not _collect_plain_markup(markup, collector):
        collector = _TextCollector()
        collector.feed(markup)
        collector.close()
    return collector


def _collect_plain_markup(markup: str, collector: _TextCollector) -> bool:
    """Hand text and plain tags to the collector as HTMLParser would, several times faster (a
    feed's markup is mostly <p>, <a href> and <br/>). False, part-way, on a `<` that opens no plain tag."""
    position = 0
    for tag in _PLAIN_TAG.finditer(markup):
        if not _collect_text(markup[position : tag.start()], collector):
            return False
        if tag["end"]:
            collector.handle_endtag(tag["end"].lower())
        elif tag["void"]:
            collector.handle_startendtag(tag["start"].lower(), [])
        else:
            collector.handle_starttag(tag["start"].lower(), [])
        position = tag.end()
    return _collect_text(markup[position:], collector)


def _collect_text(text: str, collector: _TextCollector) -> bool:
    if "<" in text:
        return False
    if text:
        collector.handle_data(unescape(text))
    return True


# A call to sign up, follow or click, or a picture's credit: no part of the story wherever it stands.
CALL_OR_CREDIT = (
    r"(?:sign up|subscribe)\b.{0,80}\bnewsletters?\b.{0,120}|follow us on .{1,120}|click here\b.{0,120}"
    r"|(?:photo|photograph|picture|image)s?(?: credit)?: .{1,120}"
)
# The line a blog platform puts under every post, naming the post and the blog: WordPress's "The post …
# appeared first on …", Medium's own. Alone, it is all a picture's or a video's post holds, and no story.
_PLATFORM_FOOTER = (
    r"the post .{1,300} appeared first on .{1,200}"
    r"|.{1,300} was originally published in .{1,200} on medium, where people are continuing the conversation .{0,120}"
)
_ALONE_PLATFORM_FOOTER = re.compile(_PLATFORM_FOOTER, re.IGNORECASE | re.DOTALL)
# What feeds append to an entry that is no part of the story: a link to read on, a blog platform's line, a
# republisher's credit line, share buttons, a "Related:" link, a call to sign up or follow, a picture's credit.
_FOOTER_PARAGRAPH = re.compile(
    r"(?:(?:continue|keep) reading|read (?:the )?(?:full|more|rest)(?: (?:story|article|post))?|read more)\W*"
    rf"|{_PLATFORM_FOOTER}"
    r"|this (?:article|story|post) (?:is republished|was (?:originally |first )?published) .{1,300}"
    r"|(?:share (?:on|via) \w+\W*)+"
    r"|related: .{1,300}|" + CALL_OR_CREDIT,
    re.IGNORECASE | re.DOTALL,
)
# The line a link aggregator (Reddit) puts under every post: who submitted it where, and links to
# the post and its comments. Alone, it is all a link post's entry holds, and says nothing its title does not.
_AGGREGATOR_FOOTER = re.compile(r"submitted by.{1,200}?\[link\]\s*\[(?:[\d,.]+k? )?comments?\]", re.DOTALL)
_FOOTER_TAIL = re.compile(r"\s*(?:\[(?:…|\.\.\.)\]|…?\s*(?:continue reading|read more)\W*)$", re.IGNORECASE)
# Matched against the reversed paragraph: where its last three words start. A footer tail has at
# most two words, so it starts after there, and _FOOTER_TAIL need not be tried at every position
# before (which cost a third of all the cleaning).
_LAST_THREE_WORDS_REVERSED = re.compile(r"(?:\W*+\w++){3}")  # possessive: a word is never split in two


def without_footers(text: str) -> str:
    """The text without the trailing paragraphs feeds add to an entry, and without a final "[…]"
    or "Read more »" that cuts off an excerpt; a link aggregator's or a blog platform's line under a
    post, even alone."""
    text = _without_aggregator_footer(text)
    if _ALONE_PLATFORM_FOOTER.fullmatch(text.strip()):
        return ""
    paragraphs = text.split(_PARAGRAPH_BREAK)
    while len(paragraphs) > 1 and _FOOTER_PARAGRAPH.fullmatch(paragraphs[-1].strip()):
        paragraphs.pop()
    if paragraphs:
        paragraphs[-1] = _without_footer_tail(paragraphs[-1])
    return _PARAGRAPH_BREAK.join(paragraphs).strip()


def _without_aggregator_footer(text: str) -> str:
    start = text.rfind("submitted by")
    if start < 0 or not _AGGREGATOR_FOOTER.fullmatch(text, start):
        return text
    return text[:start].rstrip()


def _without_footer_tail(paragraph: str) -> str:
    last_words = _LAST_THREE_WORDS_REVERSED.match(paragraph[::-1])
    start = len(paragraph) - last_words.end() if last_words else 0
    return paragraph[:start] + _FOOTER_TAIL.sub("", paragraph[start:])
