"""Shipments from the real entry points: the console (the grammar, no model) and a signed `/tally` request.
A four-unit order shipped as 1 + 3 makes two delivery notes with two invoices and moves its reserved stock
off the shelf per shipment; `delivered DN-...` records the proof of delivery."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from bot.console import Console
from db.models import AuditEvent, DocumentCounter, Invoice, OrderLine, Product, SalesOrder, Shipment
from tests.e2e.slack_harness import button, slack_world
from tests.helpers import state

YEAR = 2026


def console(tally, user: str = "U0SALES1") -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(tally, tally.actor_for(user), out), out


def said(out: io.StringIO, start: int) -> str:
    return out.getvalue()[start:]


def run(con: Console, out: io.StringIO, *lines: str) -> str:
    start = out.tell()
    for line in lines:
        con.handle(line)
    return said(out, start)


def stock(db, sku: str) -> tuple[int, int]:
    with db.session() as s:
        return tuple(s.execute(select(Product.stock_on_hand, Product.stock_reserved).where(Product.sku == sku)).one())


def four_widgets(con: Console, out: io.StringIO) -> str:
    text = run(con, out, "order ACME 4 WIDGET-1", "y")
    assert "is confirmed; stock reserved" in text, text
    return next(w for w in text.replace(".", " ").split() if w.startswith("SO-"))


def order_row(db, number: str) -> tuple[str, list[str]]:
    with db.session() as s:
        order = s.scalar(select(SalesOrder).where(SalesOrder.number == number))
        notes = s.scalars(select(Shipment.number).where(Shipment.order_id == order.id).order_by(Shipment.id)).all()
        return order.status, list(notes)


def test_four_units_shipped_as_one_and_three_make_two_notes_and_two_invoices(tally, db):
    con, out = console(tally)
    on_hand, reserved = stock(db, "WIDGET-1")
    number = four_widgets(con, out)
    assert stock(db, "WIDGET-1") == (on_hand, reserved + 4)

    first = run(con, out, f"ship {number} 1 WIDGET-1 tracking 1Z999 carrier UPS")
    assert f"Ship 1 × WIDGET-1 of order {number} for Acme Corp on 2026-11-24 (carrier UPS, tracking \"1Z999\")" \
        in first and "Left to ship: 3 × WIDGET-1." in first and "Confirm? [y/N]" in first
    done = run(con, out, "y")
    assert f"DN-{YEAR}-00001 shipped 1 × WIDGET-1 of order {number}" in done and "partially shipped" in done
    assert order_row(db, number) == ("partially_shipped", [f"DN-{YEAR}-00001"])
    assert stock(db, "WIDGET-1") == (on_hand - 1, reserved + 3)

    second = run(con, out, f"ship {number}", "y")  # no lines: all that is left
    assert "Ship 3 × WIDGET-1" in second and f"DN-{YEAR}-00002 shipped 3 × WIDGET-1" in second
    assert "The order is shipped. Nothing is left to ship." in second
    assert order_row(db, number) == ("shipped", [f"DN-{YEAR}-00001", f"DN-{YEAR}-00002"])
    assert stock(db, "WIDGET-1") == (on_hand - 4, reserved)

    with db.session() as s:
        invoices = s.execute(select(Invoice.amount, Shipment.number, Invoice.due_date, Invoice.issue_date)
                             .join(Shipment, Shipment.id == Invoice.shipment_id)
                             .join(SalesOrder, SalesOrder.id == Invoice.order_id)
                             .where(SalesOrder.number == number).order_by(Invoice.id)).all()
    assert [(amount, note) for amount, note, _, _ in invoices] == [
        (Decimal("12.50"), f"DN-{YEAR}-00001"), (Decimal("37.50"), f"DN-{YEAR}-00002")]
    assert all((due - issued).days == 30 for *_, due, issued in invoices)  # ACME's terms

    with db.session() as s:
        second_invoice = s.scalar(select(Invoice.number).join(Shipment, Shipment.id == Invoice.shipment_id)
                                  .where(Shipment.number == f"DN-{YEAR}-00002"))
    assert f"delivery note DN-{YEAR}-00002" in run(con, out, f"invoice {second_invoice}")
    shown = run(con, out, f"orders {number}")
    assert "SHIPPED" in shown and f"Delivery notes: DN-{YEAR}-00001, DN-{YEAR}-00002" in shown


def test_delivered_records_the_proof_and_the_order_is_delivered_when_every_note_is(tally, db, clock):
    con, out = console(tally)
    number = four_widgets(con, out)
    run(con, out, f"ship {number} 1 WIDGET-1", "y")
    clock.at += timedelta(days=1)
    first = run(con, out, f"delivered DN-{YEAR}-00001 signed-by Ann Lee", "y")
    assert f"DN-{YEAR}-00001 delivered on 2026-11-25, signed by Ann Lee" in first
    assert order_row(db, number)[0] == "partially_shipped"  # three units have not shipped yet
    run(con, out, f"ship {number}", "y")
    again = run(con, out, f"delivered DN-{YEAR}-00001")
    assert f"DN-{YEAR}-00001 was already delivered on 2026-11-25, signed by Ann Lee." in again
    last = run(con, out, f"delivered DN-{YEAR}-00002 on today", "y")
    assert f"order {number} is delivered" in last
    assert order_row(db, number)[0] == "delivered"
    shown = run(con, out, f"delivery DN-{YEAR}-00002")
    assert "DELIVERED" in shown and "Delivered: 2026-11-25" in shown
    with db.session() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "shipment")).all()
    assert actions.count("confirm_delivery") == 2 and actions.count("issue_delivery_note") == 2


def test_shipping_more_than_is_left_is_refused_in_words_and_writes_nothing(tally, db):
    con, out = console(tally)
    number = four_widgets(con, out)
    run(con, out, f"ship {number} 3 WIDGET-1", "y")
    before = state(db, with_pending=False)
    refused = run(con, out, f"ship {number} 2 WIDGET-1")
    assert f"Only 1 WIDGET-1 left to ship on {number}; you asked for 2." in refused
    assert "Left to ship: 1 × WIDGET-1." in refused and "Confirm?" not in refused
    other = run(con, out, f"ship {number} 1 GADGET-2")
    assert f"{number} has no line for GADGET-2." in other
    assert state(db, with_pending=False) == before


def test_late_shipments_are_flagged_and_dn_numbers_stay_gapless(tally, db, actors):
    rep = actors["U0SALES1"]
    made = tally.confirm(rep, tally.propose(rep, "create_order", {"customer": "ACME", "lines": [
        {"sku": "WIDGET-1", "quantity": 2, "promised_date": "2026-11-20"}]}).pending_id).result.order
    assert made.lines[0].promised_date.isoformat() == "2026-11-20"
    con, out = console(tally)
    run(con, out, f"ship {made.number} 9 WIDGET-1")  # refused: its number is never taken
    shipped = run(con, out, f"ship {made.number} 1 WIDGET-1", "y")
    assert "late (promised by 2026-11-20)" in shipped
    run(con, out, f"ship {made.number} 1 WIDGET-1", "n")  # cancelled: nothing taken either
    run(con, out, f"ship {made.number}", "y")
    with db.session() as s:
        notes = s.execute(select(Shipment.number, Shipment.late).order_by(Shipment.id)).all()
        counter = s.scalar(select(DocumentCounter.last_value).where(DocumentCounter.kind == "DN"))
    assert notes == [(f"DN-{YEAR}-00001", True), (f"DN-{YEAR}-00002", True)] and counter == 2


def test_a_partly_shipped_order_cancels_only_what_is_left(tally, db):
    con, out = console(tally)
    on_hand, reserved = stock(db, "WIDGET-1")
    number = four_widgets(con, out)
    run(con, out, f"ship {number} 1 WIDGET-1", "y")
    text = run(con, out, f"cancel {number} customer changed plans", "y")
    assert "Cancel what is left to ship" in text and "3 × WIDGET-1" in text
    assert order_row(db, number)[0] == "shipped"
    assert stock(db, "WIDGET-1") == (on_hand - 1, reserved)
    assert "nothing is left to ship" in run(con, out, f"ship {number}")


def test_a_partly_shipped_order_counts_only_what_is_left_against_credit(tally, db, actors):
    manager = actors["U0MGR1"]
    before = tally.read(manager, "check_credit", {"customer": "ACME"})
    con, out = console(tally)
    number = four_widgets(con, out)
    run(con, out, f"ship {number} 1 WIDGET-1", "y")
    after = tally.read(manager, "check_credit", {"customer": "ACME"})
    assert after.uninvoiced_orders == before.uninvoiced_orders + Decimal("37.50")
    assert after.open_balance == before.open_balance + Decimal("12.50")


def test_slash_ship_proposes_and_the_click_ships(tally, db):
    con, out = console(tally)
    number = four_widgets(con, out)
    with slack_world(tally, with_model=False) as world:
        card = world.slack.wait_for(world.command("U0SALES1", f"ship {number} 1 widget-1 carrier DHL"))[0]
        shown = json.dumps(card.params.get("blocks") or [], ensure_ascii=False)
        assert f"Ship 1 × WIDGET-1 of order {number} for Acme Corp" in shown and "carrier DHL" in shown
        pending_id = button(card, "tally_confirm")
        assert tally.pending(pending_id).args["lines"] == [{"sku": "WIDGET-1", "quantity": 1}]
        world.click("U0SALES1", "tally_confirm", pending_id, "C0GENERAL", "1700000000.000100",
                    container={"type": "message", "message_ts": "1700000000.000100", "channel_id": "C0GENERAL",
                               "is_ephemeral": True}, response_url=world.slack.base_url + "response.ship1")
        world.slack.wait_for("response.ship1")
    assert order_row(db, number) == ("partially_shipped", [f"DN-{YEAR}-00001"])
    with db.session() as s:
        assert s.scalar(select(Shipment.carrier)) == "DHL"
        assert s.scalar(select(func.sum(OrderLine.quantity)).join(SalesOrder).where(SalesOrder.number == number)) == 4
