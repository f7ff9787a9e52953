"""People and text as Slack sends them: only Tally's own mention is dropped, colleagues named in a request
stay named (and must be members), and Slack's &amp; &lt; &gt; are decoded once on the way in."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from bot.answers import from_slack
from bot.console import Console, run_lines
from core.mentions import user_id
from db.models import Customer, Reminder
from tests.conftest import DEMO_NOW
from tests.e2e.slack_harness import button, slack_world
from tests.fakes.openai_steps import reply
from tests.helpers import invoice_of

BOT = "U0TALLYBOT"


@pytest.fixture
def world(tally):
    with slack_world(tally) as w:
        yield w


def shown(call) -> str:
    return json.dumps(call.params.get("blocks") or [], ensure_ascii=False) + (call.params.get("text") or "")


def reminders(db, number: str) -> list[tuple[str, str]]:
    with db.session() as s:
        return [(r.recipient, r.created_by) for r in s.scalars(select(Reminder).where(
            Reminder.invoice.has(number=number), Reminder.stage.like("at:%")))]


def worklist_numbers(tally, actors, collector: str) -> set[str]:
    result = tally.read(actors["U0MGR1"], "collection_worklist", {"collector": collector})
    return {item.invoice.number for item in result.items}


@pytest.mark.parametrize("text, expected", [
    (f"<@{BOT}> remind INV-2026-00001 tomorrow 9am <@U0COLL1>", "remind INV-2026-00001 tomorrow 9am <@U0COLL1>"),
    (f"worklist <@U0COLL2|wei> <@{BOT}>", "worklist <@U0COLL2>"),
    ("find A&amp;B", "find A&B"),
    ("find A&amp;amp;B", "find A&amp;B"),  # decoded once: the person typed "A&amp;B"
    ("x &lt;@U0COLL1&gt; y", "x <@U0COLL1> y"),  # typed text stays text, it is not a mention of the bot
])
def test_text_from_slack_keeps_colleagues_and_decodes_once(text, expected):
    assert from_slack(text, BOT) == expected


@pytest.mark.parametrize("token, expected", [
    ("<@U0COLL1>", "U0COLL1"), ("<@U0COLL1|colin>", "U0COLL1"), ("@U0COLL1", "U0COLL1"), ("U0COLL1", "U0COLL1"),
    ("@u0coll1", "U0COLL1"), ("W012A3CDE", "W012A3CDE"),
    ("@wei", None), ("UTC", None), ("Wed", None), ("<@U0COLL1", None), ("<#C0GENERAL|general>", None), ("", None),
])
def test_a_person_is_named_by_id_only(token, expected):
    assert user_id(token) == expected


def test_mention_asking_to_remind_a_colleague_reminds_that_colleague(world, db):
    number = invoice_of(db, "ACME").number
    world.mention("U0MGR1", f"remind {number} tomorrow 9am <@U0COLL1>")
    card = world.slack.wait_for("chat.update")[0]
    assert "Remind <@U0COLL1>" in shown(card) and world.llm.calls_count == 0
    world.click("U0MGR1", "tally_confirm", button(card, "tally_confirm"), "C0SALES", card.params["ts"])
    world.slack.wait_for("chat.update", count=2)
    assert reminders(db, number) == [("U0COLL1", "U0MGR1")]


def test_slash_command_with_an_escaped_mention_reminds_that_colleague(world, db):
    number = invoice_of(db, "ACME").number
    method = world.command("U0COLL2", f"remind {number} tomorrow 9am <@U0COLL1|colin>")
    card = world.slack.wait_for(method)[0]
    assert "Remind <@U0COLL1>" in shown(card) and "|colin" not in shown(card)


def test_worklist_for_a_mentioned_collector_lists_only_theirs(world, tally, actors):
    wei, colin = worklist_numbers(tally, actors, "U0COLL2"), worklist_numbers(tally, actors, "U0COLL1")
    assert wei and colin and not wei & colin  # the demo data gives both collectors overdue invoices
    world.mention("U0MGR1", "worklist <@U0COLL2>")
    card = shown(world.slack.wait_for("chat.update")[0])
    assert "for <@U0COLL2>" in card and any(n in card for n in wei)
    assert not [n for n in colin if n in card]
    method = world.command("U0MGR1", "worklist <@U0COLL1|colin>")
    answer = shown(world.slack.wait_for(method)[0])
    assert "for <@U0COLL1>" in answer and not [n for n in wei if n in answer]


def test_a_mentioned_non_member_gets_a_clear_message_and_nothing_is_proposed(tally, db):
    number = invoice_of(db, "ACME").number
    with slack_world(tally, with_model=False) as world:  # with a model, a command that fails goes to the model
        world.mention("U0MGR1", f"remind {number} tomorrow 9am <@U0STRANGER>")
        answer = shown(world.slack.wait_for("chat.update")[0])
        assert "<@U0STRANGER> is not a Tally member" in answer and "tally_confirm" not in answer
        method = world.command("U0MGR1", "worklist <@U0STRANGER|sam>")
        assert "<@U0STRANGER> is not a Tally member" in shown(world.slack.wait_for(method)[0])
    assert reminders(db, number) == []


def test_a_customer_with_an_ampersand_is_found_from_slacks_escaped_text(world, db):
    with db.session(write=True) as s:
        s.add(Customer(code="AANDB", name="A&B", credit_limit=1000, created_at=DEMO_NOW))
        s.commit()
    world.mention("U0MGR1", "find A&amp;B")
    card = shown(world.slack.wait_for("chat.update")[0])
    assert "AANDB" in card and "A&amp;B" in card and "&amp;amp;" not in card  # escaped once for Slack's display
    method = world.command("U0MGR1", "find A&amp;B")
    assert "AANDB" in shown(world.slack.wait_for(method)[0])


def test_the_model_reads_colleagues_as_ids_and_never_its_own_mention(world):
    world.llm.push(reply("Noted."))
    world.mention("U0MGR1", "ask <@U0COLL1|colin> whether A&amp;B paid")
    world.slack.wait_for("chat.update")
    sent = json.dumps(world.llm.requests[0], ensure_ascii=False)
    assert "ask <@U0COLL1> whether A&B paid" in sent and BOT not in sent


def test_console_names_people_by_id_with_or_without_at(tally, actors, db):
    number = invoice_of(db, "GLOBEX").number
    out = io.StringIO()
    run_lines(Console(tally, actors["U0MGR1"], out),
              [f"remind {number} tomorrow 9am @U0COLL1", "y", f"remind {number} tomorrow 10am U0COLL2", "y",
               "worklist U0COLL2", f"remind {number} tomorrow 11am @wei"])
    said = out.getvalue()
    assert sorted(reminders(db, number)) == [("U0COLL1", "U0MGR1"), ("U0COLL2", "U0MGR1")]
    assert "'@wei' does not name a Slack user" in said and "Slack id like U0COLL1" in said
