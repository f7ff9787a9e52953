"""Figures come from the user or from tools, never from the model: a lying model's prose with amounts is
retried once with a tool required and otherwise replaced by an honest "could not look that up" that the
thread does not remember; optional prices and promised amounts nobody typed stay empty; a missing
quantity is asked for; a question about INV-... is answered by invoice_status whatever tool was picked."""

from __future__ import annotations

import json

from sqlalchemy import select

from db.models import ConversationMessage, Invoice, SalesOrder
from tests.fakes.openai_steps import reply, tool_calls
from tests.helpers import invoice_of
from tests.security.conftest import console_for


def remembered(db, thread: str) -> list[tuple[str, str]]:
    with db.session() as s:
        return [tuple(r) for r in s.execute(select(ConversationMessage.role, ConversationMessage.content)
                                            .where(ConversationMessage.thread_key == thread))]


def test_prose_with_figures_is_retried_with_a_tool_required(tally, conversation, llm):
    llm.push(reply("Acme's credit limit is $100,000 and nothing is outstanding."),
             tool_calls(("check_credit", {"customer": "Acme"})))
    console, out = console_for(tally, conversation, "U0SALES1")
    console.handle("how much credit does Acme have left?")
    assert "Credit for ACME Acme Corp" in out.getvalue() and "100,000" not in out.getvalue(), out.getvalue()
    first, retry = llm.requests[-2:]
    assert first.get("tool_choice") in (None, "auto") and retry["tool_choice"] == "required"


def test_a_model_that_keeps_inventing_gets_an_honest_answer_that_is_not_remembered(tally, conversation, llm, db):
    llm.push(reply("Globex's outstanding balance is $0."), reply("Globex owes 0.00, all paid."))
    console, out = console_for(tally, conversation, "U0SALES1", thread="t-honest")
    console.handle("what does Globex owe?")
    assert "I could not look that up" in out.getvalue() and "$0" not in out.getvalue(), out.getvalue()
    assert not any("0.00" in content or "$0" in content for _, content in remembered(db, "t-honest"))


def test_chatter_stays_chatter(tally, conversation, llm):
    llm.push(reply("You're welcome! Have a nice weekend."))
    console, out = console_for(tally, conversation, "U0SALES1")
    console.handle("thanks, have a nice weekend!")
    assert "Have a nice weekend" in out.getvalue() and llm.calls_count == 1


def test_an_invented_unit_price_is_dropped_and_the_list_price_proposed(tally, conversation, llm, db):
    llm.push(tool_calls(("create_order", {"customer": "Tyrell", "lines": [
        {"sku": "WIDGET-2", "quantity": 12, "unit_price": "10.00"}]})))
    console, out = console_for(tally, conversation, "U0SALES1")
    console.handle("order 12 WIDGET-2 for Tyrell")
    console.handle("y")
    assert "12 × WIDGET-2 at 18.00" in out.getvalue(), out.getvalue()
    with db.session() as s:
        order = s.scalars(select(SalesOrder).order_by(SalesOrder.id.desc())).first()
        assert [(line.quantity, str(line.unit_price)) for line in order.lines] == [(12, "18.00")]


def test_a_quoted_price_the_user_typed_is_kept(tally, conversation, llm):
    llm.push(tool_calls(("create_order", {"customer": "Acme", "lines": [
        {"sku": "WIDGET-1", "quantity": 10, "unit_price": "11.50"}]})))
    console, out = console_for(tally, conversation, "U0SALES1")
    console.handle("Acme: 10 WIDGET-1 @ 11.50")
    assert "10 × WIDGET-1 at 11.50" in out.getvalue(), out.getvalue()


def test_a_quantity_nobody_said_is_asked_for(tally, conversation, llm, db):
    llm.push(tool_calls(("create_order", {"customer": "Acme", "lines": [{"sku": "WIDGET-1", "quantity": 10}]})))
    console, out = console_for(tally, conversation, "U0SALES1")
    with db.session() as s:
        before = s.scalar(select(SalesOrder.id).order_by(SalesOrder.id.desc()).limit(1))
    console.handle("order some widgets for Acme")
    assert "How many WIDGET-1?" in out.getvalue() and "Confirm?" not in out.getvalue(), out.getvalue()
    with db.session() as s:
        assert s.scalar(select(SalesOrder.id).order_by(SalesOrder.id.desc()).limit(1)) == before


def test_a_digit_of_a_sku_is_not_a_quantity_the_user_typed(tally, conversation, llm):
    llm.push(tool_calls(("create_order", {"customer": "Acme", "lines": [{"sku": "WIDGET-2", "quantity": 2}]})))
    console, out = console_for(tally, conversation, "U0SALES1")
    console.handle("twenty WIDGET-2 for Acme")
    assert "How many WIDGET-2?" in out.getvalue() and "Confirm?" not in out.getvalue(), out.getvalue()


def test_an_invented_promised_amount_stays_empty(tally, conversation, llm, db):
    number = invoice_of(db, "TYRELL").number
    llm.push(tool_calls(("log_promise_to_pay", {"invoice_number": number, "promised_on": "friday", "amount": 100})))
    console, out = console_for(tally, conversation, "U0COLL1")
    console.handle(f"Tyrell says they'll pay {number} on Friday")
    assert "Confirm?" in out.getvalue() and "100.00" not in out.getvalue(), out.getvalue()
    console.handle("y")
    with db.session() as s:
        assert s.scalar(select(Invoice.promised_amount).where(Invoice.number == number)) is None


