"""Text from feeds and people made safe to print on a terminal: no escape sequences, bells or bidi overrides."""

from __future__ import annotations

import json
import logging
import re
import unicodedata

_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\n\u2028\u2029")
# what json.dumps(ensure_ascii=False) leaves as it is: C1 controls ("\x9b" starts an escape sequence as
# ESC [ does), DEL, bidi overrides, and the line separators that split a line for str.splitlines()
# a surrogate alone is no character: how Python reads bytes that are no UTF-8 (argv, a "\ud800" JSON escape)
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_RAW_IN_JSON = re.compile("[\x7f-\x9f" + "".join(sorted(_BIDI_CONTROLS | (_LINE_BREAKS - {"\n"}))) + "]")


def terminal_safe(text: str, *, multiline: bool = False) -> str:
    """Drop control characters (ESC sequences, bells, bidi overrides); keep line breaks only when asked."""
    kept = []
    for char in text:
        if char in _LINE_BREAKS or char == "\t":
            kept.append("\n" if multiline and char in _LINE_BREAKS else " ")
        elif unicodedata.category(char) != "Cc" and char not in _BIDI_CONTROLS:
            kept.append(char)
    return "".join(kept)


def printable(text: str) -> str:
    """Terminal-safe text on one line, runs of white space made one space."""
    return " ".join(terminal_safe(text).split())


def json_line(value: object) -> str:
    """`value` as JSON on one line, readable text kept as it is, controls written as \\u escapes: the line
    goes to a terminal or to a reader of lines as safely as json.dumps' own escapes of ESC and line breaks."""
    return _RAW_IN_JSON.sub(lambda control: f"\\u{ord(control[0]):04x}", json.dumps(value, ensure_ascii=False))


class TerminalSafeFormatter(logging.Formatter):
    """Log lines quote feeds and people (a source's name, a typed channel): none may recolour, retitle or
    rewrite the terminal it is read on, nor add a line: one event is one line, but for its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        try:
            record.getMessage()
        except (TypeError, ValueError, KeyError):  # a library's log call whose arguments do not fit its message
            record.msg, record.args = f"{record.msg} {record.args!r}", None
        return super().format(record)

    def formatMessage(self, record: logging.LogRecord) -> str:
        return terminal_safe(super().formatMessage(record))

    def formatException(self, exc_info) -> str:
        return terminal_safe(super().formatException(exc_info), multiline=True)

    def formatStack(self, stack_info: str) -> str:
        return terminal_safe(super().formatStack(stack_info), multiline=True)
