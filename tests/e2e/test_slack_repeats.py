"""The same human request twice, or at the same time, through the real Bolt app: it does its work once,
and every repeat is answered with what happened."""

import json
import threading

import pytest
from sqlalchemy import func, select

from bot.blocks.reminders import reminder_blocks, reminder_text
from bot.middleware import REFUSAL
from bot.slack_app import slack_client
from db.models import AuditEvent, Payment, SalesOrder
from tests.conftest import ACTORS
from tests.e2e.slack_harness import slack_world
from tests.fakes.slack_requests import event_callback, view_submission
from tests.helpers import invoice_of, order_of
from tools.reminder_message import reminder_message

COLLECTOR = "U0COLL1"
FORMS = {  # the modal each reminder button opens, what a collector types into it, and the tool it runs
    "tally_remind_paid": ("tally_payment_modal", "record_payment", {
        "amount": {"value": {"type": "plain_text_input", "value": "100.00"}},
        "date": {"value": {"type": "datepicker", "selected_date": "2026-11-23"}},
        "reference": {"value": {"type": "plain_text_input", "value": None}}}),
    "tally_remind_promise": ("tally_promise_modal", "log_promise_to_pay", {
        "date": {"value": {"type": "datepicker", "selected_date": "2026-12-04"}},
        "amount": {"value": {"type": "plain_text_input", "value": ""}}}),
    "tally_remind_dispute": ("tally_dispute_modal", "mark_dispute", {
        "reason": {"value": {"type": "plain_text_input", "value": "Two crates arrived broken"}}}),
}


@pytest.fixture
def world(tally):
    with slack_world(tally, with_model=False) as w:
        yield w


def audited(db, action: str, entity_id: str) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == action, AuditEvent.entity_id == entity_id))


def texts_to(world, channel: str) -> list[str]:
    return [c.params.get("text") or "" for c in world.slack.calls_to("chat.postMessage")
            if c.params["channel"] == channel]


def open_modal(world, db, button: str) -> tuple[str, dict]:
    """A reminder DM to the collector about an Initech invoice, and the modal its button opened."""
    number = invoice_of(db, "INITECH").number
    coll, tally = ACTORS[COLLECTOR], world.tally
    proposal = tally.propose(coll, "schedule_reminder", {"invoice_number": number,
                                                         "remind_at": "2026-12-01T15:00:00+00:00"})
    reminder_id = tally.confirm(coll, proposal.pending_id).result.reminder_id
    message = reminder_message(tally.db, tally.clock, tally.rules, reminder_id)
    posted = slack_client("xoxb-test", world.slack.base_url).chat_postMessage(
        channel=f"D{COLLECTOR}", text=reminder_text(message), blocks=reminder_blocks(message))
    value = next(e["value"] for b in posted["message"]["blocks"] if b["type"] == "actions"
                 for e in b["elements"] if e["action_id"] == button)
    world.click(COLLECTOR, button, value, f"D{COLLECTOR}", posted["ts"])
    world.settle()
    return number, world.slack.calls_to("views.open")[-1].params["view"]


def submit(world, modal: dict, state: dict, view_id: str) -> tuple:
    return world.sim.post(*view_submission(COLLECTOR, modal["callback_id"], modal["private_metadata"], state,
                                           view_id=view_id))


@pytest.mark.parametrize("button", list(FORMS))
def test_a_modal_submitted_three_times_does_its_work_once(world, db, button):
    callback_id, tool, state = FORMS[button]
    number, modal = open_modal(world, db, button)
    assert modal["callback_id"] == callback_id
    with db.session() as s:
        payments = s.scalar(select(func.count()).select_from(Payment))
    for _ in range(3):  # Slack keeps a modal open when our answer is late, and people press the button again
        status, _, body = submit(world, modal, state, view_id="V0SAMEVIEW")
        assert status == 200 and "errors" not in body
    world.settle()
    assert audited(db, tool, number) == 1
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == payments + (tool == "record_payment")
    repeats = [t for t in texts_to(world, f"D{COLLECTOR}") if t.startswith("Already done by <@U0COLL1>")]
    assert len(repeats) == 2 and all("changed nothing" in t and number in t for t in repeats)
    done = [c for c in world.slack.calls_to("chat.update") if "by <@U0COLL1>" in json.dumps(c.params["blocks"])]
    assert len(done) == 1  # the reminder message shows the action once, in place of its buttons


def test_the_payment_modal_opened_again_is_a_new_payment(world, db):
    _, tool, state = FORMS["tally_remind_paid"]
    number, modal = open_modal(world, db, "tally_remind_paid")
    for view_id in ("V0FIRST", "V0SECOND"):  # two instalments of 100, each from its own modal
        submit(world, modal, state, view_id=view_id)
        world.settle()
    assert audited(db, tool, number) == 2
    assert not [t for t in texts_to(world, f"D{COLLECTOR}") if "Already" in t]


