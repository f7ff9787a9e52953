"""The model is offered only the tools the user's role may use; the service still checks every call."""

from __future__ import annotations

import pytest

from bot.agent.toolkit import tools_for
from core.roles import Role
from tests.e2e.slack_harness import slack_world
from tests.fakes.openai_steps import reply, tool_calls
from tests.helpers import order_of, state
from tools.registry import REGISTRY


def allowed(role: Role) -> set[str]:
    return {name for name, spec in REGISTRY.items() if role in spec.roles}


@pytest.mark.parametrize("user, role", [("U0SALES1", Role.SALES), ("U0COLL1", Role.COLLECTOR),
                                        ("U0MGR1", Role.MANAGER), ("U0ADMIN1", Role.ADMIN)])
def test_each_role_is_offered_only_its_tools(user, role, tally, conversation, llm):
    llm.push(reply("Hi."), reply("Here."))
    conversation.handle_turn(tally.actor_for(user), "t", "hello")
    plain = set(llm.tool_names_offered())
    assert plain == set(tools_for(role, "hello")) and plain < allowed(role) and "invoice_status" in plain
    conversation.handle_turn(tally.actor_for(user), "t2", "send me Acme's statement as a pdf")
    asked = set(llm.tool_names_offered())
    assert "customer_statement" in asked and asked <= allowed(role)  # the rare tools the words call for


def test_a_sales_request_through_slack_lists_no_tool_sales_may_not_use(tally):
    with slack_world(tally) as world:
        world.llm.push(reply("Hi Sam."))
        world.dm("U0SALES1", "hello")
        world.slack.wait_for("chat.update")
        offered = set(world.llm.tool_names_offered())
    assert offered == set(tools_for(Role.SALES, "hello")) <= allowed(Role.SALES)  # "hello" calls for no rare tool
    assert "approve_credit_hold" not in offered and "customer_statement" not in offered
    assert not {"record_payment", "mark_dispute", "collection_worklist", "cancel_reminder"} & offered


def test_a_tool_not_offered_is_not_run_when_the_model_calls_it_anyway(tally, conversation, llm, db):
    held = order_of(db, "GLOBEX", "credit_hold").number
    forbidden = tool_calls(("approve_credit_hold", {"order_number": held, "approve": True, "reason": "ok"}))
    llm.push(forbidden, forbidden)
    before = state(db)
    reply_ = conversation.handle_turn(tally.actor_for("U0SALES2"), "t", "approve my Globex order")
    assert reply_.status == "failed" and "'approve_credit_hold', which is not a tool you can use" in reply_.text
    assert not reply_.proposals and not reply_.calls
    after = state(db)
    for data in (before, after):  # the turn itself is remembered and logged; nothing else changes
        del data["conversation_messages"], data["turn_logs"]
    assert after == before  # no pending action, no order change
