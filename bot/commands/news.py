"""Finding news: /latest, /sector, /country, /news, /search, /sectors, /countries, /more."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import partial, wraps
from itertools import islice, product
from typing import Awaitable, Callable, Iterable, Iterator

from rapidfuzz import fuzz

from bot.commands.results import PAGE_SIZE, bounded_command, first_page, next_page
from bot.context import Context
from bot.model import Action, Command, Reply, one_of, quoted
from bot.pages import PageKind
from bot.time_phrases import TimePhraseError, Window, number_in_words, take_time_phrase
from bot.topics import describe
from content.model import Query
from content.store.fulltext import (EDGE_PUNCTUATION, LEFT_OUT, LOOKED_FOR, OR, QUOTES, literal_pieces,
                                     names_of_several_words, parted, plain_words, read_or, search_terms)
from content.tagging import Match, Resolution, non_country_phrases, place_name

MAX_LATEST = 20
# reading words takes time growing with their square (50 took 0.1 s of the loop, 20 take 20 to 30 ms): enough for
# a list of countries by their flags, and as many as /subscribe takes, a subscription being a saved /news
MAX_NEWS_WORDS = 20
MAX_SUGGESTIONS = 5
# A list's choices on one page: with its More button, 25 buttons, as many as one Discord message takes
CHOICES_PER_PAGE = 24
_PAGE_NUMBER = re.compile(r"[+-]?\d+")
# "not", "without", "except (for)" or "excluding" before a word, outside quotes: what it leaves out; an article or
# a preposition between them goes with it ("except in kenya", "without the hype": Kenya and hype left out)
_NOT_BEFORE_A_WORD = re.compile(
    rf"([{QUOTES}][^{QUOTES}]*[{QUOTES}]?)|(?<!\S)(?:not|without|except(?:\s+for)?|excluding)\s+"
    r"(?:(?:a|an|the|in|of|from|on|at|any)\s+)*(?=[^\s-])",
    re.IGNORECASE,
)
_PAGE_WORD = re.compile(r"^page\s+", re.IGNORECASE)  # "/countries page 2"
_FLAGS = re.compile("(?:[\U0001F1E6-\U0001F1FF]{2}){2,}")  # flags written together: "🇹🇭🇻🇳"

# Words that join a request together rather than name a topic ("AI education in Kenya").
STOPWORDS = frozenset(
    "a an and about around at by for from in into of on or the to with news latest articles stories "
    "what whats what's is are any show me new newest recent today this week "
    "tell give please pls anything something everything".split()
)
_LONGEST_NAME_WORDS = 8  # "United Kingdom of Great Britain and Northern Ireland", "South Georgia and the South Sandwich Islands"
# A near miss names a place or sector in free text only when this close: "thailnd" is Thailand, but
# "plan" is no Poland, "urban" no Cuba and "children" no Chile.
_FREE_TEXT_LIKENESS = 85
# A multi-word phrase counts as a name only when it reads like the name it resolved to,
# so "energy thailand" does not become a fuzzy match for Energy that swallows Thailand.
_PHRASE_LIKENESS = 75
_OPENING_BRACKETS = {")": "(", "]": "[", "}": "{"}  # by the bracket that closes them
# Words after a sector's name or keyword that only say it is one: "Kenya's health sector", "energy industry"
_SECTOR_NOUNS = frozenset({"sector", "sectors", "industry", "industries"})


async def latest(cmd: Command, ctx: Context) -> Reply:
    count = _number(cmd.args) if cmd.args else PAGE_SIZE
    if count is None or not 1 <= count <= MAX_LATEST:
        return _latest_usage(cmd.args, ctx)
    return await first_page(ctx, "find", Query(), "Latest articles", "No articles yet.", page_size=count)


def _number(word: str) -> int | None:
    """The number a word is, in digits or in words: "5", "five"."""
    return int(word) if word.isdecimal() else number_in_words(word)


def _latest_usage(args: str, ctx: Context) -> Reply:
    """/latest given no number it takes: words ("energy") are pointed to the lookup that reads them."""
    usage = f"/latest takes a number from 1 to {MAX_LATEST}, e.g. /latest 10."
    words = args.split()
    # "/latest three energy", "/latest twenty one energy": the number /latest takes, in one word or two
    taken = next((length for length in (2, 1) if _number(" ".join(words[:length]).lstrip("-")) is not None), 0)
    words = words[taken:]
    # digits are no words to look for anywhere ("/latest kenya 10"); a number in words may be a name's ("formula one")
    return _pointing(usage, " ".join(word for word in words if not word.lstrip("-").isdecimal()), ctx)


def _pointing(usage: str, words: str, ctx: Context, otherwise: tuple[Action, ...] = ()) -> Reply:
    """The usage of a command given words it takes none of, pointing them to the lookup that reads
    them ("energy": /sector energy) where they name something, else offering `otherwise`."""
    understood = understand(words, ctx)
    if not words or understood.query.is_empty or only_left_out(words):
        return Reply(text=usage, actions=list(otherwise), private=True)
    if understood.alternatives:
        return _each_pointed(usage, understood, None)
    meant, line = understood.describe(), understood.command()
    return Reply(text=f"{usage} For the latest on {meant}: {line}.", actions=[Action(meant, line)], private=True)


_LATEST = Action("Latest articles", "/latest")
_Lookup = Callable[[Command, Context, Window | None], Awaitable[Reply]]


def _dated(lookup: _Lookup, *, time_alone: bool = False) -> Callable[[Command, Context], Awaitable[Reply]]:
    """The lookup with the time phrase in its words read ("this week", "since Monday"): it gets the
    command without the phrase, and the window the phrase stands for in the chat's timezone. A
    phrase alone is no lookup unless `time_alone`: "/search today" looks for the word, "/news today"
    is today's news."""

    @wraps(lookup)
    async def reading_time(cmd: Command, ctx: Context) -> Reply:
        cmd = replace(cmd, args=not_as_minus(cmd.args))
        try:
            words, phrase = take_time_phrase(cmd.args)
            if phrase is None or not (words or time_alone):
                return await lookup(cmd, ctx, None)
            zone = await ctx.subscriptions.timezone(cmd.platform, cmd.target.chat)
            window = phrase.window(ctx.clock(), zone)
        except TimePhraseError as error:
            return Reply(text=str(error), private=True)
        return await lookup(replace(cmd, args=words), ctx, window)

    return reading_time


