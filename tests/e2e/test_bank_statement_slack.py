"""A bank statement uploaded to a DM with Tally (a signed `file_shared` event) is imported; the uploader
gets the statement's card there, and its buttons decide the lines waiting for review, once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import CustomerCredit, Invoice, StatementLine
from tests.e2e.slack_harness import blocks_text, button, slack_world
from tests.e2e.test_bank_import import STATEMENT
from tests.fakes.slack_requests import event_callback


@pytest.fixture
def world(tally):
    with slack_world(tally, with_model=False) as w:
        yield w


def share(world, user: str, file_id: str, name: str, data: bytes) -> None:
    world.slack.share_file(file_id, name, data)
    world.sim.post(*event_callback({"type": "file_shared", "file_id": file_id, "user_id": user,
                                    "file": {"id": file_id}, "channel_id": f"D{user}", "event_ts": "1.1"},
                                   f"Ev{file_id}"))
    world.settle()


def test_an_uploaded_statement_is_imported_and_its_card_decides_the_lines_left(world, db):
    share(world, "U0COLL1", "F0STMT1", "statement.xml", STATEMENT.encode())
    (card,) = [c for c in world.slack.calls_to("chat.postMessage") if c.params["channel"] == "DU0COLL1"]
    assert "4 applied, 1 need you" in blocks_text(card)
    with db.session() as session:
        assert session.scalars(select(Invoice.status).where(Invoice.number == "INV-2026-00384")).one() == "paid"
        line = session.scalars(select(StatementLine).where(StatementLine.status == "review")).one()
    assert button(card, "tally_cash_review_0") == f"{line.id}|apply|INV-2026-00417"

    leave = button(card, "tally_cash_review_1")  # Stark's money, quoting Wayne's invoice: kept as Stark's credit
    for n in (1, 2):  # a double click decides once
        world.click("U0COLL1", "tally_cash_review_1", leave, "DU0COLL1", card.params.get("ts", "1.1"),
                    response_url=world.slack.base_url + f"response.cash{n}")
        world.settle()
    with db.session() as session:
        assert session.get(StatementLine, line.id).status == "credited"
        credit = session.scalars(select(CustomerCredit).where(CustomerCredit.statement_line_id == line.id)).one()
        assert credit.remaining == Decimal("2018.00") and credit.customer.code == "STARK"
    answers = [c.params.get("text", "") for n in (1, 2) for c in world.slack.calls_to(f"response.cash{n}")]
    assert answers and all("kept as the customer's credit" in a for a in answers)

    share(world, "U0COLL1", "F0STMT2", "statement.xml", STATEMENT.encode())  # the same file again
    assert "nothing new" in blocks_text(world.slack.calls_to("chat.postMessage")[-1])


def test_a_salesperson_s_upload_is_left_alone(world, db):
    share(world, "U0SALES1", "F0STMT3", "statement.xml", STATEMENT.encode())
    assert not world.slack.calls_to("chat.postMessage")
    with db.session() as session:
        assert session.scalars(select(StatementLine)).first() is None
