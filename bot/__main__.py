"""`newsbot` (and `python -m bot`): the stop signals are held before the rest is imported (bot/stop_signals.py)."""

import sys

from bot import stop_signals


def main() -> int:
    stop_signals.hold()
    from bot.cli import main as run_command  # imported only now: it takes most of a second

    return run_command()


if __name__ == "__main__":
    sys.exit(main())
