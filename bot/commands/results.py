"""Turning store pages into replies: article cards with display names, the "More" button, and
button commands that fit every platform."""

from __future__ import annotations

from dataclasses import replace

from bot.context import Context
from bot.model import Action, ArticleCard, Reply
from bot.pages import PageKind, PageRequest
from content.model import Article, Query
from content.tagging import Tagger, place_name

PAGE_SIZE = 5

ACTION_BYTES = 64  # Telegram's callback_data limit, the tightest of the platforms


def bounded_command(command: str, fallback: str) -> str:
    """The readable command line when it fits a button as it is (and so outlives a restart), else `fallback`."""
    return command if len(command.encode("utf-8")) <= ACTION_BYTES else fallback


def article_card(article: Article, tagger: Tagger) -> ArticleCard:
    sector_names = tagger.sector_names()
    return ArticleCard(
        title=article.title,
        url=article.url,
        summary=article.summary,
        sectors=tuple(sector_names.get(sector, sector.title()) for sector in article.sectors),
        countries=tuple(map(place_name, article.countries or article.regions)),
        source=article.sources[0] if article.sources else "",
        published=article.published,
    )


async def first_page(
    ctx: Context, kind: PageKind, query: Query, heading: str, empty_text: str, page_size: int = PAGE_SIZE
) -> Reply:
    request = PageRequest(kind=kind, query=query, cursor=None, heading=heading, page_size=page_size)
    return await _page_reply(ctx, request, heading, empty_text)


async def next_page(ctx: Context, request: PageRequest) -> Reply:
    return await _page_reply(ctx, request, f"{request.heading} (continued)", "That was everything: no more articles.")


async def _page_reply(ctx: Context, request: PageRequest, heading: str, empty_text: str) -> Reply:
    if request.kind == "search":
        filters = replace(request.query, text=None)
        page = await ctx.store.search(
            request.query.text or "", query=filters, limit=request.page_size, cursor=request.cursor
        )
    else:
        page = await ctx.store.find(request.query, limit=request.page_size, cursor=request.cursor)
    if not page.articles:
        return Reply(text=empty_text)
    reply = Reply(text=heading, cards=[article_card(article, ctx.tagger) for article in page.articles])
    if page.next_cursor:
        token = ctx.pages.remember(replace(request, cursor=page.next_cursor))
        reply.actions.append(Action("More", f"/more {token}"))
    return reply
