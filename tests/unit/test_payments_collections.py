from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.errors import Conflict, InvalidInput, NotFound
from db.models import Invoice, Reminder
from tests.conftest import DEMO_NOW
from tests.helpers import invoice_of, state

TODAY = DEMO_NOW.date()


def run(tally, actor, tool, args):
    p = tally.propose(actor, tool, args)
    outcome = tally.confirm(actor, p.pending_id)
    assert outcome.status == "done", outcome.error
    return outcome.result


def test_partial_then_full_payment(tally, db, actors):
    inv = invoice_of(db, "INITECH")
    half = (inv.total - inv.paid_amount) / 2
    r = run(tally, actors["U0COLL1"], "record_payment", {"invoice_number": inv.number, "amount": str(round(half, 2)),
                                                          "received_on": "yesterday", "reference": "W-1"})
    assert r.invoice.invoice.status == "partially_paid" and r.received_on == TODAY - timedelta(days=1)
    rest = r.invoice.invoice.balance
    r = run(tally, actors["U0COLL1"], "record_payment", {"invoice_number": inv.number, "amount": str(rest),
                                                          "received_on": TODAY.isoformat(), "reference": "W-2"})
    assert r.invoice.invoice.status == "paid" and r.invoice.invoice.balance == Decimal("0.00")
    with db.session() as s:
        assert s.scalar(select(Invoice.paid_on).where(Invoice.number == inv.number)) == TODAY


def test_same_reference_is_not_recorded_twice(tally, db, actors):
    inv = invoice_of(db, "INITECH")
    run(tally, actors["U0COLL1"], "record_payment", {"invoice_number": inv.number, "amount": "10",
                                                      "received_on": TODAY.isoformat(), "reference": "DUP-1"})
    before = state(db)
    with pytest.raises(Conflict, match="already recorded"):
        tally.propose(actors["U0COLL1"], "record_payment", {"invoice_number": inv.number, "amount": "10",
                                                             "received_on": TODAY.isoformat(), "reference": "DUP-1"})
    assert state(db) == before


@pytest.mark.parametrize("change, error, words", [
    ({"amount": "999999"}, InvalidInput, "more than the balance"),
    ({"amount": "-5"}, InvalidInput, "^The amount must be more than 0"),
    ({"amount": "10.005"}, InvalidInput, r"^10\.005 has more than 2 decimals"),
    ({"amount": "9" * 29}, InvalidInput, r"more than the books hold \(at most 999,999,999,999\.99\)"),
    ({"received_on": "2099-01-01"}, InvalidInput, "future"),
    ({"received_on": "someday"}, InvalidInput, "someday"),
    ({"invoice_number": "INV-1999-00001"}, NotFound, "INV-2026-00042"),
])
def test_bad_payments_are_refused_and_write_nothing(tally, db, actors, change, error, words):
    inv = invoice_of(db, "INITECH")
    before = state(db)
    args = {"invoice_number": inv.number, "amount": "10", "received_on": TODAY.isoformat(), **change}
    with pytest.raises(error, match=words):
        tally.propose(actors["U0COLL1"], "record_payment", args)
    assert state(db) == before


def test_paid_invoice_takes_no_payment(tally, db, actors):
    inv = invoice_of(db, "ACME", status=("paid",))
    with pytest.raises(Conflict, match="paid"):
        tally.propose(actors["U0COLL1"], "record_payment", {"invoice_number": inv.number, "amount": "1",
                                                             "received_on": TODAY.isoformat()})


def test_promise_and_dispute_pause_and_show(tally, db, actors):
    inv = invoice_of(db, "TYRELL")
    r = run(tally, actors["U0COLL1"], "log_promise_to_pay",
            {"invoice_number": inv.number, "promised_on": "next friday"})
    assert r.invoice.invoice.promised_on == TODAY + timedelta(days=3)  # Tuesday → Friday
    r = run(tally, actors["U0COLL1"], "mark_dispute", {"invoice_number": inv.number, "reason": "short shipped"})
    assert r.invoice.invoice.disputed and r.invoice.dispute_reason == "short shipped"
    r = run(tally, actors["U0COLL1"], "mark_dispute", {"invoice_number": inv.number, "reason": "box damaged"})
    assert r.invoice.dispute_reason == f"short shipped; then on {TODAY}: box damaged"  # the first is kept
    assert "short shipped; then on" in r.describe(done=True)
    with pytest.raises(InvalidInput, match="past"):
        tally.propose(actors["U0COLL1"], "log_promise_to_pay", {"invoice_number": inv.number,
                                                                 "promised_on": "2026-01-01"})