@dataclass(frozen=True)
class _Asked:
    """A lookup's query, and how its reply names it."""

    kind: PageKind
    query: Query
    named: str  # "Energy + Kenya"
    heading: str  # "News: Energy + Kenya"
    nothing: str  # the reply when no article matches at any date


async def _answer(asked: _Asked, cmd: Command, ctx: Context, window: Window | None) -> Reply:
    """The first page of what was asked, within the window when there is one. Finding nothing there
    but articles from other dates, it says when the latest is from and offers the lookup at any date
    (`cmd` less its time phrase); a time still to come is said to be, with the same offer."""
    if window is None:
        return await first_page(ctx, asked.kind, asked.query, asked.heading, asked.nothing)
    if window.to_come:
        text = f"“{window.words}” is still to come: no article is from then yet."
        return Reply(text=text, actions=[_at_any_date(asked, cmd)], private=True)
    dated_query = replace(asked.query, period=window.period)
    reply = await first_page(ctx, asked.kind, dated_query, f"{asked.heading} · {window.label}", asked.nothing)
    if reply.cards or not (latest := (await ctx.store.find(asked.query, limit=1)).articles):
        return reply
    if asked.query.is_empty:  # a time alone: "/news today"
        reply.text = f"No articles {window.label}: the latest is from {window.day(latest[0].published)}."
    else:
        latest_day = window.day(latest[0].published)
        reply.text = f"Nothing {window.label} matches {asked.named}: the latest that does is from {latest_day}."
    reply.actions.append(_at_any_date(asked, cmd))
    return reply


def _at_any_date(asked: _Asked, cmd: Command) -> Action:
    """The lookup asked for without its time: the latest articles for a time alone ("/news today")."""
    return _LATEST if asked.query.is_empty else Action(f"{asked.named}, any date", f"/{cmd.name} {cmd.args}")


@_dated
async def sector(cmd: Command, ctx: Context, window: Window | None) -> Reply:
    if not cmd.args:
        return await sectors(cmd, ctx)
    if left_out := _leaving_out("/sector takes one sector", "sector", "energy -coal", cmd, ctx, window):
        return left_out
    resolution = ctx.tagger.resolve_sector(cmd.args)
    match = resolution.match or _named_alone(cmd.args, ctx)
    if match and match.kind == "sector":
        name = match.name
        query = Query(sectors=(match.id,))
        asked = _Asked("find", query, name, f"Latest in {name}", f"No articles about {name} yet.")
        return await _answer(asked, cmd, ctx, window)
    place = _place_named(cmd.args, ctx) or match
    if place:
        return Reply(
            text=f"{place.name} is a place, not a sector.",
            actions=[Action(f"News from {place.name}", _within(_place_command(place), window))],
            private=True,
        )
    if several := _several_names("/sector takes one sector", cmd, ctx, window):
        return several
    return _not_found("sector", cmd.args, resolution, "/sectors", window)


@_dated
async def country(cmd: Command, ctx: Context, window: Window | None) -> Reply:
    if not cmd.args:
        return await countries(cmd, ctx)
    usage = "/country takes one country or region"
    if left_out := _leaving_out(usage, "country or region", "kenya -energy", cmd, ctx, window):
        return left_out
    resolution = ctx.tagger.resolve_place(cmd.args)
    match = resolution.match or _named_alone(cmd.args, ctx)
    if match and match.kind != "sector":
        name = match.name
        query = Query.on(match.kind, match.id)
        asked = _Asked("find", query, name, f"Latest from {name}", f"No articles about {name} yet.")
        return await _answer(asked, cmd, ctx, window)
    found_sector = ctx.tagger.resolve_sector(cmd.args).match or match
    if found_sector:
        return Reply(
            text=f"{found_sector.name} is a sector, not a country or region.",
            actions=[Action(f"News about {found_sector.name}", _within(f"/sector {found_sector.id}", window))],
            private=True,
        )
    if several := _several_names("/country takes one country or region", cmd, ctx, window):
        return several
    return _not_found("country or region", cmd.args, resolution, "/countries", window)


