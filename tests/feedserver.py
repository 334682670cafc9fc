"""A local HTTP server on 127.0.0.1 (random port) that misbehaves on request, for the feed fetcher's tests.

Routes:
  /feeds/{name}?type=…   a fixture from tests/fixtures/feeds/, with the given Content-Type
  /etag/{name}           the same with an ETag and Last-Modified; answers 304 when If-None-Match matches
  /status/{code}         an empty response with that status (and ?retry_after=… as its Retry-After; ?challenge:
                         the header of a Cloudflare bot check)
  /slow                  waits until the test ends (or 10 s) before answering
  /trickle               sends one byte every 0.1 s until the test ends (or 10 s)
  /huge                  streams zeros, without a Content-Length, until the client hangs up
  /declared-huge         declares a 100 MB Content-Length and sends a few bytes
  /loop/a, /loop/b       redirect to each other
  /bad-host              redirects to a host name that is not valid IDNA
  /moved                 redirects permanently (301) to /feeds/rss2.xml, keeping its query (as http to https does)
  /moved-twice           redirects permanently (301) to /moved
  /moved-on              redirects permanently (301) to /chain/1, which redirects for now (302)
  /chain/{n}             redirects n more times, then serves rss2.xml
  /signed/{name}         redirects for now (302) to a fixture at another address each time (?signature=n),
                         as a CDN's signed links do
  /gzip/{layers}/{name}  a fixture gzipped that many times, with one layer said in Content-Encoding
                         (?unsaid: none, as a .gz file is served; ?cut: the last bytes left off); a
                         fixture that is no file: bytes that start as gzip and are not
"""

from __future__ import annotations

import asyncio
import gzip
from collections import Counter
from pathlib import Path

from aiohttp import web

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
ETAG = '"fixture-v1"'
LAST_MODIFIED = "Sun, 01 Mar 2026 12:00:00 GMT"
HUGE_CHUNK = b"0" * 65536
HUGE_LIMIT = 256 * 1024 * 1024
SLOW_LIMIT = 10.0


class FeedServer:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.request_headers: dict[str, dict[str, str]] = {}
        self.huge_bytes_sent = 0
        self.slow_answered = 0
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def url(self, path: str) -> str:
        return self.base_url + path

    async def start(self) -> None:
        app = web.Application(middlewares=[self._count])
        app.add_routes(
            [
                web.get("/feeds/{name}", self._feed),
                web.get("/etag/{name}", self._etag_feed),
                web.get("/status/{code}", self._status),
                web.get("/slow", self._slow),
                web.get("/trickle", self._trickle),
                web.get("/huge", self._huge),
                web.get("/declared-huge", self._declared_huge),
                web.get("/bad-host", self._redirect_to("http://xn--zz.example/feed")),
                web.get("/moved", self._redirect_to("/feeds/rss2.xml", permanent=True)),
                web.get("/moved-twice", self._redirect_to("/moved", permanent=True)),
                web.get("/moved-on", self._redirect_to("/chain/1", permanent=True)),
                web.get("/loop/a", self._redirect_to("/loop/b")),
                web.get("/loop/b", self._redirect_to("/loop/a")),
                web.get("/chain/{remaining}", self._chain),
                web.get("/signed/{name}", self._signed),
                web.get("/gzip/{layers}/{name}", self._gzipped),
            ]
        )
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _count(self, request: web.Request, handler):
        self.hits[request.path] += 1
        self.request_headers[request.path] = dict(request.headers)
        return await handler(request)

    async def _feed(self, request: web.Request) -> web.Response:
        body = (FIXTURES / request.match_info["name"]).read_bytes()
        content_type = request.query.get("type", "application/rss+xml")
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def _etag_feed(self, request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == ETAG:
            return web.Response(status=304, headers={"ETag": ETAG})
        body = (FIXTURES / request.match_info["name"]).read_bytes()
        headers = {"Content-Type": "application/rss+xml", "ETag": ETAG, "Last-Modified": LAST_MODIFIED}
        return web.Response(body=body, headers=headers)

    async def _status(self, request: web.Request) -> web.Response:
        headers = {"Retry-After": request.query["retry_after"]} if "retry_after" in request.query else {}
        if "challenge" in request.query:
            headers.update({"Server": "cloudflare", "cf-mitigated": "challenge"})
        return web.Response(status=int(request.match_info["code"]), headers=headers)

    async def _slow(self, request: web.Request) -> web.Response:
        try:
            await asyncio.wait_for(self._release.wait(), SLOW_LIMIT)
        except TimeoutError:
            pass
        self.slow_answered += 1
        return web.Response(body=(FIXTURES / "rss2.xml").read_bytes())

    async def _trickle(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        deadline = asyncio.get_running_loop().time() + SLOW_LIMIT
        try:
            while not self._release.is_set() and asyncio.get_running_loop().time() < deadline:
                await response.write(b" ")
                await asyncio.sleep(0.1)
        except ConnectionError:
            pass
        return response

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        try:
            while self.huge_bytes_sent < HUGE_LIMIT:
                await response.write(HUGE_CHUNK)
                self.huge_bytes_sent += len(HUGE_CHUNK)
        except ConnectionError:
            pass
        return response

    async def _declared_huge(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        response.content_length = 100 * 1024 * 1024
        await response.prepare(request)
        try:
            await response.write(b"<rss>")
        except ConnectionError:
            pass
        return response

    @staticmethod
    def _redirect_to(path: str, permanent: bool = False):
        async def redirect(request: web.Request) -> web.Response:
            query = f"?{request.query_string}" if request.query_string else ""
            raise (web.HTTPMovedPermanently if permanent else web.HTTPFound)(path + query)

        return redirect

    async def _chain(self, request: web.Request) -> web.Response:
        remaining = int(request.match_info["remaining"])
        if remaining == 0:
            raise web.HTTPFound("/feeds/rss2.xml")
        raise web.HTTPFound(f"/chain/{remaining - 1}")

    async def _signed(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(f"/feeds/{request.match_info['name']}?signature={self.hits[request.path]}")

    async def _gzipped(self, request: web.Request) -> web.Response:
        path = FIXTURES / request.match_info["name"]
        body = path.read_bytes() if path.is_file() else b"\x1f\x8b\x08\x00 not gzip at all"
        for _ in range(int(request.match_info["layers"])):
            body = gzip.compress(body)
        if "cut" in request.query:
            body = body[:-100]
        headers = {"Content-Type": "application/rss+xml"}
        if "unsaid" not in request.query:
            headers["Content-Encoding"] = "gzip"
        return web.Response(body=body, headers=headers)
