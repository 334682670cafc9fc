"""The console adapter: rendering, numbered choices, terminal safety, and `newsbot chat`."""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from bot.adapters.console import ConsoleAdapter, render
from bot.terminal import TerminalSafeFormatter, terminal_safe
from bot.cli import main
from bot.model import Action, ArticleCard, Command, Reply, Target
from bot.router import COMMANDS_HINT, build_router
from helpers_content import SAMPLE_ARTICLES, open_sample_store, sample_article, sample_context

LISTEN_TIMEOUT = 10


async def converse(router, *lines: str) -> str:
    """Feed typed lines to a console over the router; return everything it printed."""
    output = io.StringIO()
    console = ConsoleAdapter(stdin=io.StringIO("".join(line + "\n" for line in lines)), stdout=output)
    await console.connect()
    await asyncio.wait_for(console.listen(router.handle), LISTEN_TIMEOUT)
    await console.disconnect()
    return output.getvalue()


@pytest.fixture
async def router(database_url):
    store = await open_sample_store(database_url)
    yield build_router(sample_context(store))
    await store.close()


def test_render_numbers_cards_and_choices():
    reply = Reply(
        text="Latest in Energy",
        cards=[
            ArticleCard(
                title="Solar for schools",
                url="https://news.example.org/1",
                summary="Panels went up.",
                sectors=("Energy",),
                countries=("Kenya",),
                source="Example Wire",
                published=datetime(2026, 5, 2, tzinfo=timezone.utc),
            ),
            ArticleCard(title="Second", url=None, summary=""),
        ],
        actions=[Action("More", "/more abc"), Action("Energy (2)", "/sector energy")],
    )
    assert render(reply) == (
        "Latest in Energy\n\n"
        "1. Solar for schools\n"
        "   Panels went up.\n"
        "   Energy · Kenya · Example Wire · 2026-05-02\n"
        "   https://news.example.org/1\n\n"
        "2. Second\n\n"
        "[1] More\n[2] Energy (2)\n"
    )


def test_a_tenth_card_lines_up_under_its_title():
    cards = [ArticleCard(title=f"Story {number}", url=f"https://news.example.org/{number}", summary="") for number in range(10)]
    assert render(Reply(cards=cards)).endswith("10. Story 9\n    https://news.example.org/9\n")


def test_terminal_control_characters_are_removed():
    hostile = "Title\x1b[2J\x1b]0;owned\x07 \u202eevil\x9b31m\r\nnext\tcol"
    assert terminal_safe(hostile) == "Title[2J]0;owned evil31m next col"
    assert terminal_safe("line one\nline two\x00", multiline=True) == "line one\nline two"


def test_a_log_message_is_one_line_and_its_traceback_keeps_its_lines():
    """A message with line breaks (alembic logs each migration's docstring at -v, a name may quote a
    feed's) would read as several events, or let a feed write a line of its own into the log."""
    formatter = TerminalSafeFormatter("%(levelname)s %(name)s: %(message)s")
    record = logging.LogRecord("alembic", logging.INFO, __file__, 1, "Running upgrade: %s", ("Base tables.\nMore\u2028words",), None)
    assert formatter.format(record) == "INFO alembic: Running upgrade: Base tables. More words"
    try:
        raise ValueError("broken")
    except ValueError:
        failed = logging.LogRecord("newsbot", logging.ERROR, __file__, 1, "it failed\nERROR forged: line", (), sys.exc_info())
    first, *traceback = formatter.format(failed).splitlines()
    assert first == "ERROR newsbot: it failed ERROR forged: line"
    assert traceback[0] == "Traceback (most recent call last):" and traceback[-1] == "ValueError: broken"


def test_a_log_call_whose_arguments_do_not_format_is_one_line_not_a_logging_error():
    """PTB logs an update's id with %d: a webhook update with "update_id": "x" made the stdlib print
    '--- Logging error ---' and a traceback instead of the line."""
    formatter = TerminalSafeFormatter("%(levelname)s %(name)s: %(message)s")
    record = logging.LogRecord("telegram.ext.Updater", logging.DEBUG, __file__, 1, "Received Update with ID %d", ("x",), None)
    assert formatter.format(record) == "DEBUG telegram.ext.Updater: Received Update with ID %d ('x',)"


