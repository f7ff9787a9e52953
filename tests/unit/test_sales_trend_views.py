"""The sales trend as Slack and the console show it: a bar a month, the last month's units, the next three."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from bot.blocks import console_text
from bot.blocks.reports import sales_blocks
from bot.blocks.sales_trend import sparkline
from tools.reports import SalesLine, SalesSummary
from tools.sales_trend import ProductTrend

MONTHS = [date(2025, 12, 1), *(date(2026, m, 1) for m in range(1, 12))]


def line(sku: str, label: str, quantities: list[int], forecast: list[str] | None) -> SalesLine:
    trend = None if forecast is None else ProductTrend(
        sku=sku, name=label, months=MONTHS, quantities=quantities, revenue=[Decimal(q) for q in quantities],
        forecast=[Decimal(f) for f in forecast], partial_last_month=True)
    return SalesLine(key=sku, label=label, revenue=Decimal("100.00"), cost=Decimal("60.00"), margin=Decimal("40.00"),
                     margin_pct=Decimal("40.0"), quantity=sum(quantities), trend=trend)


def summary(group_by: str = "product", rows: list[SalesLine] | None = None) -> SalesSummary:
    rows = rows if rows is not None else [
        line("WIDGET-1", "Widget, standard", [0, 10, 20, 30, 40, 50, 60, 70, 0, 5, 35, 70], ["39.6", "42.4", "44.5"]),
        line("GADGET-2", "Gadget, pro", [0] * 12, ["0.0", "0.0", "0.0"]),
    ]
    total = SalesLine(key="total", label="Total", revenue=Decimal("200.00"), cost=Decimal("120.00"),
                      margin=Decimal("80.00"), margin_pct=Decimal("40.0"), quantity=sum(r.quantity for r in rows))
    return SalesSummary(period="2026 to date", start=date(2026, 1, 1), end=date(2026, 11, 24), group_by=group_by,
                        metric="revenue", currency="USD", scope="all customers", rows=rows, total=total)


def test_sparkline_scales_to_the_best_month_and_tells_a_slow_month_from_an_empty_one():
    assert sparkline([0, 1, 35, 70]) == "▁▂▅█"
    assert sparkline([0, 0, 0]) == "▁▁▁"
    assert sparkline([]) == ""


def test_the_card_shows_each_products_months_and_next_three_in_whole_units():
    text = json.dumps(sales_blocks(summary()), ensure_ascii=False)
    assert "Units a month, Dec 2025 to Nov 2026 (so far), and the next 3 forecast" in text
    assert "next 3 (units)" in text and "Nov" in text
    # The sales table lists each product first; its trend row comes in the section after it.
    widget = [row for row in text.split("\\n") if row.startswith("Widget, standard")][-1]
    assert sparkline([0, 10, 20, 30, 40, 50, 60, 70, 0, 5, 35, 70]) in widget
    assert widget.split()[-6:] == ["70", "40", "·", "42", "·", "45"]  # 39.6, 42.4, 44.5 rounded half up
    gadget = [row for row in text.split("\\n") if row.startswith("Gadget, pro")][-1]
    assert gadget.rstrip().endswith("0 · 0 · 0")


def test_the_console_shows_the_trend_under_the_sales_table():
    text = console_text.sales(summary())
    table, trend = text.split("\n\n")
    assert "margin %" in table and "12 months" not in table
    assert trend.splitlines()[0] == "Units a month, Dec 2025 to Nov 2026 (so far), and the next 3 forecast"
    assert any(row.startswith("Widget, standard") and row.endswith("40 · 42 · 45") for row in trend.splitlines())


def test_other_groupings_and_lines_without_a_trend_show_none():
    plain = [line("ACME", "Acme Corp", [1] * 12, None)]
    for group_by in ("customer", "product"):
        assert "next 3" not in json.dumps(sales_blocks(summary(group_by, plain)))
        assert "next 3" not in console_text.sales(summary(group_by, plain))
