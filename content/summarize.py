"""Extractive summaries: split an article into sentences and keep the ones that carry the story.

Deterministic and local: no model, no network. Sentences are scored by their position (news
puts the gist first), their overlap with the title, their centrality (how much of the article's
recurring vocabulary they share) and their length, then the best are returned in article order.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from difflib import SequenceMatcher
from functools import cached_property, lru_cache
from typing import Iterator

import regex

from content.text import CALL_OR_CREDIT, GRAPHEME, clip

# Words after which a full stop does not end a sentence.
_TITLES = frozenset(
    "mr mrs ms dr prof sen rep gov gen lt col capt sgt maj cmdr adm rev hon pres supt insp "
    "messrs mme mt fig figs vol vols art ch pp approx dept est ref".split()
)
_NEVER_FINAL = frozenset({"e.g", "i.e", "cf", "viz", "vs", "v"})
_BEFORE_NUMBER = frozenset("no nos p jan feb mar apr jun jul aug sep sept oct nov dec".split())
_BEFORE_ORDINAL = frozenset("am im zum zur vom beim den dem der des die das seit ab bis".split())
_MONTHS = frozenset("januar jänner februar märz april mai juni juli august september oktober november dezember".split())
# Endings that may or may not close a sentence ("Acme Inc. said" / "bought Acme Inc. The deal"; "St. Paul" /
# "on Elm St. The fire"; "30 ft. high" / "was 30 ft. It hit").
_AMBIGUOUS = frozenset({"inc", "ltd", "co", "corp", "bros", "llc", "plc", "jr", "sr", "a.m", "p.m", "etc", "st", "ft"})
_CLOCK_TIMES = frozenset({"a.m", "p.m"})
# What names a time more closely after "8 p.m.": a day, a month, a zone ("EST", "Eastern", "local time")
_AFTER_CLOCK_TIME = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today tonight tomorrow yesterday "
    "january february march april may june july august september october november december "
    "eastern central mountain pacific atlantic alaska hawaii greenwich local".split()
)
_SENTENCE_OPENERS = frozenset(
    "the a an it its he she they we i you this that these those there his her their our my "
    "but and or so yet in on at for with as if when while after before since however meanwhile "
    "also some many most analysts shares officials one two three".split()
)

# Emoji (with their joiners, variation selectors and skin tones), arrows, dingbats and bullets, with which a
# post written for chats opens its sentences ("… today. 🌍 It maps …", "… done. • Step two …")
_PICTOGRAPHS = "[•\u2190-\u21ff\u2300-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f\u200d]++\\s*"
# A boundary starts at the first mark of a run and never backtracks into it, so a run of
# thousands of dots costs linear time. What may open the next sentence (`first`) is checked in
# `_opens_sentence`: re has no class for the capitals of every script. Arabic's question mark, Urdu's
# full stop and the Devanagari danda end a sentence as "?" and "!" do; Chinese and Japanese full stops
# need no space after them, and one inside a quote ("。」と述べた", "。”他说") ends no sentence. Pictographs
# may come before what opens the next sentence.
_BOUNDARY = re.compile(
    r"""(?<![.!?…؟۔।॥])(?P<end>[.!?…؟۔।॥]++)(?P<close>["'”’)\]»]*+)\s+"""
    rf"""(?=(?:{_PICTOGRAPHS})?["'“‘(\[«„¿¡]?(?P<first>[^\W_]|[$£€]))"""
    r"""|(?P<wide>[。！？]++)(?:[」』”’）]++(?=\s|$)|(?![」』”’）]))\s*+"""
    r"""|(?P<glued>\.)(?=[A-Z][a-z])(?<=[a-z0-9%][a-z%]\.)"""  # "…$10.9bn.For the year…": no space
)
_BULLET = re.compile(r"^\s*(?:[-*•·–—]|\d{1,2}[.)])\s+")
_LEADING_PICTOGRAPHS = re.compile(_PICTOGRAPHS)
_TERMINAL = re.compile(r"""[.!?…:;؟۔।॥。！？]["'”’)\]»」』）]*$""")
# Letters in ones and twos between dots ("U.S", "a.m", "Ph.D"), where a number ("3.5%", "v2.5") or an
# address ("bbc.co.uk", "jane@example.org") at a sentence's end is a word like any other.
_DOTTED_ABBREVIATION = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}")
_ADDRESS_REST = re.compile(r"@|\.[^\W\d_]")  # what follows a dot inside an address ("Example.com", "Doe@example.org")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")  # what a sentence has and a divider ("* * *", "—") has not
_MARK = re.compile(r"[.!?…؟۔।॥。！？]")  # every boundary starts at one: only there is _BOUNDARY tried
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*")
_TERM = re.compile(r"[A-Za-z][A-Za-z'’-]*")  # _WORD without numbers, which never score