async def test_typing_commands_and_choosing_numbers(router):
    printed = await converse(router, "/latest 5", "1", "quit", "/help")
    first_page, _, second_page = printed.partition("Latest articles (continued)")
    newest = sorted(SAMPLE_ARTICLES, key=lambda a: a.published, reverse=True)
    assert "1. " + newest[0].title in first_page and "[1] More" in first_page
    assert "1. " + newest[5].title in second_page
    assert "What I understand" not in printed  # nothing runs after quit


async def test_console_runs_the_real_commands(router):
    printed = await converse(router, "/sector energy", "/country KE", "/search smart meters")
    assert "Solar mini-grids with smart meters reach Kenyan villages" in printed
    assert "Kenyan dairy cooperative forecasts milk prices with AI" in printed


async def test_numbers_without_choices_and_plain_text_get_hints(router):
    printed = await converse(router, "7", "hello there", "/latest 2", "9")
    assert "There is nothing to choose here" in printed
    assert f"{COMMANDS_HINT}\n\n[1] News on “hello there”" in printed
    assert "Choose a number from 1 to 1" in printed


async def test_words_without_a_command_get_the_hint_with_a_button_that_looks_them_up(router):
    printed = await converse(router, "energy kenya", "1")
    assert f"{COMMANDS_HINT}\n\n[1] News on “energy kenya”\n" in printed
    assert "News: Energy + Kenya\n\n1. Solar mini-grids with smart meters reach Kenyan villages" in printed


async def test_more_words_than_news_reads_get_the_hint_without_a_button_news_would_refuse(router):
    words = "any news on AI in schools or farms in Kenya or Uganda or Peru or Chile or Laos or Fiji or Mali"  # 22
    printed = await converse(router, words, "1")
    assert f"{COMMANDS_HINT}\n\n" in printed and "News on" not in printed  # "Please use at most 20 words" when pressed
    assert "There is nothing to choose here" in printed


def test_newsbot_chat_refuses_words_that_start_with_no_command_naming_the_news_command(tmp_path, capsys):
    database_url = f"sqlite:///{tmp_path / 'chat.db'}"
    assert main(["--config", _config_file(tmp_path, database_url), "chat", "hello there"]) == 2
    assert capsys.readouterr().err == (
        "newsbot: not a command: “hello there”; to look the words up, try newsbot chat '/news hello there'\n"
    )
    assert main(["--config", _config_file(tmp_path, database_url), "chat", 'say "hi" $HOME']) == 2
    assert capsys.readouterr().err.endswith("""try newsbot chat '/news say "hi" $HOME'\n""")  # as a shell reads it
    assert main(["--config", _config_file(tmp_path, database_url), "chat", "sectr energy"]) == 2  # a typo of one
    assert capsys.readouterr().err == "newsbot: Unknown command /sectr. Did you mean /sector? Try /help.\n"
    assert main(["--config", _config_file(tmp_path, database_url), "chat", "/nonexistent"]) == 2
    assert capsys.readouterr().err == "newsbot: Unknown command /nonexistent. Try /help.\n"


def test_newsbot_chat_refuses_an_unknown_command_before_filling_an_empty_store(tmp_path, capsys, caplog):
    """A typo is refused at once, where the store was first filled from the sources (a minute of feeds)."""
    config = tmp_path / "config.yaml"
    config.write_text(f"storage:\n  url: sqlite:///{tmp_path / 'chat.db'}\nsources: [{{name: b, kind: bundled}}]\n")
    caplog.set_level(logging.INFO)
    assert main(["--config", str(config), "chat", "/nope"]) == 2
    assert capsys.readouterr().err == "newsbot: Unknown command /nope. Try /help.\n"
    assert not [record for record in caplog.records if "the store is empty" in record.getMessage()]


async def test_digits_that_are_no_number_are_no_choice(router):
    printed = await converse(router, "/latest 2", "²", "①", "/help")
    assert printed.count(COMMANDS_HINT) == 2 and "What I understand" in printed


