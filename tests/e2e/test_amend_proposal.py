""""No, make it 12" in the thread of an order proposal: the new proposal replaces the old one, whose card
turns into a cancelled one; a late click on the old card orders nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import SalesOrder
from tests.e2e.slack_harness import button, slack_world
from tests.fakes.openai_steps import tool_calls
from tests.fakes.slack_requests import event_callback


@pytest.fixture
def world(tally):
    with slack_world(tally) as w:
        yield w


def dm_in_thread(world, user: str, text: str, ts: str, thread_ts: str | None = None) -> None:
    event = {"type": "message", "channel_type": "im", "user": user, "text": text, "ts": ts,
             "channel": f"D{user}", "event_ts": ts, **({"thread_ts": thread_ts} if thread_ts else {})}
    world.sim.post(*event_callback(event, f"Ev{ts.replace('.', '')}"))
    world.settle()


def orders(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(SalesOrder))


def test_make_it_twelve_replaces_the_card_and_the_old_one_cannot_be_confirmed(world, db):
    world.llm.push(tool_calls(("create_order", {"customer": "Acme", "lines": [{"sku": "WIDGET-1", "quantity": 10}]})),
                   tool_calls(("create_order", {"customer": "Acme", "lines": [{"sku": "WIDGET-1", "quantity": 12}]})))
    dm_in_thread(world, "U0SALES1", "order 10 WIDGET-1 for Acme", "1700009001.000100")
    first = world.slack.calls_to("chat.update")[-1]
    old_value = button(first, "tally_confirm")
    assert "10 × WIDGET-1" in str(first.params["blocks"])
    dm_in_thread(world, "U0SALES1", "no, make it 12", "1700009002.000100", thread_ts="1700009001.000100")
    updates = world.slack.calls_to("chat.update")
    replaced = [u for u in updates if u.params["ts"] == first.params["ts"] and u is not first]
    assert replaced and "Cancelled" in str(replaced[-1].params["blocks"])
    assert "Replaced by a newer proposal" in str(replaced[-1].params["blocks"])
    newest = [c for c in world.slack.calls_to("chat.update") + world.slack.calls_to("chat.postMessage")
              if "12 × WIDGET-1" in str(c.params.get("blocks"))]
    assert newest, "the amended proposal is shown"
    before = orders(db)
    world.click("U0SALES1", "tally_confirm", old_value, "DU0SALES1", first.params["ts"])
    world.settle()
    assert orders(db) == before  # the replaced proposal orders nothing
    world.click("U0SALES1", "tally_confirm", button(newest[-1], "tally_confirm"), "DU0SALES1",
                newest[-1].params.get("ts") or "x")
    world.settle()
    with db.session() as s:
        order = s.scalars(select(SalesOrder).order_by(SalesOrder.id.desc())).first()
        assert [(ln.sku, ln.quantity) for ln in order.lines] == [("WIDGET-1", 12)] and orders(db) == before + 1


def test_a_second_order_in_the_thread_is_not_an_amendment(world, db):
    world.llm.push(tool_calls(("create_order", {"customer": "Acme", "lines": [{"sku": "WIDGET-1", "quantity": 10}]})),
                   tool_calls(("create_order", {"customer": "Stark", "lines": [{"sku": "GADGET-1", "quantity": 5}]})))
    dm_in_thread(world, "U0SALES1", "order 10 WIDGET-1 for Acme", "1700009101.000100")
    dm_in_thread(world, "U0SALES1", "also 5 GADGET-1 for Stark", "1700009102.000100", thread_ts="1700009101.000100")
    assert not any("Cancelled" in str(u.params.get("blocks")) for u in world.slack.calls_to("chat.update"))
