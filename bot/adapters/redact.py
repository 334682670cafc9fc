"""Keep the bots' tokens out of every log record and error message.

PTB and httpx log request URLs, and Telegram puts the token in the URL path; a server or proxy may
echo the Authorization header in an error body, in any case. A logging.Filter on one logger misses
records of its child loggers, so the redaction runs in the log record factory: every record, from
any library, has the tokens replaced before any handler sees it.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

MASK = "[REDACTED]"


class SecretRedactor(logging.Filter):
    """Replaces registered secrets in a record's message, arguments and traceback text."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, secret: str) -> None:
        if secret and secret not in self._secrets:
            self._secrets.add(secret)
            # any case: PTB capitalises an error's first letter, which may be the token's echo
            alternatives = "|".join(map(re.escape, sorted(self._secrets, key=len, reverse=True)))
            self._pattern = re.compile(alternatives, re.IGNORECASE)

    def redact(self, text: str) -> str:
        return self._pattern.sub(MASK, text) if self._pattern else text

    def _contains_secret(self, text: str) -> bool:
        return bool(self._pattern and self._pattern.search(text))

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's problem to report, not ours
            message = str(record.msg)
        if self._contains_secret(message):
            record.msg, record.args = self.redact(message), None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            formatted = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            if self._contains_secret(formatted):
                record.exc_text = self.redact(formatted)
        return True


REDACTOR = SecretRedactor()
_installed = False


def redact_in_logs(secret: str) -> None:
    """Register a secret to be masked in all log records from now on (idempotent)."""
    global _installed
    REDACTOR.add(secret)
    if _installed:
        return
    previous_factory = logging.getLogRecordFactory()

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous_factory(*args, **kwargs)
        REDACTOR.filter(record)
        return record

    logging.setLogRecordFactory(redacting_factory)
    _installed = True