async def test_a_number_picks_from_the_buttons_of_a_delivered_message():
    commands = []

    async def handle(command: Command) -> Reply:
        commands.append(command.name)
        return Reply(text="ok")

    console = ConsoleAdapter(stdin=io.StringIO("1\n"), stdout=io.StringIO())
    await console.send(console.target, Reply(text="Before", actions=[Action("Remove Kenya", "/unsubscribe kenya")]))
    await console.send(console.target, Reply(text="New for you", actions=[Action("My subscriptions", "/subscriptions")]))
    await asyncio.wait_for(console.listen(handle), LISTEN_TIMEOUT)
    assert commands == ["subscriptions"]


async def test_a_number_too_long_to_be_a_choice_is_no_crash(router):
    printed = await converse(router, "/latest 2", "5" * 5000, "/help")
    assert COMMANDS_HINT in printed and "[1] News on" not in printed and "What I understand" in printed


async def test_a_delivered_message_without_buttons_leaves_no_old_choices():
    commands = []

    async def handle(command: Command) -> Reply:
        commands.append(command.name)
        return Reply(text="ok")

    output = io.StringIO()
    console = ConsoleAdapter(stdin=io.StringIO("1\n"), stdout=output)
    await console.send(console.target, Reply(text="Yours", actions=[Action("Remove Kenya", "/unsubscribe kenya")]))
    await console.send(console.target, Reply(text="Digest", cards=[ArticleCard("Story", None, "Text.")]))
    await asyncio.wait_for(console.listen(handle), LISTEN_TIMEOUT)
    assert commands == [] and "There is nothing to choose here" in output.getvalue()


@pytest.mark.parametrize("errors", ["strict", "surrogateescape"])  # a UTF-8 locale's standard input; C.UTF-8's
async def test_typed_bytes_that_are_no_utf8_neither_end_the_console_nor_break_a_command(router, monkeypatch, errors):
    typed = b"/subscribe caf\xe9 red\x9b31m\n/subscriptions\n/help\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(typed), encoding="utf-8", errors=errors))
    output = io.StringIO()
    console = ConsoleAdapter(stdout=output)
    await asyncio.wait_for(console.listen(router.handle), LISTEN_TIMEOUT)
    printed = output.getvalue()
    assert "Sorry, something went wrong" not in printed
    assert "red\ufffd31m" in printed.partition("This chat's subscriptions")[2]
    assert "What I understand" in printed


async def test_unknown_commands_get_the_router_hint(router):
    assert "Unknown command /latset. Did you mean /latest?" in await converse(router, "/latset")


async def test_article_text_cannot_inject_terminal_escapes(database_url):
    hostile = replace(
        sample_article(
            40, "Smart grid \x1b[31mRED\x1b[0m \x1b]0;pwned\x07news", "Energy \x1b[2Jcleared. More text follows here.",
            sectors=("energy",),
        ),
        sources=("Evil\x1b[5m Wire",),
    )
    store = await open_sample_store(database_url, articles=[hostile])
    try:
        printed = await converse(build_router(sample_context(store)), "/latest", "/bad\x1b[2Jcommand")
    finally:
        await store.close()
    assert "\x1b" not in printed and "\x07" not in printed
    assert "Smart grid [31mRED[0m ]0;pwnednews" in printed
    assert "Evil[5m Wire" in printed


async def test_a_crashing_handler_does_not_end_the_console():
    calls = []

    async def handle(command: Command) -> Reply:
        calls.append(command.name)
        if command.name == "boom":
            raise RuntimeError("broken")
        return Reply(text=f"ok {command.name}")

    output = io.StringIO()
    console = ConsoleAdapter(stdin=io.StringIO("/boom\n/after\n"), stdout=output)
    await asyncio.wait_for(console.listen(handle), LISTEN_TIMEOUT)
    assert calls == ["boom", "after"]
    assert "Sorry, something went wrong" in output.getvalue() and "ok after" in output.getvalue()


async def test_a_process_started_without_standard_input_or_output_has_a_console_that_reads_and_shows_nothing(monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)  # as Python sets them when the file descriptor is closed
    monkeypatch.setattr(sys, "stdout", None)
    commands = []

    async def handle(command: Command) -> Reply:
        commands.append(command)
        return Reply(text="ok")

    console = ConsoleAdapter()
    await console.send(Target("console", "news-room"), Reply(text="Scheduled"))
    await asyncio.wait_for(console.listen(handle), LISTEN_TIMEOUT)
    await console.disconnect()
    assert commands == []


