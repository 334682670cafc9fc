"""Time phrases in /news, /search, /sector and /country ("this week", "since Monday", "in May"):
which words are read as a time, the period each stands for, and the replies on a fixed clock.

The clock is helpers_content.FIXED_NOW: Monday 1 June 2026, 12:00 UTC.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.commands.help import TIME_PHRASES
from bot.model import Command, Reply, Target
from bot.router import build_router
from bot.time_phrases import TimePhraseError, span_label, take_time_phrase
from content.model import Period
from helpers_content import FIXED_NOW, open_sample_store, sample_article, sample_context

UTC = timezone.utc


def at(text: str, zone: str = "UTC") -> tuple[str, str, datetime, datetime | None]:
    """(the words left, the window's label, its start, its end) of the text at FIXED_NOW."""
    rest, phrase = take_time_phrase(text)
    window = phrase.window(FIXED_NOW, zone)
    return rest, window.label, window.period.start, window.period.end


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("solar today", ("solar", "today", datetime(2026, 6, 1, tzinfo=UTC), None)),
        ("Yesterday, solar", ("solar", "yesterday", datetime(2026, 5, 31, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))),
        ("energy kenya this week", ("energy kenya", "this week", datetime(2026, 6, 1, tzinfo=UTC), None)),
        ("energy last week", ("energy", "last week", datetime(2026, 5, 25, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))),
        ("AI past 3 days", ("AI", "in the last 3 days", datetime(2026, 5, 29, 12, tzinfo=UTC), None)),
        ("AI last 2 weeks", ("AI", "in the last 2 weeks", datetime(2026, 5, 18, 12, tzinfo=UTC), None)),
        ("AI last 24 hours", ("AI", "in the last 24 hours", datetime(2026, 5, 31, 12, tzinfo=UTC), None)),
        ("AI past week", ("AI", "in the last week", datetime(2026, 5, 25, 12, tzinfo=UTC), None)),
        # counts in words, read as their digits are
        ("AI last three days", ("AI", "in the last 3 days", datetime(2026, 5, 29, 12, tzinfo=UTC), None)),
        ("AI past Two Weeks", ("AI", "in the last 2 weeks", datetime(2026, 5, 18, 12, tzinfo=UTC), None)),
        ("AI past twenty-four hours", ("AI", "in the last 24 hours", datetime(2026, 5, 31, 12, tzinfo=UTC), None)),
        ("AI last thirty days", ("AI", "in the last 30 days", datetime(2026, 5, 2, 12, tzinfo=UTC), None)),
        ("AI the past week", ("AI", "in the last week", datetime(2026, 5, 25, 12, tzinfo=UTC), None)),
        ("AI past a week", ("AI", "in the last week", datetime(2026, 5, 25, 12, tzinfo=UTC), None)),
        ("AI the last an hour", ("AI", "in the last hour", datetime(2026, 6, 1, 11, tzinfo=UTC), None)),
        ("AI the last few days", ("AI", "in the last 3 days", datetime(2026, 5, 29, 12, tzinfo=UTC), None)),
        ("AI past couple of weeks", ("AI", "in the last 2 weeks", datetime(2026, 5, 18, 12, tzinfo=UTC), None)),
        ("AI over the past few days", ("AI", "in the last 3 days", datetime(2026, 5, 29, 12, tzinfo=UTC), None)),
        ("AI in the last 2 weeks", ("AI", "in the last 2 weeks", datetime(2026, 5, 18, 12, tzinfo=UTC), None)),
        ("AI past fortnight", ("AI", "in the last 2 weeks", datetime(2026, 5, 18, 12, tzinfo=UTC), None)),
        ("AI last two fortnights", ("AI", "in the last 4 weeks", datetime(2026, 5, 4, 12, tzinfo=UTC), None)),
        ("AI this month", ("AI", "this month", datetime(2026, 6, 1, tzinfo=UTC), None)),
        ("AI health last month", ("AI health", "last month", datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))),
        ("AI this year", ("AI", "this year", datetime(2026, 1, 1, tzinfo=UTC), None)),
        ("AI last year", ("AI", "last year", datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))),
        ("AI past year", ("AI", "in the last year", datetime(2025, 6, 1, 12, tzinfo=UTC), None)),
        ("AI over the last two years", ("AI", "in the last 2 years", datetime(2024, 6, 1, 12, tzinfo=UTC), None)),
        ("grid since last year", ("grid", "since last year", datetime(2025, 1, 1, tzinfo=UTC), None)),
        # on a Monday, "since Monday" is a week ago: "since today" would say today
        ("smart grid since Monday", ("smart grid", "since Monday 25 May", datetime(2026, 5, 25, tzinfo=UTC), None)),
        ("grid since fri.", ("grid", "since Friday 29 May", datetime(2026, 5, 29, tzinfo=UTC), None)),
        ("grid since last Thursday", ("grid", "since Thursday 28 May", datetime(2026, 5, 28, tzinfo=UTC), None)),
        ("grid since 2026-05-20", ("grid", "since 20 May", datetime(2026, 5, 20, tzinfo=UTC), None)),
        ("grid since 20 May", ("grid", "since 20 May", datetime(2026, 5, 20, tzinfo=UTC), None)),
        ("grid since May 20th, 2025", ("grid", "since 20 May 2025", datetime(2025, 5, 20, tzinfo=UTC), None)),
        # a day still to come this year is last year's
        ("grid since 20 November", ("grid", "since 20 November 2025", datetime(2025, 11, 20, tzinfo=UTC), None)),
        ("grid since march", ("grid", "since March", datetime(2026, 3, 1, tzinfo=UTC), None)),
        ("grid in November", ("grid", "in November 2025", datetime(2025, 11, 1, tzinfo=UTC), datetime(2025, 12, 1, tzinfo=UTC))),
        ("grid in May", ("grid", "in May", datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))),
        ("grid in December 2024", ("grid", "in December 2024", datetime(2024, 12, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))),
        ("grid since dec 2024", ("grid", "since December 2024", datetime(2024, 12, 1, tzinfo=UTC), None)),
        # the parts of today are today; a weekend begins on Saturday
        ("energy this morning", ("energy", "today", datetime(2026, 6, 1, tzinfo=UTC), None)),
        ("energy this afternoon", ("energy", "today", datetime(2026, 6, 1, tzinfo=UTC), None)),
        ("energy tonight", ("energy", "today", datetime(2026, 6, 1, tzinfo=UTC), None)),
        ("energy last weekend", ("energy", "last weekend", datetime(2026, 5, 30, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))),
        ("energy since last weekend", ("energy", "since last weekend", datetime(2026, 5, 30, tzinfo=UTC), None)),
        # a unit written short after a count, joined to its digits or not
        ("kenya past 24h", ("kenya", "in the last 24 hours", datetime(2026, 5, 31, 12, tzinfo=UTC), None)),
        ("kenya last 48h", ("kenya", "in the last 48 hours", datetime(2026, 5, 30, 12, tzinfo=UTC), None)),
        ("kenya past 2d", ("kenya", "in the last 2 days", datetime(2026, 5, 30, 12, tzinfo=UTC), None)),
        ("kenya last 3 hrs", ("kenya", "in the last 3 hours", datetime(2026, 6, 1, 9, tzinfo=UTC), None)),
        ("kenya the past 1 hr", ("kenya", "in the last hour", datetime(2026, 6, 1, 11, tzinfo=UTC), None)),
        ("kenya past 2 w", ("kenya", "in the last 2 weeks", datetime(2026, 5, 18, 12, tzinfo=UTC), None)),
        ("kenya past few hrs", ("kenya", "in the last 3 hours", datetime(2026, 6, 1, 9, tzinfo=UTC), None)),
        ("kenya since 24h ago", ("kenya", "in the last 24 hours", datetime(2026, 5, 31, 12, tzinfo=UTC), None)),
        ('"smart grid" today -coal', ('"smart grid" -coal', "today", datetime(2026, 6, 1, tzinfo=UTC), None)),
    ],
)
def test_each_phrase_stands_for_its_period_and_leaves_the_other_words(text, read):
    assert at(text) == read


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("solar since yesterday", ("solar", "since yesterday", datetime(2026, 5, 31, tzinfo=UTC), None)),
        ("since today solar", ("solar", "since today", datetime(2026, 6, 1, tzinfo=UTC), None)),
        ("solar since last week", ("solar", "since last week", datetime(2026, 5, 25, tzinfo=UTC), None)),
        ("solar since this week", ("solar", "since this week", datetime(2026, 6, 1, tzinfo=UTC), None)),
        ("solar since last month", ("solar", "since last month", datetime(2026, 5, 1, tzinfo=UTC), None)),
    ],
)
def test_since_a_day_week_or_month_runs_from_its_start_until_now(text, read):
    """"since yesterday" is yesterday and today, not yesterday with the word "since" to look for."""
    assert at(text) == read


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("energy since 1 week ago", ("energy", "in the last week", datetime(2026, 5, 25, 12, tzinfo=UTC), None)),
        ("energy 3 days ago", ("energy", "in the last 3 days", datetime(2026, 5, 29, 12, tzinfo=UTC), None)),
        ("energy since a few hours ago", ("energy", "in the last 3 hours", datetime(2026, 6, 1, 9, tzinfo=UTC), None)),
        ("AI since two months ago", ("AI", "in the last 2 months", datetime(2026, 4, 1, 12, tzinfo=UTC), None)),
        ("AI a month ago", ("AI", "in the last month", datetime(2026, 5, 1, 12, tzinfo=UTC), None)),
        # months count as the calendar does, so the past month is as long as a month ago is far
        ("AI past 3 months", ("AI", "in the last 3 months", datetime(2026, 3, 1, 12, tzinfo=UTC), None)),
        ("AI over the past month", ("AI", "in the last month", datetime(2026, 5, 1, 12, tzinfo=UTC), None)),
    ],
)
def test_a_time_ago_runs_from_then_until_now(text, read):
    assert at(text) == read


