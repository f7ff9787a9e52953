"""The SQL reports against figures worked out by hand. Each example is one salesperson's own book (a
rep and customer of their own beside the demo data), read through the tools as that salesperson,
whose reports cover only their customers; so the answers are exactly the figures below.

Today is Sunday 29 November 2026 (UTC). The countback counts calendar months, the newest running to
today: November has 29 days so far, October 31 and September 30."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from core.roles import Role
from db.models import Customer, Invoice, Member, Payment
from tools import Actor, FixedClock, Rules, Tally

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
D = Decimal


def book(db, rep: str, code: str, invoices: list[dict]) -> Actor:
    """A salesperson owning one customer with these invoices: each a number, issue and due date, total,
    and the payments received on it as (day, amount); 'void' marks a voided one."""
    with db.session(write=True) as s:
        s.add(Member(slack_user_id=rep, name=f"Rep {rep}", role=Role.SALES.value, timezone="UTC", created_at=NOW))
        s.flush()
        customer = Customer(code=code, name=f"{code} Ltd", owner_rep=rep, credit_limit=D("1000000"),
                            created_at=NOW)
        s.add(customer)
        s.flush()
        for spec in invoices:
            payments = spec.get("payments", [])
            paid = sum((amount for _, amount in payments), D(0))
            total = D(spec["total"])
            status = ("void" if spec.get("void") else "paid" if paid == total
                      else "partially_paid" if paid else "open")
            invoice = Invoice(number=spec["number"], customer_id=customer.id, rep=rep, issue_date=spec["issue"],
                              due_date=spec["due"], amount=total, tax=D(0), total=total, cost=D(0),
                              paid_amount=paid, status=status, paid_on=payments[-1][0] if status == "paid" else None,
                              created_at=NOW)
            s.add(invoice)
            s.flush()
            for n, (received, amount) in enumerate(payments):
                s.add(Payment(invoice_id=invoice.id, customer_id=customer.id, amount=amount, received_on=received,
                              method="bank_transfer", reference=f"{spec['number']}-{n}", recorded_by=rep,
                              created_at=NOW))
        s.commit()
    return Actor(rep, Role.SALES, f"Rep {rep}", "UTC")


@pytest.fixture
def tally_on_29_nov(db) -> Tally:
    return Tally(db, Rules(), FixedClock(NOW))


# Days past due on 29 Nov in brackets. Bucket edges: due today is current; 30 days late is still 1-30,
# 31 is 31-60; 60 | 61 and 90 | 91 likewise.
AGEING_BOOK = [
    {"number": "AGE-A", "issue": date(2026, 11, 10), "due": date(2026, 12, 10), "total": "1000.00"},  # (-11)
    {"number": "AGE-B", "issue": date(2026, 10, 30), "due": date(2026, 11, 29), "total": "200.00"},  # (0)
    {"number": "AGE-C", "issue": date(2026, 10, 29), "due": date(2026, 11, 28), "total": "300.00"},  # (1)
    {"number": "AGE-D", "issue": date(2026, 9, 30), "due": date(2026, 10, 30), "total": "500.00",  # (30)
     "payments": [(date(2026, 11, 5), D("100.00"))]},
    {"number": "AGE-E", "issue": date(2026, 9, 29), "due": date(2026, 10, 29), "total": "250.00"},  # (31)
    {"number": "AGE-F", "issue": date(2026, 8, 31), "due": date(2026, 9, 30), "total": "150.00"},  # (60)
    {"number": "AGE-G", "issue": date(2026, 8, 30), "due": date(2026, 9, 29), "total": "75.50"},  # (61)
    {"number": "AGE-H", "issue": date(2026, 8, 1), "due": date(2026, 8, 31), "total": "24.50"},  # (90)
    {"number": "AGE-I", "issue": date(2026, 7, 31), "due": date(2026, 8, 30), "total": "60.00"},  # (91)
    {"number": "AGE-J", "issue": date(2026, 5, 2), "due": date(2026, 6, 1), "total": "999.00",  # paid
     "payments": [(date(2026, 6, 20), D("999.00"))]},
    {"number": "AGE-K", "issue": date(2026, 7, 1), "due": date(2026, 7, 31), "total": "888.00", "void": True},
]


def buckets(line) -> list[Decimal]:
    return [line.buckets[key] for key in ("current", "1-30", "31-60", "61-90", "91+")]


def test_ageing_puts_each_balance_in_its_bucket(db, tally_on_29_nov):
    rep = book(db, "U0AGE1", "AGEING", AGEING_BOOK)
    report = tally_on_29_nov.read(rep, "ar_ageing", {"group_by": "customer"})
    # current: A 1,000 + B 200; 1-30: C 300 + D 500 − 100 paid; 31-60: E 250 + F 150;
    # 61-90: G 75.50 + H 24.50; 91+: I 60. The paid and the void invoice owe nothing.
    expected = [D("1200.00"), D("700.00"), D("400.00"), D("100.00"), D("60.00")]
    assert [row.key for row in report.rows] == ["AGEING"]
    assert buckets(report.rows[0]) == buckets(report.total) == expected
    assert report.total.total == D("2460.00")


def test_ageing_as_of_a_past_day_counts_what_was_owed_then(db, tally_on_29_nov):
    rep = book(db, "U0AGE1", "AGEING", AGEING_BOOK)
    report = tally_on_29_nov.read(rep, "ar_ageing", {"as_of": "2026-10-31"})
    # On 31 Oct A was not yet issued and D's 100 not yet received. Days late then:
    # B (-29), C (-28) current; D (1), E (2) 1-30; F (31), G (32) 31-60; H (61), I (62) 61-90.
    assert buckets(report.total) == [D("500.00"), D("750.00"), D("225.50"), D("84.50"), D("0.00")]
    assert report.total.total == D("1560.00")


# 70,000 invoiced in September, of which 20,000 came in on 20 Oct and 18,000 on 15 Nov; 80,000 in
# October and 100,000 in November, both unpaid. Terms 30 days.
DSO_BOOK = [
    {"number": "DSO-SEP", "issue": date(2026, 9, 10), "due": date(2026, 10, 10), "total": "70000.00",
     "payments": [(date(2026, 10, 20), D("20000.00")), (date(2026, 11, 15), D("18000.00"))]},
    {"number": "DSO-OCT", "issue": date(2026, 10, 10), "due": date(2026, 11, 9), "total": "80000.00"},
    {"number": "DSO-NOV", "issue": date(2026, 11, 10), "due": date(2026, 12, 10), "total": "100000.00"},
]


def test_collections_summary_this_month(db, tally_on_29_nov):
    rep = book(db, "U0DSO1", "DSOCO", DSO_BOOK)
    s = tally_on_29_nov.read(rep, "collections_summary", {"period": "this-month"})
    assert (s.start, s.end) == (date(2026, 11, 1), date(2026, 11, 29))
    # Ending AR 32,000 + 80,000 + 100,000; only November's invoice is not yet due.
    assert (s.ending_ar, s.current_ar, s.overdue_ar) == (D("212000.00"), D("100000.00"), D("112000.00"))
    # Opening AR (31 Oct): 70,000 − 20,000 + 80,000.
    assert s.opening_ar == D("130000.00") and s.credit_sales == D("100000.00")
    # Countback: 212,000 − 100,000 (Nov, 29 days) − 80,000 (Oct, 31 days) leaves 32,000 of
    # September's 70,000 over 30 days: 29 + 31 + 13.71 = 73.7.
    assert s.countback_dso == D("73.7")
    assert s.simple_dso == D("61.5")  # 212,000 ÷ 100,000 × 29
    assert s.best_possible_dso == D("29.0")  # 100,000 ÷ 100,000 × 29
    assert s.average_days_delinquent == D("32.5")
    # CEI: (130,000 + 100,000 − 212,000) ÷ (130,000 + 100,000 − 100,000) = 18,000 ÷ 130,000
    assert s.cei == D("13.8")
    assert s.overdue_share == D("52.8")  # 112,000 ÷ 212,000


def test_collections_summary_of_a_past_month_reads_the_ar_as_it_was(db, tally_on_29_nov):
    rep = book(db, "U0DSO1", "DSOCO", DSO_BOOK)
    s = tally_on_29_nov.read(rep, "collections_summary", {"period": "2026-10"})
    assert (s.start, s.end) == (date(2026, 10, 1), date(2026, 10, 31))
    # 31 Oct: September's 50,000 left (overdue since 10 Oct) and October's 80,000 (due 9 Nov).
    assert (s.ending_ar, s.current_ar) == (D("130000.00"), D("80000.00"))
    assert s.opening_ar == D("70000.00") and s.credit_sales == D("80000.00")
    # 130,000 − 80,000 (Oct, 31 days) leaves 50,000 of September's 70,000 over 30 days: 31 + 21.43.
    assert s.countback_dso == D("52.4")
    assert s.simple_dso == D("50.4")  # 130,000 ÷ 80,000 × 31 = 50.375
    assert s.best_possible_dso == D("31.0")
    # CEI: (70,000 + 80,000 − 130,000) ÷ (70,000 + 80,000 − 80,000) = 20,000 ÷ 70,000
    assert s.cei == D("28.6")
