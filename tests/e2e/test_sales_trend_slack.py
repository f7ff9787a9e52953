"""`/tally sales this-year by product` end to end: the private card lists each product's twelve months and
the next three, and the chart in the person's DM draws them; no model is called."""

from __future__ import annotations

import json

import pytest

from bot.blocks.charts import sales_chart
from bot.blocks.sales_trend import next_months, sparkline
from tests.e2e.slack_harness import slack_world


@pytest.fixture
def world(tally):
    with slack_world(tally) as w:
        yield w


def test_sales_by_product_shows_each_products_trend_and_forecast(world, tally):
    asked = tally.read(tally.actor_for("U0MGR1"), "sales_summary", {"period": "this-year", "group_by": "product"})
    method = world.command("U0MGR1", "sales this-year by product")
    card = world.slack.wait_for(method)[0]
    text = json.dumps(card.params["blocks"], ensure_ascii=False)
    assert "Units a month, Dec 2025 to Nov 2026 (so far), and the next 3 forecast" in text
    top = asked.rows[0]
    row = [r for r in text.split("\\n") if r.startswith(top.label)][-1]
    assert sparkline(top.trend.quantities) in row and row.rstrip().endswith(next_months(top.trend))
    assert any(q > 0 for q in top.trend.quantities) and any(v > 0 for v in top.trend.forecast)
    done = world.slack.wait_for("files.completeUploadExternal")[0]
    assert done.params["channel_id"].startswith("D")  # the private answer's chart goes to the DM
    files = done.params["files"]
    file_id = (json.loads(files) if isinstance(files, str) else files)[0]["id"]
    # The chart with the trend above the bars (its drawing is tested in tests/unit/test_charts.py).
    assert world.slack.uploaded_files[file_id] == sales_chart(asked)
    assert world.slack.calls_to("files.getUploadURLExternal")[0].params["filename"].endswith("-by-product.png")
    assert world.llm.calls_count == 0
