""""and Globex?" after a read about Acme repeats that read for Globex without a model call, under the
asker's own permissions; a line that is not such a follow-up goes to the model."""

from __future__ import annotations

from tests.fakes.openai_steps import reply, tool_calls
from tests.security.conftest import console_for


def test_and_globex_repeats_the_last_read_without_the_model(tally, conversation, llm):
    llm.push(tool_calls(("check_credit", {"customer": "Acme"})))
    console, out = console_for(tally, conversation, "U0MGR1", thread="t-follow")
    console.handle("how is Acme doing on credit?")
    console.handle("and Globex?")
    assert llm.calls_count == 1, out.getvalue()
    assert "Credit for ACME Acme Corp" in out.getvalue() and "Credit for GLOBEX Globex" in out.getvalue()
    console.handle("Hooli 呢？")
    assert llm.calls_count == 1 and "Credit for HOOLI Hooli" in out.getvalue()


def test_a_follow_up_keeps_the_askers_permissions(tally, conversation, llm):
    llm.push(tool_calls(("check_credit", {"customer": "Acme"})))
    console, out = console_for(tally, conversation, "U0SALES1", thread="t-follow-rep")
    console.handle("how is Acme doing on credit?")
    console.handle("what about Globex?")
    assert "Credit for GLOBEX" not in out.getvalue() and llm.calls_count == 1


def test_not_a_follow_up_goes_to_the_model(tally, conversation, llm):
    llm.push(tool_calls(("invoice_status", {"customer": "Hooli"})), reply("Sure."))
    console, out = console_for(tally, conversation, "U0COLL1", thread="t-follow-2")
    console.handle("show Hooli's open invoices")
    console.handle("thanks, that's all for today")
    assert llm.calls_count == 2
