"""/subscribe, /unsubscribe, /subscriptions and /settings (timezone and post format).

A topic is a sector, a country or region, several of them with words as /news reads them, or else
words to look for. In groups and channels only the chat's administrators change what the chat
receives; a command about a chat other than the one it was typed in (`Command.chat_name`) names
that chat in its replies and buttons.
"""

from __future__ import annotations

import re
import zlib
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from rapidfuzz import fuzz, process

from bot.commands.cadence_reading import CadenceMeant, CadenceWithoutTime, split_cadence
from bot.commands.news import (
    MAX_NEWS_WORDS, Understanding, beyond_the_choices, near_name, not_as_minus, only_left_out, reading_meant, understand,
    word_count,
)
from bot.commands.results import article_card
from bot.context import Context
from bot.model import DEFAULT_POST_FORMAT, POST_FORMATS, Action, Command, Reply, new_articles, quoted
from bot.subscriptions.cadence import Cadence, CadenceError
from bot.subscriptions.fanout import DIGEST_SIZE, DigestArticles
from bot.subscriptions.matching import WordQuery
from bot.subscriptions.store import (
    VALUE_CHARS, Added, Subscription, SubscriptionStore, combined, combined_parts, topic_label,
)
from bot.time_phrases import TimePhrase, TimePhraseError, take_time_phrase
from content.store.fulltext import INITIALS_SPELT_OUT, QUOTES, search_terms
from content.tagging import Match
from content.text import ELECTRONVOLT, clip

MAX_QUERY_CHARS = 100
# each costs the chat's commands a read and the delivery a match or a digest: one person scripting
# /subscribe would otherwise grow them, and the time of every /subscribe, without end
MAX_SUBSCRIPTIONS = 100
REMOVE_LABEL_LIMIT = 60
LATEST_ON_SUBSCRIBE = 3
_NO_QUOTES = str.maketrans("", "", QUOTES)
_CASE_TELLS = re.compile(f"({ELECTRONVOLT.pattern}|{INITIALS_SPELT_OUT.pattern})")
_UTC_OFFSET = re.compile(r"(?:utc|gmt)?(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?", re.IGNORECASE)
_REVERSED_OFFSET = re.compile(r"Etc/GMT([+-])(\d+)")  # Etc/GMT-7 is UTC+7
_ID_FORM = re.compile(r"#(\d+)(?:\.(\d+))?")  # a button's "#id.topic-check", so a reused id is no match
_CANNOT_POST = (
    "I may answer here but not post on my own, so a subscription would never arrive: let me view this "
    "channel, send messages and embed links in it, then subscribe again."
)
_NO_PLACE_ZONES = frozenset({"localtime", "Factory"})  # the server's own zone, and a placeholder
_NEAR_ZONE_SCORE = 85  # "nairobbi" and "Asia/Bangkk" score over 90; "Mars/Olympus" comes near nothing
# Offsets not in whole hours, each the time all year of the places most people mean by it
_OFF_THE_HOUR_ZONES = {
    "+3:30": "Asia/Tehran",
    "+4:30": "Asia/Kabul",
    "+5:30": "Asia/Kolkata",
    "+5:45": "Asia/Kathmandu",
    "+6:30": "Asia/Yangon",
    "+9:30": "Australia/Darwin",
}
# Abbreviations people give for their zone that are no IANA name themselves ("EAT" would come near Brazil/East),
# each offered as the zone of the places most people mean by it; EST, MST, HST and CET are IANA names, set as given
# (EST and MST with a word on summer time, below)
_ZONE_ABBREVIATIONS = {
    "EAT": "Africa/Nairobi", "CAT": "Africa/Maputo", "WAT": "Africa/Lagos", "SAST": "Africa/Johannesburg",
    "ICT": "Asia/Bangkok", "PKT": "Asia/Karachi", "IST": "Asia/Kolkata", "NPT": "Asia/Kathmandu", "WIB": "Asia/Jakarta",
    "SGT": "Asia/Singapore", "MYT": "Asia/Kuala_Lumpur", "PHT": "Asia/Manila", "HKT": "Asia/Hong_Kong",
    "JST": "Asia/Tokyo", "KST": "Asia/Seoul", "GST": "Asia/Dubai", "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney", "NZST": "Pacific/Auckland", "NZDT": "Pacific/Auckland", "BST": "Europe/London",
    "CEST": "Europe/Berlin", "EDT": "America/New_York", "CDT": "America/Chicago", "MDT": "America/Denver",
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles", "MSK": "Europe/Moscow", "ACST": "Australia/Adelaide",
    "ACDT": "Australia/Adelaide", "AWST": "Australia/Perth", "AKST": "America/Anchorage", "AKDT": "America/Anchorage",
    "CHST": "Pacific/Guam", "IDT": "Asia/Jerusalem", "BRT": "America/Sao_Paulo", "ART": "America/Argentina/Buenos_Aires",
}
# IANA names that keep one offset all year, which people often give meaning a zone that has summer time: each is
# set as asked, saying so and offering that zone (HST needs neither: Pacific/Honolulu has no summer time either)
_WITHOUT_SUMMER_TIME = {
    "EST": ("EST keeps UTC−5 all year, with no daylight saving time: for New York's time, EDT in summer", "America/New_York"),
    "MST": (
        "MST keeps UTC−7 all year, with no daylight saving time, as Arizona does (America/Phoenix, where MST is right): "
        "for Denver's time, MDT in summer",
        "America/Denver",
    ),
}
# A name this short that is no zone's is an abbreviation rather than a misspelt city: "MSK" and "AST" only look like
# Omsk and Brazil/East; AST (Atlantic or Arabia) and CST (Central or China) are offered no zone, as they are several
_LONGEST_ABBREVIATION = 4
# Each setting by the words that name it, the longer first ("time zone" before "time")
_SETTING_NAMES = {
    "timezone": (("timezone",), ("time", "zone"), ("tz",), ("zone",), ("time",)),
    "format": (("format",), ("post", "format"), ("fmt",)),
}
_SUBSCRIBE_EXAMPLES = ("energy", "kenya daily 08:00", "smart grid weekly mon 09:00")


