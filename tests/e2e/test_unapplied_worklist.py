"""Unapplied cash on the collector's worklist: a customer's overpayment, imported from the bank, shows on
their collector's worklist (console and Slack) with the `apply CR-n INVOICE` that puts it on their oldest
open invoice; once applied, it is gone from the list. Another collector's customers stay off it."""

from __future__ import annotations

import io

from sqlalchemy import select

from bot.console import Console, run_lines
from db.models import CustomerCredit
from tests.e2e.slack_harness import blocks_text, slack_world
from tests.e2e.test_bank_import import STATEMENT
from tools.cash_application import import_statement


def typed(tally, user: str, lines: list[str]) -> str:
    out = io.StringIO()
    run_lines(Console(tally, tally.actor_for(user), out), lines)
    return out.getvalue()


def test_an_overpayment_waits_on_its_collector_s_worklist_until_applied(tally, db, actors):
    import_statement(tally, actors["U0MGR1"], STATEMENT.encode(), "statement.xml")  # Tyrell pays 120.00 too much
    with db.session() as session:
        credit = session.scalars(select(CustomerCredit)).one()
    hint = f"apply CR-{credit.id} INV-2026-00431"  # Tyrell's one open invoice

    out = typed(tally, "U0COLL2", ["worklist"])  # Tyrell's collector
    assert f"Tyrell Corp (TYRELL) has 120.00 USD unapplied — apply it: {hint}" in out
    assert "TYRELL" not in typed(tally, "U0COLL1", ["worklist"])  # not Colin's customer
    assert "Tyrell Corp (TYRELL) has 120.00 USD unapplied" in typed(tally, "U0MGR1", ["worklist all"])

    with slack_world(tally, with_model=False) as world:
        response = world.command("U0COLL2", "worklist")
        (answer,) = world.slack.wait_for(response)
        assert f"*Tyrell Corp* (TYRELL) has 120.00 USD unapplied — apply it: `{hint}`" in blocks_text(answer)

    done = typed(tally, "U0COLL2", [hint, "y", "worklist"])
    assert f"120.00 USD of CR-{credit.id} applied to INV-2026-00431" in done
    assert "unapplied" not in done.split("applied to INV-2026-00431")[1]
