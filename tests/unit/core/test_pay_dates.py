"""When an open invoice will be paid: worked examples and properties of core.risk.expected_pay_date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.risk import PORTFOLIO_LATENESS, expected_pay_date

START = date(2025, 1, 6)


def history(lateness: list[int], *, amount: str = "1000", terms: int = 30) -> list[tuple]:
    """Monthly invoices paid `lateness` days after due (negative: early)."""
    rows = []
    for i, late in enumerate(lateness):
        issued = START + timedelta(days=30 * i)
        due = issued + timedelta(days=terms)
        rows.append((issued, due, due + timedelta(days=late), Decimal(amount)))
    return rows


def predict(rows, issued: date, *, terms: int = 30, amount: str = "1000", today: date | None = None, **kw) -> date:
    return expected_pay_date(rows, issue_date=issued, due_date=issued + timedelta(days=terms), amount=Decimal(amount),
                             today=today or issued, **kw)


ISSUED = START + timedelta(days=30 * 12)


def test_an_early_payer_is_predicted_early():
    due = ISSUED + timedelta(days=30)
    assert predict(history([-6] * 12), ISSUED) < due


def test_a_chronic_late_payer_is_predicted_late_by_about_their_habit():
    due = ISSUED + timedelta(days=30)
    assert 15 <= (predict(history([25] * 12), ISSUED) - due).days <= 25


def test_a_new_customer_gets_the_portfolios_behaviour():
    due = ISSUED + timedelta(days=30)
    assert predict([], ISSUED) == due + timedelta(days=round(PORTFOLIO_LATENESS))
    assert predict([], ISSUED, portfolio=20.0) == due + timedelta(days=20)


def test_a_thin_history_leans_on_the_portfolio_more_than_a_long_one():
    due = ISSUED + timedelta(days=30)
    one = (predict(history([40]), ISSUED) - due).days
    many = (predict(history([40] * 12), ISSUED) - due).days
    assert PORTFOLIO_LATENESS < one < many <= 40


def test_recent_behaviour_counts_more_than_old():
    due = ISSUED + timedelta(days=30)
    worsening = (predict(history([0] * 6 + [30] * 6), ISSUED) - due).days
    improving = (predict(history([30] * 6 + [0] * 6), ISSUED) - due).days
    assert worsening > improving


def test_a_long_overdue_invoice_is_not_predicted_for_today():
    issued, today = date(2026, 1, 15), date(2026, 12, 2)  # due 2026-02-14: 291 days overdue
    for rows in ([], history([5] * 10), history([200, 250, 300])):
        expected = predict(rows, issued, today=today)
        assert expected > today + timedelta(days=6), (rows, expected)


def test_a_dispute_a_big_amount_and_a_promise_move_the_date():
    rows = history([0] * 12)
    plain = predict(rows, ISSUED)
    assert predict(rows, ISSUED, disputed=True) > plain
    assert predict(rows, ISSUED, amount="10000") > plain
    promised = ISSUED + timedelta(days=45)
    assert predict(rows, ISSUED, promised_on=promised) == promised


def test_only_invoices_settled_by_then_are_used():
    rows = history([0] * 12) + [(ISSUED, ISSUED + timedelta(days=30), ISSUED + timedelta(days=200), Decimal(1000))]
    assert predict(rows, ISSUED) == predict(rows[:-1], ISSUED)


@given(st.lists(st.integers(-90, 400), max_size=15), st.integers(0, 120), st.integers(-30, 500),
       st.booleans(), st.integers(1, 10**7))
def test_the_prediction_never_precedes_the_issue_date_or_today(late, terms, age, disputed, cents):
    issued = date(2026, 6, 1)
    today = issued + timedelta(days=max(age, 0))
    expected = predict(history(late), issued, terms=terms, amount=str(Decimal(cents) / 100), today=today,
                       disputed=disputed)
    assert expected >= issued and expected >= today
