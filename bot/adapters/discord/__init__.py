"""The Discord adapter: discord.py's client and app_commands tree behind newsbot's Adapter contract.

`connect()` logs in and syncs the slash commands; `listen(handle)` starts the gateway as a task on the
running loop (discord.py reconnects and resumes by itself) and returns once it is ready; `send()` posts a
reply to a channel for the delivery worker; `disconnect()` closes the client. Never `Client.run()`: the
bot shares its loop with Telegram, the scheduler and the ingest loop.

Endpoints: discord.py builds every REST and webhook URL from the class attribute `discord.http.Route.BASE`
and opens the gateway at `DiscordWebSocket.DEFAULT_GATEWAY`; there is no per-client option, so the
adapter sets both from `discord.api_base` / `discord.gateway_url` on connect and restores them on
disconnect (one Discord client per process).

Rate limits: discord.py already waits out a 429 by its `retry_after` and retries, and throttles ahead of
time from the X-RateLimit headers. A wait longer than `RATE_LIMIT_WAIT_LIMIT` seconds is not waited out:
`send()` raises `RateLimited(retry_after)` so the delivery worker can reschedule instead of blocking; when
it was the bot's global limit (or Cloudflare's), with `platform_wide`, as every channel would hit it too.
A 500/502/504 is retried by discord.py a few times (sleeping 1, 3, 5… s) before `send()` raises
`TransientError`; other 5xx, timeouts and dropped connections raise it at once. A 403 or 404 raises
`TargetGone` (`TargetDeleted` for 10003 Unknown Channel), and so does a message Discord posted without its
article cards (where the bot may not embed links, Discord drops the embeds of a message with text). Any
other refusal (400: a locked thread, a forum that requires tags) raises `DeliveryError`, given up at once.
Each message carries a nonce made from its channel and content, so a resend after a lost answer is not
posted twice. A forum channel takes no messages: a reply sent there starts a post of its own, named after it
(a process that has not seen the forum, such as a delivery-only one, asks Discord what the channel is once
Discord refuses a message there with 50008).

Server events: a guild becoming available or joined, a channel's overwrites, a role's permissions or the
bot's roles changing tell `reachable` the channels the bot may post in now; a channel or thread deleted
tells `deleted`.

Which slash commands there are: `commands.py`; syncing them only when they changed: `sync.py`.
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import functools
import hashlib
import json
import logging
import re
from datetime import datetime
from pathlib import Path
from typing import Awaitable, Callable, Optional, Sequence

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.base import (
    NOT_CONNECTED_RETRY,
    ConnectError,
    DeliveryError,
    Handler,
    Progress,
    RateLimited,
    TargetDeleted,
    TargetGone,
    TransientError,
    post_in_order,
)
from bot.adapters.redact import REDACTOR, redact_in_logs
from bot.adapters.discord.commands import STANDARD_COMMANDS, CommandSpec, SlashCommand, as_slash_command
from bot.commands.news import MAX_LATEST
from bot.adapters.discord.render import Button, OutgoingMessage, post_name, render_reply
from bot.adapters.discord.suggest import Suggest
from bot.adapters.discord.sync import sync_commands
from bot.adapters.discord.translate import (
    PLATFORM,
    ActionIds,
    Origin,
    argument_text,
    may_post,
    to_command,
)
from bot.clock import Clock, SystemClock
from bot.config import DiscordSettings
from bot.model import Command, Reply, Target
from bot.router import parse_command_line
from content.text import clip

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
RATE_LIMIT_WAIT_LIMIT = 30.0  # discord.py's minimum for max_ratelimit_timeout
UNKNOWN_CHANNEL = 10003  # Discord's error code for a channel that does not exist (any more)
NOT_A_TEXT_CHANNEL = 50008  # Discord's error code for a message to a channel that takes none, such as a forum
_THREADS = (discord.ChannelType.public_thread, discord.ChannelType.private_thread, discord.ChannelType.news_thread)
DEFER_AFTER = 2.0  # since the interaction was made: Discord drops one not answered within 3 s of that
# however old an interaction seems, its handler gets this share of DEFER_AFTER before the deferral, as our clock
# may be ahead of Discord's: the share keeps a quick answer from being deferred (one more request) every time
MIN_DEFER_SHARE = 0.25
AUTOCOMPLETE_TIMEOUT = 2.0
MAX_CHOICES = 25
CHOICE_LIMIT = 100
APOLOGY = "Sorry, that did not work. Please try again in a moment."
ChannelDeleted = Callable[[Target], Awaitable[None]]
ChannelsReachable = Callable[[list[Target]], Awaitable[None]]
EXPIRED_BUTTON = "This button has expired. Run the command again."


class DiscordConnectError(ConnectError):
    """Logging in or syncing commands failed; the message says why and never shows the token."""


class _NotTheApi(discord.DiscordException):
    """An answer that is no Discord API JSON: a web page where `discord.api_base` points."""


async def _log_in(client: discord.Client, token: str) -> None:
    try:
        await client.login(token)
    except (TypeError, KeyError):  # discord.py read a page's text as the JSON of the bot's user
        raise _NotTheApi("its answer is not the Discord API's JSON") from None


def _told(error: BaseException) -> str:
    """What went wrong, in a line: an error page's text is left out, as its length and type say enough."""
    if isinstance(error, discord.HTTPException) and error.response.content_type != "application/json":
        answer = f"{error.response.status} {error.response.reason}"
        return f"{answer}: an answer of {error.response.content_type or 'unknown type'}, not the Discord API's JSON"
    return str(error) or type(error).__name__  # a timeout's text is empty


