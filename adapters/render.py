"""What both chat adapters say: captions, quota and usage texts, in the user's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.bootstrap import Core
from bot.community import ScopeLimits, UsageReport
from bot.config import Pack
from bot.domain import Delivery, QuotaStatus
from bot.i18n import credits, text
from bot.models import ModelSpec

TELEGRAM_TEXT_LIMIT = 4096  # characters in one message
DISCORD_TEXT_LIMIT = 2000


def caption(delivery: Delivery, language: str, *, limit: int, demo: str = "") -> str:
    """The model's words (cut to fit) and the credits left today; with the local chat's demo
    model (``demo``: its note's key, ModelSpec.demo), a line saying the result is not Gemini's."""
    left = delivery.credits_left
    credits = (text("credits_unlimited", language) if left is None
               else text("credits_left", language, left=left))
    notes = [credits]
    if delivery.ratio_mismatch is not None:
        notes.append(text("ratio_note", language))
    if demo:
        notes.append(text(demo, language))
    tail = "\n\n" + "\n".join(notes)
    words = delivery.image.text.strip()
    room = limit - len(tail)
    if len(words) > room:
        words = words[: max(room - 1, 0)].rstrip() + "…"
    return (words + tail).strip()


VARIATIONS = 2  # more takes of the same edit behind the Variations button


def result_buttons(core: Core, delivery: Delivery, language: str) -> list[tuple[str, str]]:
    """(action, label) of a result's buttons, each saying what it costs: Again, 4K (not on a
    4K result, nor where the community turned 4K off), Variations (more takes, one call each:
    image models take no candidateCount)."""
    command = delivery.request.command
    cost = delivery.credits
    buttons = [("again", text("button_again", language, cost=cost))]
    if ("4K" in core.spec.image_sizes and command.image_size != "4K"
            and "4K" not in delivery.sizes_off):
        cost_4k = core.settings.credits_for("4K")
        buttons.append(("4k", text("button_4k", language, cost=cost_4k)))
    buttons.append(("vary", text("button_variations", language, cost=VARIATIONS * cost)))
    return buttons


def help_text(spec: ModelSpec, language: str, *, cost: int, cost_4k: int) -> str:
    return text("help", language, ratios=" ".join(spec.aspect_ratios),
                sizes=" ".join(spec.image_sizes) or "-", max_images=spec.max_reference_images,
                cost=credits(cost, language), cost_4k=credits(cost_4k, language))


def quota_text(status: QuotaStatus, report: UsageReport | None, language: str, *,
               payments: bool = False) -> str:
    """What /quota says; the bought balance shown when something is on sale or bought."""
    resets = status.resets_at.strftime("%H:%M %Z").strip()
    if status.limit is None:
        lines = [text("quota_unlimited", language, used=status.used)]
    else:
        day_left = status.left if status.day_left is None else status.day_left
        lines = [text("quota_status", language, used=status.used, left=status.left,
                      day_left=day_left, resets_at=resets)]
    if status.reserved:
        lines.append(text("quota_reserved", language, reserved=status.reserved))
    if report is not None and report.budget is not None:
        lines.append(text("quota_budget", language, total=report.total, budget=report.budget))
    if status.limit is not None and (payments or status.balance):
        lines.append(text("quota_balance", language, balance=status.balance))
    return "\n".join(lines)


def packs_text(packs: Sequence[Pack], language: str) -> str:
    """The packs on offer, for "no credits left": "10 credits for 50 Stars, ..."."""
    return ", ".join(text("pay_pack", language, credits=p.credits, stars=p.price)
                     for p in packs)


def usage_text(report: UsageReport, names: Mapping[str, str], language: str, *,
               max_chars: int = TELEGRAM_TEXT_LIMIT) -> str:
    """Who used how much today, the biggest users first; in a big group only as many as fit in
    one message (Telegram 4096 characters, Discord 2000), then "... and N more"."""
    if not report.members:
        return text("usage_empty", language)
    head = text("usage_header", language, day=report.day)
    tail = (text("usage_total", language, total=report.total) if report.budget is None
            else text("usage_total_budget", language, total=report.total, budget=report.budget))
    rows = [f"• {names.get(actor, actor)}: {used}" for actor, used in report.members.items()]
    return "\n".join([head, *_fitting(rows, "\n", max_chars - len(head) - len(tail) - 2,
                                        language), tail])


def limits_text(limits: ScopeLimits, default: int, names: Mapping[str, str],
                language: str, *, max_chars: int = TELEGRAM_TEXT_LIMIT) -> str:
    shown = {"default": limits.default if limits.default is not None else default,
             "total": limits.total if limits.total is not None else text("none", language)}
    room = max_chars - len(text("limits_show", language, members="", **shown))
    members = ", ".join(_fitting([f"{names.get(k, k)} {v}" for k, v in limits.members.items()],
                                 ", ", room, language))
    return text("limits_show", language, members=members or text("none", language), **shown)


def _fitting(rows: list[str], separator: str, room: int, language: str) -> list[str]:
    """The first rows that fit in ``room`` characters, then "... and N more" if any are left."""
    kept: list[str] = []
    used = 0
    for i, row in enumerate(rows):
        left = len(rows) - i - 1
        more = len(separator) + len(text("usage_more", language, count=left)) if left else 0
        if used + len(row) + more > room:
            return [*kept, text("usage_more", language, count=len(rows) - i)]
        kept.append(row)
        used += len(row) + len(separator)
    return kept
