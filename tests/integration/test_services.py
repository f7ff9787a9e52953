"""The services a front end reaches through Tally: each its own unit of work on the service's clock, each
raising Tally's errors and returning plain values, never rows of the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.errors import InvalidInput, NotFound
from db.models import AuditEvent, Reminder
from tests.helpers import invoice_of
from tools import FixedClock
from tools.members import MemberInfo
from tools.proposals import PendingView
from tools.slack_state import Card


def test_members_are_added_audited_on_the_service_clock_and_returned_as_values(tally, db):
    tally.clock = FixedClock(tally.clock.now() + timedelta(days=3))
    member = tally.members.add("u0new1", "collector", "Nova", "Europe/Paris")
    assert member == MemberInfo("U0NEW1", "collector", "Nova", "Europe/Paris")
    with db.session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.entity_id == "U0NEW1"))
        assert event.action == "member_add" and event.at == tally.clock.now().replace(tzinfo=event.at.tzinfo)
    assert "U0NEW1" in {m.slack_user_id for m in tally.members.in_role("collector")}


@pytest.mark.parametrize("args", [("not-an-id", "sales"), ("U0NEW2", "boss"), ("U0NEW3", "sales", "", "Mars/Base")])
def test_a_bad_member_is_a_clear_invalid_input(tally, args):
    with pytest.raises(InvalidInput):
        tally.members.add(*args)


def test_removing_someone_who_is_not_a_member_says_so(tally):
    with pytest.raises(NotFound, match="U0NOBODY is not an active member"):
        tally.members.remove("U0NOBODY")


def test_cards_and_pending_proposals_come_back_as_values(tally, actors):
    tally.slack_state.remember_card("order", "SO-1", "C1", "1.1", "U0SALES1")
    assert tally.slack_state.cards("order", "SO-1") == [Card("C1", "1.1", "U0SALES1")]
    proposal = tally.propose(actors["U0SALES1"], "create_order",
                             {"customer": "ACME", "lines": [{"sku": "WIDGET-1", "quantity": 1}]})
    pending = tally.pending(proposal.pending_id)
    assert isinstance(pending, PendingView) and pending.status == "pending" and pending.tool == "create_order"


def test_an_event_is_claimed_once(tally):
    assert tally.slack_state.claim_event("Ev1") is True
    assert tally.slack_state.claim_event("Ev1") is False


def _reminders(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Reminder).where(Reminder.stage.startswith("at:")))


def test_run_now_runs_a_click_once_per_key_and_every_time_without_one(tally, db, actors):
    number = invoice_of(db, "ACME").number
    args = {"invoice_number": number, "remind_at": "2026-12-20T09:00"}
    before = _reminders(db)
    first = tally.run_now(actors["U0COLL1"], "schedule_reminder", args, key="click:1")
    again = tally.run_now(actors["U0COLL1"], "schedule_reminder", args, key="click:1")
    assert first.status == again.status == "done" and again.already and not first.already
    assert _reminders(db) == before + 1
    other = tally.run_now(actors["U0COLL1"], "schedule_reminder", {**args, "remind_at": "2026-12-21T09:00"})
    assert other.status == "done" and _reminders(db) == before + 2


def test_run_now_refuses_what_the_role_may_not_do(tally, db, actors):
    from core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        tally.run_now(actors["U0SALES1"], "record_payment", {
            "invoice_number": invoice_of(db, "ACME").number, "amount": "1.00", "received_on": "2026-11-30"}, key="k")
