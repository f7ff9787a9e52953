"""Short payments: the rest of a certain payment of the invoices it names is proposed for a write-off
only within the tolerance (an amount, and a share of what was owed when set); a larger rest stays open."""

from decimal import Decimal

import pytest

from core.cash_matching import match_line
from core.write_off import WriteOffTolerance, proposed_write_offs
from tests.unit.core.test_cash_matching import book, line

D = Decimal


def match_of(amount: str, text: str):
    return match_line(line(amount, text, "Acme Corp"), book())


def rests(amount: str, text: str = "INV-2026-00042 INV-2026-00043"):
    match = match_of(amount, text)
    return match.rests, match.due


def test_a_payment_short_of_the_invoices_it_names_leaves_its_rest_on_the_last_one_filled():
    match = match_of("146.50", "INV-2026-00042 INV-2026-00043")
    assert match.outcome == "applied" and match.due == D("150.00")
    assert match.rests == [("INV-2026-00042", D("0.00")), ("INV-2026-00043", D("3.50"))]
    assert proposed_write_offs(match.rests, match.due, WriteOffTolerance()) == [("INV-2026-00043", D("3.50"))]


@pytest.mark.parametrize(("amount", "tolerance", "proposed"), [
    ("146.50", WriteOffTolerance(D("5.00")), True),
    ("145.00", WriteOffTolerance(D("5.00")), True),  # exactly the tolerance
    ("144.99", WriteOffTolerance(D("5.00")), False),  # a cent more: chased as today
    ("146.50", WriteOffTolerance(D("3.00")), False),
    ("146.50", WriteOffTolerance(D("0")), False),  # 0 turns proposals off
    ("148.50", WriteOffTolerance(D("5.00"), D("0.01")), True),  # 1.50 is 1% of 150.00
    ("146.50", WriteOffTolerance(D("5.00"), D("0.01")), False),  # 3.50 is more than 1%
])
def test_the_tolerance_is_an_amount_and_optionally_a_share(amount, tolerance, proposed):
    found = proposed_write_offs(*rests(amount), tolerance)
    assert bool(found) == proposed
    if found:
        assert sum(rest for _, rest in found) == D("150.00") - D(amount)


def test_a_full_payment_or_an_overpayment_proposes_nothing():
    for amount in ("150.00", "170.00"):
        match = match_of(amount, "INV-2026-00042 INV-2026-00043")
        assert match.rests == [] and proposed_write_offs(match.rests, match.due, WriteOffTolerance()) == []


def test_a_payment_the_rules_are_unsure_of_proposes_nothing():
    match = match_of("897.00", "INV-2026-00100")  # Stark's invoice, paid by Acme: review, never applied
    assert match.outcome == "review" and match.rests == []
