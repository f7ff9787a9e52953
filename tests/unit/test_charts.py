"""Charts draw exactly the report's amounts, as PNG, with no missing glyphs."""

import warnings
from decimal import Decimal

import pytest

from bot.blocks.charts import _ageing_figure, _fonts, _sales_figure, ageing_chart, ageing_series, drawable, sales_chart
from core.ageing import BUCKETS
from core.money import money

PNG = b"\x89PNG\r\n\x1a\n"


def amounts(values) -> list[Decimal]:
    """What matplotlib holds, back as cents: equal to the report only if nothing drifted on the way."""
    return [money(repr(float(v))) for v in values]


def test_grouped_ageing_stacks_the_top_eight_customers_and_the_rest(tally, actors):
    report = tally.read(actors["U0MGR1"], "ar_ageing", {"group_by": "customer"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph (the Chinese customer) would warn
        png = ageing_chart(report)
    assert png.startswith(PNG) and len(png) > 10_000

    ax = _ageing_figure(report).axes[0]
    ranked = sorted(report.rows, key=lambda r: r.total, reverse=True)
    labels = [c.get_label() for c in ax.containers]
    assert labels == [drawable(r.label) for r in ranked[:8]] + [f"Other ({len(ranked) - 8})"]
    for container, row in zip(ax.containers, ranked[:8], strict=False):
        assert amounts(p.get_height() for p in container) == [row.buckets[b] for b in BUCKETS]
    other = amounts(p.get_height() for p in ax.containers[-1])
    assert other == [sum(r.buckets[b] for r in ranked[8:]) for b in BUCKETS]
    for i, bucket in enumerate(BUCKETS):  # stacked: each bar starts where the one below ends
        tops = [c[i].get_y() + c[i].get_height() for c in ax.containers]
        assert tops[-1] == pytest.approx(float(report.total.buckets[bucket]))
        assert [c[i].get_y() for c in ax.containers[1:]] == pytest.approx(tops[:-1])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Current", "1–30", "31–60", "61–90", "91+"]


def test_ungrouped_ageing_is_one_bar_per_bucket(tally, actors):
    report = tally.read(actors["U0SALES2"], "ar_ageing", {})
    assert ageing_series(report) == [("Total", [report.total.buckets[b] for b in BUCKETS])]
    (bars,) = _ageing_figure(report).axes[0].containers
    assert amounts(p.get_height() for p in bars) == [report.total.buckets[b] for b in BUCKETS]
    assert ageing_chart(report).startswith(PNG)


def test_sales_chart_draws_revenue_and_margin_of_the_top_ten(tally, actors):
    summary = tally.read(actors["U0MGR1"], "sales_summary", {"period": "this-year", "group_by": "customer"})
    assert len(summary.rows) > 10 and sales_chart(summary).startswith(PNG)
    ax = _sales_figure(summary).axes[0]
    revenue, margin = ax.containers
    top = summary.rows[:10]
    assert (revenue.get_label(), margin.get_label()) == ("Revenue", "Margin")
    assert amounts(p.get_width() for p in revenue) == [r.revenue for r in top]
    assert amounts(p.get_width() for p in margin) == [r.margin for r in top]
    assert [t.get_text() for t in ax.get_yticklabels()] == [drawable(r.label) for r in top]
    assert f"{top[0].margin_pct}%" in [t.get_text() for t in ax.texts]
    assert "top 10 of" in ax.get_title()


def test_sales_by_month_keeps_the_months_in_order(tally, actors):
    summary = tally.read(actors["U0SALES1"], "sales_summary", {"period": "last-12-months", "group_by": "month"})
    ax = _sales_figure(summary).axes[0]
    months = summary.rows[-10:]
    assert [t.get_text() for t in ax.get_yticklabels()] == [r.label for r in months]
    assert amounts(p.get_width() for p in ax.containers[0]) == [r.revenue for r in months]


def test_labels_keep_only_what_the_installed_fonts_can_draw():
    _, chars = _fonts()
    label = drawable("中华贸易 Zhonghua Trading")
    assert "Zhonghua Trading" in label and all(ord(ch) in chars for ch in label)
    assert drawable("Acme Corp") == "Acme Corp"


def test_sales_by_product_draws_the_top_five_products_units_a_month_and_the_forecast_dashed(tally, actors):
    summary = tally.read(actors["U0MGR1"], "sales_summary", {"period": "this-year", "group_by": "product"})
    assert sales_chart(summary).startswith(PNG)
    fig = _sales_figure(summary)
    bars, trend = fig.axes
    assert [t.get_text() for t in bars.get_yticklabels()] == [drawable(r.label) for r in summary.rows[:10]]
    solid = [ln for ln in trend.get_lines() if ln.get_linestyle() == "-"]
    dashed = [ln for ln in trend.get_lines() if ln.get_linestyle() == "--"]
    top = summary.rows[:5]
    assert [ln.get_label() for ln in solid] == [drawable(r.label) for r in top]
    for line, row, ahead in zip(solid, top, dashed, strict=True):
        assert list(line.get_ydata()) == row.trend.quantities
        assert list(line.get_xdata()) == [f"{m:%b %y}" for m in row.trend.months]
        # From the last month on, the forecast months: Dec 26, Jan 27, Feb 27.
        assert list(ahead.get_xdata()) == ["Nov 26", "Dec 26", "Jan 27", "Feb 27"]
        assert [Decimal(repr(float(v))) for v in ahead.get_ydata()] == [row.trend.quantities[-1], *row.trend.forecast]
        assert ahead.get_color() == line.get_color()
    assert "dashed: forecast" in trend.get_title()


def test_other_groupings_draw_no_trend(tally, actors):
    for group_by in ("customer", "rep", "month"):
        summary = tally.read(actors["U0MGR1"], "sales_summary", {"period": "this-year", "group_by": group_by})
        assert len(_sales_figure(summary).axes) == 1
