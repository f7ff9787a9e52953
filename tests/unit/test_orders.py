from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.errors import Ambiguous, InsufficientStock, InvalidInput, NotAllowed, NotFound
from db.models import AuditEvent, Invoice, Product, SalesOrder
from tests.helpers import order_of, state


def stock(db, sku):
    with db.session() as s:
        p = s.scalar(select(Product).where(Product.sku == sku))
        return p.stock_on_hand, p.stock_reserved


def test_order_for_good_customer_is_confirmed_and_reserves_stock(tally, db, actors):
    on_hand, reserved = stock(db, "WIDGET-1")
    proposal = tally.propose(actors["U0SALES1"], "create_order",
                             {"customer": "acme", "lines": [{"sku": "widget-1", "quantity": 10}]})
    assert "Acme Corp" in proposal.summary and "125.00" in proposal.summary
    assert stock(db, "WIDGET-1") == (on_hand, reserved)  # a proposal writes nothing
    outcome = tally.confirm(actors["U0SALES1"], proposal.pending_id)
    assert outcome.status == "done"
    order = outcome.result.order
    assert order.status == "confirmed" and order.total == Decimal("125.00")
    assert order.number.startswith("SO-2026-")
    assert stock(db, "WIDGET-1") == (on_hand, reserved + 10)
    with db.session() as s:
        audit = s.scalars(select(AuditEvent).where(AuditEvent.entity_id == order.number)).all()
        assert [a.action for a in audit] == ["create_order"] and audit[0].actor == "U0SALES1"


def test_globex_order_goes_on_credit_hold_with_reasons_and_reserves_nothing(tally, db, actors):
    before = stock(db, "GADGET-2")
    p = tally.propose(actors["U0SALES2"], "create_order", {"customer": "Globex", "lines": [
        {"sku": "GADGET-2", "quantity": 2}]})
    assert "manager" in p.summary and "past due" in p.summary
    order = tally.confirm(actors["U0SALES2"], p.pending_id).result.order
    assert order.status == "credit_hold"
    assert any("past due" in r for r in order.credit.reasons)
    assert stock(db, "GADGET-2") == before


def test_manager_approves_hold_which_confirms_and_reserves(tally, db, actors):
    held = order_of(db, "GLOBEX", "credit_hold")
    p = tally.propose(actors["U0MGR1"], "approve_credit_hold",
                      {"order_number": held.number, "approve": True, "reason": "long-standing customer"})
    outcome = tally.confirm(actors["U0MGR1"], p.pending_id)
    assert outcome.result.order.status == "confirmed"
    with db.session() as s:
        assert s.scalar(select(SalesOrder.decided_by).where(SalesOrder.number == held.number)) == "U0MGR1"


def test_confirm_twice_runs_once(tally, db, actors):
    p = tally.propose(actors["U0SALES1"], "create_order", {"customer": "ACME", "lines": [
        {"sku": "WIDGET-1", "quantity": 1}]})
    first = tally.confirm(actors["U0SALES1"], p.pending_id)
    second = tally.confirm(actors["U0SALES1"], p.pending_id)
    assert first.status == second.status == "done" and second.already
    assert second.result.order.number == first.result.order.number
    with db.session() as s:
        count = select(func.count()).select_from(SalesOrder).where(SalesOrder.number == first.result.order.number)
        assert s.scalar(count) == 1


def test_cancelled_proposal_cannot_be_confirmed(tally, db, actors):
    before = state(db, with_pending=False)
    p = tally.propose(actors["U0SALES1"], "create_order", {"customer": "ACME", "lines": [
        {"sku": "WIDGET-1", "quantity": 1}]})
    assert tally.cancel(actors["U0SALES1"], p.pending_id).status == "cancelled"
    assert tally.confirm(actors["U0SALES1"], p.pending_id).status == "cancelled"
    assert state(db, with_pending=False) == before


def test_expired_proposal_does_not_run(tally, db, actors, clock):
    from datetime import timedelta

    before = state(db, with_pending=False)
    p = tally.propose(actors["U0SALES1"], "create_order", {"customer": "ACME", "lines": [
        {"sku": "WIDGET-1", "quantity": 1}]})
    clock.at += timedelta(days=2)
    assert tally.confirm(actors["U0SALES1"], p.pending_id).status == "expired"
    assert state(db, with_pending=False) == before


def test_only_requester_or_manager_may_confirm(tally, db, actors):
    p = tally.propose(actors["U0SALES1"], "create_order", {"customer": "ACME", "lines": [
        {"sku": "WIDGET-1", "quantity": 1}]})
    with pytest.raises(NotAllowed):
        tally.confirm(actors["U0SALES2"], p.pending_id)
    outcome = tally.confirm(actors["U0MGR1"], p.pending_id)
    assert outcome.status == "done" and outcome.result.order.rep == "U0SALES1"  # the requester keeps the sale