def test_a_payment_amount_nobody_said_is_asked_for(tally, conversation, llm, db):
    number = invoice_of(db, "HOOLI").number
    llm.push(tool_calls(("record_payment", {"invoice_number": number, "amount": 340, "received_on": "today"})))
    console, out = console_for(tally, conversation, "U0COLL1")
    console.handle(f"record payment for {number}")
    assert f"How much was received on {number}?" in out.getvalue() and "Confirm?" not in out.getvalue()


def test_an_invoice_number_goes_to_invoice_status_whatever_the_model_picked(tally, conversation, llm, db):
    number = invoice_of(db, "ACME").number
    llm.push(tool_calls(("order_status", {"customer": "Sam Sales"})))
    console, out = console_for(tally, conversation, "U0SALES1")
    console.handle(f"What's the status of {number}?")
    assert number in out.getvalue() and "Sam Sales" not in out.getvalue(), out.getvalue()


def test_the_model_sees_every_argument_constraint(tally, conversation, llm):
    llm.push(reply("Hello!"))
    console, _ = console_for(tally, conversation, "U0SALES1")
    console.handle("hi")
    tools = {t["function"]["name"]: t["function"]["parameters"] for t in llm.requests[-1]["tools"]}
    assert tools["check_credit"]["properties"]["amount"]["exclusiveMinimum"] == 0
    lines = tools["create_order"]["properties"]["lines"]
    assert lines["maxItems"] == 50 and lines["items"]["properties"]["quantity"]["exclusiveMinimum"] == 0
    assert json.dumps(tools).count("exclusiveMinimum") >= 3


def test_a_promise_read_as_a_payment_is_logged_as_a_promise(tally, conversation, llm, db):
    number = invoice_of(db, "TYRELL").number
    llm.push(tool_calls(("record_payment", {"invoice_number": number, "amount": 500, "received_on": "2026-12-11"})))
    console, out = console_for(tally, conversation, "U0COLL1")
    console.handle(f"Tyrell 答应 2026-12-11 付 {number}")
    assert "Confirm?" in out.getvalue() and "promise" in out.getvalue().lower(), out.getvalue()
    assert "500" not in out.getvalue(), out.getvalue()
    console.handle("y")
    with db.session() as s:
        invoice = s.scalar(select(Invoice).where(Invoice.number == number))
        assert str(invoice.promised_on) == "2026-12-11" and invoice.promised_amount is None and invoice.paid_amount == 0


def test_money_received_stays_a_payment_even_if_it_was_promised(tally, conversation, llm, db):
    number = invoice_of(db, "HOOLI").number
    llm.push(tool_calls(("record_payment", {"invoice_number": number, "amount": 340, "received_on": "today"})))
    console, out = console_for(tally, conversation, "U0COLL1")
    console.handle(f"Hooli paid the 340 they promised on {number}")
    assert "Confirm?" in out.getvalue() and "340.00" in out.getvalue(), out.getvalue()


def test_a_payment_dated_after_today_is_a_promise(tally, conversation, llm, db):
    number = invoice_of(db, "TYRELL").number
    llm.push(tool_calls(("record_payment", {"invoice_number": number, "amount": 100, "received_on": "2026-12-04"})))
    console, out = console_for(tally, conversation, "U0COLL1")
    console.handle(f"Tyrell 说周五付 {number}")
    assert "Confirm?" in out.getvalue() and "promise" in out.getvalue().lower(), out.getvalue()
    assert "100.00" not in out.getvalue(), out.getvalue()


def test_reject_read_as_a_cancellation_is_the_managers_hold_decision(tally, conversation, llm, db):
    with db.session() as session:
        held = session.scalar(select(SalesOrder.number).where(SalesOrder.status == "credit_hold").limit(1))
    llm.push(tool_calls(("cancel_order", {"order_number": held, "reason": "overdue invoices"})))
    console, out = console_for(tally, conversation, "U0MGR1")
    console.handle(f"reject order {held} because of the overdue invoices")
    assert "Reject" in out.getvalue() and "Confirm?" in out.getvalue(), out.getvalue()
    console.handle("y")
    with db.session() as session:
        order = session.scalar(select(SalesOrder).where(SalesOrder.number == held))
        assert order.status == "cancelled" and order.decided_by == "U0MGR1"


def test_an_invoice_number_nobody_wrote_is_not_looked_up(tally, conversation, llm, db):
    llm.push(tool_calls(("invoice_status", {"invoice_number": "INV-12345", "customer": "Initech"})))
    console, out = console_for(tally, conversation, "U0COLL1")
    console.handle("show me everything Initech still owes")
    assert "INV-12345" not in out.getvalue() and "Initech" in out.getvalue(), out.getvalue()
    llm.push(tool_calls(("invoice_status", {"invoice_number": "INV-2026-00042"})))
    console.handle("pull up the invoice for me")
    assert "Which invoice?" in out.getvalue(), out.getvalue()