def register(router) -> None:
    router.register(
        "subscribe",
        subscribe,
        "get new articles on a topic, instantly or as a digest",
        "/subscribe energy kenya daily 08:00",
    )
    router.register("unsubscribe", unsubscribe, "stop a subscription, or all of them", "/unsubscribe energy")
    router.register("subscriptions", subscriptions, "what this chat is subscribed to", "/subscriptions")
    router.register(
        "settings",
        settings,
        "this chat's timezone for digests and times such as today, and full or compact posts",
        "/settings timezone Asia/Bangkok",
    )


def _one_subscription_each(cmd: Command, understood: Understanding, cadence: Cadence) -> Reply:
    """Names "or" joins ("energy or agriculture"), or a name and words ("energy or solar"), offered one
    subscription each: a subscription is to articles on all it names, that mention all its words."""
    mentioning = " that mention every word" if understood.words_among_alternatives else ""
    text = (
        f"A subscription brings articles on every sector and place it names{mentioning}, "
        f"so not on {understood.either()}: one subscription each?{beyond_the_choices(understood)}"
    )
    when = "" if cadence.is_instant else f" {cadence}"
    choices = understood.one_at_a_time()
    actions = [Action(choice.describe(), _line(cmd, "subscribe", f"{choice.arguments()}{when}")) for choice in choices]
    return Reply(text=text, actions=actions, private=True)


def _refusal(cmd: Command) -> Reply | None:
    if cmd.chat_kind == "private" or cmd.is_admin:
        return None
    if cmd.is_admin is False:
        if cmd.admins is None:
            return Reply(text=f"Only {_chat(cmd)}'s administrators can change what it receives.", private=True)
        return Reply(text=f"Only {cmd.admins} can change what {_chat(cmd)} receives.", private=True)
    return Reply(
        text=f"Sorry, your rights in {_chat(cmd)} could not be checked just now. Please try again in a moment.",
        private=True,
    )


def _chat(cmd: Command, *, first: bool = False) -> str:
    """How a reply names the chat the command is about."""
    return cmd.chat_name or ("This chat" if first else "this chat")


def _line(cmd: Command, name: str, args: str = "") -> str:
    """A command line about the same chat as `cmd`, for a button or an example."""
    return " ".join(part for part in (f"/{name}", cmd.chat_name, args) if part)


def _read_topic(words: str, understood: Understanding, ctx: Context) -> tuple[tuple[str, str] | None, Match | None]:
    """(kind, value) for a sector, a country or region, several of them as /news reads them ("energy
    kenya", "AI education in Thailand"), or else the words themselves; None when nothing is left.
    Quoted phrases and "-" exclusions are words to look for. Second, the name the words only come
    near, where /news reads none in them: "kenia", "man" (the start of Manufacturing), but also
    "children" (Chile) and "plan" (Poland), to be asked about rather than taken (the topic is None)."""
    text = _casefolded(" ".join(understood.words))  # not "latest … news" or a "?": /news looks for none
    if combination := _combination(understood, text):
        return combination, None
    if name := near_name(words, ctx):
        return (None, name) if name.score < 100 else ((name.kind, name.id), None)
    if not search_terms(text).required:
        return None, None
    return ("query", text), None


