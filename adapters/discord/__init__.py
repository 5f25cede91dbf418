"""The Discord adapter: discord.py's client, gateway and application commands."""

from adapters.discord.app import create

__all__ = ["create"]