@pytest.mark.parametrize("args, error, words", [
    ({"customer": "ACME", "lines": [{"sku": "WIDGET-1", "quantity": -5}]}, InvalidInput, "quantity"),
    ({"customer": "ACME", "lines": [{"sku": "NOPE-1", "quantity": 1}]}, NotFound, "NOPE-1"),
    ({"customer": "ACME", "lines": [{"sku": "WIDGT-1", "quantity": 1}]}, NotFound, "WIDGET-1"),
    ({"customer": "Acme Corpp", "lines": [{"sku": "WIDGET-1", "quantity": 1}]}, NotFound, "ACME Acme Corp"),
    ({"customer": "umbrel", "lines": [{"sku": "WIDGET-1", "quantity": 1}]}, Ambiguous, "Umbrella Health"),
    ({"customer": "ACME", "lines": [{"sku": "SPROCKET-9", "quantity": 1}]}, InsufficientStock, "Only 0"),
    ({"customer": "ACME", "lines": [{"sku": "WIDGET-1", "quantity": 1}, {"sku": "widget-1", "quantity": 2}]},
     InvalidInput, "twice"),
    ({"customer": "ACME", "lines": []}, InvalidInput, "lines"),
])
def test_bad_orders_are_refused_with_a_specific_message_and_write_nothing(tally, db, actors, args, error, words):
    before = state(db)
    with pytest.raises(error) as exc:
        tally.propose(actors["U0MGR1"], "create_order", args)
    assert words in str(exc.value)
    assert state(db) == before


def test_fulfil_ships_and_issues_invoice_due_after_terms(tally, db, actors, clock):
    order = order_of(db, "ACME", "confirmed")
    p = tally.propose(actors["U0SALES1"], "fulfil_order", {"order_number": order.number, "tracking": "1Z999"})
    result = tally.confirm(actors["U0SALES1"], p.pending_id).result
    assert result.order.status == "shipped" and result.order.invoice_number.startswith("INV-2026-")
    with db.session() as s:
        inv = s.scalar(select(Invoice).where(Invoice.number == result.order.invoice_number))
        assert inv.total == order.total and inv.status == "open"
        assert (inv.due_date - inv.issue_date).days == 30 and inv.issue_date == clock.at.date()


def test_cancel_releases_reserved_stock(tally, db, actors):
    order = order_of(db, "ACME", "confirmed")
    with db.session() as s:
        line = s.scalar(select(SalesOrder).where(SalesOrder.id == order.id)).lines[0]
        sku, qty = line.sku, line.quantity
    _, reserved = stock(db, sku)
    p = tally.propose(actors["U0SALES1"], "cancel_order", {"order_number": order.number, "reason": "changed mind"})
    tally.confirm(actors["U0SALES1"], p.pending_id)
    assert stock(db, sku)[1] == reserved - qty


def test_failed_confirmation_is_reported_and_not_retried(tally, db, actors):
    on_hand, reserved = stock(db, "GADGET-3")
    p = tally.propose(actors["U0SALES1"], "create_order", {"customer": "ACME", "lines": [
        {"sku": "GADGET-3", "quantity": on_hand - reserved}]})
    with db.session(write=True) as s:  # stock sold elsewhere meanwhile
        s.scalar(select(Product).where(Product.sku == "GADGET-3")).stock_reserved = reserved + 5
        s.commit()
    before = state(db, with_pending=False)
    first = tally.confirm(actors["U0SALES1"], p.pending_id)
    assert first.status == "failed" and f"Only {on_hand - reserved - 5} GADGET-3" in first.error
    again = tally.confirm(actors["U0SALES1"], p.pending_id)
    assert again.status == "failed" and again.already
    assert state(db, with_pending=False) == before


def test_same_as_last_time_proposes_the_customers_last_order_lines(tally, db, actors):
    rep = actors["U0SALES1"]
    first = tally.propose(rep, "create_order", {"customer": "ACME", "lines": [
        {"sku": "WIDGET-1", "quantity": 7}, {"sku": "GADGET-2", "quantity": 2}]})
    assert tally.confirm(rep, first.pending_id).status == "done"
    again = tally.propose(rep, "create_order", {"customer": "acme", "same_as_last": True})
    assert "7 × WIDGET-1" in again.summary and "2 × GADGET-2" in again.summary, again.summary
    outcome = tally.confirm(rep, again.pending_id)
    assert [(ln.sku, ln.quantity) for ln in outcome.result.order.lines] == [("WIDGET-1", 7), ("GADGET-2", 2)]


def test_an_order_without_lines_says_what_to_give(tally, actors):
    import pytest

    from core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="give the lines"):
        tally.propose(actors["U0SALES1"], "create_order", {"customer": "ACME"})
