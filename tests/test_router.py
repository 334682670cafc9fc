"""The router's own behaviour, with small handlers of the test's own (no store needed)."""

from __future__ import annotations

import logging

import pytest

from bot.context import Context
from bot.model import Command, Reply, Target
from bot.router import MAX_ARGUMENT_LENGTH, Router, parse_command_line
from content.tagging import Tagger


def command(name: str, args: str = "") -> Command:
    return Command(name=name, args=args, user="u1", target=Target("test", "chat-1"))


async def echo(cmd: Command, ctx: Context) -> Reply:
    return Reply(text=f"{cmd.name}:{cmd.args}")


async def explode(cmd: Command, ctx: Context) -> Reply:
    raise RuntimeError("secret internal detail")


@pytest.fixture
def router() -> Router:
    router = Router(Context(store=None, tagger=Tagger.from_settings()))
    router.register("sector", echo, "the latest in a sector", "/sector energy", aliases=("sectr",))
    router.register("search", echo, "full-text search", "/search smart grid")
    router.register("boom", explode, "always fails", "/boom")
    router.register("more", echo, "next page", "/more", hidden=True)
    return router


async def test_a_registered_command_reaches_its_handler(router):
    assert (await router.handle(command("search", "smart grid"))).text == "search:smart grid"


async def test_arguments_arrive_as_the_person_meant_them(router):
    typed = "ＡＩ sma\u200brt grid\u00ad 👨\u200d🌾"  # full-width letters, invisible characters, an emoji joiner
    assert (await router.handle(command("search", typed))).text == "search:AI smart grid 👨\u200d🌾"


async def test_control_characters_are_spaces_and_reordering_controls_are_dropped(router):
    # a NUL would be refused by PostgreSQL in a stored subscription; U+202E turns the reply's words around
    typed = "solar\x00grid\x1b[31m \u202ekenya\u202c \u200fمرحبا"
    assert (await router.handle(command("search", typed))).text == "search:solar grid [31m kenya \u200fمرحبا"


def test_a_byte_order_mark_before_a_command_is_no_obstacle():
    assert parse_command_line("\ufeff/help") == ("help", "")


async def test_an_alias_runs_the_same_handler(router):
    assert (await router.handle(command("sectr", "energy"))).text == "sectr:energy"


async def test_an_unknown_command_gets_a_short_hint(router):
    reply = await router.handle(command("weather"))
    assert reply.text == "Unknown command /weather. Try /help."
    assert reply.private


async def test_an_unknown_command_close_to_a_known_one_gets_did_you_mean(router):
    reply = await router.handle(command("secotr", "energy"))
    assert "Did you mean /sector?" in reply.text


async def test_hidden_commands_are_not_suggested_or_listed(router):
    reply = await router.handle(command("mor"))
    assert "Did you mean" not in reply.text
    assert [name for name, _ in router.command_menu()] == ["sector", "search", "boom"]


async def test_a_very_long_unknown_name_is_cut_in_the_hint(router):
    reply = await router.handle(command("x" * 500))
    assert len(reply.text) < 80


async def test_arguments_over_the_limit_get_a_clear_message(router):
    reply = await router.handle(command("search", "a" * (MAX_ARGUMENT_LENGTH + 1)))
    assert reply.text.startswith("That is too long")
    assert f"at most {MAX_ARGUMENT_LENGTH} characters" in reply.text
    assert (await router.handle(command("search", "a" * MAX_ARGUMENT_LENGTH))).text.startswith("search:")


async def test_a_length_is_counted_in_characters_as_people_see_them(router):
    reply = await router.handle(command("search", "🇰🇪" * 1500))  # each flag two code points
    assert reply.text.startswith(f"That is too long: /search takes at most {MAX_ARGUMENT_LENGTH} characters (you sent 1500).")
    family = "👨‍👩‍👧‍👦"  # seven code points
    assert (await router.handle(command("search", family * MAX_ARGUMENT_LENGTH))).text.startswith("search:")
    assert "(you sent 201)" in (await router.handle(command("search", "🇰🇪" * 200 + "é"))).text


async def test_marks_piled_on_one_letter_count_each_not_as_one_character(router):
    # "Zalgo" text: one letter under 4,000 accents passed the limit as one character, and its echo took four messages
    reply = await router.handle(command("search", "e" + "\u0301\u0308" * 2000))
    assert reply.text.startswith(f"That is too long: /search takes at most {MAX_ARGUMENT_LENGTH} characters")
    assert (await router.handle(command("search", "e\u0301\u0308" * MAX_ARGUMENT_LENGTH))).text.startswith("search:")


async def test_a_failing_handler_gives_an_apology_logs_and_the_router_keeps_working(router, caplog):
    with caplog.at_level(logging.ERROR, logger="bot.router"):
        reply = await router.handle(command("boom"))
    assert reply.text.startswith("Sorry, something went wrong")
    assert "secret internal detail" not in reply.text
    assert any(record.exc_info and "secret internal detail" in str(record.exc_info[1]) for record in caplog.records)
    assert (await router.handle(command("search", "again"))).text == "search:again"


def test_registering_a_taken_name_is_an_error(router):
    with pytest.raises(ValueError, match="/search is already registered"):
        router.register("search", echo, "again", "/search x")
    with pytest.raises(ValueError, match="/sectr is already registered"):
        router.register("other", echo, "other", "/other", aliases=("sectr",))


def test_commands_registered_later_are_listed(router):
    router.register("subscribe", echo, "follow a topic", "/subscribe energy")
    assert router.command_menu()[-1] == ("subscribe", "follow a topic")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/sector energy", ("sector", "energy")),
        ("/Sector@NewsBot  energy  ", ("sector", "energy")),
        ("/more", ("more", "")),
        ("/search\tsmart grid", ("search", "smart grid")),
        ("/@newsbot", None),
        ("/sector@otherbot energy", None),
        ("sector energy", None),
        ("/", None),
        ("/ energy", None),
        ("", None),
    ],
)
def test_parse_command_line(line, expected):
    assert parse_command_line(line, "newsbot") == expected
