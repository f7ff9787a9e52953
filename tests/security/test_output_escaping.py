"""What Tally posts is text, not Slack markup: the model's words and the data (customer names, notes,
dispute reasons) can neither mention @channel/@here or a person nor draw a link; the mentions Tally builds
itself stay mentions. Charts draw a `$` in a name as a `$`. Through signed requests and the outbox sender,
observed at the mock Slack."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from matplotlib.cbook import is_math_text
from sqlalchemy import select, update

from bot.blocks.charts import _ageing_figure, _sales_figure
from bot.digest import send_digests
from bot.reminders import ReminderSender
from bot.slack_app import slack_client
from db.models import Customer, Invoice, Reminder
from tests.conftest import DEMO_NOW
from tests.e2e.slack_harness import button, slack_world
from tests.fakes.openai_steps import reply, tool_calls
from tests.fakes.slack_api import MockSlack
from tests.helpers import invoice_of
from tools import FixedClock, Tally
from tools.outbox import Outbox

HOSTILE = "Evil <!here> & Co <@U0MGR1> <https://evil.example|pay here>"
SHOWN = "Evil &lt;!here&gt; &amp; Co &lt;@U0MGR1&gt; &lt;https://evil.example|pay here&gt;"
SHOWN_CUT = "Evil &lt;!here&gt; &amp; Co"  # what a table's cut name column keeps of it
MODEL_SAYS = "<!channel> Your account is locked. <https://evil.example|Click here to confirm> & *pay now*"
MODEL_SHOWN = ("&lt;!channel&gt; Your account is locked. &lt;https://evil.example|Click here to confirm&gt; "
               "&amp; *pay now*")
MARKUP = re.compile(r"<[^<>]*>")
OURS = re.compile(r"<@U0[A-Z0-9]+>|<!date\^\d+\^[^|<>]*\|[^<>]*>")  # mentions and local times Tally builds
DOUBLE = ("&amp;amp;", "&amp;lt;", "&amp;gt;")


@pytest.fixture
def world(tally):
    with slack_world(tally) as w:
        yield w


def texts(call, kind: str) -> list[str]:
    """Every text object of `kind` (mrkdwn or plain_text) in a call's blocks; for mrkdwn also the
    message's `text`, which Slack parses the same way."""
    found = [call.params.get("text") or ""] if kind == "mrkdwn" else []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") == kind and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(call.params.get("blocks") or [])
    return found


def parsed(call) -> str:
    """What Slack parses as markup in a call, after checking it holds only Tally's own markup."""
    shown = "\n".join(texts(call, "mrkdwn"))
    foreign = [token for token in MARKUP.findall(shown) if not OURS.fullmatch(token)]
    assert not foreign, f"markup from data or the model reached Slack: {foreign}"
    assert not [d for d in DOUBLE if d in shown], f"escaped twice: {shown[:400]}"
    return shown


def rename(db, code: str, name: str) -> None:
    with db.session(write=True) as s:
        s.execute(update(Customer).where(Customer.code == code).values(name=name))
        s.commit()


def test_the_models_markup_arrives_as_text_in_mentions_and_dms(world):
    world.llm.push(reply(MODEL_SAYS))
    world.mention("U0SALES1", "anything I should know?")
    answer = world.slack.wait_for("chat.update")[0]
    assert MODEL_SHOWN in parsed(answer) and answer.params["text"] == MODEL_SHOWN
    world.llm.push(reply(MODEL_SAYS + " &amp; &lt;already&gt;"))
    world.dm("U0SALES1", "and now?")
    answer = world.slack.wait_for("chat.update", count=2)[1]
    assert MODEL_SHOWN + " &amp; &lt;already&gt;" in parsed(answer)  # escaped once, never twice


def test_a_hostile_customer_name_is_text_on_cards_lists_and_fallbacks(world, db):
    rename(db, "ACME", HOSTILE)
    rename(db, "OSCORP", HOSTILE + " Holdings")  # first on the worklist, with a broken promise
    number = invoice_of(db, "ACME").number
    answers = {}
    for user, command in [("U0SALES1", "credit ACME"), ("U0SALES1", "invoices ACME"),
                          ("U0COLL1", f"invoice {number}"), ("U0MGR1", "worklist all"), ("U0MGR1", "find evil"),
                          ("U0SALES1", "orders ACME")]:
        answers[command] = world.slack.wait_for(world.command(user, command))[0]
        shown, headers = parsed(answers[command]), texts(answers[command], "plain_text")
        cells = texts(answers[command], "raw_text")  # a table block's cells: shown as written, never markup
        assert SHOWN_CUT in shown or any(HOSTILE in t for t in headers) or any(
            t.startswith(HOSTILE[:len("Evil <!here> & Co")]) for t in cells), (command, shown[:600])
    credit = answers["credit ACME"]
    assert SHOWN in credit.params["text"]  # the notification line is mrkdwn too
    # plain_text is shown as written: the header carries the name unescaped, and harmless
    assert any(HOSTILE in t for t in texts(credit, "plain_text"))


