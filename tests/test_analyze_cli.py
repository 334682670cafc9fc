"""`newsbot analyze`: JSON lines in, JSON lines out, bad lines reported and skipped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "analyze" / "articles.jsonl"


@pytest.fixture(autouse=True)
def no_config_file(monkeypatch, tmp_path):
    monkeypatch.delenv("NEWSBOT_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def run_cli(capsys, *argv: str) -> tuple[int, list[dict], str]:
    status = main(["analyze", *argv])
    captured = capsys.readouterr()
    return status, [json.loads(line) for line in captured.out.splitlines()], captured.err


def test_good_lines_are_analysed_and_bad_lines_reported(capsys):
    status, results, errors = run_cli(capsys, str(FIXTURE))
    assert status == 1
    assert [result["id"] for result in results] == ["a1", 2, "a5"]
    first = results[0]
    assert set(first) == {"id", "summary", "sectors", "countries", "regions"}
    assert len(first["summary"]) == 3
    assert first["summary"][0] == "Kenya switched on a new geothermal power plant in the Rift Valley on Monday."
    assert first["sectors"][0] == "energy"
    assert first["countries"] == ["KE"]
    assert results[1]["sectors"] == ["agriculture"]
    assert results[1]["countries"] == ["TH"]
    assert results[2] == {
        "id": "a5",
        "summary": ["The choir won first prize."],
        "sectors": [],
        "countries": [],
        "regions": [],
    }
    assert f"{FIXTURE}:3: not valid JSON" in errors
    assert f"{FIXTURE}:4: missing text" in errors


def test_sentences_option(capsys):
    status, results, _ = run_cli(capsys, str(FIXTURE), "--sentences", "1")
    assert status == 1
    assert all(len(result["summary"]) == 1 for result in results)


def test_all_good_lines_exit_zero(capsys, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(FIXTURE.read_text().splitlines()[:2]) + "\n\n", encoding="utf-8")
    status, results, errors = run_cli(capsys, str(good))
    assert status == 0
    assert len(results) == 2
    assert errors == ""


def test_invalid_utf8_is_reported_with_its_line(capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"id": 1, "title": "caf\xe9", "text": "x"}\n' + FIXTURE.read_bytes().splitlines()[0] + b"\n")
    status, results, errors = run_cli(capsys, str(bad))
    assert status == 1
    assert [result["id"] for result in results] == ["a1"]
    assert ":1: not UTF-8" in errors


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"id": "\\ud800", "title": "t", "text": "x"}', "stands for no character"),
        ('{"id": 1, "title": "t", "text": "a lone \\udc00 here"}', "stands for no character"),
        ('{"id": ' + "9" * 5000 + ', "title": "t", "text": "x"}', "a number too long to read"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"id": true, "title": "t", "text": "x"}', '"id" must be a string or a whole number'),
        ('{"id": 2.5, "title": "t", "text": "x"}', '"id" must be a string or a whole number'),
        ('{"id": 3, "title": 12345, "text": "x"}', '"title" must be a string, not a number'),
        ('{"id": 3, "title": "t", "text": null}', '"text" must be a string, not null'),
        ('{"id": 3, "title": ["t"], "text": {"a": 1}}', '"title" must be a string, not a list; "text" must be a string, not an object'),
        ('{"id": 3, "title": true, "text": "x"}', '"title" must be a string, not true or false'),
    ],
)
def test_a_line_python_cannot_hold_is_reported_and_the_next_still_analysed(capsys, tmp_path, line, problem):
    lines = tmp_path / "odd.jsonl"
    lines.write_text(line + "\n" + FIXTURE.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    status, results, errors = run_cli(capsys, str(lines))
    assert status == 1 and [result["id"] for result in results] == ["a1"]
    assert ":1: " in errors and problem in errors


def test_a_line_cut_short_is_reported_at_the_column_where_it_ends(capsys, tmp_path):
    """The line's own line break is no part of the JSON: the error was "at column 1", of the line after."""
    cut = '{"id": 5, "title": "a", "text": "b"'
    lines = tmp_path / "cut.jsonl"
    lines.write_text(cut + "\r\n", encoding="utf-8")
    status, results, errors = run_cli(capsys, str(lines))
    assert status == 1
    assert f":1: not valid JSON (Expecting ',' delimiter at column {len(cut) + 1})" in errors