def _casefolded(words: str) -> str:
    """The words in lower case, but for what case tells apart: the unit of an energy ("5 eV", not "EV")
    and initials search spells out ("WHO", not "who")."""
    pieces = _CASE_TELLS.split(words)  # what case tells at odd positions
    return "".join(piece if index % 2 else piece.casefold() for index, piece in enumerate(pieces))


def _combination(understood: Understanding, text: str) -> tuple[str, str] | None:
    """The sectors and places /news read in the words, with the rest (`text`) as words to look for;
    None when they name none."""
    topics = list(dict.fromkeys((match.kind, match.id) for match in understood.matches))
    if not topics:
        return None
    return topics[0] if len(topics) == 1 and not text else ("news", combined(topics, text))


async def subscribe(cmd: Command, ctx: Context) -> Reply:
    if refusal := _refusal(cmd):
        return refusal
    if not cmd.bot_can_post:
        return Reply(text=_CANNOT_POST, private=True)
    try:
        words, cadence = split_cadence(cmd.args)
    except CadenceMeant as error:
        if not error.topic:  # "/subscribe at 9", as "/subscribe daily 09:00"
            return _topic_asked(cmd)
        offered = _line(cmd, "subscribe", f"{error.topic} {error.meant}")
        return Reply(text=str(error), actions=[Action(error.meant, offered)], private=True)
    except CadenceWithoutTime as error:
        return _time_asked(cmd, error, ctx)
    except CadenceError as error:
        return Reply(text=str(error), private=True)
    words = not_as_minus(words)
    if len(words) > MAX_QUERY_CHARS:
        return Reply(text=f"That topic is too long: at most {MAX_QUERY_CHARS} characters.", private=True)
    if word_count(words) > MAX_NEWS_WORDS:
        example = _line(cmd, "subscribe", "AI education in Kenya")
        return Reply(text=f"Please use at most {MAX_NEWS_WORDS} words, e.g. {example}.", private=True)
    try:
        words, phrase = take_time_phrase(words)
        zone = await ctx.subscriptions.timezone(cmd.platform, cmd.target.chat) if phrase else None
        window = phrase.window(ctx.clock(), zone) if phrase else None
    except TimePhraseError as error:
        return Reply(text=str(error), private=True)
    if phrase and not words:
        return Reply(text=f"{_not_kept(phrase)}: add a topic, e.g. {_line(cmd, 'subscribe', 'energy')}.", private=True)
    understood = understand(words, ctx)
    if understood.alternatives:
        return _one_subscription_each(cmd, understood, cadence)
    topic, guess = _read_topic(words, understood, ctx) if words else (None, None)
    if guess:
        when = "" if cadence.is_instant else f" {cadence}"
        return Reply(
            text=f"Did you mean {guess.name}? To follow the words as written, quote them: "
            f"{_line(cmd, 'subscribe', f'{quoted(words)}{when}')}",
            actions=[Action(guess.name, _line(cmd, "subscribe", f"{Understanding([guess]).arguments()}{when}"))],
            private=True,
        )
    if topic is None and only_left_out(words):
        example = _line(cmd, "subscribe", "energy -coal")
        return Reply(text=f"Add a topic: “-” or “not” only leaves articles out, e.g. {example}.", private=True)
    if topic is None:
        return _topic_asked(cmd)
    kind, value = topic
    if len(value) > VALUE_CHARS:  # twenty countries by their flags fit in the words, not in the column
        return Reply(text="That names too many sectors and places for one subscription: split it in two.", private=True)
    store = ctx.subscriptions
    existing = await store.for_target(cmd.target)
    before = _same_topic(existing, kind, value)
    value = before.value if before else value  # the same topic in other words keeps the words it was subscribed with
    if before is None and len(existing) >= MAX_SUBSCRIPTIONS:
        return Reply(
            text=f"This chat has {MAX_SUBSCRIPTIONS} subscriptions, as many as it may have: "
            f"remove one ({_line(cmd, 'subscriptions')}) before adding another.",
            private=True,
        )
    now = ctx.clock()
    added = await store.add(cmd.target, kind, value, cadence, now)
    subscription = await _subscription(store, cmd.target, kind, value)
    label = topic_label(kind, value, ctx.tagger)
    reply = Reply(text=await _confirmation(store, cmd, label, cadence, added.created, before))
    if window and window.to_come:
        reply.text += f"\n{_not_kept(phrase)}: articles from then come as they arrive, as every new one does."
    elif phrase:
        reply.text += f"\n{_not_kept(phrase)}; to look back: /news {words} {phrase.words}"
    if before and not before.cadence.is_instant and cadence.is_instant:
        # the digest in progress will not come, nor those the chat did not get: what they would have
        # held comes now, what is stored later comes instantly
        period = (before.covered_seq, subscription.covered_seq)
        digest = await DigestArticles.read(ctx.store, added.handed_over, subscription.query, period, DIGEST_SIZE, now, now)
        articles, count = digest.newest, digest.count
        if count:
            reply.text += f"\n{await _handed_over(store, cmd, before, added, digest, now)}: {new_articles(count)}"
    else:
        articles = (await ctx.store.find(subscription.query, limit=LATEST_ON_SUBSCRIBE)).articles
        if articles:
            reply.text += "\nThe latest article now:" if len(articles) == 1 else f"\nThe latest {len(articles)} now:"
        elif kind in ("query", "news") and (meant := await reading_meant(understood, words, ctx)):
            _offer_meant(reply, cmd, label, meant, cadence)
    reply.cards = [article_card(article, ctx.tagger) for article in articles]
    reply.actions.append(Action("Unsubscribe", _removal_command(cmd, subscription)))
    return reply


