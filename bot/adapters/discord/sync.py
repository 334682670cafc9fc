"""Slash-command sync: the JSON payload of the command set is hashed per application and scope (each
configured guild, else global); a scope is synced only when its hash differs from the one stored in the
sync-state file (none given: sync on every start). Discord rate-limits command syncs, so restarts skip them.
A scope Discord refuses (a guild that removed the bot, a long rate limit) keeps its old commands and is
tried again at the next start; the others sync regardless."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Sequence

import discord
from discord import app_commands

log = logging.getLogger(__name__)


async def sync_commands(
    tree: app_commands.CommandTree, application_id: int | None, guild_ids: Sequence[int], state_file: Path | None
) -> None:
    """Copy the global commands to each guild given, then sync every scope whose commands changed."""
    scopes: list[discord.Object | None] = [discord.Object(id=guild) for guild in guild_ids]
    for guild in scopes:
        tree.copy_global_to(guild=guild)
    state = _read_state(state_file)
    for scope in scopes or [None]:
        key = f"{application_id}/{scope.id if scope else 'global'}"
        payload = [command.to_dict(tree) for command in tree.get_commands(guild=scope)]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()
        if state.get(key) == digest:
            log.info("Discord commands for %s unchanged; not syncing", key)
            continue
        try:
            await tree.sync(guild=scope)
        except (discord.HTTPException, discord.RateLimited) as error:
            log.warning("Discord commands for %s not synced (tried again at the next start): %s", key, error)
            continue
        state[key] = digest
        _write_state(state_file, state)
        log.info("synced %d Discord commands for %s", len(payload), key)


def _read_state(state_file: Path | None) -> dict[str, str]:
    if state_file is None or not state_file.exists():
        return {}
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        log.warning("ignoring unreadable command sync state %s: %s", state_file, error)
        return {}
    return state if isinstance(state, dict) else {}


def _write_state(state_file: Path | None, state: dict[str, str]) -> None:
    if state_file is None:
        return
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