class ActionButton(discord.ui.DynamicItem[discord.ui.Button], template=re.compile(r"[/#].*", re.DOTALL)):
    """A button whose custom_id is a command line (or a token for one); clicks work across restarts."""

    def __init__(self, custom_id: str, label: str):
        super().__init__(discord.ui.Button(label=label, custom_id=custom_id, style=discord.ButtonStyle.secondary))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]):
        return cls(item.custom_id, item.label or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.client.adapter.run_action(interaction, self.custom_id)


class _Client(discord.Client):
    def __init__(self, adapter: "DiscordAdapter", **options):
        super().__init__(**options)
        self.adapter = adapter
        self.tree = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ActionButton)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.adapter.may_post_again(guild)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.adapter.may_post_again(guild)

    async def on_guild_channel_update(self, before: discord.abc.GuildChannel, after: discord.abc.GuildChannel) -> None:
        if before.overwrites != after.overwrites:
            await self.adapter.may_post_again(after.guild)

    async def on_guild_role_update(self, before: discord.Role, after: discord.Role) -> None:
        if before.permissions != after.permissions:
            await self.adapter.may_post_again(after.guild)

    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        if after.id == self.user.id and before.roles != after.roles:  # sent for the bot without the members intent
            await self.adapter.may_post_again(after.guild)

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self.adapter.channel_deleted(channel.id)

    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        await self.adapter.channel_deleted(payload.thread_id)


