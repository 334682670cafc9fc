"""`newsbot ingest`: fetch every configured source once, store what is new, update what its source
edited, summarize the run."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TextIO

from bot.terminal import printable
from content.ingest import IngestReport, SourceReport, ingest_once
from content.store import Store
from content.tagging import Tagger

_BAR_WIDTH = 30


class Progress:
    """A one-line bar on a terminal; plain lines, one per finished source, anywhere else."""

    def __init__(self, total: int, stream: TextIO):
        self.total = total
        self.done = 0
        self.stream = stream
        self.interactive = stream.isatty()

    def advance(self, report: SourceReport) -> None:
        self.done += 1
        if self.interactive:
            filled = _BAR_WIDTH * self.done // max(self.total, 1)
            bar = "#" * filled + "." * (_BAR_WIDTH - filled)
            self.stream.write(f"\r[{bar}] {self.done}/{self.total} {printable(report.name)[:40]:<40}")
        else:
            self.stream.write(f"ingest: {printable(report.outcome())}\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.interactive and self.done:
            self.stream.write("\n")
            self.stream.flush()


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def summary(report: IngestReport) -> str:
    failed = sum(source.failed for source in report.sources)
    backing_off = sum(source.skipped for source in report.sources)
    updated = f"{report.updated} updated, " if report.updated else ""
    duplicates = _plural(report.duplicates, "duplicate")
    lines = [
        f"{_plural(len(report.sources), 'source')}: {report.new} new, {updated}{duplicates}, {failed} failed"
        + (f", {backing_off} backing off" if backing_off else "")
    ]
    lines += ["  " + printable(source.outcome()) for source in report.sources]
    return "\n".join(lines)


def add_parser(commands: argparse._SubParsersAction) -> None:
    commands.add_parser(
        "ingest",
        help="fetch every configured source once",
        description="Fetch every configured source once, store new articles and update those their source "
        "corrected. Exits 0 when the run completes, even if some sources failed (each is listed with its "
        "reason); 2 when the config is invalid or the storage cannot be opened.",
    )


async def _ingest(config) -> int:
    store = await Store.from_settings(config.storage)
    try:
        progress = Progress(len(config.sources), sys.stderr)
        report = await ingest_once(store, config.sources, Tagger.from_settings(config.taxonomy), progress=progress.advance)
        progress.finish()
    finally:
        await store.close()
    print(summary(report))
    return 0


def run(args: argparse.Namespace, config) -> int:
    return asyncio.run(_ingest(config))
