"""Split… on a statement card, through signed Slack requests: the form lists the payer's open invoices with
the suggested split prefilled; a submission that does not add up (more than the line, more than an
invoice owes, not an amount) comes back as errors on the field at fault and writes nothing; a good one
pays the invoices from the line, keeps the rest as the customer's credit, is audited with the line, counts
once when submitted twice, and `line N undo` takes it all back."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import AuditEvent, CustomerCredit, Payment, StatementLine
from tests.e2e.slack_harness import button, slack_world
from tests.e2e.test_bank_import import STATEMENT, invoice
from tests.e2e.test_bank_statement_slack import share
from tests.fakes.slack_requests import view_submission
from tests.helpers import state


@pytest.fixture
def world(tally):
    with slack_world(tally, with_model=False) as w:
        yield w


def submit(world, view: dict, amounts: dict[str, str], view_id: str = "V0SPLIT1") -> tuple[int, dict]:
    values = {block: {"value": {"type": "plain_text_input", "value": amount}} for block, amount in amounts.items()}
    status, _, body = world.sim.post(*view_submission("U0COLL1", view["callback_id"], view["private_metadata"],
                                                      values, view_id=view_id))
    world.settle()
    return status, json.loads(body) if body else {}


def test_split_opens_a_form_and_its_submission_pays_several_invoices_once(world, db, tally, actors):
    share(world, "U0COLL1", "F0SPLIT1", "statement.xml", STATEMENT.encode())
    (card,) = world.slack.calls_to("chat.postMessage")
    line_id = int(button(card, "tally_cash_split"))  # Stark's 2,018.00 quoting Wayne's invoice

    world.click("U0COLL1", "tally_cash_split", str(line_id), "DU0COLL1", "1.1")
    world.settle()
    (opened,) = world.slack.calls_to("views.open")
    view = opened.params["view"]
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    labels = [b["label"]["text"] for b in inputs.values()]
    assert [label.split(" · ")[0] for label in labels] == ["INV-2026-00368", "INV-2026-00383", "INV-2026-00409",
                                                           "INV-2026-00429"]  # Stark's, not Wayne's
    prefilled = {k: b["element"].get("initial_value") for k, b in inputs.items()}
    assert prefilled == {"split_0": "1960.00", "split_1": "58.00", "split_2": None, "split_3": None}

    before = state(db)
    for amounts, field, words in (
            ({"split_0": "1960.00", "split_1": "100"}, "split_0", "add up to 2,060.00, more than the line's 2,018.00"),
            ({"split_0": "2000"}, "split_0", "more than the balance of INV-2026-00368 (1,960.00)"),
            ({"split_1": "12,5x"}, "split_1", "is not an amount"),
            ({}, "split_0", "Enter an amount")):
        status, answer = submit(world, view, amounts, view_id=f"V0BAD{len(amounts)}{field}")
        assert status == 200 and answer["response_action"] == "errors", answer
        assert words in answer["errors"][field], answer
    assert state(db) == before  # refused forms write nothing, not even a proposal

    for _ in (1, 2):  # Slack did not get the answer in time: the same form again
        status, answer = submit(world, view, {"split_0": "1,960.00", "split_1": "50"})
        assert status == 200 and answer == {}, answer
    assert invoice(db, "INV-2026-00368").status == "paid"
    assert invoice(db, "INV-2026-00383").balance == Decimal("4273.00")
    with db.session() as session:
        payments = session.scalars(select(Payment).where(Payment.source_line_id == line_id)).all()
        assert sorted(p.amount for p in payments) == [Decimal("50.00"), Decimal("1960.00")]
        credit = session.scalars(select(CustomerCredit).where(CustomerCredit.statement_line_id == line_id)).one()
        assert credit.remaining == Decimal("8.00") and credit.customer.code == "STARK"
        assert session.get(StatementLine, line_id).status == "applied"
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "split_statement_line")).one()
        assert audit.entity_id == str(line_id) and audit.after["parts"] == {"INV-2026-00368": "1960.00",
                                                                            "INV-2026-00383": "50.00"}
    told = [c.params["text"] for c in world.slack.calls_to("chat.postMessage")[1:]]
    assert len(told) == 2 and "8.00 kept as Stark Industries's unapplied credit" in told[0]
    assert "changed nothing" in told[1]

    undone = tally.run_now(actors["U0COLL1"], "undo_statement_line", {"line_id": line_id})
    assert undone.status == "done", undone.error
    assert invoice(db, "INV-2026-00368").balance == Decimal("1960.00")
    assert invoice(db, "INV-2026-00383").balance == Decimal("4323.00")
    with db.session() as session:
        assert session.scalars(select(CustomerCredit).where(CustomerCredit.statement_line_id == line_id)).all() == []
        assert session.get(StatementLine, line_id).status == "review"


def test_a_line_already_decided_opens_no_form(world, db, tally, actors):
    share(world, "U0COLL1", "F0SPLIT2", "statement.xml", STATEMENT.encode())
    (card,) = world.slack.calls_to("chat.postMessage")
    line_id = int(button(card, "tally_cash_split"))
    assert tally.run_now(actors["U0MGR1"], "review_statement_line",
                         {"line_id": line_id, "decision": "not_customer"}).status == "done"
    world.click("U0COLL1", "tally_cash_split", str(line_id), "DU0COLL1", "1.1")
    world.settle()
    assert not world.slack.calls_to("views.open")
    (said,) = world.slack.ephemeral
    assert "already decided (not customer" in said["text"]


def test_line_split_from_the_console_shows_the_options_then_splits_after_confirmation(tally, db, actors):
    from tests.e2e.test_unapplied_worklist import typed
    from tools.cash_application import import_statement

    report = import_statement(tally, actors["U0COLL1"], STATEMENT.encode(), "statement.xml")
    (item,) = report.review
    options = typed(tally, "U0COLL1", [f"line {item.line_id} split"])
    assert "INV-2026-00368 due 2026-11-28 balance 1,960.00 (suggested 1,960.00)" in options
    assert "INV-2026-00383 due 2026-12-13 balance 4,323.00 (suggested 58.00)" in options

    out = typed(tally, "U0COLL1", [f"line {item.line_id} split INV-2026-00368 1960 INV-2026-00383 58", "y"])
    assert out.count(f"Split statement line {item.line_id} (2,018.00): 1,960.00 to INV-2026-00368") == 2  # card, done
    assert invoice(db, "INV-2026-00383").balance == Decimal("4265.00")
    with db.session() as session:  # nothing left over: no credit
        assert not session.scalars(select(CustomerCredit).where(CustomerCredit.statement_line_id == item.line_id)).all()
    assert "back to review" in typed(tally, "U0COLL1", [f"line {item.line_id} undo", "y"])
    assert invoice(db, "INV-2026-00368").balance == Decimal("1960.00")