def _time_asked(cmd: Command, error: CadenceWithoutTime, ctx: Context) -> Reply:
    """A digest's name without its time: with no topic either ("weekly news", "news"
    being no topic), the topic is asked for first, as "/subscribe news" asks for it."""
    if _no_topic(error.topic, ctx):
        return _topic_asked(cmd)
    text = str(error)
    if error.said_first:  # "daily mail" may be the words to follow
        typed = " ".join(cmd.args.split())
        text += f" To follow the words as written, quote them: {_line(cmd, 'subscribe', quoted(typed))}"
    return Reply(text=text, private=True)


def _no_topic(words: str, ctx: Context) -> bool:
    """Whether the words name no topic, nor one they come near: none, or filler such as "news"."""
    return not words or _read_topic(words, understand(words, ctx), ctx) == (None, None)


def _topic_asked(cmd: Command) -> Reply:
    examples = ", ".join(_line(cmd, "subscribe", args) for args in _SUBSCRIBE_EXAMPLES)
    return Reply(text=f"Subscribe to a sector, a country or region, or words, e.g. {examples}.", private=True)


async def _handed_over(
    store: SubscriptionStore, cmd: Command, before: Subscription, added: Added, digest: DigestArticles, now: datetime
) -> str:
    """What a digest turned instant at `now` hands over: the articles since the chat's last digest, or
    since it subscribed; else (it did not get some of its digests, or none since it was made a digest)
    what the next would have held, with the days of those it stands for as its heading would have had
    them ("27–28 March")."""
    if digest.waiting.covered_after is None and added.got_a_digest:
        return "Since your last digest"
    if digest.waiting.covered_after is None and before.last_digest_at is None:
        return "Since you subscribed"
    try:
        span = digest.span(now, ZoneInfo(await store.timezone(cmd.platform, cmd.target.chat)))
    except (KeyError, ValueError):  # a zone this machine does not know: the days go unsaid
        span = ""
    return f"What your next digest would have held{span}"


def _offer_meant(reply: Reply, cmd: Command, label: str, meant: Understanding, cadence: Cadence) -> None:
    """Words that find no article but stand for a sector or place that has some ("healthcare" is
    Health) get that subscription offered beside the one made, which stays: the words may yet come."""
    when = "" if cadence.is_instant else f" {cadence}"
    line = _line(cmd, "subscribe", f"{meant.arguments()}{when}")
    reply.text += (
        f"\nNo article matches {label} yet. Did you mean {meant.describe()}? It has articles: to follow it as well, "
        f"{line} (this subscription stays until you unsubscribe)."
    )
    reply.actions.append(Action(f"Subscribe to {meant.describe()}", line))


def _not_kept(phrase: TimePhrase) -> str:
    return f"A subscription brings what is new from now on, so “{phrase.words}” is not kept"


async def _subscription(store: SubscriptionStore, target, kind: str, value: str) -> Subscription | None:
    return _same_topic(await store.for_target(target), kind, value)


def _same_topic(subscriptions: list[Subscription], kind: str, value: str) -> Subscription | None:
    asked = _what_it_asks(kind, value)
    return next((s for s in subscriptions if _what_it_asks(s.kind, s.value) == asked), None)


