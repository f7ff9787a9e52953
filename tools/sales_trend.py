"""Each product's sales over the last twelve calendar months and the next three forecast from them: what
`sales … by product` shows per line and what the stock alert reads.

Units are what was invoiced (a shipment's lines, or a whole order for invoices that bill one) less what came
back on credit notes, by month of the document. One query reads every product and month at once."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from decimal import Decimal

from pydantic import ConfigDict
from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from core.periods import month_periods
from core.sales_trend import forecast_months
from db.models import Product
from db.product_sales import product_lines
from db.scope import Scope
from tools.schemas import Money, Result

FORECAST_MONTHS = 3
CENTS = Decimal("0.01")
NOTHING = (0, Decimal("0.00"))


class ProductTrend(Result):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: str
    name: str
    months: list[date]  # the first day of each month, oldest first; the last is the month of `end`
    quantities: list[int]  # units sold in each of those months, net of returns
    revenue: list[Money]  # net of returns, before tax
    forecast: list[Decimal]  # units expected in each of the next months after the last one
    partial_last_month: bool = False  # `end` fell before the month's last day: its units are so far


def _month_after(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def product_trends(session: Session, end: date, skus: Collection[str] | None = None, months: int = 12,
                   *, scope: Scope | None = None) -> dict[str, ProductTrend]:
    """The trend of each product sold in the `months` calendar months ending with `end`'s month (up to
    `end`), by SKU; with `skus`, of those products, sold or not. `scope` narrows it to a rep's book."""
    if months < 1:
        raise ValueError("a trend needs at least one month")
    read = month_periods(end, months + 1)[::-1]  # one month more: the forecast may need it (see _forecast)
    shown = read[1:]
    wanted = None if skus is None else sorted(set(skus))
    lines = product_lines(read[0].start, end, scope or Scope(), skus=wanted, returns=True)
    year, month = extract("year", lines.c.day), extract("month", lines.c.day)
    query = (select(Product.sku, Product.name, year, month, func.sum(lines.c.quantity), func.sum(lines.c.revenue))
             .join(lines, lines.c.sku == Product.sku, isouter=wanted is not None)
             .group_by(Product.sku, Product.name, year, month).order_by(Product.sku))
    if wanted is not None:
        query = query.where(Product.sku.in_(wanted))
    sold: dict[str, tuple[str, dict[date, tuple[int, Decimal]]]] = {}
    for sku, name, y, m, quantity, revenue in session.execute(query):
        _, per_month = sold.setdefault(sku, (name, {}))
        if y is not None:  # a product asked for that sold nothing
            per_month[date(int(y), int(m), 1)] = (int(quantity or 0), Decimal(revenue or 0).quantize(CENTS))
    trends = {}
    for sku, (name, per_month) in sold.items():
        units = [per_month.get(p.start, NOTHING)[0] for p in read]
        trends[sku] = ProductTrend(
            sku=sku, name=name, months=[p.start for p in shown], quantities=units[1:],
            revenue=[per_month.get(p.start, NOTHING)[1] for p in shown], forecast=_forecast(units, end),
            partial_last_month=_month_after(end) - timedelta(days=1) != end)
    return trends


def _forecast(units: list[int], end: date) -> list[Decimal]:
    """The next months after `end`'s from `units`, one month a value ending with `end`'s, the first only
    read here. A month under way counts at its pace so far once half of it has passed; before that it is
    too little to go on (one early order would swing it), so the forecast reads the whole months before it."""
    first = end.replace(day=1)
    days = (_month_after(end) - first).days
    if end.day == days:
        return forecast_months(units[1:], FORECAST_MONTHS)
    if 2 * end.day >= days:
        return forecast_months([*units[1:-1], Decimal(units[-1]) * days / end.day], FORECAST_MONTHS)
    return forecast_months(units[:-1], FORECAST_MONTHS + 1)[1:]
