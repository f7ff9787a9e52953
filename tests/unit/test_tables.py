"""Lists as Slack's table block in messages, monospace text where tables are off or not drawn (App Home)."""

from __future__ import annotations

import json

import pytest
from slack_sdk.models.blocks import Block, TableBlock

from bot.blocks import blocks_for
from bot.blocks.tables import MAX_ROWS, NATIVE, table_block
from bot.home import home_blocks, home_view
from core.money import fmt
from tests.fakes import block_kit

LISTS = [("U0MGR1", "ar_ageing", {"group_by": "customer"}), ("U0SALES1", "ar_ageing", {}),
         ("U0MGR1", "sales_summary", {"period": "this-year", "group_by": "product"}),
         ("U0MGR1", "collection_worklist", {}), ("U0MGR1", "invoice_status", {"only_overdue": True}),
         ("U0MGR1", "invoice_status", {"customer": "GLOBEX"}), ("U0MGR1", "order_status", {"customer": "GLOBEX"}),
         ("U0SALES1", "order_status", {}), ("U0MGR1", "find_customer", {"query": "a"})]


def cells(block: dict) -> list[list[str]]:
    """A table block's rows as the words shown, bold or not."""
    def text(cell: dict) -> str:
        if cell["type"] == "raw_text":
            return cell["text"]
        return "".join(e["text"] for section in cell["elements"] for e in section["elements"])
    return [[text(c) for c in row] for row in block["rows"]]


def slack_accepts(blocks: list[dict]) -> list[dict]:
    assert block_kit.problems("chat.postMessage", {"blocks": blocks, "text": "fallback"}) is None
    for block in blocks:
        Block.parse(block).validate_json()
    return blocks


@pytest.mark.parametrize("user, tool, args", LISTS)
def test_each_list_in_a_message_is_one_table_block_last_and_slack_accepts_it(tally, actors, user, tool, args):
    result = tally.read(actors[user], tool, args)
    blocks = slack_accepts(blocks_for(result, tables=True))
    tables = [b for b in blocks if b["type"] == "table"]
    assert len(tables) == 1 and blocks[-1] is tables[0]  # Slack draws it at the bottom: it is sent there
    parsed = Block.parse(tables[0])
    assert isinstance(parsed, TableBlock) and parsed.to_dict() == tables[0]
    rows = cells(tables[0])
    assert len({len(r) for r in rows}) == 1 and all(c for r in rows for c in r)  # no empty cell: Slack refuses one
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    assert not any("Amounts in" in t for t in sections)  # the monospace table is gone (a sales trend stays text)
    assert blocks[-2]["type"] == "context" and "Amounts in USD" in blocks[-2]["elements"][0]["text"] or \
        tool == "find_customer"


@pytest.mark.parametrize("user, tool, args", LISTS)
def test_with_tables_off_the_same_list_keeps_the_monospace_layout(tally, actors, user, tool, args):
    result = tally.read(actors[user], tool, args)
    blocks = slack_accepts(blocks_for(result))
    assert not any(b["type"] == "table" for b in blocks) and "```" in json.dumps(blocks)
    assert blocks == blocks_for(result, tables=False)


def test_ageing_table_rows_are_the_report_right_aligned_with_a_bold_total(tally, actors):
    report = tally.read(actors["U0MGR1"], "ar_ageing", {"group_by": "customer"})
    table = blocks_for(report, tables=True)[-1]
    rows = cells(table)
    assert rows[0] == [" ", "Current", "1–30", "31–60", "61–90", "91+", "Total"]
    assert rows[1][0] == report.rows[0].label and rows[1][-1] == fmt(report.rows[0].total)
    assert len(rows) == 1 + 10 + 1 and rows[-1][0] == "Total" and rows[-1][-1] == fmt(report.total.total)
    assert table["rows"][-1][0]["type"] == "rich_text"  # the total row is bold, like the header
    assert [s["align"] for s in table["column_settings"]] == ["left"] + ["right"] * 6
    second = blocks_for(report, page=1, tables=True)
    assert any("Zhonghua" in c for row in cells(second[-1]) for c in row)  # the next page, same table


def test_the_worklist_table_shows_data_as_written_without_mrkdwn_escaping(tally, actors):
    worklist = tally.read(actors["U0MGR1"], "collection_worklist", {})
    rows = cells(blocks_for(worklist, tables=True)[-1])
    assert rows[0][:5] == ["#", "invoice", "customer", "days late", "balance"]
    first = worklist.items[0].invoice
    assert rows[1][1] == first.number and rows[1][4] == fmt(first.balance)
    assert all("&amp;" not in c and "&lt;" not in c for row in rows for c in row)  # raw_text is shown as is


def test_a_table_past_slacks_limits_falls_back_to_monospace():
    rows = [[str(n), "x"] for n in range(MAX_ROWS)]
    assert table_block(["n", "x"], rows) is None  # 100 rows and a header: one too many
    blocks = NATIVE.table("*Long*", ["n", "x"], rows)
    assert [b["type"] for b in blocks] == ["section"] and "```" in blocks[0]["text"]["text"]
    assert table_block(["n", "x"], rows[:99])["rows"][0][0]["type"] == "rich_text"
    assert table_block(["name"], [["y" * 10_001]]) is None  # all cells together over Slack's 10,000


@pytest.mark.parametrize("user", ["U0SALES1", "U0COLL1", "U0MGR1", "U0ADMIN1"])
def test_the_app_home_keeps_monospace_tables_and_slack_accepts_the_view(tally, actors, user):
    blocks = home_blocks(tally, actors[user])
    assert not any(b["type"] == "table" for b in blocks)
    assert block_kit.problems("views.publish", {"user_id": user, "view": home_view(blocks)}) is None


def test_a_long_list_in_the_home_says_its_page_without_a_next_page_button(tally, actors):
    # A Next page click in a Home has no message to update; two lists' buttons would also share a block id.
    blocks = home_blocks(tally, actors["U0SALES2"])
    shown = json.dumps(blocks)
    assert "Page 1 of" in shown and "tally_page" not in shown
