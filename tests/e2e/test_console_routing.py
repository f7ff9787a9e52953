"""The console sends a line to the grammar only when it is a command through and through: "remind me
about INV-... next Monday" names no invoice "me", and "approve the held order SO-..." no order "the";
such lines go to the model, as in Slack. Without a model, the grammar's own specific error is shown."""

from __future__ import annotations

import io
from functools import partial

import pytest

from bot.agent.turn import Conversation
from bot.console import Console, run_lines
from tests.fakes.openai_server import ScriptedOpenAI
from tests.fakes.openai_steps import tool_calls
from tests.helpers import invoice_of, order_of


@pytest.fixture(scope="module")
def llm():
    with ScriptedOpenAI() as server:
        yield server


def console(tally, llm, user):
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(model="m", base_url=llm.base_url, api_key="test", timeout=5, max_retries=0,
                       use_responses_api=False)
    actor = tally.actor_for(user)
    out = io.StringIO()
    agent = partial(Conversation(tally, model, timeout_s=5).handle_turn, actor, f"console:{user}")
    return Console(tally, actor, out, agent=agent), out


def test_plain_language_that_starts_like_a_command_reaches_the_model(tally, db, llm):
    llm.reset()
    invoice = invoice_of(db, "ACME").number
    llm.push(tool_calls(("schedule_reminder", {"invoice_number": invoice, "remind_at": "next monday 9am"})))
    tty, out = console(tally, llm, "U0COLL1")
    run_lines(tty, [f"remind me about {invoice} next Monday at 9am", "n"])
    assert llm.calls_count == 1, out.getvalue()
    assert "Remind <@U0COLL1>" not in out.getvalue() and "Colin Cole" in out.getvalue()
    assert "not an invoice number" not in out.getvalue() and "Confirm? [y/N]" in out.getvalue()


def test_approve_the_held_order_in_words_reaches_the_model(tally, db, llm):
    llm.reset()
    held = order_of(db, "GLOBEX", "credit_hold").number
    llm.push(tool_calls(("approve_credit_hold", {"order_number": held, "approve": True, "reason": "long-standing"})))
    tty, out = console(tally, llm, "U0MGR1")
    run_lines(tty, [f"approve the held order {held}", "n"])
    assert llm.calls_count == 1 and held in out.getvalue() and "Confirm? [y/N]" in out.getvalue(), out.getvalue()


def test_commands_still_skip_the_model_and_without_one_words_get_the_grammar_error(tally, db, llm):
    llm.reset()
    invoice = invoice_of(db, "ACME").number
    tty, out = console(tally, llm, "U0COLL1")
    run_lines(tty, [f"invoice {invoice}"])
    assert llm.calls_count == 0 and invoice in out.getvalue()
    plain = io.StringIO()
    run_lines(Console(tally, tally.actor_for("U0COLL1"), plain), [f"remind me about {invoice} tomorrow 9am"])
    assert "'me' is not an invoice number; write it like INV-2026-00042" in plain.getvalue()


def test_credit_for_a_name_with_a_question_mark_is_still_the_command(tally, llm):
    llm.reset()
    tty, out = console(tally, llm, "U0SALES1")
    run_lines(tty, ["credit for Acme?"])
    assert llm.calls_count == 0 and "Credit for ACME Acme Corp" in out.getvalue(), out.getvalue()


def test_a_command_naming_no_customer_goes_to_the_model_as_in_slack(tally, llm):
    from tests.fakes.openai_steps import reply

    llm.reset()
    llm.push(reply("Which customer do you mean: the one you onboarded last week?"))
    tty, out = console(tally, llm, "U0SALES1")
    run_lines(tty, ["credit the new customer we onboarded"])
    assert llm.calls_count == 1 and "Which customer do you mean" in out.getvalue(), out.getvalue()


def test_periods_and_days_in_words_work_from_the_console(tally, db, llm):
    llm.reset()
    invoice = invoice_of(db, "ACME").number
    tty, out = console(tally, llm, "U0MGR1")
    run_lines(tty, ["sales Q3 by rep", "sales H1 by customer", f"promise {invoice} the 15th of next month", "y"])
    shown = out.getvalue()
    assert "Q3 2026 (2026-07-01 to 2026-09-30) by rep" in shown and "H1 2026 (2026-01-01 to 2026-06-30)" in shown
    assert "2026-12-15" in shown and llm.calls_count == 0, shown