def test_parallel_submissions_of_one_payment_modal_record_one_payment(world, db):
    _, tool, state = FORMS["tally_remind_paid"]
    number, modal = open_modal(world, db, "tally_remind_paid")
    answers: list = []
    threads = [threading.Thread(target=lambda: answers.append(submit(world, modal, state, "V0PARALLEL")))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    world.settle()
    assert [a[0] for a in answers] == [200] * 4
    assert audited(db, tool, number) == 1
    assert len([t for t in texts_to(world, f"D{COLLECTOR}") if t.startswith("Already done")]) == 3


def test_a_reject_reason_submitted_twice_rejects_once_and_says_so(world, db):
    held = order_of(db, "GLOBEX", "credit_hold").number
    reason = {"reason": {"value": {"type": "plain_text_input", "value": "too risky"}}}
    for _ in range(2):
        world.sim.post(*view_submission("U0MGR1", "tally_reject_reason", held, reason, view_id="V0REJECT"))
        world.settle()
    with db.session() as s:
        assert s.scalar(select(SalesOrder.status).where(SalesOrder.number == held)) == "cancelled"
    assert audited(db, "reject_credit_hold", held) == 1
    told = texts_to(world, "DU0MGR1")
    assert any(f"{held} was already rejected by <@U0MGR1>" in t for t in told), told


def at_once(*posts) -> list:
    """Post signed requests in parallel, as Slack delivers two clicks from two browser tabs."""
    start = threading.Barrier(len(posts), timeout=30)
    answers: list = [None] * len(posts)

    def run(i: int) -> None:
        start.wait()
        answers[i] = posts[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(posts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_confirm_and_cancel_clicked_at_once_decide_once(world, db):
    with db.session() as s:
        before = s.scalar(select(func.count()).select_from(SalesOrder))
    proposal = world.tally.propose(ACTORS["U0SALES1"], "create_order",
                                   {"customer": "ACME", "lines": [{"sku": "WIDGET-1", "quantity": 2}]})
    posted = slack_client("xoxb-test", world.slack.base_url).chat_postMessage(channel="DU0SALES1", text="card")
    card = ("DU0SALES1", posted["ts"])
    click = lambda action: lambda: world.click("U0SALES1", action, proposal.pending_id, *card)  # noqa: E731
    at_once(click("tally_confirm"), click("tally_confirm"), click("tally_cancel"))
    world.settle()
    with db.session() as s:
        created = s.scalar(select(func.count()).select_from(SalesOrder)) - before
    footers = [c.params["blocks"][-1]["elements"][0]["text"] for c in world.slack.calls_to("chat.update")]
    first = [f for f in footers if not f.startswith("Already")]
    assert len(footers) == 3 and len(first) == 1 and created in (0, 1)
    verb = "confirmed" if created else "cancelled"
    assert first[0].startswith(verb.capitalize() + " by <@U0SALES1>")
    assert sum(f.startswith(f"Already {verb} by <@U0SALES1>") for f in footers) == 2


def test_approve_clicked_twice_and_reject_submitted_at_once_decide_once(world, db):
    held = order_of(db, "GLOBEX", "credit_hold").number
    url = world.slack.base_url + "response.approve"
    approve = lambda n: lambda: world.click("U0MGR1", "tally_approve", held, "DU0MGR1",  # noqa: E731
                                            "1700000000.000100", response_url=f"{url}{n}")
    reject = lambda: world.sim.post(*view_submission(  # noqa: E731
        "U0MGR1", "tally_reject_reason", held, {"reason": {"value": {"type": "plain_text_input", "value": "no"}}},
        view_id="V0REJECTNOW"))
    at_once(approve(1), approve(2), reject)
    world.settle()
    with db.session() as s:
        status = s.scalar(select(SalesOrder.status).where(SalesOrder.number == held))
    verdict = "approved" if status == "confirmed" else "rejected"
    assert status in ("confirmed", "cancelled")
    assert audited(db, "approve_credit_hold", held) + audited(db, "reject_credit_hold", held) == 1
    rep = [t for t in texts_to(world, "DU0SALES2") if held in t]
    assert rep == [f"{held} for Globex was {verdict} by <@U0MGR1>."]  # the requester hears it once
    answers = [c.params["text"] for n in (1, 2) for c in world.slack.calls_to(f"response.approve{n}")]
    answers += [t for t in texts_to(world, "DU0MGR1") if held in t]
    assert len(answers) == 2 and all(f"{held} was already {verdict} by <@U0MGR1>" in a for a in answers)


def test_two_payments_with_one_bank_reference_confirmed_at_once_record_one_and_tell_the_other(world, db):
    reference, client = "BANK-2026-0042", slack_client("xoxb-test", world.slack.base_url)
    clicks = []
    for user, code in (("U0COLL1", "ACME"), ("U0MGR1", "INITECH")):  # two customers: two different locks
        proposal = world.tally.propose(ACTORS[user], "record_payment", {
            "invoice_number": invoice_of(db, code).number, "amount": "10.00", "received_on": "2026-11-23",
            "reference": reference})
        card = client.chat_postMessage(channel=f"D{user}", text="card")
        clicks.append(lambda u=user, p=proposal.pending_id, ts=card["ts"]: world.click(u, "tally_confirm", p,
                                                                                       f"D{u}", ts))
    at_once(*clicks)
    world.settle()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Payment).where(Payment.reference == reference)) == 1
    cards = [json.dumps(c.params["blocks"]) for c in world.slack.calls_to("chat.update")]
    assert len(cards) == 2 and sum("Payment of 10.00 USD recorded" in c for c in cards) == 1
    (lost,) = [c for c in cards if "Not done" in c]
    assert f"reference '{reference}'" in lost and "Nothing was changed" in lost


def test_a_strangers_redelivered_mention_is_refused_once(world):
    event = {"type": "app_mention", "user": "U0STRANGER", "text": "<@U0TALLYBOT> credit ACME",
             "ts": "1700030001.000100", "channel": "C0SALES", "event_ts": "1700030001.000100"}
    body = event_callback(event, "Ev0STRANGER")
    assert world.sim.post(*body)[0] == 200
    assert world.sim.post(*body, retry_num=1, retry_reason="http_timeout")[0] == 200
    world.settle()
    assert [c.params["text"] for c in world.slack.calls_to("chat.postMessage")] == [REFUSAL]
