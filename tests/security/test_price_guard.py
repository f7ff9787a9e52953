"""A unit price below cost, or more than TALLY_MAX_DISCOUNT (default 20%) below list, puts the order on a
price hold that a manager approves or rejects from Slack; the credit check runs again on approval."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.console import Console
from core.pricing import price_reasons
from db.models import Product, SalesOrder
from tests.e2e.slack_harness import button, slack_world
from tests.fakes.slack_requests import view_submission
from tests.security.test_confirmation_cards import shown

ROOT = Path(__file__).resolve().parents[2]
EPHEMERAL = {"type": "message", "message_ts": "1700000000.000100", "channel_id": "C0GENERAL", "is_ephemeral": True}


@pytest.fixture
def world(tally):
    with slack_world(tally, with_model=False) as w:
        yield w


def reserved(db, sku: str = "WIDGET-1") -> int:
    with db.session() as s:
        return s.scalar(select(Product.stock_reserved).where(Product.sku == sku))


def latest_order(db) -> SalesOrder:
    with db.session() as s:
        return s.scalars(select(SalesOrder).order_by(SalesOrder.id.desc())).first()


def status_of(db, number: str) -> str:
    with db.session() as s:
        return s.scalar(select(SalesOrder.status).where(SalesOrder.number == number))


def place(world, user: str, text: str, n: int) -> tuple[str, str]:
    """A `/tally order ...` confirmed on its ephemeral card: the card's text and the new order's number."""
    card = world.slack.wait_for(world.command(user, text))[0]
    url = world.slack.base_url + f"response.place{n}"
    world.click(user, "tally_confirm", button(card, "tally_confirm"), "C0GENERAL", "1700000000.000100",
                container=EPHEMERAL, response_url=url)
    world.slack.wait_for(url.rsplit("/", 1)[1])
    world.settle()
    return shown(card), latest_order(world.tally.db).number


def manager_cards(world) -> list:
    return [c for c in world.slack.calls_to("chat.postMessage") if c.params["channel"] == "DU0MGR1"]


def test_rep_order_below_cost_waits_for_a_manager_who_approves_it_once(world, db):
    before = reserved(db)
    card, number = place(world, "U0SALES1", "order ACME 2 WIDGET-1 @0.01", 1)
    assert "2 × WIDGET-1 at 0.01 (list 12.50, 99.9% off; margin -7.09 a unit, below cost)" in card
    assert "price hold: WIDGET-1 at 0.01 is below its cost of 7.10" in card
    assert status_of(db, number) == "price_hold" and reserved(db) == before  # no stock held for it yet
    (approval,) = manager_cards(world)
    text = shown(approval)
    assert "asks for price approval" in text and "margin -7.09 a unit, below cost" in text and number in text
    value = button(approval, "tally_approve")
    assert value == f"{number}|price"
    ts = world.slack.messages("DU0MGR1")[0]["ts"]
    for n in (1, 2):  # a double click
        world.click("U0MGR1", "tally_approve", value, "DU0MGR1", ts,
                    response_url=world.slack.base_url + f"response.a{n}")
        world.settle()
    order = latest_order(db)
    assert (order.status, order.decided_by) == ("confirmed", "U0MGR1") and reserved(db) == before + 2
    told = [c for c in world.slack.calls_to("chat.postMessage") if "approved by <@U0MGR1>" in (c.params["text"] or "")]
    assert len(told) == 1 and told[0].params["channel"] == "DU0SALES1"
    (again,) = world.slack.calls_to("response.a2")
    assert f"{number} was already approved by <@U0MGR1>" in again.params["text"]
    assert not world.slack.calls_to("response.a1")  # the first click answered in the cards
    updated = [shown(c) for c in world.slack.calls_to("chat.update") if c.params["ts"] == ts]
    assert len(updated) == 1 and "Approved by <@U0MGR1>" in updated[0]


def test_manager_rejects_a_price_hold_from_slack(world, db):
    before = reserved(db)
    _, number = place(world, "U0SALES1", "order ACME 3 WIDGET-1 @5.00", 1)  # 60% off, also below cost
    (approval,) = manager_cards(world)
    value = button(approval, "tally_reject")
    world.click("U0MGR1", "tally_reject", value, "DU0MGR1", world.slack.messages("DU0MGR1")[0]["ts"])
    modal = world.slack.wait_for("views.open")[0]
    assert modal.params["view"]["private_metadata"] == value
    reason = {"reason": {"value": {"type": "plain_text_input", "value": "below cost, no"}}}
    for view_id in ("V0REJECT1", "V0REJECT1"):  # a repeated submission of the same modal
        world.sim.post(*view_submission("U0MGR1", "tally_reject_reason", value, reason, view_id=view_id))
        world.settle()
    order = latest_order(db)
    assert (order.number, order.status, order.decided_by, order.decision_reason) == (
        number, "cancelled", "U0MGR1", "below cost, no")
    assert reserved(db) == before
    told = [c.params["channel"] for c in world.slack.calls_to("chat.postMessage")
            if "rejected by <@U0MGR1>" in (c.params["text"] or "")]
    assert told == ["DU0SALES1", "DU0MGR1"]  # the rep is told once; the repeat tells its manager it was done


@pytest.mark.parametrize("price", ["10.00", "12.50", "15.00"])
def test_prices_within_the_guard_go_through(world, db, price):
    before = reserved(db)
    card, number = place(world, "U0SALES1", f"order ACME 2 WIDGET-1 @{price}", 1)  # 10.00 is exactly 20% off
    assert "price hold" not in card and "Credit check: it will be confirmed" in card
    assert status_of(db, number) == "confirmed" and reserved(db) == before + 2 and not manager_cards(world)


def test_price_hold_first_then_the_credit_check_on_approval(world, db):
    """Globex is over its terms: the price is approved first, then the order waits for credit approval."""
    card, number = place(world, "U0SALES2", "order GLOBEX 3 GADGET-2 @1.00", 1)
    assert "price hold: GADGET-2 at 1.00 is below its cost" in card and "Credit check now: credit hold" in card
    assert status_of(db, number) == "price_hold"
    (price_card,) = manager_cards(world)
    assert "Credit check* (it runs again when the price is approved)" in shown(price_card)
    assert "waiting for a manager" not in shown(price_card)  # it waits on the price, not on credit yet
    price_ts = world.slack.messages("DU0MGR1")[0]["ts"]
    world.click("U0MGR1", "tally_approve", button(price_card, "tally_approve"), "DU0MGR1", price_ts)
    world.settle()
    assert status_of(db, number) == "credit_hold"
    credit_card = manager_cards(world)[1]
    assert "asks for credit approval" in shown(credit_card) and "past due" in shown(credit_card)
    assert button(credit_card, "tally_approve") == number
    # A late second click on the price card must not approve the credit hold.
    world.click("U0MGR1", "tally_approve", button(price_card, "tally_approve"), "DU0MGR1", price_ts,
                response_url=world.slack.base_url + "response.late")
    world.settle()
    (late,) = world.slack.calls_to("response.late")
    assert "price on" in late.params["text"] and "waits for credit approval" in late.params["text"]
    assert status_of(db, number) == "credit_hold"
    world.click("U0MGR1", "tally_approve", number, "DU0MGR1", world.slack.messages("DU0MGR1")[1]["ts"])
    world.settle()
    assert status_of(db, number) == "confirmed"


def test_a_manager_may_approve_their_own_price_hold(tally, db):
    """Managers' own orders are guarded too (the hold shows in every held list), and they may approve them."""
    out = io.StringIO()
    console = Console(tally, tally.actor_for("U0MGR1"), out)
    console.handle("order ACME 1 WIDGET-1 @0.01")
    assert "it will wait for a manager (price hold" in out.getvalue()
    console.handle("y")
    number = latest_order(db).number
    assert status_of(db, number) == "price_hold" and f"{number}" in out.getvalue()
    console.handle(f"approve {number} clearance sale")
    assert f"Approve price hold on {number}" in out.getvalue().splitlines()[-2]
    console.handle("y")
    assert status_of(db, number) == "confirmed"
    assert f"Price hold on {number} approved by" in out.getvalue()


