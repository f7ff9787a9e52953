"""A product's twelve months of units and the next three forecast, as one short line per product: a bar
of block characters a month, then the forecast in whole units. Shared by the Slack card and the console."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from bot.blocks.monospace import cut
from tools.reports import SalesLine, SalesSummary
from tools.sales_trend import ProductTrend

BARS = "▁▂▃▄▅▆▇█"
TREND_RIGHT = {2, 3}


def sparkline(values: Sequence[int]) -> str:
    """One character a month, scaled to the highest: a month with no sales is the lowest bar and any sale
    at least the next, so a slow month is told from an empty one."""
    top = max(values, default=0)
    if top <= 0:
        return BARS[0] * len(values)
    return "".join(BARS[0] if v <= 0 else BARS[1 + round(v / top * (len(BARS) - 2))] for v in values)


def units(value: Decimal) -> str:
    return f"{value.quantize(Decimal(1), ROUND_HALF_UP):,}"


def next_months(trend: ProductTrend) -> str:
    """'40 · 42 · 44': the forecast months in whole units."""
    return " · ".join(units(v) for v in trend.forecast)


def trend_rows(lines: Sequence[SalesLine]) -> list[list[str]]:
    return [[cut(ln.label), sparkline(ln.trend.quantities), f"{ln.trend.quantities[-1]:,}", next_months(ln.trend)]
            for ln in lines if ln.trend is not None]


def first_trend(r: SalesSummary) -> ProductTrend | None:
    return next((ln.trend for ln in r.rows if ln.trend is not None), None)


def trend_headers(trend: ProductTrend) -> list[str]:
    """The last month's column is named for it: 'Nov'."""
    return ["product", f"{len(trend.months)} months", f"{trend.months[-1]:%b}",
            f"next {len(trend.forecast)} (units)"]


def trend_title(r: SalesSummary) -> str | None:
    """What the trend columns cover, or None when no line has a trend."""
    if (trend := first_trend(r)) is None:
        return None
    so_far = " (so far)" if trend.partial_last_month else ""
    return (f"Units a month, {trend.months[0]:%b %Y} to {trend.months[-1]:%b %Y}{so_far}, "
            f"and the next {len(trend.forecast)} forecast")
