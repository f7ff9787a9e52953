"""A confirmation shows every argument that will run (dates, tracking, notes, references, recipients, prices
with their margin) as the tool renders the stored proposal; Confirm runs exactly those, whoever confirms."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.errors import InvalidInput
from db.models import Invoice, Payment, Reminder, SalesOrder
from tests.e2e.slack_harness import button, slack_world
from tests.fakes.openai_steps import reply, tool_calls
from tests.helpers import invoice_of
from tests.security.conftest import console_for, tool_notes


@pytest.fixture
def world(tally):
    with slack_world(tally) as w:
        yield w


def shown(call) -> str:
    """What a Slack message says, its blocks' text as a person reads it (not JSON-escaped)."""
    texts: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                texts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(call.params.get("blocks") or [])
    return "\n".join(texts) + "\n" + (call.params.get("text") or "")


def new_order(tally, user: str = "U0SALES1", customer: str = "ACME", quantity: int = 2) -> str:
    """A confirmed order, as its rep would place it: the order number."""
    actor = tally.actor_for(user)
    proposal = tally.propose(actor, "create_order", {"customer": customer,
                                                     "lines": [{"sku": "WIDGET-1", "quantity": quantity}]})
    outcome = tally.confirm(actor, proposal.pending_id)
    assert outcome.result.order.status == "confirmed"
    return outcome.result.order.number


def shipped(db, number: str) -> tuple:
    with db.session() as s:
        order = s.scalar(select(SalesOrder).where(SalesOrder.number == number))
        invoice = s.scalar(select(Invoice).where(Invoice.order_id == order.id))
        return order.status, order.shipped_on, order.tracking, invoice.issue_date if invoice else None


def test_console_fulfil_card_shows_ship_date_and_tracking_and_books_them(tally, conversation, llm, db, clock):
    number = new_order(tally)
    llm.push(tool_calls(("fulfil_order", {"order_number": number.lower(), "shipped_on": "today",
                                          "tracking": "1Z999AA10123456784"})))
    console, out = console_for(tally, conversation, "U0SALES1")
    console.handle(f"ship {number.lower()} today, tracking 1Z999AA10123456784")
    pending = tally.pending(console.pending[0].pending_id)
    assert pending.args == {"order_number": number, "shipped_on": "2026-11-24", "tracking": "1Z999AA10123456784"}
    lines = out.getvalue().rstrip().splitlines()
    assert lines[-1] == "Confirm? [y/N]" and lines[-2] == pending.summary
    assert f'Ship order {number} for Acme Corp on 2026-11-24 (tracking "1Z999AA10123456784")' in pending.summary
    clock.at += timedelta(hours=20)  # the next morning in New York (before the proposal expires)
    console.handle("y")
    assert shipped(db, number) == ("shipped", date(2026, 11, 24), "1Z999AA10123456784", date(2026, 11, 24))


def test_fulfil_without_a_date_books_the_day_shown_whenever_the_click_comes(tally, db, clock):
    number = new_order(tally)
    with slack_world(tally, with_model=False) as world:
        card = world.slack.wait_for(world.command("U0SALES1", f"fulfil {number}"))[0]
        assert f"Ship order {number} for Acme Corp on 2026-11-24 (no tracking code)" in shown(card)
        pending_id = button(card, "tally_confirm")
        assert tally.pending(pending_id).args["shipped_on"] == "2026-11-24"
        clock.at += timedelta(hours=20)  # the next morning in New York, also for the manager
        world.click("U0MGR1", "tally_confirm", pending_id, "C0GENERAL", "1700000000.000100",
                    container={"type": "message", "message_ts": "1700000000.000100", "channel_id": "C0GENERAL",
                               "is_ephemeral": True}, response_url=world.slack.base_url + "response.ship1")
        world.slack.wait_for("response.ship1")
    assert shipped(db, number) == ("shipped", date(2026, 11, 24), None, date(2026, 11, 24))


def test_a_ship_date_before_the_order_is_refused_with_what_works(tally, conversation, llm, db):
    number = new_order(tally)
    llm.push(tool_calls(("fulfil_order", {"order_number": number, "shipped_on": "2025-01-01"})), reply(""))
    console, out = console_for(tally, conversation, "U0SALES1")
    console.handle(f"ship {number}, it left on 2025-01-01")
    expected = f"Ship date 2025-01-01 is before {number} was ordered (2026-11-24)"
    assert expected in out.getvalue() and "from 2026-11-24 to today (2026-11-24)" in out.getvalue()
    assert tool_notes(llm.requests[1])[0].startswith(f"Error: {expected}")
    assert not console.pending and "Confirm" not in out.getvalue()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Invoice).where(Invoice.number.like("INV-1-%"))) == 0
    assert shipped(db, number) == ("confirmed", None, None, None)
    with pytest.raises(InvalidInput, match="'0001-01-01' is outside the dates Tally keeps"):  # no year-1 invoice
        tally.propose(tally.actor_for("U0SALES1"), "fulfil_order", {"order_number": number, "shipped_on": "0001-01-01"})