def _what_it_asks(kind: str, value: str) -> tuple:
    """A topic as the articles it brings: words in another order, case, accents or number ("grid smart",
    "Smárt GRID", "smart grids") bring what "smart grid" does, as subscriptions match words."""
    if kind == "query":
        return kind, _words_asked(value)
    if kind == "news":
        topics, words = combined_parts(value)
        return kind, tuple(topics), _words_asked(words)
    return kind, value


def _words_asked(words: str) -> tuple[frozenset, frozenset]:
    query = WordQuery.of(words)
    return frozenset(map(frozenset, query.ways)), frozenset(query.excluded)


def _removal_command(cmd: Command, subscription: Subscription) -> str:
    """A button's command that removes this subscription only, even once its id is another topic's."""
    return _line(cmd, "unsubscribe", removal_argument(subscription))


def removal_argument(subscription: Subscription) -> str:
    """What /unsubscribe takes to remove this subscription only: "#12.345678", its id and a check of its topic."""
    return f"#{subscription.id}.{_topic_check(subscription)}"


def _topic_check(subscription: Subscription) -> int:
    return zlib.crc32(f"{subscription.kind}:{subscription.value}".encode()) % 1_000_000


async def _confirmation(
    store: SubscriptionStore, cmd: Command, label: str, cadence: Cadence, created: bool, before: Subscription | None
) -> str:
    if before and before.cadence == cadence:
        verb = f"{_chat(cmd, first=True)} is already subscribed to"
    elif cmd.chat_name:
        verb = f"Subscribed {cmd.chat_name} to" if created else f"Updated {cmd.chat_name}'s subscription to"
    else:
        verb = "Subscribed to" if created else "Updated your subscription to"
    if cadence.is_instant:
        return f"{verb} {label}: each new article as it arrives."
    zone = _zone_label(await store.timezone(cmd.platform, cmd.target.chat))
    return f"{verb} {label}: a {cadence} digest ({zone}; change it with {_line(cmd, 'settings', 'timezone <zone>')})."


async def unsubscribe(cmd: Command, ctx: Context) -> Reply:
    if refusal := _refusal(cmd):
        return refusal
    if not cmd.args:
        return Reply(text=_which_asked(cmd), private=True)
    store = ctx.subscriptions
    if cmd.args.strip().lower() == "all":
        removed = await store.remove(cmd.target)
        if not removed:
            return Reply(text=f"{_chat(cmd, first=True)} has no subscriptions.")
        removed_text = f"Removed {removed} subscription{'' if removed == 1 else 's'}"
        return Reply(text=f"{removed_text}: {_chat(cmd)} gets nothing now.")
    current = await store.for_target(cmd.target)
    words = not_as_minus(cmd.args)
    # as written first: "/subscribe \"daily mail\"" is unsubscribed from as "daily mail", "doctors without borders" so
    chosen = _subscribed_as(cmd.args, current, ctx) or _pick(words, current, ctx)
    topic = _topic_of(cmd.args)
    if chosen is None and topic is not None and topic != cmd.args.strip():  # "weekly energy", "weekly news"
        if _no_topic(topic, ctx):
            listing = await subscriptions(cmd, ctx)
            return Reply(text=f"{_which_asked(cmd)}\n{listing.text}", actions=listing.actions, private=True)
        words = not_as_minus(topic)
        chosen = _pick(words, current, ctx)
    if chosen is None:
        listing = await subscriptions(cmd, ctx)
        if words.split()[0].lower() == "all":  # "all extra": not every subscription, and no topic
            text = f"{_chat(cmd, first=True)} is not subscribed to {quoted(words)}."
            if not current:
                return Reply(text=f"{text}\n{listing.text}", actions=listing.actions, private=True)
            everything = _line(cmd, "unsubscribe", "all")
            text += f" To remove every subscription, send {everything} alone.\n{listing.text}"
            return Reply(text=text, actions=[Action("Remove all", everything), *listing.actions], private=True)
        return Reply(text=f"{_not_subscribed(cmd, words, ctx)}\n{listing.text}", actions=listing.actions, private=True)
    await store.remove(cmd.target, chosen.kind, chosen.value)
    return Reply(text=f"Unsubscribed from {topic_label(chosen.kind, chosen.value, ctx.tagger)}.")


def _which_asked(cmd: Command) -> str:
    examples = f"{_line(cmd, 'unsubscribe', 'energy')}, or {_line(cmd, 'unsubscribe', 'all')}"
    return f"Unsubscribe from what? e.g. {examples}."