def test_a_month_ago_from_a_day_the_month_before_lacks_is_that_months_last_day():
    _, phrase = take_time_phrase("energy since 1 month ago")
    assert phrase.window(datetime(2026, 3, 31, 12, tzinfo=UTC), "UTC").period.start == datetime(2026, 2, 28, 12, tzinfo=UTC)


def test_this_weekend_is_saturday_on_till_now_or_still_to_come_and_last_weekend_the_one_before():
    _, phrase = take_time_phrase("energy this weekend")
    sunday = phrase.window(datetime(2026, 6, 7, 10, tzinfo=UTC), "Asia/Bangkok")
    assert (sunday.label, sunday.period, sunday.to_come) == (
        "this weekend", Period(datetime(2026, 6, 5, 17, tzinfo=UTC), None), False  # Saturday 00:00 in Bangkok
    )
    assert phrase.window(FIXED_NOW, "UTC").to_come  # on a Monday, the coming one
    _, phrase = take_time_phrase("energy last weekend")
    assert phrase.window(datetime(2026, 6, 7, 10, tzinfo=UTC), "UTC").period == Period(
        datetime(2026, 5, 30, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
    )


def test_days_and_weeks_begin_at_midnight_in_the_chats_timezone():
    bangkok_midnight = datetime(2026, 5, 31, 17, tzinfo=UTC)  # 1 June 00:00 at UTC+7
    assert at("solar today", "Asia/Bangkok")[2:] == (bangkok_midnight, None)
    assert at("solar this week", "Asia/Bangkok")[2] == bangkok_midnight
    new_york = at("solar yesterday", "America/New_York")  # 08:00 on Monday there: yesterday was Sunday
    assert new_york[2:] == (datetime(2026, 5, 31, 4, tzinfo=UTC), datetime(2026, 6, 1, 4, tzinfo=UTC))


@pytest.mark.parametrize(
    "text",
    [
        "march for science",  # a month's name is a time only after "in" or "since"
        "AI may help farmers",
        "may",
        "women's march in Kenya",
        "fishing in Jan Mayen",  # after "in", only a month's whole name
        '"today" show',  # quoted: words to look for
        "energy -today",
        'since "the" monday',  # a quoted phrase breaks the time phrase
        "last days of coal",
        "since 2025",
        "last 0 days",
        "last zero days",
        "three gorges dam",  # a number word is a count only after "past" or "last"
        "the last three",
        "the past",
        "last hundred days",
        "today's headlines",
        "3d printing past",  # a unit written short only after a count after "past" or "last"
        "past 24",
        "past h",
        "last 3 ds",
    ],
)
def test_words_that_only_look_like_a_time_are_left_as_they_are(text):
    assert take_time_phrase(text) == (text, None)


@pytest.mark.parametrize("text", ["usa today", "USA Today kenya", "energy Psychology Today", "last week tonight"])
def test_a_name_known_with_a_time_word_in_it_is_words(text):
    assert take_time_phrase(text) == (text, None)


def test_a_time_beside_a_name_known_with_a_time_word_is_a_time():
    assert at("usa today today") == ("usa today", "today", datetime(2026, 6, 1, tzinfo=UTC), None)
    assert at("today USA Today") == ("USA Today", "today", datetime(2026, 6, 1, tzinfo=UTC), None)
    assert at("usa today this week")[:2] == ("usa today", "this week")
    assert at("usa, today")[:2] == ("usa", "today")  # a comma parts them: no name


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("energy,today", ("energy", "today", datetime(2026, 6, 1, tzinfo=UTC), None)),
        ("kenya;last week", ("kenya", "last week", datetime(2026, 5, 25, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))),
        ("grid/since monday,solar", ("grid solar", "since Monday 25 May", datetime(2026, 5, 25, tzinfo=UTC), None)),
        ("today,energy, kenya", ("energy, kenya", "today", datetime(2026, 6, 1, tzinfo=UTC), None)),
        ("energy, today", ("energy", "today", datetime(2026, 6, 1, tzinfo=UTC), None)),
        ("today; energy", ("energy", "today", datetime(2026, 6, 1, tzinfo=UTC), None)),
    ],
)
def test_a_time_joined_to_a_word_by_a_comma_is_a_time_as_news_parts_them(text, read):
    assert at(text) == read