# A paragraph that is the page around the story, not the story. A byline, a date line or a caption has
# no full stop; a call to sign up or read on may have one; so have a show's notes: a chapter mark
# ("(12:40) …", the source cited there) or a link; so has the line under an embedded post saying who
# posted it when ("— Jane Doe (@janedoe) March 3, 2017", the dash read as a bullet's).
_FURNITURE = re.compile(
    r"(?:(?:written |words |reporting )?by|published|updated|last updated|posted) [^.!?…]{1,80}"
    r"|(?:a post shared by )?[^()@]{1,80}\(@[\w.]{1,30}\)(?: on)? (?:\w{3,9}\.? \d{1,2}, \d{4}|\d{1,2} \w{3,9} \d{4})"
    r"(?: at \d{1,2}:\d\d ?[ap]m(?: \w{2,4})?)?"
    r"|(?:image|photo|picture|video|media) (?:caption|source|copyright)\b.{0,200}"
    r"|(?:\(\d{1,2}(?::\d\d){1,2}\)|https?://).*"
    r"|advertisement|advert|sponsored(?: content)?|getty images|read more\b.{0,120}|" + CALL_OR_CREDIT,
    re.IGNORECASE,
)

_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours out over own said same says she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours mr mrs ms new one two year years last first told also would could may might
    per cent percent""".split()
)
# A byline in another language ("Por Ana Souza e João da Silva", "Von Anna Schmidt und Jonas Weber"). Its
# first word opens many a sentence ("Por eso…", "Von Berlin aus…"): here only names may follow, each of
# two capitalised words or more (a particle between them: "Jan de Vries"), joined by a comma or an "and".
_NAME = r"\p{Lu}[\p{L}'’.-]*+(?: (?:(?:da|das|de|del|della|di|do|dos|du|la|le|van|von|der|den|ten|ter|zu) )*+\p{Lu}[\p{L}'’.-]*+)++"
_BYLINE_IN_ANOTHER_LANGUAGE = regex.compile(rf"(?:Por|Par|Von|Di|Door) {_NAME}(?:(?:,| e| y| et| und| en| i) {_NAME})*")
# The links an embedded post (a tweet) shows after its words, to itself and its pictures
_EMBEDDED_POST_LINK = re.compile(r"[ \t]*(?:https?://)?\b(?:pic\.twitter\.com|t\.co)/\w+")
# "Capra?", "Why not?", "Nothing!": a word or two asked or exclaimed, no sentence of the story on its own
# (the full-width marks are left out: Chinese and Japanese put no spaces between their words)
_EXCLAMATION = re.compile(r"""\S+(?: \S+)?[?!؟]["'”’)\]»]*""")
# A sentence is one picked already with a few words changed (as the body restates a standfirst) where this
# share of the two's words (stop words aside) match in order: SequenceMatcher's ratio. A word put in another's
# place ("imports" for "exports", "fell" for "rose") may be other news, so then nearly all must match.
_REPEAT_SHARE = 0.8
_REPEAT_SHARE_WITH_A_WORD_REPLACED = 0.9
_ANY_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d[\d,.]*\d|\d")  # _WORD in any script
_QUOTE_MARK = re.compile(r'["“”«»„]')
_CLOSING = {'"': '"', "“": "”", "«": "»", "„": "“"}  # by the mark that opens a quotation
_Edges = tuple[str | None, str | None]  # the mark a sentence starts inside, the one its end lacks
_UNCUT_LIMIT = 400  # characters kept from a text with no sentence breaks when no budget is given
_CUT_BY_FEED_CHARS = 200  # a shorter piece without a full stop may be a heading or a standfirst


