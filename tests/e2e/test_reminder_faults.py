"""Reminders against a Slack that fails the way Slack does, on a clock that ticks: every due reminder
reaches Slack exactly once, counted at the mock by the outbox id in each message's metadata; and
recipients are checked again right before sending."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.reminders import ReminderSender
from bot.slack_app import slack_client
from db.models import AuditEvent, Customer, Invoice, Reminder
from tests.fakes.slack_api import MockSlack
from tools import Tally, TickingClock
from tools.members import Members
from tools.outbox import Outbox, Timing

THURSDAY_4PM_UTC = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
QUICK = Timing(lease=timedelta(seconds=6), retry_after=(timedelta(seconds=30),) * 4)  # posts time out after 1 s


@pytest.fixture
def swept(tally, db):
    """The demo's due reminders queued on Thursday afternoon; the number due now."""
    tally.clock = TickingClock(THURSDAY_4PM_UTC)
    Outbox(db, tally.clock).sweep()
    return len(rows(db, status="pending", due_by=tally.clock.now()))


def rows(db, status=None, due_by=None):
    with db.session() as s:
        query = select(Reminder)
        if status:
            query = query.where(Reminder.status == status)
        if due_by:
            query = query.where(Reminder.due_at <= due_by)
        return list(s.scalars(query))


def in_slack(slack: MockSlack) -> Counter:
    """Messages stored by the mock, per reminder id in their metadata: what the recipients see."""
    return Counter(m["metadata"]["event_payload"]["reminder_id"] for m in slack.messages()
                   if (m.get("metadata") or {}).get("event_type") == "tally_reminder")


def passes(tally: Tally, slack: MockSlack, n: int, every: timedelta, timing: Timing | None = None) -> list:
    """`n` sender passes, the clock moved on by `every` between them, as the scheduler would."""
    sender = ReminderSender(tally, Outbox(tally.db, tally.clock, timing=timing), slack_client("xoxb-t", slack.base_url),
                            worker="w1")
    reports = []
    for _ in range(n):
        reports.append(sender.run_once())
        tally.clock.at += every
    return reports


def assert_each_sent_once(db, slack, expected: int):
    sent = {r.id: r for r in rows(db, status="sent")}
    seen = in_slack(slack)
    assert len(sent) == expected and set(seen) == set(sent) and set(seen.values()) == {1}
    stored = {m["metadata"]["event_payload"]["reminder_id"]: m["ts"] for m in slack.messages() if m.get("metadata")}
    assert all(sent[rid].slack_ts == ts for rid, ts in stored.items())  # the row points at the message


def test_a_lost_response_gives_one_dm_not_four(tally, db, swept):
    with MockSlack(clock=tally.clock) as slack:
        slack.lose_response("chat.postMessage")  # stored, but the client sees the connection drop
        first, second = passes(tally, slack, 2, timedelta(minutes=2))
        assert first.failed == 1 and second.reconciled == 1 and second.sent == 0
        assert len(slack.calls_to("chat.postMessage")) == swept  # never posted again
        assert_each_sent_once(db, slack, swept)


def test_a_response_lost_to_a_timeout_gives_one_dm(tally, db, swept):
    with MockSlack(clock=tally.clock) as slack:
        slack.lose_response("chat.postMessage", hold=3)  # silent past the post's 1 s timeout
        reports = passes(tally, slack, 2, timedelta(minutes=1), QUICK)
        assert reports[0].failed == 1 and reports[1].reconciled == 1
        assert_each_sent_once(db, slack, swept)


def test_a_500_then_recovery_gives_one_dm(tally, db, swept):
    with MockSlack(clock=tally.clock) as slack:
        slack.server_error("chat.postMessage", times=2)
        first, second = passes(tally, slack, 2, timedelta(minutes=2))
        assert first.failed == 2 and second.sent == 2 and second.reconciled == 0
        assert_each_sent_once(db, slack, swept)


def test_a_long_429_hands_the_row_back_instead_of_waiting_on_it(tally, db, swept):
    with MockSlack(clock=tally.clock) as slack:
        slack.rate_limit("chat.postMessage", retry_after=150)  # longer than the two-minute lease
        first = passes(tally, slack, 1, timedelta(seconds=100))[0]
        (waiting,) = [r for r in rows(db, status="pending") if r.last_error is None and r.due_at <= tally.clock.now()
                      + timedelta(minutes=1) and r.due_at > tally.clock.now()]
        assert first.rate_limited == 1 and first.sent == swept - 1 and waiting.attempts == 0
        assert passes(tally, slack, 2, timedelta(seconds=60))[1].sent == 1
        assert_each_sent_once(db, slack, swept)