def _leaving_out(usage: str, kind: str, example: str, cmd: Command, ctx: Context, window: Window | None) -> Reply | None:
    """Words that leave something out ("energy -coal", "energy not kenya") are /news's to read, pointed
    there as several names are; with nothing but what to leave out ("-kenya"), a name is asked for.
    None when the words leave nothing out."""
    if not search_terms(cmd.args).excluded:
        return None
    if only_left_out(cmd.args):
        return Reply(text=f"Add a {kind}: “-” or “not” only leaves articles out, e.g. /news {example}.", private=True)
    understood = understand(cmd.args, ctx)
    described, line = understood.describe(), _within(understood.command(), window)
    return Reply(text=f"{usage}. For the latest on {described}: {line}.", actions=[Action(described, line)], private=True)


def _named_alone(words: str, ctx: Context) -> Match | None:
    """The one sector or place the words name with only words that join a request around it, as
    /news reads them: "the energy sector", "latest energy news"."""
    understood = understand(words, ctx)
    if understood.words or understood.alternatives or len({match.id for match in understood.matches}) != 1:
        return None
    return understood.matches[0]


def _several_names(usage: str, cmd: Command, ctx: Context, window: Window | None) -> Reply | None:
    """Words naming more than one sector or place ("energy kenya"), or one and a place inside a country
    ("kenya nairobi"), pointed to /news, which reads them all, as /latest points words to their lookup;
    a word only near a name among them ("kenia energy") is asked about. None for one name with other
    words ("energy 2025"), or none."""
    understood = understand(cmd.args, ctx)
    if understood.alternatives:
        return _each_pointed(f"{usage}.", understood, window)
    meant = _with_names(understood, partial(_near_miss, ctx=ctx))
    inside = bool(meant.matches and meant.words) and _inside_a_country(" ".join(meant.words))
    if len({match.id for match in meant.matches}) < 2 and not inside:
        return None
    near = [match.name for match in meant.matches if match not in understood.matches]
    asked = f" Did you mean {one_of(near)}?" if near else ""
    described = meant.describe()
    line = _within(meant.command(), window)
    text = f"{usage}.{asked} For the latest on {described}: {line}."
    return Reply(text=text, actions=[Action(described, line)], private=True)


def _near_miss(word: str, ctx: Context) -> Match | None:
    """The sector or place a word only comes near ("kenia"): not one it names, which /news read already."""
    name = near_name(word, ctx)
    return name if name and name.score < 100 else None


@partial(_dated, time_alone=True)
async def news(cmd: Command, ctx: Context, window: Window | None) -> Reply:
    if not cmd.args and window:  # "/news today"
        return await _answer(_Asked("find", Query(), "", "Latest articles", "No articles yet."), cmd, ctx, window)
    if not cmd.args:
        return Reply(text="Tell me what you are looking for, e.g. /news AI education in Kenya.", private=True)
    if word_count(cmd.args) > MAX_NEWS_WORDS:
        return Reply(text=f"Please use at most {MAX_NEWS_WORDS} words, e.g. /news AI education in Kenya.", private=True)
    understood = understand(cmd.args, ctx)
    if understood.alternatives:
        return _one_at_a_time(understood, window)
    if not understood.matches and only_left_out(" ".join(understood.words)):
        return Reply(text="Add a topic: “-” or “not” only leaves articles out, e.g. /news energy -coal.", private=True)
    if understood.query.is_empty:
        return Reply(
            text="I could not find a topic in that. Try a sector, a country or some words, e.g. /news energy thailand.",
            private=True,
        )
    described = understood.describe()
    nothing = f"Nothing matches {described} yet. Try fewer words, or /search for the text alone."
    reply = await _answer(_Asked("find", understood.query, described, f"News: {described}", nothing), cmd, ctx, window)
    if reply.text == nothing and (meant := await reading_meant(understood, cmd.args, ctx)):
        reply.text = f"Nothing matches {described} yet. Did you mean {meant.describe()}?"
        reply.actions.append(Action(meant.describe(), _within(meant.command(), window)))
    elif reply.text == nothing and (each := await _each_place_alone(understood, ctx, window)):
        reply.text = f"No article is on all of {described} yet. One place at a time?"
        reply.actions += [Action(alone.describe(), _within(alone.command(), window)) for alone in each]
    return reply


async def _each_place_alone(understood: Understanding, ctx: Context, window: Window | None) -> list[Understanding]:
    """Of several places named ("education in Thailand and Kenya"), which finds nothing on all of them,
    each with the rest of what was asked, where that finds articles: people often mean either."""
    places = [match for match in understood.matches if match.kind != "sector"]
    if len(places) < 2:
        return []
    found = []
    for place in dict.fromkeys(places):
        alone = Understanding([match for match in understood.matches if match == place or match not in places], understood.words)
        query = alone.query if window is None else replace(alone.query, period=window.period)
        if (await ctx.store.find(query, limit=1)).articles:
            found.append(alone)
    return found


def _one_at_a_time(understood: Understanding, window: Window | None) -> Reply:
    """Names "or" joins ("energy or agriculture"), or a name and words ("energy or solar"), offered one
    at a time: /news finds articles on all it names, that mention all its words."""
    mentioning = " that mention every word" if understood.words_among_alternatives else ""
    text = f"I look for articles on every sector and place named{mentioning}, so not on {understood.either()}: one at a time?"
    text += beyond_the_choices(understood)
    return Reply(text=text, actions=_each_alone(understood, window), private=True)


