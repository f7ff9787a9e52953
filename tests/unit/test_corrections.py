"""Corrections through the service: credit notes, returns, voids and closed disputes, and what they change
in balances, ageing, stock, numbering and chasing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from db.models import AuditEvent, CreditNote, Invoice, OrderLine, Product, Reminder
from tests.conftest import DEMO_NOW
from tests.helpers import invoice_of, order_of, state
from tools import Rules, Tally
from tools.outbox import Outbox

TODAY = DEMO_NOW.date()


def run(tally, actor, tool, args):
    proposal = tally.propose(actor, tool, args)
    outcome = tally.confirm(actor, proposal.pending_id)
    assert outcome.status == "done", outcome.error
    return outcome.result


def ageing_total(tally, actor, as_of=None):
    args = {"as_of": as_of.isoformat()} if as_of else {}
    return tally.read(actor, "ar_ageing", args).total


def invoice_row(db, number) -> Invoice:
    with db.session() as s:
        return s.scalar(select(Invoice).where(Invoice.number == number))


def test_a_credit_note_lowers_the_balance_ageing_and_exposure_at_once(tally, db, actors):
    manager, collector = actors["U0MGR1"], actors["U0COLL1"]
    inv = invoice_of(db, "INITECH")
    before = ageing_total(tally, manager)
    yesterday = ageing_total(tally, manager, TODAY - timedelta(days=1))
    credit_before = tally.read(collector, "check_credit", {"customer": "INITECH"}).open_balance
    r = run(tally, collector, "issue_credit_note", {"invoice_number": inv.number, "amount": "100",
                                                    "reason": "price correction"})
    assert r.credit_note.number == f"CN-{TODAY.year}-00001" and r.credit_note.amount == Decimal("100.00")
    assert r.invoice.invoice.balance == inv.balance - 100 and r.invoice.invoice.credited == Decimal("100.00")
    after = ageing_total(tally, manager)
    assert after.total == before.total - 100
    assert tally.read(collector, "check_credit", {"customer": "INITECH"}).open_balance == credit_before - 100
    detail = tally.read(collector, "invoice_status", {"invoice_number": inv.number}).detail
    assert [n.number for n in detail.credit_notes] == [r.credit_note.number]
    note = tally.read(actors["U0SALES1"], "credit_note_status", {"credit_note_number": r.credit_note.number})
    assert note.invoice_number == inv.number and note.reason == "price correction"
    # Ageing as of yesterday still shows the balance the invoice had then; today's shows the credit.
    assert ageing_total(tally, manager, TODAY - timedelta(days=1)) == yesterday


def test_a_credit_that_settles_an_unpaid_invoice_marks_it_credited_and_stops_chasing(tally, db, actors):
    inv = invoice_of(db, "INITECH")
    r = run(tally, actors["U0MGR1"], "issue_credit_note", {"invoice_number": inv.number, "amount": str(inv.balance),
                                                            "reason": "small-balance write-off"})
    assert r.invoice.invoice.status == "credited" and r.invoice.invoice.balance == 0
    listing = tally.read(actors["U0COLL1"], "invoice_status", {"customer": "INITECH"}).listing
    assert inv.number not in [i.number for i in listing.invoices]
    with pytest.raises(Conflict, match="credited"):
        tally.propose(actors["U0COLL1"], "record_payment", {"invoice_number": inv.number, "amount": "1",
                                                             "received_on": TODAY.isoformat()})


def test_money_and_a_credit_together_settle_an_invoice_as_paid(tally, db, actors):
    inv = invoice_of(db, "HOOLI", status=("partially_paid",))
    r = run(tally, actors["U0MGR1"], "issue_credit_note", {"invoice_number": inv.number, "amount": str(inv.balance),
                                                            "reason": "goodwill"})
    assert r.invoice.invoice.status == "paid" and invoice_row(db, inv.number).paid_on == TODAY


def test_over_crediting_is_refused_and_writes_nothing(tally, db, actors):
    inv = invoice_of(db, "INITECH")
    before = state(db)
    with pytest.raises(InvalidInput, match="more than the open balance"):
        tally.propose(actors["U0MGR1"], "issue_credit_note", {"invoice_number": inv.number,
                                                              "amount": str(inv.balance + 1), "reason": "too much"})
    assert state(db) == before


def test_a_collector_cannot_issue_a_credit_note_above_the_limit_a_manager_can(db, clock, actors):
    tally = Tally(db, Rules(credit_note_manager_above=Decimal("50")), clock)
    inv = invoice_of(db, "INITECH")
    args = {"invoice_number": inv.number, "amount": "60", "reason": "goodwill"}
    before = state(db)
    with pytest.raises(NotAllowed, match="a manager must issue it"):
        tally.propose(actors["U0COLL1"], "issue_credit_note", args)
    assert state(db) == before
    run(tally, actors["U0COLL1"], "issue_credit_note", {**args, "amount": "50"})  # at the limit: a collector's
    r = run(tally, actors["U0MGR1"], "issue_credit_note", args)
    assert r.credit_note.amount == Decimal("60.00")
    with pytest.raises(NotAllowed):  # sales may not correct invoices at all
        tally.propose(actors["U0SALES1"], "issue_credit_note", {**args, "amount": "1"})


def test_a_return_restocks_and_credits_at_the_invoiced_price_with_its_tax(tally, db, actors):
    inv = invoice_of(db, "INITECH")
    with db.session(write=True) as s:  # an invoice issued with 10% tax, at a price below today's list price
        s.execute(update(Invoice).where(Invoice.number == inv.number).values(
            tax=Invoice.amount / 10, total=Invoice.amount + Invoice.amount / 10))
        line = s.scalars(select(OrderLine).where(OrderLine.order_id == inv.order_id).order_by(OrderLine.id)).first()
        sku, unit, invoiced = line.sku, line.unit_price, line.quantity
        s.execute(update(Product).where(Product.sku == sku).values(price=Product.price + 7))
        stock = s.scalar(select(Product.stock_on_hand).where(Product.sku == sku))
        s.commit()
    balance = invoice_row(db, inv.number).balance
    r = run(tally, actors["U0COLL1"], "return_goods", {"invoice_number": inv.number, "quantity": 1,
                                                        "sku": sku.lower(), "reason": "damaged"})
    expected = unit + (unit / 10).quantize(Decimal("0.01"))
    assert r.credit_note.amount == expected and r.credit_note.lines[0].unit_price == unit
    assert r.invoice.invoice.balance == balance - expected
    with db.session() as s:
        assert s.scalar(select(Product.stock_on_hand).where(Product.sku == sku)) == stock + 1
    if invoiced > 1:  # the rest may come back, no more
        with pytest.raises(InvalidInput, match=f"at most {invoiced - 1} can be returned"):
            tally.propose(actors["U0COLL1"], "return_goods", {"invoice_number": inv.number,
                                                               "quantity": invoiced, "sku": sku})
    other = next(p for p in _skus(db) if p not in _invoiced_skus(db, inv.order_id))
    with pytest.raises(NotFound, match=f"{other} is not on {inv.number}"):
        tally.propose(actors["U0COLL1"], "return_goods", {"invoice_number": inv.number, "quantity": 1, "sku": other})


def test_a_void_keeps_the_number_and_the_next_invoice_takes_the_next(tally, db, actors):
    inv = invoice_of(db, "INITECH")
    r = run(tally, actors["U0MGR1"], "void_invoice", {"invoice_number": inv.number, "reason": "issued twice"})
    assert r.invoice.invoice.status == "void"
    assert invoice_row(db, inv.number).status == "void"  # still there, under its number
    with db.session() as s:
        last = max(s.scalars(select(Invoice.number).where(Invoice.number.like(f"INV-{TODAY.year}-%"))))
    order = order_of(db, "ACME", "confirmed")
    shipped = run(tally, actors["U0MGR1"], "fulfil_order", {"order_number": order.number})
    assert shipped.invoice.number == f"INV-{TODAY.year}-{int(last[-5:]) + 1:05d}"
    with pytest.raises(Conflict, match="void already"):
        tally.propose(actors["U0MGR1"], "void_invoice", {"invoice_number": inv.number, "reason": "again"})


def test_a_partly_paid_invoice_cannot_be_voided_a_credit_note_is_suggested(tally, db, actors):
    inv = invoice_of(db, "HOOLI", status=("partially_paid",))
    before = state(db)
    with pytest.raises(Conflict, match="paid on it") as refused:
        tally.propose(actors["U0MGR1"], "void_invoice", {"invoice_number": inv.number, "reason": "wrong"})
    assert "credit-note" in refused.value.hint and state(db) == before


def test_resolving_a_dispute_with_a_credit_resumes_chasing(tally, db, actors, clock):
    inv = invoice_of(db, "GLOBEX", disputed=True)
    outbox = Outbox(db, clock, rules=tally.rules)
    mine = lambda: [r for r in _reminders(db) if r.invoice_id == inv.id]  # noqa: E731
    outbox.sweep()
    assert mine() == []  # disputed: not chased
    r = run(tally, actors["U0COLL1"], "resolve_dispute", {"invoice_number": inv.number, "credit": "25",
                                                           "note": "agreed 25 off for the damage"})
    assert not r.invoice.invoice.disputed and r.credit_note.amount == Decimal("25.00")
    assert r.invoice.invoice.balance == inv.balance - 25
    outbox.sweep()
    assert mine() and all(rem.status in ("pending", "skipped") for rem in mine())
    with db.session() as s:
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "resolve_dispute")).one()
        assert audit.after["note"] == "agreed 25 off for the damage" and audit.before["disputed"] is True
        assert s.scalar(select(CreditNote.kind).where(CreditNote.invoice_id == inv.id)) == "dispute"
    with pytest.raises(Conflict, match="not disputed"):
        tally.propose(actors["U0COLL1"], "resolve_dispute", {"invoice_number": inv.number, "note": "again"})


def _reminders(db):
    with db.session() as s:
        return list(s.scalars(select(Reminder)))


def _skus(db):
    with db.session() as s:
        return list(s.scalars(select(Product.sku).order_by(Product.sku)))


def _invoiced_skus(db, order_id):
    with db.session() as s:
        return set(s.scalars(select(OrderLine.sku).where(OrderLine.order_id == order_id)))


def test_the_agent_reads_cn_numbers_as_credit_notes_and_never_invents_a_credit():
    from bot.agent.guards import route_by_document, without_invented_figures
    from core.errors import Ambiguous

    assert route_by_document("invoice_status", {"invoice_number": "CN-2026-00001"}, "what is CN-2026-00001?") == (
        "credit_note_status", {"credit_note_number": "CN-2026-00001"})
    with pytest.raises(Ambiguous, match="How much should INV-2026-00001 be credited"):
        without_invented_figures("issue_credit_note", {"invoice_number": "INV-2026-00001", "amount": "50",
                                                       "reason": "damage"}, "credit INV-2026-00001 for the damage")