def test_controls_in_the_text_come_out_escaped_on_one_line(capsys, tmp_path):
    line = {"id": "a\u2028b", "title": "Grid", "text": "Kenya \x9b31mbuilds\u202e a grid.\x7f"}
    articles = tmp_path / "controls.jsonl"
    articles.write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert main(["analyze", str(articles)]) == 0
    printed = capsys.readouterr().out
    assert not any(control in printed for control in "\x9b\u202e\u2028\x7f")
    (result,) = [json.loads(line) for line in printed.splitlines()]
    assert result["id"] == "a\u2028b" and result["summary"] == ["Kenya \x9b31mbuilds\u202e a grid."]  # DEL removed, as ingest removes it


def test_a_soft_hyphen_or_a_control_character_is_removed_before_analysis_as_ingest_removes_it(capsys, tmp_path):
    line = {"id": 1, "title": "Maize", "text": "Farmers in Ni\u00adge\u00adria planted maize.\x1b The har\u00advest was good."}
    articles = tmp_path / "soft.jsonl"
    articles.write_text(json.dumps(line) + "\n", encoding="utf-8")
    status, [result], _ = run_cli(capsys, str(articles))
    assert status == 0
    assert result["summary"] == ["Farmers in Nigeria planted maize.", "The harvest was good."]
    assert result["countries"] == ["NG"]


def test_a_text_past_the_length_ingest_keeps_is_read_as_far_as_ingest_keeps_it(capsys, tmp_path):
    from content.ingest import MAX_TEXT_CHARS

    kept = "Farmers planted maize in the valley this spring. " * (MAX_TEXT_CHARS // 40)
    line = {"id": 1, "title": "Maize", "text": kept + "Nigeria and Ghana sent seed. " * 3}
    articles = tmp_path / "long.jsonl"
    articles.write_text(json.dumps(line) + "\n", encoding="utf-8")
    status, [result], _ = run_cli(capsys, str(articles))
    assert status == 0
    assert result["countries"] == []  # named only after the 100,000th character, which ingest does not store


def test_missing_file_is_a_usage_error(capsys, tmp_path):
    status = main(["analyze", str(tmp_path / "absent.jsonl")])
    assert status == 2
    assert "cannot read" in capsys.readouterr().err


def test_config_taxonomy_extension_is_used(capsys, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(
        "taxonomy:\n  sectors:\n    music:\n      name: Music\n      keywords: [choir]\n", encoding="utf-8"
    )
    status = main(["--config", str(config), "analyze", str(FIXTURE)])
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 1
    assert results[2]["sectors"] == ["music"]


def test_reads_standard_input_in_a_subprocess(tmp_path):
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "analyze", "--sentences", "2", "-"],
        input="\n".join([lines[0], lines[2]]) + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert completed.returncode == 1
    (result,) = [json.loads(line) for line in completed.stdout.splitlines()]
    assert result["id"] == "a1"
    assert len(result["summary"]) == 2
    assert "<stdin>:2: not valid JSON" in completed.stderr


def test_help_mentions_the_exit_status(capsys):
    with pytest.raises(SystemExit):
        main(["analyze", "--help"])
    assert "exit status is then 1" in capsys.readouterr().out


def test_an_unusable_taxonomy_extension_is_a_config_error(capsys, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("taxonomy:\n  sectors:\n    music:\n      name: Music\n", encoding="utf-8")
    status = main(["--config", str(config), "analyze", str(FIXTURE)])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert 'taxonomy.sectors: sector "music" is new and needs keywords' in captured.err


def test_a_summary_is_capped_as_ingest_caps_it_even_when_the_text_reads_as_one_sentence(capsys, tmp_path):
    lower_case = "the grid is growing fast in kenya. " * 20000  # no capital after a full stop: one "sentence"
    articles = tmp_path / "long.jsonl"
    articles.write_text(json.dumps({"id": 1, "title": "Grid", "text": lower_case}) + "\n", encoding="utf-8")
    status, [result], _ = run_cli(capsys, str(articles))
    assert status == 0 and 0 < sum(map(len, result["summary"])) <= 600
    status, [result], _ = run_cli(capsys, str(articles), "--max-chars", "100")
    assert status == 0 and 0 < sum(map(len, result["summary"])) <= 100
    assert main(["analyze", str(articles), "--max-chars", "0"]) == 2