def _each_pointed(usage: str, understood: Understanding, window: Window | None) -> Reply:
    """A command's usage, given words "or" joins a name to ("energy or agriculture"), pointing to the
    lookup of each alone, as /news offers them: not to /news on all of them."""
    text = f"{usage} For the latest on {understood.either()}, one at a time:{beyond_the_choices(understood)}"
    return Reply(text=text, actions=_each_alone(understood, window), private=True)


def _each_alone(understood: Understanding, window: Window | None) -> list[Action]:
    return [Action(choice.describe(), _within(choice.command(), window)) for choice in understood.one_at_a_time()]


def _within(line: str, window: Window | None) -> str:
    """A lookup's command line offered for another, with the time that one was asked for, if any."""
    return line if window is None else f"{line} {window.words}"


def beyond_the_choices(understood: Understanding) -> str:
    """What a reply offering the ways to choose one at a time says of those it has no button for."""
    if understood.ways_to_choose <= CHOICES_PER_PAGE:
        return ""
    return (f"\nThe first {CHOICES_PER_PAGE} of the {understood.ways_to_choose} ways to choose are below: "
            "name fewer at a time for the others.")


async def reading_meant(understood: Understanding, words: str, ctx: Context) -> Understanding | None:
    """What words that found nothing may have meant: the one name they all come near ("kenia"), else
    the names their leftover words stand for as /sector and /country read them ("healthcare" is Health,
    "kenia" Kenya beside "energy"), when those find articles."""
    if not understood.matches and (guess := near_name(words, ctx)):
        return Understanding([guess])
    meant = _with_names(understood, lambda word: None if literal_pieces(word)[1] else _name_for(word, ctx))
    if len(meant.matches) == len(understood.matches):
        return None
    return meant if (await ctx.store.find(meant.query, limit=1)).articles else None


def _with_names(understood: Understanding, name_of: Callable[[str], Match | None]) -> Understanding:
    """The understanding with each leftover word `name_of` names as that name, unless named already."""
    meant = Understanding(list(understood.matches))
    for word in understood.words:
        name = name_of(word)
        if name and all(match.id != name.id for match in meant.matches):
            meant.matches.append(name)
        else:
            meant.words.append(word)
    return meant


@_dated
async def search(cmd: Command, ctx: Context, window: Window | None) -> Reply:
    if not cmd.args:
        return Reply(text="Tell me what to search for, e.g. /search smart grid.", private=True)
    text = cmd.args
    if only_left_out(text):
        return Reply(text="Add a word to look for: “-” or “not” only leaves articles out, e.g. /search smart grid -solar.", private=True)
    if not search_terms(text) and not _has_letters(text):  # "^", "😀"
        no_word = f"{quoted(text)} has no word to search for."
        if understand(text, ctx).matches:  # a flag, "🇰🇪": the place it stands for
            return _pointing(no_word, text, ctx)
        return Reply(text=f"{no_word} Try words, e.g. /search smart grid.", private=True)
    if not search_terms(text):  # "it", "the": every article has such words, so saying none mentions them would be false
        return Reply(text=f"{quoted(text)} has no word to search for: single letters and words as common as “the” "
                     "or “it” are left out. Try a more telling word, e.g. /search smart grid.", private=True)
    described = describe((), text)  # "“smart grid”, without “solar”"
    heading, nothing = f"Search: {described}", f"No articles mention {described}. Try other words."
    return await _answer(_Asked("search", Query(text=text), described, heading, nothing), cmd, ctx, window)


def not_as_minus(words: str) -> str:
    """"energy not kenya" as "energy -kenya", and so "energy without kenya", "energy except (for) kenya" and
    "energy excluding kenya": "not", a stop word, was left out and the word after it wanted, the opposite of
    what was asked, and the others looked for. In quotes, or with no word after it, it stays as written."""
    return _NOT_BEFORE_A_WORD.sub(lambda found: found[1] or "-", words)


def only_left_out(text: str) -> bool:
    """Whether the words only leave articles out ("-coal"): every other article is no answer."""
    terms = search_terms(text)
    return bool(terms.excluded) and not terms.required


async def sectors(cmd: Command, ctx: Context) -> Reply:
    counts = await ctx.store.count_by_sector()
    names = ctx.tagger.sector_names()
    listed = _ranked((names.get(key, key.title()), count, f"/sector {key}") for key, count in counts.items())
    if not listed:
        return Reply(text="No articles have been tagged with a sector yet.")
    return _choice_page([("Sectors with articles:", listed)], "/sectors", cmd.args, ctx)


async def countries(cmd: Command, ctx: Context) -> Reply:
    country_counts = await ctx.store.count_by_country()
    region_counts = await ctx.store.count_by_region()
    listed_countries = _ranked((place_name(code), count, f"/country {code}") for code, count in country_counts.items())
    listed_regions = _ranked(
        (place_name(region), count, bounded_command(f"/country {place_name(region)}", f"/country {region}"))
        for region, count in region_counts.items()
    )
    if not listed_countries and not listed_regions:
        return Reply(text="No articles have been tagged with a country or region yet.")
    sections = [("Countries with articles:", listed_countries), ("Regions:", listed_regions)]
    return _choice_page(sections, "/countries", cmd.args, ctx)


