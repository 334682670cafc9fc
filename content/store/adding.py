"""Adding a batch of articles, inside the caller's transaction: what the database already holds
that the batch could duplicate, which articles are new, and the rows that store them and the
sources of their copies."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Mapping

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from content.dedupe import LEAD_CHARS, MAX_KEY_HITS, Fingerprint, fingerprint, same_story
from content.model import Article, entry_key, text_hash
from content.store.bulk import chunks, insert_rows, rows_where_in, stored_time
from content.store.schema import article_sources, article_tags, articles, dedupe_keys

_RECENT_PRINTS = 4096  # fingerprints of articles this store added, kept to compare later batches against


@dataclass
class Pending:
    """A new article of the batch being added, before it has a seq."""

    article: Article
    fingerprint: Fingerprint
    seq: int | None = None


@dataclass
class Known:
    """What the database already holds that a batch could duplicate."""

    seq_by_id: dict[str, int]
    copies: set[tuple[str, str]]  # (copy id, source) already recorded
    seqs_by_key: dict[str, list[int]]  # only keys that still tell articles apart
    fingerprints: dict[int, Fingerprint]
    common_keys: set[str]  # carried by too many articles to mean anything: not stored again


Copy = tuple[int | Pending, Article, str]  # (the seq or new article it goes to, the copy, its source)


async def find_known(
    connection: AsyncConnection,
    batch: list[Article],
    fingerprints: list[Fingerprint],
    recent_prints: Mapping[int, Fingerprint],
) -> Known:
    """What the database holds of the batch's ids and of the stories its fingerprints could match."""
    seq_by_id, copies = await _stored_ids(connection, list({article.id for article in batch}))
    seqs_by_key = await _seqs_by_key(connection, list({key for print_ in fingerprints for key in print_.keys}))
    common_keys = _common(seqs_by_key)
    seqs_by_key = {key: seqs for key, seqs in seqs_by_key.items() if key not in common_keys}
    candidates = {seq for seqs in seqs_by_key.values() for seq in seqs}
    stored_prints = await _stored_prints(connection, candidates, recent_prints)
    return Known(seq_by_id, copies, seqs_by_key, stored_prints, common_keys)


async def _stored_ids(connection: AsyncConnection, ids: list[str]) -> tuple[dict[str, int], set[tuple[str, str]]]:
    """The seq of each of `ids` stored as an article or a copy, and the (copy id, source) pairs recorded."""
    seq_by_id = dict(await _seqs_of(connection, ids))
    copies: set[tuple[str, str]] = set()
    columns = (article_sources.c.copy_id, article_sources.c.source, article_sources.c.article_seq)
    for copy_id, source, seq in await rows_where_in(connection, columns, article_sources.c.copy_id, ids):
        seq_by_id.setdefault(copy_id, seq)
        copies.add((copy_id, source))
    return seq_by_id, copies


async def _seqs_of(connection: AsyncConnection, ids: list[str]) -> list[tuple[str, int]]:
    """(id, seq) of these stored articles."""
    return await rows_where_in(connection, (articles.c.id, articles.c.seq), articles.c.id, ids)


async def _seqs_by_key(connection: AsyncConnection, keys: list[str]) -> dict[str, list[int]]:
    seqs_by_key: dict[str, list[int]] = {}
    columns = (dedupe_keys.c.key, dedupe_keys.c.article_seq)
    for key, seq in await rows_where_in(connection, columns, dedupe_keys.c.key, keys):
        seqs_by_key.setdefault(key, []).append(seq)
    return seqs_by_key


def _common(seqs_by_key: Mapping[str, list[int]]) -> set[str]:
    """The keys carried by too many articles to mean anything: not stored again."""
    return {key for key, seqs in seqs_by_key.items() if len(seqs) >= MAX_KEY_HITS}