def test_a_time_joined_to_a_number_or_an_address_stays_words_as_news_reads_them():
    for text in ("example.org/today", "24/7,today", "r/today"):
        assert take_time_phrase(text) == (text, None)


def test_two_times_or_a_day_that_is_none_are_clear_errors():
    with pytest.raises(TimePhraseError, match="Give one time, please: “today” or “last week”"):
        take_time_phrase("energy today last week")
    _, phrase = take_time_phrase("energy since 31 february")
    with pytest.raises(TimePhraseError, match="“since 31 february” is no date I know"):
        phrase.window(FIXED_NOW, "UTC")


# -- the commands ---------------------------------------------------------------------------

# sample_article(number): published `number` days after 1 May 2026 at 08:00 UTC
ARTICLES = [
    sample_article(31, "Kenyan solar farm opens", "A solar farm near Nairobi opens.", sectors=("energy",), countries=("KE",)),
    sample_article(30, "Kenyan grid adds storage", "Batteries join the solar grid.", sectors=("energy",), countries=("KE",)),
    sample_article(26, "Kenyan wind forecast pilot", "A wind farm tests forecasts.", sectors=("energy",), countries=("KE",)),
    sample_article(-20, "Kenyan clinics share records", "Clinics in Kisumu share solar-powered records.",
                   sectors=("health",), countries=("KE",)),
    sample_article(-40, "Thai grid tender", "A smart grid tender in Thailand.", sectors=("energy",), countries=("TH",)),
]


