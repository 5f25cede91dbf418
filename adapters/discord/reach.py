"""Where a Discord interaction came from and what the bot may do there. The app can be
installed to a server or to a person (a user install), and a person's install works in any
conversation: servers without the bot, group DMs, DMs with friends. There:
- the quota is the person's own (a server's limits only where the app is installed in it);
- only the interaction can answer: the bot is no member, so the channel is out of reach;
- Discord allows 5 follow-ups per interaction;
- a server that turned "Use External Apps" off gets answers its members alone can see."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from adapters.discord.updates import scope_of
from bot.domain import Scope

USER_INSTALL_FOLLOWUPS = 5  # Discord's cap where only a person installed the app


class Unreachable(Exception):
    """The interaction's token is gone and the bot may not post where it was asked."""


@dataclass
class Reach:
    scope: Scope
    in_channel: bool  # the bot is a member where it was asked: it may post there itself
    ephemeral: bool  # Discord shows the answers to the requester alone
    followups: int | None = None  # follow-ups left; None: as many as needed

    @property
    def capped(self) -> bool:
        return self.followups is not None

    def followup(self) -> bool:
        """Take one follow-up message; False when the interaction has none left."""
        if self.followups is None:
            return True
        if self.followups <= 0:
            return False
        self.followups -= 1
        return True


def reach_of(interaction: discord.Interaction, client: discord.Client | None = None) -> Reach:
    in_server = interaction.is_guild_integration()  # authorizing owners: this server's install
    guild_id = interaction.guild_id
    if guild_id is not None:
        member = client is not None and client.get_guild(guild_id) is not None
    else:
        member = interaction.context.dm_channel  # its own DM; not a DM between other people
    app = interaction.app_permissions
    # "Use External Apps" is the server's say over apps it did not install
    forbidden = (guild_id is not None and not in_server
                 and not (app.use_external_apps and app.send_messages))
    capped = not in_server and interaction.is_user_integration()
    return Reach(scope=scope_of(guild_id if in_server else None, interaction.user.id),
                 in_channel=member, ephemeral=forbidden,
                 followups=USER_INSTALL_FOLLOWUPS if capped else None)
