"""Opaque page cursors, packed into ~23 URL-safe characters: for `find`, the sort key of a page's
last row; for `search`, how many results were shown and the store position ranked."""

from __future__ import annotations

import base64
import binascii
import struct
from datetime import datetime, timedelta, timezone

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NEWEST = b"n"  # find(): (published, seq)
_RANKED = b"s"  # search(): (results shown, store position); "r" was (score, seq)
_LAYOUT = {_NEWEST: ">cqq", _RANKED: ">cqq"}


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


def ranked_cursor(shown: int, through: int) -> str:
    return _encode(_RANKED, shown, through)


def decode_ranked(cursor: str) -> tuple[int, int]:
    shown, through = _decode(cursor, _RANKED)
    if shown < 0:
        raise InvalidCursor("invalid page cursor")
    return shown, through
