"""Discord shards: several replicas share one bot's gateway, each running its own shards.

With ``DISCORD_SHARD_COUNT`` set the client is discord.py's ``AutoShardedClient``, which sends one
IDENTIFY per shard with ``shard: [id, count]``; Discord then sends each replica the events of its
shards only (a server's events to shard ``(server_id >> 22) % count``, direct messages to shard 0).
``DISCORD_SHARD_IDS`` picks this replica's shards (every shard when unset). The application
commands are global to the bot: only the replica that runs shard 0 syncs them. Without the
settings the client is the plain ``Client`` on one connection, as before.
"""

from __future__ import annotations

from typing import Any, TypeVar

import discord

from bot.config import Settings

C = TypeVar("C", bound=discord.Client)


def make_client(base: type[C], settings: Settings, *args: Any, **options: Any) -> C:
    """``base`` (a Client subclass) itself, or sharded over this replica's shards."""
    shards = settings.discord_shards
    if not shards:
        return base(*args, **options)
    sharded = type(f"Sharded{base.__name__}", (base, discord.AutoShardedClient), {})
    made: C = sharded(*args, shard_count=settings.discord_shard_count, shard_ids=list(shards),
                      **options)
    return made


def syncs_commands(settings: Settings) -> bool:
    """Whether this replica syncs the application commands: unsharded, or it runs shard 0."""
    shards = settings.discord_shards
    return not shards or 0 in shards