def command(line: str, chat: str = "chat-1") -> Command:
    name, _, args = line.lstrip("/").partition(" ")
    return Command(name=name, args=args.strip(), user="u1", target=Target("test", chat))


def titles(reply: Reply) -> list[str]:
    return [card.title for card in reply.cards]


@pytest.fixture
async def router(database_url):
    store = await open_sample_store(database_url, ARTICLES)
    yield build_router(sample_context(store))
    await store.close()


@pytest.mark.parametrize(
    ("line", "heading", "expected"),
    [
        ("/news energy Kenya this week", "News: Energy + Kenya · this week", ["Kenyan solar farm opens"]),
        ("/news solar today", "News: “solar” · today", ["Kenyan solar farm opens"]),
        ("/sector energy yesterday", "Latest in Energy · yesterday", ["Kenyan grid adds storage"]),
        ("/country kenya last week", "Latest from Kenya · last week", ["Kenyan grid adds storage", "Kenyan wind forecast pilot"]),
        ("/search solar since Monday", "Search: “solar” · since Monday 25 May", ["Kenyan solar farm opens", "Kenyan grid adds storage"]),
        ("/news health kenya in April", "News: Health + Kenya · in April", ["Kenyan clinics share records"]),
        ("/news energy Kenya the past week", "News: Energy + Kenya · in the last week",
         ["Kenyan solar farm opens", "Kenyan grid adds storage", "Kenyan wind forecast pilot"]),
        ("/sector energy past two days", "Latest in Energy · in the last 2 days", ["Kenyan solar farm opens", "Kenyan grid adds storage"]),
        ("/country kenya last few days", "Latest from Kenya · in the last 3 days", ["Kenyan solar farm opens", "Kenyan grid adds storage"]),
        ("/search solar past a day", "Search: “solar” · in the last day", ["Kenyan solar farm opens"]),
        ("/search solar in the past week", "Search: “solar” · in the last week", ["Kenyan solar farm opens", "Kenyan grid adds storage"]),
        ("/news energy last weekend", "News: Energy · last weekend", ["Kenyan grid adds storage"]),
        ("/search solar this morning", "Search: “solar” · today", ["Kenyan solar farm opens"]),
        ("/news kenya past 48h", "News: Kenya · in the last 48 hours", ["Kenyan solar farm opens", "Kenyan grid adds storage"]),
        ("/news since yesterday", "Latest articles · since yesterday", ["Kenyan solar farm opens", "Kenyan grid adds storage"]),
        ("/news energy since 1 week ago", "News: Energy · in the last week",
         ["Kenyan solar farm opens", "Kenyan grid adds storage", "Kenyan wind forecast pilot"]),
    ],
)
async def test_a_lookup_keeps_to_the_time_it_names_and_says_which(router, line, heading, expected):
    reply = await router.handle(command(line))
    assert (reply.text, sorted(titles(reply))) == (heading, sorted(expected))


