"""Documents from each front end: the console writes the PDF and prints its path; `/tally statement ACME`,
the agent's customer_statement and a reminder's Statement button upload the PDF to Slack."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from pypdf import PdfReader

from bot.console import Console, run_lines
from bot.reminders import ReminderSender
from bot.slack_app import slack_client
from core.money import fmt
from tests.e2e.slack_harness import slack_world
from tests.e2e.test_reminders import TUESDAY_4PM_UTC, outbox_at, reminder_id_of, reminders
from tests.fakes.openai_steps import tool_calls
from tests.fakes.slack_requests import block_actions


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def uploaded(world, count: int = 1) -> list[tuple[dict, bytes]]:
    done = world.slack.wait_for("files.completeUploadExternal", count=count)
    found = []
    for call in done:
        files = call.params["files"]
        files = json.loads(files) if isinstance(files, str) else files
        found.append((call.params, world.slack.uploaded_files[files[0]["id"]]))
    return found


def test_console_statement_writes_the_pdf_and_prints_its_path(tally, actors, tmp_path):
    out = io.StringIO()
    console = Console(tally.via("console"), actors["U0COLL1"], out, files_dir=tmp_path / "documents")
    run_lines(console, ["statement ACME"])
    total = tally.read(actors["U0COLL1"], "invoice_status", {"customer": "ACME"}).listing.total_balance
    (path,) = (tmp_path / "documents").glob("ST-ACME-*.pdf")
    assert f"Saved: {path}" in out.getvalue() and f"total outstanding {fmt(total, 'USD')}" in out.getvalue()
    assert f"Total outstanding {fmt(total, 'USD')}" in pdf_text(path.read_bytes())


def test_slash_statement_uploads_the_pdf_to_the_askers_dm(tally):
    with slack_world(tally, with_model=False) as world:
        answer = world.slack.wait_for(world.command("U0COLL1", "statement ACME"))[0]
        assert "Statement of account ST-ACME-" in answer.params["text"]
        ((params, content),) = uploaded(world)
        assert params["channel_id"].startswith("D") and content.startswith(b"%PDF-")
        assert "Acme Corp" in pdf_text(content)


def test_the_agent_sends_acmes_statement_into_the_thread(tally):
    with slack_world(tally) as world:
        world.llm.push(tool_calls(("customer_statement", {"customer": "Acme"})))
        (_, _, _), ts = world.mention("U0SALES1", "send me Acme's statement")
        ((params, content),) = uploaded(world)
        assert params["channel_id"] == "C0SALES" and params["thread_ts"] == ts
        assert "Acme Corp" in pdf_text(content)


def test_slash_invoice_pdf_uploads_the_invoice(tally, db):
    from tests.helpers import invoice_of

    number = invoice_of(db, "ACME").number
    with slack_world(tally, with_model=False) as world:
        world.command("U0SALES1", f"invoice {number} pdf")
        ((_, content),) = uploaded(world)
        assert number in pdf_text(content)


def test_a_reminders_statement_button_uploads_the_statement_to_that_dm(tally, db):
    outbox = outbox_at(tally, TUESDAY_4PM_UTC + timedelta(days=2))
    outbox.sweep()
    with slack_world(tally, with_model=False) as world:
        ReminderSender(tally, outbox, slack_client("xoxb-test", world.slack.base_url)).run_once()
        sent = next(r for r in reminders(db, status="sent") if r.recipient.startswith("U0COLL"))
        post = next(c for c in world.slack.calls_to("chat.postMessage") if reminder_id_of(c) == sent.id)
        value = next(e["value"] for b in post.params["blocks"] if b["type"] == "actions"
                     for e in b["elements"] if e["action_id"] == "tally_remind_statement")
        world.sim.post(*block_actions(sent.recipient, "tally_remind_statement", value,
                                      channel_id=sent.slack_channel, message_ts=sent.slack_ts))
        ((params, content),) = uploaded(world)
        assert params["channel_id"] == sent.slack_channel and params["thread_ts"] == sent.slack_ts
        assert json.loads(value)["customer"] in pdf_text(content)
