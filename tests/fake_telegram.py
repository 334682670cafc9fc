"""A fake Telegram Bot API server (aiohttp on 127.0.0.1) for driving the real python-telegram-bot in tests.

It serves `/bot{token}/{method}` with Telegram's envelopes, long-polls `getUpdates` from a queue the test
fills, validates every HTML message the way Telegram does (allowed tags only, balanced, no bare `<`, `>`
or `&`, at most 4,096 characters of visible text), injects faults on request, records every call, and
in webhook mode posts updates to the bot's webhook with the secret-token header.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import aiohttp
import pytest
from aiohttp import web

MESSAGE_LIMIT = 4096
MESSAGE_ENTITIES = 100  # Telegram shows the formatting of no more of a message's entities, hashtags among them
MARKUP_LIMIT = 10 * 1024  # bytes of a reply_markup's JSON: Telegram refuses a larger one, as reported publicly
# Characters of the text links' addresses in one message: Telegram refuses more with ENTITIES_TOO_LONG, a limit
# on the entities' total size that its maintainers put at about 9,500 characters of text and links together
LINK_ADDRESSES_LIMIT = 9000
ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "code", "pre", "blockquote", "tg-emoji",
}
ALLOWED_LINK_SCHEMES = ("http://", "https://", "tg://", "mailto:")
# Form bodies carry JSON-encoded values for these; every other value is a plain string.
JSON_FIELDS = {"reply_markup", "link_preview_options", "commands", "allowed_updates", "reply_parameters", "scope"}
BOT_ID = 4242
# What Telegram sends a bot that never set allowed_updates (or set an empty list)
UNLISTED_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}

# setMyCommands: names of lower-case Latin letters, digits and underscores, descriptions of 1 to 256 characters
MAX_COMMANDS = 100
COMMAND_DESCRIPTION_LIMIT = 256
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[A-Za-z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'))?)*)\s*>")
_ATTRIBUTE = re.compile(r"([A-Za-z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'))?")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});")


class BadRequestError(ValueError):
    """A call the Bot API answers with 400; the message is Telegram's description."""


class ForbiddenError(ValueError):
    """A call the Bot API answers with 403; the message is Telegram's description."""


class HtmlRejected(BadRequestError):
    """The text is not valid Telegram HTML."""


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _check_tag_attributes(name: str, attributes: dict[str, str]) -> None:
    if name == "a":
        href = attributes.get("href", "")
        if not href.lower().startswith(ALLOWED_LINK_SCHEMES):
            raise HtmlRejected(f"Bad Request: can't parse entities: unsupported URL {href!r}")
    elif name == "span" and attributes.get("class") != "tg-spoiler":
        raise HtmlRejected("Bad Request: can't parse entities: span without class tg-spoiler")
    elif name == "tg-emoji" and "emoji-id" not in attributes:
        raise HtmlRejected("Bad Request: can't parse entities: tg-emoji without emoji-id")


