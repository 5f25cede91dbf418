"""The settings, read once at start from the environment and .env, in groups."""

from .groups import AuthStyle
from .loading import DatabaseSettings, Settings, early_logging, load_settings, url_secrets

__all__ = [
    "AuthStyle",
    "DatabaseSettings",
    "Settings",
    "early_logging",
    "load_settings",
    "url_secrets",
]
