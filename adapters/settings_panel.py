"""The /settings panel as both platforms show it: the summary's words and the buttons (each
an action the core turns into a change), so Telegram's keyboard and Discord's view say the
same things."""

from __future__ import annotations

from bot.community import Edit, Rules, log_to, next_safety, slow, toggle, toggle_size
from bot.i18n import text
from bot.models import ModelSpec

ACTIONS = ("imagine", "safety", "spoiler", "slow", "logoff")


def _state(on: bool, lang: str) -> str:
    return text("state_on" if on else "state_off", lang)


def slow_words(seconds: int, lang: str) -> str:
    return text("seconds", lang, seconds=seconds) if seconds else text("state_off", lang)


def panel_text(rules: Rules, spec: ModelSpec, lang: str, *, log_name: str = "") -> str:
    """The summary; ``log_name`` shows the log's chat or channel (its id when not given).
    Blocked words are counted, never listed: the panel is read by the whole group."""
    sizes = " ".join(rules.allowed_sizes(spec)) or "-"
    return text("settings_panel", lang, sizes=sizes, imagine=_state(rules.imagine, lang),
                safety=text(f"safety_{rules.safety}", lang), words=len(rules.words),
                spoiler=_state(rules.spoiler, lang), slow=slow_words(rules.slow_s, lang),
                log=log_name or rules.log or text("log_none", lang))


def buttons(rules: Rules, spec: ModelSpec, lang: str) -> list[list[tuple[str, str]]]:
    """Rows of (label, action): a size's action is ``size:<size>``."""
    rows = []
    if spec.takes_size:
        rows.append([(text("button_size", lang, size=size,
                           state=_state(size not in rules.sizes_off, lang)), f"size:{size}")
                     for size in spec.image_sizes])
    rows += [
        [(text("button_imagine", lang, state=_state(rules.imagine, lang)), "imagine"),
         (text("button_spoiler", lang, state=_state(rules.spoiler, lang)), "spoiler")],
        [(text("button_safety", lang, level=text(f"safety_{rules.safety}", lang)), "safety"),
         (text("button_slow", lang, value=slow_words(rules.slow_s, lang)), "slow")],
    ]
    if rules.log:
        rows.append([(text("button_log_off", lang), "logoff")])
    return rows


def edit_of(action: str, spec: ModelSpec) -> tuple[str, Edit] | None:
    """The change a button asks for, and the setting's name in the audit; None: unknown."""
    if action.startswith("size:"):
        return "sizes", toggle_size(action.removeprefix("size:"), spec)
    if action in ("imagine", "spoiler"):
        return action, toggle(action)
    if action == "safety":
        return "safety", next_safety
    if action == "slow":
        return "slow", slow(None)
    if action == "logoff":
        return "log", log_to("", "en")
    return None