def visible_text(markup: str) -> str:
    """Parse Telegram HTML and return the text a user would see; raise HtmlRejected if invalid."""
    shown: list[str] = []
    open_tags: list[str] = []
    position = 0
    while position < len(markup):
        character = markup[position]
        if character == "<":
            tag = _TAG.match(markup, position)
            if not tag:
                raise HtmlRejected(f"Bad Request: can't parse entities: unexpected '<' at byte offset {position}")
            closing, name = tag.group(1), tag.group(2).lower()
            if name not in ALLOWED_TAGS:
                raise HtmlRejected(f'Bad Request: can\'t parse entities: unsupported start tag "{name}"')
            if closing:
                if not open_tags or open_tags[-1] != name:
                    raise HtmlRejected(f'Bad Request: can\'t parse entities: unmatched end tag "{name}"')
                open_tags.pop()
            else:
                attributes = {
                    match.group(1).lower(): html.unescape(match.group(2) or match.group(3) or "")
                    for match in _ATTRIBUTE.finditer(tag.group(3))
                }
                _check_tag_attributes(name, attributes)
                open_tags.append(name)
            position = tag.end()
        elif character == "&":
            entity = _ENTITY.match(markup, position)
            if not entity:
                raise HtmlRejected(f"Bad Request: can't parse entities: bare '&' at byte offset {position}")
            shown.append(html.unescape(entity.group()))
            position = entity.end()
        elif character == ">":
            raise HtmlRejected(f"Bad Request: can't parse entities: bare '>' at byte offset {position}")
        else:
            shown.append(character)
            position += 1
    if open_tags:
        raise HtmlRejected(f'Bad Request: can\'t parse entities: can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return "".join(shown)


def entity_count(markup: str) -> int:
    """The entities Telegram makes of a valid HTML message: one per formatting tag, one per hashtag."""
    tags = sum(1 for tag in _TAG.finditer(markup) if not tag.group(1))
    return tags + len(re.findall(r"(?<!\w)#\w", visible_text(markup)))


def link_addresses_length(markup: str) -> int:
    """Characters of the addresses of a message's text links, which Telegram keeps with their entities."""
    return sum(
        len(html.unescape(attribute.group(2) or attribute.group(3) or ""))
        for tag in _TAG.finditer(markup)
        if tag.group(2).lower() == "a" and not tag.group(1)
        for attribute in _ATTRIBUTE.finditer(tag.group(3))
        if attribute.group(1).lower() == "href"
    )


def validate_message_text(text: str | None, parse_mode: str | None) -> str:
    """Return the visible text of an outgoing message or raise HtmlRejected with Telegram's description."""
    if not text or not text.strip():
        raise HtmlRejected("Bad Request: message text is empty")
    shown = visible_text(text) if (parse_mode or "").upper() == "HTML" else text
    if utf16_length(shown) > MESSAGE_LIMIT:
        raise HtmlRejected("Bad Request: message is too long")
    if (parse_mode or "").upper() == "HTML" and link_addresses_length(text) > LINK_ADDRESSES_LIMIT:
        raise BadRequestError("Bad Request: ENTITIES_TOO_LONG")
    if not shown.strip():
        raise HtmlRejected("Bad Request: message text is empty")
    return shown


def validate_message(params: dict[str, Any]) -> None:
    """Refuse a message's text or keyboard as Telegram does, with its description."""
    validate_message_text(params.get("text"), params.get("parse_mode"))
    markup = params.get("reply_markup")
    if markup and len(json.dumps(markup, ensure_ascii=False).encode()) > MARKUP_LIMIT:
        raise BadRequestError("Bad Request: reply markup is too long")


DROPPED = 0  # the status of a call whose connection the fake closed without answering


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int = 200  # or DROPPED
    result: Any = None


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    content: bytes


@dataclass
class _Fault:
    status: int
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)
    after: int = 0  # calls still to answer normally before this fault


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class FakeTelegram:
    """The Bot API for one bot token. `async with FakeTelegram(token) as fake:` starts it on a random port."""

    def __init__(self, token: str, *, username: str = "newsbot_test_bot", long_poll_cap: float = 2.0):
        self.token = token
        self.username = username
        self.long_poll_cap = long_poll_cap  # bounds every getUpdates wait so shutdown never hangs
        self.calls: list[Call] = []
        self.chat_members: dict[tuple[int, int], str] = {}
        self.chats: dict[str, dict[str, Any]] = {}  # getChat's answers, by "@username" and by id
        self._members: dict[tuple[int, int], dict[str, Any]] = {}  # members with rights beyond their status
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.commands: list[dict[str, str]] = []
        # The update types the bot last asked for (getUpdates or setWebhook): Telegram keeps the list
        # until a call gives another. None is its default: every type but UNLISTED_UPDATES.
        self.allowed_updates: list[str] | None = None
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._faults: dict[str, list[_Fault]] = {}
        self._changed = asyncio.Condition()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = 0

    # lifecycle -----------------------------------------------------------------------------------
    async def __aenter__(self) -> "FakeTelegram":
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # test API --------------------------------------------------------------------------------------
    async def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        update = {"update_id": next(self._update_ids), **update}
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()
        return update["update_id"]

    def add_chat(self, chat_id: int, username: str | None, kind: str = "channel", *, bot_may_post: bool | None = True) -> None:
        """A chat getChat finds; the bot administers it (allowed to post or not), or with None is not in it."""
        found = {"id": chat_id, "type": kind, "title": f"Test {kind}", **_CHAT_FULL_INFO}
        if username:
            found["username"] = username
            self.chats[f"@{username}".lower()] = found
        self.chats[str(chat_id)] = found
        self.set_bot_rights(chat_id, bot_may_post)

    def set_bot_rights(self, chat_id: int, may_post: bool | None, *, kicked: bool = False) -> None:
        """The bot administers the chat, allowed to post or not; with None it is not in it (left, or
        `kicked`), as after an administrator demotes a bot in a channel or removes it."""
        if may_post is None:
            self._members[(chat_id, BOT_ID)] = chat_member(BOT_ID, "kicked" if kicked else "left")
        else:
            self._members[(chat_id, BOT_ID)] = chat_member(BOT_ID, "administrator") | {"can_post_messages": may_post}

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        after: int = 0,
    ) -> None:
        """Make a call of `method` fail with a Telegram error envelope: the next one, or the one after `after` more."""
        parameters = {"retry_after": retry_after} if retry_after is not None else {}
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        text = description or _DEFAULT_DESCRIPTIONS.get(status, "Internal Server Error")
        self._faults.setdefault(method, []).append(_Fault(status, text.format(retry_after=retry_after), parameters, after))

    def drop_next(self, method: str) -> None:
        """Make the next call of `method` lose its connection before any answer, as a network failure would."""
        self._faults.setdefault(method, []).append(_Fault(DROPPED, ""))

    def calls_of(self, method: str, *, ok_only: bool = True) -> list[Call]:
        return [call for call in self.calls if call.method == method and (call.status == 200 or not ok_only)]

    def sent_texts(self) -> list[str]:
        return [call.params["text"] for call in self.calls_of("sendMessage")]

    async def wait_for(self, predicate: Callable[["FakeTelegram"], bool], timeout: float = 5.0) -> None:
        """Wait until predicate(fake) holds, or fail the test after `timeout` seconds."""
        async def satisfied() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: predicate(self))

        await asyncio.wait_for(satisfied(), timeout)

    async def wait_for_calls(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        await self.wait_for(lambda fake: len(fake.calls_of(method)) >= count, timeout)
        return self.calls_of(method)

    def delivers(self, update: dict[str, Any]) -> bool:
        """Whether Telegram sends the bot this update, given the update types it last asked for."""
        [kind] = (key for key in update if key != "update_id")
        return kind in self.allowed_updates if self.allowed_updates else kind not in UNLISTED_UPDATES

    async def post_to_webhook(self, update: dict[str, Any], *, secret: str | None) -> int | None:
        """POST an update to the registered webhook as Telegram does; returns the HTTP status, or None
        when Telegram would not send the update (a type the bot did not ask for)."""
        if not self.delivers(update):
            return None
        update = {"update_id": next(self._update_ids), **update}
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(self.webhook_url, json=update, headers=headers) as response:
                return response.status

    # server ----------------------------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _read_params(request)
        call = Call(method, params)
        faults = self._faults.get(method)
        if faults and faults[0].after:
            faults[0].after -= 1
        elif faults:
            fault = faults.pop(0)
            call.status = fault.status
            await self._record(call)
            if fault.status == DROPPED:
                request.transport.close()
                return web.Response()  # never written: the connection is gone
            return _error(fault.status, fault.description, fault.parameters)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            call.status = 404
            await self._record(call)
            return _error(404, "Not Found: method not found")
        try:
            result = await handler(params)
        except (BadRequestError, ForbiddenError) as rejected:
            call.status = 403 if isinstance(rejected, ForbiddenError) else 400
            await self._record(call)
            return _error(call.status, str(rejected))
        call.result = result
        await self._record(call)
        return web.json_response({"ok": True, "result": result})

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID, "is_bot": True, "first_name": "Newsbot", "username": self.username,
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False,
        }

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = self.webhook_secret = None
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = params["url"]
        self.webhook_secret = params.get("secret_token")
        self._keep_allowed_updates(params)
        return True

    def _keep_allowed_updates(self, params: dict[str, Any]) -> None:
        if "allowed_updates" in params:
            self.allowed_updates = params["allowed_updates"]

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params["commands"]
        if len(commands) > MAX_COMMANDS:
            raise BadRequestError("Bad Request: too many commands specified")
        for entry in commands:
            if not _COMMAND_NAME.fullmatch(entry["command"]):
                raise BadRequestError("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(entry["description"]) <= COMMAND_DESCRIPTION_LIMIT:
                raise BadRequestError("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = commands
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), self.long_poll_cap)
        self._keep_allowed_updates(params)
        async with self._changed:
            deadline = time.monotonic() + wait
            while True:
                self._updates = [update for update in self._updates if update["update_id"] >= offset and self.delivers(update)]
                if self._updates or self._closing or time.monotonic() >= deadline:
                    return list(self._updates)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        self._check_bot_may_post(params["chat_id"])
        validate_message(params)
        return self._message(params, next(self._message_ids))

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        validate_message(params)
        return self._message(params, int(params["message_id"]))

    async def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        upload = params["document"]
        message = self._message({**params, "text": params.get("caption", "")}, next(self._message_ids))
        message["document"] = {"file_id": f"doc{message['message_id']}", "file_unique_id": f"u{message['message_id']}",
                               "file_name": upload.filename, "mime_type": upload.content_type, "file_size": len(upload.content)}
        return message

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        found = self.chats.get(str(params["chat_id"]).lower())
        if found is None:
            raise BadRequestError("Bad Request: chat not found")
        return found

    async def _api_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["user_id"]))
        if key[1] != BOT_ID and self._is_channel(key[0]) and self._bot_status(key[0]) != "administrator":
            raise BadRequestError("Bad Request: member list is inaccessible")  # only administrators see a channel's members
        return self._members.get(key) or chat_member(key[1], self.chat_members.get(key, "member"))

    async def _api_getChatAdministrators(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat_id = int(params["chat_id"])
        return [
            chat_member(user_id, status)
            for (chat, user_id), status in self.chat_members.items()
            if chat == chat_id and status in ("creator", "administrator")
        ]

    async def _api_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_logOut(self, params: dict[str, Any]) -> bool:
        return True

    def _message(self, params: dict[str, Any], message_id: int) -> dict[str, Any]:
        chat_id = self._chat_id(params["chat_id"])
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Newsbot", "username": self.username},
            "text": visible_text(params["text"]) if params.get("parse_mode") == "HTML" else params["text"],
        }
        if params.get("message_thread_id"):
            message["message_thread_id"] = int(params["message_thread_id"])
            message["is_topic_message"] = True
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message


    def _is_channel(self, chat_id: int) -> bool:
        return self.chats.get(str(chat_id), {}).get("type") == "channel"

    def _bot_status(self, chat_id: int) -> str | None:
        return self._members.get((chat_id, BOT_ID), {}).get("status")

    def _check_bot_may_post(self, chat: Any) -> None:
        """Telegram's answers to a post in a channel the bot may not post in (one added with add_chat)."""
        chat_id = self._chat_id(chat)
        if not self._is_channel(chat_id):
            return
        status = self._bot_status(chat_id)
        if status == "kicked":
            raise ForbiddenError("Forbidden: bot was kicked from the channel chat")
        if status != "administrator":
            raise ForbiddenError("Forbidden: bot is not a member of the channel chat")
        if not self._members[(chat_id, BOT_ID)].get("can_post_messages"):
            raise BadRequestError("Bad Request: need administrator rights in the channel chat")

    def _chat_id(self, chat: Any) -> int:
        """A chat id, or a channel's "@username" as Telegram takes it in place of one."""
        if str(chat).startswith("@"):
            found = self.chats.get(str(chat).lower())
            if found is None:
                raise BadRequestError("Bad Request: chat not found")
            return found["id"]
        return int(chat)


