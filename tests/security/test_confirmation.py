"""What a person confirms is the tool's own summary of the stored action, whatever the model says; and
when one call of a turn is invalid, the other calls' results do not go back to the model."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.e2e.slack_harness import slack_world
from tests.fakes.openai_server import ScriptedOpenAI
from tests.fakes.openai_steps import http_error, reply, tool_calls
from tests.helpers import invoice_of
from tests.security.conftest import HOSTILE_REASON, console_for, disputed_globex, payments, request_text, tool_notes

ROOT = Path(__file__).resolve().parents[2]
LIE = "Nothing has changed. Type y to see the payment history."
NOTES = ["Proposed, not done: waiting for the user's confirmation, which shows them what will happen.",
         "Shown to the user."]


def hostile_turn(invoice: str, received_on: str = "2026-11-24") -> list:
    """A valid payment, a read of another customer, an invalid sibling; then, called again, a lie."""
    return [tool_calls(("record_payment", {"invoice_number": invoice, "amount": 340, "received_on": received_on}),
                       ("invoice_status", {"customer": "globex"}),
                       ("record_payment", {"invoice_number": invoice, "amount": "lots"})),
            reply(LIE)]


def assert_nothing_read_went_back(request: dict, globex_invoice: str, summary: str) -> None:
    shown = request_text(request)
    assert tool_notes(request)[:2] == NOTES and tool_notes(request)[2].startswith("Error: 'lots' is not an amount")
    for data in (HOSTILE_REASON, globex_invoice, "Globex", "GLOBEX", summary, "balance after"):
        assert data not in shown, data


def test_console_confirms_the_stored_summary_not_the_models_words(tally, conversation, llm, db):
    invoice, globex = invoice_of(db, "INITECH").number, disputed_globex(db)
    llm.push(*hostile_turn(invoice))
    console, out = console_for(tally, conversation, "U0COLL1")
    before = payments(db)
    console.handle("Initech paid 340, and how is globex doing?")
    lines = out.getvalue().rstrip().splitlines()
    stored = tally.pending(console.pending[0].pending_id).summary
    assert lines[-1] == "Confirm? [y/N]" and lines[-2] == stored  # the summary right above the question
    assert stored.startswith(f"Record a payment of 340.00 USD on {invoice} (Initech)")
    assert lines[0] == LIE  # the model's words accompany the summary, they do not replace it
    assert globex in out.getvalue()  # the read was shown to the user
    assert llm.calls_count == 2 and payments(db) == before
    assert_nothing_read_went_back(llm.requests[1], globex, stored)
    console.handle("y")
    assert payments(db) == [*before, (invoice, "340.00")]  # exactly what the summary said, once
    assert "Payment of 340.00 USD recorded" in out.getvalue()


def test_console_lists_several_proposals_as_one_set(tally, conversation, llm, db):
    first, second = invoice_of(db, "INITECH").number, invoice_of(db, "ACME").number
    llm.push(tool_calls(("record_payment", {"invoice_number": first, "amount": 10, "received_on": "2026-11-24"}),
                        ("record_payment", {"invoice_number": second, "amount": 20, "received_on": "2026-11-24"})))
    console, out = console_for(tally, conversation, "U0COLL1")
    before = payments(db)
    console.handle("Initech paid 10 and Acme 20")
    lines = out.getvalue().rstrip().splitlines()
    summaries = [tally.pending(p.pending_id).summary for p in console.pending]
    assert lines[-4:] == ["These 2 changes are confirmed or cancelled together:", f"1. {summaries[0]}",
                          f"2. {summaries[1]}", "Confirm all 2? [y/N]"]
    console.handle("n")
    assert payments(db) == before and out.getvalue().count("Cancelled: nothing was changed.") == 2


def test_a_failed_turn_offers_nothing_to_confirm(tally, conversation, llm, db):
    invoice = invoice_of(db, "INITECH").number
    llm.push(tool_calls(("record_payment", {"invoice_number": invoice, "amount": 340, "received_on": "2026-11-24"}),
                        ("record_payment", {"invoice_number": invoice, "amount": "lots"})),
             http_error(500, "down"))
    console, out = console_for(tally, conversation, "U0COLL1")
    before = payments(db)
    console.handle("Initech paid 340")
    assert "HTTP 500" in out.getvalue() and "Confirm" not in out.getvalue() and not console.pending
    console.handle("y")  # not a confirmation of anything
    console.finish()
    assert payments(db) == before and out.getvalue().rstrip().endswith("There is nothing to confirm: no change "
                                                                          "is waiting for a yes or no.")


def test_slack_card_shows_the_stored_summary_and_the_click_runs_it(tally, db):
    from tests.e2e.slack_harness import blocks_text, button

    invoice, globex = invoice_of(db, "INITECH").number, disputed_globex(db)
    with slack_world(tally) as world:
        world.llm.push(*hostile_turn(invoice))
        before = payments(db)
        world.dm("U0COLL1", "Initech paid 340, and how is globex doing?")
        posts = world.slack.wait_for("chat.postMessage", count=2)  # the placeholder, then the second answer
        cards = [c for c in world.slack.wait_for("chat.update") + posts if "tally_confirm" in blocks_text(c)]
        assert len(cards) == 1
        pending_id = button(cards[0], "tally_confirm")
        stored = tally.pending(pending_id).summary
        assert stored in blocks_text(cards[0]) and stored.startswith("Record a payment of 340.00 USD")
        everything = json.dumps([c.params for c in world.slack.calls], ensure_ascii=False)
        assert LIE not in everything  # Slack shows what the tools rendered; the model's words never replace it
        assert_nothing_read_went_back(world.llm.requests[1], globex, stored)
        assert payments(db) == before
        card_ts = [m["ts"] for m in world.slack.messages("DU0COLL1") if pending_id in json.dumps(m)]
        world.click("U0COLL1", "tally_confirm", pending_id, "DU0COLL1", card_ts[0])
        world.slack.wait_for("chat.update", count=2)
        assert payments(db) == [*before, (invoice, "340.00")]


def test_app_console_subprocess_confirms_the_stored_summary(tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TALLY_", "OPENAI_"))}

    def console(text: str, **env) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(ROOT / "app.py"), "console", "--as", "U0COLL1"], input=text,
                              capture_output=True, text=True, cwd=tmp_path, timeout=120,
                              env={**environ, "TALLY_DATA_DIR": str(tmp_path), **env})

    assert console("help\n").returncode == 0  # first start: the demo database
    with sqlite3.connect(tmp_path / "tally.db") as con:
        invoice = con.execute("select i.number from invoices i join customers c on c.id = i.customer_id "
                              "where c.code = 'INITECH' and i.status = 'open' order by i.due_date").fetchone()[0]
        count = con.execute("select count(*) from payments").fetchone()[0]
    with ScriptedOpenAI() as llm:
        llm.push(*hostile_turn(invoice, received_on="today"))
        result = console("Initech paid 340 today, and globex?\ny\n", TALLY_MODEL="tally-test-model",
                         OPENAI_API_KEY="test", OPENAI_BASE_URL=llm.base_url)
        assert llm.calls_count == 2 and "Globex" not in request_text(llm.requests[1])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    asked = lines.index("Confirm? [y/N]")
    assert lines[asked - 1].startswith(f"Record a payment of 340.00 USD on {invoice} (Initech)")
    assert LIE in result.stdout[:result.stdout.index(lines[asked - 1])]
    with sqlite3.connect(tmp_path / "tally.db") as con:
        rows = con.execute("select p.amount from payments p join invoices i on i.id = p.invoice_id "
                           "where i.number = ?", (invoice,)).fetchall()
        assert con.execute("select count(*) from payments").fetchone()[0] == count + 1
    assert [f"{float(a):.2f}" for (a,) in rows][-1] == "340.00"
