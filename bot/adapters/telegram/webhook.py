"""The web server Telegram posts updates to, on aiohttp, in place of python-telegram-bot's.

PTB's server (tornado, started by `Updater.start_webhook`) reads a body of up to 100 MB into memory
before it checks the secret, and logs an update it cannot read as a CRITICAL traceback quoting it;
its start takes no option to change either. This one checks the path, the secret header and the
declared length before it reads a byte of the body, takes at most `MAX_UPDATE_BYTES`, and answers an
update it cannot read with 400 and a warning line. Updates go to the Application's `update_queue`, as
PTB's own server puts them, and its handlers run as they do for long polling.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from http import HTTPStatus

from aiohttp import web
from telegram import Bot, Update

logger = logging.getLogger(__name__)

# An update is a few kilobytes: a message is at most 4,096 characters, with its entities and a reply's quote
MAX_UPDATE_BYTES = 1024 * 1024
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# How long a stop waits for a request being read (aiohttp's default, 60 seconds, for a body that stalls):
# reading an update takes milliseconds, and Telegram sends again one it got no answer for
STOP_GRACE_SECONDS = 1.0


class WebhookServer:
    """Serves POST /<path> on listen:port; `start` raises OSError when it cannot listen there."""

    def __init__(self, *, path: str, secret: str | None, bot: Bot, updates: asyncio.Queue):
        self._paths = (f"/{path}", f"/{path}/")
        self._secret = secret.encode() if secret is not None else None
        self._bot = bot
        self._updates = updates
        application = web.Application(client_max_size=MAX_UPDATE_BYTES)
        application.router.add_route("*", "/{anything:.*}", self._receive)
        # no access line per update (the bot's own logs tell what it answered); lingering_time=0: a refused
        # request's body still coming is not read on, the connection is closed
        self._runner = web.AppRunner(application, access_log=None, lingering_time=0, shutdown_timeout=STOP_GRACE_SECONDS)

    async def start(self, listen: str, port: int) -> None:
        await self._runner.setup()
        await web.TCPSite(self._runner, listen, port).start()

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        if request.path not in self._paths:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        if request.method != "POST":
            return web.Response(status=HTTPStatus.METHOD_NOT_ALLOWED, headers={"Allow": "POST"})
        if not self._has_the_secret(request):
            return web.Response(status=HTTPStatus.FORBIDDEN)
        if request.content_length is not None and request.content_length > MAX_UPDATE_BYTES:
            return web.Response(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        try:
            update = Update.de_json(_json_object(await request.read()), self._bot)
        except web.HTTPRequestEntityTooLarge:  # sent without a length, in chunks
            return web.Response(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        except Exception as error:  # not JSON, or not an update: PTB raises what its parsing ran into
            logger.warning("Telegram: the webhook refused a request that is no update (%s: %s)", type(error).__name__, error)
            return web.Response(status=HTTPStatus.BAD_REQUEST)
        await self._updates.put(update)
        return web.Response(status=HTTPStatus.OK)

    def _has_the_secret(self, request: web.Request) -> bool:
        if self._secret is None:
            return True
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")  # as aiohttp decoded its bytes
        return hmac.compare_digest(given, self._secret)


def _json_object(body: bytes) -> dict:
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError(f"JSON {type(data).__name__}, not an object")
    return data
