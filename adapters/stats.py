"""The words of /stats and ``python -m bot stats``, in the reader's language."""

from __future__ import annotations

from bot.i18n import text
from bot.ops import Period, StatsReport


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def _period(title: str, period: Period, budget: float | None, language: str) -> list[str]:
    spend = f"{period.spend_usd:.2f}"
    rate = "-" if period.failure_rate is None else f"{period.failure_rate:.0%}"
    top = ", ".join(f"{scope} ${usd:.2f}" for scope, usd in period.top_scopes)
    return [
        title,
        "  " + text("stats_outcomes", language, **period.outcomes),
        "  " + (text("stats_spend", language, spend=spend) if budget is None else
                text("stats_spend_budget", language, spend=spend, budget=f"{budget:.2f}")),
        "  " + text("stats_quality", language, failure_rate=rate,
                    p50=_seconds(period.p50_s), p95=_seconds(period.p95_s)),
        "  " + text("stats_top", language, top=top or text("none", language)),
    ] + ([] if period.sales is None else ["  " + text(
        "stats_sales", language, stars=period.sales.stars, credits=period.sales.credits_sold,
        purchases=period.sales.purchases, refunds=period.sales.refunds,
        revenue=f"{period.sales.revenue_usd:.2f}")])


def stats_text(report: StatsReport, language: str = "en") -> str:
    today, week = report.today, report.week
    lines = [text("stats_header", language, model=report.model), ""]
    lines += _period(text("stats_today", language, day=today.last_day), today,
                     report.budget_usd, language)
    spend, budget = f"{report.month_spend_usd:.2f}", report.monthly_budget_usd
    lines.append("  " + (text("stats_month", language, spend=spend) if budget is None else
                         text("stats_month_budget", language, spend=spend,
                              budget=f"{budget:.2f}")))
    lines.append("")
    lines += _period(text("stats_week", language, first=week.first_day, last=week.last_day),
                     week, None, language)
    return "\n".join(lines)