async def more(cmd: Command, ctx: Context) -> Reply:
    request = ctx.pages.recall(cmd.args)
    if request is None:
        return Reply(
            text="That list has expired. Please ask again, e.g. /latest or /sector energy.",
            private=True,
        )
    return await next_page(ctx, request)


@dataclass
class Understanding:
    """What /news recognized in free words: sectors, places, and the leftover text."""

    matches: list[Match] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    # names, and words among `words`, that "or" stands between with a name beside it, read as all of them:
    # a choice of each "energy or agriculture or health", and of "kenya or thailand", after it
    alternatives: list[list[Match | str]] = field(default_factory=list)

    def one_at_a_time(self) -> list["Understanding"]:
        """This understanding with one alternative of each choice in place of them all, for each of the
        first CHOICES_PER_PAGE ways to choose: as many buttons as one message shows on every platform
        (Telegram drops the buttons past those its message takes, without a word)."""
        every = {alternative for choice in self.alternatives for alternative in choice}
        return [
            Understanding(
                [match for match in self.matches if match in chosen or match not in every],
                [word for word in self.words if word in chosen or word not in every],
            )
            for chosen in islice(product(*map(dict.fromkeys, self.alternatives)), CHOICES_PER_PAGE)
        ]

    @property
    def ways_to_choose(self) -> int:
        return math.prod(len(dict.fromkeys(choice)) for choice in self.alternatives)

    def either(self) -> str:
        """The alternatives as a choice reads: "Energy or Agriculture", "Energy or “solar”"."""
        return " and ".join(
            one_of([describe((), alternative) if isinstance(alternative, str) else alternative.name
                    for alternative in dict.fromkeys(choice)])
            for choice in self.alternatives
        )

    @property
    def words_among_alternatives(self) -> bool:
        return any(isinstance(alternative, str) for choice in self.alternatives for alternative in choice)

    @property
    def query(self) -> Query:
        """Every sector and every place named: "/news china pakistan" is about both, not either."""
        return Query.on_all(((match.kind, match.id) for match in self.matches), " ".join(self.words))

    def describe(self) -> str:
        """"Energy + “smart grid”, without “coal”" for /news energy "smart grid" -coal."""
        return describe((match.name for match in self.matches), " ".join(self.words))

    def command(self) -> str:
        """The command that reads as this: /sector or /country for one name alone, else /news."""
        named = self._each_named_once()
        if len(named) == 1 and not self.words:
            return _match_command(named[0])
        return f"/news {self.arguments()}"

    def arguments(self) -> str:
        """The words /news and /subscribe read as this: "Brazil health"."""
        names = [match.id if match.kind == "sector" else match.name for match in self._each_named_once()]
        return " ".join([*names, *self.words])

    def _each_named_once(self) -> list[Match]:
        """The names, one said twice ("energy energy", or "energy coal", coal standing for Energy) once."""
        return list(dict.fromkeys(self.matches))


def understand(words: str, ctx: Context) -> Understanding:
    """Resolve the longest phrases first; stopwords join, everything else becomes search text.
    Quoted phrases and "-" exclusions are search text as written."""
    words, literals = _literals_marked(words)
    tokens = [flag for token in words.split() for piece in parted(_trimmed(token)) for flag in _flags_apart(piece)]
    tokens = _without_sector_nouns([token for token in tokens if token], ctx)
    recognized: dict[int, tuple[Match, str]] = {}  # by the index of the phrase's first token
    used = [False] * len(tokens)
    # "electric vehicle" is one name to search for (with "EV"), not the word "electric" and the Transport sector
    # and "South China Sea" or "New Mexico" is searched for as written, not read as China or Mexico, nor
    # "USA Today", a paper, as the United States
    lowered = [token.lower() for token in tokens]
    kept_whole_ends = _ends_of_spans(names_of_several_words(lowered) + non_country_phrases(lowered))
    kept_whole = {index for start, end in kept_whole_ends.items() for index in range(start, end)}
    for length in range(min(_LONGEST_NAME_WORDS, len(tokens)), 0, -1):
        for start in range(len(tokens) - length + 1):
            span = tokens[start : start + length]
            taken = any(used[start : start + length]) or kept_whole.intersection(range(start, start + length))
            could_be_name = _could_be_name(span, ctx)
            # a name has no "&", flag or number inside: those fold away ("energy 🇹🇭" read as Energy, "in 2026" as India)
            if taken or (length == 1 and not could_be_name) or (length > 1 and not all(map(_spelt_in_letters, span))):
                continue
            match = _resolve_phrase(span, ctx, exactly=not could_be_name)
            if match:
                recognized[start] = match, " ".join(span)
                used[start : start + length] = [True] * length
    named = {match for match, phrase in recognized.values() if not _only_hints(match, phrase, ctx)}
    pieces: list[Match | str | _Or | _Literal] = []  # the names, words, "or"s and pieces as written, in their order
    for index, token in enumerate(tokens):
        if token == _LITERAL:
            if search_terms(literal := next(literals)):  # not "" or a quote left alone
                pieces.append(_Literal(literal))
        elif index in recognized:
            match, phrase = recognized[index]
            if match in named:
                pieces.append(match)
            elif not any(match.id == other.id for other in named):
                pieces.append(phrase)  # "oil nigeria" is Nigeria with "oil", not Energy in Nigeria
        elif index in kept_whole:
            if index in kept_whole_ends:  # one term, which an "or" beside it takes whole: "energy or new york"
                pieces.append(" ".join(tokens[index : kept_whole_ends[index]]))
        elif not used[index] and token.lower() not in STOPWORDS and search_terms(token):
            pieces.append(token)  # not "&" or "🔋": no word to search for
        elif token.lower() == "or":
            pieces.append(_Or(token))  # stop words beside it join nothing: "solar or the wind" is either word, as searched
    return _reading_or(pieces)


