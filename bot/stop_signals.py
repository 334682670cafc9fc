"""SIGINT and SIGTERM, from the first line of the `newsbot` command to its last.

Importing newsbot takes most of a second, and Python's defaults would have SIGTERM kill the process
then (exit status 143) and SIGINT raise KeyboardInterrupt in the middle of an import. So the command
holds them before it imports anything else: `newsbot run` stops as soon as its loop starts, in order,
when one came meanwhile; one coming when newsbot is stopping already acts as by default, to cut short
a shutdown that hangs (bot/cli/run.py). The other commands release them, to act as by default.
"""

from __future__ import annotations

import signal

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_DEFAULT_HANDLERS = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL}
_held: list[int] = []


def hold() -> None:
    for number in STOP_SIGNALS:
        signal.signal(number, _hold)


def _hold(number: int, frame) -> None:
    _held.append(number)


def received() -> bool:
    """Whether a stop signal came while they were held."""
    return bool(_held)


def release() -> None:
    """Python's defaults again (where they were held), and the first signal held meanwhile acts now, once."""
    for number, default in _DEFAULT_HANDLERS.items():
        if signal.getsignal(number) is _hold:
            signal.signal(number, default)
    if _held:
        first = _held[0]
        _held.clear()
        signal.raise_signal(first)
