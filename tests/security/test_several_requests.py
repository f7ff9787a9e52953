"""Several requests in one message: every read is answered and every write proposed as its own card;
the same call twice is one answer; a single request costs one model call."""

from __future__ import annotations

from tests.fakes.openai_steps import tool_calls
from tests.helpers import invoice_of
from tests.security.conftest import console_for


def test_two_reads_in_one_message_are_both_answered(tally, conversation, llm):
    llm.push(tool_calls(("check_credit", {"customer": "Acme"})),
             tool_calls(("invoice_status", {"customer": "Globex"})))
    console, out = console_for(tally, conversation, "U0MGR1")
    console.handle("check Acme's credit and show Globex's invoices")
    assert "Credit for ACME Acme Corp" in out.getvalue() and "GLOBEX" in out.getvalue(), out.getvalue()
    assert llm.calls_count == 2  # after the second answer the turn ends: nothing is left to ask


def test_two_writes_in_one_message_are_two_proposals(tally, conversation, llm, db):
    number = invoice_of(db, "ACME").number
    llm.push(tool_calls(("create_order", {"customer": "Acme", "lines": [{"sku": "WIDGET-1", "quantity": 5}]})),
             tool_calls(("schedule_reminder", {"invoice_number": number, "remind_at": "tomorrow 9am"})),
             )
    reply_ = conversation.handle_turn(tally.actor_for("U0MGR1"), "t-two",
                                      f"order 5 WIDGET-1 for Acme, then remind me about {number} tomorrow 9am")
    assert reply_.status == "proposed" and [p.tool for p in reply_.proposals] == ["create_order", "schedule_reminder"]


def test_one_request_is_one_model_call_and_a_repeated_call_one_card(tally, conversation, llm):
    llm.push(tool_calls(("check_credit", {"customer": "Acme"}), ("check_credit", {"customer": "Acme"})))
    reply_ = conversation.handle_turn(tally.actor_for("U0MGR1"), "t-one", "how is Acme's credit?")
    assert llm.calls_count == 1 and len(reply_.results) == 1