def test_confirmation_and_outcome_keep_our_mentions_and_nothing_else(world, db):
    rename(db, "ACME", HOSTILE)
    number = invoice_of(db, "ACME").number
    world.mention("U0MGR1", f"remind {number} tomorrow 9am <@U0COLL1>")
    card = world.slack.wait_for("chat.update")[0]
    shown = parsed(card)
    assert f"Remind <@U0COLL1> about {number} ({SHOWN})" in shown  # the name's <@U0MGR1> is no mention
    assert "Requested by <@U0MGR1>" in shown and shown.count("<@U0MGR1>") == 1
    world.click("U0MGR1", "tally_confirm", button(card, "tally_confirm"), "C0SALES", card.params["ts"])
    done = parsed(world.slack.wait_for("chat.update", count=2)[1])
    assert "<@U0COLL1>" in done and "Confirmed by <@U0MGR1>" in done and SHOWN in done


def test_an_order_card_for_a_hostile_customer_keeps_the_reps_mention(world, db):
    rename(db, "ACME", HOSTILE)
    world.llm.push(tool_calls(("create_order", {"customer": "ACME", "lines": [{"sku": "WIDGET-1", "quantity": 1}]})))
    world.dm("U0SALES1", "one widget for acme")
    card = world.slack.wait_for("chat.update")[0]
    shown = parsed(card)
    assert SHOWN in shown and "Requested by <@U0SALES1>" in shown
    assert SHOWN in card.params["text"]  # the notification line, not just the blocks
    world.click("U0SALES1", "tally_confirm", button(card, "tally_confirm"), "DU0SALES1", card.params["ts"])
    done = world.slack.wait_for("chat.update", count=2)[1]
    shown = parsed(done)
    assert "*Rep*\n<@U0SALES1>" in shown and "Confirmed by <@U0SALES1>" in shown and SHOWN in shown
    assert "<@U0MGR1>" not in shown


def test_a_credit_hold_for_a_hostile_customer_asks_and_tells_with_names_as_text(world, db):
    rename(db, "GLOBEX", HOSTILE)  # over its limit: a new order waits for a manager
    world.mention("U0SALES2", "order GLOBEX 1 WIDGET-1")
    card = world.slack.wait_for("chat.update")[0]
    world.click("U0SALES2", "tally_confirm", button(card, "tally_confirm"), "C0SALES", card.params["ts"])
    ask = next(c for c in world.slack.wait_for("chat.postMessage", count=2) if c.params["channel"] == "DU0MGR1")
    shown = parsed(ask)
    assert "<@U0SALES2> asks for credit approval" in shown and SHOWN in shown and SHOWN in ask.params["text"]
    world.click("U0MGR1", "tally_approve", button(ask, "tally_approve"), "DU0MGR1",
                world.slack.messages("DU0MGR1")[0]["ts"])
    world.settle()
    told = world.slack.calls_to("chat.postMessage")[-1]
    assert SHOWN in parsed(told) and told.params["text"].endswith("approved by <@U0MGR1>.")
    assert all(SHOWN in parsed(c) for c in world.slack.calls_to("chat.update")[1:])


def test_a_reminder_dm_shows_the_name_and_note_as_text_and_the_snooze_by_mention(tally, db):
    rename(db, "ACME", HOSTILE)
    invoice = invoice_of(db, "ACME")
    with db.session(write=True) as s:
        s.add(Reminder(invoice_id=invoice.id, stage="at:20261124T1450", recipient="U0COLL1",
                       due_at=DEMO_NOW - timedelta(minutes=10), status="pending",
                       note="<!channel> ring them <https://evil.example|now>", created_by="U0MGR1",
                       created_at=DEMO_NOW - timedelta(days=1)))
        s.execute(update(Invoice).where(Invoice.id == invoice.id).values(
            disputed=False, dispute_reason="<!everyone> wrong & late"))
        s.commit()
    with slack_world(tally, with_model=False) as world:
        report = ReminderSender(tally, Outbox(db, tally.clock, rules=tally.rules),
                                slack_client("xoxb-test", world.slack.base_url)).run_once()
        assert report.sent == 1
        (dm,) = world.slack.calls_to("chat.postMessage")
        shown = parsed(dm)
        assert SHOWN in shown and "&lt;!channel&gt; ring them &lt;https://evil.example|now&gt;" in shown
        assert SHOWN in dm.params["text"]
        snooze = button(dm, "tally_remind_snooze", prefix=True)
        world.click("U0COLL1", "tally_remind_snooze_1", snooze, dm.params["channel"],
                    world.slack.messages(dm.params["channel"])[0]["ts"])
        done = parsed(world.slack.wait_for("chat.update")[0])
        assert "by <@U0COLL1>" in done and SHOWN in done


