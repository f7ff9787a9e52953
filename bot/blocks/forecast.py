"""The cash forecast in Slack, in the console and as a chart: week by week, what is expected from invoices
not yet due and, apart, from those already overdue; last week's forecast next to what came in."""

from __future__ import annotations

from bot.blocks.charts import AMOUNT_AXIS, floats, literal, new_figure, png
from bot.blocks.elements import context, fields, header
from bot.blocks.monospace import table, table_section
from core.money import fmt
from tools.forecast import CashForecast

HEADERS = ["week of", "not yet due", "overdue", "total", "invoices"]


def _rows(r: CashForecast) -> list[list[str]]:
    return [[f"{w.starts:%d %b}", fmt(w.expected), fmt(w.from_overdue), fmt(w.expected + w.from_overdue),
             str(w.invoices)] for w in r.weeks]


def _summary(r: CashForecast) -> list[tuple[str, str]]:
    c = r.currency
    return [(f"Expected in {len(r.weeks)} weeks", fmt(r.total, c)), ("Overdue now", fmt(r.overdue_now, c)),
            ("Last week: forecast", fmt(r.last_week_forecast, c)), ("Last week: came in", fmt(r.last_week_actual, c))]


def forecast_blocks(r: CashForecast, page: int = 0) -> list[dict]:
    return [header(f"Cash forecast from {r.as_of}"),
            context(f"Each open invoice at its customer's expected pay date · {r.currency}"),
            *fields(_summary(r)),
            table_section(f"_Per week, in {r.currency}; later than that: {fmt(r.beyond)}_", HEADERS, _rows(r),
                          right={1, 2, 3, 4})]


def forecast_text(r: CashForecast) -> str:
    return (f"Cash forecast: {fmt(r.total, r.currency)} expected in {len(r.weeks)} weeks, "
            f"{fmt(r.overdue_now, r.currency)} overdue now.")


def forecast_console(r: CashForecast) -> str:
    summary = "\n".join(f"{name}: {value}" for name, value in _summary(r))
    return (f"Cash forecast from {r.as_of} ({r.currency})\n{summary}\n"
            + table(HEADERS, _rows(r), right={1, 2, 3, 4}) + f"\nLater than that: {fmt(r.beyond)}")


def forecast_chart(r: CashForecast) -> bytes:
    """PNG: a bar per week, what is not yet due below what is overdue."""
    fig = new_figure(9, 4.2)
    ax = fig.subplots()
    labels = [f"{w.starts:%d %b}" for w in r.weeks]
    due = [w.expected for w in r.weeks]
    ax.bar(labels, floats(due), label="not yet due")
    ax.bar(labels, floats([w.from_overdue for w in r.weeks]), bottom=floats(due), label="overdue now")
    ax.set_title(literal(f"Expected collections per week from {r.as_of}: {r.total:,.2f} {r.currency}"))
    ax.set_ylabel(literal(r.currency))
    ax.yaxis.set_major_formatter(AMOUNT_AXIS)
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8)
    return png(fig)