async def test_a_time_joined_by_a_comma_keeps_the_lookup_to_it_as_a_time_after_a_space_does(router):
    for joined in ("/news energy,kenya,this week", "/news energy;kenya;this week", "/country kenya,this week"):
        spaced = joined.replace(",", " ").replace(";", " ")
        assert (await router.handle(command(joined))).text == (await router.handle(command(spaced))).text
    reply = await router.handle(command("/subscribe energy,this week"))
    assert "so “this week” is not kept; to look back: /news energy this week" in reply.text


async def test_a_time_quoted_or_alone_is_words_to_look_for(router):
    assert (await router.handle(command('/search "today" solar'))).text.startswith('No articles mention “solar” + "today".')
    assert (await router.handle(command("/search today"))).text == "No articles mention “today”. Try other words."


async def test_a_number_word_without_past_or_last_is_words_to_look_for(database_url):
    dam = sample_article(30, "Three Gorges dam raises output", "The Three Gorges dam sends more power east.", sectors=("energy",))
    store = await open_sample_store(database_url, [dam])
    try:
        router = build_router(sample_context(store))
        reply = await router.handle(command("/search three gorges dam"))
        assert (reply.text, titles(reply)) == ("Search: “three gorges dam”", ["Three Gorges dam raises output"])
        reply = await router.handle(command("/search three gorges dam past two days"))
        assert (reply.text, titles(reply)) == ("Search: “three gorges dam” · in the last 2 days", ["Three Gorges dam raises output"])
    finally:
        await store.close()


async def test_a_name_known_with_a_time_word_in_it_is_looked_for_as_words(database_url):
    paper = sample_article(1, "USA Today names a new editor", "The newspaper USA Today has a new editor.", countries=("US",))
    # read as "usa" and "today" anywhere, an article with both apart was the paper's too
    apart = sample_article(2, "The USA exports more grain", "Prices fell today in Chicago.", countries=("US",))
    store = await open_sample_store(database_url, [paper, apart])
    try:
        router = build_router(sample_context(store))
        for line, heading in [("/search usa today", "Search: “usa today”"), ("/news usa today", "News: “usa today”")]:
            reply = await router.handle(command(line))
            assert (reply.text, titles(reply)) == (heading, ["USA Today names a new editor"])
    finally:
        await store.close()


async def test_more_pages_keep_the_window(database_url):
    older = [sample_article(number, f"Grid note {number}", "Grid work.", sectors=("energy",)) for number in range(10, 14)]
    recent = [sample_article(number, f"Grid note {number}", "Grid work.", sectors=("energy",)) for number in range(24, 31)]
    store = await open_sample_store(database_url, older + recent)
    try:
        router = build_router(sample_context(store))
        reply = await router.handle(command("/sector energy past 10 days"))
        seen = titles(reply)
        assert reply.text == "Latest in Energy · in the last 10 days" and [a.label for a in reply.actions] == ["More"]
        reply = await router.handle(command(reply.actions[0].command))
        assert reply.text == "Latest in Energy · in the last 10 days (continued)" and not reply.actions
        assert seen + titles(reply) == [f"Grid note {number}" for number in range(30, 23, -1)]
    finally:
        await store.close()


