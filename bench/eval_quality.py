"""Measure newsbot's tags and summaries on the labelled development splits.

    python bench/eval_quality.py [--data DIR] [--only countries|sectors|summaries|speed]

Prints country P/R/F1 (Reuters), sector micro and per-sector P/R/F1 (Reuters over all stories and
over labelled ones, NYT; each also on two fixed halves of the split), ROUGE and
sentence precision of 3-sentence summaries next to Lead-3 (BBC), and analyze speed (Reuters).
The data folder defaults to ../shared/data beside the repository; nothing from it is kept.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from pathlib import Path

from content.analysis import analyze
from content.summarize import split_sentences, summarize
from content.tagging import Tagger

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared/data"
REUTERS_SECTORS = ("energy", "agriculture", "mining", "transport", "finance", "trade")
NYT_SECTORS = (
    "health", "agriculture", "education", "environment", "energy", "transport", "finance", "technology", "trade"
)
INTERNATIONAL_AFFAIRS = "19"  # the policy-topic code of foreign news in the NYT split
SECTIONS = ("countries", "sectors", "summaries", "speed")


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def reuters_text(story: dict) -> str:
    return f"{story.get('dateline', '')} {story['body']}".strip()


class Tally:
    """Micro counts of true and false positives and false negatives, per label."""

    def __init__(self) -> None:
        self.true_positive: Counter[str] = Counter()
        self.false_positive: Counter[str] = Counter()
        self.false_negative: Counter[str] = Counter()

    def add(self, predicted: set[str], expected: set[str]) -> None:
        for label in predicted & expected:
            self.true_positive[label] += 1
        for label in predicted - expected:
            self.false_positive[label] += 1
        for label in expected - predicted:
            self.false_negative[label] += 1

    @staticmethod
    def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    def micro(self) -> tuple[float, float, float]:
        return self.prf(
            sum(self.true_positive.values()), sum(self.false_positive.values()), sum(self.false_negative.values())
        )

    def of(self, label: str) -> tuple[float, float, float]:
        return self.prf(self.true_positive[label], self.false_positive[label], self.false_negative[label])


def line(name: str, figures: tuple[float, float, float], support: int | None = None) -> str:
    precision, recall, f1 = figures
    tail = f"  (n={support})" if support is not None else ""
    return f"  {name:<24} P {precision:.3f}  R {recall:.3f}  F1 {f1:.3f}{tail}"


def eval_countries(data: Path, tagger: Tagger) -> None:
    tally = Tally()
    for story in read_jsonl(data / "reuters-dev.jsonl"):
        countries, _regions = tagger.places(story["title"], reuters_text(story))
        tally.add(set(countries), set(story["countries"]))
    print("Countries, Reuters dev (micro):")
    print(line("all", tally.micro()))


def _sector_report(title: str, tally: Tally, labels: tuple[str, ...]) -> None:
    print(f"{title}:")
    print(line("micro", tally.micro()))
    for label in labels:
        print(line(label, tally.of(label), tally.true_positive[label] + tally.false_negative[label]))


def _half(story_id: str) -> int:
    """A fixed split into two halves, to see whether a figure holds on data it was not tuned on."""
    return zlib.crc32(story_id.encode()) % 2


def _halves_line(name: str, halves: tuple[Tally, Tally]) -> str:
    first, second = (f"F1 {half.micro()[2]:.3f}" for half in halves)
    return f"  {name:<24} half A {first}   half B {second}"


def eval_sectors(data: Path, tagger: Tagger) -> None:
    _eval_reuters_sectors(data, tagger)
    _eval_nyt_sectors(data, tagger)


def _eval_reuters_sectors(data: Path, tagger: Tagger) -> None:
    scored = set(REUTERS_SECTORS)
    labelled, everything = Tally(), Tally()
    labelled_halves, everything_halves = (Tally(), Tally()), (Tally(), Tally())
    for story in read_jsonl(data / "reuters-dev.jsonl"):
        predicted = set(tagger.sectors(story["title"], reuters_text(story))) & scored
        expected = set(story["sectors"]) & scored
        half = _half(story["id"])
        everything.add(predicted, expected)
        everything_halves[half].add(predicted, expected)
        if story.get("topics_raw", True):
            labelled.add(predicted, expected)
            labelled_halves[half].add(predicted, expected)
    # The target counts every story: a tag on a story without a sector label is a false positive.
    # Many stories carry no TOPICS label at all (the editors never indexed them, and ModApte leaves
    # them out), so "no label" there need not mean "no sector"; the figure over labelled stories
    # is printed beside the headline figure, never instead of it.
    _sector_report("Sectors, Reuters dev, ALL stories (target micro F1 >= 0.80)", everything, REUTERS_SECTORS)
    print(line("micro, labelled only", labelled.micro()) + "  (stories with any topic label)")
    print(_halves_line("micro, all stories", everything_halves))
    print(_halves_line("micro, labelled only", labelled_halves))


def _eval_nyt_sectors(data: Path, tagger: Tagger) -> None:
    scored = set(NYT_SECTORS)
    nyt, domestic, nyt_halves = Tally(), Tally(), (Tally(), Tally())
    with (data / "nyt-cap-dev.csv").open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            predicted = set(tagger.sectors(row["title"], f"{row['title']}. {row['summary']}")) & scored
            expected = {row["sector"]} if row["sector"] else set()
            nyt.add(predicted, expected)
            nyt_halves[_half(row["id"])].add(predicted, expected)
            if row["cap_major"] != INTERNATIONAL_AFFAIRS:
                domestic.add(predicted, expected)
    _sector_report("Sectors, NYT headlines dev, all stories (target micro F1 >= 0.70)", nyt, NYT_SECTORS)
    print(_halves_line("micro", nyt_halves))
    # The policy-topic coding files a foreign country's health, energy or transport news under
    # international affairs; newsbot tags it by its sector, since people follow sectors by country.
    print(line("micro, w/o intl affairs", domestic.micro()) + "  (stories not coded international affairs)")


def _sentence_precision(picked: list[str], reference: str) -> tuple[int, int]:
    return sum(1 for sentence in picked if sentence in reference), len(picked)


def eval_summaries(data: Path) -> None:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    systems = {"newsbot": Counter(), "Lead-3": Counter()}
    found = {"newsbot": [0, 0], "Lead-3": [0, 0]}
    articles = read_jsonl(data / "bbc-summary-dev.jsonl")
    for article in articles:
        picks = {
            "newsbot": summarize(article["title"], article["text"], max_sentences=3),
            "Lead-3": split_sentences(article["text"])[:3],
        }
        for system, picked in picks.items():
            scores = scorer.score(article["summary"], " ".join(picked))
            for name, score in scores.items():
                systems[system][name] += score.fmeasure
            hits, total = _sentence_precision(picked, article["summary"])
            found[system][0] += hits
            found[system][1] += total
    print(f"Summaries at 3 sentences, BBC dev ({len(articles)} articles):")
    for system, sums in systems.items():
        hits, total = found[system]
        print(
            f"  {system:<8} ROUGE-1 {sums['rouge1'] / len(articles):.3f}  ROUGE-2 {sums['rouge2'] / len(articles):.3f}"
            f"  ROUGE-L {sums['rougeL'] / len(articles):.3f}  sentence precision {hits / max(total, 1):.3f}"
        )


def _pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def eval_speed(data: Path, tagger: Tagger) -> None:
    _pin_to_one_core()
    stories = read_jsonl(data / "reuters-dev.jsonl")
    analyze(stories[0]["title"], reuters_text(stories[0]), tagger=tagger)  # warm caches
    started, started_cpu = time.perf_counter(), time.process_time()
    for story in stories:
        analyze(story["title"], reuters_text(story), tagger=tagger)
    elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    print(f"Speed, Reuters dev ({len(stories)} articles, one core):")
    # CPU time shows what the code costs when other processes share the core
    wall, cpu = len(stories) / elapsed, len(stories) / elapsed_cpu
    print(f"  analyze() loop          {wall:,.0f} articles/s wall, {cpu:,.0f}/s CPU")
    print(f"  newsbot analyze (CLI)   {_cli_speed(stories):,.0f} articles/s (process start included)")


def _cli_speed(stories: list[dict]) -> float:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "reuters.jsonl"
        with source.open("w", encoding="utf-8") as out:
            for story in stories:
                out.write(json.dumps({"id": story["id"], "title": story["title"], "text": reuters_text(story)}) + "\n")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot", "analyze", str(source)],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=folder,
            timeout=600,
        )
        return len(stories) / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help=f"folder of the dev splits (default {DEFAULT_DATA})"
    )
    parser.add_argument("--only", choices=SECTIONS, help="run one section")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"no data folder at {args.data}")
    tagger = Tagger.from_settings()
    sections = [args.only] if args.only else list(SECTIONS)
    if "countries" in sections:
        eval_countries(args.data, tagger)
    if "sectors" in sections:
        eval_sectors(args.data, tagger)
    if "summaries" in sections:
        eval_summaries(args.data)
    if "speed" in sections:
        eval_speed(args.data, tagger)
    return 0


if __name__ == "__main__":
    sys.exit(main())
