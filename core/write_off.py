"""Short payments: a customer who pays an invoice a few cents or dollars short, say for bank charges, is
not chased for the rest; a small write-off credit note is proposed instead, within a tolerance."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.money import ZERO, money


@dataclass(frozen=True)
class WriteOffTolerance:
    """How short a certain payment may be and still have its rest proposed for a write-off: at most
    `amount` (0: never), and, when `share` is set, at most that share of what the invoices named owed."""

    amount: Decimal = Decimal("5.00")
    share: Decimal = Decimal("0")

    def allows(self, short: Decimal, due: Decimal) -> bool:
        if short <= ZERO or short > self.amount:
            return False
        return not self.share or short <= money(due * self.share)


def proposed_write_offs(rests: list[tuple[str, Decimal]], due: Decimal,
                        tolerance: WriteOffTolerance) -> list[tuple[str, Decimal]]:
    """`rests`: what each invoice a payment named still owes after it (invoice number, amount); `due`:
    what they owed before. The invoices to write off and how much, when the whole shortfall is within the
    tolerance; else none, and the rest stays open to be chased."""
    open_rests = [(number, rest) for number, rest in rests if rest > ZERO]
    short = sum((rest for _, rest in open_rests), ZERO)
    return open_rests if tolerance.allows(short, due) else []
