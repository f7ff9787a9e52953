"""What a salesperson may not see reads exactly like what does not exist: another rep's invoice, order
or customer gets the answer a number or name that was never used gets, "did you mean" offers only their
own customers, and a button naming someone else's reminder or decided request shows nothing of it.

The strongest form of "exactly like": the answer about a foreign record is compared with the answer to
the same words after that record has been renamed away, so the only difference left is existence."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.console import Console, run_lines
from db.models import Customer, Invoice, Reminder, SalesOrder
from tests.conftest import DEMO_NOW
from tests.e2e.slack_harness import slack_world
from tests.helpers import invoice_of, order_of

REP = "U0SALES1"  # owns ACME; GLOBEX is U0SALES2's


def console_says(tally, user: str, *lines: str) -> str:
    out = io.StringIO()
    run_lines(Console(tally, tally.actor_for(user), out), list(lines))
    return out.getvalue()


def foreign_customers(db) -> list[tuple[str, str]]:
    with db.session() as s:
        return [(c.code, c.name) for c in s.scalars(select(Customer).where(Customer.owner_rep != REP))]


def rename_invoice(db, number: str) -> None:
    with db.session(write=True) as s:
        s.execute(update(Invoice).where(Invoice.number == number).values(number="INV-1999-99999"))
        s.commit()


def rename_order(db, number: str) -> None:
    with db.session(write=True) as s:
        s.execute(update(SalesOrder).where(SalesOrder.number == number).values(number="SO-1999-99999"))
        s.commit()


def rename_customer(db, code: str) -> None:
    with db.session(write=True) as s:
        s.execute(update(Customer).where(Customer.code == code).values(code="ZZGONE", name="Zz Gone Ltd"))
        s.commit()


def test_another_reps_invoice_reads_exactly_like_one_that_does_not_exist(tally, db):
    number = invoice_of(db, "GLOBEX").number
    suffix = str(int(number.rsplit("-", 1)[1]))  # "invoice 7" finds INV-YYYY-00007 by its suffix
    lines = [f"invoice {number}", f"invoice {suffix}", f"invoice {number.lower()}"]
    foreign = console_says(tally, REP, *lines)
    assert "Globex" not in foreign and "No invoice" in foreign
    rename_invoice(db, number)
    assert console_says(tally, REP, *lines) == foreign
    assert "Globex" in console_says(tally, "U0MGR1", "invoice INV-1999-99999")  # the renamed one is still there


def test_another_reps_order_reads_exactly_like_one_that_does_not_exist(tally, db):
    number = order_of(db, "GLOBEX", "credit_hold").number
    foreign = console_says(tally, REP, f"orders {number}")
    assert "Globex" not in foreign and f"No order '{number}'" in foreign
    rename_order(db, number)
    assert console_says(tally, REP, f"orders {number}") == foreign


def test_another_reps_customer_reads_exactly_like_one_that_does_not_exist(tally, db):
    lines = ["credit GLOBEX", "credit Globex", "invoices GLOBEX", "orders GLOBEX", "order GLOBEX 1 WIDGET-1"]
    foreign = console_says(tally, REP, *lines)
    assert "40,000" not in foreign and "not one of your customers" not in foreign
    assert foreign.count("No customer matches") == len(lines)
    rename_customer(db, "GLOBEX")
    assert console_says(tally, REP, *lines) == foreign


@pytest.mark.parametrize("typed", ["Globx", "globe", "Initec", "o", "corp", "Acme Corpp"])
def test_did_you_mean_and_which_one_offer_only_the_reps_own_customers(tally, db, typed):
    said = console_says(tally, REP, f"credit {typed}")
    leaked = [f"{code} {name}" for code, name in foreign_customers(db) if code in said or name in said]
    assert leaked == [], said


def test_a_manager_still_hears_of_every_customer(tally, db):
    assert "GLOBEX Globex" in console_says(tally, "U0MGR1", "credit Globx")


def test_slash_command_for_another_reps_invoice_answers_as_for_a_number_never_used(tally, db):
    number = invoice_of(db, "GLOBEX").number
    with slack_world(tally, with_model=False) as world:
        method = world.command(REP, f"invoice {number}")
        foreign = json.dumps(world.slack.wait_for(method)[0].params, sort_keys=True)
        rename_invoice(db, number)
        method = world.command(REP, f"invoice {number}")
        gone = json.dumps(world.slack.wait_for(method)[0].params, sort_keys=True)
    assert "Globex" not in foreign and f"No invoice '{number}'" in foreign
    assert foreign == gone


def _scheduled(tally, actors, number: str) -> int:
    proposal = tally.propose(actors["U0MGR1"], "schedule_reminder", {
        "invoice_number": number, "remind_at": (DEMO_NOW + timedelta(days=2)).isoformat(), "note": "Globex secret"})
    return tally.confirm(actors["U0MGR1"], proposal.pending_id).result.reminder_id


def shown(calls) -> str:
    return "".join(json.dumps(c.params, ensure_ascii=False) for c in calls)


def test_snooze_naming_another_reps_reminder_shows_nothing_of_it(tally, db, actors):
    foreign = invoice_of(db, "GLOBEX")
    reminder_id = _scheduled(tally, actors, foreign.number)
    own = invoice_of(db, "ACME").number
    value = json.dumps({"reminder": reminder_id, "invoice": own, "days": 1})
    with slack_world(tally, with_model=False) as world:
        url = f"{world.slack.base_url.removesuffix('/api/')}/api/response.snooze"
        world.click(REP, "tally_remind_snooze_1", value, f"D{REP}", "1700000100.000100", response_url=url)
        world.settle()
        posted = shown(world.slack.calls)
    assert "Globex" not in posted and foreign.number not in posted and "secret" not in posted
    with db.session() as s:  # the snooze of the rep's own invoice went through; the foreign reminder is as it was
        assert s.scalar(select(Reminder).where(Reminder.invoice.has(number=own), Reminder.note == "snoozed"))
        assert s.get(Reminder, reminder_id).status == "pending"


def test_snooze_naming_another_reps_invoice_is_answered_as_a_number_never_used(tally, db, actors):
    foreign = invoice_of(db, "GLOBEX").number
    reminder_id = _scheduled(tally, actors, foreign)
    with slack_world(tally, with_model=False) as world:
        url = f"{world.slack.base_url.removesuffix('/api/')}/api/response.snooze"
        world.click(REP, "tally_remind_snooze_1", json.dumps({"reminder": reminder_id, "invoice": foreign, "days": 1}),
                    f"D{REP}", "1700000100.000100", response_url=url)
        answer = world.slack.wait_for("response.snooze")[0].params["text"]
        world.settle()
        posted = shown(world.slack.calls)
    assert answer.startswith(f"No invoice '{foreign}'.") and "Globex" not in posted and "chat.update" not in [
        c.method for c in world.slack.calls]


@pytest.mark.parametrize("decided", ["done", "cancelled", "pending"])
def test_a_stranger_clicking_someone_elses_request_learns_nothing_of_it(tally, db, actors, decided):
    proposal = tally.propose(actors[REP], "create_order", {"customer": "ACME", "lines": [
        {"sku": "WIDGET-1", "quantity": 3}]})
    if decided == "done":
        tally.confirm(actors[REP], proposal.pending_id)
    elif decided == "cancelled":
        tally.cancel(actors[REP], proposal.pending_id)
    before = tally.pending(proposal.pending_id).status
    with slack_world(tally, with_model=False) as world:
        for action in ("tally_confirm", "tally_cancel"):
            url = f"{world.slack.base_url.removesuffix('/api/')}/api/response.{action}"
            world.click("U0SALES2", action, proposal.pending_id, "C0SALES", "1700000200.000100", response_url=url)
            answer = world.slack.wait_for(f"response.{action}")[0].params
            assert answer["text"] == "This request is not yours to confirm or cancel. Only the person who asked, or " \
                                     "a manager, can."
        world.settle()
        posted = shown(world.slack.calls)
    assert "Acme" not in posted and "WIDGET" not in posted and REP not in posted
    assert "chat.update" not in [c.method for c in world.slack.calls]
    assert tally.pending(proposal.pending_id).status == before


def test_a_rep_clicking_approve_on_another_reps_decided_hold_learns_nothing(tally, db, actors):
    number = order_of(db, "GLOBEX", "credit_hold").number
    tally.confirm(actors["U0MGR1"], tally.propose(actors["U0MGR1"], "approve_credit_hold", {
        "order_number": number, "approve": False, "reason": "Globex pays late"}).pending_id)
    with slack_world(tally, with_model=False) as world:
        url = f"{world.slack.base_url.removesuffix('/api/')}/api/response.approve"
        world.click(REP, "tally_approve", number, "C0SALES", "1700000300.000100", response_url=url)
        answer = world.slack.wait_for("response.approve")[0].params["text"]
        world.settle()
        posted = shown(world.slack.calls)
    assert "Globex" not in posted and "U0MGR1" not in posted and "rejected" not in answer
    assert "cannot approve" in answer