def _literals_marked(words: str) -> tuple[str, Iterator[str]]:
    """The words with each quoted phrase and "-" exclusion a mark, so an "or" beside one is read
    where it stands, and those pieces as written, in their order."""
    words = words.replace(_LITERAL, " ")
    pieces = plain_words(words)
    return " ".join(bare or _LITERAL for bare, _ in pieces), iter([words[start:end] for bare, (start, end) in pieces if not bare])


def _ends_of_spans(spans: list[range]) -> dict[int, int]:
    """Where each span starts, and where it ends; spans that overlap as one."""
    ends: dict[int, int] = {}
    start = end = -1
    for span in sorted(spans, key=lambda span: span.start):
        if span.start >= end:
            start = span.start
        end = max(end, span.stop)
        ends[start] = end
    return ends


@dataclass(frozen=True)
class _Or:
    written: str  # "or", "OR"


@dataclass(frozen=True)
class _Literal:
    written: str  # "\"smart grid\"", "-coal"


_LITERAL = "\ue000"  # where a quoted phrase or an exclusion stood among the words (a private-use character)


def _reading_or(pieces: list[Match | str | _Or | _Literal]) -> Understanding:
    """The names and words read, "or" between some, as search reads it (content.store.fulltext.read_or):
    words it joins are one term, either word ("solar or wind", "solar or \"smart grid\""); a name it
    joins to a name or a term is an alternative, offered one at a time ("energy or agriculture",
    "energy or solar"); an "or" beside neither is left out ("energy or", "energy or -coal")."""
    reading = read_or([_kind(piece) for piece in pieces])
    choices = {choice[0].start: [term.start for term in choice] for choice in reading.choices if len(choice) > 1}
    in_a_choice = {index for terms in choices.values() for index in terms}
    understanding = Understanding()
    as_written: list[str] = []  # quoted phrases and exclusions, after the other words
    for index, piece in enumerate(pieces):
        if index in in_a_choice and index not in choices:
            continue
        read = _alternatives(pieces, choices[index]) if index in choices else [piece]
        named = [alternative if isinstance(alternative, Match) else _written(alternative) for alternative in read]
        if len({getattr(alternative, "id", alternative) for alternative in named}) > 1:  # not "kenya or kenya"
            understanding.alternatives.append(named)
        for alternative in read:
            if isinstance(alternative, Match):
                understanding.matches.append(alternative)
            elif isinstance(alternative, str):
                understanding.words.append(alternative)
            elif isinstance(alternative, _Literal):
                as_written.append(alternative.written)
    understanding.words += as_written
    return understanding


def _written(piece: Match | str | _Or | _Literal) -> Match | str:
    return piece.written if isinstance(piece, (_Or, _Literal)) else piece


def _kind(piece: Match | str | _Or | _Literal) -> str:
    if isinstance(piece, _Or):
        return OR
    return LEFT_OUT if isinstance(piece, _Literal) and piece.written.startswith("-") else LOOKED_FOR


def _alternatives(pieces: list[Match | str | _Or | _Literal], terms: list[int]) -> list[Match | str | _Literal]:
    """The alternatives of one choice "or" makes: each name, and the words between names as one term,
    joined by the "or" written before each ("solar OR wind")."""
    alternatives: list[Match | str | _Literal] = []
    for before, index in zip([-1, *terms], terms):
        piece = pieces[index]
        if alternatives and not isinstance(piece, Match) and not isinstance(alternatives[-1], Match):
            joining = next(other for other in reversed(pieces[before:index]) if isinstance(other, _Or))
            alternatives[-1] = f"{_as_one_term(alternatives[-1])} {joining.written} {_as_one_term(piece)}"
        else:
            alternatives.append(piece)
    return alternatives


def _as_one_term(piece: str | _Or | _Literal) -> str:
    """Words "or" joins to others, as search reads them whole: a name of several words it reads as
    more than one term ("new york") in quotes, so that "or" takes the name, not its last word."""
    if isinstance(piece, str) and len(search_terms(piece).required) > 1:
        return f'"{piece}"'
    return _written(piece)


def word_count(words: str) -> int:
    """How many words /news reads in the words, each of several flags written together one."""
    return sum(len(_flags_apart(word)) for word in words.split())


def _flags_apart(token: str) -> list[str]:
    """The flags of a token of several ("🇹🇭🇻🇳"), each a place, as they are written apart; else the token."""
    return [token[start : start + 2] for start in range(0, len(token), 2)] if _FLAGS.fullmatch(token) else [token]


