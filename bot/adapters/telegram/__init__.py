"""The Telegram adapter: python-telegram-bot's Application, run with its manual lifecycle on the caller's loop.

`connect` initializes and starts the Application and registers the command list (a transient failure
there is only logged: the commands work without the menu); `listen(handle)` wires command messages and
button presses to `handle` (words without a command in a private chat get a hint) and starts long
polling (or the webhook server) and returns, leaving the bot running on the loop next to Discord, the
scheduler and ingest; `disconnect` stops it all. Replies to users
retry after a 429 of up to 30 s inside the rate limiter (a longer one gives the reply up), and twice
after a short pause after a 5xx, a timeout or a lost connection (a user is waiting; a short pause is
better than a lost answer); `send`, the delivery worker's path, never retries and maps every failure to a DeliveryError so the worker decides when to try again.
A channel takes no commands, so a subscription command typed in a private chat may name one first
("/subscribe @news energy"): it is then about that channel, once Telegram confirms that the bot and the user
administer it (and, for /subscribe, that the bot may post there). Telegram telling the bot it may post in a
chat again (my_chat_member) resumes the chat's paused deliveries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Awaitable, Callable, Iterator

from telegram import (
    BotCommand,
    CallbackQuery,
    Chat,
    ChatFullInfo,
    InaccessibleMessage,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.adapters.base import (
    NOT_CONNECTED_RETRY,
    ConnectError,
    DeliveryError,
    Handler,
    Progress,
    RateLimited,
    TargetGone,
    TargetMoved,
    TransientError,
    post_in_order,
)
from bot.adapters.telegram.buttons import ButtonCommands
from bot.adapters.telegram.limits import ChatPacedRateLimiter, retry_after_seconds
from bot.adapters.redact import REDACTOR, redact_in_logs
from bot.adapters.telegram.request import AiohttpRequest
from bot.adapters.telegram.render import OutgoingMessage, render_reply
from bot.adapters.telegram.webhook import WebhookServer
from bot.adapters.telegram.translate import (
    PLATFORM,
    CommandLine,
    bot_may_post,
    channel_named,
    chat_kind,
    is_addressed_to_us,
    parse_command_line,
    sender_id,
    sent_as_the_chat,
    target_of,
    to_command,
    without_mentions,
    without_our_mention,
)
from bot.config import PlatformLimits, TelegramSettings, WebhookSettings
from bot.model import ChatKind, Command, Reply, Target
from bot.router import hint_for_words
from content.store.engine import failure_reason

logger = logging.getLogger(__name__)

ChatMoved = Callable[[Target, str], Awaitable[None]]
ChatReachable = Callable[[Target], Awaitable[None]]

APOLOGY = "Sorry, something went wrong while answering that. Please try again in a moment."
EXPIRED_BUTTON = "This button has expired. Please send the command again."
CHANNEL_NOT_FOUND = (
    "I cannot find the channel {channel}. Add me to it as an administrator who may post messages, then try again."
)
NOT_A_CHANNEL = "{channel} is not a channel. In a group, send the command in the group itself."
CANNOT_POST_IN_CHANNEL = (
    "I may not post in {channel}: make me an administrator of the channel who may post messages, then try again."
)
NOT_ADMIN_OF_CHANNEL = (
    "I am not an administrator of {channel}, so I post nothing there and cannot check who administers it. "
    "Make me one, then try again: to see or remove its subscriptions I need not be allowed to post."
)
CHANNEL_UNCHECKED = "Sorry, {channel} could not be checked just now. Please try again in a moment."
CHANNEL_ADMINS_ONLY = "Only {channel}'s administrators can see or change what it receives."
CHANNEL_FROM_A_GROUP = "A channel is managed from a private chat with me: open t.me/{bot} and send {command} there."
CHANNEL_HELP = (
    "Run a channel? Make me an administrator of it who may post messages, then manage it from here by "
    "naming it first: /subscribe @your_channel energy daily 08:00, /subscriptions @your_channel."
)
GROUP_HELP = (
    "The group's administrators choose what I post here, e.g. /subscribe energy daily 08:00; "
    "anyone may ask, e.g. /news AI education in Kenya."
)
ALERT_LIMIT = 200  # answerCallbackQuery's text limit
REPLY_RETRIES = 2  # 429 retries for an interactive reply
REPLY_RETRY_PAUSES = (1.0, 3.0)  # seconds before each retry of a reply after a 5xx, a timeout or a lost connection
START_RETRIES = 3  # of deleteWebhook (long polling) or setWebhook after a failure at the start (a 5xx, a timeout)
START_RETRY_PAUSE = 1.0  # seconds between those of setWebhook, as PTB pauses between those of deleteWebhook
# The updates listen() handles, asked for at every start: Telegram keeps the list a bot last set, so a
# token once used by a program that asked for fewer would otherwise never bring button presses or rights.
ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER)
CONCURRENT_UPDATES = 16
MAX_WAITING_PER_CHAT = 3  # of those, for one chat
# A few busy connections with a short queue in front serve the delivery worker's concurrent sends
# (measured in bench/fanout.py); the generous pool timeout lets queued sends wait for a connection
# instead of failing.
CONNECTION_POOL_SIZE = 8
POOL_TIMEOUT_SECONDS = 20.0
# Only administrators are remembered, so a member promoted a moment ago is let through at the next command;
# the price is a getChatMember before each command of a member in a group.
ADMIN_CACHE_SECONDS = 300.0
ADMIN_CACHE_SIZE = 4096
# A t.me/<bot>?startgroup link adds the bot, then sends "/start@<bot> <payload>" in the adder's name: a
# /start from the adder this soon after the join (by Telegram's message dates) is the link's, and the
# join's greeting answered it already.
JOIN_START_SECONDS = 60
_ADMIN_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}
# 400s that mean no message can go to the target until something changes there
_GONE_DESCRIPTIONS = (
    "chat not found",
    "bot was kicked",
    "bot is not a member",
    "user is deactivated",
    "peer_id_invalid",
    "message thread not found",  # a forum topic deleted
    "topic_deleted",  # the same, as Telegram also says it
    "topic_closed",
    "not enough rights",
    "have no rights to send",
    "chat_write_forbidden",
    "need administrator rights in the channel",  # a channel where the bot is not an admin (or may not post)
    "group chat was deactivated",  # a basic group that no longer exists
    "channel_private",  # a private channel the bot was removed from
)


class TelegramConnectError(ConnectError):
    """Telegram refused the login (a wrong token) or could not be reached at connect time."""


class TelegramAdapter:
    platform = PLATFORM

    def __init__(
        self,
        settings: TelegramSettings,
        *,
        commands: list[tuple[str, str]],
        rate_limiter: BaseRateLimiter | None = None,
        limits: PlatformLimits | None = None,
        poll_timeout: float = 10.0,
        moved: ChatMoved | None = None,
        reachable: ChatReachable | None = None,
        lost: Callable[[str], None] | None = None,
    ):
        """`limits` (delivery.telegram from the config) sets the pace; without it Telegram's own limits apply.
        `rate_limiter` replaces the pacing altogether (tests and benchmarks); pass one or the other.
        `moved(chat, new_chat)` is awaited when a group becomes a supergroup, which has a new id, and
        when a channel named in a private chat turns out to be its @name's chat id; `reachable(chat)` when
        an administrator lets the bot post in a chat again (promotes it in a channel, adds it back to a group);
        `lost(reason)` is called once if Telegram stops taking the token after the start (it was revoked)."""
        if settings.token is None:
            raise ValueError("telegram.token is not set")
        if rate_limiter is not None and limits is not None:
            raise ValueError("pass either rate_limiter or limits, not both")
        webhook = settings.webhook
        if webhook.enabled and webhook.secret_token is None:
            logger.warning("Telegram: telegram.webhook.secret_token is not set; anyone who finds the URL can post updates")
        redact_in_logs(settings.token.get_secret_value())
        if webhook.secret_token is not None:
            redact_in_logs(webhook.secret_token.get_secret_value())
        self._settings = settings
        self._commands = commands
        self._known_commands = frozenset(name for name, _ in commands)
        self._poll_timeout = poll_timeout
        self._moved = moved
        self._reachable = reachable
        self._lost = lost
        self._connected = False
        self._waiting: Counter[int] = Counter()  # answers on their way, by chat
        self._buttons = ButtonCommands()
        self._admin_cache: dict[tuple[int, int], float] = {}  # (chat, administrator) → until when
        self._named_channels: set[str] = set()  # the @names whose chat id `moved` was told
        self._greeted: dict[int, tuple[int | None, datetime]] = {}  # group → who added the bot, and when
        self._handle: Handler | None = None
        self._webhook: WebhookServer | None = None
        self._requests = (
            AiohttpRequest(
                connection_pool_size=CONNECTION_POOL_SIZE, pool_timeout=POOL_TIMEOUT_SECONDS, unauthorized=self._refused
            ),
            AiohttpRequest(connection_pool_size=1, unauthorized=self._refused),  # long polling's own
        )
        self._app = (
            Application.builder()
            .token(settings.token.get_secret_value())
            .base_url(settings.base_url)
            .base_file_url(_file_url(settings.base_url))
            .rate_limiter(rate_limiter or _rate_limiter_for(limits))
            .concurrent_updates(CONCURRENT_UPDATES)
            .request(self._requests[0])
            .get_updates_request(self._requests[1])
            .job_queue(None)
            .build()
        )

    def __repr__(self) -> str:
        return f"TelegramAdapter(base_url={self._settings.base_url!r}, webhook={self._settings.webhook.enabled})"

    # lifecycle ------------------------------------------------------------------------------------
    async def connect(self) -> None:
        """Log in and register the command list; raises TelegramConnectError (never showing the token)."""
        try:
            await self._app.initialize()
        except BaseException as error:  # refused, or cancelled (newsbot stopped while Telegram was slow)
            # A failed initialize() leaves the application uninitialized, so its shutdown() would skip
            # the HTTP sessions initialize() opened: close them here.
            for request in self._requests:
                await request.shutdown()
            raise _connect_error(error) if isinstance(error, TelegramError) else error from None
        await self._app.start()
        try:
            await self._set_command_menu()
        except BaseException as error:
            await self.disconnect()  # the caller gets no adapter to disconnect
            raise _connect_error(error) if isinstance(error, TelegramError) else error from None
        self._connected = True
        logger.info("Telegram: connected as @%s", self._app.bot.username)

    def _refused(self) -> None:
        """Telegram answered 401: a wrong token at the start is connect()'s error; later, the token was revoked."""
        if self._connected and self._lost is not None:
            self._connected = False  # say it once
            self._lost("Telegram no longer accepts the bot token (401 Unauthorized): it was revoked or changed")

    async def _set_command_menu(self) -> None:
        """The menu only lists the commands, which work without it: after a transient failure newsbot
        starts anyway and sets it at the next start."""
        menu = [BotCommand(name, description) for name, description in self._commands]
        try:
            await self._app.bot.set_my_commands(menu)
        except TelegramError as error:
            if not (isinstance(error, RetryAfter) or _is_transient_failure(error)):
                raise
            logger.warning("Telegram: command menu not set (set again at the next start): %s", error)

    async def listen(self, handle: Handler) -> None:
        self._handle = handle
        # a command may come as a picture's or a file's caption, as Telegram's apps show it: a command too
        commands = filters.COMMAND | filters.CaptionRegex(r"^/")
        self._app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & commands, self._on_command))
        self._app.add_handler(
            MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.TEXT, self._on_private_words)
        )
        self._app.add_handler(
            MessageHandler(filters.StatusUpdate.NEW_CHAT_MEMBERS | filters.StatusUpdate.CHAT_CREATED, self._on_joined)
        )
        self._app.add_handler(CallbackQueryHandler(self._on_button))
        self._app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self._on_migration))
        self._app.add_handler(ChatMemberHandler(self._on_my_rights, ChatMemberHandler.MY_CHAT_MEMBER))
        self._app.add_error_handler(self._on_error)
        webhook = self._settings.webhook
        if webhook.enabled:
            try:
                await self._start_webhook(webhook)
            except (TelegramError, OSError) as error:  # the port taken, Telegram refusing the url
                why = REDACTOR.redact(str(error))
                raise TelegramConnectError(f"cannot start the Telegram webhook on {webhook.listen}:{webhook.port}: {why}") from None
            logger.info("Telegram: webhook listening on %s:%d/%s", webhook.listen, webhook.port, webhook.path)
        else:
            try:
                await self._app.updater.start_polling(
                    timeout=timedelta(seconds=self._poll_timeout),
                    bootstrap_retries=START_RETRIES,
                    allowed_updates=ALLOWED_UPDATES,
                    error_callback=_polling_failed,
                )
            except TelegramError as error:
                raise TelegramConnectError(f"cannot start Telegram long polling: {REDACTOR.redact(str(error))}") from None
            logger.info("Telegram: long polling started")

    async def _start_webhook(self, webhook: WebhookSettings) -> None:
        """Listen, then tell Telegram the url (as PTB's Updater.start_webhook does, on a server of our own:
        bot/adapters/telegram/webhook.py says why), trying again after a transient failure."""
        secret = webhook.secret_token.get_secret_value() if webhook.secret_token else None
        self._webhook = WebhookServer(path=webhook.path, secret=secret, bot=self._app.bot, updates=self._app.update_queue)
        try:
            await self._webhook.start(webhook.listen, webhook.port)
            await self._set_webhook(webhook.url, secret)
        except BaseException:
            await self._webhook.stop()
            self._webhook = None
            raise

    async def _set_webhook(self, url: str, secret: str | None) -> None:
        for attempt in range(START_RETRIES + 1):
            try:
                await self._app.bot.set_webhook(url, allowed_updates=ALLOWED_UPDATES, secret_token=secret)
                return
            except TelegramError as error:
                if attempt == START_RETRIES or not (isinstance(error, RetryAfter) or _is_transient_failure(error)):
                    raise
                logger.info("Telegram: setting the webhook failed, trying again: %s", REDACTOR.redact(str(error)))
                await asyncio.sleep(retry_after_seconds(error) if isinstance(error, RetryAfter) else START_RETRY_PAUSE)

    async def disconnect(self) -> None:
        if self._webhook is not None:
            await self._webhook.stop()
            self._webhook = None
        if self._app.updater is not None and self._app.updater.running:
            try:
                await self._app.updater.stop()
            except TelegramError as error:  # the error polling stopped on (a revoked token), told already
                logger.info("Telegram: polling had stopped: %s", REDACTOR.redact(str(error)))
        if self._app.running:
            await self._app.stop()
        await self._app.shutdown()

    # delivery path ---------------------------------------------------------------------------------
    async def send(self, target: Target, reply: Reply, *, skip: int = 0, progress: Progress | None = None) -> None:
        """Post a reply's messages after the first `skip` for the delivery worker; failures become
        RateLimited, TargetGone or TransientError, carrying how many of the messages went out. Before
        connect() (the worker starts first) or after disconnect(), every chat waits, no attempt counted."""
        if not self._app.running:
            raise RateLimited(NOT_CONNECTED_RETRY, "the Telegram adapter is not connected", sent=skip, platform_wide=True)

        async def post(message: OutgoingMessage, sent: int) -> None:
            try:
                await self._post(target, message, retries=None)
            except TelegramError as error:
                raise _delivery_error(error, sent) from None

        await post_in_order(self._render(reply), skip, post, progress)

    # incoming --------------------------------------------------------------------------------------
    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        line = parse_command_line(_typed(message))
        kind = chat_kind(message.chat)
        if line is None:  # "/news-energy": a slash, but no command
            if kind == "private":
                await self._hint_commands(message)
            return
        if not is_addressed_to_us(line, self._app.bot.username, kind, self._known_commands):
            return
        line = replace(line, args=without_our_mention(line.args, self._app.bot.username))
        if line.name == "start" and self._greeted_on_joining(message):
            logger.debug("Telegram: chat %s was greeted already for the link's /start", message.chat.id)
            return
        with self._taking_a_turn(message.chat.id) as admitted:
            if admitted:
                await self._answer_command(message, line, kind)

    async def _answer_command(self, message: Message, line: CommandLine, kind: ChatKind) -> None:
        target = target_of(message)
        user_id = message.from_user.id if message.from_user else None
        named = channel_named(line)  # "/subscribe @channel energy": the one mention that is no one's to leave out
        if named and kind == "private":
            channel, about = named
            reply = await self._answer_about_channel(channel, replace(about, args=without_mentions(about.args)), user_id=user_id)
        elif named:  # else the group would be subscribed to the words "@channel energy", which no article has
            command = f"/{line.name} {line.args}"
            reply = Reply(text=CHANNEL_FROM_A_GROUP.format(bot=self._app.bot.username, command=command), private=True)
        else:
            is_admin = True if sent_as_the_chat(message) else await self._is_admin(message.chat, user_id)
            line = replace(line, args=without_mentions(line.args))
            command = to_command(line, user=sender_id(message), target=target, kind=kind, is_admin=is_admin)
            reply = await self._answer(command)
        # Telegram has no messages only one member sees: in a group, a private reply (a usage hint, a
        # refusal) at least quotes the command it answers, so it reads as addressed to its sender
        quote = message.message_id if reply.private and kind != "private" else None
        await self._post_all(target, self._render(reply), quote=quote)

    async def _on_private_words(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Someone writing to the bot in words, as to a person, is told how to ask, with a button that
        looks their words up; in a group, words are the members' conversation, none of the bot's business."""
        await self._hint_commands(update.message)

    async def _hint_commands(self, message: Message) -> None:
        with self._taking_a_turn(message.chat.id) as admitted:
            if admitted:
                words = without_mentions(without_our_mention(_typed(message), self._app.bot.username))
                await self._post_all(target_of(message), self._render(hint_for_words(words)))

    async def _on_joined(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Added to a group (or in it as it is created), the bot says what it does, as /start would: the
        members who added it see it works and how to ask. Not on a group becoming a supergroup, which
        Telegram tells without a new member."""
        message = update.message
        if not message.group_chat_created and all(member.id != self._app.bot.id for member in message.new_chat_members):
            return
        self._remember_greeting(message)
        line = CommandLine("start", "", None)
        start = to_command(line, user=sender_id(message), target=target_of(message), kind="group", is_admin=None)
        reply = await self._answer(start)
        await self._post_all(start.target, self._render(replace(reply, text=f"{reply.text}\n\n{GROUP_HELP}")))

    def _remember_greeting(self, joined: Message) -> None:
        """Noted before any await, so the link's /start, a later update, finds it (PTB starts the
        handlers of concurrent updates in their order); notes older than the window are dropped."""
        recent = joined.date - timedelta(seconds=JOIN_START_SECONDS)
        self._greeted = {chat: note for chat, note in self._greeted.items() if note[1] >= recent}
        self._greeted[joined.chat.id] = (joined.from_user.id if joined.from_user else None, joined.date)

    def _greeted_on_joining(self, start: Message) -> bool:
        """Whether this /start is the one a startgroup link sent right after adding the bot: from the
        member who added it, within JOIN_START_SECONDS. Only the first such /start is skipped."""
        adder, joined_at = self._greeted.get(start.chat.id, (None, None))
        if joined_at is None or start.from_user is None or start.from_user.id != adder:
            return False
        del self._greeted[start.chat.id]
        return start.date - joined_at <= timedelta(seconds=JOIN_START_SECONDS)

    @contextlib.contextmanager
    def _taking_a_turn(self, chat_id: int) -> Iterator[bool]:
        """Whether a command from the chat may be answered now. Answers wait for their chat's rate
        limit while holding one of the few update slots, so a chat with MAX_WAITING_PER_CHAT answers
        on their way gets no more until they are out: one flooding chat cannot keep everyone waiting."""
        if self._waiting[chat_id] >= MAX_WAITING_PER_CHAT:
            logger.info("Telegram: chat %s has %d answers waiting; a further command is ignored", chat_id, MAX_WAITING_PER_CHAT)
            yield False
            return
        self._waiting[chat_id] += 1
        try:
            yield True
        finally:
            self._waiting[chat_id] -= 1
            if not self._waiting[chat_id]:
                del self._waiting[chat_id]

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Run the button's command as the presser; show the result in place of the pressed message.

        A short private reply (an error, an expired button) pops up as an alert instead, so the list the
        button sits under stays usable.
        """
        query = update.callback_query
        pressed_on = query.message
        if pressed_on is None:  # a button on an inline-mode message; newsbot sends none
            await self._answer_button(query)
            return
        with self._taking_a_turn(pressed_on.chat.id) as admitted:
            if admitted:
                await self._answer_press(query, pressed_on)
            else:
                await self._answer_button(query)

    async def _answer_press(self, query: CallbackQuery, pressed_on: Message | InaccessibleMessage) -> None:
        kind = chat_kind(pressed_on.chat)
        target = target_of(pressed_on)
        line = parse_command_line(self._buttons.command_for(query.data))
        if line is None:
            reply = Reply(text=EXPIRED_BUTTON, private=True)
        elif kind == "private" and (named := channel_named(line)):
            reply = await self._answer_about_channel(*named, user_id=query.from_user.id)
        else:
            is_admin = await self._is_admin(pressed_on.chat, query.from_user.id)
            command = to_command(line, user=str(query.from_user.id), target=target, kind=kind, is_admin=is_admin)
            reply = await self._answer(command)
        if reply.private and not reply.cards and not reply.actions and len(reply.text) <= ALERT_LIMIT:
            await self._answer_button(query, alert=reply.text)
            return
        await self._answer_button(query)
        messages = self._render(reply)
        if messages and isinstance(pressed_on, Message) and await self._edit(pressed_on, messages[0]):
            messages = messages[1:]
        await self._post_all(target, messages)

    async def _answer_button(self, query: CallbackQuery, alert: str | None = None) -> None:
        """Stop the button's spinner (Telegram expects every press answered), optionally with an alert."""
        try:
            await query.answer(text=alert, show_alert=alert is not None)
        except TelegramError as error:
            logger.warning("Telegram: could not answer a button press: %s", error)

    async def _on_migration(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Telegram says so in both chats: in the group (migrate_to) and in the supergroup (migrate_from)."""
        message = update.effective_message
        if message.migrate_to_chat_id:
            old, new = message.chat.id, message.migrate_to_chat_id
        else:
            old, new = message.migrate_from_chat_id, message.chat.id
        logger.info("Telegram: group %s is now supergroup %s", old, new)
        if self._moved is not None:
            await self._moved(Target(PLATFORM, str(old)), str(new))

    async def _on_my_rights(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Telegram tells the bot when its rights in a chat change: a chat found gone while the bot could
        not post there gets its deliveries again once it may, without waiting for a command about it."""
        changed = update.my_chat_member
        if self._reachable is None or not bot_may_post(changed.new_chat_member, changed.chat):
            return
        if changed.chat.type == Chat.CHANNEL and changed.chat.username:
            await self._name_as_its_chat(f"@{changed.chat.username}", changed.chat.id)
        logger.info("Telegram: may post in chat %s again", changed.chat.id)
        await self._reachable(Target(PLATFORM, str(changed.chat.id)))

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.error("Telegram: error while processing an update", exc_info=context.error)

    async def _answer_about_channel(self, channel: str, line: CommandLine, *, user_id: int | None) -> Reply:
        """The reply to a command typed in a private chat about a channel the bot administers, once
        Telegram confirms that the user administers it too (rights Telegram could not tell just now are
        the handler's to judge: it asks to try again before a change). Only /subscribe needs the bot to
        be allowed to post: a channel's administrators see and remove its subscriptions without that."""
        found = await self._channel_to_manage(channel, to_post=line.name == "subscribe")
        if isinstance(found, str):
            return Reply(text=found, private=True)
        chat, bot_can_post = found
        name = f"@{chat.username}" if chat.username else str(chat.id)
        await self._name_as_its_chat(name, chat.id)
        is_admin = await self._is_admin(chat, user_id)
        if is_admin is False:  # a channel's settings and subscriptions are its administrators' business
            return Reply(text=CHANNEL_ADMINS_ONLY.format(channel=name), private=True)
        target = Target(PLATFORM, str(chat.id))
        command = to_command(
            line, user=str(user_id), target=target, kind="channel", is_admin=is_admin, chat_name=name, bot_can_post=bot_can_post
        )
        return await self._answer(command)

    async def _name_as_its_chat(self, name: str, chat_id: int) -> None:
        """A schedule may post to the channel as @name: that is the chat of its id, so nothing reaches
        it twice. Told once a process; usernames are read in lower case, as Telegram reads them."""
        if name.startswith("@") and name.lower() not in self._named_channels and self._moved is not None:
            try:
                await self._moved(Target(PLATFORM, name.lower()), str(chat_id))
            except Exception as error:  # the database away: the command is still answered, and it is told next time
                logger.warning("Telegram: could not note that %s is chat %s: %s", name, chat_id, failure_reason(error))
                return
            self._named_channels.add(name.lower())

    async def _channel_to_manage(self, channel: str, *, to_post: bool) -> tuple[ChatFullInfo, bool] | str:
        """The channel and whether the bot may post there, or why a command cannot be about it. The bot
        must administer it anyway: only administrators may read a channel's members, which the user's
        rights check does. With `to_post`, it must also be allowed to post."""
        bot = self._app.bot
        try:
            found = await bot.get_chat(channel, rate_limit_args=REPLY_RETRIES)
            if found.type != Chat.CHANNEL:
                return NOT_A_CHANNEL.format(channel=channel)
            me = await bot.get_chat_member(found.id, bot.id, rate_limit_args=REPLY_RETRIES)
        except (BadRequest, Forbidden) as error:  # "chat not found", or a channel the bot is not in
            logger.info("Telegram: channel %s cannot be used: %s", channel, error)
            return (CHANNEL_NOT_FOUND if to_post else NOT_ADMIN_OF_CHANNEL).format(channel=channel)
        except TelegramError as error:
            logger.warning("Telegram: could not look up channel %s: %s", channel, error)
            return CHANNEL_UNCHECKED.format(channel=channel)
        may_post = bot_may_post(me, found)
        if to_post and not may_post:
            return CANNOT_POST_IN_CHANNEL.format(channel=channel)
        if me.status != ChatMemberStatus.ADMINISTRATOR:
            return NOT_ADMIN_OF_CHANNEL.format(channel=channel)
        return found, may_post

    async def _answer(self, command: Command) -> Reply:
        """The handler's reply; `is_admin` None (rights not known just now) matters only to commands
        for administrators, which ask to try again. /help in a private chat also tells how to manage a channel."""
        try:
            reply = await self._handle(command)
        except Exception:
            logger.exception("Telegram: the handler failed on /%s", command.name)
            return Reply(text=APOLOGY, private=True)
        if command.name == "help" and command.chat_kind == "private":
            return replace(reply, text=f"{reply.text}\n\n{CHANNEL_HELP}")
        return reply

    async def _is_admin(self, chat: Chat | ChatFullInfo, user_id: int | None) -> bool | None:
        """Does the user administer the chat; None if Telegram could not tell."""
        if chat.type == Chat.PRIVATE:
            return True
        if user_id is None:
            return False
        key = (chat.id, user_id)
        if self._admin_cache.get(key, 0.0) > time.monotonic():
            return True
        try:
            member = await self._app.bot.get_chat_member(chat.id, user_id, rate_limit_args=REPLY_RETRIES)
        except BadRequest as error:  # "user not found", say: no member, so no administrator
            logger.info("Telegram: no rights to check in chat %s: %s", chat.id, error)
            return False
        except TelegramError as error:
            logger.warning("Telegram: could not check admin rights in chat %s: %s", chat.id, error)
            return None
        if member.status not in _ADMIN_STATUSES:
            return False
        if len(self._admin_cache) >= ADMIN_CACHE_SIZE:
            self._admin_cache.clear()
        self._admin_cache[key] = time.monotonic() + ADMIN_CACHE_SECONDS
        return True

    # outgoing --------------------------------------------------------------------------------------
    def _render(self, reply: Reply) -> list[OutgoingMessage]:
        return render_reply(reply, callback_data=self._buttons.data_for)

    async def _post(
        self, target: Target, message: OutgoingMessage, *, retries: int | None, quote: int | None = None
    ) -> Message:
        return await self._app.bot.send_message(
            chat_id=target.chat,
            message_thread_id=int(target.thread) if target.thread else None,
            text=message.text,
            parse_mode=ParseMode.HTML,
            link_preview_options=message.link_preview,
            reply_markup=message.keyboard,
            reply_parameters=ReplyParameters(quote, allow_sending_without_reply=True) if quote else None,
            rate_limit_args=retries,
        )

    async def _post_all(self, target: Target, messages: list[OutgoingMessage], *, quote: int | None = None) -> None:
        """Send a reply's messages in order, the first quoting message `quote` if given; after a failure
        the rest would read out of context, so stop. A group that became a supergroup meanwhile gets
        them in the supergroup, where the command is not there to quote."""
        for number, message in enumerate(messages):
            try:
                try:
                    await self._post_retrying(target, message, quote=quote if number == 0 else None)
                except ChatMigrated as moved:
                    target = Target(PLATFORM, str(moved.new_chat_id))
                    await self._post_retrying(target, message, quote=None)
            except TelegramError as error:
                logger.warning("Telegram: could not reply in chat %s: %s", target.chat, REDACTOR.redact(str(error)))
                return

    async def _post_retrying(self, target: Target, message: OutgoingMessage, *, quote: int | None) -> None:
        """Post a message of a reply, tried again after a transient failure. One that timed out may have
        arrived all the same: a rare double beats a lost answer."""
        for pause in REPLY_RETRY_PAUSES:
            try:
                await self._post(target, message, retries=REPLY_RETRIES, quote=quote)
                return
            except TelegramError as error:
                if not _is_transient_failure(error):
                    raise
                logger.info("Telegram: reply in chat %s failed, trying again in %g s: %s", target.chat, pause, error)
            await asyncio.sleep(pause)
        await self._post(target, message, retries=REPLY_RETRIES, quote=quote)

    async def _edit(self, original: Message, message: OutgoingMessage) -> bool:
        """Replace a message's text in place; False if the edit failed (then the caller sends anew)."""
        try:
            await self._app.bot.edit_message_text(
                chat_id=original.chat.id,
                message_id=original.message_id,
                text=message.text,
                parse_mode=ParseMode.HTML,
                link_preview_options=message.link_preview,
                reply_markup=message.keyboard,
                rate_limit_args=REPLY_RETRIES,
            )
        except TelegramError as error:
            if isinstance(error, BadRequest) and "not modified" in error.message.lower():
                return True
            logger.info("Telegram: cannot edit message %s, sending a new one: %s", original.message_id, error)
            return False
        return True


def _typed(message: Message) -> str:
    """What the sender typed: the message's text, or its caption (a picture's, a file's)."""
    return message.text or message.caption or ""


def _rate_limiter_for(limits: PlatformLimits | None) -> ChatPacedRateLimiter:
    return ChatPacedRateLimiter.from_limits(limits) if limits is not None else ChatPacedRateLimiter()


def _file_url(base_url: str) -> str:
    """Telegram serves files under /file/bot<token>; a self-hosted server mirrors that layout."""
    if base_url.endswith("/bot"):
        return base_url.removesuffix("bot") + "file/bot"
    return base_url


def _polling_failed(error: TelegramError) -> None:
    """A getUpdates that failed, python-telegram-bot trying again on its own: one line, where its default
    is a traceback per try. A 409 Conflict is another process polling the same bot."""
    why = REDACTOR.redact(str(error))
    if isinstance(error, Conflict):
        logger.warning(
            "Telegram: another process is taking this bot's updates (%s): run one `newsbot run` per bot token"
            " (more processes as --deliver-only, on PostgreSQL); getUpdates is tried again", why
        )
    else:
        logger.warning("Telegram: getUpdates failed (%s); tried again", why)


def _connect_error(error: TelegramError) -> TelegramConnectError:
    """The error with the token masked: PTB names it when Telegram rejects it."""
    return TelegramConnectError(f"cannot connect to Telegram: {REDACTOR.redact(str(error))}")


def _is_transient_failure(error: TelegramError) -> bool:
    """A 5xx answer, a timeout or a lost connection: PTB raises them all as NetworkError, of which a
    400 (BadRequest) is a subclass too."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def _delivery_error(error: TelegramError, sent: int) -> DeliveryError:
    description = REDACTOR.redact(str(error))
    if isinstance(error, RetryAfter):
        return RateLimited(retry_after_seconds(error), description, sent=sent)
    if isinstance(error, Forbidden):
        return TargetGone(description, sent=sent)
    if isinstance(error, ChatMigrated):
        return TargetMoved(str(error.new_chat_id), description, sent=sent)
    if isinstance(error, BadRequest):
        if any(words in description.lower() for words in _GONE_DESCRIPTIONS):
            return TargetGone(description, sent=sent)
        return DeliveryError(description, sent=sent)
    # NetworkError includes TimedOut and 5xx answers; InvalidToken is a revoked token, which a restart
    # with the new one gets past: neither is the message's fault
    if isinstance(error, (NetworkError, InvalidToken)):
        return TransientError(description, sent=sent)
    return DeliveryError(description, sent=sent)
