"""check_credit, and the credit decision create_order takes on the exposure db/exposure.py reads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field
from sqlalchemy import select

from core.credit import CreditDecision, decide_credit
from core.money import ZERO, money
from core.risk import expected_pay_date, payment_stats, risk_grade
from core.roles import Role
from db.exposure import credit_inputs
from db.models import OPEN_STATUSES, Customer, Invoice
from tools.context import ToolContext
from tools.lookup import resolve_customer
from tools.registry import tool
from tools.schemas import Args, CustomerRef, Money, PositiveMoney, Result
from tools.unapplied_cash import unapplied_cash


class CreditDecisionView(Result):
    decision: str
    reasons: list[str]
    exposure: Money
    available_after: Money

    @classmethod
    def of(cls, decision: CreditDecision) -> CreditDecisionView:
        return cls(decision=decision.decision, reasons=[r.message for r in decision.reasons],
                   exposure=decision.exposure, available_after=decision.available_after)


class OpenInvoiceForecast(Result):
    number: str
    balance: Money
    due_date: date
    predicted_pay_date: date


class CreditReport(Result):
    customer: CustomerRef
    currency: str
    credit_limit: Money
    open_balance: Money
    uninvoiced_orders: Money
    available: Money
    overdue_amount: Money
    oldest_overdue_days: int
    on_hold: bool
    risk_grade: str
    on_time_share: Decimal
    avg_days_late: Decimal
    amount_checked: Money | None = None
    decision: CreditDecisionView | None = None
    forecast: list[OpenInvoiceForecast] = []
    unapplied_cash: Money = ZERO  # paid beyond the invoices it went to, waiting for `apply CR-n INVOICE`
    credits: list[str] = []  # the customer's open credits, "CR-n amount"

    @property
    def over_limit(self) -> bool:
        return self.available < 0


class CheckCreditArgs(Args):
    customer: str = Field(description="customer name or code")
    amount: PositiveMoney | None = Field(None, description="order amount to test")


def decide(ctx: ToolContext, customer: Customer, order_amount: Decimal) -> CreditDecision:
    inputs = credit_inputs(ctx.session, customer, ctx.today, order_amount)
    return decide_credit(inputs, ctx.rules.credit_max_days_overdue)


@tool("read", {Role.SALES, Role.COLLECTOR, Role.MANAGER})
def check_credit(ctx: ToolContext, args: CheckCreditArgs) -> CreditReport:
    """A customer's credit limit, exposure, available, overdue and grade; with amount: would that order pass."""
    customer = resolve_customer(ctx, args.customer)
    ctx.viewed("customer_credit", [customer.code])
    inputs = credit_inputs(ctx.session, customer, ctx.today, args.amount or ZERO)
    history = ctx.session.execute(
        select(Invoice.issue_date, Invoice.due_date, Invoice.paid_on, Invoice.total).where(
            Invoice.customer_id == customer.id, Invoice.paid_on.is_not(None)
        ).order_by(Invoice.paid_on.desc()).limit(50)
    ).all()
    stats = payment_stats((due, paid) for _, due, paid, _ in history)
    open_invoices = ctx.session.execute(
        select(Invoice.number, Invoice.balance, Invoice.due_date, Invoice.issue_date, Invoice.total,
               Invoice.disputed, Invoice.promised_on)
        .where(Invoice.customer_id == customer.id, Invoice.status.in_(OPEN_STATUSES))
        .order_by(Invoice.due_date).limit(5)
    ).all()
    decision = decide_credit(inputs, ctx.rules.credit_max_days_overdue) if args.amount else None
    unapplied, credits = unapplied_cash(ctx.session, customer.id)
    return CreditReport(
        customer=CustomerRef(code=customer.code, name=customer.name), currency=ctx.rules.currency,
        credit_limit=inputs.credit_limit, open_balance=inputs.open_balance,
        uninvoiced_orders=inputs.uninvoiced_orders,
        available=inputs.credit_limit - inputs.open_balance - inputs.uninvoiced_orders,
        overdue_amount=inputs.overdue_amount, oldest_overdue_days=inputs.oldest_overdue_days,
        on_hold=customer.on_hold, risk_grade=risk_grade(stats, inputs.oldest_overdue_days),
        on_time_share=stats.on_time_share,
        avg_days_late=stats.avg_days_late, amount_checked=args.amount,
        decision=CreditDecisionView.of(decision) if decision else None, unapplied_cash=unapplied, credits=credits,
        forecast=[
            OpenInvoiceForecast(number=n, balance=money(b), due_date=d, predicted_pay_date=expected_pay_date(
                history, issue_date=issued, due_date=d, amount=total, today=ctx.today, disputed=disputed,
                promised_on=promised))
            for n, b, d, issued, total, disputed, promised in open_invoices
        ],
    )