def _trimmed(token: str) -> str:
    """The token without the punctuation around it ("Kenya,", "(grid)"), but for a bracket that pairs
    with one inside it: "[l](http://e.x)" and "grid(s)" stay whole, not "l](http://e.x" and "grid(s"."""
    start, end = len(token) - len(token.lstrip(EDGE_PUNCTUATION)), len(token.rstrip(EDGE_PUNCTUATION))
    if start >= end:
        return ""
    while True:
        opened, closed = _unpaired_brackets(token[start:end])
        if closed and start and token[start - 1] == _OPENING_BRACKETS[closed[0]]:
            start -= 1
        elif opened and end < len(token) and _OPENING_BRACKETS.get(token[end]) == opened[-1]:
            end += 1
        else:
            return token[start:end]


def _unpaired_brackets(text: str) -> tuple[list[str], list[str]]:
    """The opening brackets of the text that none closes, and the closing ones that close none."""
    opened: list[str] = []
    closed: list[str] = []
    for character in text:
        if character in _OPENING_BRACKETS.values():
            opened.append(character)
        elif character in _OPENING_BRACKETS:
            if opened and opened[-1] == _OPENING_BRACKETS[character]:
                opened.pop()
            else:
                closed.append(character)
    return opened, closed


def _without_sector_nouns(tokens: list[str], ctx: Context) -> list[str]:
    """The tokens less "sector" or "industry" after a word that stands for a sector: no article about
    Kenya's health sector needs to say "sector"."""
    return [
        token
        for index, token in enumerate(tokens)
        if not (
            index
            and token.lower() in _SECTOR_NOUNS
            and ctx.tagger.resolve_sector(tokens[index - 1], abbreviated=False).match
        )
    ]


def near_name(words: str, ctx: Context) -> Match | None:
    """The one sector or place the words come near ("kenia"), as /sector and /country read them; a
    word that only stands for a sector ("oil") and a place inside a country ("lagos", "new york")
    are looked for as written, with or without stop words ("the AI")."""
    if literal_pieces(words)[1] or ctx.tagger.is_sector_keyword(_less_stop_words(words)) or _inside_a_country(words):
        return None
    return _name_for(words, ctx)


def _name_for(words: str, ctx: Context) -> Match | None:
    """The sector or place the words name as /sector and /country read them, but for a code in lower case."""
    return ctx.tagger.resolve_sector(words).match or _place_named(words, ctx)


def _place_named(words: str, ctx: Context) -> Match | None:
    """The place the words name, unless they spell only its code in lower case: "pm", "tv", "can" and
    "the ai" are words people write, though "/country pm" is Saint Pierre and Miquelon (it asks for a
    place) and "PM" or "KE" alone, in capitals, may mean one."""
    span = words.split()
    if _only_a_code(span, ctx) and not _less_stop_words(words).isupper():
        return None
    return ctx.tagger.resolve_place(words).match


def _less_stop_words(words: str) -> str:
    return " ".join(word for word in words.split() if word.lower() not in STOPWORDS)


def _inside_a_country(words: str) -> bool:
    """Whether the words are one place inside a country: a city, a sea or a state."""
    tokens = [token.strip(EDGE_PUNCTUATION).lower() for token in words.split()]
    return non_country_phrases(tokens) == [range(len(tokens))]


def _only_hints(match: Match, phrase: str, ctx: Context) -> bool:
    """A sector's keyword ("oil", "grid", "coffee") is searched for as written: it names something
    narrower than the sector, which articles may be about without being tagged with it."""
    return match.kind == "sector" and ctx.tagger.is_sector_keyword(phrase)


def _has_letters(token: str) -> bool:
    return any(character.isalnum() for character in token)


def _spelt_in_letters(token: str) -> bool:
    return any(character.isalpha() for character in token)


def _could_be_name(span: list[str], ctx: Context) -> bool:
    if span[0].lower() in STOPWORDS or span[-1].lower() in STOPWORDS:
        return False
    # Two letters are more often a word ("AI") than a country code in free text, unless written in
    # capitals as a place's own short name ("US", "UK", "EU"), or as a sector's that search would leave
    # out as a word ("IT", not "it"); a flag ("🇹🇭") is a place.
    joined = "".join(span)
    if len(joined) <= 2 and joined.isascii():
        return joined.isupper() and (ctx.tagger.is_place_name(joined) or _a_sector_unsearched(joined, ctx))
    return True


def _a_sector_unsearched(word: str, ctx: Context) -> bool:
    return not search_terms(word) and ctx.tagger.resolve_sector(word, abbreviated=False).match is not None


def _resolve_phrase(span: list[str], ctx: Context, exactly: bool) -> Match | None:
    """What the phrase names; `exactly`: only a name as written ("New Zealand", though "new" joins words).
    A word that only begins a sector's name ("man", "fin", "heal") is no name in free text, and a sector's
    keyword that is a place's own name too ("G7", a Finance word) is the place."""
    for resolve in (partial(ctx.tagger.resolve_sector, abbreviated=False), ctx.tagger.resolve_place):
        match = _phrase_match(span, resolve)
        if match and match.kind != "sector" and _only_a_code(span, ctx):
            continue
        if match and _only_hints(match, " ".join(span), ctx) and ctx.tagger.is_place_name(" ".join(span)):
            continue
        if match and match.score >= (100 if exactly else _FREE_TEXT_LIKENESS):
            return match
    return None


