"""Every command end to end: fake Bot API → real python-telegram-bot → adapter → router → real Store."""

from __future__ import annotations

import asyncio
import re
import secrets
from pathlib import Path
from contextlib import asynccontextmanager

from bot.adapters.telegram import CHANNEL_HELP, TelegramAdapter
from bot.adapters.telegram.limits import ChatPacedRateLimiter
from bot.config import TelegramSettings
from bot.router import build_router
from fake_telegram import FakeTelegram, callback_update, message_update, visible_text
from helpers_content import open_sample_store, sample_context

STEP_TIMEOUT = 10.0
GROUP = -1002000

EVERY_COMMAND = [
    ("/start", "/help"),
    ("/help", "/search smart grid"),
    ("/latest", "Kenyan dairy cooperative forecasts milk prices with AI"),
    ("/sector energy", "Thai utility pilots a smart grid in Chiang Mai"),
    ("/sector", "Agriculture"),
    ("/country kenya", "Kenyan schools try an AI reading tutor"),
    ("/country southeast asia", "Vietnamese electronics plant adds machine vision inspection"),
    ("/news AI education in Kenya", "Kenyan schools try an AI reading tutor"),
    ("/search smart grid", "Thai utility pilots a smart grid in Chiang Mai"),
    ("/sectors", "Education"),
    ("/countries", "Kenya"),
    ("/about", "Example Wire"),
    ("/frobnicate", "Unknown command /frobnicate"),
]


@asynccontextmanager
async def telegram_newsbot(database_url: str):
    """The fake Bot API and a running Telegram adapter over the router and a sample store."""
    store = await open_sample_store(database_url)
    router = build_router(sample_context(store))
    token = f"{secrets.randbelow(10**9)}:TEST-TOKEN-{secrets.token_hex(6)}"
    async with FakeTelegram(token) as fake:
        adapter = TelegramAdapter(
            TelegramSettings(token=token, base_url=fake.base_url),
            commands=router.command_menu(),
            rate_limiter=ChatPacedRateLimiter(chat_per_second=100, chat_burst=100),
            poll_timeout=1,
        )
        async with asyncio.timeout(STEP_TIMEOUT):
            await adapter.connect()
            await adapter.listen(router.handle)
        try:
            yield fake
        finally:
            async with asyncio.timeout(STEP_TIMEOUT):
                await adapter.disconnect()
            await store.close()


async def reply_to(fake: FakeTelegram, text: str, **where) -> list:
    before = len(fake.calls_of("sendMessage"))
    await fake.push_update(message_update(text, **where))
    calls = await fake.wait_for_calls("sendMessage", before + 1, timeout=STEP_TIMEOUT)
    return calls[before:]  # these replies fit in one message each


def shown(calls: list) -> str:
    return "\n".join(visible_text(call.params["text"]) for call in calls)


def buttons(call) -> dict[str, str]:
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return {button["text"]: button["callback_data"] for row in rows for button in row}


async def test_every_command_is_answered(database_url):
    async with telegram_newsbot(database_url) as fake:
        for line, expected in EVERY_COMMAND:
            text = shown(await reply_to(fake, line))
            assert expected in text, f"{line} → {text[:300]!r}"
        menu = {entry["command"] for entry in fake.commands}
    assert {"start", "help", "latest", "sector", "country", "news", "search", "sectors", "countries", "about"} <= menu
    assert all(call.status == 200 for call in fake.calls_of("sendMessage", ok_only=False))


async def test_articles_carry_hashtags_links_and_one_preview(database_url):
    async with telegram_newsbot(database_url) as fake:
        [sent] = await reply_to(fake, "/sector energy")
    assert "#Energy" in visible_text(sent.params["text"])
    links = re.findall(r'<a href="([^"]+)"', sent.params["text"])
    assert len(links) == 2 and all(link.startswith("https://news.example.org/") for link in links)
    assert sent.params["link_preview_options"] == {"url": links[0]}


async def test_more_button_pages_in_place_without_repeats(database_url):
    async with telegram_newsbot(database_url) as fake:
        [first] = await reply_to(fake, "/latest")
        more = buttons(first)["More"]
        await fake.push_update(callback_update(more, message_id=first.result["message_id"]))
        [edit] = await fake.wait_for_calls("editMessageText", timeout=STEP_TIMEOUT)
    page_one = {card.split("\n")[0] for card in visible_text(first.params["text"]).split("\n\n")[1:]}
    page_two = {card.split("\n")[0] for card in visible_text(edit.params["text"]).split("\n\n")[1:]}
    assert len(page_one) == 5 and len(page_two) == 5
    assert not page_one & page_two
    assert edit.params["message_id"] == str(first.result["message_id"])
    assert fake.calls_of("answerCallbackQuery")


