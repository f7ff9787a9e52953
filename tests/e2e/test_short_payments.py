"""Short payments: a certain payment a little short of the invoices it names is applied, and a write-off
credit note for its rest is proposed, never issued on its own. `import bank` lists each with the command
that does it; the uploader's card has a Write off button that issues it once, through the credit-note
tool and its manager limit. A rest above the tolerance stays open, as before."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import CreditNote, StatementLine
from tests.e2e import test_data_cli
from tests.e2e.slack_harness import blocks_text, button, slack_world
from tests.e2e.test_bank_import import camt, entry, invoice, tx, write
from tests.e2e.test_bank_statement_slack import share
from tools import Rules, Tally

app = test_data_cli.app

SHORT = camt(
    # Acme pays its two invoices (2,246.00) 3.50 short: bank charges
    entry("2242.50", "S001", "2026-11-23",
          tx("2242.50", "ACME CORP", "DE44500105175407324931", ustrd="INV-2026-00384 INV-2026-00414")),
    # Tyrell pays 10.00 short: more than the tolerance, chased as before
    entry("870.00", "S002", "2026-11-23", tx("870.00", "Tyrell Corporation", "", ustrd="INV-2026-00412")),
)


def credit_notes(db) -> list[CreditNote]:
    with db.session() as session:
        return list(session.scalars(select(CreditNote).order_by(CreditNote.id)))


def test_import_bank_lists_the_proposed_write_off_and_issues_nothing(app, db, tmp_path):
    out = app("import", "bank", write(tmp_path / "short.xml", SHORT)).stdout
    with db.session() as session:
        line_id = session.scalars(select(StatementLine.id).where(StatementLine.bank_reference == "S001")).one()
        reason = session.get(StatementLine, line_id).reason
    assert "2 applied" in out and "1 short payment rest(s) to write off" in out
    assert (f"write off 3.50 on INV-2026-00414 (short payment, line {line_id}): "
            f"credit-note INV-2026-00414 3.50 short payment write-off (statement line {line_id})") in out
    assert "INV-2026-00412" not in out  # 10.00 short: above the tolerance, no proposal
    assert "3.50 on INV-2026-00414 left, within the write-off tolerance" in reason

    assert invoice(db, "INV-2026-00384").status == "paid"
    assert invoice(db, "INV-2026-00414").balance == Decimal("3.50")  # applied, the rest still owed
    assert invoice(db, "INV-2026-00412").balance == Decimal("10.00")
    assert credit_notes(db) == []  # proposed only


@pytest.fixture
def world(tally):
    with slack_world(tally, with_model=False) as w:
        yield w


def click(world, user: str, action_id: str, value: str, n: int) -> str:
    world.click(user, action_id, value, "DU0COLL1", "1.1", response_url=world.slack.base_url + f"response.wo{n}")
    world.settle()
    return " ".join(c.params.get("text", "") for c in world.slack.calls_to(f"response.wo{n}"))


def test_the_card_s_write_off_button_issues_the_credit_note_once(world, db):
    share(world, "U0COLL1", "F0SHORT1", "short.xml", SHORT.encode())
    (card,) = world.slack.calls_to("chat.postMessage")
    assert "2 applied, 0 need you, 1 short to write off" in blocks_text(card)
    assert "Write off 3.50 on INV-2026-00414" in blocks_text(card)
    value = button(card, "tally_cash_writeoff_0")

    answers = [click(world, "U0COLL1", "tally_cash_writeoff_0", value, n) for n in (1, 2)]  # a double click
    (note,) = credit_notes(db)
    assert note.amount == Decimal("3.50") and note.reason.startswith("short payment write-off")
    assert invoice(db, "INV-2026-00414").status == "paid" and invoice(db, "INV-2026-00414").balance == 0
    assert all(f"Credit note {note.number} of 3.50 USD issued on INV-2026-00414" in a for a in answers), answers
    # someone else clicking it later writes nothing off twice
    assert "nothing is owed" in click(world, "U0MGR1", "tally_cash_writeoff_0", value, 3)
    assert len(credit_notes(db)) == 1


def test_above_the_credit_note_limit_only_a_manager_s_click_issues_it(db, clock):
    tally = Tally(db, Rules(credit_note_manager_above=Decimal("3.00")), clock)
    with slack_world(tally, with_model=False) as world:
        share(world, "U0COLL1", "F0SHORT2", "short.xml", SHORT.encode())
        (card,) = world.slack.calls_to("chat.postMessage")
        assert "a manager's, above the credit-note limit" in blocks_text(card)
        value = button(card, "tally_cash_writeoff_0")
        assert "a manager must issue it" in click(world, "U0COLL1", "tally_cash_writeoff_0", value, 1)
        assert credit_notes(db) == [] and invoice(db, "INV-2026-00414").balance == Decimal("3.50")
        assert "issued on INV-2026-00414" in click(world, "U0MGR1", "tally_cash_writeoff_0", value, 2)
    assert [n.issued_by for n in credit_notes(db)] == ["U0MGR1"]
