"""The settings, read once at start from the environment and .env, in groups."""

from .groups import AuthStyle
from .loading import DatabaseSettings, Settings, early_logging, load_settings, url_secrets
from .payments import Pack, PaymentSettings, Sku

__all__ = [
    "AuthStyle",
    "DatabaseSettings",
    "Pack",
    "PaymentSettings",
    "Settings",
    "Sku",
    "early_logging",
    "load_settings",
    "url_secrets",
]
