"""A fake Discord (REST + gateway websocket) on 127.0.0.1, good enough for the real discord.py client.

REST: `/users/@me`, `/oauth2/applications/@me`, `/gateway(/bot)`, bulk command upserts (global and
guild), interaction callbacks, webhook followups and `@original` edits/deletes, channel messages, a guild
channel's object, forum posts.
Responses are JSON with `Content-Type: application/json` exactly and X-RateLimit headers; a 429
carries `Via`, `Retry-After` and a JSON `retry_after` with `global: false` (`global_rate_limit()`: the
bot's global limit, `global: true` with `X-RateLimit-Global`), as Discord sends it.
Like Discord, it rejects messages over the limits (content, embeds, buttons), an embed link that is
not a well-formed http(s) URL (spaces, a host without a dot such as localhost), a second callback for one
interaction, and a callback after the 3-second window (`callback_window`), counted from the interaction's
creation, which its id tells; `late_by` dispatches an interaction made earlier.
Gateway: HELLO, heartbeat/ACK, IDENTIFY → READY, RESUME → replay + RESUMED (else INVALID_SESSION),
zlib-stream compression when asked, INTERACTION_CREATE dispatch, `drop_gateway()` to test resume, and
`expire_sessions()` to test identifying again.
Guilds (`guild_ids`, `add_guild()`): GUILD_CREATE carries the guild's channels, its roles and the bot's own
member (with the bot's role), as Discord sends them with the GUILDS intent alone. A server administrator's
changes arrive as Discord dispatches them and hold for posting too: `set_bot_overwrite()` (CHANNEL_UPDATE;
a channel the bot may not view answers 403 Missing Access, one it may not send in 403 Missing Permissions, one
it may not embed links in posts a message's text without its embeds and answers embeds alone 403),
`set_role_permissions()` (GUILD_ROLE_UPDATE), `give_bot_role()` (GUILD_ROLE_CREATE, GUILD_MEMBER_UPDATE), `remove_bot()` (GUILD_DELETE, then 403 Missing Access in every
channel), `add_bot()` (GUILD_CREATE), `delete_channel()` (CHANNEL_DELETE, then 404 Unknown Channel).
A forum channel (`add_forum()`) refuses messages (400, 50008) and takes posts: a thread named 1 to 100
characters with its first message (`forum_posts`), in which messages are then posted.
Faults: `inject()` answers matching requests with any status (or drops the connection); `rate_limit()`,
`global_rate_limit()`.
Every request is recorded in `calls`; every message the bot sends or edits in `message_payloads`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from aiohttp import WSMsgType, web

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1_420_070_400_000
EPHEMERAL = 1 << 6
RESPONSE_MESSAGE = 4
RESPONSE_DEFERRED_MESSAGE = 5
RESPONSE_DEFERRED_UPDATE = 6
RESPONSE_UPDATE_MESSAGE = 7
RESPONSE_AUTOCOMPLETE = 8
GUILDS_INTENT = 1 << 0
GUILD_FORUM = 15

_BUCKET_HEADERS = (
    "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Reset-After", "X-RateLimit-Bucket"
)
_BOT_ROUTE = re.compile(r"/(users|oauth2|gateway/bot|applications|channels)(/.*)?")


# What a bot added with the usual scopes may do in a channel: view it, send messages (also in threads), embed links
BOT_IN_A_CHANNEL = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 38)
ADMINISTRATOR = 1 << 3
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ALL_PERMISSIONS = (1 << 50) - 1
MEMBER_OVERWRITE = 1


class FakeDiscordError(AssertionError):
    """The test asked the fake for something Discord would not do."""


@dataclass
class Call:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    body: Any
    authorization: str | None


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int | None  # None: drop the connection without an answer
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    after: int = 0  # matching requests still to let through before answering any
    after_handling: bool = False  # handle the request, then answer with the fault (the answer was lost)


@dataclass
class InteractionLog:
    """What the bot answered to one interaction, in order: (kind, payload) pairs."""

    id: str
    token: str
    type: int
    created: float
    channel_id: str
    component_message_id: str | None = None
    original_message_id: str | None = None
    responses: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def callback_types(self) -> list[int]:
        return [payload["type"] for kind, payload in self.responses if kind == "callback"]

    @property
    def choices(self) -> list[dict]:
        for kind, payload in self.responses:
            if kind == "callback" and payload["type"] == RESPONSE_AUTOCOMPLETE:
                return payload["data"]["choices"]
        raise FakeDiscordError("no autocomplete answer")

    def message_payloads(self) -> list[dict]:
        """The message bodies the bot sent for this interaction (callback data, followups, edits)."""
        result = []
        for kind, payload in self.responses:
            if kind == "callback" and payload["type"] in (RESPONSE_MESSAGE, RESPONSE_UPDATE_MESSAGE):
                result.append(payload.get("data") or {})
            elif kind in ("followup", "edit_original"):
                result.append(payload)
        return result


@dataclass
class FakeGuild:
    """A guild as far as the bot's permissions go: channels (Discord's channel objects), roles by id (the
    @everyone role has the guild's id), the roles the bot holds, and whether the bot is in it."""

    id: str
    channels: dict[str, dict]
    roles: dict[str, dict]
    bot_roles: list[str]
    bot_present: bool = True


def _role(role_id: str, name: str, permissions: int, position: int) -> dict:
    role = {"id": role_id, "name": name, "permissions": str(permissions), "position": position, "color": 0}
    role.update(hoist=False, managed=name != "@everyone", mentionable=False, flags=0)
    return role


def _text_channel(guild_id: str, channel_id: str) -> dict:
    return {"id": channel_id, "guild_id": guild_id, "type": 0, "name": f"news-{channel_id}", "position": 0, "permission_overwrites": []}


def _permissions(guild: FakeGuild, channel: dict, member_id: str) -> int:
    """Discord's computation of a member's permissions in a channel: roles, then overwrites."""
    granted = 0
    for role_id in (guild.id, *guild.bot_roles):
        granted |= int(guild.roles[role_id]["permissions"])
    if granted & ADMINISTRATOR:
        return ALL_PERMISSIONS
    overwrites = {overwrite["id"]: overwrite for overwrite in channel["permission_overwrites"]}
    for applying in ([guild.id], guild.bot_roles, [member_id]):
        found = [overwrites[key] for key in applying if key in overwrites]
        granted &= ~_union(overwrite["deny"] for overwrite in found)
        granted |= _union(overwrite["allow"] for overwrite in found)
    return granted


def _union(values) -> int:
    total = 0
    for value in values:
        total |= int(value)
    return total


@dataclass
class _Session:
    id: str
    events: list[dict] = field(default_factory=list)
    sequence: int = 0


def _embed_url_problem(url: str) -> str | None:
    """Discord's answer to an embed link it refuses; None when it takes it."""
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("http", "https"):
        return f"Scheme {scheme!r} is not supported. Scheme must be one of ('http', 'https')."
    host = rest.split("/", 1)[0].split("?", 1)[0].rpartition("@")[2].rsplit(":", 1)[0]
    if any(character.isspace() for character in url) or "." not in host.strip("."):
        return "Not a well formed URL."
    return None


def _validate_message(payload: dict) -> list[str]:
    """Discord's limits on a message body; an empty list when it would be accepted."""
    problems = []
    content = payload.get("content") or ""
    if len(content) > 2000:
        problems.append(f"content is {len(content)} characters")
    embeds = payload.get("embeds") or []
    if len(embeds) > 10:
        problems.append(f"{len(embeds)} embeds")
    total = 0
    for embed in embeds:
        title, description = embed.get("title") or "", embed.get("description") or ""
        fields = embed.get("fields") or []
        size = len(title) + len(description)
        size += sum(len(item.get("name", "")) + len(item.get("value", "")) for item in fields)
        size += len((embed.get("footer") or {}).get("text", "")) + len((embed.get("author") or {}).get("name", ""))
        total += size
        if embed.get("url") and (problem := _embed_url_problem(embed["url"])):
            problems.append(f"embed url: {problem}")
        if len(title) > 256 or len(description) > 4096 or len(fields) > 25 or size > 6000:
            problems.append(f"embed over its limits: {embed}")
        if any(len(item.get("name", "")) > 256 or len(item.get("value", "")) > 1024 for item in fields):
            problems.append("embed field over its limits")
        if any(not item.get("name", "").strip() or not item.get("value", "").strip() for item in fields):
            problems.append("embed field with no name or value: this field is required")
    if total > 6000:
        problems.append(f"embeds total {total} characters")
    rows = payload.get("components") or []
    custom_ids = [button.get("custom_id") for row in rows for button in row.get("components", [])]
    if len(rows) > 5 or any(len(row.get("components", [])) > 5 for row in rows):
        problems.append("too many components")
    if len(set(custom_ids)) != len(custom_ids):
        problems.append("duplicate custom_id")
    for row in rows:
        for button in row.get("components", []):
            if len(button.get("custom_id") or "") > 100 or len(button.get("label") or "") > 80:
                problems.append(f"button over its limits: {button}")
    if not (content or embeds or rows):
        problems.append("Cannot send an empty message")
    return problems


class FakeDiscord:
    def __init__(
        self,
        token: str,
        *,
        application_id: int = 7_000_000_000_000_000_01,
        bot_user_id: int = 7_000_000_000_000_000_02,
        heartbeat_interval_ms: int = 41_250,
        callback_window: float = 3.0,
        guild_ids: tuple[int, ...] = (),
    ):
        self.token = token
        self.application_id = str(application_id)
        self.bot_user_id = str(bot_user_id)
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.callback_window = callback_window
        self.guild_ids = [str(guild_id) for guild_id in guild_ids]
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.message_payloads: list[dict] = []
        self.rejected: list[list[str]] = []
        self.channel_messages: dict[str, list[dict]] = {}
        self.deleted_channels: set[str] = set()
        self.forum_posts: dict[str, list[dict]] = {}  # forum channel id → the threads the bot started there
        self.forbidden_channels: set[str] = set()
        self.guilds: dict[str, FakeGuild] = {}
        self.synced_commands: dict[str, list[dict]] = {}  # "global" or guild id → commands
        self.sync_requests: list[str] = []
        self.interactions: dict[str, InteractionLog] = {}
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeats = 0
        self._messages: dict[str, dict] = {}
        self._by_nonce: dict[tuple[str, str], dict] = {}
        self._ids = itertools.count(1_100_000_000_000_000_000)
        self._sessions: dict[str, _Session] = {}
        self._current_session: _Session | None = None
        self._socket: web.WebSocketResponse | None = None
        self._socket_compressor = None
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # lifecycle -------------------------------------------------------------------------------------

    async def __aenter__(self) -> "FakeDiscord":
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/gateway", self._gateway)
        routes = [
            ("GET", "/users/@me", self._me),
            ("GET", "/oauth2/applications/@me", self._application),
            ("GET", "/gateway", self._gateway_url),
            ("GET", "/gateway/bot", self._gateway_bot),
            ("PUT", "/applications/{app}/commands", self._sync_commands),
            ("PUT", "/applications/{app}/guilds/{guild}/commands", self._sync_commands),
            ("POST", "/interactions/{interaction}/{token}/callback", self._callback),
            ("POST", "/webhooks/{app}/{token}", self._followup),
            ("PATCH", "/webhooks/{app}/{token}/messages/@original", self._edit_original),
            ("DELETE", "/webhooks/{app}/{token}/messages/@original", self._delete_original),
            ("POST", "/channels/{channel}/messages", self._channel_message),
            ("POST", "/channels/{channel}/threads", self._forum_post),
            ("GET", "/channels/{channel}", self._channel),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, API_PREFIX + path, handler)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc_info) -> None:
        if self._socket is not None:
            await self._socket.close()
        await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # test controls ---------------------------------------------------------------------------------

    def inject(
        self,
        method: str,
        path: str,
        status: int | None,
        body: Any = None,
        headers=None,
        times: int = 1,
        after: int = 0,
        after_handling: bool = False,
    ):
        """Answer the next `times` requests matching method and path (a regex) with this instead,
        once `after` matching requests have gone through; `after_handling`: carry the request out first."""
        self.faults.append(Fault(method, re.compile(path), status, body, dict(headers or {}), times, after, after_handling))

    def rate_limit(self, method: str, path: str, retry_after: float, times: int = 1, after: int = 0) -> None:
        """A route's (bucket's) limit, as Discord answers it."""
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Bucket": "fakebucket",
            "X-RateLimit-Scope": "user",
        }
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
        self.inject(method, path, 429, body, headers, times, after)

    def global_rate_limit(self, method: str, path: str, retry_after: float, times: int = 1) -> None:
        """The bot's global limit (50 requests a second), as Discord answers it: no bucket headers."""
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Global": "true",
            "X-RateLimit-Scope": "global",
            **dict.fromkeys(_BUCKET_HEADERS),
        }
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": True}
        self.inject(method, path, 429, body, headers, times)

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        async def satisfied():
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(satisfied(), timeout)

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close the bot's websocket as a gateway failure would; the session stays resumable."""
        socket, self._socket = self._socket, None
        if socket is not None:
            await socket.close(code=code)

    def expire_sessions(self) -> None:
        """Forget every gateway session: the next RESUME is answered INVALID_SESSION, as after a long outage."""
        self._sessions.clear()

    async def dispatch(self, event: str, data: dict) -> None:
        session = self._current_session
        if session is None:
            raise FakeDiscordError("no gateway session to dispatch to")
        session.sequence += 1
        message = {"op": 0, "t": event, "s": session.sequence, "d": data}
        session.events.append(message)
        if self._socket is not None:
            await self._send(message)

    # a server administrator ----------------------------------------------------------------------------

    def add_guild(self, guild_id: int | str, *channel_ids: int | str) -> FakeGuild:
        """A guild the bot is in, with text channels; before the bot connects."""
        guild = self._guild_state(str(guild_id))
        for channel_id in map(str, channel_ids):
            guild.channels[channel_id] = _text_channel(guild.id, channel_id)
        if guild.id not in self.guild_ids:
            self.guild_ids.append(guild.id)
        return guild

    def add_forum(self, guild_id: int | str, forum_id: int | str) -> None:
        """A forum channel in a guild the bot is in; before the bot connects."""
        guild = self.add_guild(guild_id)
        forum = {**_text_channel(guild.id, str(forum_id)), "type": GUILD_FORUM, "available_tags": []}
        guild.channels[forum["id"]] = forum

    def bot_permissions(self, channel_id: int | str) -> int:
        """The bot's permissions in a channel of a guild (what an interaction's app_permissions says)."""
        guild, channel = self._guild_of(str(channel_id))
        return _permissions(guild, channel, self.bot_user_id)

    async def set_bot_overwrite(self, channel_id: int | str, *, deny: int = 0, allow: int = 0) -> None:
        """Set the bot's own overwrite in a channel (none when both are 0), as Manage Permissions does."""
        guild, channel = self._guild_of(str(channel_id))
        others = [overwrite for overwrite in channel["permission_overwrites"] if overwrite["id"] != self.bot_user_id]
        if deny or allow:
            others.append({"id": self.bot_user_id, "type": MEMBER_OVERWRITE, "allow": str(allow), "deny": str(deny)})
        channel["permission_overwrites"] = others
        await self.dispatch("CHANNEL_UPDATE", channel)

    async def set_role_permissions(self, guild_id: int | str, role_id: int | str, permissions: int) -> None:
        guild = self.guilds[str(guild_id)]
        role = guild.roles[str(role_id)]
        role["permissions"] = str(permissions)
        await self.dispatch("GUILD_ROLE_UPDATE", {"guild_id": guild.id, "role": role})

    async def give_bot_role(self, guild_id: int | str, role_id: int | str, permissions: int) -> None:
        """A new role, then the bot given it: GUILD_ROLE_CREATE, then GUILD_MEMBER_UPDATE (which Discord
        sends for the bot's own member without the GUILD_MEMBERS intent)."""
        guild = self.guilds[str(guild_id)]
        role = _role(str(role_id), f"role {role_id}", permissions, len(guild.roles))
        guild.roles[role["id"]] = role
        await self.dispatch("GUILD_ROLE_CREATE", {"guild_id": guild.id, "role": role})
        guild.bot_roles.append(role["id"])
        member = {"guild_id": guild.id, "user": self._bot_user(), "roles": guild.bot_roles, "joined_at": "2024-01-01T00:00:00+00:00"}
        await self.dispatch("GUILD_MEMBER_UPDATE", {**member, "nick": None, "avatar": None, "flags": 0, "pending": False})

    async def remove_bot(self, guild_id: int | str) -> None:
        """The bot is kicked: GUILD_DELETE without `unavailable`, and no more access to its channels."""
        self.guilds[str(guild_id)].bot_present = False
        await self.dispatch("GUILD_DELETE", {"id": str(guild_id)})

    async def add_bot(self, guild_id: int | str) -> None:
        """The bot is invited back: GUILD_CREATE for a guild joined (no `unavailable`)."""
        self.guilds[str(guild_id)].bot_present = True
        payload = self._guild(str(guild_id))
        del payload["unavailable"]
        await self.dispatch("GUILD_CREATE", payload)

    async def delete_channel(self, channel_id: int | str) -> None:
        guild, channel = self._guild_of(str(channel_id))
        del guild.channels[channel["id"]]
        self.deleted_channels.add(channel["id"])
        await self.dispatch("CHANNEL_DELETE", channel)

    # users ---------------------------------------------------------------------------------------------

    async def slash(self, name: str, value: Any = None, **origin) -> InteractionLog:
        """A user runs /name with its one option (if any) set to value."""
        command = self._command(name, origin.get("guild_id"))
        data = {"id": command["id"], "name": name, "type": 1}
        if value is not None:
            option = command["options"][0]
            data["options"] = [{"name": option["name"], "type": option["type"], "value": value}]
        return await self._interact(2, data, **origin)

    async def autocomplete(self, name: str, partial: str, **origin) -> InteractionLog:
        command = self._command(name, origin.get("guild_id"))
        option = command["options"][0]
        if not option.get("autocomplete"):
            raise FakeDiscordError(f"/{name} {option['name']} has no autocomplete")
        data = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": [{"name": option["name"], "type": option["type"], "value": partial, "focused": True}],
        }
        return await self._interact(4, data, **origin)

    async def click(self, message: dict, custom_id: str, **origin) -> InteractionLog:
        stored = self._messages[message["id"]]
        ids = [button.get("custom_id") for row in stored.get("components", []) for button in row["components"]]
        if custom_id not in ids:
            raise FakeDiscordError(f"no button {custom_id!r} on message {message['id']}")
        data = {"custom_id": custom_id, "component_type": 2}
        origin.setdefault("channel_id", stored["channel_id"])
        return await self._interact(3, data, message=stored, **origin)

    async def wait_answered(self, log: InteractionLog, count: int = 1, timeout: float = 5.0) -> InteractionLog:
        """Wait until the bot sent `count` responses (callback, followups, edits) to an interaction."""
        await self.wait_until(lambda: len(log.responses) >= count, timeout)
        return log

    def messages_in(self, channel_id: str) -> list[dict]:
        return self.channel_messages.get(str(channel_id), [])

    def message(self, message_id: str) -> dict:
        return self._messages[message_id]

    # helpers ---------------------------------------------------------------------------------------

    def _snowflake(self) -> str:
        return str(next(self._ids))

    def _snowflake_at(self, moment: float) -> str:
        """An id that tells the moment it was made (Unix seconds), as Discord's do."""
        return str((int(moment * 1000) - DISCORD_EPOCH_MS) << 22 | next(self._ids) & 0x3FFFFF)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _bot_user(self) -> dict:
        return {
            "id": self.bot_user_id,
            "username": "newsbot",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
            "flags": 0,
            "verified": True,
            "mfa_enabled": False,
        }

    @staticmethod
    def _user(user_id: int | str) -> dict:
        return {"id": str(user_id), "username": f"user{user_id}", "discriminator": "0", "avatar": None}

    @staticmethod
    def _json(data: Any, status: int = 200, headers: dict[str, str | None] | None = None) -> web.Response:
        """A JSON answer with a bucket's X-RateLimit headers; a header given as None is left out."""
        all_headers = {
            "Content-Type": "application/json",
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "4",
            "X-RateLimit-Reset": f"{time.time() + 5:.3f}",
            "X-RateLimit-Reset-After": "5.000",
            "X-RateLimit-Bucket": "fakebucket",
        }
        all_headers.update(headers or {})
        present = {name: value for name, value in all_headers.items() if value is not None}
        return web.Response(status=status, body=json.dumps(data).encode("utf-8"), headers=present)

    def _error(self, status: int, message: str, code: int = 0, errors: Any = None) -> web.Response:
        body = {"message": message, "code": code}
        if errors is not None:
            body["errors"] = errors
        return self._json(body, status)

    def _command(self, name: str, guild_id: int | None) -> dict:
        scopes = [str(guild_id), "global"] if guild_id is not None else ["global"]
        for scope in scopes:
            for command in self.synced_commands.get(scope, []):
                if command["name"] == name:
                    return command
        raise FakeDiscordError(f"/{name} was never synced for {scopes}")

    def _guild_state(self, guild_id: str) -> FakeGuild:
        """The guild's model; a guild named only in `guild_ids` has one channel, "<guild id>0"."""
        if guild_id not in self.guilds:
            bot_role = str(int(guild_id) + 1)
            roles = {guild_id: _role(guild_id, "@everyone", 0, 0), bot_role: _role(bot_role, "newsbot", BOT_IN_A_CHANNEL, 1)}
            channel = _text_channel(guild_id, f"{guild_id}0")
            self.guilds[guild_id] = FakeGuild(guild_id, {channel["id"]: channel}, roles, [bot_role])
        return self.guilds[guild_id]

    def _guild_of(self, channel_id: str) -> tuple[FakeGuild, dict]:
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild, guild.channels[channel_id]
        raise FakeDiscordError(f"channel {channel_id} is in no guild of the fake")

    def _is_forum(self, channel_id: str) -> bool:
        try:
            return self._guild_of(channel_id)[1]["type"] == GUILD_FORUM
        except FakeDiscordError:
            return False

    def _as_posted(self, channel_id: str, payload: dict) -> dict | web.Response:
        """The message as Discord posts it in a channel of a guild, or its refusal where the bot may not post it.
        Without Embed Links, Discord drops a message's embeds and posts the rest, and refuses embeds alone."""
        try:
            guild, _ = self._guild_of(channel_id)
        except FakeDiscordError:  # a channel the test did not model: the bot may post there
            return payload
        granted = self.bot_permissions(channel_id)
        if not guild.bot_present or not granted & VIEW_CHANNEL:
            return self._error(403, "Missing Access", 50001)
        if not granted & SEND_MESSAGES:
            return self._error(403, "Missing Permissions", 50013)
        if payload.get("embeds") and not granted & EMBED_LINKS:
            return {**payload, "embeds": []} if payload.get("content") else self._error(403, "Missing Permissions", 50013)
        return payload

    def _store_message(self, channel_id: str, payload: dict, *, flags: int = 0, interaction: bool = False) -> dict:
        message = {
            "id": self._snowflake(),
            "channel_id": channel_id,
            "author": self._bot_user(),
            "content": payload.get("content") or "",
            "embeds": payload.get("embeds") or [],
            "components": self._echo_components(payload.get("components") or []),
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "type": 20 if interaction else 0,
            "flags": flags | (payload.get("flags") or 0),
            "timestamp": datetime.now(timezone.utc).isoformat(),
            "edited_timestamp": None,
        }
        if interaction:
            message["webhook_id"] = self.application_id
            message["application_id"] = self.application_id
        self._messages[message["id"]] = message
        self.channel_messages.setdefault(channel_id, []).append(message)
        return message

    def _edit_message(self, message_id: str, payload: dict) -> dict:
        message = self._messages[message_id]
        for key in ("content", "embeds"):
            if key in payload:
                message[key] = payload[key] or ([] if key == "embeds" else "")
        if "components" in payload:
            message["components"] = self._echo_components(payload["components"] or [])
        message["edited_timestamp"] = datetime.now(timezone.utc).isoformat()
        return message

    def _echo_components(self, rows: list[dict]) -> list[dict]:
        return [{**row, "id": index + 1} for index, row in enumerate(rows)]

    def _record_message(self, payload: dict) -> list[str]:
        self.message_payloads.append(payload)
        problems = _validate_message(payload)
        if problems:
            self.rejected.append(problems)
        return problems

    # middleware: recording, faults, auth ------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler):
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        path = request.path[len(API_PREFIX):]
        body = await request.json() if request.can_read_body else None
        self.calls.append(Call(request.method, path, dict(request.query), body, request.headers.get("Authorization")))
        await self._notify()
        for fault in self.faults:
            if fault.times > 0 and fault.method == request.method and fault.path.fullmatch(path):
                if fault.after:
                    fault.after -= 1
                    continue
                fault.times -= 1
                if fault.after_handling:
                    await handler(request)
                if fault.status is None:
                    request.transport.close()
                    raise ConnectionResetError("fault: connection dropped")
                if isinstance(fault.body, str):  # a web page where the API should be: a proxy's, a wrong api_base
                    return web.Response(status=fault.status, text=fault.body, content_type="text/html")
                return self._json(fault.body if fault.body is not None else {}, fault.status, fault.headers)
        if _BOT_ROUTE.fullmatch(path) and request.headers.get("Authorization") != f"Bot {self.token}":
            return self._error(401, "401: Unauthorized")
        return await handler(request)

    # REST handlers ---------------------------------------------------------------------------------

    async def _me(self, request: web.Request) -> web.Response:
        return self._json(self._bot_user())

    async def _application(self, request: web.Request) -> web.Response:
        return self._json(
            {
                "id": self.application_id,
                "name": "newsbot",
                "icon": None,
                "description": "",
                "summary": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "00",
                "owner": self._user(42),
                "flags": 0,
                "interactions_endpoint_url": None,
            }
        )

    async def _gateway_url(self, request: web.Request) -> web.Response:
        return self._json({"url": self.gateway_url})

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return self._json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _sync_commands(self, request: web.Request) -> web.Response:
        scope = request.match_info.get("guild", "global")
        if request.match_info["app"] != self.application_id:
            return self._error(403, "Missing Access", 50001)
        commands = []
        for payload in await request.json():
            command = {**payload, "id": self._snowflake(), "application_id": self.application_id, "version": "1"}
            command.setdefault("options", [])
            command.setdefault("type", 1)
            if scope != "global":
                command["guild_id"] = scope
            commands.append(command)
        self.synced_commands[scope] = commands
        self.sync_requests.append(scope)
        await self._notify()
        return self._json(commands)

    async def _channel_message(self, request: web.Request) -> web.Response:
        channel_id = request.match_info["channel"]
        if channel_id in self.deleted_channels:
            return self._error(404, "Unknown Channel", 10003)
        if channel_id in self.forbidden_channels:
            return self._error(403, "Missing Access", 50001)
        if self._is_forum(channel_id):
            return self._error(400, "Cannot send messages in a non-text channel", 50008)
        payload = await request.json()
        posted = self._as_posted(channel_id, payload)
        if isinstance(posted, web.Response):
            return posted
        if problems := self._record_message(payload):
            return self._error(400, "Invalid Form Body", 50035, problems)
        nonce = (channel_id, payload.get("nonce")) if payload.get("enforce_nonce") else None
        if nonce in self._by_nonce:  # Discord answers a repeated enforced nonce with the message it made
            return self._json(self._by_nonce[nonce])
        message = self._store_message(channel_id, posted)
        if nonce is not None:
            self._by_nonce[nonce] = message
        await self._notify()
        return self._json(message)

    async def _channel(self, request: web.Request) -> web.Response:
        try:
            _, channel = self._guild_of(request.match_info["channel"])
        except FakeDiscordError:
            return self._error(404, "Unknown Channel", 10003)
        return self._json(channel)

    async def _forum_post(self, request: web.Request) -> web.Response:
        forum_id = request.match_info["channel"]
        if not self._is_forum(forum_id):
            raise FakeDiscordError(f"the fake starts threads in forum channels only, not in {forum_id}")
        payload = await request.json()
        name = payload.get("name") or ""
        if not 1 <= len(name) <= 100:
            self.rejected.append([f"thread name of {len(name)} characters"])
            return self._error(400, "Invalid Form Body", 50035, {"name": "Must be between 1 and 100 in length."})
        posted = self._as_posted(forum_id, payload.get("message") or {})
        if isinstance(posted, web.Response):
            return posted
        if problems := self._record_message(payload["message"]):
            return self._error(400, "Invalid Form Body", 50035, problems)
        thread_id = self._snowflake()
        message = self._store_message(thread_id, posted)
        metadata = {"archived": False, "auto_archive_duration": payload.get("auto_archive_duration") or 1440, "locked": False}
        thread = {
            "id": thread_id,
            "type": 11,
            "guild_id": self._guild_of(forum_id)[0].id,
            "parent_id": forum_id,
            "owner_id": self.bot_user_id,
            "name": name,
            "last_message_id": message["id"],
            "message_count": 1,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "flags": 0,
            "thread_metadata": {**metadata, "archive_timestamp": message["timestamp"]},
        }
        self.forum_posts.setdefault(forum_id, []).append(thread)
        await self._notify()
        return self._json({**thread, "message": message}, 201)

    async def _callback(self, request: web.Request) -> web.Response:
        log = self.interactions.get(request.match_info["interaction"])
        if log is None or log.token != request.match_info["token"]:
            return self._error(404, "Unknown interaction", 10062)
        if log.callback_types:
            return self._error(400, "Interaction has already been acknowledged.", 40060)
        if time.monotonic() - log.created > self.callback_window:
            return self._error(404, "Unknown interaction", 10062)
        payload = await request.json()
        kind = payload["type"]
        data = payload.get("data") or {}
        if kind in (RESPONSE_MESSAGE, RESPONSE_UPDATE_MESSAGE) and (problems := self._record_message(data)):
            return self._error(400, "Invalid Form Body", 50035, problems)
        log.responses.append(("callback", payload))
        resource: dict[str, Any] = {"type": kind}
        if kind in (RESPONSE_MESSAGE, RESPONSE_DEFERRED_MESSAGE):
            loading = {"content": ""} if kind == RESPONSE_DEFERRED_MESSAGE else data
            message = self._store_message(log.channel_id, loading, flags=data.get("flags") or 0, interaction=True)
            log.original_message_id = message["id"]
            resource["message"] = message
        elif kind in (RESPONSE_DEFERRED_UPDATE, RESPONSE_UPDATE_MESSAGE) and log.component_message_id:
            log.original_message_id = log.component_message_id
            if kind == RESPONSE_UPDATE_MESSAGE:
                self._edit_message(log.component_message_id, data)
            resource["message"] = self._messages[log.component_message_id]
        answer = {
            "interaction": {
                "id": log.id,
                "type": log.type,
                "response_message_id": log.original_message_id,
                "response_message_loading": kind == RESPONSE_DEFERRED_MESSAGE,
                "response_message_ephemeral": bool((data.get("flags") or 0) & EPHEMERAL),
            },
            "resource": resource,
        }
        await self._notify()
        return self._json(answer)

    def _log_for_token(self, request: web.Request) -> InteractionLog | None:
        if request.match_info["app"] != self.application_id:
            return None
        token = request.match_info["token"]
        return next((log for log in self.interactions.values() if log.token == token), None)

    async def _followup(self, request: web.Request) -> web.Response:
        log = self._log_for_token(request)
        if log is None or not log.callback_types:
            return self._error(404, "Unknown Webhook", 10015)
        payload = await request.json()
        if problems := self._record_message(payload):
            return self._error(400, "Invalid Form Body", 50035, problems)
        log.responses.append(("followup", payload))
        message = self._store_message(log.channel_id, payload, interaction=True)
        await self._notify()
        return self._json(message)

    async def _edit_original(self, request: web.Request) -> web.Response:
        log = self._log_for_token(request)
        if log is None or log.original_message_id not in self._messages:
            return self._error(404, "Unknown Message", 10008)
        payload = await request.json()
        merged = {**self._messages[log.original_message_id], **payload}
        if problems := self._record_message(merged):
            return self._error(400, "Invalid Form Body", 50035, problems)
        log.responses.append(("edit_original", payload))
        message = self._edit_message(log.original_message_id, payload)
        await self._notify()
        return self._json(message)

    async def _delete_original(self, request: web.Request) -> web.Response:
        log = self._log_for_token(request)
        if log is None or log.original_message_id not in self._messages:
            return self._error(404, "Unknown Message", 10008)
        message = self._messages.pop(log.original_message_id)
        self.channel_messages[message["channel_id"]].remove(message)
        log.responses.append(("delete_original", {}))
        await self._notify()
        return web.Response(status=204)

    # interactions ----------------------------------------------------------------------------------

    async def _interact(
        self,
        interaction_type: int,
        data: dict,
        *,
        user_id: int = 1_000_000_000_000_000_01,
        channel_id: int | str = 1_000_000_000_000_000_10,
        guild_id: int | None = 1_000_000_000_000_000_20,
        permissions: int = 0,
        app_permissions: int = BOT_IN_A_CHANNEL,
        message: dict | None = None,
        late_by: float = 0.0,
    ) -> InteractionLog:
        """`late_by`: the interaction was made that many seconds before it is dispatched (gateway lag);
        its 3-second window counts from when it was made."""
        channel_id = str(channel_id)
        log = InteractionLog(
            id=self._snowflake_at(time.time() - late_by),
            token=f"interaction-token-{self._snowflake()}",
            type=interaction_type,
            created=time.monotonic() - late_by,
            channel_id=channel_id,
            component_message_id=message["id"] if message else None,
        )
        self.interactions[log.id] = log
        payload = {
            "id": log.id,
            "application_id": self.application_id,
            "type": interaction_type,
            "data": data,
            "token": log.token,
            "version": 1,
            "attachment_size_limit": 10_485_760,
            "locale": "en-US",
            "app_permissions": str(app_permissions),
            "entitlements": [],
            "channel_id": channel_id,
        }
        if guild_id is None:
            user = self._user(user_id)
            payload.update(user=user, context=1, authorizing_integration_owners={"1": str(user_id)})
            payload["channel"] = {"id": channel_id, "type": 1, "recipients": [user], "flags": 0}
        else:
            payload.update(guild_id=str(guild_id), guild_locale="en-US", context=0)
            payload["authorizing_integration_owners"] = {"0": str(guild_id)}
            payload["member"] = {
                "user": self._user(user_id),
                "roles": [],
                "joined_at": "2024-01-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
                "pending": False,
                "nick": None,
                "avatar": None,
                "premium_since": None,
                "permissions": str(permissions),
            }
            payload["channel"] = {
                "id": channel_id,
                "type": 0,
                "guild_id": str(guild_id),
                "name": "news",
                "position": 0,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
                "topic": None,
                "last_message_id": None,
                "rate_limit_per_user": 0,
                "flags": 0,
                "permissions": str(permissions),
            }
        if message is not None:
            payload["message"] = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return log

    # gateway ---------------------------------------------------------------------------------------

    async def _send(self, message: dict) -> None:
        text = json.dumps(message)
        if self._socket_compressor is None:
            await self._socket.send_str(text)
        else:
            compressed = self._socket_compressor.compress(text.encode("utf-8"))
            await self._socket.send_bytes(compressed + self._socket_compressor.flush(zlib.Z_SYNC_FLUSH))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoclose=True)
        await socket.prepare(request)
        if self._socket is not None:
            await self._socket.close(code=4000)
        self._socket = socket
        compressed = request.query.get("compress") == "zlib-stream"
        self._socket_compressor = zlib.compressobj() if compressed else None
        await self._send({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        async for frame in socket:
            if frame.type is not WSMsgType.TEXT or socket is not self._socket:
                continue
            await self._gateway_op(socket, json.loads(frame.data))
        if self._socket is socket:
            self._socket = None
        return socket

    async def _gateway_op(self, socket: web.WebSocketResponse, message: dict) -> None:
        op, data = message.get("op"), message.get("d")
        if op == 1:
            self.heartbeats += 1
            await self._send({"op": 11})
        elif op == 2:
            await self._identify(socket, data)
        elif op == 6:
            await self._resume(data)
        await self._notify()

    async def _identify(self, socket: web.WebSocketResponse, data: dict) -> None:
        if data.get("token") != self.token:
            await socket.close(code=4004, message=b"Authentication failed.")
            return
        self.identify_count += 1
        session = _Session(id=f"session-{self._snowflake()}")
        self._sessions[session.id] = session
        self._current_session = session
        await self.dispatch(
            "READY",
            {
                "v": 10,
                "user": self._bot_user(),
                "guilds": [{"id": guild_id, "unavailable": True} for guild_id in self._guilds_with_the_bot()],
                "session_id": session.id,
                "resume_gateway_url": self.gateway_url,
                "application": {"id": self.application_id, "flags": 0},
            },
        )
        if (data.get("intents") or 0) & GUILDS_INTENT:
            for guild_id in self._guilds_with_the_bot():
                await self.dispatch("GUILD_CREATE", self._guild(guild_id))

    def _guilds_with_the_bot(self) -> list[str]:
        return [guild_id for guild_id in self.guild_ids if self._guild_state(guild_id).bot_present]

    def _guild(self, guild_id: str) -> dict:
        """GUILD_CREATE's guild: without the GUILD_MEMBERS intent, its members are the bot alone."""
        guild = self._guild_state(guild_id)
        me = {"user": self._bot_user(), "roles": guild.bot_roles, "joined_at": "2024-01-01T00:00:00+00:00"}
        me.update(deaf=False, mute=False, flags=0, pending=False, nick=None, avatar=None, premium_since=None)
        return {
            "id": guild_id,
            "name": f"guild {guild_id}",
            "unavailable": False,
            "owner_id": "42",
            "channels": list(guild.channels.values()),
            "threads": [],
            "roles": list(guild.roles.values()),
            "emojis": [],
            "stickers": [],
            "features": [],
            "members": [me],
            "member_count": 2,
            "large": False,
            "joined_at": "2024-01-01T00:00:00+00:00",
        }

    async def _resume(self, data: dict) -> None:
        session = self._sessions.get(data.get("session_id"))
        if session is None or data.get("token") != self.token:
            await self._send({"op": 9, "d": False})
            return
        self.resume_count += 1
        self._current_session = session
        for event in session.events:
            if event["s"] > (data.get("seq") or 0):
                await self._send(event)
        await self.dispatch("RESUMED", {})


class UnansweringFakeDiscord(FakeDiscord):
    """Takes the login's request (`asked`) and answers it only once the test sets `answer`: Discord out
    of reach mid-connect, a hung proxy."""

    def __init__(self, token: str):
        super().__init__(token)
        self.asked, self.answer = False, asyncio.Event()

    async def _me(self, request: web.Request) -> web.Response:
        self.asked = True
        await self.answer.wait()
        return await super()._me(request)
