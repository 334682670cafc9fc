"""`newsbot analyze`: summaries and tags for JSON lines of articles, one line in, one line out."""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, Iterable

from bot.cli import UsageError
from bot.terminal import LONE_SURROGATE, json_line
from content.analysis import analyze
from content.ingest import MAX_TEXT_CHARS, SUMMARY_MAX_CHARS, stored_title_and_text
from content.tagging import Tagger

DESCRIPTION = """\
Read articles as JSON lines {"id", "title", "text"} from FILE (standard input without FILE) and
write one JSON line per article: {"id", "summary": [sentences], "sectors": [ids],
"countries": [ISO alpha-2 codes], "regions": [region ids]}. A summary has at most --sentences
sentences and --max-chars characters, as ingest makes them, from a text read as ingest reads it:
up to its first """ + f"{MAX_TEXT_CHARS:,}" + """ characters. Lines are processed as they arrive.
A line that is not such an object is reported on standard error with its line number and
skipped; the exit status is then 1 after all other lines are written (0 when all succeed)."""


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "analyze",
        help="summarize and tag JSON lines of articles",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="JSON lines to read (default, or -: standard input)")
    parser.add_argument("--sentences", type=int, default=3, metavar="N", help="summary length in sentences (default 3)")
    parser.add_argument(
        "--max-chars",
        type=int,
        default=SUMMARY_MAX_CHARS,
        metavar="N",
        help=f"summary length in characters at most, a long sentence cut at a word (default {SUMMARY_MAX_CHARS}, as ingest)",
    )


class BadLine(ValueError):
    """A line that is not an article object; the message says what is wrong."""


def parse_article(line: bytes) -> tuple[object, str, str]:
    """(id, title, text) from one JSON line."""
    try:
        # a byte order mark tolerated; the line break left off, so an error's column is on this line
        article = json.loads(line.decode("utf-8-sig").rstrip("\r\n"))
    except UnicodeDecodeError as error:
        raise BadLine(f"not UTF-8 (byte {error.start + 1})") from None
    except json.JSONDecodeError as error:
        raise BadLine(f"not valid JSON ({error.msg} at column {error.colno})") from None
    except ValueError:  # a number of more than 4,300 digits
        raise BadLine("a number too long to read") from None
    except RecursionError:
        raise BadLine("nested too deeply") from None
    if not isinstance(article, dict):
        raise BadLine("expected a JSON object")
    missing = [key for key in ("id", "title", "text") if key not in article]
    if missing:
        raise BadLine(f"missing {', '.join(missing)}")
    article_id, title, text = article["id"], article["title"], article["text"]
    not_strings = [(key, value) for key, value in (("title", title), ("text", text)) if not isinstance(value, str)]
    if not_strings:
        raise BadLine("; ".join(f'"{key}" must be a string, not {_json_kind(value)}' for key, value in not_strings))
    if not isinstance(article_id, (str, int)) or isinstance(article_id, bool):
        raise BadLine('"id" must be a string or a whole number')
    if any(isinstance(value, str) and LONE_SURROGATE.search(value) for value in (article_id, title, text)):
        raise BadLine("a \\ud800-style escape that stands for no character")
    return article_id, title, text


def _json_kind(value: object) -> str:
    """What a JSON value is, in the words of JSON: "a number", "null", "an object"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    return {int: "a number", float: "a number", list: "a list", dict: "an object"}[type(value)]


def analyze_lines(
    lines: Iterable[bytes],
    out: IO[str],
    errors: IO[str],
    tagger: Tagger,
    sentences: int,
    origin: str,
    max_chars: int = SUMMARY_MAX_CHARS,
) -> int:
    """Write one result per good line; return how many lines failed."""
    failed = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            article_id, title, text = parse_article(line)
        except BadLine as error:
            print(f"newsbot analyze: {origin}:{number}: {error}", file=errors)
            failed += 1
            continue
        # as ingest stores them: a soft hyphen splits a word its tagger would find ("Ni\xadgeria")
        title, text = stored_title_and_text(title, text)
        analysis = analyze(title, text, sentences=sentences, tagger=tagger, max_chars=max_chars)
        result = {
            "id": article_id,
            "summary": analysis.summary,
            "sectors": analysis.sectors,
            "countries": analysis.countries,
            "regions": analysis.regions,
        }
        out.write(json_line(result) + "\n")
        out.flush()  # a reader at the other end of a pipe gets each result as it is ready
    return failed


def run(args: argparse.Namespace, config) -> int:
    if args.sentences < 1:
        raise UsageError("--sentences must be at least 1")
    if args.max_chars < 1:
        raise UsageError("--max-chars must be at least 1")
    tagger = Tagger.from_settings(config.taxonomy)
    analysing = {"tagger": tagger, "sentences": args.sentences, "max_chars": args.max_chars}
    if args.file in (None, "-"):
        failed = analyze_lines(sys.stdin.buffer, sys.stdout, sys.stderr, origin="<stdin>", **analysing)
    else:
        try:
            source = open(args.file, "rb")
        except OSError as error:
            raise UsageError(f"cannot read {args.file}: {error.strerror}") from None
        with source:
            failed = analyze_lines(source, sys.stdout, sys.stderr, origin=args.file, **analysing)
    if failed:
        print(f"newsbot analyze: {failed} line(s) could not be analysed", file=sys.stderr)
    return 1 if failed else 0