def test_schedule_reminder_in_users_timezone_and_cancel(tally, db, actors):
    inv = invoice_of(db, "ACME")
    r = run(tally, actors["U0SALES1"], "schedule_reminder", {"invoice_number": inv.number,
                                                              "remind_at": "tomorrow 9am", "note": "call Wile"})
    # U0SALES1 is in New York: 09:00 EST is 14:00 UTC
    assert r.remind_at == DEMO_NOW.replace(hour=14) + timedelta(days=1) and r.recipient == "U0SALES1"
    with pytest.raises(Conflict):
        tally.propose(actors["U0SALES1"], "schedule_reminder", {"invoice_number": inv.number,
                                                                 "remind_at": "tomorrow 9am"})
    run(tally, actors["U0COLL1"], "cancel_reminder", {"reminder_id": r.reminder_id})
    with db.session() as s:
        assert s.get(Reminder, r.reminder_id).status == "cancelled"


def test_reminder_in_the_past_or_to_a_stranger_is_refused(tally, db, actors):
    inv = invoice_of(db, "ACME")
    with pytest.raises(InvalidInput, match="past"):
        tally.propose(actors["U0COLL1"], "schedule_reminder", {"invoice_number": inv.number,
                                                                "remind_at": "2026-11-01T09:00"})
    with pytest.raises(NotFound, match="not a Tally member"):
        tally.propose(actors["U0COLL1"], "schedule_reminder", {"invoice_number": inv.number,
                                                                "remind_at": "tomorrow 10am", "recipient": "@U0NOBODY"})


def test_worklist_puts_broken_promises_first_and_skips_paused(tally, actors):
    wl = tally.read(actors["U0MGR1"], "collection_worklist", {"collector": "all"})
    assert wl.items[0].broken_promise and wl.items[0].invoice.customer.code == "OSCORP"
    numbers = {it.invoice.customer.code for it in wl.items}
    assert all(not it.invoice.disputed for it in wl.items)
    assert all(it.invoice.days_overdue > 0 for it in wl.items)
    scores = [it.score for it in wl.items if not it.broken_promise]
    assert scores == sorted(scores, reverse=True)
    assert "ACME" not in numbers or all(  # ACME's overdue invoice is promised for next week: paused
        it.invoice.promised_on is None for it in wl.items if it.invoice.customer.code == "ACME")
    mine = tally.read(actors["U0COLL1"], "collection_worklist", {})
    assert mine.collector == "U0COLL1" and len(mine.items) <= len(wl.items)


def test_credit_report_for_near_limit_customer(tally, actors):
    report = tally.read(actors["U0SALES1"], "check_credit", {"customer": "Initech", "amount": "5000"})
    assert Decimal(0) < report.available < Decimal(5000)
    assert report.decision.decision == "hold"
    assert any("exceed" in r for r in report.decision.reasons)
    assert report.open_balance + report.uninvoiced_orders + report.available == report.credit_limit


def test_paid_on_is_the_day_the_last_money_arrived_even_when_entered_out_of_order(tally, db, actors):
    inv = invoice_of(db, "INITECH")
    balance = inv.total - inv.paid_amount
    run(tally, actors["U0COLL1"], "record_payment", {"invoice_number": inv.number, "amount": str(balance - 10),
                                                      "received_on": "2026-11-20", "reference": "LATE-1"})
    run(tally, actors["U0COLL1"], "record_payment", {"invoice_number": inv.number, "amount": "10",
                                                      "received_on": "2026-11-10", "reference": "EARLY-1"})
    with db.session() as s:
        assert s.scalar(select(Invoice.paid_on).where(Invoice.number == inv.number)).isoformat() == "2026-11-20"


def test_a_managers_own_worklist_is_the_whole_book_and_an_empty_one_says_whose(tally, db, actors):
    from bot.blocks.views import render

    manager = actors["U0MGR1"]
    everyone = tally.read(manager, "collection_worklist", {})
    mine = tally.read(manager, "collection_worklist", {"collector": "U0MGR1"})
    assert mine.collector is None and mine.total_overdue == everyone.total_overdue > 0
    with db.session(write=True) as s:  # Colin's book paid up
        for invoice in s.scalars(select(Invoice).where(Invoice.customer.has(collector="U0COLL1"))):
            invoice.paid_amount, invoice.status = invoice.total, "paid"
        s.commit()
    empty = tally.read(tally.actor_for("U0COLL1"), "collection_worklist", {})
    assert render(empty) == "Nothing to chase for <@U0COLL1>: no overdue invoices in their book."
