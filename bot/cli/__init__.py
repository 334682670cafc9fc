"""`newsbot`: one subcommand per module in this package, each with add_parser and run."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import re
import sys
from urllib.parse import urlsplit

import httpx

from bot import __version__, stop_signals
from bot.adapters.base import ConnectError
from bot.adapters.redact import redact_in_logs
from bot.config import ConfigError, load_config
from bot.terminal import TerminalSafeFormatter
from content.credentials import URL_PARAMETER, credential_values, hide_parameter
from content.store import StorageError

SUBCOMMANDS = ("ingest", "news", "analyze", "chat", "run")
NOISY_LOGGERS = ("alembic", "httpx", "apscheduler")  # one INFO line per migration, request or job run
# a DEBUG line per database call or Markdown parser rule, thousands a minute: they would bury -v's other lines
FLOODING_LOGGERS = ("aiosqlite", "markdown_it")
# the user:password@ a feed URL may carry (its ?token=… parameters: content.credentials)
_URL_USERINFO = re.compile(r"(?<=://)[^/\s@]+(?=@)")


def _looks_secret(value: str) -> bool:
    """Long and random-looking enough to mask in every log line: "2" would mask every 2, and a
    ?sortKey=published every "published"."""
    return len(value) >= 16 or (len(value) >= 8 and any(character.isdigit() for character in value))


class HiddenUrlSecrets(logging.Filter):
    """httpx logs each request's URL (at INFO, seen with -v); a feed's may carry credentials."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = URL_PARAMETER.sub(hide_parameter, _URL_USERINFO.sub("***", message))
        if hidden != message:
            record.msg, record.args = hidden, None
        return True


_HIDDEN_URL_SECRETS = HiddenUrlSecrets()


class UsageError(Exception):
    """A problem with what the user asked for on the command line; exit status 2."""


def hide_feed_secrets(sources, values_in_paths: tuple[str, ...] = ()) -> None:
    """Mask the credentials feed URLs carry in every log line from any library (httpcore's debug
    lines show a redirect's Location header), beyond the URLs httpx logs; and the values of the
    variables written into their paths, as written and as httpx sends them."""
    path_values = [form for value in values_in_paths for form in (value, _as_sent_in_a_path(value))]
    for source in sources:
        url = getattr(source, "url", "")
        secrets = credential_values(url) + credential_values(_as_sent(url)) + [urlsplit(url).password or ""]
        for secret in secrets + path_values:
            if _looks_secret(secret):
                redact_in_logs(secret)


def _as_sent(url: str) -> str:
    """The address as httpx sends and logs it, a value's spaces and quotes percent-encoded ("a%20b")."""
    try:
        return str(httpx.URL(url))
    except httpx.InvalidURL:  # never fetched, so never logged in another form
        return url


def _as_sent_in_a_path(value: str) -> str:
    """A path segment as httpx sends it, its spaces and quotes percent-encoded."""
    try:
        return httpx.URL("http://host/" + value).raw_path.decode("ascii").removeprefix("/")
    except httpx.InvalidURL:
        return value


class CommandParser(argparse.ArgumentParser):
    """A sub-command's parser, which tells an option it does not know itself, with its own usage
    (`newsbot run --bogus`); argparse would hand it to newsbot's parser, told with newsbot's usage."""

    def parse_known_args(self, args=None, namespace=None):
        parsed, unknown = super().parse_known_args(args, namespace)
        if unknown:
            self.error(f"unrecognized arguments: {' '.join(unknown)}")
        return parsed, unknown


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbot", description="News about AI and technology by sector and country.")
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    parser.add_argument("--config", metavar="PATH", help="config file (default: $NEWSBOT_CONFIG, else ./config.yaml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=CommandParser)
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"bot.cli.{name}")
        module.add_parser(commands)
    for command in commands.choices.values():  # "newsbot news -v" as well as "newsbot -v news"
        command.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="config file")
        command.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log debug detail")
    return parser


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line read, an option no part of it knows told with the usage of the command it follows
    (`newsbot run --bogus`), or with newsbot's when it comes before the command (`newsbot --bogus run`)."""
    return build_parser().parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(TerminalSafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, handlers=[handler])
    for chatty in NOISY_LOGGERS:
        logging.getLogger(chatty).setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    for flooding in FLOODING_LOGGERS:
        logging.getLogger(flooding).setLevel(logging.INFO)
    logging.getLogger("httpx").addFilter(_HIDDEN_URL_SECRETS)  # the same filter once, however often main runs
    module = importlib.import_module(f"bot.cli.{args.command}")
    try:
        if args.command != "run":  # only `newsbot run` stops in order, whenever the signal came
            stop_signals.release()
        config = load_config(args.config)
        hide_feed_secrets(config.sources, config.values_in_address_paths)
        return module.run(args, config)
    except (ConfigError, UsageError, StorageError, ConnectError) as error:
        print(f"newsbot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (newsbot news --json | head -1)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so flushing at exit fails no more
        return 1


if __name__ == "__main__":
    sys.exit(main())