def _topic_of(args: str) -> str | None:
    """The topic of the words as /subscribe reads how often in them, whatever it is: "energy" of "weekly
    energy", "energy daily" or "energy every day at 9" (a chat has one subscription to a topic, whatever
    its cadence); None where /subscribe reads no cadence it could offer ("energy hourly")."""
    try:
        return split_cadence(args)[0]
    except (CadenceMeant, CadenceWithoutTime) as error:
        return error.topic
    except CadenceError:
        return None


def _not_subscribed(cmd: Command, words: str, ctx: Context) -> str:
    if _ID_FORM.fullmatch(words.strip()):
        return "That subscription was removed already."
    topic, _ = _read_topic(words, understand(words, ctx), ctx)
    named = topic_label(*topic, ctx.tagger) if topic else quoted(words)
    return f"{_chat(cmd, first=True)} is not subscribed to {named}."


def _pick(words: str, current: list[Subscription], ctx: Context) -> Subscription | None:
    """The subscription the words name: a button's "#id.check", its stored value or its label (words
    subscribed to as written, "#1.2" too), a button's "#id" from before the checks, or what they resolve to."""
    key = " ".join(words.casefold().split())
    by_id = _ID_FORM.fullmatch(key)
    with_id = next((s for s in current if by_id and s.id == int(by_id.group(1))), None)
    if with_id and by_id.group(2) and int(by_id.group(2)) == _topic_check(with_id):
        return with_id
    if subscription := _subscribed_as(words, current, ctx):
        return subscription
    if by_id:
        return with_id if by_id.group(2) is None else None
    topic = _read_topic(words, understand(words, ctx), ctx)[0]  # not a name the words only come near: "children" is no Chile
    if topic is None:
        return None
    kind, value = topic
    quotes_aside = (s for s in current if kind == s.kind and _unquoted(value) == _unquoted(s.value))
    return _same_topic(current, kind, value) or next(quotes_aside, None)


def _subscribed_as(words: str, current: list[Subscription], ctx: Context) -> Subscription | None:
    """The subscription whose stored value or label the words are, quotes aside."""
    key = " ".join(words.casefold().split())
    for subscription in current:
        if key in (subscription.value.casefold(), topic_label(subscription.kind, subscription.value, ctx.tagger).casefold()):
            return subscription
        if subscription.kind == "query" and _unquoted(key) == _unquoted(subscription.value.casefold()):
            return subscription  # "smart grid" for the words "\"smart grid\"", and back
    return None


def _unquoted(words: str) -> str:
    return " ".join(words.translate(_NO_QUOTES).split())


async def subscriptions(cmd: Command, ctx: Context) -> Reply:
    current = await ctx.subscriptions.for_target(cmd.target)
    if not current:
        examples = f"{_line(cmd, 'subscribe', 'energy')} or {_line(cmd, 'subscribe', 'kenya daily 08:00')}"
        return Reply(text=f"{_chat(cmd, first=True)} has no subscriptions yet. Try {examples}.")
    lines = [f"{_chat(cmd, first=True)}'s subscriptions:"]
    actions = []
    zone = _zone_label(await ctx.subscriptions.timezone(cmd.platform, cmd.target.chat))
    for subscription in current:
        label = topic_label(subscription.kind, subscription.value, ctx.tagger)
        when = str(subscription.cadence) if subscription.cadence.is_instant else f"{subscription.cadence} ({zone})"
        lines.append(f"• {label} — {when}")
        actions.append(Action(clip(f"Remove {label}", REMOVE_LABEL_LIMIT), _removal_command(cmd, subscription)))
    if not cmd.bot_can_post:
        lines.append(f"They are paused: I may not post in {_chat(cmd)}. They resume once I may.")
    return Reply(text="\n".join(lines), actions=actions)


async def settings(cmd: Command, ctx: Context) -> Reply:
    if not cmd.args:
        return await _current_settings(cmd, ctx.subscriptions)
    setting, words = _setting_named(cmd.args.split())
    if setting and not words:
        return await _one_setting(cmd, ctx.subscriptions, setting)
    if setting is None:
        return _settings_usage(cmd, cmd.args)
    if refusal := _refusal(cmd):
        return refusal
    if setting == "format":
        return await _set_post_format(cmd, ctx.subscriptions, " ".join(words).lower())
    return await _set_timezone(cmd, ctx.subscriptions, " ".join(words))