def test_the_weekly_digest_shows_names_as_text_and_draws_its_chart(tally, db):
    rename(db, "OSCORP", HOSTILE)  # on the top overdue list and with a broken promise
    monday_9am_ny = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)
    with MockSlack() as slack:
        monday = Tally(db, tally.rules, FixedClock(monday_9am_ny))
        assert send_digests(monday, slack_client("xoxb-test", slack.base_url), Outbox(db, monday.clock)) == 1
        (digest,) = slack.calls_to("chat.postMessage")
        shown = parsed(digest)
        assert "*Broken promises*" in shown and SHOWN in shown
        assert [png[:8] for png in slack.uploaded_files.values()] == [b"\x89PNG\r\n\x1a\n"]


def test_an_invoice_card_shows_a_dispute_reason_as_text(world, db):
    invoice = invoice_of(db, "ACME")
    with db.session(write=True) as s:
        s.execute(update(Invoice).where(Invoice.id == invoice.id).values(
            disputed=True, dispute_reason="<!channel> & <https://evil.example|see proof>"))
        s.commit()
    shown = parsed(world.slack.wait_for(world.command("U0COLL1", f"invoice {invoice.number}"))[0])
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|see proof&gt;" in shown


def test_an_error_naming_a_customer_is_text_and_one_naming_a_person_keeps_the_mention(world, db):
    rename(db, "ACME", HOSTILE)
    rename(db, "GLOBEX", "Evil <!here> Twin")
    shown = parsed(world.slack.wait_for(world.command("U0MGR1", "credit evil"))[0])  # two match: which one?
    assert "Evil &lt;!here&gt;" in shown
    number = invoice_of(db, "ACME").number
    shown = parsed(world.slack.wait_for(world.command("U0MGR1", f"remind {number} tomorrow 9am <@U0NOBODY>"))[0])
    assert "<@U0NOBODY> is not a Tally member" in shown


def hostile_chart_names(tally, db, actors) -> list[str]:
    """The two largest customers by receivables renamed with mathtext in their names; the names."""
    rows = tally.read(actors["U0MGR1"], "ar_ageing", {"group_by": "customer"}).rows
    top = sorted(rows, key=lambda r: r.total, reverse=True)[:2]
    names = [r"$\frac$ Corp", r"$\frac{1}{2}$ & 50$ Ltd"]
    with db.session() as s:
        codes = [s.scalar(select(Customer.code).where(Customer.name == r.label)) for r in top]
    for code, name in zip(codes, names, strict=True):
        rename(db, code, name)
    return names


def test_charts_draw_a_dollar_in_a_name_literally(world, tally, db, actors):
    names = hostile_chart_names(tally, db, actors)
    ageing = world.slack.wait_for(world.command("U0MGR1", "ageing by customer"))
    sales = world.slack.wait_for(world.command("U0MGR1", "sales this-year by customer"))
    world.settle()
    assert "went wrong" not in str([c.params for c in ageing + sales])
    uploads = list(world.slack.uploaded_files.values())
    assert len(uploads) == 2 and all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in uploads)
    manager = actors["U0MGR1"]
    figures = [_ageing_figure(tally.read(manager, "ar_ageing", {"group_by": "customer"})),
               _sales_figure(tally.read(manager, "sales_summary", {"period": "this-year", "group_by": "customer"}))]
    for fig in figures:
        fig.canvas.draw()
        ax = fig.axes[0]
        labels = [t.get_text() for t in [*ax.get_legend().get_texts(), *ax.get_yticklabels(), ax.title]]
        assert not [t for t in labels if is_math_text(t)]
        drawn = {t.replace(r"\$", "$") for t in labels}
        assert set(names) <= drawn