class DiscordAdapter:
    platform = PLATFORM

    def __init__(
        self,
        settings: DiscordSettings,
        *,
        suggest: Suggest | None = None,
        extra_commands: Sequence[CommandSpec] = (),
        sync_state: Path | None = None,
        defer_after: float = DEFER_AFTER,
        ready_timeout: float = 60.0,
        guild_ready_timeout: float = 2.0,
        lost: Callable[[str], None] | None = None,
        reachable: ChannelsReachable | None = None,
        deleted: ChannelDeleted | None = None,
        clock: Clock | None = None,
    ):
        """`lost(reason)` is called when Discord ends the gateway for good (the token was reset, the
        intents refused): discord.py reconnects by itself from anything less. `reachable(channels)` is
        awaited with the channels and threads of guilds the bot may post in, when that may have changed:
        the guild became available (newsbot connected, or the bot was invited back), a channel's overwrites,
        a role's permissions or the bot's roles changed. `deleted(channel)` is awaited when Discord says a
        channel or thread was deleted. `clock` tells how long ago an interaction was made (tests set it off
        Discord's)."""
        if settings.token is None:
            raise ValueError("discord.token is not set")
        redact_in_logs(settings.token.get_secret_value())
        self._settings = settings
        self._suggest = suggest
        self._commands = [*STANDARD_COMMANDS, *(as_slash_command(spec) for spec in extra_commands)]
        self._sync_state = sync_state
        self._defer_after = defer_after
        self._clock = clock or SystemClock()
        self._ready_timeout = ready_timeout
        self._guild_ready_timeout = guild_ready_timeout
        self._lost = lost
        self._reachable = reachable
        self._deleted = deleted
        self._action_ids = ActionIds()
        self._guilds_to_look_at: dict[int, discord.Guild] = {}  # by `may_post_again`, in its next turn
        self._looking_at_guilds = asyncio.Lock()
        self._handle: Handler | None = None
        self._client: _Client | None = None
        self._gateway: asyncio.Task | None = None
        self._previous_endpoints: tuple[str, yarl.URL] | None = None

    # lifecycle -------------------------------------------------------------------------------------

    async def connect(self) -> None:
        self._point_at_endpoints()
        # newsbot never joins a voice channel: no warning at every start that voice's libraries are missing
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        client = _Client(
            self,
            intents=discord.Intents(guilds=True),  # not privileged; slash commands need no more
            allowed_mentions=NO_MENTIONS,
            max_ratelimit_timeout=RATE_LIMIT_WAIT_LIMIT,
            http_trace=_rate_limit_trace(),
            guild_ready_timeout=self._guild_ready_timeout,
        )
        for spec in self._commands:
            client.tree.add_command(self._app_command(spec))
        client.tree.error(self._command_error)
        try:
            await _log_in(client, self._settings.token.get_secret_value())
            await sync_commands(client.tree, client.application_id, self._settings.guild_ids, self._sync_state)
        except (discord.DiscordException, aiohttp.ClientError, OSError, asyncio.TimeoutError) as error:
            await self._abandon(client)
            why = REDACTOR.redact(_told(error))
            raise DiscordConnectError(f"cannot connect to Discord at {self._settings.api_base}: {why}") from None
        except BaseException:
            await self._abandon(client)
            raise
        self._client = client

    async def _abandon(self, client: _Client) -> None:
        await client.close()
        self._restore_endpoints()

    async def listen(self, handle: Handler) -> None:
        if self._client is None:
            raise RuntimeError("connect() first")
        self._handle = handle
        self._gateway = asyncio.create_task(self._client.connect(reconnect=True), name="discord-gateway")
        self._gateway.add_done_callback(self._gateway_ended)
        ready = asyncio.create_task(self._client.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, self._gateway}, timeout=self._ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready in done:
            return
        ready.cancel()
        if self._gateway in done and self._gateway.exception() is not None:
            raise DiscordConnectError(f"the Discord gateway stopped: {REDACTOR.redact(str(self._gateway.exception()))}")
        raise DiscordConnectError(f"the Discord gateway was not ready within {self._ready_timeout:g}s")

    async def disconnect(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._gateway is not None:
            await asyncio.gather(self._gateway, return_exceptions=True)
        self._client = self._gateway = None
        self._restore_endpoints()

    def _gateway_ended(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("the Discord gateway stopped: %s", task.exception())
            if self._lost is not None:
                self._lost(f"the Discord gateway stopped: {REDACTOR.redact(str(task.exception()))}")

    def _point_at_endpoints(self) -> None:
        self._previous_endpoints = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
        Route.BASE = self._settings.api_base.rstrip("/")
        if self._settings.gateway_url:
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self._settings.gateway_url)

    def _restore_endpoints(self) -> None:
        if self._previous_endpoints is not None:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = self._previous_endpoints
            self._previous_endpoints = None

    # what a server administrator changes ----------------------------------------------------------

    async def may_post_again(self, guild: discord.Guild) -> None:
        """Tell `reachable` the guild's channels and threads the bot may post in, as discord.py's cache of the
        guild's roles, overwrites and the bot's own member works them out: those paused meanwhile resume.
        One call at a time: the guilds told of while one is on its way (every guild becomes available when
        newsbot connects, each event in a task of its own) go together in the next."""
        if self._reachable is None:
            return
        self._guilds_to_look_at[guild.id] = guild
        async with self._looking_at_guilds:
            guilds = list(self._guilds_to_look_at.values())
            self._guilds_to_look_at.clear()  # empty when an earlier call took this guild along
            channels = [
                Target(PLATFORM, str(channel.id))
                for guild in guilds
                if (me := guild.me) is not None
                for channel in (*guild.channels, *guild.threads)
                if _may_post_in(channel, me)
            ]
            if channels:
                await self._reachable(channels)

    async def channel_deleted(self, channel_id: int) -> None:
        if self._deleted is not None:
            log.info("Discord: channel %s was deleted", channel_id)
            await self._deleted(Target(PLATFORM, str(channel_id)))

    # slash commands --------------------------------------------------------------------------------

    def _app_command(self, spec: SlashCommand) -> app_commands.Command:
        command = app_commands.Command(name=spec.name, description=spec.description, callback=self._callback(spec))
        if spec.kind in ("sector", "place", "topic", "subscription"):

            async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
                return await self._choices(spec.kind, current, Target(PLATFORM, str(interaction.channel_id)))

            command.autocomplete("value")(complete)
        return command

    def _callback(self, spec: SlashCommand):
        run = self.run_slash
        if spec.argument is None:

            async def without_argument(interaction: discord.Interaction) -> None:
                await run(interaction, spec.name, "")

            return without_argument
        if spec.kind == "count":

            async def callback(
                interaction: discord.Interaction, value: Optional[app_commands.Range[int, 1, MAX_LATEST]] = None
            ) -> None:
                await run(interaction, spec.name, argument_text(value))

        elif spec.required:

            async def callback(interaction: discord.Interaction, value: str) -> None:
                await run(interaction, spec.name, argument_text(value))

        else:

            async def callback(interaction: discord.Interaction, value: Optional[str] = None) -> None:
                await run(interaction, spec.name, argument_text(value))

        callback = app_commands.rename(value=spec.argument)(callback)
        return app_commands.describe(value=spec.argument_description or spec.argument)(callback)

    async def _choices(self, kind: str, current: str, channel: Target) -> list[app_commands.Choice[str]]:
        if self._suggest is None:
            return []
        kinds = ("sector", "place") if kind == "topic" else (kind,)
        try:  # together, under one deadline: Discord drops an answer after 3 s
            lists = await asyncio.wait_for(
                asyncio.gather(*(self._suggest(each, current, channel) for each in kinds)), AUTOCOMPLETE_TIMEOUT
            )
            found = [choice for choices in lists for choice in choices]
        except Exception:
            log.exception("autocomplete for %s failed", kind)
            return []
        if kind == "topic":
            found = _typed_first(current, found)
        return [
            app_commands.Choice(name=clip(label, CHOICE_LIMIT), value=value[:CHOICE_LIMIT])
            for label, value in found[:MAX_CHOICES]
        ]

    # running commands ------------------------------------------------------------------------------

    async def run_slash(self, interaction: discord.Interaction, name: str, args: str) -> None:
        try:
            command = to_command(name, args, self._origin(interaction))
            reply = await self._answer_in_time(command, interaction, lambda: interaction.response.defer(thinking=True))
            await self._answer_slash(interaction, reply)
        except Exception:
            log.exception("answering /%s on Discord failed", name)

    async def run_action(self, interaction: discord.Interaction, custom_id: str) -> None:
        try:
            line = self._action_ids.decode(custom_id)
            parsed = parse_command_line(line) if line else None
            if parsed is None:
                await interaction.response.send_message(EXPIRED_BUTTON, ephemeral=True, allowed_mentions=NO_MENTIONS)
                return
            command = to_command(*parsed, self._origin(interaction))
            reply = await self._answer_in_time(command, interaction, interaction.response.defer)
            await self._answer_click(interaction, reply)
        except Exception:
            log.exception("answering a Discord button click failed")

    async def _command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """discord.py could not run a command (e.g. an option it cannot convert): apologise, log, carry on."""
        log.error("Discord command failed before reaching newsbot: %s", error, exc_info=error)
        try:
            if not interaction.response.is_done():
                await interaction.response.send_message(APOLOGY, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.exception("could not apologise on Discord")

    @staticmethod
    def _origin(interaction: discord.Interaction) -> Origin:
        return Origin(
            user_id=interaction.user.id,
            channel_id=interaction.channel_id or 0,
            guild_id=interaction.guild_id,
            permissions=interaction.permissions.value,
            bot_permissions=interaction.app_permissions.value,
            in_thread=getattr(interaction.channel, "type", None) in _THREADS,
        )

    async def _answer(self, command: Command) -> Reply:
        try:
            return await self._handle(command)
        except Exception:
            log.exception("command /%s failed", command.name)
            return Reply(text=APOLOGY, private=True)

    async def _answer_in_time(
        self, command: Command, interaction: discord.Interaction, defer: Callable[[], Awaitable]
    ) -> Reply:
        """The handler's reply; if it is not ready `defer_after` s after the interaction was made (not
        received: it may have been on its way a while), the interaction is deferred first."""
        answer = asyncio.ensure_future(self._answer(command))
        try:
            return await asyncio.wait_for(asyncio.shield(answer), self._defer_wait(interaction.created_at))
        except asyncio.TimeoutError:
            await defer()
            return await answer

    def _defer_wait(self, made: datetime) -> float:
        """Seconds left before deferring. An interaction from the future (our clock behind Discord's)
        gets all of `defer_after`; one from long ago (or our clock ahead), MIN_DEFER_SHARE of it."""
        age = max((self._clock.now() - made).total_seconds(), 0.0)
        return max(self._defer_after - age, self._defer_after * MIN_DEFER_SHARE)

    async def _answer_slash(self, interaction: discord.Interaction, reply: Reply) -> None:
        first, *rest = self._render(reply)
        private = reply.private
        if not interaction.response.is_done():
            await interaction.response.send_message(**self._fields(first), ephemeral=private)
        elif private:  # a deferred "thinking" message is public; an ephemeral answer replaces it
            await interaction.delete_original_response()
            await interaction.followup.send(**self._fields(first), ephemeral=True)
        else:
            await interaction.edit_original_response(**self._fields(first, edit=True))
        for message in rest:
            await interaction.followup.send(**self._fields(message), ephemeral=private)

    async def _answer_click(self, interaction: discord.Interaction, reply: Reply) -> None:
        """A click's reply replaces the clicked message (the next page in place); private ones go apart."""
        first, *rest = self._render(reply)
        private = reply.private
        if private and not interaction.response.is_done():
            await interaction.response.send_message(**self._fields(first), ephemeral=True)
        elif private:
            await interaction.followup.send(**self._fields(first), ephemeral=True)
        elif not interaction.response.is_done():
            await interaction.response.edit_message(**self._fields(first, edit=True))
        else:
            await interaction.edit_original_response(**self._fields(first, edit=True))
        for message in rest:
            await interaction.followup.send(**self._fields(message), ephemeral=private)

    def _render(self, reply: Reply) -> list[OutgoingMessage]:
        return render_reply(reply, self._action_ids.encode)

    @staticmethod
    def _fields(message: OutgoingMessage, edit: bool = False) -> dict:
        """Keyword arguments for discord.py's send and edit calls; an edit without buttons removes old ones."""
        fields = {"content": message.content, "embeds": message.embeds, "allowed_mentions": NO_MENTIONS}
        if message.buttons or edit:
            fields["view"] = _view(message.buttons)
        return fields

    # delivery --------------------------------------------------------------------------------------

    async def send(self, target: Target, reply: Reply, *, skip: int = 0, progress: Progress | None = None) -> None:
        """Post a reply's messages after the first `skip` to a channel (or thread); errors say what the
        delivery worker should do next, and how many of the messages went out."""
        if self._client is None or self._client.is_closed():  # logging in still, or stopped: no attempt counted
            raise RateLimited(NOT_CONNECTED_RETRY, "the Discord adapter is not connected", sent=skip, platform_wide=True)
        try:
            channel_id = int(target.thread or target.chat)
        except ValueError:
            raise TargetGone(f"not a Discord channel id: {target.thread or target.chat!r}", sent=skip) from None
        channel = self._client.get_channel(channel_id)
        if not isinstance(channel, discord.ForumChannel):
            channel = self._client.get_partial_messageable(channel_id)
        try:
            await self._post_all(channel, reply, skip, progress)
        except _NotATextChannel as refused:  # a forum this process knows nothing of (a delivery-only one knows none)
            if not isinstance(forum := await self._fetched(channel_id), discord.ForumChannel):
                raise
            await self._post_all(forum, reply, refused.sent, progress)

    async def _post_all(
        self, channel: discord.PartialMessageable | discord.ForumChannel, reply: Reply, skip: int, progress: Progress | None
    ) -> None:
        place = _ForumPost(channel, post_name(reply)) if isinstance(channel, discord.ForumChannel) else channel
        await post_in_order(self._render(reply), skip, functools.partial(self._post, place), progress)

    async def _fetched(self, channel_id: int) -> discord.abc.GuildChannel | discord.abc.PrivateChannel | discord.Thread | None:
        try:
            return await self._client.fetch_channel(channel_id)
        except (discord.DiscordException, aiohttp.ClientError, OSError, asyncio.TimeoutError):
            return None

    async def _post(self, channel: discord.PartialMessageable | _ForumPost, message: OutgoingMessage, sent: int) -> None:
        """Send one message; `sent` (messages of the reply already out) goes into the error if it fails."""
        seen = _Seen429()
        context = _SEEN_429.set(seen)
        try:
            posted = await channel.send(**self._fields(message), nonce=_nonce(channel.id, message, sent))
            if message.embeds and not posted.embeds:  # Discord posts the text alone where the bot may not embed links
                raise TargetGone(f"Discord channel {channel.id}: the bot may not embed links there", sent=sent + 1)
        except discord.RateLimited as error:
            if seen.is_global:
                raise RateLimited(error.retry_after, "Discord's global rate limit", sent=sent, platform_wide=True) from None
            raise RateLimited(error.retry_after, sent=sent) from None
        except (discord.NotFound, discord.Forbidden) as error:
            why = f"Discord channel {channel.id}: {error.status} {REDACTOR.redact(error.text)}"
            if error.code == UNKNOWN_CHANNEL:  # deleted: channel ids are never used again
                raise TargetDeleted(why, sent=sent) from None
            raise TargetGone(why, sent=sent) from None
        except discord.HTTPException as error:
            why = f"Discord channel {channel.id}: {error.status} {REDACTOR.redact(error.text)}"
            if error.status == 429 and seen.by_discord:  # discord.py's tries all refused, each a short wait
                raise RateLimited(RATE_LIMIT_WAIT_LIMIT, why, sent=sent, platform_wide=seen.is_global) from None
            if error.status == 429:  # no Via header: Cloudflare's limit on this address, every channel at once
                raise RateLimited(RATE_LIMIT_WAIT_LIMIT, "blocked by Cloudflare", sent=sent, platform_wide=True) from None
            if error.status >= 500 or error.status == 401:  # 401: the token was reset, a restart with the new one fixes it
                raise TransientError(why, sent=sent) from None
            if error.code == NOT_A_TEXT_CHANNEL:
                raise _NotATextChannel(why, sent=sent) from None
            raise DeliveryError(why, sent=sent) from None  # e.g. 400: a locked thread
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as error:
            raise TransientError(f"Discord channel {channel.id}: {type(error).__name__}", sent=sent) from None
        finally:
            _SEEN_429.reset(context)


class _NotATextChannel(DeliveryError):
    """Discord takes no messages in this channel: a forum, a category or a voice channel without its chat."""


class _ForumPost:
    """A forum channel as the place of one reply: its first message starts a post (a thread) with the reply's
    name, the others go in that post. A retry after some went out starts another post for the rest."""

    def __init__(self, forum: discord.ForumChannel, name: str):
        self.id = forum.id
        self._forum = forum
        self._name = name
        self._thread: discord.Thread | None = None

    async def send(self, *, nonce: str, **fields) -> discord.Message:
        if self._thread is not None:
            return await self._thread.send(**fields, nonce=nonce)
        self._thread, message = await self._forum.create_thread(name=self._name, **fields)
        return message


class _Seen429:
    """Whether a request of this send was refused by the bot's global limit, and whether by Discord at all.
    discord.py (2.7) raises the same `RateLimited(retry_after)` for a global 429 as for a channel's, and the
    same HTTPException(429) for Cloudflare's block as for five of a channel's short 429s it gave up after,
    without the answer, so an aiohttp trace reads the answer's headers, in the sending task's context."""

    def __init__(self) -> None:
        self.is_global = False
        self.by_discord = False  # the 429 came from Discord's limiter, not Cloudflare's


_SEEN_429: contextvars.ContextVar[_Seen429] = contextvars.ContextVar("discord_seen_429")


def _rate_limit_trace() -> aiohttp.TraceConfig:
    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(_note_rate_limit)
    return trace


async def _note_rate_limit(session, context, params: aiohttp.TraceRequestEndParams) -> None:
    """Each 429 overwrites the last: the one that counts is the one discord.py gave up on."""
    seen = _SEEN_429.get(None)
    if params.response.status == 429 and seen is not None:
        headers = params.response.headers
        is_global = headers.get("X-RateLimit-Global", "").lower() == "true" or headers.get("X-RateLimit-Scope") == "global"
        seen.is_global = is_global
        # as discord.py tells Cloudflare's block: no Via header, or an answer that is no JSON
        seen.by_discord = "Via" in headers and params.response.content_type == "application/json"


def _may_post_in(channel: discord.abc.GuildChannel | discord.Thread, me: discord.Member) -> bool:
    if not isinstance(channel, (discord.abc.Messageable, discord.ForumChannel)):  # a category: nothing posted in it
        return False
    return may_post(channel.permissions_for(me).value, in_thread=isinstance(channel, discord.Thread))


def _typed_first(typed: str, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """/subscribe's topic is words and a cadence as well as a name: what was typed comes first, so that
    taking the first suggestion keeps it ("energy kenya daily 08:00", "oil") instead of the one name it
    comes near ("Energy"); not while it is the start of a name suggested ("ener"), nor when it is longer
    than a choice may be."""
    typed = " ".join(typed.split())
    if not typed or len(typed) > CHOICE_LIMIT or any(value.casefold().startswith(typed.casefold()) for _, value in found):
        return found
    return [(typed, typed), *found]


def _nonce(channel_id: int, message: OutgoingMessage, index: int) -> str:
    """The same for the same message to the same channel: Discord keeps a resend after a lost answer
    (a timeout, a 5xx after the post went through) from posting it twice, for a few minutes."""
    content = json.dumps(
        [channel_id, index, message.content, [embed.to_dict() for embed in message.embeds]], sort_keys=True
    )
    return base64.urlsafe_b64encode(hashlib.sha256(content.encode("utf-8")).digest()).decode("ascii")[:25]


def _view(buttons: list[Button]) -> discord.ui.View | None:
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in buttons:
        view.add_item(ActionButton(button.custom_id, button.label))
    return view