def _blocks(text: str) -> list[str]:
    """Join wrapped lines into blocks; blank lines, bullets and short list lines start new blocks."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    trimmed = [line.strip() for line in lines]
    widest = max(map(len, trimmed), default=0)
    blocks: list[str] = []
    current: list[str] = []
    for index, line in enumerate(lines):
        bullet = _BULLET.match(line)
        stripped = line[bullet.end():].strip() if bullet else trimmed[index]
        if not stripped:
            if current:
                blocks.append(" ".join(current))
                current = []
            continue
        if bullet and current:
            blocks.append(" ".join(current))
            current = []
        current.append(stripped)
        following = trimmed[index + 1] if index + 1 < len(lines) else ""
        if following and _ends_list_line(stripped, following, widest):
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    return blocks


def _ends_list_line(line: str, following: str, widest: int) -> bool:
    """A short line without punctuation followed by a capitalised line is an item of a list."""
    if len(line) >= 0.6 * widest or not (following[0].isupper() or following[0].isdigit()):
        return False  # the cheap checks first: most lines are long
    return not (_TERMINAL.search(line) or line.endswith((",", "-", "–")))


def _opens_sentence(character: str) -> bool:
    """Whether a sentence may start with the character: a digit, a currency sign, a capital in any
    script ("É", "Ж"), or a letter of a script without case (Arabic, Devanagari, Thai, Chinese)."""
    return not character.islower()


def _opens_sentence_at(block: str, match: re.Match[str]) -> bool:
    """Whether what follows the mark may open a sentence: a capital, a digit, …, or a bare link, as a
    show's notes cite their sources ("Visual Capitalist, August 2017. http://bit.ly/…")."""
    return _opens_sentence(match.group("first")) or block.startswith(("http://", "https://"), match.end())


def _is_boundary(block: str, match: re.Match[str]) -> bool:
    if match.group("end") != ".":
        return True
    word = block[block.rfind(" ", 0, match.start()) + 1 : match.start()].lstrip("\"'“‘([")
    key = word.lower()
    following = block[match.end() : match.end() + 40]
    if key in _TITLES or key in _NEVER_FINAL:
        return False
    if key in _BEFORE_NUMBER and following[:1].isdigit():
        return False
    if len(word) == 1 and word.isupper():
        return False  # an initial: "J. Smith"
    if word.isdigit() and _is_list_number_or_ordinal(block, match.start() - len(word), word, following):
        return False
    if key in _CLOCK_TIMES:
        return _opens_sentence_after_clock_time(following)
    if key in _AMBIGUOUS or _DOTTED_ABBREVIATION.fullmatch(word):  # "Acme Inc.", "U.S.", "Ph.D."
        return _first_word(following) in _SENTENCE_OPENERS
    return True


def _opens_sentence_after_clock_time(following: str) -> bool:
    """Whether the capitalised word after "8 p.m." opens a sentence ("8 p.m. Results are due") rather
    than tells the time more closely ("8 p.m. Friday", "8 p.m. EST", "8 p.m. Eastern")."""
    first = _first_word(following)
    written = following.lstrip("\"'“‘([")[: len(first)]
    return first not in _AFTER_CLOCK_TIME and not (written.isupper() and len(written) <= 5)


