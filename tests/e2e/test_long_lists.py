"""A list longer than a page, through Slack: Next page walks it, and its end says how many more there are
and how to reach them."""

import io
import json

from sqlalchemy import func, select

from bot.console import Console, run_lines
from db.models import Customer, SalesOrder
from tests.e2e.slack_harness import slack_world
from tools.orders import ORDER_LIST_LIMIT


def text(call) -> str:
    return json.dumps(call.params.get("blocks") or [], ensure_ascii=False)


def next_page(call) -> str | None:
    return next((e["value"] for b in call.params.get("blocks") or [] for e in b.get("elements", [])
                 if e.get("action_id") == "tally_page"), None)


def test_orders_page_through_slack_and_the_last_page_says_how_many_are_left(tally, db):
    with db.session() as s:
        total = s.scalar(select(func.count()).select_from(SalesOrder))
    assert total > ORDER_LIST_LIMIT
    with slack_world(tally, with_model=False) as world:
        card = world.slack.wait_for(world.command("U0MGR1", "orders"))[0]
        assert "Page 1 of 5 · rows 1–10 of 50" in text(card)
        pages = [card]
        while (value := next_page(pages[-1])) is not None:
            url = world.slack.base_url + f"response.page{len(pages)}"
            world.click("U0MGR1", "tally_page", value, "C0GENERAL", "1700000000.000100", response_url=url,
                        container={"type": "message", "message_ts": "1700000000.000100", "channel_id": "C0GENERAL",
                                   "is_ephemeral": True})
            pages.append(world.slack.wait_for(f"response.page{len(pages)}")[0])
    assert len(pages) == 5 and all(page.params.get("replace_original", True) for page in pages[1:])
    last = text(pages[-1])
    assert f"… and {total - ORDER_LIST_LIMIT} older not listed here; name a customer (`orders ACME`)" in last
    assert "rows 41–50 of 50" in last


def test_customer_matches_in_the_console_say_how_many_more(tally, db):
    with db.session() as s:
        matching = s.scalar(select(func.count()).select_from(Customer).where(
            func.lower(Customer.name).contains("o") | func.lower(Customer.code).contains("o")))
    out = io.StringIO()
    run_lines(Console(tally, tally.actor_for("U0MGR1"), out), ["find o"])
    assert matching > 10
    assert f"… and {matching - 10} more not listed here; type more of the name to narrow it down." in out.getvalue()
