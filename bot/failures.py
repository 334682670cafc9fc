"""Logging for loops that retry what failed (the delivery worker, the fan-out, the schedules): while
the database is away they fail on every try, and the log should say so once, not every second."""

from __future__ import annotations

import logging

from content.store.engine import failure_reason


class RetriedFailures:
    """Each kind of failure (its first line) is logged once while a loop keeps failing, with its
    traceback; the same again only at debug level; and once the loop works again, a line saying so."""

    def __init__(self, logger: logging.Logger, what: str):
        self._log = logger
        self._what = what
        self._reasons: set[str] = set()
        self._attempts = 0  # failed since the last success

    def failed(self, error: BaseException, then: str) -> None:
        """`then`: what the loop does next, e.g. "retrying every 1s"."""
        self._attempts += 1
        reason = failure_reason(error)
        if reason in self._reasons:
            self._log.debug("%s failed again (%s)", self._what, reason)
            return
        self._reasons.add(reason)
        self._log.error("%s failed (%s); %s", self._what, reason, then, exc_info=error)

    def succeeded(self) -> None:
        if self._attempts:
            self._log.info("%s succeeded again, after %d failed attempts", self._what, self._attempts)
        self._reasons.clear()
        self._attempts = 0