def _first_word(text: str) -> str:
    """The first word of `text` in lower case, past an opening quote or bracket ("" for none)."""
    word = _WORD.match(text.lstrip("\"'“‘(["))
    return word.group(0).lower() if word else ""


def _is_list_number_or_ordinal(block: str, start: int, number: str, following: str) -> bool:
    """Whether the number at `start`, before a full stop, numbers an item of a list run into one
    paragraph ("three steps: 1. Train teachers. 2. Buy laptops.": one or two digits after a colon or
    a sentence's end), or is an ordinal as German writes it ("am 22. November", "den 3. Platz", "im
    19. Jahrhundert": after an article or a preposition, or before a month)."""
    previous = block[block.rfind(" ", 0, max(start - 1, 0)) + 1 : start].rstrip()
    if len(number) <= 2 and previous.endswith((":", ".", "!", "?")) and not _abbreviates(previous):
        return True
    next_word = following.split(" ", 1)[0].rstrip(",;:").lower()
    return len(number) <= 3 and (previous.lower() in _BEFORE_ORDINAL or next_word in _MONTHS)


def _abbreviates(word: str) -> bool:
    """Whether the word's full stop marks an abbreviation a number follows ("Nov. 3", "Fig. 2", "No. 12"),
    which ends no sentence: the number after it numbers no item of a list."""
    key = word.lstrip("\"'“‘([").removesuffix(".").lower()
    return key in _TITLES or key in _BEFORE_NUMBER


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, in order, whitespace-normalised."""
    return [sentence for block in _sentences_by_block(text) for sentence in block]


def _sentences_by_block(text: str) -> Iterator[list[str]]:
    """The sentences of each block of `text` (a paragraph, a list item, a heading)."""
    for block in _blocks(text):
        block = " ".join(block.split())
        sentences: list[str] = []
        start = 0
        for match in _boundaries(block):
            if match.group("wide"):
                cut = match.end()
            elif match.group("glued"):
                if not _is_glued_boundary(block, match):
                    continue
                cut = match.end()
            elif _opens_sentence_at(block, match) and _is_boundary(block, match):
                cut = match.start() + len(match.group("end")) + len(match.group("close"))
            else:
                continue
            sentences.append(block[start:cut].strip())
            start = match.end()
        sentences.append(block[start:].strip())
        yield [sentence for sentence in sentences if _LETTER_OR_DIGIT.search(sentence)]


def _is_glued_boundary(block: str, match: re.Match[str]) -> bool:
    """Whether a full stop with no space after it ("grid.The") ends a sentence: not after a title
    ("Prof.Brown") nor inside an address ("www.Example.com", "jane.Doe@example.org")."""
    before = block[max(match.start() - 8, 0) : match.start()]  # enough for a title, if a run without spaces is long
    word = before[before.rfind(" ") + 1 :].lstrip("\"'“‘([").lower()
    rest = block[match.end() : match.end() + 100].split(" ", 1)[0]
    return word not in _TITLES and word not in _NEVER_FINAL and not _ADDRESS_REST.search(rest)


def _boundaries(block: str) -> Iterator[re.Match[str]]:
    """The matches `_BOUNDARY.finditer(block)` gives, found faster: trying the pattern at each
    mark skips the positions where it cannot match (its lookbehinds still see the whole block)."""
    position = 0
    while mark := _MARK.search(block, position):
        match = _BOUNDARY.match(block, mark.start())
        if match:
            yield match
            position = match.end()
        else:
            position = mark.end()


def _stem(word: str) -> str:
    """A light suffix strip of a lower-case word, enough for overlap between "markets" and "market"."""
    word = word.replace("’", "'")
    for suffix in ("'s", "ies", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


@lru_cache(maxsize=65536)
def _term(word: str) -> str:
    """The stem of a lower-case word; "" for a stop word."""
    return "" if word in _STOPWORDS else _stem(word)


def _terms(sentence: str) -> set[str]:
    return set(filter(None, map(_term, _TERM.findall(sentence.lower()))))


def _scores(title: str, sentences: list[str]) -> list[float]:
    """The score of each sentence (as `split_sentences` gives them: single spaces, none around)."""
    distinct_terms = [_terms(sentence) for sentence in sentences]
    document = Counter(itertools.chain.from_iterable(distinct_terms))
    log_counts = dict(zip(document, map(math.log, document.values())))
    title_terms = _terms(title)
    scores = []
    for position, distinct in enumerate(distinct_terms):
        words = sentences[position].count(" ") + 1
        # recurring vocabulary: a term seen in several sentences is about the story
        centrality = sum(map(log_counts.__getitem__, distinct)) / (1 + math.sqrt(len(distinct) or 1))
        title_overlap = len(distinct & title_terms) / (len(title_terms) or 1)
        lead = 1.0 / (1 + position) + (0.6 if position == 0 else 0.0)
        length = min(words, 30) / 30 - (0.6 if words < 8 else 0.0) - (0.4 if words > 60 else 0.0)
        quote = 0.3 if sentences[position].lstrip().startswith(("\"", "“")) else 0.0
        scores.append(1.2 * lead + 1.0 * title_overlap + 0.5 * centrality + 0.8 * length - quote)
    return scores


def _cut_at_word(text: str, limit: int) -> str:
    """The text within `limit` characters, the ellipsis included: cut after its last whole word,
    or (a run without spaces: Thai, Chinese, a long address) after its last whole character."""
    if len(text) <= limit:
        return text
    head = clip(text, max(limit - 1, 0))
    if len(head) < GRAPHEME.match(text).end():
        return "…"  # not even the first character fits: clip gave part of it ("🇰" of "🇰🇪")
    if not text[len(head)].isspace() and " " in head:
        head = head.rsplit(" ", 1)[0]
    head = head.rstrip(" ,;:-–—")
    if head.endswith(("...", "…")):
        head = head.rstrip(".…")  # the text's own ellipsis, which the cut's would double ("waited...…")
    return head + "…"


def _whole_or_cut(text: str, limit: int) -> str:
    """A text of one sentence or piece, within `limit`; a long one without a full stop, in a script that
    has them (its letters have capitals), was cut by its feed ("…and get in the mud at the demoli", as
    podcasts cut their notes at 255 characters): an ellipsis says so."""
    last_word = text.rsplit(None, 1)[-1]
    cut_by_feed = (
        len(text) >= _CUT_BY_FEED_CHARS and not _TERMINAL.search(text) and text[-1].lower() != text[-1].upper()
        and last_word[0] not in "#@"  # a post that ends in its hashtag or a handle ("… #ClimateAction") is whole
    )
    return text + "…" if cut_by_feed and len(text) < limit else _cut_at_word(text, limit)


def summarize(title: str, text: str, max_sentences: int = 3, max_chars: int | None = None) -> list[str]:
    """Up to `max_sentences` of the best sentences of `text`, in article order, within `max_chars`.

    A text of no more sentences than asked comes back whole (budget permitting); a run of words
    without a closing full stop is cut at a word boundary (a long one alone, which its feed cut off,
    gets an ellipsis), and picked only when no finished sentence fits (a heading or a standfirst is
    no sentence of the story, and would run into the one after it). A byline, a caption, a call to
    sign up, the line naming who posted an embedded post, the title repeated or a question or an
    exclamation of a word or two ("Capra? Coppola?") is picked only when the text has nothing else;
    the links such a post shows after its words (pic.twitter.com/…) never are, nor a sentence that
    is one picked already with a few words changed (a standfirst the body restates).
    A sentence of a quotation shown without the rest of it gets the quotation marks it lacks.
    """
    if max_sentences < 1:
        raise ValueError("max_sentences must be at least 1")
    if "t.co/" in text or "pic.twitter.com/" in text:
        text = _EMBEDDED_POST_LINK.sub("", text)
    blocks = list(_sentences_by_block(text))
    sentences = list(dict.fromkeys(sentence for block in blocks for sentence in block))  # a pasted lead counts once
    if len(sentences) <= 1:
        return [_whole_or_cut(sentence, max_chars or _limit_for(sentence)) for sentence in sentences]
    if len(sentences) <= max_sentences and max_chars is None:
        return sentences
    scores = _scores(title, sentences)
    # words that never reach a full stop (a heading, a standfirst) only when finished sentences run out
    no_story = _no_story(blocks) | _repeating(title, sentences) | set(filter(_EXCLAMATION.fullmatch, sentences))
    candidates = [index for index in range(len(sentences)) if sentences[index] not in no_story] or range(len(sentences))
    finished = [_TERMINAL.search(sentence) is not None for sentence in sentences]
    ranked = sorted(candidates, key=lambda i: (not finished[i], -scores[i], i))
    quotations = _quotation_edges(blocks) if _QUOTE_MARK.search(text) else {}
    chosen: list[int] = []
    picked: list[_Compared] = []
    used = 0
    for index in ranked:
        if chosen and finished[chosen[0]] and not finished[index]:
            break  # beside finished sentences, words without a full stop would run into them ("…300 sites Nearly half…")
        compared = _Compared(_content_words(sentences[index]))
        if any(_repeats(compared, earlier) for earlier in picked):
            continue
        needed = len(sentences[index]) + (1 if chosen else 0) + _marks_to_add(quotations.get(sentences[index]))
        if max_chars is not None and used + needed > max_chars:
            continue
        chosen.append(index)
        picked.append(compared)
        used += needed
        if len(chosen) == max_sentences:
            break
    finished_fits = any(finished[index] for index in chosen)
    if not chosen or (not finished_fits and ranked[0] not in chosen):
        # the best piece is too long and no finished sentence fits: it, cut, rather than a caption alone
        # (a text without full stops, as Thai is written, is all such pieces)
        return [_cut_at_word(sentences[ranked[0]], max_chars or 0)]
    return _with_quotes_closed(quotations, sentences, sorted(chosen))


def _content_words(sentence: str) -> list[str]:
    """The sentence's words but its stop words, stemmed, and its numbers, in order."""
    return list(filter(None, map(_term, _ANY_WORD.findall(sentence.lower()))))