async def _stored_prints(
    connection: AsyncConnection, seqs: set[int], recent_prints: Mapping[int, Fingerprint]
) -> dict[int, Fingerprint]:
    """Fingerprints of these stored articles: remembered ones, the others from their title and lead."""
    found = {seq: recent_prints[seq] for seq in seqs if seq in recent_prints}
    lead = sa.func.substr(articles.c.text, 1, LEAD_CHARS * 2)
    columns = (articles.c.seq, articles.c.title, lead, articles.c.published)
    rows = await rows_where_in(connection, columns, articles.c.seq, [seq for seq in seqs if seq not in found])
    found.update(
        {
            seq: fingerprint(title, lead, with_keys=False, published=stored_time(published))
            for seq, title, lead, published in rows
        }
    )
    return found


def sort_batch(
    batch: list[Article], fingerprints: list[Fingerprint], known: Known
) -> tuple[list[Pending], list[Copy], int]:
    """Split a batch into new articles and duplicates; list the copies to record."""
    pending: list[Pending] = []
    pending_by_id: dict[str, Pending] = {}
    pending_by_key: dict[str, list[Pending]] = {}
    copies: list[Copy] = []
    recorded = set(known.copies)
    duplicates = 0
    for article, print_ in zip(batch, fingerprints):
        target = known.seq_by_id.get(article.id, pending_by_id.get(article.id))
        if target is None:
            target = _near_duplicate(print_, known, pending_by_key)
        if target is None:
            target = Pending(article, print_)
            pending.append(target)
            pending_by_id[article.id] = target
            for key in print_.keys:
                pending_by_key.setdefault(key, []).append(target)
        else:
            duplicates += 1
        for source in dict.fromkeys(article.sources):
            if (article.id, source) not in recorded:
                recorded.add((article.id, source))
                copies.append((target, article, source))
    return pending, copies, duplicates


def _near_duplicate(
    print_: Fingerprint, known: Known, pending_by_key: dict[str, list[Pending]]
) -> int | Pending | None:
    for key in print_.keys:
        for seq in known.seqs_by_key.get(key, ()):
            if same_story(print_, known.fingerprints[seq]):
                return seq
        pending = pending_by_key.get(key, ())
        for entry in pending if len(pending) < MAX_KEY_HITS else ():  # as for stored keys: this article makes one more
            if same_story(print_, entry.fingerprint):
                return entry
    return None


async def insert_new(connection: AsyncConnection, pending: list[Pending], common_keys: set[str]) -> None:
    """Store the new articles, their tags and their dedupe keys (but `common_keys`); set their seqs."""
    if not pending:
        return
    # A bulk insert and one SELECT for the new seqs is several times faster than RETURNING per row.
    await insert_rows(connection, articles, [_article_row(entry.article) for entry in pending])
    by_id = {entry.article.id: entry for entry in pending}
    for article_id, seq in await _seqs_of(connection, list(by_id)):
        by_id[article_id].seq = seq
    tag_rows = [row for entry in pending for row in _tag_rows(entry.article, entry.seq)]
    if tag_rows:
        await insert_rows(connection, article_tags, tag_rows)
    await _insert_keys(connection, [(entry.seq, entry.fingerprint) for entry in pending], common_keys)


def _article_row(article: Article) -> dict:
    return {
        "id": article.id,
        "url": article.url,
        "guid": article.guid,
        "title": article.title,
        "author": article.author,
        "language": article.language,
        "published": article.published,
        "fetched": article.fetched,
        "text": article.text,
        "code": article.code,
        "summary": article.summary,
        "sectors": list(dict.fromkeys(article.sectors)),
        "countries": list(dict.fromkeys(code.upper() for code in article.countries)),
        "regions": list(dict.fromkeys(article.regions)),
        "sources": list(dict.fromkeys(article.sources)),
        "text_hash": text_hash(article.title, article.text, article.code),
        "entry_key": entry_key(article.sources[0], article.guid) if article.guid and article.sources else None,
    }


_REVISED_COLUMNS = ("url", "title", "text", "code", "summary", "sectors", "countries", "regions", "text_hash")


def _tag_rows(article: Article, seq: int) -> list[dict]:
    tags = {("sector", sector) for sector in article.sectors}
    tags |= {("country", code.upper()) for code in article.countries}
    tags |= {("region", region) for region in article.regions}
    return [
        {"article_seq": seq, "kind": kind, "value": value, "published": article.published}
        for kind, value in sorted(tags)
    ]


