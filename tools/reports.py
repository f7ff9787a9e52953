"""Manager summaries: AR ageing, collections (DSO, CEI) and sales with margin. Sales see their own book."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import Field

from core.ageing import BUCKETS
from core.metrics import average_days_delinquent, best_possible_dso, cei, countback_dso, days_in_period, simple_dso
from core.money import ZERO, ratio
from core.periods import month_periods, parse_period
from core.roles import Role
from db import reports as q
from tools.context import ToolContext
from tools.registry import tool
from tools.sales_trend import ProductTrend, product_trends
from tools.schemas import Args, FlexDate, Money, Result


def _scope(ctx: ToolContext) -> q.Scope:
    return q.Scope(owner_rep=None if ctx.sees_all else ctx.actor.user_id)


class AgeingLine(Result):
    key: str
    label: str
    buckets: dict[str, Money]
    total: Money


class AgeingReport(Result):
    as_of: date
    group_by: str | None
    currency: str
    scope: str
    rows: list[AgeingLine]
    total: AgeingLine


TOP = Field(None, ge=1, le=50, description="N largest rows only")


class AgeingArgs(Args):
    as_of: FlexDate | None = Field(None, description="default: today")
    group_by: Literal["customer", "rep"] | None = None
    top: int | None = TOP


@tool("read", {Role.SALES, Role.COLLECTOR, Role.MANAGER})
def ar_ageing(ctx: ToolContext, args: AgeingArgs) -> AgeingReport:
    """AR ageing buckets by due date, optionally per customer or rep; top N: largest first."""
    as_of = args.as_of or ctx.today
    ctx.viewed("report", ["ar_ageing"])
    rows = q.ageing(ctx.session, as_of, ctx.today, args.group_by, _scope(ctx))
    lines = [AgeingLine(key=k, label=label, buckets=dict(zip(BUCKETS, values, strict=True)), total=sum(values, ZERO))
             for k, label, values in rows if any(values)]
    totals = [sum((ln.buckets[b] for ln in lines), ZERO) for b in BUCKETS]  # of everyone, also with top
    if args.top and args.group_by:
        lines = sorted(lines, key=lambda ln: ln.total, reverse=True)[:args.top]
    return AgeingReport(
        as_of=as_of, group_by=args.group_by, currency=ctx.rules.currency,
        scope="all customers" if ctx.sees_all else "your customers", rows=lines,
        total=AgeingLine(key="total", label="Total", buckets=dict(zip(BUCKETS, totals, strict=True)),
                         total=sum(totals, ZERO)),
    )


class CollectionsSummary(Result):
    period: str
    start: date
    end: date
    currency: str
    scope: str
    opening_ar: Money
    ending_ar: Money
    current_ar: Money
    overdue_ar: Money
    credit_sales: Money
    simple_dso: Decimal
    countback_dso: Decimal
    best_possible_dso: Decimal
    average_days_delinquent: Decimal
    cei: Decimal
    overdue_share: Decimal


class CollectionsArgs(Args):
    period: str = Field("last-90-days")


COUNTBACK_MONTHS = 12
FIRST_READ_MONTHS = 3  # what the AR usually spans; older months are read only when it reaches further


def countback(ctx: ToolContext, end: date, ending_ar: Decimal, scope: q.Scope,
              sales: dict[date, Decimal], read_from: date) -> Decimal:
    """Countback DSO over the twelve months up to `end`, from daily sales known since `read_from`.
    The walk back stops where the AR is used up, so older months are read only while the months
    known so far do not cover it, doubling the window each time."""
    months = month_periods(end, COUNTBACK_MONTHS)
    known = sum(1 for m in months if m.start >= read_from)
    while known < len(months) and ending_ar > sum((_sales_in(sales, m.start, m.end) for m in months[:known]), ZERO):
        wanted = min(len(months), max(2 * known, 1))
        older = q.sales_by_day(ctx.session, months[wanted - 1].start, read_from - timedelta(days=1), scope)
        sales, known, read_from = {**sales, **older}, wanted, months[wanted - 1].start
    return countback_dso(ending_ar, [(m.days, _sales_in(sales, m.start, m.end)) for m in months])


def _sales_in(sales: dict[date, Decimal], start: date, end: date) -> Decimal:
    return sum((amount for day, amount in sales.items() if start <= day <= end), ZERO)


@tool("read", {Role.SALES, Role.COLLECTOR, Role.MANAGER})
def collections_summary(ctx: ToolContext, args: CollectionsArgs) -> CollectionsSummary:
    """DSO (simple, countback, best possible), days delinquent and CEI for a period."""
    ctx.viewed("report", ["collections_summary"])
    period = parse_period(args.period, ctx.today)
    end = min(period.end, ctx.today)
    scope = _scope(ctx)
    if end == ctx.today:
        ending, current = q.open_ar(ctx.session, end, scope)
    else:
        ending = q.ar_as_of(ctx.session, end, scope)
        current = q.ar_as_of(ctx.session, end, scope, only_current=True)
    opening = q.ar_as_of(ctx.session, period.start - timedelta(days=1), scope)
    # One read of daily sales serves the period's credit sales and the countback's recent months.
    read_from = min(period.start, month_periods(end, FIRST_READ_MONTHS)[-1].start)
    sales = q.sales_by_day(ctx.session, read_from, end, scope)
    credit_sales = _sales_in(sales, period.start, end)
    # A period not yet begun has no days to count, and no sales: its DSOs are zero.
    days = days_in_period(period.start, end) if end >= period.start else 0
    dso = simple_dso(ending, credit_sales, days)
    best = best_possible_dso(current, credit_sales, days)
    return CollectionsSummary(
        period=period.label, start=period.start, end=end, currency=ctx.rules.currency,
        scope="all customers" if ctx.sees_all else "your customers", opening_ar=opening, ending_ar=ending,
        current_ar=current, overdue_ar=ending - current, credit_sales=credit_sales, simple_dso=dso,
        countback_dso=countback(ctx, end, ending, scope, sales, read_from), best_possible_dso=best,
        average_days_delinquent=average_days_delinquent(dso, best),
        cei=cei(opening, credit_sales, ending, current), overdue_share=ratio((ending - current) * 100, ending),
    )


class SalesLine(Result):
    key: str
    label: str
    revenue: Money
    cost: Money
    margin: Money
    margin_pct: Decimal
    quantity: int = 0
    trend: ProductTrend | None = None  # by product: the twelve months to the period's end and the next three


class SalesSummary(Result):
    period: str
    start: date
    end: date
    group_by: str
    metric: str
    currency: str
    scope: str
    rows: list[SalesLine]
    total: SalesLine


class SalesArgs(Args):
    period: str = Field("this-month")
    group_by: Literal["rep", "customer", "product", "month", "order"] = "customer"
    metric: Literal["revenue", "margin", "quantity"] = Field("revenue", description="rank by")
    top: int | None = TOP


def _line(key: str, label: str, revenue: Decimal, cost: Decimal, quantity: int) -> SalesLine:
    margin = revenue - cost
    return SalesLine(key=key, label=label, revenue=revenue, cost=cost, margin=margin,
                     margin_pct=ratio(margin * 100, revenue), quantity=quantity)


@tool("read", {Role.SALES, Role.MANAGER})
def sales_summary(ctx: ToolContext, args: SalesArgs) -> SalesSummary:
    """Invoiced sales and gross margin for a period, grouped; top N: largest by the metric first."""
    ctx.viewed("report", ["sales_summary"])
    period = parse_period(args.period, ctx.today)
    rows = [_line(*r) for r in q.sales(ctx.session, period.start, period.end, args.group_by, _scope(ctx))]
    if args.group_by == "month":
        rows.sort(key=lambda r: r.key)
    else:
        rank = {"revenue": lambda r: r.revenue, "margin": lambda r: r.margin, "quantity": lambda r: r.quantity}
        rows.sort(key=rank[args.metric], reverse=True)
    total = _line("total", "Total", sum((r.revenue for r in rows), ZERO), sum((r.cost for r in rows), ZERO),
                  sum(r.quantity for r in rows))
    if args.top and args.group_by != "month":
        rows = rows[:args.top]
    if args.group_by == "product" and rows:
        trends = product_trends(ctx.session, min(period.end, ctx.today), [r.key for r in rows], scope=_scope(ctx))
        rows = [r.model_copy(update={"trend": trends.get(r.key)}) for r in rows]
    return SalesSummary(period=period.label, start=period.start, end=period.end, group_by=args.group_by,
                        metric=args.metric, currency=ctx.rules.currency,
                        scope="all customers" if ctx.sees_all else "your customers", rows=rows, total=total)