async def _read_params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        body = await request.read()
        return json.loads(body) if body else {}
    params: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            params[key] = value if isinstance(value, str) else UploadedFile(value.filename, value.content_type, value.file.read())
    return {key: json.loads(value) if key in JSON_FIELDS else value for key, value in params.items()}


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


# update and object builders -------------------------------------------------------------------------
_dates = itertools.count(1_790_000_000)


def user(user_id: int, name: str = "Ada") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name}


def chat(chat_id: int, kind: str = "private", *, is_forum: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"id": chat_id, "type": kind}
    if kind == "private":
        data["first_name"] = "Ada"
    else:
        data["title"] = "Test chat"
    if is_forum:
        data["is_forum"] = True
    return data


def message(
    text: str,
    *,
    chat_id: int = 111,
    kind: str = "private",
    user_id: int = 111,
    message_id: int = 1,
    thread_id: int | None = None,
) -> dict[str, Any]:
    """A message dict; text starting with "/" gets its bot_command entity as Telegram adds it."""
    data: dict[str, Any] = {
        "message_id": message_id,
        "date": next(_dates),
        "chat": chat(chat_id, kind, is_forum=thread_id is not None),
        "text": text,
    }
    if kind != "channel":
        data["from"] = user(user_id)
    if text.startswith("/"):
        data["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_length(text.split()[0])}]
    if thread_id is not None:
        data["message_thread_id"] = thread_id
        data["is_topic_message"] = True
    return data


def message_update(text: str, **options: Any) -> dict[str, Any]:
    return {"message": message(text, **options)}


def channel_post_update(text: str, *, chat_id: int = -1009) -> dict[str, Any]:
    return {"channel_post": message(text, chat_id=chat_id, kind="channel")}


def callback_update(
    data: str, *, message_id: int, chat_id: int = 111, kind: str = "private", user_id: int = 111, query_id: str = "cq1"
) -> dict[str, Any]:
    pressed_on = message("(an earlier reply)", chat_id=chat_id, kind=kind, user_id=BOT_ID, message_id=message_id)
    pressed_on["from"] = user(BOT_ID, "Newsbot") | {"is_bot": True}
    return {
        "callback_query": {
            "id": query_id,
            "from": user(user_id),
            "message": pressed_on,
            "chat_instance": "ci-1",
            "data": data,
        }
    }


def bot_status_update(chat_id: int, old: str, new: str, *, kind: str = "channel", by: int = 111, may_post: bool = True) -> dict[str, Any]:
    """The my_chat_member update Telegram sends when an administrator changes the bot's status in a chat."""
    def member(status: str) -> dict[str, Any]:
        found = chat_member(BOT_ID, status) | {"user": user(BOT_ID, "Newsbot") | {"is_bot": True}}
        return found | {"can_post_messages": may_post} if status == "administrator" and kind == "channel" else found

    changed = {"chat": chat(chat_id, kind), "from": user(by), "date": next(_dates)}
    return {"my_chat_member": changed | {"old_chat_member": member(old), "new_chat_member": member(new)}}


_CHAT_FULL_INFO = {
    "accent_color_id": 0,
    "max_reaction_count": 11,
    "accepted_gift_types": dict.fromkeys(
        ["unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels"], False
    ),
}

_ADMIN_RIGHTS = dict.fromkeys(
    [
        "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
        "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
        "can_post_stories", "can_edit_stories", "can_delete_stories",
    ],
    False,
)


def chat_member(user_id: int, status: str) -> dict[str, Any]:
    member: dict[str, Any] = {"status": status, "user": user(user_id)}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member |= _ADMIN_RIGHTS | {"can_manage_chat": True}
    elif status == "kicked":
        member["until_date"] = 0
    return member


@pytest.fixture
def token() -> str:
    """A token shaped like Telegram's and new in every test, so a leak shows up as this exact string."""
    return f"{secrets.randbelow(10**9)}:TEST-TOKEN-{secrets.token_hex(6)}"


@pytest.fixture
async def fake(token):
    """A fake Bot API serving `token`, for tests that import this fixture and `token`."""
    async with FakeTelegram(token) as server:
        yield server