async def test_end_of_input_at_the_prompt_ends_its_line_and_is_said():
    async def handle(command: Command) -> Reply:
        return Reply(text="ok")

    output = io.StringIO()
    console = ConsoleAdapter(stdin=io.StringIO("/help\n"), stdout=output, prompt="> ")
    await asyncio.wait_for(console.listen(handle), LISTEN_TIMEOUT)
    assert output.getvalue() == "> ok\n\n> \nInput ended: newsbot stops.\n"
    assert console.input_ended


async def test_quit_ends_the_session_without_saying_the_input_ended(router):
    output = io.StringIO()
    console = ConsoleAdapter(stdin=io.StringIO("quit\n"), stdout=output)
    await asyncio.wait_for(console.listen(router.handle), LISTEN_TIMEOUT)
    assert output.getvalue() == ""
    assert not console.input_ended


async def test_send_prints_for_the_delivery_worker():
    output = io.StringIO()
    console = ConsoleAdapter(stdin=io.StringIO(""), stdout=output)
    await console.send(console.target, Reply(text="Digest"))
    await console.send(Target("console", "news-room"), Reply(text="Scheduled"))
    assert output.getvalue() == "Digest\n── to news-room ──\nScheduled\n"


def _config_file(tmp_path, database_url: str) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(f"storage:\n  url: {database_url}\nsources: []\n", encoding="utf-8")
    return str(path)


def test_newsbot_chat_runs_one_command_and_exits_0(tmp_path, capsys):
    database_url = f"sqlite:///{tmp_path / 'chat.db'}"

    async def fill() -> None:
        store = await open_sample_store(database_url)
        await store.close()

    asyncio.run(fill())
    status = main(["--config", _config_file(tmp_path, database_url), "chat", "/country KE"])
    printed = capsys.readouterr().out
    assert status == 0
    assert printed.startswith("Latest from ")
    assert "Kenyan dairy cooperative forecasts milk prices with AI" in printed
    assert "Chiang Mai" not in printed


def test_newsbot_chat_accepts_a_command_without_the_slash(tmp_path, capsys):
    database_url = f"sqlite:///{tmp_path / 'chat.db'}"
    assert main(["--config", _config_file(tmp_path, database_url), "chat", "about"]) == 0
    assert "No articles have been collected yet." in capsys.readouterr().out


def test_newsbot_chat_reads_bytes_that_are_no_utf8_in_its_argument_as_replacement_characters(tmp_path, capsys):
    database_url = f"sqlite:///{tmp_path / 'chat.db'}"
    argument = b"/subscribe solar red\x9b31m".decode("utf-8", "surrogateescape")  # as Python reads its argv
    assert main(["--config", _config_file(tmp_path, database_url), "chat", argument]) == 0
    assert "Subscribed to “solar red\ufffd31m”" in capsys.readouterr().out


def test_newsbot_chat_with_an_unusable_store_exits_2(tmp_path, capsys):
    database_url = f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"
    assert main(["--config", _config_file(tmp_path, database_url), "chat", "/latest"]) == 2
    assert capsys.readouterr().err.startswith("newsbot: ")


async def test_every_listed_command_example_answers_through_the_console(router):
    for info in router.commands():
        printed = await converse(router, info.example)
        assert printed.strip(), info.example
        assert "Sorry, something went wrong" not in printed, info.example
        assert "Unknown command" not in printed, info.example


async def test_over_long_arguments_get_a_clear_message_in_the_console(router):
    printed = await converse(router, "/search " + "grid " * 60)
    assert "That is too long: /search takes at most 200 characters" in printed


def test_newsbot_chat_on_a_fresh_store_shows_the_bundled_articles(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text(f"storage:\n  url: sqlite:///{tmp_path / 'fresh.db'}\n", encoding="utf-8")
    assert main(["--config", str(config), "chat", "/country kenya"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Latest from Kenya\n\n1. ")
    assert "https://demo.newsbot.example/" in printed
