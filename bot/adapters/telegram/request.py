"""python-telegram-bot's HTTP transport on aiohttp instead of httpx.

httpx's connection pool costs about 2 ms of CPU per request under concurrency, which capped delivery
below 1,000 messages/s (bench/fanout.py); aiohttp, already installed for discord.py, costs a fraction
of that. `AiohttpRequest` follows `telegram.request.BaseRequest`'s contract like PTB's own HTTPXRequest:
the same constructor timeouts, per-call timeouts where `DEFAULT_NONE` means "the default" and `None`
means "wait forever", form-encoded parameters or a multipart body when files are attached, and every
transport failure raised as `TimedOut` or `NetworkError`.

Timeouts map onto aiohttp as follows. connect: opening the socket (`sock_connect`). read: the longest
silence while waiting for the answer (`sock_read`, which aiohttp starts once the body is sent). pool:
waiting for one of the `connection_pool_size` connections, enforced here so it can be told apart.
write: aiohttp has no write timeout, so a stalled upload is caught by bounding the time until the
answer's headers arrive by the sum of the connect, write and read timeouts.

The bot token is part of every URL: errors and the DEBUG request log lines show it masked, and errors
are raised without the aiohttp exception attached, whose text may contain it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Callable

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.adapters.redact import MASK, REDACTOR

logger = logging.getLogger(__name__)

_TOKEN_IN_PATH = re.compile(r"/bot[^/\s]+/")
POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: all connections in the pool are busy; the request was not sent to Telegram. "
    "Consider a larger connection pool or a longer pool timeout."
)


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` over one aiohttp session with at most `connection_pool_size` connections."""

    __slots__ = ("_connection_pool_size", "_pool", "_session", "_timeouts", "_unauthorized")

    def __init__(
        self,
        connection_pool_size: int = 8,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        unauthorized: Callable[[], None] | None = None,
    ):
        """`unauthorized()` is called on every 401: Telegram no longer takes the token (it was revoked),
        and python-telegram-bot's polling stops on it without a word to its application."""
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._connection_pool_size = connection_pool_size
        self._unauthorized = unauthorized
        self._timeouts = {
            "read": read_timeout,
            "write": write_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
            "media_write": media_write_timeout,
        }
        self._pool: asyncio.Semaphore | None = None
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        return f"AiohttpRequest(connection_pool_size={self._connection_pool_size}, timeouts={self._timeouts})"

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._pool = asyncio.Semaphore(self._connection_pool_size)  # bound to the loop that runs the bot
            connector = aiohttp.TCPConnector(limit=self._connection_pool_size, limit_per_host=0)
            # No session-wide timeout and no cookies: every call sets its own timeouts, and the Bot API is stateless.
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=None), cookie_jar=aiohttp.DummyCookieJar()
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        has_files = bool(request_data and request_data.multipart_data)
        connect = self._chosen(connect_timeout, "connect")
        write = self._chosen(write_timeout, "media_write" if has_files else "write")
        read = self._chosen(read_timeout, "read")
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)
        body = _body(request_data)
        await self._acquire_connection(self._chosen(pool_timeout, "pool"))
        try:
            async with asyncio.timeout(_sum_or_none(connect, write, read)):
                response = await self._session.request(
                    method, url, data=body, headers={"User-Agent": self.USER_AGENT}, timeout=timeout
                )
            async with response:
                payload = await response.read()
        except TimeoutError as error:  # aiohttp's socket timeouts are TimeoutErrors too
            raise TimedOut(f"Timed out ({type(error).__name__})") from None
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {_redacted(str(error))}") from None
        finally:
            self._pool.release()
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("HTTP Request: %s %s %d", method, _redacted(url), response.status)
        if response.status == 401 and self._unauthorized is not None:
            self._unauthorized()
        if not 200 <= response.status <= 299 and _json(payload) is None:
            # PTB's error would quote the answer whole: a proxy's error page, or a page of a base_url that
            # is no Bot API server. PTB takes a JSON answer's "description" for its error's text instead.
            description = f"HTTP {response.status}: {_not_json(payload, response.content_type)}"
            payload = json.dumps({"ok": False, "description": description}).encode()
        return response.status, payload

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """BaseRequest's, without the ERROR line it logs with the answer whole and a traceback."""
        parsed = _json(payload)
        if parsed is None:
            raise TelegramError(_not_json(payload))
        return parsed

    def _chosen(self, value: ODVInput[float], default: str) -> float | None:
        return self._timeouts[default] if isinstance(value, DefaultValue) else value

    async def _acquire_connection(self, pool_timeout: float | None) -> None:
        try:
            async with asyncio.timeout(pool_timeout):
                await self._pool.acquire()
        except TimeoutError:
            raise TimedOut(POOL_TIMEOUT_MESSAGE) from None


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """Form-encoded parameters, or a multipart form when files are attached (as HTTPXRequest sends them)."""
    if request_data is None:
        return None
    if not request_data.multipart_data:
        return request_data.json_parameters
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form


def _json(payload: bytes) -> JSONDict | None:
    """The answer read as the Bot API writes it (a JSON object), or None."""
    try:
        parsed = json.loads(payload.decode("utf-8", "replace"))
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _not_json(payload: bytes, content_type: str = "") -> str:
    return f"an answer of {len(payload)} bytes{f' ({content_type})' if content_type else ''}, not the Bot API's JSON"


def _sum_or_none(*timeouts: float | None) -> float | None:
    return None if None in timeouts else sum(timeouts)


def _redacted(text: str) -> str:
    """The text with the token masked: in a Bot API URL path, and anywhere the log redactor knows it."""
    return REDACTOR.redact(_TOKEN_IN_PATH.sub(f"/bot{MASK}/", text))
