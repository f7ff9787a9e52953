"""`python app.py console` with piped input (in process, and once as a subprocess of app.py), on the embedded
test's folder through TALLY_DATA_DIR, never in the project)."""

import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.blocks import blocks_for
from bot.blocks.reminders import reminder_blocks
from bot.console import NOTHING_PENDING, Console, run_lines
from db.models import AuditEvent, Invoice, SalesOrder
from tests.e2e.app_runner import run_app
from tests.helpers import invoice_of, state
from tools.orders import ORDER_LIST_LIMIT
from tools.reminder_message import ReminderMessage

ROOT = Path(__file__).resolve().parents[2]


def console(tmp_path, user, text, real=False, **env):
    return run_app(tmp_path, ["console", "--as", user], {**env, "TALLY_DATA_DIR": str(tmp_path)}, stdin=text,
                   real=real, timeout=120)


def test_console_first_start_seeds_demo_then_orders_with_confirmation(tmp_path):
    result = console(tmp_path, "U0SALES1", "credit ACME\norder ACME 10 WIDGET-1\ny\norders ACME\n", real=True)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert (tmp_path / "tally.db").exists()
    assert "Credit for ACME Acme Corp" in out and "Available" in out
    assert "Create an order for Acme Corp: 10 × WIDGET-1 at 12.50; total 125.00 USD" in out
    assert "Confirm? [y/N]" in out
    assert "is confirmed; stock reserved" in out
    assert out.count("SO-2026-") >= 2  # the confirmation and the listing
    second = console(tmp_path, "U0SALES1", "order ACME 1 WIDGET-1\nn\n")  # same database, not re-seeded
    assert "Cancelled: nothing was changed." in second.stdout


def test_console_bad_input_and_plain_language_without_model(tmp_path):
    result = console(tmp_path, "U0COLL1", "order ACME -5 WIDGET-1\npay INV-2026-99999 10\nhow is acme doing?\n")
    out = result.stdout
    assert "Quantity must be a positive whole number" in out
    assert "No invoice 'INV-2026-99999'" in out
    assert "Plain language needs a model" in out and "order CUSTOMER QTY SKU" in out


def test_console_refuses_unknown_user(tmp_path):
    result = console(tmp_path, "U0NOBODY", "help\n")
    assert result.returncode == 1 and "not a Tally member" in result.stdout


def test_console_sends_plain_language_to_the_model_and_keeps_commands_model_free(tmp_path):
    from tests.fakes.openai_server import ScriptedOpenAI
    from tests.fakes.openai_steps import tool_calls

    with ScriptedOpenAI() as llm:
        llm.push(tool_calls(("create_order", {"customer": "Acme", "lines": [{"sku": "GADGET-2", "quantity": 3}]})))
        result = console(tmp_path, "U0SALES1", "credit ACME\nAcme needs 3 gadget-2\ny\n",
                         TALLY_MODEL="tally-test-model", OPENAI_API_KEY="test", OPENAI_BASE_URL=llm.base_url)
        assert llm.calls_count == 1  # the command line used no model call
    out = result.stdout
    assert "Credit for ACME Acme Corp" in out
    assert "Create an order for Acme Corp: 3 × GADGET-2 at 49.00; total 147.00 USD" in out
    assert "Confirm? [y/N]" in out and "is confirmed; stock reserved" in out
    stats = run_app(tmp_path, ["stats"], {"TALLY_DATA_DIR": str(tmp_path)}, real=True).stdout
    assert "per user" in stats and "U0SALES1" in stats and "create_order" in stats


# In process: the console's Console on the demo database, as a person types into it.

def typed(tally, user, lines) -> str:
    out = io.StringIO()
    run_lines(Console(tally, tally.actor_for(user), out), lines)
    return out.getvalue()


def readme_sessions() -> list[tuple[str, list[str]]]:
    """Each ```console block of the README: the user it runs as and what is typed (`tally> ...` or an answer)."""
    sessions = []
    for block in re.findall(r"```console\n(.*?)```", (ROOT / "README.md").read_text(), re.S):
        lines = [re.sub(r"\s{2,}#.*$", "", line).strip() for line in block.splitlines()]
        user = re.search(r"console --as (\w+)", lines[0])[1]
        sessions.append((user, [line.removeprefix("tally> ") for line in lines[1:] if line]))
    return sessions


def test_every_readme_example_works_for_the_user_it_names(tally):
    sessions = readme_sessions()
    assert {user for user, _ in sessions} == {"U0SALES1", "U0COLL1", "U0MGR1"}
    for user, lines in sessions:
        out = typed(tally, user, lines)
        assert "Sorry" not in out and "not a command" not in out and NOTHING_PENDING not in out, (user, out)
        answers = lines.count("y")
        assert out.count("Confirm? [y/N]") == answers and out.count("is confirmed; stock reserved") == answers