def _settings_usage(cmd: Command, typed: str) -> Reply:
    """How to change a setting; a value given without the setting's name ("compact", "Asia/Bangkok")
    is offered with it."""
    if meant := _setting_meant(typed):
        line = _line(cmd, "settings", meant)
        return Reply(text=f"Did you mean {line}? Name the setting first.", actions=[Action(meant, line)], private=True)
    examples = ", ".join(_line(cmd, "settings", args) for args in ("timezone Asia/Bangkok", "format compact"))
    usage = f"{_line(cmd, 'settings', 'timezone <IANA zone>')} or {_line(cmd, 'settings', 'format full|compact')}"
    return Reply(text=f"Usage: {usage}, e.g. {examples}.", private=True)


def _setting_meant(typed: str) -> str | None:
    """The setting a value is of, with it: "format compact", "timezone Africa/Nairobi", "timezone UTC+7"."""
    if typed.lower() in POST_FORMATS:
        return f"format {typed.lower()}"
    offset, name = _typed_zone(typed)
    zone = _zone_named(name)
    return f"timezone {name if offset else zone}" if zone else None


def _setting_named(words: list[str]) -> tuple[str | None, list[str]]:
    """The setting the words begin with, by its name or one people shorten it to ("tz", "time zone"),
    and the words after it."""
    for setting, names in _SETTING_NAMES.items():
        for name in names:
            if [word.lower() for word in words[: len(name)]] == list(name):
                return setting, words[len(name) :]
    return None, words


async def _current_settings(cmd: Command, store: SubscriptionStore) -> Reply:
    zone = _zone_label(await store.timezone(cmd.platform, cmd.target.chat))
    post_format = await store.post_format(cmd.platform, cmd.target.chat)
    whose = f"{cmd.chat_name}'s" if cmd.chat_name else "This chat's"
    changes = ("timezone Asia/Bangkok", f"format {_other_format(post_format)}")
    change = " or ".join(_line(cmd, "settings", args) for args in changes)
    posts = f"its posts are {post_format} ({POST_FORMATS[post_format]})"
    return Reply(text=f"{whose} digests follow {zone}; {posts}. Change them with {change}.")


async def _one_setting(cmd: Command, store: SubscriptionStore, setting: str) -> Reply:
    """"/settings timezone" or "/settings format" alone: what it is now, and how to change it."""
    whose = f"{_chat(cmd, first=True)}'s"
    if setting == "timezone":
        zone = _zone_label(await store.timezone(cmd.platform, cmd.target.chat))
        examples = " or ".join(_line(cmd, "settings", f"timezone {example}") for example in ("Asia/Bangkok", "UTC+7"))
        change = _line(cmd, "settings", "timezone <zone>")
        return Reply(text=f"{whose} timezone is {zone}, for digests and times such as today: change it with {change}, e.g. {examples}.")
    post_format = await store.post_format(cmd.platform, cmd.target.chat)
    change = _line(cmd, "settings", f"format {_other_format(post_format)}")
    return Reply(
        text=f"{whose} posts are {post_format} ({POST_FORMATS[post_format]}): change it with {change}.",
        actions=[Action(_other_format(post_format).title(), change)],
    )


def _other_format(post_format: str) -> str:
    return next(name for name in POST_FORMATS if name != post_format)


async def _set_post_format(cmd: Command, store: SubscriptionStore, post_format: str) -> Reply:
    if post_format not in POST_FORMATS:
        choices = " or ".join(f"{name} ({holds})" for name, holds in POST_FORMATS.items())
        example = _line(cmd, "settings", f"format {_other_format(DEFAULT_POST_FORMAT)}")
        actions = [Action(name.title(), _line(cmd, "settings", f"format {name}")) for name in POST_FORMATS]
        return Reply(text=f"{quoted(post_format)} is not a format. Choose {choices}, e.g. {example}.", actions=actions, private=True)
    await store.set_post_format(cmd.platform, cmd.target.chat, post_format)
    whose = f"{cmd.chat_name}'s posts" if cmd.chat_name else "Posts here"
    return Reply(text=f"{whose} are now {post_format}: {POST_FORMATS[post_format]}.")


async def _set_timezone(cmd: Command, store: SubscriptionStore, typed: str) -> Reply:
    offset, name = _typed_zone(typed)
    zone = _zone_named(name)
    if zone is None and offset and int(offset["minutes"] or 0):
        return _off_the_hour(cmd, typed, f"{offset['sign']}{int(offset['hours'])}:{offset['minutes']}")
    if zone is None:
        return _unknown_zone(cmd, typed, name)
    await store.set_timezone(cmd.platform, cmd.target.chat, zone)
    whose = f"{cmd.chat_name}'s digests" if cmd.chat_name else "digests"
    reply = Reply(text=f"Timezone set to {zone}{_offset_note(zone)}: {whose} now arrive at that local time.")
    if zone in _WITHOUT_SUMMER_TIME:
        note, meant = _WITHOUT_SUMMER_TIME[zone]
        line = _line(cmd, "settings", f"timezone {meant}")
        reply.text += f" {note}, {line}"
        reply.actions.append(Action(meant, line))
    return reply