class _Compared:
    """A sentence's content words as `_repeats` compares them; what is derived from them is worked out
    once, when a comparison first needs it (most stop at the words' count)."""

    def __init__(self, words: list[str]) -> None:
        self.words = words

    @cached_property
    def figures(self) -> set[str]:
        return {word for word in self.words if word[0].isdigit()}

    @cached_property
    def matcher(self) -> SequenceMatcher:
        """A matcher with these words as its second sequence, which SequenceMatcher indexes once."""
        return SequenceMatcher(None, b=self.words, autojunk=False)


def _repeats(sentence: _Compared, picked: _Compared) -> bool:
    """Whether the sentence is one picked already with a few words changed; not where each has a
    figure the other lacks: the same words about other figures ("rose 40% in the first quarter", "rose
    25% in the second quarter") are other news."""
    words = sentence.words
    # cheap upper bounds of the ratio first: most pairs of sentences fall short of them (this one is
    # SequenceMatcher.real_quick_ratio)
    if not words or 2.0 * min(len(words), len(picked.words)) / (len(words) + len(picked.words)) < _REPEAT_SHARE:
        return False
    if sentence.figures - picked.figures and picked.figures - sentence.figures:
        return False
    matcher = picked.matcher
    matcher.set_seq1(words)
    if matcher.quick_ratio() < _REPEAT_SHARE:
        return False
    replaced = any(change == "replace" for change, *_ in matcher.get_opcodes())
    return matcher.ratio() >= (_REPEAT_SHARE_WITH_A_WORD_REPLACED if replaced else _REPEAT_SHARE)