async def test_nothing_in_the_window_says_when_the_latest_is_from_and_offers_any_date(router):
    reply = await router.handle(command("/news health Kenya this week"))
    assert reply.text == "Nothing this week matches Health + Kenya: the latest that does is from 11 April 2026."
    assert not reply.cards
    assert [(action.label, action.command) for action in reply.actions] == [("Health + Kenya, any date", "/news health Kenya")]
    assert titles(await router.handle(command(reply.actions[0].command))) == ["Kenyan clinics share records"]
    searched = await router.handle(command("/search smart grid today"))
    assert searched.text == "Nothing today matches “smart grid”: the latest that does is from 22 March 2026."
    assert searched.actions[0].command == "/search smart grid"


async def test_nothing_at_any_date_is_said_as_before(router):
    reply = await router.handle(command("/news health thailand today"))
    assert reply.text == "Nothing matches Health + Thailand yet. Try fewer words, or /search for the text alone."


async def test_a_name_meant_is_offered_with_the_same_time(router):
    reply = await router.handle(command("/news kenia today"))
    assert reply.text == "Nothing matches “kenia” yet. Did you mean Kenya?"
    assert [action.command for action in reply.actions] == ["/country KE today"]
    assert (await router.handle(command("/country KE today"))).text == "Latest from Kenya · today"


async def test_the_chats_timezone_sets_when_its_day_begins(database_url):
    late_sunday = replace(ARTICLES[1], published=datetime(2026, 5, 31, 20, tzinfo=UTC))  # Monday 03:00 in Bangkok
    store = await open_sample_store(database_url, [late_sunday])
    try:
        router = build_router(sample_context(store))
        assert not (await router.handle(command("/sector energy today"))).cards
        await router.handle(command("/settings timezone Asia/Bangkok"))
        assert titles(await router.handle(command("/sector energy today"))) == ["Kenyan grid adds storage"]
        assert not (await router.handle(command("/sector energy today", chat="chat-2"))).cards  # another chat's zone
    finally:
        await store.close()


async def test_help_names_the_times_it_reads(router):
    assert "Add a time to /news, /search, /sector or /country" in (await router.handle(command("/help"))).text


async def test_a_bad_date_is_explained_privately(router):
    reply = await router.handle(command("/news energy since 30 february"))
    assert reply.private and reply.text.startswith("“since 30 february” is no date I know")


@pytest.mark.parametrize("line", ["/news since 0001-01-01", "/search energy since 0001-01-01", "/news in january 0001"])
async def test_a_date_before_any_clock_can_tell_is_explained_not_a_crash(router, line):
    await router.handle(command("/settings timezone Asia/Bangkok"))  # its midnight of year 1 is in year 0 in UTC
    reply = await router.handle(command(line))
    assert reply.private and " is no date I know" in reply.text


async def test_subscribe_explains_that_a_time_is_not_kept(router):
    reply = await router.handle(command("/subscribe energy kenya this week"))
    assert reply.text.startswith("Subscribed to Energy + Kenya: each new article as it arrives.\n")
    assert "A subscription brings what is new from now on, so “this week” is not kept; " \
        "to look back: /news energy kenya this week" in reply.text
    listed = (await router.handle(command("/subscriptions"))).text
    assert "• Energy + Kenya — instant" in listed and "week" not in listed
    alone = await router.handle(command("/subscribe since monday daily 08:00"))
    assert alone.private and alone.text == (
        "A subscription brings what is new from now on, so “since monday” is not kept: add a topic, e.g. /subscribe energy."
    )


async def test_subscribe_to_a_time_still_to_come_offers_no_look_back(router):
    reply = await router.handle(command("/subscribe energy in december 2027"))
    assert reply.text.startswith("Subscribed to Energy: each new article as it arrives.\n")
    assert "A subscription brings what is new from now on, so “in december 2027” is not kept: " \
        "articles from then come as they arrive, as every new one does" in reply.text
    assert "/news" not in reply.text


