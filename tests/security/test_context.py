"""What the model gets back from tools: fixed notes, never data; and garbage tool calls get a clear answer."""

from __future__ import annotations

from tests.fakes.openai_steps import reply, tool_calls
from tests.helpers import invoice_of
from tests.security.conftest import HOSTILE_REASON, console_for, disputed_globex, request_text, tool_notes

UNREADABLE = "Error: the arguments of find_customer are not a valid JSON object; nothing was done."


def test_a_read_next_to_an_invalid_call_goes_back_as_a_note_only(tally, conversation, llm, db):
    number = disputed_globex(db)
    llm.push(tool_calls(("invoice_status", {"invoice_number": number}), ("check_credit", {"customer": "globex",
                                                                                          "amount": "a lot"})),
             tool_calls(("check_credit", {"customer": "globex", "amount": 5000})))
    reply_ = conversation.handle_turn(tally.actor_for("U0MGR1"), "t", f"show {number}; can globex take 5000?")
    assert sorted(c.kind for c in reply_.calls) == ["invalid", "result", "result"]
    assert reply_.status == "answered" and number in reply_.text and len(reply_.typed_results) == 2
    second = llm.requests[1]
    notes = sorted(tool_notes(second))
    assert notes[0].startswith("Error: ") and "amount" in notes[0] and notes[1] == "Shown to the user."
    for data in (HOSTILE_REASON, "Globex", "GLOBEX", "Credit", "Available"):
        assert data not in request_text(second), data


def test_unreadable_arguments_go_back_once_then_the_corrected_call_runs(tally, conversation, llm):
    llm.push(tool_calls(("find_customer", '{"query": "acme"')), tool_calls(("find_customer", {"query": "acme"})))
    console, out = console_for(tally, conversation, "U0SALES1")
    console.handle("who is acme?")
    assert tool_notes(llm.requests[1]) == [UNREADABLE] and llm.calls_count == 2
    assert "Acme Corp" in out.getvalue()


def test_unreadable_arguments_twice_end_with_a_clear_message(tally, conversation, llm, db):
    garbage = tool_calls(("find_customer", "{not json"))
    llm.push(garbage, garbage)
    console, out = console_for(tally, conversation, "U0SALES1")
    console.handle("who is acme?")
    assert "tool call whose arguments could not be read; nothing was done" in out.getvalue()
    assert "no answer" not in out.getvalue() and llm.calls_count == 2


def test_arguments_that_are_not_an_object_get_a_clear_message(tally, conversation, llm):
    llm.push(tool_calls(("find_customer", '["acme"]')))
    console, out = console_for(tally, conversation, "U0SALES1")
    console.handle("who is acme?")
    assert "answer could not be read (a tool call whose arguments are not an object)" in out.getvalue()
    assert "Nothing was changed." in out.getvalue()


def test_a_tool_that_does_not_exist_gets_a_clear_message(tally, conversation, llm):
    bogus = tool_calls(("drop_all_tables", {"really": True}))
    llm.push(bogus, bogus)
    console, out = console_for(tally, conversation, "U0SALES1")
    console.handle("clean up please")
    assert "asked for 'drop_all_tables', which is not a tool you can use; nothing was done" in out.getvalue()


def test_an_empty_model_answer_is_said_so(tally, conversation, llm):
    llm.push(reply(""))
    reply_ = conversation.handle_turn(tally.actor_for("U0SALES1"), "t", "hello?")
    assert reply_.status == "failed" and "gave an empty answer" in reply_.text


def test_a_write_next_to_an_unreadable_call_is_still_only_proposed(tally, conversation, llm, db):
    invoice = invoice_of(db, "INITECH").number
    llm.push(tool_calls(("record_payment", {"invoice_number": invoice, "amount": 5, "received_on": "2026-11-24"}),
                        ("find_customer", "{oops")),
             reply("Done! The payment is recorded."))
    console, out = console_for(tally, conversation, "U0COLL1")
    console.handle("Initech paid 5")
    notes = tool_notes(llm.requests[1])
    assert UNREADABLE in notes and len(notes) == 2 and "Initech" not in request_text(llm.requests[1])[-400:]
    assert out.getvalue().rstrip().splitlines()[-2].startswith(f"Record a payment of 5.00 USD on {invoice}")
