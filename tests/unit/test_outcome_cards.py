"""Cards that replace a decided request say exactly what happened and who decided it."""

from decimal import Decimal

from bot.blocks import outcome_card
from bot.blocks.views import render, result_blocks
from tests.conftest import DEMO_NOW
from tests.helpers import order_of
from tests.unit.test_blocks import all_text, check_limits, run
from tools import Rules, Tally


def test_an_approved_credit_hold_says_approved_and_by_whom_and_nothing_about_waiting(tally, db, actors):
    held = order_of(db, "GLOBEX", "credit_hold").number
    outcome = run(tally, actors["U0MGR1"], "approve_credit_hold",
                  {"order_number": held, "approve": True, "reason": "long-standing customer"})
    text = all_text(check_limits(outcome_card(outcome, "America/New_York", at=DEMO_NOW)))
    assert f"Credit hold on {held} approved by <@U0MGR1>" in text and "confirmed" in text
    assert "*Credit hold approved* by <@U0MGR1>: long-standing customer" in text
    assert "Approved by <@U0MGR1> at 10:00 (America/New_York)" in text
    assert "waiting for a manager" not in text and "Confirmed by" not in text and "rejected" not in text.lower()


def test_a_rejected_credit_hold_says_rejected_and_by_whom(tally, db, actors):
    held = order_of(db, "GLOBEX", "credit_hold").number
    outcome = run(tally, actors["U0MGR1"], "approve_credit_hold",
                  {"order_number": held, "approve": False, "reason": "too much overdue"})
    text = all_text(check_limits(outcome_card(outcome, "UTC", at=DEMO_NOW)))
    assert f"Order {held} rejected by <@U0MGR1> and cancelled: too much overdue" in text
    assert "*Credit hold rejected* by <@U0MGR1>: too much overdue" in text
    assert "Rejected by <@U0MGR1> at 15:00 (UTC)" in text and "🚫" in text
    assert "Confirmed by" not in text and "approved" not in text.lower() and "waiting for a manager" not in text


def test_an_order_still_on_hold_waits_for_a_manager(tally, db, actors):
    held = order_of(db, "GLOBEX", "credit_hold").number
    order = tally.read(actors["U0MGR1"], "order_status", {"order_number": held})
    assert "waiting for a manager" in all_text(result_blocks(order))


def test_fulfil_shows_net_tax_and_the_invoice_total_before_and_after(db, clock, actors):
    taxed = Tally(db, Rules(tax_rate=Decimal("0.08")), clock)
    rep = actors["U0SALES1"]
    created = run(taxed, rep, "create_order", {"customer": "ACME", "lines": [
        {"sku": "WIDGET-1", "quantity": 4, "unit_price": "49.00"}]})
    number = created.result.order.number
    proposal = taxed.propose(rep, "fulfil_order", {"order_number": number})
    assert "196.00" in proposal.summary and "tax 15.68" in proposal.summary and "211.68" in proposal.summary
    outcome = taxed.confirm(rep, proposal.pending_id)
    invoice = taxed.read(rep, "invoice_status", {"invoice_number": outcome.result.order.invoice_number})
    assert invoice.detail.invoice.total == Decimal("211.68")
    card = all_text(check_limits(outcome_card(outcome, "UTC", at=DEMO_NOW)))
    for shown in ("Net", "196.00", "Tax", "15.68", "Invoice total", "211.68", invoice.detail.invoice.number):
        assert shown in card
    console = render(outcome.result)
    assert "196.00" in console and "15.68" in console and "211.68" in console


def test_the_console_says_who_decided_a_credit_hold(tally, db, actors):
    held = order_of(db, "GLOBEX", "credit_hold").number
    outcome = run(tally, actors["U0MGR1"], "approve_credit_hold",
                  {"order_number": held, "approve": True, "reason": "long-standing customer"})
    text = render(outcome.result)
    assert "Credit hold (approved by U0MGR1):" in text and "CONFIRMED" in text
