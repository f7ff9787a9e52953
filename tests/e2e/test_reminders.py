"""Collections end to end: the outbox swept on an injected clock that ticks, sent to a mock Slack, acted
on with the DM's buttons through signed requests."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.digest import send_digests
from bot.reminders import ReminderSender
from bot.slack_app import slack_client
from db.models import Invoice, Reminder
from tests.e2e.slack_harness import slack_world
from tests.fakes.slack_api import MockSlack
from tests.fakes.slack_requests import block_actions, view_submission
from tools import FixedClock, Tally, TickingClock
from tools.outbox import Outbox

TUESDAY_4PM_UTC = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


def outbox_at(tally, at):
    clock = TickingClock(at)
    tally.clock = clock
    return Outbox(tally.db, clock, rules=tally.rules)


def reminder_id_of(call) -> int:
    meta = call.params["metadata"]
    return (json.loads(meta) if isinstance(meta, str) else meta)["event_payload"]["reminder_id"]


def due_now(db, at):
    return [r for r in reminders(db, status="pending") if r.due_at <= at]


def reminders(db, **where):
    with db.session() as s:
        query = select(Reminder)
        for key, value in where.items():
            query = query.where(getattr(Reminder, key) == value)
        return list(s.scalars(query))


def make_invoice_due(db, number, due):
    with db.session(write=True) as s:
        s.execute(update(Invoice).where(Invoice.number == number).values(due_date=due, promised_on=None,
                                                                           disputed=False))
        s.commit()


def acme_invoice(db):
    with db.session() as s:
        return s.scalar(select(Invoice.number).join(Invoice.customer).where(
            Invoice.customer.has(code="INITECH"), Invoice.status == "open").order_by(Invoice.id))


def test_stages_fire_on_their_days_once_and_only_the_latest(tally, db):
    number = acme_invoice(db)
    make_invoice_due(db, number, TUESDAY_4PM_UTC.date() + timedelta(days=3))
    outbox = outbox_at(tally, TUESDAY_4PM_UTC - timedelta(days=1))
    outbox.sweep()
    mine = lambda: [r for r in reminders(db) if r.invoice.number == number]  # noqa: E731
    assert mine() == []  # four days before the due date: nothing yet
    outbox_at(tally, TUESDAY_4PM_UTC).sweep()
    assert [(r.stage, r.recipient, r.status) for r in mine()] == [("-3d", "U0SALES1", "pending")]
    outbox_at(tally, TUESDAY_4PM_UTC).sweep()  # a second sweep the same day adds nothing
    assert len(mine()) == 1
    outbox_at(tally, TUESDAY_4PM_UTC + timedelta(days=3 + 14)).sweep()  # 14 days late, never swept between
    stages = {(r.stage, r.recipient, r.status) for r in mine()}  # +1d and +7d are passed over: no rows
    assert stages == {("-3d", "U0SALES1", "pending"), ("+14d", "U0COLL1", "pending"), ("+14d", "U0SALES1", "pending")}
    outbox_at(tally, TUESDAY_4PM_UTC + timedelta(days=3 + 15)).sweep()  # the next day: +1d and +7d stay done
    assert len(mine()) == 3


def test_quiet_hours_follow_the_recipients_timezone(tally, db):
    number = acme_invoice(db)
    make_invoice_due(db, number, TUESDAY_4PM_UTC.date() - timedelta(days=1))
    friday_11pm_ny = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)  # Friday 23:00 in New York
    outbox_at(tally, friday_11pm_ny).sweep()
    (row,) = [r for r in reminders(db, stage="+1d") if r.invoice.number == number]
    assert row.recipient == "U0COLL1" and row.due_at == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # Mon 09:00 NY


def test_sender_skips_settled_disputed_and_promised_invoices(tally, db):
    outbox = outbox_at(tally, TUESDAY_4PM_UTC)
    outbox.sweep()
    numbers = list(dict.fromkeys(r.invoice.number for r in reminders(db, status="pending")))
    paid, disputed, promised = numbers[:3]
    with db.session(write=True) as s:
        s.execute(update(Invoice).where(Invoice.number == paid).values(status="paid", paid_amount=Invoice.total))
        s.execute(update(Invoice).where(Invoice.number == disputed).values(disputed=True))
        s.execute(update(Invoice).where(Invoice.number == promised).values(
            promised_on=TUESDAY_4PM_UTC.date() + timedelta(days=5)))
        s.commit()
    later = outbox_at(tally, TUESDAY_4PM_UTC + timedelta(days=2))  # Thursday: everyone's working hours
    with MockSlack() as slack:
        sender = ReminderSender(tally, later, slack_client("xoxb-test", slack.base_url), worker="w1")
        report = sender.run_once()
        reasons = {r.invoice.number: r.skip_reason for r in reminders(db, status="skipped")}
        assert reasons[paid] == "paid" and reasons[disputed] == "disputed"
        assert reasons[promised].startswith("promised until")
        assert report.sent == len(slack.calls_to("chat.postMessage")) == len(reminders(db, status="sent")) > 0
        post = next(c for c in slack.calls_to("chat.postMessage") if c.params["channel"].startswith("DU0COLL"))
        meta = post.params["metadata"] if isinstance(post.params["metadata"], dict) else json.loads(
            post.params["metadata"])
        assert meta["event_type"] == "tally_reminder" and "Payment received" in json.dumps(post.params["blocks"])


def test_a_sender_killed_after_claiming_or_after_posting_loses_nothing_and_doubles_nothing(tally, db):
    outbox = outbox_at(tally, TUESDAY_4PM_UTC + timedelta(days=2))
    outbox.sweep()
    due = len(due_now(db, outbox.clock.now()))  # a reading after the sweep's
    with MockSlack(clock=outbox.clock) as slack:
        client = slack_client("xoxb-test", slack.base_url)
        dead = ReminderSender(tally, outbox, client, worker="dead")
        claimed = outbox.claim("dead", limit=4)  # crash 1: claimed, nothing posted
        jobs = outbox.claim("dead", limit=3)  # crash 2: posted, then died before marking
        for job in jobs:  # the sender's posting path, minus the marking
            message_channel = dead._dm(job.recipient)
            client.chat_postMessage(channel=message_channel, text="posted before the crash",
                                    metadata={"event_type": "tally_reminder",
                                              "event_payload": {"reminder_id": job.reminder_id}})
        assert len(claimed) == 4 and len(jobs) == 3
        after_lease = outbox_at(tally, TUESDAY_4PM_UTC + timedelta(days=2, minutes=5))
        report = ReminderSender(tally, after_lease, client, worker="alive").run_once()
        assert report.reconciled == 3 and report.sent == due - 3
        per_reminder = {}
        for call in slack.calls_to("chat.postMessage"):
            meta = call.params.get("metadata")
            meta = json.loads(meta) if isinstance(meta, str) else meta
            per_reminder[meta["event_payload"]["reminder_id"]] = per_reminder.get(
                meta["event_payload"]["reminder_id"], 0) + 1
        assert len(per_reminder) == due and set(per_reminder.values()) == {1}
    assert len(reminders(db, status="sent")) == due


def test_rate_limited_slack_still_gets_every_reminder(tally, db):
    outbox = outbox_at(tally, TUESDAY_4PM_UTC + timedelta(days=2))
    outbox.sweep()
    due = len(due_now(db, outbox.clock.now()))  # a reading after the sweep's
    with MockSlack() as slack:
        slack.rate_limit("chat.postMessage", times=3, retry_after=1)
        sender = ReminderSender(tally, outbox, slack_client("xoxb-test", slack.base_url))
        first = sender.run_once()  # the three refused wait their Retry-After, without holding the sender
        assert first.sent == due - 3 and first.rate_limited == 3 and len(slack.rate_limited) == 3
        tally.clock.at += timedelta(seconds=2)
        assert sender.run_once().sent == 3
        assert sorted(map(reminder_id_of, slack.calls_to("chat.postMessage"))) == sorted(
            r.id for r in reminders(db, status="sent"))
    assert len(reminders(db, status="sent")) == due and not due_now(db, tally.clock.now())


def test_failed_posts_retry_with_backoff_then_fail_for_managers_to_see(tally, db):
    from db.models import Member

    with db.session(write=True) as s:  # everyone in UTC, so a working day has room for every retry
        s.execute(update(Member).values(timezone="UTC"))
        s.commit()
    at = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # Thursday morning
    outbox_at(tally, at).sweep()
    with MockSlack() as slack:
        slack.fail("chat.postMessage", error="channel_not_found", times=10_000)
        client = slack_client("xoxb-test", slack.base_url)
        for _ in range(5):  # backoff 1, 5, 15, 60 minutes; a pass every 65 minutes catches each retry
            ReminderSender(tally, outbox_at(tally, at), client, worker="w").run_once()
            at += timedelta(minutes=65)
    failed = reminders(db, status="failed")
    assert failed and all(r.attempts == 5 and "channel_not_found" in r.last_error for r in failed)
    assert not due_now(db, at)


def test_promise_button_modal_stores_the_promise_pauses_chasing_and_updates_the_message(tally, db):
    outbox = outbox_at(tally, TUESDAY_4PM_UTC + timedelta(days=2))
    outbox.sweep()
    with slack_world(tally, with_model=False) as world:
        ReminderSender(tally, outbox, slack_client("xoxb-test", world.slack.base_url)).run_once()
        sent = next(r for r in reminders(db, status="sent") if r.recipient.startswith("U0COLL"))
        post = next(c for c in world.slack.calls_to("chat.postMessage") if reminder_id_of(c) == sent.id)
        value = next(e["value"] for b in post.params["blocks"] if b["type"] == "actions"
                     for e in b["elements"] if e["action_id"] == "tally_remind_promise")
        collector = sent.recipient
        world.sim.post(*block_actions(collector, "tally_remind_promise", value, channel_id=sent.slack_channel,
                                      message_ts=sent.slack_ts))
        modal = world.slack.wait_for("views.open")[0].params["view"]
        assert modal["callback_id"] == "tally_promise_modal"
        promised = (TUESDAY_4PM_UTC + timedelta(days=9)).date().isoformat()
        status, _, body = world.sim.post(*view_submission(collector, "tally_promise_modal",
                                                          modal["private_metadata"], {
            "date": {"value": {"type": "datepicker", "selected_date": promised}},
            "amount": {"value": {"type": "plain_text_input", "value": ""}}}))
        assert status == 200 and "errors" not in body
        update_call = world.slack.wait_for("chat.update")[-1]
        assert update_call.params["ts"] == sent.slack_ts
        assert f"Promise to pay logged for {promised} by <@{collector}>" in json.dumps(update_call.params["blocks"])
        assert "tally_remind_paid" not in json.dumps(update_call.params["blocks"])
    with db.session() as s:
        assert s.get(Invoice, sent.invoice_id).promised_on.isoformat() == promised
    assert outbox.recheck(sent.id).startswith("promised until")  # chasing paused


def test_a_bad_payment_amount_is_shown_in_the_modal(tally, db):
    outbox = outbox_at(tally, TUESDAY_4PM_UTC + timedelta(days=2))
    outbox.sweep()
    with slack_world(tally, with_model=False) as world:
        ReminderSender(tally, outbox, slack_client("xoxb-test", world.slack.base_url)).run_once()
        sent = next(r for r in reminders(db, status="sent") if r.recipient.startswith("U0COLL"))
        meta = json.dumps({"reminder": sent.id, "invoice": sent.invoice.number, "channel": sent.slack_channel,
                           "ts": sent.slack_ts})
        status, _, body = world.sim.post(*view_submission(sent.recipient, "tally_payment_modal", meta, {
            "amount": {"value": {"type": "plain_text_input", "value": "99999999"}},
            "date": {"value": {"type": "datepicker", "selected_date": "2026-11-26"}},
            "reference": {"value": {"type": "plain_text_input", "value": None}}}))
        answer = json.loads(body)
        assert answer["response_action"] == "errors" and "more than the balance" in answer["errors"]["amount"]


def test_weekly_digest_goes_to_managers_on_monday_morning_once(tally, db):
    sunday = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # Sunday 18:00 in New York
    monday_9am_ny = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)
    with MockSlack() as slack:
        client = slack_client("xoxb-test", slack.base_url)
        assert send_digests(Tally(db, tally.rules, FixedClock(sunday)), client, Outbox(db, FixedClock(sunday))) == 0
        monday = Tally(db, tally.rules, FixedClock(monday_9am_ny))
        assert send_digests(monday, client, Outbox(db, FixedClock(monday_9am_ny))) == 1
        assert send_digests(monday, client, Outbox(db, FixedClock(monday_9am_ny))) == 0
        digest = slack.calls_to("chat.postMessage")[0]
        text = json.dumps(digest.params["blocks"], ensure_ascii=False)
        assert digest.params["channel"] == "DU0MGR1"
        assert "Countback DSO" in text and "vs last week" in text and "Top 10 overdue" in text
        assert "Broken promises" in text and "Oscorp" in text
        chart = slack.completed_uploads[0]
        assert chart["channel_id"] == "DU0MGR1" and chart["thread_ts"] == slack.messages("DU0MGR1")[0]["ts"]


@pytest.mark.parametrize("command", ["sweep", "list"])
def test_reminders_cli_with_a_stand_in_clock(command, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TALLY_", "SLACK_"))}
    env["TALLY_DATA_DIR"] = str(tmp_path)  # the embedded database in the test's folder, not the project's
    run = lambda *a: subprocess.run([sys.executable, str(root / "app.py"), *a], cwd=tmp_path, env=env,  # noqa: E731
                                    capture_output=True, text=True, timeout=120)
    assert run("seed", "--demo").returncode == 0
    result = run("reminders", "sweep", "--now", "2026-11-24T16:00")
    assert result.returncode == 0 and "reminders queued" in result.stdout
    if command == "list":
        listing = run("reminders", "list", "--status", "pending")
        assert "pending" in listing.stdout and "+30d" in listing.stdout
    assert "not an ISO date-time" in run("reminders", "sweep", "--now", "next tuesday").stdout


def test_scheduler_runs_the_passes_against_the_database(tally, db):
    from bot.scheduler import build_scheduler

    with MockSlack() as slack:
        jobs = build_scheduler(tally, slack_client("xoxb-test", slack.base_url), Outbox(db, tally.clock))
        assert {job.id for job in jobs.get_jobs()} == {"sweep", "send", "digest", "expire", "read_alerts",
                                                           "alerts", "send_alerts"}
        jobs.get_job("sweep").func()  # what APScheduler calls on its interval
    assert reminders(db)  # the sweep queued the demo's overdue stages


def test_a_reps_copy_informs_without_collection_buttons(tally, db):
    outbox = outbox_at(tally, TUESDAY_4PM_UTC + timedelta(days=2))
    outbox.sweep()
    with MockSlack() as slack:
        ReminderSender(tally, outbox, slack_client("xoxb-test", slack.base_url)).run_once()
        by_channel = {c.params["channel"]: json.dumps(c.params["blocks"]) for c in slack.calls_to("chat.postMessage")}
    rep = next(text for channel, text in by_channel.items() if channel.startswith("DU0SALES"))
    collector = next(text for channel, text in by_channel.items() if channel.startswith("DU0COLL"))
    assert "tally_remind_paid" not in rep and "tally_remind_snooze_1" in rep
    assert "tally_remind_paid" in collector