def test_slack_dying_mid_run_loses_and_doubles_nothing(tally, db, swept):
    with MockSlack(clock=tally.clock) as slack:
        slack.die_after("chat.postMessage", calls=10)
        first = passes(tally, slack, 1, timedelta(minutes=2))[0]
        assert first.sent == 10 and first.failed == swept - 10
        slack.start()  # back on its port, with what it had stored
        later = passes(tally, slack, 2, timedelta(minutes=6))
        assert sum(r.sent for r in later) == swept - 10
        assert_each_sent_once(db, slack, swept)


def test_a_removed_member_gets_nothing(tally, db, swept):
    Members(db, tally.clock).remove("U0COLL1")
    with MockSlack(clock=tally.clock) as slack:
        report = passes(tally, slack, 1, timedelta(0))[0]
        assert not slack.messages("DU0COLL1") and report.sent > 0
    skipped = [r for r in rows(db, status="skipped") if r.recipient == "U0COLL1"]
    assert skipped and all(r.skip_reason == "U0COLL1 is no longer a member" for r in skipped)


def test_a_customer_that_changed_hands_is_chased_by_its_new_collector_and_rep(tally, db, swept):
    due = rows(db, status="pending", due_by=tally.clock.now())
    moved = next(r for r in due if r.recipient == "U0COLL1")
    heads_up = next((r for r in due if r.stage == "-3d"), None)
    with db.session(write=True) as s:
        s.execute(update(Customer).where(Customer.id == moved.invoice.customer_id).values(collector="U0COLL2"))
        if heads_up is not None:
            s.execute(update(Customer).where(Customer.id == heads_up.invoice.customer_id).values(owner_rep="U0SALES3"))
        s.commit()
    with MockSlack(clock=tally.clock) as slack:
        passes(tally, slack, 1, timedelta(0))
        to_old = [m for m in slack.messages("DU0COLL1") if moved.invoice.number in str(m.get("blocks"))]
        to_new = [m for m in slack.messages("DU0COLL2") if moved.invoice.number in str(m.get("blocks"))]
    with db.session() as s:
        after = s.get(Reminder, moved.id)
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "reminder_redirected",
                                                    AuditEvent.entity_id == str(moved.id))).all()
    assert not to_old and len(to_new) == 1
    assert after.recipient == "U0COLL2" and after.status == "sent" and after.slack_channel == "DU0COLL2"
    assert [(e.before, e.after["recipient"]) for e in events] == [({"recipient": "U0COLL1"}, "U0COLL2")]
    if heads_up is not None:
        with db.session() as s:
            assert s.get(Reminder, heads_up.id).recipient == "U0SALES3"


def test_a_reminder_someone_asked_for_still_goes_to_who_was_named(tally, db):
    tally.clock = TickingClock(THURSDAY_4PM_UTC)
    actor = tally.actor_for("U0COLL1")
    with db.session() as s:
        number = s.scalar(select(Invoice.number).join(Invoice.customer).where(
            Customer.collector == "U0COLL1", Invoice.status == "open").order_by(Invoice.id))
    proposal = tally.propose(actor, "schedule_reminder", {"invoice_number": number, "remind_at": "in 1 hour"})
    assert tally.confirm(actor, proposal.pending_id).status == "done"
    with db.session(write=True) as s:
        s.execute(update(Customer).where(Customer.collector == "U0COLL1").values(collector="U0COLL2"))
        s.commit()
    tally.clock.at += timedelta(hours=2)
    with MockSlack(clock=tally.clock) as slack:
        passes(tally, slack, 1, timedelta(0))
        assert [number in str(m["blocks"]) for m in slack.messages("DU0COLL1")] == [True]


def test_every_outbox_change_is_audited(tally, db, swept):
    with MockSlack(clock=tally.clock) as slack:
        slack.server_error("chat.postMessage")
        report = passes(tally, slack, 1, timedelta(0))[0]
    with db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.actor == "dunning")).all()
    (sweep,) = [e for e in events if e.action == "reminder_sweep"]
    assert sweep.after["queued"] == len(rows(db)) - sweep.after["skipped"] > 0
    sent_ids = {i for e in events if e.action == "reminders_sent" for i in e.after["ids"]}
    assert sent_ids == {r.id for r in rows(db, status="sent")} and len(sent_ids) == report.sent
    failed = [e for e in events if e.action == "reminder_failed"]
    assert len(failed) == 1 and failed[0].after["status"] == "pending" and "500" in failed[0].after["error"]
