"""`newsbot run` (being built)."""

import argparse


def add_parser(commands: argparse._SubParsersAction) -> None:
    commands.add_parser("run", help="(being built)")


def run(args: argparse.Namespace, config) -> int:
    raise NotImplementedError("newsbot run")
