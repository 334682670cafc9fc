"""Opaque page cursors, URL-safe: for `find`, the sort key of a page's last row (~23 characters);
for `search`, the store position ranked and the articles shown so far (11 characters each)."""

from __future__ import annotations

import base64
import binascii
import struct
from datetime import datetime, timedelta, timezone
from typing import Sequence

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NEWEST = b"n"  # find(): (published, seq)
_SHOWN = b"x"  # search(): store position, then the seq of every article shown; "s" was (results shown, position)
_NEWEST_LAYOUT = ">cqq"
MAX_SHOWN = 1_000  # a search shows no more results than this, page after page


class InvalidCursor(ValueError):
    """A cursor that this store did not hand out for this kind of query."""


def _text(packed: bytes) -> str:
    return base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def _packed(cursor: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError, TypeError):
        raise InvalidCursor("invalid page cursor") from None


def newest_cursor(published: datetime, seq: int) -> str:
    return _text(struct.pack(_NEWEST_LAYOUT, _NEWEST, (published - _EPOCH) // timedelta(microseconds=1), seq))


def decode_newest(cursor: str) -> tuple[datetime, int]:
    try:
        kind, micros, seq = struct.unpack(_NEWEST_LAYOUT, _packed(cursor))
    except struct.error:
        raise InvalidCursor("invalid page cursor") from None
    if kind != _NEWEST:
        raise InvalidCursor("invalid page cursor")
    try:
        return _EPOCH + timedelta(microseconds=micros), seq
    except OverflowError:
        raise InvalidCursor("invalid page cursor") from None


def ranked_cursor(through: int, shown: Sequence[int]) -> str:
    return _text(struct.pack(f">cq{len(shown)}q", _SHOWN, through, *shown))


def decode_ranked(cursor: str) -> tuple[int, tuple[int, ...]]:
    """The store position ranked, and the articles shown on the pages so far."""
    packed = _packed(cursor)
    count, remainder = divmod(len(packed) - 9, 8)
    if packed[:1] != _SHOWN or remainder or not 0 < count <= MAX_SHOWN:
        raise InvalidCursor("invalid page cursor")
    _, through, *shown = struct.unpack(f">cq{count}q", packed)
    return through, tuple(shown)