async def test_sector_buttons_in_a_group(database_url):
    async with telegram_newsbot(database_url) as fake:
        [listing] = await reply_to(fake, f"/sectors@{fake.username}", chat_id=GROUP, kind="supergroup", user_id=8)
        energy = next(data for label, data in buttons(listing).items() if label.startswith("Energy"))
        await fake.push_update(
            callback_update(energy, message_id=listing.result["message_id"], chat_id=GROUP, kind="supergroup", user_id=9)
        )
        [edit] = await fake.wait_for_calls("editMessageText", timeout=STEP_TIMEOUT)
    assert "Thai utility pilots a smart grid in Chiang Mai" in visible_text(edit.params["text"])
    assert edit.params["chat_id"] == str(GROUP)


async def test_a_channel_is_subscribed_from_a_private_chat_by_its_administrator(database_url):
    channel = -1003000
    async with telegram_newsbot(database_url) as fake:
        fake.add_chat(channel, "ai_news")
        fake.chat_members[(channel, 111)] = "creator"
        [subscribed] = await reply_to(fake, "/subscribe @ai_news energy daily 08:00")
        listed = shown(await reply_to(fake, "/subscriptions @ai_news"))
        own = shown(await reply_to(fake, "/subscriptions"))
        refused = shown(await reply_to(fake, "/unsubscribe @ai_news all", chat_id=222, user_id=222))
        await fake.push_update(callback_update(buttons(subscribed)["Unsubscribe"], message_id=subscribed.result["message_id"]))
        [removed] = await fake.wait_for_calls("editMessageText", timeout=STEP_TIMEOUT)
        after = shown(await reply_to(fake, "/subscriptions @ai_news"))
    assert visible_text(subscribed.params["text"]).startswith(
        "Subscribed @ai_news to Energy: a daily 08:00 digest (UTC; change it with /settings @ai_news timezone <zone>)."
    )
    assert listed.startswith("@ai_news's subscriptions:\n• Energy — daily 08:00 (UTC)")
    assert own.startswith("This chat has no subscriptions yet.")
    assert refused == "Only @ai_news's administrators can see or change what it receives."
    assert visible_text(removed.params["text"]) == "Unsubscribed from Energy."
    assert after.startswith("@ai_news has no subscriptions yet. Try /subscribe @ai_news energy")


async def test_help_in_a_private_chat_tells_how_to_manage_a_channel(database_url):
    async with telegram_newsbot(database_url) as fake:
        private = shown(await reply_to(fake, "/help"))
        in_a_group = shown(await reply_to(fake, f"/help@{fake.username}", chat_id=GROUP, kind="supergroup", user_id=8))
    assert private.startswith("What I understand:") and private.endswith(CHANNEL_HELP)
    assert CHANNEL_HELP not in in_a_group


async def test_the_command_menu_is_what_help_and_the_readme_list(database_url):
    async with telegram_newsbot(database_url) as fake:
        listed = shown(await reply_to(fake, "/help"))
        menu = [entry["command"] for entry in fake.commands]  # the fake refuses what Telegram refuses
    helped = re.findall(r"^/(\w+):", listed, re.MULTILINE)
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = re.search(r"^### Commands.*?\n\n(.*?)\n\n", readme, re.MULTILINE | re.DOTALL)[1]
    first_cells = [re.split(r"(?<!\\)\|", row)[1] for row in table.splitlines()[2:]]  # an escaped \| stays in its cell
    documented = {name for cell in first_cells for name in re.findall(r"`/(\w+)", cell)}
    assert menu == helped
    assert set(menu) == documented


async def test_another_process_polling_the_bot_is_one_warning_line_not_a_traceback(database_url, caplog):
    conflict = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
    async with telegram_newsbot(database_url) as fake:
        fake.fail_next("getUpdates", status=409, description=conflict)
        await fake.wait_for(lambda fake: any(call.status == 409 for call in fake.calls_of("getUpdates", ok_only=False)))
        ok_before = len(fake.calls_of("getUpdates"))
        await fake.wait_for_calls("getUpdates", ok_before + 1, timeout=STEP_TIMEOUT)  # polling goes on
    assert [record.getMessage() for record in caplog.records if record.exc_info] == []
    [warning] = [record.getMessage() for record in caplog.records if "getUpdates" in record.getMessage()]
    assert warning.startswith("Telegram: another process is taking this bot's updates (Conflict: terminated by other")
