"""Lists in Slack messages as Slack's table block, through the real app: a mention, /tally and Next page;
with TALLY_SLACK_TABLES off, the monospace layout. The mock refuses any table Slack would refuse."""

from __future__ import annotations

import json

import pytest

from core.money import fmt
from tests.e2e.slack_harness import button, slack_world


def table_of(call) -> dict:
    blocks = call.params["blocks"]
    tables = [b for b in blocks if b["type"] == "table"]
    assert len(tables) == 1 and blocks[-1] is tables[0], [b["type"] for b in blocks]
    return tables[0]


def words(table: dict) -> list[list[str]]:
    return [[c["text"] if c["type"] == "raw_text" else c["elements"][0]["elements"][0]["text"] for c in row]
            for row in table["rows"]]


def test_a_mention_for_the_worklist_is_answered_with_a_table(tally, actors):
    worklist = tally.read(actors["U0COLL1"], "collection_worklist", {})
    with slack_world(tally, with_model=False) as world:
        world.mention("U0COLL1", "worklist")
        answer = world.slack.wait_for("chat.update")[0]
        rows = words(table_of(answer))
        assert rows[1][1] == worklist.items[0].invoice.number and rows[1][4] == fmt(worklist.items[0].invoice.balance)
        assert answer.params["text"].startswith("Worklist:")  # the notification line goes with the table


def test_next_page_of_a_table_is_a_table_of_the_next_rows(tally, actors):
    report = tally.read(actors["U0MGR1"], "ar_ageing", {"group_by": "customer"})
    assert len(report.rows) > 10
    with slack_world(tally, with_model=False) as world:
        first = world.slack.wait_for(world.command("U0MGR1", "ageing by customer"))[0]
        assert [r[0] for r in words(table_of(first))[1:11]] == [r.label for r in report.rows[:10]]
        url = world.slack.base_url + "response.page1"
        world.click("U0MGR1", "tally_page", button(first, "tally_page"), "C0GENERAL", "1700000000.000100",
                    response_url=url, container={"type": "message", "message_ts": "1700000000.000100",
                                                 "channel_id": "C0GENERAL", "is_ephemeral": True})
        second = world.slack.wait_for("response.page1")[0]
        assert words(table_of(second))[1][0] == report.rows[10].label


@pytest.mark.parametrize("command", ["orders", "invoices overdue", "sales this-year by rep"])
def test_with_tables_off_lists_keep_the_monospace_layout(tally, command):
    with slack_world(tally, with_model=False, tables=False) as world:
        answer = world.slack.wait_for(world.command("U0MGR1", command))[0]
        assert not any(b["type"] == "table" for b in answer.params["blocks"])
        assert "```" in json.dumps(answer.params["blocks"])
