"""Cash forecast: what comes in, week by week for the next 13 weeks, from every open invoice at the date
its customer's history says it will be paid (core.risk.expected_pay_date). What is already overdue is
shown apart. Last week's forecast, made as of a week ago, stands next to what actually came in."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from pydantic import Field
from sqlalchemy import func, select

from core.money import ZERO, money
from core.risk import expected_pay_date
from core.roles import Role
from db.models import Invoice, Payment
from db.reports import IS_OPEN
from tools.context import ToolContext
from tools.registry import tool
from tools.schemas import Args, Money, Result

WEEKS = 13
HISTORY_KEPT = 24  # settled invoices per customer the prediction reads, newest first


class ForecastWeek(Result):
    starts: date  # a Monday
    expected: Money  # from invoices not yet overdue today
    from_overdue: Money  # from invoices already overdue today
    invoices: int


class CashForecast(Result):
    as_of: date
    currency: str
    weeks: list[ForecastWeek]
    overdue_now: Money  # the balance already past due today
    beyond: Money  # expected after the 13 weeks
    last_week_forecast: Money  # what the forecast made a week ago expected for the week just ended
    last_week_actual: Money  # what came in that week

    @property
    def total(self) -> Decimal:
        return sum((w.expected + w.from_overdue for w in self.weeks), ZERO)


class ForecastArgs(Args):
    weeks: int = Field(WEEKS, ge=1, le=26, description="weeks ahead")


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def expected_receipts(ctx: ToolContext, as_of: date) -> list[tuple[date, Decimal, bool]]:
    """(expected date, balance, overdue as of `as_of`) of every invoice open on `as_of`."""
    paid_since = (select(Payment.invoice_id, func.sum(Payment.amount).label("paid")).where(Payment.received_on > as_of)
                  .group_by(Payment.invoice_id).subquery())
    balance_then = Invoice.balance + func.coalesce(paid_since.c.paid, 0)
    rows = ctx.session.execute(
        select(Invoice.customer_id, Invoice.issue_date, Invoice.due_date, Invoice.total, Invoice.disputed,
               Invoice.promised_on, balance_then)
        .outerjoin(paid_since, paid_since.c.invoice_id == Invoice.id)
        .where(Invoice.issue_date <= as_of, (IS_OPEN) | (Invoice.paid_on > as_of), Invoice.status != "void")
    ).all()
    histories = _histories(ctx, {r[0] for r in rows}, as_of)
    out = []
    for customer_id, issued, due, total, disputed, promised, balance in rows:
        if money(balance) <= 0:
            continue
        when = expected_pay_date(histories[customer_id], issue_date=issued, due_date=due, amount=total,
                                 today=as_of, disputed=disputed, promised_on=promised)
        out.append((when, money(balance), due < as_of))
    return out


def _histories(ctx: ToolContext, customer_ids: set[int], as_of: date) -> dict[int, list[tuple]]:
    found: dict[int, list[tuple]] = defaultdict(list)
    if not customer_ids:
        return found
    for customer_id, issued, due, paid, total in ctx.session.execute(
            select(Invoice.customer_id, Invoice.issue_date, Invoice.due_date, Invoice.paid_on, Invoice.total)
            .where(Invoice.customer_id.in_(customer_ids), Invoice.paid_on.is_not(None), Invoice.paid_on <= as_of)
            .order_by(Invoice.paid_on.desc())):
        if len(found[customer_id]) < HISTORY_KEPT:
            found[customer_id].append((issued, due, paid, total))
    return found


@tool("read", {Role.MANAGER})
def cash_forecast(ctx: ToolContext, args: ForecastArgs) -> CashForecast:
    """Expected collections per week (13 weeks by default), overdue apart; last week's forecast vs actual."""
    today = ctx.today
    first = _monday(today)
    weeks = {first + timedelta(weeks=i): [ZERO, ZERO, 0] for i in range(args.weeks)}
    beyond = overdue_now = ZERO
    for when, balance, overdue in expected_receipts(ctx, today):
        overdue_now += balance if overdue else ZERO
        week = weeks.get(_monday(when))
        if week is None:
            beyond += balance
            continue
        week[1 if overdue else 0] += balance
        week[2] += 1
    last_monday = first - timedelta(weeks=1)
    predicted = sum((b for when, b, _ in expected_receipts(ctx, last_monday - timedelta(days=1))
                     if last_monday <= when < first), ZERO)
    actual = ctx.session.scalar(select(func.coalesce(func.sum(Payment.amount), 0))
                                .where(Payment.received_on >= last_monday, Payment.received_on < first))
    ctx.viewed("report", ["cash_forecast"])
    return CashForecast(
        as_of=today, currency=ctx.rules.currency, overdue_now=overdue_now, beyond=beyond,
        weeks=[ForecastWeek(starts=d, expected=e, from_overdue=o, invoices=n) for d, (e, o, n) in weeks.items()],
        last_week_forecast=predicted, last_week_actual=money(actual))
