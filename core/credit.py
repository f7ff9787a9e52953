"""The credit decision for an order: approve, or hold with every reason a salesperson can act on."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.money import fmt, money
from core.plural import days


@dataclass(frozen=True)
class CreditInputs:
    credit_limit: Decimal
    open_balance: Decimal  # open invoice balances
    uninvoiced_orders: Decimal  # confirmed orders not yet invoiced
    order_amount: Decimal  # the order being decided
    on_hold: bool
    oldest_overdue_days: int  # days past due of the oldest overdue invoice; 0 when none
    oldest_overdue_invoice: str | None
    overdue_amount: Decimal


@dataclass(frozen=True)
class CreditReason:
    code: str  # "over_limit" | "on_hold" | "overdue"
    message: str


@dataclass(frozen=True)
class CreditDecision:
    decision: str  # "approve" | "hold"
    reasons: tuple[CreditReason, ...]
    exposure: Decimal
    limit: Decimal
    available_before: Decimal
    available_after: Decimal  # negative when the order would go over the limit

    @property
    def approved(self) -> bool:
        return self.decision == "approve"


def decide_credit(inputs: CreditInputs, max_days_overdue: int = 30) -> CreditDecision:
    """Approve when exposure ≤ limit, the customer is not on hold and nothing is too far past due."""
    limit = money(inputs.credit_limit)
    committed = money(inputs.open_balance) + money(inputs.uninvoiced_orders)
    order = money(inputs.order_amount)
    exposure = committed + order
    available_before = limit - committed

    # Every reason is listed, not just the first, so the rep can fix all of them in one go.
    reasons: list[CreditReason] = []
    if exposure > limit:
        reasons.append(
            CreditReason(
                "over_limit",
                f"exposure {fmt(exposure)} would exceed the credit limit {fmt(limit)} "
                f"by {fmt(exposure - limit)}",
            )
        )
    if inputs.on_hold:
        reasons.append(CreditReason("on_hold", "the customer is on credit hold"))
    if inputs.oldest_overdue_days > max_days_overdue:
        which = inputs.oldest_overdue_invoice or "an invoice"
        reasons.append(
            CreditReason(
                "overdue",
                f"{which} is {days(inputs.oldest_overdue_days)} past due "
                f"(more than {max_days_overdue} allowed)",
            )
        )
    return CreditDecision(
        decision="hold" if reasons else "approve",
        reasons=tuple(reasons),
        exposure=exposure,
        limit=limit,
        available_before=available_before,
        available_after=available_before - order,
    )