@pytest.mark.parametrize("word", ["exit", "quit", "q", "bye", "退出", "EXIT"])
def test_exit_words_end_the_console_without_the_help(tally, word):
    assert typed(tally, "U0SALES1", [word, "credit ACME"]) == ""  # nothing after it runs


def test_a_stray_yes_or_no_says_there_is_nothing_to_confirm(tally, db):
    before = state(db)
    out = typed(tally, "U0SALES1", ["y", "n", "credit ACME"])
    assert out.count(NOTHING_PENDING) == 2 and "Commands:" not in out and "Credit for ACME" in out
    assert state(db) == before


def test_exit_with_a_question_open_cancels_it(tally, db):
    before = state(db, with_pending=False)
    out = typed(tally, "U0SALES1", ["order ACME 1 WIDGET-1", "exit", "credit ACME"])
    assert "Confirm? [y/N]" in out and "Cancelled: nothing was changed." in out and "Credit for" not in out
    assert state(db, with_pending=False) == before


def test_the_console_names_members_where_slack_mentions_them(tally, db):
    number = invoice_of(db, "INITECH").number
    out = typed(tally, "U0COLL1", ["worklist", f"remind {number} tomorrow 9am @U0SALES3", "y"])
    assert "Worklist for Colin Cole (U0COLL1)" in out
    assert f"Remind Tom Ortiz (U0SALES3) about {number}" in out and "<@" not in out
    worklist = tally.read(tally.actor_for("U0COLL1"), "collection_worklist", {})
    assert "<@U0COLL1>" in json.dumps(blocks_for(worklist))  # Slack keeps a real mention


def test_long_lists_say_how_many_more_and_how_to_reach_them(tally, db):
    with db.session() as s:
        orders = s.scalar(select(func.count()).select_from(SalesOrder))
    out = typed(tally, "U0MGR1", ["orders"])
    assert f"… and {orders - ORDER_LIST_LIMIT} more not listed here; name a customer (`orders ACME`)" in out
    assert out.count("\nSO-") == ORDER_LIST_LIMIT


def test_a_second_dispute_adds_to_the_first_and_the_audit_keeps_both(tally, db):
    number = invoice_of(db, "TYRELL").number
    out = typed(tally, "U0COLL1", [f"dispute {number} wrong quantity", "y", f"dispute {number} damaged on delivery",
                                    "y", f"dispute {number} damaged on delivery", "y", f"invoice {number}"])
    today = tally.clock.now().astimezone(tally.actor_for("U0COLL1").tz).date()
    both = f"wrong quantity; then on {today}: damaged on delivery"
    assert f"Disputed: {both}" in out
    with db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "mark_dispute",
                                                    AuditEvent.entity_id == number).order_by(AuditEvent.id)).all()
        assert [(e.before["reason"], e.after["reason"], e.after["added"]) for e in events] == [
            (None, "wrong quantity", "wrong quantity"),
            ("wrong quantity", both, "damaged on delivery"),
            (both, both, "damaged on delivery"),  # the same reason again adds nothing
        ]


def test_one_day_overdue_is_singular_in_the_console_slack_and_the_reminder_dm(tally, db):
    number = invoice_of(db, "INITECH").number
    collector = tally.actor_for("U0COLL1")
    yesterday = tally.clock.now().astimezone(collector.tz).date() - timedelta(days=1)
    with db.session(write=True) as s:
        s.scalar(select(Invoice).where(Invoice.number == number)).due_date = yesterday
        s.commit()
    assert "  1 day overdue" in typed(tally, "U0COLL1", [f"invoice {number}"])
    detail = tally.read(collector, "invoice_status", {"invoice_number": number})
    assert "1 day overdue" in json.dumps(blocks_for(detail), ensure_ascii=False)
    dm = reminder_blocks(ReminderMessage(reminder_id=1, stage="+1d", recipient="U0COLL1", note=None,
                                         invoice=detail.detail, last_contact_at=None, history=[]))
    text = json.dumps(dm, ensure_ascii=False)
    assert "1 day overdue." in text and "1 days" not in text


def test_env_example_copied_as_is_starts_the_demo_console_and_a_placeholder_key_is_refused(tmp_path):
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    user, lines = readme_sessions()[0]
    result = console(tmp_path, user, "\n".join([*lines, "exit", "credit ACME"]) + "\n")
    assert result.returncode == 0, result.stderr
    assert "Sorry" not in result.stdout and "Plain language needs a model" not in result.stdout
    assert result.stdout.count("Credit for ACME") == 1  # nothing after exit ran
    with (tmp_path / ".env").open("a") as env:
        env.write("TALLY_MODEL=gpt-4o-mini\nOPENAI_API_KEY=sk-...\n")
    refused = console(tmp_path, user, "credit ACME\n", real=True)  # what the shell shows on stderr
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "OPENAI_API_KEY is still a placeholder ('sk-...', as in .env.example)" in refused.stderr
