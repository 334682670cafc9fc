"""Neutral replies as JSON for the outbox.

The outbox stores what was rendered when the message was queued, so a retry an hour later
sends exactly the same message.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime

from bot.model import Action, ArticleCard, Reply


def reply_to_json(reply: Reply) -> str:
    data = asdict(reply)
    for card in data["cards"]:
        if card["published"] is not None:
            card["published"] = card["published"].isoformat()
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def reply_from_json(body: str) -> Reply:
    data = json.loads(body)
    cards = []
    for card in data["cards"]:
        published = datetime.fromisoformat(card["published"]) if card["published"] else None
        card.update(published=published, sectors=tuple(card["sectors"]), countries=tuple(card["countries"]))
        cards.append(ArticleCard(**card))
    return Reply(
        text=data["text"],
        cards=cards,
        actions=[Action(**action) for action in data["actions"]],
        private=data["private"],
    )
