"""Imports point inward: content never imports bot; platform libraries stay in their adapter folders."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_HOMES = {"telegram": "bot/adapters/telegram", "discord": "bot/adapters/discord"}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", sources("content"), ids=lambda path: str(path.relative_to(ROOT)))
def test_content_does_not_import_bot_or_platforms(path):
    assert not imported_packages(path) & {"bot", "telegram", "discord"}


@pytest.mark.parametrize("path", sources("bot"), ids=lambda path: str(path.relative_to(ROOT)))
def test_platform_libraries_stay_in_their_adapter_folder(path):
    relative = path.relative_to(ROOT).as_posix()
    for package, home in PLATFORM_HOMES.items():
        if package in imported_packages(path):
            assert relative.startswith(home + "/"), f"{relative} imports {package}"
