"""PageMemory: short tokens for "the next page of this query", bounded, least recently used first out."""

from __future__ import annotations

import pytest

from bot.pages import PageMemory, PageRequest
from content.model import Query


def request(number: int) -> PageRequest:
    return PageRequest(kind="find", query=Query(sectors=(f"s{number}",)), cursor=f"c{number}", heading="h", page_size=5)


def test_a_token_recalls_its_request():
    memory = PageMemory()
    token = memory.remember(request(1))
    assert memory.recall(token) == request(1)
    assert memory.recall("unknown") is None


def test_tokens_are_short_and_distinct():
    memory = PageMemory()
    tokens = {memory.remember(request(n)) for n in range(200)}
    assert len(tokens) == 200
    assert all(len(f"/more {token}".encode()) <= 64 and " " not in token for token in tokens)


def test_the_least_recently_used_token_expires_first():
    memory = PageMemory(capacity=2)
    first, second = memory.remember(request(1)), memory.remember(request(2))
    assert memory.recall(first) == request(1)  # now the most recently used
    third = memory.remember(request(3))
    assert len(memory) == 2
    assert memory.recall(second) is None
    assert memory.recall(first) == request(1) and memory.recall(third) == request(3)


def test_capacity_must_be_positive():
    with pytest.raises(ValueError):
        PageMemory(capacity=0)
