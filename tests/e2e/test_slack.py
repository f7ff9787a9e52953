"""Slack end to end: signed HTTP requests into the real Bolt app, replies observed at a mock Slack API."""

import json

import pytest
from sqlalchemy import func, select, text

from db.models import SalesOrder
from tests.e2e.slack_harness import blocks_text, button, slack_world
from tests.fakes.openai_steps import http_error, tool_calls
from tests.fakes.slack_requests import event_callback, url_verification, view_submission
from tests.helpers import order_of


@pytest.fixture
def world(tally):
    with slack_world(tally) as w:
        yield w


def orders(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(SalesOrder))


def test_mention_is_answered_in_its_thread(world):
    world.llm.push(tool_calls(("check_credit", {"customer": "acme"})))
    (status, _, _), ts = world.mention("U0SALES1", "how is acme doing on credit?")
    assert status == 200
    update = world.slack.wait_for("chat.update")[0]
    placeholder = world.slack.calls_to("chat.postMessage")[0]
    assert placeholder.params["thread_ts"] == ts and "Working on it" in placeholder.params["text"]
    assert update.params["ts"] == world.slack.messages("C0SALES")[0]["ts"]
    assert "Acme Corp" in blocks_text(update) and world.llm.calls_count == 1


def test_direct_message_order_confirmed_by_click(world, db):
    world.llm.push(tool_calls(("create_order", {"customer": "Acme", "lines": [{"sku": "WIDGET-1", "quantity": 4}]})))
    before = orders(db)
    world.dm("U0SALES1", "4 widget-1 for acme")
    card = world.slack.wait_for("chat.update")[0]
    pending = button(card, "tally_confirm")
    assert orders(db) == before  # nothing until the click
    status, _, _ = world.click("U0SALES1", "tally_confirm", pending, "DU0SALES1", card.params["ts"])
    assert status == 200
    done = world.slack.wait_for("chat.update", count=2)[1]
    assert done.params["ts"] == card.params["ts"] and "Confirmed by <@U0SALES1>" in blocks_text(done)
    assert orders(db) == before + 1


def test_double_click_creates_one_order(world, db):
    world.llm.push(tool_calls(("create_order", {"customer": "Acme", "lines": [{"sku": "WIDGET-1", "quantity": 1}]})))
    before = orders(db)
    world.dm("U0SALES1", "one widget-1 for acme")
    world.settle()
    card = world.slack.calls_to("chat.update")[0]
    pending = button(card, "tally_confirm")
    for _ in range(2):
        world.click("U0SALES1", "tally_confirm", pending, "DU0SALES1", card.params["ts"])
    world.settle()
    updates = [blocks_text(c) for c in world.slack.calls_to("chat.update")[1:]]
    assert orders(db) == before + 1 and len(updates) == 2
    assert sum("Already confirmed by <@U0SALES1>" in u for u in updates) == 1


def test_redelivered_event_is_answered_once(world):
    world.llm.default(tool_calls(("ar_ageing", {})))
    event = {"type": "app_mention", "user": "U0MGR1", "text": "<@U0TALLYBOT> how old is our AR?",
             "ts": "1700009999.000100", "channel": "C0MGMT", "event_ts": "1700009999.000100"}
    body = event_callback(event, "Ev0SAME")
    assert world.sim.post(*body)[0] == 200
    for retry in (1, 2):
        assert world.sim.post(*body, retry_num=retry, retry_reason="http_timeout")[0] == 200
    world.settle()
    assert len(world.slack.calls_to("chat.update")) == 1
    assert len(world.slack.calls_to("chat.postMessage")) == 1 and world.llm.calls_count == 1


def test_unknown_user_is_refused_politely_and_gets_nothing(world):
    world.mention("U0STRANGER", "what is Acme's credit?")
    world.settle()
    (refusal,) = world.slack.calls_to("chat.postMessage")
    assert "not set up to use Tally" in refusal.params["text"]
    assert world.llm.calls_count == 0 and not world.slack.calls_to("chat.update")