def test_only_a_manager_decides_a_price_hold(tally, db):
    out = io.StringIO()
    rep = Console(tally, tally.actor_for("U0SALES1"), out)
    rep.handle("order ACME 1 WIDGET-1 @0.01")
    rep.handle("y")
    number = latest_order(db).number
    rep.handle(f"approve {number}")
    assert "As a salesperson you cannot approve or reject credit and price holds; a manager can." in out.getvalue()
    rep.handle(f"fulfil {number}")
    assert f"{number} is price_hold; only confirmed orders can ship" in out.getvalue()
    assert status_of(db, number) == "price_hold"


@pytest.mark.parametrize("price, list_price, cost, expected", [
    ("0.01", "12.50", "7.10", ["below its cost of 7.10", "99.9% below its list price"]),
    ("10.00", "12.50", "7.10", []),  # exactly 20% off
    ("9.99", "12.50", "7.10", ["20.1% below its list price of 12.50 (more than 20% needs a manager)"]),
    ("7.00", "7.50", "7.10", ["below its cost of 7.10"]),
    ("20.00", "12.50", "7.10", []),
])
def test_price_reasons(price, list_price, cost, expected):
    reasons = price_reasons("WIDGET-1", Decimal(price), Decimal(list_price), Decimal(cost))
    assert len(reasons) == len(expected) and all(e in r for e, r in zip(expected, reasons, strict=True))


def test_max_discount_is_a_setting(tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TALLY_", "OPENAI_"))}
    result = subprocess.run([sys.executable, str(ROOT / "app.py"), "console", "--as", "U0SALES1"],
                            input="order ACME 1 WIDGET-1 @11.00\ny\n", capture_output=True, text=True, cwd=tmp_path,
                            timeout=120, env={**environ, "TALLY_DATA_DIR": str(tmp_path), "TALLY_MAX_DISCOUNT": "0.05"})
    assert result.returncode == 0, result.stderr
    assert "WIDGET-1 at 11.00 is 12% below its list price of 12.50 (more than 5% needs a manager)" in result.stdout
    assert "is on price hold and waits for a manager" in result.stdout
    with sqlite3.connect(tmp_path / "tally.db") as con:
        assert con.execute("select status from sales_orders order by id desc limit 1").fetchone() == ("price_hold",)
