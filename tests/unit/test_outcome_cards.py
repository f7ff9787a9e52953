"""Cards that replace a decided request say exactly what happened and who decided it."""

from bot.blocks import outcome_card
from bot.blocks.views import result_blocks
from tests.conftest import DEMO_NOW
from tests.helpers import order_of
from tests.unit.test_blocks import all_text, check_limits, run


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