def test_slacks_request_url_check_is_answered_with_its_challenge(world):
    status, _, body = world.sim.post(*url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"))
    assert status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in body
    assert world.sim.post(*url_verification("x"), bad_signature=True)[0] == 401  # a wrong secret fails it


def test_bad_signature_and_stale_timestamp_are_rejected(world):
    body = event_callback({"type": "app_mention", "user": "U0MGR1", "text": "hi", "ts": "1.1", "channel": "C1"},
                          "Ev0BAD")
    assert world.sim.post(*body, bad_signature=True)[0] == 401
    assert world.sim.post(*body, timestamp_offset=-360)[0] == 401
    assert world.llm.calls_count == 0


def test_slash_command_answers_with_a_card_and_no_model_call(world):
    method = world.command("U0SALES1", "credit ACME")
    answer = world.slack.wait_for(method)[0]
    assert answer.params["response_type"] == "ephemeral" and "Acme Corp" in blocks_text(answer)
    assert world.llm.calls_count == 0


def test_slash_command_write_confirms_through_the_ephemeral_card(world, db):
    method = world.command("U0SALES1", "order ACME 2 GADGET-2")
    card = world.slack.wait_for(method)[0]
    before = orders(db)
    url = world.slack.base_url + "response.click1"
    world.click("U0SALES1", "tally_confirm", button(card, "tally_confirm"), "C0GENERAL", "1700000000.000100",
                container={"type": "message", "message_ts": "1700000000.000100", "channel_id": "C0GENERAL",
                           "is_ephemeral": True}, response_url=url)
    replaced = world.slack.wait_for("response.click1")[0]
    assert replaced.params["replace_original"] is True and orders(db) == before + 1


def test_credit_hold_goes_to_managers_and_approval_updates_both_cards(world, db):
    world.llm.push(tool_calls(("create_order", {"customer": "Globex", "lines": [{"sku": "GADGET-2", "quantity": 3}]})))
    world.dm("U0SALES2", "3 gadget-2 for globex")
    world.settle()
    card = world.slack.calls_to("chat.update")[0]
    world.click("U0SALES2", "tally_confirm", button(card, "tally_confirm"), "DU0SALES2", card.params["ts"])
    world.settle()
    approval = next(c for c in world.slack.calls_to("chat.postMessage") if c.params["channel"] == "DU0MGR1")
    assert "Approve" in blocks_text(approval) and "past due" in blocks_text(approval)
    number = button(approval, "tally_approve")
    approval_ts = world.slack.messages("DU0MGR1")[0]["ts"]
    world.click("U0MGR1", "tally_approve", number, "DU0MGR1", approval_ts,
                response_url=world.slack.base_url + "response.approve1")
    world.settle()
    with db.session() as s:
        assert s.scalar(select(SalesOrder.status).where(SalesOrder.number == number)) == "confirmed"
    updated = {c.params["ts"]: blocks_text(c) for c in world.slack.calls_to("chat.update")}
    for ts in (approval_ts, card.params["ts"]):  # the manager's card and the requester's card
        assert "Approved by <@U0MGR1>" in updated[ts] and "waiting for a manager" not in updated[ts]
    told = [c for c in world.slack.calls_to("chat.postMessage") if "approved by <@U0MGR1>" in c.params["text"]]
    assert len(told) == 1 and told[0].params["channel"] == "DU0SALES2"
    world.click("U0MGR1", "tally_approve", number, "DU0MGR1", approval_ts,  # a second click changes nothing
                response_url=world.slack.base_url + "response.approve2")
    world.settle()
    again = world.slack.calls_to("response.approve2")
    assert len(again) == 1 and f"{number} was already approved by <@U0MGR1>" in again[0].params["text"]
    assert not world.slack.calls_to("response.approve1")  # the first click got its answer in the cards
    with db.session() as s:
        assert s.scalar(select(SalesOrder.status).where(SalesOrder.number == number)) == "confirmed"
    assert len([c for c in world.slack.calls_to("chat.postMessage") if "approved by" in c.params["text"]]) == 1


def test_reject_asks_for_a_reason_in_a_modal(world, db):
    held = order_of(db, "GLOBEX", "credit_hold").number
    world.click("U0MGR1", "tally_reject", held, "DU0MGR1", "1700000000.000100")
    modal = world.slack.wait_for("views.open")[0]
    assert modal.params["view"]["private_metadata"] == held
    world.sim.post(*view_submission("U0MGR1", "tally_reject_reason", held,
                                    {"reason": {"value": {"type": "plain_text_input", "value": "too risky"}}}))
    world.settle()
    with db.session() as s:
        order = s.scalar(select(SalesOrder).where(SalesOrder.number == held))
        assert (order.status, order.decision_reason, order.decided_by) == ("cancelled", "too risky", "U0MGR1")


def test_app_home_is_published_per_role(world):
    for user, words in (("U0SALES1", "My open orders"), ("U0COLL1", "Today's worklist"),
                        ("U0MGR1", "Orders on credit hold")):
        world.sim.post(*event_callback({"type": "app_home_opened", "user": user, "channel": f"D{user}",
                                        "tab": "home", "event_ts": "1.1"}, f"EvHome{user}"))
        world.settle()
        (published,) = [c for c in world.slack.calls_to("views.publish") if c.params["user_id"] == user]
        assert words in json.dumps(published.params["view"])
    manager_home = [c for c in world.slack.calls_to("views.publish") if c.params["user_id"] == "U0MGR1"][0]
    assert '"slack_file"' in json.dumps(manager_home.params["view"])  # the ageing chart


def test_ageing_uploads_a_chart_into_the_thread(world):
    world.llm.push(tool_calls(("ar_ageing", {"group_by": "customer"})))
    (_, _, _), ts = world.mention("U0MGR1", "ageing by customer")
    done = world.slack.wait_for("files.completeUploadExternal")[0]
    assert done.params["channel_id"] == "C0SALES" and done.params["thread_ts"] == ts
    file_id = json.loads(done.params["files"])[0]["id"] if isinstance(done.params["files"], str) else \
        done.params["files"][0]["id"]
    assert world.slack.uploaded_files[file_id].startswith(b"\x89PNG")


def test_model_failure_ends_in_a_message_in_the_thread(world):
    world.llm.push(http_error(500, "down"))
    (_, _, _), ts = world.mention("U0MGR1", "how are collections going?")
    update = world.slack.wait_for("chat.update")[0]
    assert "HTTP 500" in blocks_text(update)


def test_rate_limited_slack_is_retried(world):
    world.slack.rate_limit("chat.update", times=1, retry_after=0)
    world.mention("U0SALES1", "credit ACME")  # a command: no model needed
    update = world.slack.wait_for("chat.update")[0]
    assert "Acme Corp" in blocks_text(update) and world.slack.rate_limited


def test_command_in_a_mention_needs_no_model(tally, db):
    with slack_world(tally, with_model=False) as w:
        w.mention("U0COLL1", "invoices Globex overdue")
        assert "GLOBEX" in blocks_text(w.slack.wait_for("chat.update")[0])
        w.mention("U0COLL1", "how is globex doing?")
        assert "needs a language model" in blocks_text(w.slack.wait_for("chat.update", count=2)[1])
    with db.session() as s:
        assert s.scalar(text("select count(*) from slack_events where event_id not like 'msg:%'")) == 2


def test_assistant_thread_gets_a_greeting_and_role_prompts(world):
    world.sim.post(*event_callback({"type": "assistant_thread_started", "assistant_thread": {
        "user_id": "U0COLL1", "channel_id": "DU0COLL1", "thread_ts": "1700005555.000100", "context": {}},
        "event_ts": "1700005555.000200"}, "EvAssist1"))
    prompts = world.slack.wait_for("assistant.threads.setSuggestedPrompts")[0]
    assert "What should I chase today?" in json.dumps(prompts.params)
    greeting = world.slack.calls_to("chat.postMessage")[0]
    assert greeting.params["thread_ts"] == "1700005555.000100" and "Colin" in greeting.params["text"]