def _only_a_code(span: list[str], ctx: Context) -> bool:
    """Whether the words spell no more than a country's ISO code, as "can", "per", "pan" or "the ai"
    do: everyday words in free text. A place's own short name ("USA", "UAE", "the US") stays a name."""
    letters = "".join(word for word in span if word.lower() not in STOPWORDS)
    return len(letters) <= 3 and letters.isascii() and not ctx.tagger.is_place_name(" ".join(span))


def _phrase_match(span: list[str], resolve: Callable[[str], Resolution]) -> Match | None:
    """The match for the whole phrase, unless it is really a shorter phrase plus a stray word.

    Fuzzy resolvers happily read "AI education" as Education; then "AI" must stay search text.
    """
    match = resolve(" ".join(span)).match
    if match is None or len(span) == 1 or match.score == 100:  # a name as written: "United Arab Emirates"
        return match
    if not _reads_like(" ".join(span), match):
        return None
    for shorter in (span[1:], span[:-1]):
        inner = resolve(" ".join(shorter)).match
        if inner and inner.id == match.id and _reads_like(" ".join(shorter), inner):
            return None
    return match


def _reads_like(phrase: str, match: Match) -> bool:
    names = (match.name.lower(), match.id.lower())
    return max(fuzz.ratio(phrase.lower(), name) for name in names) >= _PHRASE_LIKENESS


def _place_command(match: Match) -> str:
    if match.kind == "country":
        return f"/country {match.id}"
    return bounded_command(f"/country {match.name}", f"/country {match.id}")


def _match_command(match: Match) -> str:
    return f"/sector {match.id}" if match.kind == "sector" else _place_command(match)


def _not_found(kind: str, words: str, resolution: Resolution, list_command: str, window: Window | None) -> Reply:
    suggestions = resolution.suggestions[:MAX_SUGGESTIONS]
    if not suggestions:
        return Reply(
            text=f"I don't know a {kind} called “{words}”. See {list_command} for the ones I know.",
            actions=[Action("Show the list", list_command)],
            private=True,
        )
    names = one_of([match.name for match in suggestions])
    shared = len(suggestions) > 1 and all(match.kind == "country" and match.score == 100 for match in suggestions)
    return Reply(  # a name several countries have ("tripoli") is known, a near miss ("banks") is not
        text=f"“{words}” is a place in more than one country: {names}?"
        if shared
        else f"I don't know a {kind} called “{words}”. Did you mean {names}?",
        actions=[Action(match.name, _within(_match_command(match), window)) for match in suggestions],
        private=True,
    )


def _page_number(words: str) -> int | None:
    """The page asked for in digits, signed or not ("2", "-1"), or in words ("two")."""
    return int(words) if _PAGE_NUMBER.fullmatch(words) else number_in_words(words)


def _beside_the_page_number(asked: str) -> str:
    """The words a list was given beside its page number ("2 energy", "two energy", "energy 2"): the
    page is no word to look for."""
    words = asked.split()
    if words and _page_number(words[0]) is not None:
        words = words[1:]
    return " ".join(word for word in words if not _PAGE_NUMBER.fullmatch(word))


def _ranked(choices: Iterable[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
    """(name, count, command) choices with articles, most articles first."""
    return sorted((choice for choice in choices if choice[1]), key=lambda choice: (-choice[1], choice[0]))


def _choice_page(
    sections: list[tuple[str, list[tuple[str, int, str]]]], list_command: str, args: str, ctx: Context
) -> Reply:
    """The page of a list of choices `args` asks for ("2", the first when empty), each choice a line and a
    button, under its section's heading; a More button runs `list_command` for the next page, so every
    choice is a button on some page. A page the list lacks is said to be, words pointed to their lookup."""
    every_choice = [(heading, choice) for heading, choices in sections for choice in choices]
    pages = math.ceil(len(every_choice) / CHOICES_PER_PAGE)
    its_pages = "one page" if pages == 1 else f"pages 1 to {pages}"
    the_list = Action("Show the list", list_command)
    asked = _PAGE_WORD.sub("", args)
    page = _page_number(asked) if asked else 1
    if page is None:
        usage = f"{list_command} takes a page number, not words: it has {its_pages}."
        return _pointing(usage, _beside_the_page_number(asked), ctx, (the_list,))
    if not 1 <= page <= pages:
        text = f"There is no page {asked}: {list_command} has {its_pages}."
        return Reply(text=text, actions=[the_list], private=True)
    start = (page - 1) * CHOICES_PER_PAGE
    shown = every_choice[start : start + CHOICES_PER_PAGE]
    lines: list[str] = []
    for index, (heading, (name, count, _)) in enumerate(shown, start=start):
        if index == start or every_choice[index - 1][0] != heading:
            begun_before = index and every_choice[index - 1][0] == heading
            lines.append(f"{heading.removesuffix(':')} (continued):" if begun_before else heading)
        lines.append(f"{name}: {count}")
    actions = [Action(f"{name} ({count})", command) for _, (name, count, command) in shown]
    if start + CHOICES_PER_PAGE < len(every_choice):
        actions.append(Action("More", f"{list_command} {page + 1}"))
    return Reply(text="\n".join(lines), actions=actions)