def _typed_zone(typed: str) -> tuple[re.Match | None, str]:
    """The UTC offset typed, if one is ("UTC +7" as "UTC+7"), and the name to look the zone up by
    ("Asia/Ho Chi Minh" is Asia/Ho_Chi_Minh)."""
    offset = _UTC_OFFSET.fullmatch("".join(typed.split()))
    return offset, offset[0] if offset else typed.replace(" ", "_")


def _unknown_zone(cmd: Command, typed: str, name: str) -> Reply:
    """A zone name misspelt ("Asia/Bangkk", "nairobbi") is answered with the zone it comes near."""
    meant = _zone_near(name)
    if meant is None:
        return Reply(text=f"“{typed}” is not a timezone I know: use an IANA name like Europe/Berlin or America/New_York.", private=True)
    line = _line(cmd, "settings", f"timezone {meant}")
    return Reply(text=f"“{typed}” is not a timezone I know. Did you mean {meant}? {line}", actions=[Action(meant, line)], private=True)


def _off_the_hour(cmd: Command, name: str, offset: str) -> Reply:
    """UTC+5:30 has no Etc/ zone: the refusal says so and names the place's zone where one is meant."""
    refusal = f"“{name}”: an offset works only in whole hours (UTC+7), as only those have a zone of their own"
    place = _OFF_THE_HOUR_ZONES.get(offset)
    if place is None:
        return Reply(text=f"{refusal}. Use your place's zone or its city instead, e.g. Asia/Kolkata or kathmandu.", private=True)
    line = _line(cmd, "settings", f"timezone {place}")
    return Reply(text=f"{refusal}. UTC{offset} is {place}: {line}", actions=[Action(place, line)], private=True)


def _zone_named(name: str) -> str | None:
    """An IANA zone by its name in any case, its city alone ("bangkok"), or a whole-hour UTC offset
    ("UTC+7", "+07:00", which is Etc/GMT-7)."""
    names = _names_of_zones()
    offset = _UTC_OFFSET.fullmatch(name)
    if offset and not int(offset["minutes"] or 0):
        hours, flipped = int(offset["hours"]), {"+": "-", "-": "+"}[offset["sign"]]
        zone = f"Etc/GMT{flipped}{hours}" if hours else "Etc/UTC"
        return names.get(zone.casefold())  # Etc/GMT+12 down to Etc/GMT-14: UTC-13 is none
    return names.get(name.casefold())


def _zone_near(name: str) -> str | None:
    """The zone an abbreviation stands for ("EAT"), else the one whose whole name or city comes nearest
    a misspelt name, if one comes near enough."""
    if abbreviated := _ZONE_ABBREVIATIONS.get(name.upper()):
        return abbreviated
    if len(name) <= _LONGEST_ABBREVIATION:
        return None
    names = _names_of_zones()
    best = process.extractOne(name.casefold(), list(names), scorer=fuzz.ratio, score_cutoff=_NEAR_ZONE_SCORE)
    return names[best[0]] if best else None


@lru_cache(maxsize=1)
def _names_of_zones() -> dict[str, str]:
    """Each place zone by its name and by its city alone, folded; a whole name wins over a city."""
    zones = sorted(available_timezones() - _NO_PLACE_ZONES)
    cities = {zone.rsplit("/", 1)[-1].casefold(): zone for zone in zones if "/" in zone and not zone.startswith("Etc/")}
    return {**cities, **{zone.casefold(): zone for zone in zones}}


def _zone_label(zone: str) -> str:
    """A chat's zone as people read it: Etc/GMT-7 is UTC+7, as POSIX counts these names the other
    way, which surprises everyone; any other zone by its name."""
    found = _REVERSED_OFFSET.fullmatch(zone)
    return f"UTC{'−' if found[1] == '+' else '+'}{found[2]}" if found else zone


def _offset_note(zone: str) -> str:
    """Why the zone just set is not named as the offset typed."""
    return f" ({_zone_label(zone)}: names like {zone} count the other way)" if _REVERSED_OFFSET.fullmatch(zone) else ""
