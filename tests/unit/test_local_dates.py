"""Relative dates mean the user's own calendar day: a New York rep at 22:00 on 1 Dec (03:00 UTC on the 2nd)
orders on the 1st; a Shanghai collector at 07:30 on 2 Dec (23:30 UTC on the 1st) may record a payment
received "today" without it being refused as a future date."""

from datetime import UTC, date, datetime

from tests.helpers import invoice_of
from tools import Rules, Tally, TickingClock


def confirmed(tally, actor, tool, args):
    proposal = tally.propose(actor, tool, args)
    outcome = tally.confirm(actor, proposal.pending_id)
    assert outcome.status == "done", outcome.error
    return outcome.result


def test_an_evening_order_in_new_york_is_dated_on_the_users_day(db, actors):
    tally = Tally(db, Rules(), TickingClock(datetime(2026, 12, 2, 3, 0, tzinfo=UTC)))
    result = confirmed(tally, actors["U0SALES1"], "create_order",
                       {"customer": "ACME", "lines": [{"sku": "WIDGET-1", "quantity": 1}]})
    assert result.order.ordered_on == date(2026, 12, 1)


def test_a_morning_payment_in_shanghai_received_today_is_the_users_today(db, actors):
    tally = Tally(db, Rules(), TickingClock(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)))
    invoice = invoice_of(db, "HOOLI")
    result = confirmed(tally, tally.actor_for("U0COLL2"), "record_payment",
                       {"invoice_number": invoice.number, "amount": "1.00", "received_on": "today"})
    assert result.received_on == date(2026, 12, 2)
    yesterday = confirmed(tally, tally.actor_for("U0COLL2"), "record_payment",
                          {"invoice_number": invoice.number, "amount": "1.00", "received_on": "yesterday",
                           "reference": "Y-1"})
    assert yesterday.received_on == date(2026, 12, 1)


def test_a_manager_confirming_a_shanghai_reps_proposal_keeps_the_reps_calendar(db, actors):
    # 23:30 UTC on 1 Dec: 2 Dec in Shanghai, still 1 Dec in New York where the manager confirms
    tally = Tally(db, Rules(), TickingClock(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)))
    rep, manager = tally.actor_for("U0SALES2"), actors["U0MGR1"]
    proposal = tally.propose(rep, "create_order", {"customer": "GLOBEX", "lines": [{"sku": "VALVE-1", "quantity": 1}]})
    outcome = tally.confirm(manager, proposal.pending_id)
    assert outcome.status == "done", outcome.error
    assert outcome.result.order.ordered_on == date(2026, 12, 2)