async def record_copies(connection: AsyncConnection, copies: list[Copy]) -> None:
    """Record each copy's source on its article (call after `insert_new`, so new targets have seqs)."""
    now = datetime.now(timezone.utc)
    rows = [
        {
            "article_seq": target.seq if isinstance(target, Pending) else target,
            "copy_id": article.id,
            "source": source,
            "url": article.url,
            "added": now,
        }
        for target, article, source in copies
    ]
    if not rows:
        return
    await insert_rows(connection, article_sources, rows)
    merged_into = {
        row["article_seq"]
        for row, (target, article, _source) in zip(rows, copies)
        if not isinstance(target, Pending) or article is not target.article
    }
    await _refresh_source_lists(connection, sorted(merged_into))


async def _refresh_source_lists(connection: AsyncConnection, seqs: list[int]) -> None:
    """Rewrite `articles.sources` from the copies recorded for these articles, first source first."""
    names_by_seq: dict[int, list[str]] = {}
    for chunk in chunks(seqs):
        statement = (
            sa.select(article_sources.c.article_seq, article_sources.c.source)
            .where(article_sources.c.article_seq.in_(chunk))
            .order_by(article_sources.c.id)
        )
        for seq, source in await connection.execute(statement):
            names = names_by_seq.setdefault(seq, [])
            if source not in names:
                names.append(source)
    if names_by_seq:
        update = articles.update().where(articles.c.seq == sa.bindparam("target")).values(sources=sa.bindparam("names"))
        await connection.execute(update, [{"target": seq, "names": names} for seq, names in names_by_seq.items()])


async def revise(connection: AsyncConnection, revised: list[Article]) -> list[int]:
    """Give stored articles their source's edited link, title, text, code, summary and tags (the search
    index follows, by trigger or generated column), and dedupe keys from the new text; their id,
    dates, sources and seq stay. Returns the seqs of those stored."""
    columns = (articles.c.id, articles.c.seq, articles.c.published)
    found = await rows_where_in(connection, columns, articles.c.id, [article.id for article in revised])
    stored = {article_id: (seq, stored_time(published)) for article_id, seq, published in found}
    # each as stored, with its own publication date (the tags' rows and the fingerprint carry it)
    edits = [
        (replace(article, published=stored[article.id][1]), stored[article.id][0])
        for article in {article.id: article for article in revised}.values()
        if article.id in stored
    ]
    for article, seq in edits:
        row = _article_row(article)
        update = articles.update().where(articles.c.seq == seq)
        await connection.execute(update.values({name: row[name] for name in _REVISED_COLUMNS}))
    seqs = [seq for _article, seq in edits]
    for table in (article_tags, dedupe_keys):
        for chunk in chunks(seqs):
            await connection.execute(table.delete().where(table.c.article_seq.in_(chunk)))
    tag_rows = [row for article, seq in edits for row in _tag_rows(article, seq)]
    if tag_rows:
        await insert_rows(connection, article_tags, tag_rows)
    prints = [(seq, fingerprint(article.title, article.text, published=article.published)) for article, seq in edits]
    keys = list({key for _seq, print_ in prints for key in print_.keys})
    await _insert_keys(connection, prints, _common(await _seqs_by_key(connection, keys)))
    return seqs


async def _insert_keys(connection: AsyncConnection, prints: list[tuple[int, Fingerprint]], common_keys: set[str]) -> None:
    """The dedupe keys of these stored articles (by seq), but `common_keys`."""
    rows = [{"key": key, "article_seq": seq} for seq, print_ in prints for key in print_.keys if key not in common_keys]
    if rows:
        await insert_rows(connection, dedupe_keys, rows)


def remember_prints(recent_prints: OrderedDict[int, Fingerprint], added: list[Pending]) -> None:
    """Keep the fingerprints of committed new articles (their seqs are final) for later batches."""
    recent_prints.update((entry.seq, entry.fingerprint) for entry in added)
    while len(recent_prints) > _RECENT_PRINTS:
        recent_prints.popitem(last=False)
