"""Two reminder senders, as two OS processes (`app.py reminders send`), on one PostgreSQL outbox of
10,000 due reminders: every reminder reaches the mock Slack exactly once and every row ends `sent`.
And the same under faults: a sender slowed down by Slack never starts a post its lease might not
outlive; a 429 longer than the lease does not let a second sender post the row too; a sender killed
mid-run leaves the rest to the other, without doubles; two clicks of one snooze make one reminder.

The senders claim rows with FOR UPDATE SKIP LOCKED; the mock Slack runs in the test process and
counts posts by the reminder id each DM carries in its metadata."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update

from bot.reminders import ReminderSender
from bot.slack_app import slack_client
from db.models import AuditEvent, Invoice, Member, Reminder
from tests.fakes.slack_api import MockSlack
from tests.integration.sender_process import run_sender
from tools import Tally, TickingClock
from tools.outbox import Outbox

if not os.environ.get("TALLY_TEST_DATABASE_URL"):
    pytest.skip("parallel senders are tested on PostgreSQL: set TALLY_TEST_DATABASE_URL", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
REMINDERS = 10_000
SENDERS = 2
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # a Thursday morning in UTC


pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SKIP LOCKED needs PostgreSQL


def fill_outbox(db, n: int) -> None:
    """n reminders due now, one bulk insert. Stages people schedule themselves ("at:...") are sent at
    any hour and skipped only for a paid or void invoice, so the open demo invoices all qualify."""
    with db.session(write=True) as s:
        s.execute(update(Member).values(timezone="UTC", tz_checked_at=NOW))  # no users.info needed
        invoices = s.scalars(select(Invoice.id).where(Invoice.status.in_(("open", "partially_paid")))
                             .order_by(Invoice.id)).all()
        people = s.scalars(select(Member.slack_user_id).where(Member.active.is_(True))
                           .order_by(Member.slack_user_id)).all()
        s.execute(insert(Reminder), [
            {"invoice_id": invoices[i % len(invoices)], "stage": f"at:bulk{i}", "recipient": people[i % len(people)],
             "due_at": NOW, "status": "pending", "attempts": 0, "created_by": "test", "created_at": NOW}
            for i in range(n)])
        s.commit()


def sender(slack: MockSlack, tmp: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TALLY_", "SLACK_", "OPENAI_"))}
    env.update(DATABASE_URL=os.environ["TALLY_TEST_DATABASE_URL"], SLACK_API_URL=slack.base_url,
               SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="test-signing-secret", PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, str(ROOT / "app.py"), "reminders", "send", "--now", NOW.isoformat(),
                             "--limit", str(REMINDERS)], cwd=tmp, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def posted_reminder_ids(slack: MockSlack) -> Counter:
    ids: Counter = Counter()
    for call in slack.calls_to("chat.postMessage"):
        meta = call.params.get("metadata")
        meta = json.loads(meta) if isinstance(meta, str) else meta
        ids[meta["event_payload"]["reminder_id"]] += 1
    return ids


def test_two_sender_processes_send_ten_thousand_reminders_exactly_once(db, tmp_path):
    fill_outbox(db, REMINDERS)
    with db.session() as s:
        expected = set(s.scalars(select(Reminder.id)))
    assert len(expected) == REMINDERS

    with MockSlack() as slack:
        started = time.perf_counter()
        procs = [sender(slack, tmp_path) for _ in range(SENDERS)]
        outputs = [p.communicate(timeout=300)[0] for p in procs]
        elapsed = time.perf_counter() - started
        assert [p.returncode for p in procs] == [0] * SENDERS, outputs
        posted = posted_reminder_ids(slack)

    reports = [line for out in outputs for line in out.splitlines() if line.startswith("sent ")]
    sent_by = [int(line.split()[1].rstrip(",")) for line in reports]
    assert len(sent_by) == SENDERS and sum(sent_by) == REMINDERS, outputs
    assert all(n > 0 for n in sent_by), f"one sender did all the work: {sent_by}"  # both really ran in parallel
    assert set(posted) == expected and set(posted.values()) == {1}  # each reminder posted, and only once
    with db.session() as s:
        statuses = dict(s.execute(select(Reminder.status, func.count()).group_by(Reminder.status)).all())
        senders = s.scalar(select(func.count(func.distinct(Reminder.claimed_by))))
    assert statuses == {"sent": REMINDERS} and senders == SENDERS
    print(f"\n{REMINDERS:,} reminders by {SENDERS} senders in {elapsed:.1f} s, {REMINDERS / elapsed:,.0f}/s: {sent_by}")


class SlowSlack:
    """A Slack client each of whose posts takes 25 seconds of the sender's clock (slow answers)."""

    def __init__(self, client, clock: TickingClock, db):
        self.client, self.clock, self.db = client, clock, db
        self.starts: list[tuple[datetime, datetime]] = []  # (post started, lease of its row ends)

    def __getattr__(self, name):
        return getattr(self.client, name)

    def chat_postMessage(self, **params):  # noqa: N802 - slack_sdk's name
        with self.db.session() as s:
            lease_until = s.scalar(select(Reminder.lease_until).where(
                Reminder.id == params["metadata"]["event_payload"]["reminder_id"]))
        self.starts.append((self.clock.now(), lease_until))
        self.clock.at += timedelta(seconds=25)
        return self.client.chat_postMessage(**params)


