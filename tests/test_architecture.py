"""The core's public surface changes only on purpose, and its modules and classes stay small.

Which layer may import which (the core names no platform, the platforms name each other nowhere,
no circles) is checked by ``lint-imports`` against the contracts in pyproject.toml."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bot.errors
import bot.i18n
from bot import commands, domain, edits, errors, images, ledger

ROOT = Path(__file__).resolve().parents[1]


def test_only_the_core_touches_the_ledger() -> None:
    """Adapters talk to the services (EditService, Moderation), never to the ledger: they import
none of it (a contract in pyproject.toml) and reach no service's ledger attribute."""
    for path in [*(ROOT / "adapters").rglob("*.py"), *(ROOT / "editbot").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            assert not (isinstance(node, ast.Attribute) and node.attr == "ledger"), (
                f"{path}:{node.lineno} reaches the ledger past the services")


def test_modules_stay_small() -> None:
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "adapters").rglob("*.py")]:
        assert len(path.read_text().splitlines()) <= 330, f"{path} is due for a split"


CLASS_CAP = 150
# Adapter classes still over the cap, being split along their responsibilities; each comes off
# the list with its split.
OVER_THE_CAP: set[str] = set()


def test_classes_stay_small() -> None:
    sizes: dict[str, int] = {}
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "adapters").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                sizes[node.name] = max(size, sizes.get(node.name, 0))
                assert size <= CLASS_CAP or node.name in OVER_THE_CAP, (
                    f"{path}: {node.name} is {size} lines, over {CLASS_CAP}: split it along its "
                    "responsibilities")
    assert sorted(name for name in OVER_THE_CAP if sizes.get(name, 0) <= CLASS_CAP) == [], (
        "split: take it off OVER_THE_CAP")


def test_public_surface() -> None:
    assert {name for name in vars(errors) if name[0].isupper() and name != "Any"} >= {
        "EditbotError", "ConfigError", "InputError", "CommandError", "ImageError",
        "QuotaExceeded", "Refusal", "UpstreamError"}
    assert callable(commands.parse_arguments) and callable(commands.build_command)
    assert callable(images.prepare_input) and callable(images.fit_output)
    assert {"reserve", "commit", "refund", "status", "usage", "set_limit", "unfinished",
            "limits", "audit_log", "job"} <= set(dir(ledger.QuotaLedger))
    assert {"submit", "run", "resume", "validate", "accept", "edit"} <= set(dir(edits.EditService))
    assert {"images", "show", "origin", "ready", "deliver", "refused", "ended"} <= set(
        dir(edits.EditPort))  # what an adapter implements for one edit (bot/edits/flow.py)
    assert domain.Actor("telegram", "1").key == "telegram:1"
    assert domain.Scope("discord", "9").key == "discord:group:9"


def test_every_name_a_package_offers_is_there() -> None:
    """A package's __init__ may import its names on first use (bot/ops does, to keep a failed
    start cheap): each name in its __all__ must still be found."""
    import importlib

    for init in sorted((ROOT / "bot").glob("*/__init__.py")):
        package = importlib.import_module(f"bot.{init.parent.name}")
        for name in getattr(package, "__all__", []):
            assert getattr(package, name, None) is not None, f"bot.{init.parent.name}.{name}"


async def test_the_edit_service_lends_out_none_of_its_parts(
        make_core: Callable[..., Any]) -> None:
    """The adapters call EditService; its parts (admission, runner, recovery, the queue ...)
    stay its own. What adapters use on their own (turns, recent images) the Core hands them."""
    core = await make_core()
    assert vars(core.service), "its parts are attributes of its own, behind an underscore"
    public = sorted(name for name, value in vars(core.service).items()
                    if not name.startswith("_") and not callable(value))
    assert public == [], f"EditService lends out {public}: offer a call instead"


def test_every_error_code_has_words_in_every_language() -> None:
    for language, catalog in bot.i18n.CATALOGS.items():
        assert set(catalog) == set(bot.i18n.EN), language
    used: set[str] = set()
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "adapters").rglob("*.py")]:
        used |= set(re.findall(r'(?:Error|Exceeded|Refusal|Allowed)\(\s*"([a-z_]+)"',
                               path.read_text()))
    assert used, "the scan found no codes"
    missing = sorted(code for code in used if code not in bot.i18n.EN)
    assert missing == []


def test_error_texts_fill_their_parameters() -> None:
    error = bot.errors.CommandError("unknown_ratio", value="7:5", valid=("1:1", "16:9"))
    assert bot.i18n.error_text(error) == (
        "“7:5” is not an aspect ratio this model knows. Use one of: 1:1 16:9.")
    assert "7:5" in bot.i18n.error_text(error, "vi") and "tỉ lệ" in bot.i18n.error_text(
        error, "vi-VN")