def test_manager_confirming_a_reps_reminder_sends_what_the_rep_was_shown(tally, db, clock):
    number = invoice_of(db, "ACME").number
    note = "Ask Jane for the PO number before Friday"
    asked = clock.at
    with slack_world(tally) as world:
        world.llm.push(tool_calls(("schedule_reminder", {"invoice_number": number.lower(), "remind_at": "in 2 hours",
                                                         "recipient": "me", "note": note})))
        world.dm("U0SALES1", f"remind me about {number} in 2 hours: {note}")
        card = world.slack.wait_for("chat.update")[0]
        pending_id = button(card, "tally_confirm")
        stored = tally.pending(pending_id)
        remind_at = datetime.fromisoformat(stored.args["remind_at"])
        assert stored.args["recipient"] == "U0SALES1" and stored.args["invoice_number"] == number
        assert abs(remind_at - (asked + timedelta(hours=2))) < timedelta(minutes=1)  # from when the rep asked
        assert stored.summary in shown(card)
        assert f"Remind <@U0SALES1> about {number} (Acme Corp)" in shown(card) and f'the note "{note}"' in shown(card)
        clock.at += timedelta(hours=1)  # the manager confirms an hour later, in another timezone
        world.click("U0MGR1", "tally_confirm", pending_id, "DU0SALES1", card.params["ts"])
        world.slack.wait_for("chat.update", count=2)
    with db.session() as s:
        rows = s.execute(select(Reminder.recipient, Reminder.created_by, Reminder.due_at, Reminder.note)
                         .where(Reminder.invoice.has(number=number), Reminder.stage.like("at:%"))).all()
    assert rows == [("U0SALES1", "U0MGR1", remind_at, note)]  # the rep, at the time shown, with the note shown


def test_order_card_shows_the_note_and_the_price_override_with_its_margin(world, db):
    world.llm.push(tool_calls(("create_order", {"customer": "acme", "note": "Deliver to dock 4, ring twice",
                                                "lines": [{"sku": "widget-1", "quantity": 10, "unit_price": "11.00"},
                                                          {"sku": "gadget-2", "quantity": 1}]})))
    world.dm("U0SALES1", "10 widget-1 at 11 and a gadget-2 for acme, deliver to dock 4")
    card = world.slack.wait_for("chat.update")[0]
    text = shown(card)
    assert "10 × WIDGET-1 at 11.00 (list 12.50, 12% off; margin 3.90 a unit (35.5%))" in text
    assert "1 × GADGET-2 at 49.00;" in text and 'Note: "Deliver to dock 4, ring twice"' in text
    pending_id = button(card, "tally_confirm")
    assert tally_args(world, pending_id) == {"customer": "ACME", "note": "Deliver to dock 4, ring twice", "lines": [
        {"sku": "WIDGET-1", "quantity": 10, "unit_price": "11.00"},
        {"sku": "GADGET-2", "quantity": 1, "unit_price": "49.00"}], "same_as_last": False}  # list price as shown
    world.click("U0SALES1", "tally_confirm", pending_id, "DU0SALES1", card.params["ts"])
    world.slack.wait_for("chat.update", count=2)
    with db.session() as s:
        order = s.scalars(select(SalesOrder).order_by(SalesOrder.id.desc())).first()
        assert (order.status, order.note) == ("confirmed", "Deliver to dock 4, ring twice")
        assert [(ln.sku, ln.unit_price) for ln in order.lines] == [("WIDGET-1", 11), ("GADGET-2", 49)]


def tally_args(world, pending_id: str) -> dict:
    return world.tally.pending(pending_id).args


def test_payment_card_shows_the_reference_and_records_it(world, db):
    number = invoice_of(db, "INITECH").number
    method = world.command("U0COLL1", f"pay {number} 100 REF-7781")
    card = world.slack.wait_for(method)[0]
    assert f'Record a payment of 100.00 USD on {number} (Initech), received 2026-11-24 by bank transfer, ' \
           'reference "REF-7781"' in shown(card)
    world.click("U0COLL1", "tally_confirm", button(card, "tally_confirm"), "C0GENERAL", "1700000000.000100",
                container={"type": "message", "message_ts": "1700000000.000100", "channel_id": "C0GENERAL",
                           "is_ephemeral": True}, response_url=world.slack.base_url + "response.pay1")
    world.slack.wait_for("response.pay1")
    with db.session() as s:
        assert s.scalar(select(Payment.reference).join(Invoice, Payment.invoice_id == Invoice.id)
                        .where(Invoice.number == number).order_by(Payment.id.desc())) == "REF-7781"


def test_every_card_text_is_the_stored_summary(world, db):
    """Whatever the tool: the card carries the pending action's stored summary, not the model's words."""
    number = invoice_of(db, "ACME").number
    world.llm.push(tool_calls(("log_promise_to_pay", {"invoice_number": number.lower(), "promised_on": "2026-12-01"})),
                   reply("All done, nothing to confirm."))
    world.dm("U0COLL1", f"acme promised to pay {number} on dec 1")
    card = world.slack.wait_for("chat.update")[0]
    stored = tally_args(world, button(card, "tally_confirm"))
    assert stored["invoice_number"] == number
    assert world.tally.pending(button(card, "tally_confirm")).summary in shown(card)
    assert "nothing to confirm" not in json.dumps(card.params)


def test_every_write_tool_resolves_what_it_names():
    """Names, numbers and defaults are made exact when proposed; a reminder id and a statement line id are
    exact already."""
    from tools.registry import REGISTRY

    assert {name for name, spec in REGISTRY.items() if spec.is_write and spec.resolve is None} == {
        "cancel_reminder", "review_statement_line", "undo_statement_line"}