def test_a_slowed_sender_renews_its_lease_before_a_post_could_outlive_it(db, tally):
    fill_outbox(db, 30)
    clock = TickingClock(NOW)
    tally = Tally(db, tally.rules, clock)
    with MockSlack() as slack:
        client = SlowSlack(slack_client("xoxb-test", slack.base_url), clock, db)
        sender = ReminderSender(tally, Outbox(db, clock), client, worker="slow")
        report = sender.run_once(limit=30, batch=10)
        posted = posted_reminder_ids(slack)
        assert not slack.calls_to("conversations.history")  # nothing was ever taken over
    # without renewing, the 6th post of a batch would start 125 s after the claim, its lease gone
    assert all(lease_until - started >= sender.post_timeout for started, lease_until in client.starts)
    assert report.sent == 30 and len(posted) == 30 and set(posted.values()) == {1}
    with db.session() as s:
        rows = s.execute(select(Reminder.status, Reminder.attempts)).all()
    assert {tuple(r) for r in rows} == {("sent", 1)}


def run_both(slack: MockSlack, n: int, batch: int) -> list[dict]:
    """Two senders on the system clock, in threads, each passing until the outbox is done; a 2 s lease."""
    url = os.environ["TALLY_TEST_DATABASE_URL"]
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda i: run_sender(url, slack.base_url, f"s{i}", 2, 1, 60, batch), range(2)))


def test_a_429_longer_than_the_lease_with_two_senders_gives_one_dm(db):
    fill_outbox(db, 20)
    with MockSlack() as slack:
        slack.rate_limit("chat.postMessage", times=2, retry_after=3)  # Retry-After 3 s, the lease 2 s
        totals = run_both(slack, 20, batch=5)
        posted = posted_reminder_ids(slack)
    assert sum(t["rate_limited"] for t in totals) == 2
    assert len(posted) == 20 and set(posted.values()) == {1}
    with db.session() as s:
        assert set(s.scalars(select(Reminder.status))) == {"sent"}


def holds_rows(db, worker: str, attempts: int = 6000) -> None:
    """Wait until `worker` has claimed rows (polls the outbox; no reading of a clock)."""
    for _ in range(attempts):
        with db.session() as s:
            if s.scalar(select(Reminder.id).where(Reminder.status == "claimed", Reminder.claimed_by == worker)
                        .limit(1)) is not None:
                return
        time.sleep(0.01)
    raise AssertionError(f"{worker} never claimed a row")


def kill_holding_rows(db, pid: int, worker: str) -> None:
    """SIGKILL the sender while it holds claimed rows: frozen first (SIGSTOP), so that it cannot mark its
    batch sent between the look and the kill; let go again and looked at later when it holds none."""
    holds_rows(db, worker)  # on a loaded machine it may still be starting
    for _ in range(1000):
        os.kill(pid, signal.SIGSTOP)
        with db.session() as s:
            held = s.scalar(select(Reminder.id).where(Reminder.status == "claimed", Reminder.claimed_by == worker)
                            .limit(1))
        if held is not None:
            os.kill(pid, signal.SIGKILL)
            return
        os.kill(pid, signal.SIGCONT)
        time.sleep(0.005)
    raise AssertionError(f"{worker} was never caught holding rows")


def test_a_sender_killed_mid_run_leaves_the_rest_to_the_other_without_doubles(db):
    fill_outbox(db, 2_000)
    url = os.environ["TALLY_TEST_DATABASE_URL"]
    spawn = multiprocessing.get_context("spawn")
    with MockSlack() as slack:
        procs = [spawn.Process(target=run_sender, args=(url, slack.base_url, f"s{i}", 2, 1, 240, 50))
                 for i in range(2)]
        for p in procs:
            p.start()
        slack.wait_for("chat.postMessage", count=300, timeout=120)
        kill_holding_rows(db, procs[0].pid, "s0")  # mid-batch: claimed rows, some posted and not yet marked
        procs[1].join(timeout=240)
        procs[0].join(timeout=10)
        assert procs[1].exitcode == 0 and procs[0].exitcode == -signal.SIGKILL
        posted = posted_reminder_ids(slack)
    assert len(posted) == 2_000 and set(posted.values()) == {1}
    with db.session() as s:
        assert set(s.scalars(select(Reminder.status))) == {"sent"}
        taken_over = s.scalars(select(AuditEvent).where(AuditEvent.action == "reminders_taken_over")).all()
    assert taken_over and all(e.after["worker"] == "s1" for e in taken_over)


def test_two_clicks_of_one_snooze_at_once_leave_one_reminder(db, tally):
    tally = Tally(db, tally.rules, TickingClock(NOW))
    actor = tally.actor_for("U0COLL1")
    with db.session() as s:
        number = s.scalar(select(Invoice.number).where(Invoice.status == "open").order_by(Invoice.id))
    args = {"invoice_number": number, "remind_at": (NOW + timedelta(days=1)).isoformat(), "note": "snoozed"}
    start = threading.Barrier(2)

    def click(_):
        start.wait()
        return tally.run_now(actor, "schedule_reminder", args, key="snooze:1:1:U0COLL1")

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(click, range(2)))
    assert [o.status for o in outcomes] == ["done", "done"]
    assert outcomes[0].result.reminder_id == outcomes[1].result.reminder_id
    with db.session() as s:
        assert len(s.scalars(select(Reminder).where(Reminder.stage.startswith("at:"))).all()) == 1
