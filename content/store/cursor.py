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
_LAYOUT = {_NEWEST: ">cqq"}
MAX_SHOWN = 1_000  # a search shows no more results than this, page after page


class InvalidCursor(ValueError):
    """A cursor that this store did not hand out for this kind of query."""


def _encode(layout_key: bytes, first: int | float, seq: int) -> str:
    packed = struct.pack(_LAYOUT[layout_key], layout_key, first, seq)
    return base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def _decode(cursor: str, layout_key: bytes) -> tuple[int | float, int]:
    layout = _LAYOUT[layout_key]
    try:
        packed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind, first, seq = struct.unpack(layout, packed)
    except (binascii.Error, struct.error, ValueError, TypeError):
        raise InvalidCursor("invalid page cursor") from None
    if kind != layout_key:
        raise InvalidCursor("invalid page cursor")
    return first, seq


def newest_cursor(published: datetime, seq: int) -> str:
    return _encode(_NEWEST, (published - _EPOCH) // timedelta(microseconds=1), seq)


def decode_newest(cursor: str) -> tuple[datetime, int]:
    micros, seq = _decode(cursor, _NEWEST)
    try:
        return _EPOCH + timedelta(microseconds=micros), seq
    except OverflowError:
        raise InvalidCursor("invalid page cursor") from None


def ranked_cursor(through: int, shown: Sequence[int]) -> str:
    packed = struct.pack(f">cq{len(shown)}q", _SHOWN, through, *shown)
    return base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode_ranked(cursor: str) -> tuple[int, tuple[int, ...]]:
    """The store position ranked, and the articles shown on the pages so far."""
    try:
        packed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        count, remainder = divmod(len(packed) - 9, 8)
        if packed[:1] != _SHOWN or remainder or not 0 < count <= MAX_SHOWN:
            raise InvalidCursor("invalid page cursor")
        _, through, *shown = struct.unpack(f">cq{count}q", packed)
    except (binascii.Error, struct.error, ValueError, TypeError):
        raise InvalidCursor("invalid page cursor") from None
    return through, tuple(shown)
