"""`newsbot chat` (being built)."""

import argparse


def add_parser(commands: argparse._SubParsersAction) -> None:
    commands.add_parser("chat", help="(being built)")


def run(args: argparse.Namespace, config) -> int:
    raise NotImplementedError("newsbot chat")
