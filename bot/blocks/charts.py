"""PNG charts for Slack uploads: AR ageing per bucket, sales with margin.

Figures come from matplotlib's object API on the Agg canvas, not pyplot: no display is needed and there
is no global figure registry for a long-running server to leak into, so a figure is freed with its last
reference. Amounts stay Decimal (stacking, "other") and become float only when handed to matplotlib.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from io import BytesIO

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import FuncFormatter

from core.ageing import BUCKET_LABELS, BUCKETS
from core.money import ZERO
from tools.reports import AgeingReport, SalesLine, SalesSummary

TOP_GROUPS = 8
TOP_SALES = 10
TOP_TRENDS = 5
TREND_HEIGHT = 4.0
# Customer names may be Chinese; these are used when installed, and letters no font has are left out.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei",
             "PingFang SC", "SimHei")
AMOUNT_AXIS = FuncFormatter(lambda value, _pos: f"{value:,.0f}")


@cache
def _fonts() -> tuple[list[str], frozenset[int]]:
    """The font families to draw labels with, and every character they can draw."""
    files = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    families = [name for name in ("DejaVu Sans", *CJK_FONTS) if name in files]
    chars: set[int] = set()
    for name in families:
        chars |= set(FT2Font(files[name]).get_charmap())
    return families or ["sans-serif"], frozenset(chars)


def literal(text: str) -> str:
    """`text` for matplotlib to draw as written: a `$` would start mathtext, so a customer named
    '$\\frac{1}{2}$ Corp' would be drawn as a fraction, and '$\\frac$' would fail the whole chart."""
    return text.replace("$", r"\$")


def drawable(label: str) -> str:
    """`label` as drawn: literally (see `literal`), without the characters no installed font has
    ('中华贸易 Zhonghua' -> 'Zhonghua' without CJK fonts)."""
    _, chars = _fonts()
    if not chars or all(ord(ch) in chars for ch in label):
        return literal(label)
    kept = re.sub(r"\s+", " ", "".join(ch for ch in label if ord(ch) in chars or ch.isspace())).strip()
    return literal(kept or label)


def floats(values: Sequence[Decimal]) -> list[float]:
    return [float(v) for v in values]


def png(fig: Figure) -> bytes:
    buffer = BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def ageing_series(report: AgeingReport) -> list[tuple[str, list[Decimal]]]:
    """One stack per customer or rep, the biggest eight by total and the rest as 'Other'; or the total."""
    if report.group_by is None or not report.rows:
        return [("Total", [report.total.buckets[b] for b in BUCKETS])]
    ranked = sorted(report.rows, key=lambda line: line.total, reverse=True)
    series = [(line.label, [line.buckets[b] for b in BUCKETS]) for line in ranked[:TOP_GROUPS]]
    rest = ranked[TOP_GROUPS:]
    if rest:
        series.append((f"Other ({len(rest)})", [sum((line.buckets[b] for line in rest), ZERO) for b in BUCKETS]))
    return series


def _ageing_figure(report: AgeingReport) -> Figure:
    families, _ = _fonts()
    fig = new_figure(9, 4.8)
    ax = fig.subplots()
    x = [BUCKET_LABELS[b] for b in BUCKETS]
    above, below = [ZERO] * len(BUCKETS), [ZERO] * len(BUCKETS)  # credits (negative balances) stack downwards
    for name, values in ageing_series(report):
        bottoms = [above[i] if v >= 0 else below[i] for i, v in enumerate(values)]
        ax.bar(x, floats(values), bottom=floats(bottoms), label=drawable(name))
        for i, v in enumerate(values):
            if v >= 0:
                above[i] += v
            else:
                below[i] += v
    totals = [report.total.buckets[b] for b in BUCKETS]
    for i, total in enumerate(totals):
        ax.annotate(f"{total:,.0f}", (i, float(max(above[i], ZERO))), ha="center", va="bottom", fontsize=8,
                    xytext=(0, 2), textcoords="offset points")
    ax.set_title(literal(f"AR ageing as of {report.as_of}: {report.total.total:,.2f} {report.currency}"
                         + (f" by {report.group_by}" if report.group_by else "")))
    ax.set_xlabel("days past due")
    ax.set_ylabel(literal(report.currency))
    ax.yaxis.set_major_formatter(AMOUNT_AXIS)
    ax.spines[["top", "right"]].set_visible(False)
    if report.group_by and report.rows:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False, prop={"family": families})
    return fig


def ageing_chart(report: AgeingReport) -> bytes:
    """PNG: a bar per ageing bucket, stacked per customer or rep when the report is grouped."""
    return png(_ageing_figure(report))


def sales_rows(summary: SalesSummary) -> list[SalesLine]:
    """The ten lines to draw: the top ten as the summary ranks them, or the last ten months in order."""
    if summary.group_by == "month":
        return summary.rows[-TOP_SALES:]
    return summary.rows[:TOP_SALES]


def _sales_figure(summary: SalesSummary) -> Figure:
    families, _ = _fonts()
    rows = sales_rows(summary)
    bars_height = 1.2 + 0.45 * max(len(rows), 1)
    trends = [line for line in summary.rows if line.trend is not None][:TOP_TRENDS]
    fig = new_figure(9, bars_height + (TREND_HEIGHT if trends else 0))
    grid = fig.add_gridspec(2 if trends else 1, 1, height_ratios=[TREND_HEIGHT, bars_height] if trends else None)
    ax = fig.add_subplot(grid[-1])  # the bars first: axes[0] whether or not the trend is drawn above them
    if trends:
        _trend_lines(fig.add_subplot(grid[0]), trends, families)
    y = list(range(len(rows)))
    labels = [drawable(line.label) for line in rows]
    ax.barh([p - 0.2 for p in y], floats([line.revenue for line in rows]), height=0.4, label="Revenue")
    margins = ax.barh([p + 0.2 for p in y], floats([line.margin for line in rows]), height=0.4, label="Margin")
    for bar, line in zip(margins, rows, strict=True):
        ax.annotate(f"{line.margin_pct}%", (max(bar.get_width(), 0), bar.get_y() + bar.get_height() / 2),
                    va="center", fontsize=8, xytext=(3, 0), textcoords="offset points")
    ax.set_yticks(y, labels, fontfamily=families)
    ax.invert_yaxis()  # the first line on top
    shown = f", top {len(rows)} of {len(summary.rows)}" if len(rows) < len(summary.rows) else ""
    ax.set_title(literal(f"Sales {summary.period} by {summary.group_by}{shown}: {summary.total.revenue:,.2f} "
                         f"{summary.currency}, margin {summary.total.margin_pct}%"))
    ax.set_xlabel(literal(summary.currency))
    ax.xaxis.set_major_formatter(AMOUNT_AXIS)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return fig


def _trend_lines(ax, lines: Sequence[SalesLine], families: list[str]) -> None:
    """Units a month of each product, solid, then its forecast dashed on from the last month."""
    for line in lines:
        trend = line.trend
        months = [f"{m:%b %y}" for m in trend.months]
        ahead = [f"{m:%b %y}" for m in _months_after(trend.months[-1], len(trend.forecast))]
        (drawn,) = ax.plot(months, trend.quantities, marker="o", markersize=3, label=drawable(line.label))
        ax.plot([months[-1], *ahead], floats([Decimal(trend.quantities[-1]), *trend.forecast]), linestyle="--",
                color=drawn.get_color())
    first = lines[0].trend
    ax.axvspan(len(first.months) - 0.5, len(first.months) + len(first.forecast) - 0.5, color="0.93", zorder=0)
    so_far = ", the last month so far" if first.partial_last_month else ""
    ax.set_title(f"Units a month, top {len(lines)} products{so_far}; dashed: forecast")
    ax.set_ylabel("units")
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False, prop={"family": families})


def _months_after(month: date, count: int) -> list[date]:
    out = []
    for _ in range(count):
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        out.append(month)
    return out


def sales_chart(summary: SalesSummary) -> bytes:
    """PNG: revenue and margin bars for the top ten lines, with the margin percentage; by product, above
    them each of the top five products' units a month with the forecast months dashed."""
    return png(_sales_figure(summary))
