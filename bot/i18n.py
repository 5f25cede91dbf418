"""User-facing texts keyed by message id (an error's ``code``): English, Vietnamese, Spanish,
Brazilian Portuguese, Russian and Indonesian, chosen from the user's Telegram ``language_code``
or Discord locale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import EditbotError
from .locales import en, es, pt, ru, vi
from .locales import id as indonesian
from .locales.settings import SETTINGS

CATALOGS: Mapping[str, Mapping[str, str]] = {
    lang: {**catalog, **SETTINGS[lang]}  # community settings' texts are kept apart
    for lang, catalog in {"en": en.EN, "vi": vi.VI, "es": es.ES, "pt": pt.PT, "ru": ru.RU,
                          "id": indonesian.ID}.items()}
EN = CATALOGS["en"]
LANGUAGES = tuple(CATALOGS)
_ALIASES = {"in": "id"}  # Indonesian's old code, still sent by some clients
_SAFETY = {"SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT", "IMAGE_PROHIBITED_CONTENT",
           "BLOCKLIST", "SPII"}


def language_of(code: str | None) -> str:
    """``vi``, ``vi-VN`` -> vi; ``pt-br``, ``pt_PT`` -> pt; ``es-419`` -> es; a language we
    do not speak -> en."""
    base = (code or "").lower().split("-")[0].split("_")[0]
    base = _ALIASES.get(base, base)
    return base if base in CATALOGS else "en"


def _plural(n: int, language: str) -> str:
    """CLDR's plural category of ``n`` for the languages we speak."""
    if language == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return "one"
        return "few" if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else "many"
    if language in ("vi", "id"):
        return "many"
    return "one" if n == 1 else "many"


def credits(n: int, language: str = "en") -> str:
    """``1 credit``, ``2 credits``, ``2 кредита``: a count of credits in the user's words."""
    lang = language_of(language)
    return text(f"credits_{_plural(n, lang)}", lang, n=n)


def text(message_id: str, language: str = "en", **params: Any) -> str:
    catalog = CATALOGS.get(language_of(language), EN)
    template = catalog.get(message_id) or EN.get(message_id) or EN["error"]
    return template.format_map(_Lenient(params))


def error_text(error: EditbotError, language: str = "en") -> str:
    """The words a user reads for an error."""
    params: dict[str, Any] = dict(error.params)
    if "valid" in params:
        params["valid"] = " ".join(params["valid"])
    if "size" in params:
        params["size_mb"] = f"{params['size'] / 1048576:.1f}"
    if "limit" in params and error.code == "image_too_large":
        params["limit_mb"] = params["limit"] // 1048576
    if error.code == "too_many_pixels":
        params["limit_mp"] = params.get("limit", 50_000_000) // 1_000_000
    if "resets_at" in params:
        params["resets_at"] = params["resets_at"].strftime("%H:%M %Z").strip()
    if "reason" in params:
        reason = str(params["reason"])
        key = ("reason_safety" if reason in _SAFETY
               else "reason_no_image" if reason == "NO_IMAGE" else "reason_other")
        params["reason_text"] = text(key, language, reason=reason)
    return text(error.code, language, **params)


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
