"""AiohttpRequest, python-telegram-bot's transport on aiohttp, against the fake Bot API: sends, uploads,
timeouts (per call and default), the connection pool, long polling, unreachable servers and the token;
and the adapter's pacing taken from the config."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import socket

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.adapters.telegram import TelegramAdapter
from bot.adapters.telegram.limits import ChatPacedRateLimiter
from bot.adapters.telegram.request import AiohttpRequest
from bot.config import PlatformLimits, TelegramSettings
from fake_telegram import FakeTelegram, UploadedFile, fake, token  # noqa: F401 - fake and token are pytest fixtures

STEP_TIMEOUT = 10.0


def bot_for(fake: FakeTelegram, request: AiohttpRequest | None = None, updates: AiohttpRequest | None = None) -> Bot:
    return Bot(fake.token, base_url=fake.base_url, request=request or AiohttpRequest(),
               get_updates_request=updates or AiohttpRequest(connection_pool_size=1))


def long_poll(seconds: float) -> RequestData:
    """A getUpdates body that keeps the fake from answering for `seconds` (no update is queued)."""
    return RequestData([RequestParameter.from_input("timeout", seconds)])


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_send_message_carries_form_encoded_parameters(fake, caplog):
    caplog.set_level(logging.DEBUG, logger="bot.adapters.telegram.request")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:1")]])
    async with bot_for(fake) as bot:
        sent = await asyncio.wait_for(
            bot.send_message(chat_id=77, text="<b>Grid</b> &amp; solar", parse_mode="HTML", reply_markup=keyboard),
            STEP_TIMEOUT,
        )
    (call,) = fake.calls_of("sendMessage")
    assert call.params["chat_id"] == "77"
    assert call.params["text"] == "<b>Grid</b> &amp; solar"
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "More", "callback_data": "more:1"}]]}
    assert sent.text == "Grid & solar"
    assert sent.message_id == call.result["message_id"]
    (line,) = [record.getMessage() for record in caplog.records if "sendMessage" in record.getMessage()]
    assert line == f"HTTP Request: POST {fake.base_url}[REDACTED]/sendMessage 200"


@pytest.mark.parametrize("document", [b"%PDF-1.4 tiny report\n", io.BytesIO(b"%PDF-1.4 tiny report\n")])
async def test_send_document_uploads_the_file_as_multipart(fake, document):
    async with bot_for(fake) as bot:
        sent = await asyncio.wait_for(
            bot.send_document(chat_id=77, document=document, filename="report.pdf", caption="Weekly report"),
            STEP_TIMEOUT,
        )
    (call,) = fake.calls_of("sendDocument")
    assert call.params["document"] == UploadedFile("report.pdf", "application/pdf", b"%PDF-1.4 tiny report\n")
    assert call.params["caption"] == "Weekly report"
    assert call.params["chat_id"] == "77"
    assert sent.document.file_name == "report.pdf"
    assert sent.document.file_size == len(b"%PDF-1.4 tiny report\n")


async def test_a_per_call_read_timeout_raises_timed_out_without_the_token(fake):
    async with AiohttpRequest(read_timeout=5.0) as request:
        with pytest.raises(TimedOut) as raised:
            await request.post(f"{fake.base_url}{fake.token}/getUpdates", long_poll(1.0), read_timeout=0.1)
    assert fake.token not in str(raised.value) and fake.token not in repr(raised.value)
    assert raised.value.__cause__ is None


async def test_the_default_read_timeout_applies_and_none_waits_as_long_as_it_takes(fake):
    url = f"{fake.base_url}{fake.token}/getUpdates"
    async with AiohttpRequest(read_timeout=0.1) as request:
        with pytest.raises(TimedOut):
            await request.post(url, long_poll(0.5))
        updates = await asyncio.wait_for(request.post(url, long_poll(0.5), read_timeout=None), STEP_TIMEOUT)
    assert updates == []


async def test_a_full_pool_raises_a_pool_timeout_without_sending(fake):
    url = f"{fake.base_url}{fake.token}/getUpdates"
    async with AiohttpRequest(connection_pool_size=1, pool_timeout=0.05) as request:
        holding = asyncio.create_task(request.post(url, long_poll(0.5)))
        await asyncio.sleep(0)  # the first request takes the only connection before it waits for the network
        with pytest.raises(TimedOut, match="Pool timeout"):
            await request.post(url, long_poll(0))
        assert await asyncio.wait_for(holding, STEP_TIMEOUT) == []
    assert len(fake.calls_of("getUpdates")) == 1


async def test_long_polling_waits_longer_than_the_read_timeout(token):
    """PTB adds getUpdates' poll timeout to the get-updates request's read timeout, so a quiet poll is no
    error although the server stays silent for longer than the read timeout alone."""
    async with FakeTelegram(token, long_poll_cap=0.5) as fake:
        async with bot_for(fake, updates=AiohttpRequest(read_timeout=0.1, connection_pool_size=1)) as bot:
            quiet = await asyncio.wait_for(bot.get_updates(timeout=2), STEP_TIMEOUT)
            update_id = await fake.push_update({"message": None})
            updates = await asyncio.wait_for(bot.get_updates(timeout=2), STEP_TIMEOUT)
    assert quiet == ()
    assert [update.update_id for update in updates] == [update_id]
    assert [float(call.params["timeout"]) for call in fake.calls_of("getUpdates")] == [2, 2]


async def test_an_unreachable_server_raises_network_error_without_the_token(token):
    base_url = f"http://127.0.0.1:{closed_port()}/bot"
    async with AiohttpRequest(connect_timeout=STEP_TIMEOUT) as request:
        with pytest.raises(NetworkError) as raised:
            await request.post(f"{base_url}{token}/getMe")
    assert not isinstance(raised.value, TimedOut)
    assert "ClientConnectorError" in str(raised.value)
    assert token not in str(raised.value) and token not in repr(raised.value)
    assert raised.value.__cause__ is None


PROXY_PAGE = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>\n"


@contextlib.asynccontextmanager
async def html_server(status: int):
    """A server that answers every request with an HTML page, as a proxy in front of the Bot API or a
    base_url that is no Bot API server does."""

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=PROXY_PAGE, status=status, content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/bot"
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("status", [502, 200])
async def test_an_answer_that_is_no_json_is_told_in_one_short_line(token, caplog, status):
    """python-telegram-bot logs such an answer whole with a traceback, at ERROR, and quotes it whole in
    its error: newsbot's log would show a proxy's page line by line."""
    async with html_server(status) as base_url:
        async with AiohttpRequest() as request:
            with pytest.raises(TelegramError) as raised:
                await asyncio.wait_for(request.post(f"{base_url}{token}/getMe"), STEP_TIMEOUT)
    assert isinstance(raised.value, NetworkError) == (status == 502)  # a 5xx is retried as before
    assert "not the Bot API's JSON" in str(raised.value)
    assert "html>" not in str(raised.value) and "\n" not in str(raised.value)
    assert [record for record in caplog.records if record.levelno >= logging.WARNING] == []


async def test_a_request_before_initialize_is_refused(fake):
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{fake.base_url}{fake.token}/getMe", "POST")


async def test_the_adapter_sends_and_polls_through_aiohttp(fake):
    settings = TelegramSettings(token=fake.token, base_url=fake.base_url)
    adapter = TelegramAdapter(settings, commands=[("help", "every command")], poll_timeout=1)
    assert all(isinstance(request, AiohttpRequest) for request in adapter._app.bot._request)
    await asyncio.wait_for(adapter.connect(), STEP_TIMEOUT)
    try:
        assert fake.commands == [{"command": "help", "description": "every command"}]
    finally:
        await asyncio.wait_for(adapter.disconnect(), STEP_TIMEOUT)


# pacing from the config --------------------------------------------------------------------------------


def test_limits_from_the_config_set_every_axis():
    limiter = ChatPacedRateLimiter.from_limits(PlatformLimits(per_chat_seconds=2, per_group_seconds=4, per_second=10))
    assert limiter._shared._base_limiter.max_rate == 10
    assert limiter._shared._group_max_rate == 15  # one message per 4 s is 15 a minute
    assert limiter._chat_period == 6  # a burst of 3, then one per 2 s


def test_zero_lifts_each_limit():
    limiter = ChatPacedRateLimiter.from_limits(PlatformLimits(per_chat_seconds=0, per_group_seconds=0, per_second=0))
    assert limiter._shared._base_limiter is None
    assert limiter._shared._group_max_rate == 0
    assert limiter._chat_period == 0


def test_the_adapter_paces_by_its_limits_and_by_default_as_telegram_does(token):
    settings = TelegramSettings(token=token, base_url="http://127.0.0.1:9/bot")
    lifted = TelegramAdapter(settings, commands=[], limits=PlatformLimits(per_chat_seconds=0, per_group_seconds=0, per_second=0))
    default = TelegramAdapter(settings, commands=[])
    assert lifted._app.bot.rate_limiter._shared._base_limiter is None
    assert default._app.bot.rate_limiter._shared._base_limiter.max_rate == 30
    assert default._app.bot.rate_limiter._shared._group_max_rate == 20
    assert default._app.bot.rate_limiter._chat_period == 3


def test_limits_and_a_rate_limiter_together_are_refused(token):
    settings = TelegramSettings(token=token, base_url="http://127.0.0.1:9/bot")
    with pytest.raises(ValueError, match="either"):
        TelegramAdapter(settings, commands=[], limits=PlatformLimits(), rate_limiter=ChatPacedRateLimiter())