def _with_quotes_closed(quotations: dict[str, _Edges], sentences: list[str], chosen: list[int]) -> list[str]:
    """The chosen sentences, each inside a quotation that runs over several sentences given the marks
    it lacks where its neighbour in the quotation is not shown, so a quote neither dangles ("…ready,"
    she said.") nor reads as the writer's own words (a quoted sentence between two others)."""
    shown = set(chosen)
    picked = []
    for index in chosen:
        sentence = sentences[index]
        opened, closing = quotations.get(sentence, (None, None))
        if opened and index - 1 not in shown:
            sentence = opened + sentence
        if closing and index + 1 not in shown:
            sentence += closing
        picked.append(sentence)
    return picked


def _marks_to_add(edges: _Edges | None) -> int:
    return sum(1 for mark in edges or () if mark)


def _quotation_edges(blocks: list[list[str]]) -> dict[str, _Edges]:
    """For each sentence that starts or ends inside a quotation of its paragraph: the mark that opened
    the quotation (where it starts inside one) and the mark that would close it (where it ends inside
    one). A straight quote after a digit (12" screen) is no quotation mark."""
    edges: dict[str, _Edges] = {}
    for block in blocks:
        opened: str | None = None
        for sentence in block:
            started_inside = opened
            for mark in _QUOTE_MARK.finditer(sentence):
                opened = _quotation_after(opened, mark.group(), sentence, mark.start())
            if (started_inside or opened) and sentence not in edges:
                edges[sentence] = (started_inside, _CLOSING[opened] if opened else None)
    return edges


