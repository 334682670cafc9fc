"""Slash-command sync: the JSON payload of the command set is hashed per application and scope (each
configured guild, else global); a scope is synced only when its hash differs from the one stored in the
sync-state file (none given: sync on every start). Discord rate-limits command syncs, so restarts skip them.
A scope Discord refuses (a guild that removed the bot, a long rate limit) keeps its old commands and is
tried again at the next start; the others sync regardless. A scope synced before but no longer configured
(`guild_ids` changed) has its commands removed, or its members would see each command twice: the guild's
copy and the global one."""

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
    """Copy the global commands to each guild given, sync every scope whose commands changed, then empty
    those synced before that are no longer configured."""
    scopes: list[discord.Object | None] = [discord.Object(id=guild) for guild in guild_ids]
    for guild in scopes:
        tree.copy_global_to(guild=guild)
    state = _read_state(state_file)
    configured = {_key(application_id, scope.id if scope else "global"): scope for scope in scopes or [None]}
    for key, scope in configured.items():
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
    await _clear_scopes_left(tree.client.http, application_id, set(configured), state, state_file)


async def _clear_scopes_left(
    http: discord.http.HTTPClient, application_id: int | None, kept: set[str], state: dict[str, str], state_file: Path | None
) -> None:
    """Remove the commands of the scopes synced before that are not configured now."""
    for key in [key for key in state if key.startswith(_key(application_id, "")) and key not in kept]:
        scope = key.rpartition("/")[2]
        try:
            if scope == "global":
                await http.bulk_upsert_global_commands(application_id, payload=[])
            elif scope.isdigit():
                await http.bulk_upsert_guild_commands(application_id, int(scope), payload=[])
        except (discord.Forbidden, discord.NotFound) as error:  # the bot left that guild: nothing left to remove
            log.info("Discord commands for %s not removed: %s", key, error)
        except (discord.HTTPException, discord.RateLimited) as error:
            log.warning("Discord commands for %s not removed (tried again at the next start): %s", key, error)
            continue
        else:
            log.info("removed the Discord commands for %s, which is no longer configured", key)
        del state[key]
        _write_state(state_file, state)


def _key(application_id: int | None, scope: int | str) -> str:
    return f"{application_id}/{scope}"


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
    """Kept where it can be: a folder newsbot may not write in (a service's working directory) costs a
    sync at each start, not the start."""
    if state_file is None:
        return
    try:
        state_file.parent.mkdir(parents=True, exist_ok=True)
        state_file.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
    except OSError as error:
        log.warning(
            "cannot keep the Discord command sync state in %s (the commands are synced at every start): %s", state_file, error
        )