async def test_subscribe_with_a_bad_date_is_explained_and_subscribes_to_nothing(router):
    reply = await router.handle(command("/subscribe energy since 30 february"))
    assert reply.private and reply.text.startswith("“since 30 february” is no date I know")
    assert (await router.handle(command("/subscriptions"))).text.startswith("This chat has no subscriptions")


@pytest.mark.parametrize(
    ("first", "last", "zone", "label"),
    [
        (datetime(2026, 11, 27, 8, tzinfo=UTC), datetime(2026, 11, 29, 8, tzinfo=UTC), "UTC", "27–29 November"),
        (datetime(2026, 11, 30, 8, tzinfo=UTC), datetime(2026, 12, 2, 8, tzinfo=UTC), "UTC", "30 November – 2 December"),
        (datetime(2026, 12, 30, 8, tzinfo=UTC), datetime(2027, 1, 2, 8, tzinfo=UTC), "UTC", "30 December 2026 – 2 January 2027"),
        (datetime(2026, 11, 29, 9, tzinfo=UTC), datetime(2026, 11, 29, 12, tzinfo=UTC), "UTC", "09:00–12:00"),
        # the chat's days: 23:00 UTC on the 28th is the 29th in Bangkok
        (datetime(2026, 11, 28, 23, tzinfo=UTC), datetime(2026, 11, 29, 12, tzinfo=UTC), "Asia/Bangkok", "06:00–19:00"),
    ],
)
def test_a_span_of_digests_reads_as_briefly_as_its_days_allow(first, last, zone, label):
    assert span_label(first, last, ZoneInfo(zone)) == label


async def test_a_time_alone_in_news_is_the_news_of_that_time(router):
    reply = await router.handle(command("/news today"))
    assert (reply.text, titles(reply)) == ("Latest articles · today", ["Kenyan solar farm opens"])
    reply = await router.handle(command("/news since may"))
    assert reply.text == "Latest articles · since May"
    assert titles(reply) == ["Kenyan solar farm opens", "Kenyan grid adds storage", "Kenyan wind forecast pilot"]
    reply = await router.handle(command("/news in May 2025"))
    assert (reply.text, reply.cards) == ("No articles in May 2025: the latest is from 1 June 2026.", [])
    assert [(action.label, action.command) for action in reply.actions] == [("Latest articles", "/latest")]


@pytest.mark.parametrize(
    ("line", "phrase", "button"),
    [
        ("/search grid since 2027-01-01", "since 2027-01-01", ("“grid”, any date", "/search grid")),
        ("/sector energy since 2026-12-03", "since 2026-12-03", ("Energy, any date", "/sector energy")),
        ("/news energy since 2026-07-01", "since 2026-07-01", ("Energy, any date", "/news energy")),
        ("/news energy kenya in december 2027", "in december 2027", ("Energy + Kenya, any date", "/news energy kenya")),
        ("/country kenya in December 2026", "in december 2026", ("Kenya, any date", "/country kenya")),
        ("/news since 2026-12-24", "since 2026-12-24", ("Latest articles", "/latest")),
        ("/news energy this weekend", "this weekend", ("Energy, any date", "/news energy")),  # on a Monday
    ],
)
async def test_a_time_still_to_come_is_said_so_with_the_lookup_at_any_date(router, line, phrase, button):
    reply = await router.handle(command(line))
    assert reply.private and reply.text == f"“{phrase}” is still to come: no article is from then yet."
    assert [(action.label, action.command) for action in reply.actions] == [button]


async def test_a_lookup_that_cannot_be_made_says_so_before_a_time_to_come_as_before_a_past_one(router):
    for when in ("this week", "since 2027-01-01"):
        reply = await router.handle(command(f"/sector kenya {when}"))
        assert reply.text == "Kenya is a place, not a sector."


@pytest.mark.parametrize("line", ["/search summit next week", "/news election tomorrow", "/search budget next month"])
async def test_a_coming_event_is_words_to_look_for_not_a_time(router, line):
    reply = await router.handle(command(line))
    assert "still to come" not in reply.text and "·" not in reply.text


def test_every_time_the_help_lists_is_read_as_a_time():
    listed = TIME_PHRASES.split(": ", 1)[1].split(". Example")[0].split(", ")
    assert len(listed) > 10
    for words in listed:
        rest, phrase = take_time_phrase(f"solar {words}")
        assert (rest, phrase and phrase.words) == ("solar", words.lower()), words
