"""Message components as Discord takes them: at most 5 action rows; a row holds up to 5
buttons or one select menu; a string select has 1 to 25 options and min_values <= max_values
<= its options; a custom_id is at most 100 characters. A message that breaks one is refused
with 400 Invalid Form Body, as Discord does."""

from __future__ import annotations

from typing import Any

SELECTS = {3, 5, 6, 7, 8}  # string, user, role, mentionable, channel


def components_problem(body: Any) -> str | None:
    """What Discord would refuse in a message's (or a callback's) components; None: fine."""
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        body = body["data"]
    if not isinstance(body, dict):
        return None
    rows = body.get("components") or []
    if len(rows) > 5:
        return "components: at most 5 action rows"
    for row in rows:
        items = row.get("components") or [] if row.get("type") == 1 else []
        selects = [i for i in items if i.get("type") in SELECTS]
        if (selects and len(items) > 1) or len(items) > 5:
            return "an action row holds 5 buttons or one select menu"
        for item in items:
            if len(str(item.get("custom_id") or "")) > 100:
                return "custom_id: at most 100 characters"
            low, high = int(item.get("min_values", 1)), int(item.get("max_values", 1))
            if item.get("type") in SELECTS and not 0 <= low <= high <= 25:
                return "select: 0 <= min_values <= max_values <= 25"
            if item.get("type") == 3:
                options = item.get("options") or []
                if not 1 <= len(options) <= 25 or high > len(options):
                    return "string select: 1 to 25 options, max_values within them"
    return None