def _quotation_after(opened: str | None, mark: str, sentence: str, at: int) -> str | None:
    """The quotation open after `mark`: the opening mark in force, or None."""
    before = sentence[at - 1] if at else " "
    if mark == '"' and before.isdigit():
        return opened
    if opened and _CLOSING[opened] == mark:
        return None
    if mark == '"':
        return mark if before.isspace() or before in "([{—–-" else opened
    return mark if mark in _CLOSING else opened


def _no_story(blocks: list[list[str]]) -> set[str]:
    """What no summary should show: the page's furniture (a byline, a picture's caption or credit, a
    date line, "Advertisement", a call to sign up), a lead-in to a list or a quote ("It covers three
    areas:"), which says nothing without what follows, and the words that end a paragraph after its
    sentences without reaching a full stop: the start of a sentence the feed cut off ("The minister
    said", where an excerpt ended in "[…]"), no heading."""
    furniture = {
        sentence
        for block in blocks
        for sentence in block
        if sentence.endswith(":") or _is_furniture(sentence)
    }
    cut_off = {block[-1] for block in blocks if len(block) > 1 and not _TERMINAL.search(block[-1])}
    return furniture | cut_off


def _is_furniture(sentence: str) -> bool:
    """Whether the sentence (after the pictographs it opens with: "📷 Photo: …") is a byline, a caption, …"""
    start = pictographs.end() if (pictographs := _LEADING_PICTOGRAPHS.match(sentence)) else 0
    return bool(_FURNITURE.fullmatch(sentence, start) or _BYLINE_IN_ANOTHER_LANGUAGE.fullmatch(sentence, start))


def _repeating(title: str, sentences: list[str]) -> set[str]:
    """The sentences that only repeat the title, which is shown above the summary (many feeds start an
    entry's text with its headline). Sentences have single spaces already: only the title needs them."""
    headline = _comparable(" ".join(title.split()))
    return {sentence for sentence in sentences if _comparable(sentence) == headline}


def _comparable(text: str) -> str:
    return text.strip(" .!?…").casefold()


def _limit_for(sentence: str) -> int:
    """No cut for a finished sentence; a cut for words that never reach a full stop."""
    return len(sentence) if _TERMINAL.search(sentence) else _UNCUT_LIMIT
