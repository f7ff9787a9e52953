"""Corrections from the real front ends: the console and a signed `/tally` request, each confirmed with the
person's own 'y' or click, read back through the same front end (the invoice, its ageing, the stock)."""

import io
import json
from decimal import Decimal

from sqlalchemy import select

from bot.console import Console, run_lines
from db.models import CreditNote, Invoice, OrderLine, Product
from tests.e2e.slack_harness import button, slack_world
from tests.helpers import invoice_of, state


def console_session(tally, user: str, lines: list[str]) -> str:
    out = io.StringIO()
    run_lines(Console(tally, tally.actor_for(user), out), lines)
    return out.getvalue()


def ageing_total(tally, actors) -> Decimal:
    return tally.read(actors["U0MGR1"], "ar_ageing", {}).total.total


def test_console_credit_note_then_return_then_void(tally, db, actors):
    inv = invoice_of(db, "INITECH")
    other = invoice_of(db, "STARK", status=("open",))
    with db.session() as s:
        line = s.scalars(select(OrderLine).where(OrderLine.order_id == inv.order_id).order_by(OrderLine.id)).first()
        stock = s.scalar(select(Product.stock_on_hand).where(Product.id == line.product_id))
    before = ageing_total(tally, actors)
    out = console_session(tally, "U0COLL1", [
        f"credit-note {inv.number} 40 price correction", "y",
        f"return {inv.number} 1 {line.sku} damaged", "y",
        f"invoice {inv.number}",
    ])
    assert "Issue a credit note of 40.00 USD" in out and "Credit note CN-2026-00001 of 40.00 USD issued" in out
    assert f"return of 1 {line.sku} (back in stock)" in out and "CN-2026-00002" in out
    assert f"credited {line.unit_price + 40:,.2f} USD" in out  # the invoice shows both notes
    assert ageing_total(tally, actors) == before - 40 - line.unit_price
    with db.session() as s:
        assert s.scalar(select(Product.stock_on_hand).where(Product.id == line.product_id)) == stock + 1
    out = console_session(tally, "U0MGR1", [f"void {other.number} issued twice", "y", f"invoice {other.number}"])
    assert f"{other.number} is void (issued twice); its number stays used." in out and "VOID" in out


def test_console_over_credit_and_a_collector_above_the_limit_write_nothing(tally, db, actors):
    inv = invoice_of(db, "SOYLENT", status=("open",))
    before = state(db, with_pending=False)
    out = console_session(tally, "U0COLL1", [f"credit-note {inv.number} {inv.balance + 1} too much",
                                             f"credit-note {inv.number} 1000.01 goodwill"])
    assert "is more than the open balance" in out
    assert "above 1,000.00 USD, so a manager must issue it" in out and "Confirm?" not in out
    assert state(db, with_pending=False) == before


def test_slash_resolve_with_credit_confirmed_by_click(tally, db):
    inv = invoice_of(db, "GLOBEX", disputed=True)
    with slack_world(tally, with_model=False) as world:
        card = world.slack.wait_for(world.command("U0COLL1", f"resolve {inv.number} credit 30 agreed discount"))[0]
        shown = json.dumps(card.params.get("blocks"))
        assert "Close the dispute on" in shown and "credit note of 30.00 USD" in shown
        url = world.slack.base_url + "response.click1"
        world.click("U0COLL1", "tally_confirm", button(card, "tally_confirm"), "C0GENERAL", "1700000000.000100",
                    container={"type": "message", "message_ts": "1700000000.000100", "channel_id": "C0GENERAL",
                               "is_ephemeral": True}, response_url=url)
        done = json.dumps(world.slack.wait_for("response.click1")[0].params)
        assert "Dispute on" in done and "chasing resumes" in done
        note = world.slack.wait_for(world.command("U0MGR1", "credit-note"))[0]  # no arguments: the usage
        assert "credit-note INVOICE AMOUNT REASON" in json.dumps(note.params)
    with db.session() as s:
        invoice = s.scalar(select(Invoice).where(Invoice.number == inv.number))
        assert not invoice.disputed and invoice.credited_amount == Decimal("30.00")
        assert s.scalar(select(CreditNote.number).where(CreditNote.invoice_id == invoice.id)) == "CN-2026-00001"
